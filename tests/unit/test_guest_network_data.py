"""network_data.json rules, against the outputs Nova's own tests assert: vectors A to G are
``TestNetworkMetadata``'s (``nova/tests/unit/network/test_network_info.py``), H the Ironic
driver's (``nova/tests/unit/virt/ironic/test_driver.py``). Inputs are written in Nova's
network-model shape, as ``nova/tests/unit/fake_network_cache_model.py`` builds them."""

import copy

import pytest

from multinic_api.guest.network_data import network_data
from multinic_api.guest.records import PortGroupRecord, PortRecord

VIF_ID = "6b1c2b8e-5d1e-4e0a-9a53-1f0c0d5b7c11"
NET_ID = "0b6a2f6c-3c1d-4a8e-8b0e-5f3f0a7d9e21"


def ip(address, type_=None, version=None):
    return {"address": address, "type": type_, "version": version, "meta": {}}


def fixed(address, version):
    return {**ip(address, "fixed", version), "floating_ips": []}


def new_subnet(version=4, **meta):
    if version == 4:
        subnet = {"cidr": "10.10.0.0/24", "dns": [ip("1.2.3.4", None, 4), ip("2.3.4.5", None, 4)],
                  "gateway": ip("10.10.0.1", None, 4),
                  "ips": [fixed("10.10.0.2", 4), fixed("10.10.0.3", 4)],
                  "routes": [{"cidr": "0.0.0.0/24", "gateway": ip("192.168.1.1", None, 4),
                              "interface": "eth0", "meta": {}}]}
    else:
        subnet = {"cidr": "fd00::/48", "dns": [ip("1:2:3:4::", None, 6), ip("2:3:4:5::", None, 6)],
                  "gateway": ip("fd00::1", None, 6),
                  "ips": [fixed("fd00::2", 6), fixed("fd00::3", 6)],
                  "routes": [{"cidr": "::/48", "gateway": ip("fd00::1:1", None, 6),
                              "interface": "eth0", "meta": {}}]}
    return {**subnet, "version": version, "meta": dict(meta)}


def new_vif(subnets, vif_type="ethernet", address="aa:aa:aa:aa:aa:aa", net_id=NET_ID,
            devname=None, mtu=1500, vif_id=VIF_ID):
    return {"id": vif_id, "address": address, "type": vif_type, "details": {},
            "devname": devname, "active": False, "vnic_type": "normal", "profile": None,
            "meta": {},
            "network": {"id": net_id, "bridge": "br0", "label": "public", "subnets": subnets,
                        "meta": {"mtu": mtu}}}


DNS4 = [{"type": "dns", "address": "1.2.3.4"}, {"type": "dns", "address": "2.3.4.5"}]
DNS6 = [{"type": "dns", "address": "1:2:3:4::"}, {"type": "dns", "address": "2:3:4:5::"}]
STATIC4 = {"id": "network0", "type": "ipv4", "link": "interface0", "ip_address": "10.10.0.2",
           "netmask": "255.255.255.0",
           "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.10.0.1"},
                      {"network": "0.0.0.0", "netmask": "255.255.255.0",
                       "gateway": "192.168.1.1"}],
           "network_id": NET_ID, "services": DNS4}
STATIC6 = {"id": "network1", "type": "ipv6", "link": "interface0", "ip_address": "fd00::2",
           "netmask": "ffff:ffff:ffff::",
           "routes": [{"network": "::", "netmask": "::", "gateway": "fd00::1"},
                      {"network": "::", "netmask": "ffff:ffff:ffff::", "gateway": "fd00::1:1"}],
           "network_id": NET_ID, "services": DNS6}


def test_vector_a_static_v4_and_v6():
    result = network_data([new_vif([new_subnet(4), new_subnet(6)])])
    assert result == {
        "links": [{"id": "interface0", "vif_id": VIF_ID, "type": "phy", "mtu": 1500,
                   "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"}],
        "networks": [STATIC4, STATIC6],
        "services": DNS4 + DNS6,
    }
    assert list(result["links"][0]) == ["id", "vif_id", "type", "mtu", "ethernet_mac_address"]
    assert list(result["networks"][0]) == ["id", "type", "link", "ip_address", "netmask",
                                           "routes", "network_id", "services"]


def test_vector_b_dhcp_server_hides_mtu_and_static_data():
    vif = new_vif([new_subnet(4, dhcp_server="1.1.1.1"), new_subnet(6, dhcp_server="1234:567::")])
    assert network_data([vif]) == {
        "links": [{"id": "interface0", "vif_id": VIF_ID, "type": "phy", "mtu": None,
                   "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"}],
        "networks": [
            {"id": "network0", "type": "ipv4_dhcp", "link": "interface0", "network_id": NET_ID},
            {"id": "network1", "type": "ipv6_dhcp", "link": "interface0", "network_id": NET_ID},
        ],
        "services": DNS4 + DNS6,
    }


def test_vector_c_slaac_is_nova_s_output():
    vif = new_vif([new_subnet(4),
                   new_subnet(6, dhcp_server="1234:567::", ipv6_address_mode="slaac")])
    result = network_data([vif])
    assert result["networks"] == [STATIC4, {**STATIC6, "type": "ipv6_slaac"}]
    assert result["links"][0]["mtu"] is None  # the v6 subnet has a DHCP server


@pytest.mark.parametrize(("mode", "expected"), [
    # Nova writes ipv6_dhcpv6-stateless / ipv6_dhcpv6-stateful, which Ironic's and Nova's
    # own network-data schemas reject; we write the schema's name for what the mode does
    # (see multinic_api/guest/network_data.py and test_guest_validators.py).
    ("dhcpv6-stateless", {**STATIC6, "type": "ipv6_slaac"}),
    ("dhcpv6-stateful", {"id": "network1", "type": "ipv6_dhcp", "link": "interface0",
                         "network_id": NET_ID}),
])
def test_vector_c_dhcpv6_modes_use_the_schema_types(mode, expected):
    vif = new_vif([new_subnet(4), new_subnet(6, dhcp_server="1234:567::",
                                             ipv6_address_mode=mode)])
    assert network_data([vif])["networks"] == [STATIC4, expected]


def test_vector_d_two_vifs_number_networks_across_links():
    zero, one = "00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111"
    first = new_vif([new_subnet(4), new_subnet(6)], net_id=zero)
    second_v4 = {"cidr": "192.168.0.0/24", "dns": new_subnet(4)["dns"],
                 "gateway": ip("192.168.0.1", None, 4), "ips": [ip("192.168.0.2", None, 4)],
                 "routes": [], "version": 4, "meta": {}}
    ignored_v4 = {**new_subnet(4), "cidr": "255.255.255.255"}
    second = new_vif([second_v4, ignored_v4], address="aa:aa:aa:aa:aa:ab", net_id=one)
    assert network_data([first, second]) == {
        "links": [
            {"id": "interface0", "vif_id": VIF_ID, "type": "phy", "mtu": 1500,
             "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"},
            {"id": "interface1", "vif_id": VIF_ID, "type": "phy", "mtu": 1500,
             "ethernet_mac_address": "aa:aa:aa:aa:aa:ab"},
        ],
        "networks": [
            {**STATIC4, "network_id": zero},
            {**STATIC6, "network_id": zero},
            {"id": "network2", "type": "ipv4", "link": "interface1", "ip_address": "192.168.0.2",
             "netmask": "255.255.255.0",
             "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "192.168.0.1"}],
             "network_id": one, "services": DNS4},
        ],
        "services": DNS4 + DNS6,
    }


def test_vector_e_ipv6_only():
    assert network_data([new_vif([new_subnet(6)])]) == {
        "links": [{"id": "interface0", "vif_id": VIF_ID, "type": "phy", "mtu": 1500,
                   "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"}],
        "networks": [{**STATIC6, "id": "network0"}],
        "services": DNS6,
    }


@pytest.mark.parametrize("vif_type", ["bridge", "dvs", "hw_veb", "hyperv", "ovs", "tap",
                                      "vhostuser", "vif"])
def test_vector_f_known_vif_types_pass_through(vif_type):
    link = network_data([new_vif([new_subnet(4)], vif_type=vif_type)])["links"][0]
    assert link["type"] == vif_type


@pytest.mark.parametrize("vif_type", ["whizbang_nvf", "vswitch9", "other", "ethernet", None])
def test_vector_f_other_vif_types_are_phy(vif_type):
    assert network_data([new_vif([new_subnet(4)], vif_type=vif_type)])["links"][0]["type"] == "phy"


def test_baremetal_vnic_is_phy_whatever_its_vif_type():
    vif = {**new_vif([new_subnet(4)], vif_type="ovs"), "vnic_type": "baremetal"}
    assert network_data([vif])["links"][0]["type"] == "phy"


def test_vector_g_enable_dhcp_without_server_keeps_mtu_and_devname():
    vif = new_vif([new_subnet(4, enable_dhcp=True), new_subnet(6, enable_dhcp=False)],
                  vif_type="ovs", devname="tapaaaaaaaa-bb")
    assert network_data([vif]) == {
        "links": [{"id": "tapaaaaaaaa-bb", "vif_id": VIF_ID, "type": "ovs", "mtu": 1500,
                   "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"}],
        "networks": [
            {"id": "network0", "type": "ipv4_dhcp", "link": "tapaaaaaaaa-bb",
             "network_id": NET_ID},
            {**STATIC6, "link": "tapaaaaaaaa-bb"},
        ],
        "services": DNS4 + DNS6,
    }


def test_a_subnet_without_addresses_gives_no_network_and_no_dns_but_the_link_stays():
    # Nova's get_network_metadata makes the link for a VIF with subnets; a network entry (and
    # its DNS in the top-level services) only for a first subnet that has an address.
    subnet = {**new_subnet(4), "ips": []}
    assert network_data([new_vif([subnet])]) == {
        "links": [{"id": "interface0", "vif_id": VIF_ID, "type": "phy", "mtu": 1500,
                   "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"}],
        "networks": [],
        "services": [],
    }


def test_only_the_first_subnet_per_version_is_used_even_without_an_address():
    # Nova's _get_first_network takes the first subnet of the version; when it has no
    # address there is no entry for that version, a later subnet is not tried.
    empty = {**new_subnet(4), "cidr": "10.9.0.0/24", "ips": []}
    result = network_data([new_vif([empty, new_subnet(4), new_subnet(6)])])
    assert result["networks"] == [{**STATIC6, "id": "network0"}]
    assert result["services"] == DNS6


def test_no_gateway_means_no_default_route():
    subnet = {**new_subnet(4), "gateway": ip(None, "gateway")}
    routes = network_data([new_vif([subnet])])["networks"][0]["routes"]
    assert routes == [{"network": "0.0.0.0", "netmask": "255.255.255.0",
                       "gateway": "192.168.1.1"}]


def test_top_level_dns_is_deduplicated_in_order_of_first_appearance():
    a = {**new_subnet(4), "dns": [ip("192.0.2.53"), ip("192.0.2.54")]}
    b = {**new_subnet(4), "dns": [ip("192.0.2.54"), ip("192.0.2.55")]}
    result = network_data([new_vif([a]), new_vif([b], address="aa:aa:aa:aa:aa:ab")])
    assert [s["address"] for s in result["services"]] == ["192.0.2.53", "192.0.2.54",
                                                         "192.0.2.55"]


# --- the corners where Nova's generator skips or collects differently -----------------------

A_ID, B_ID, C_ID = ("c0000000-0000-4000-8000-00000000000a", "c0000000-0000-4000-8000-00000000000b",
                    "c0000000-0000-4000-8000-00000000000c")
NET_B = "22222222-2222-2222-2222-222222222222"


def test_a_vif_without_subnets_gets_no_link_and_takes_no_number():
    # Nova's get_network_metadata (``if not vif['network'].get('subnets'): continue``
    # before ``ifc_num += 1``): the third VIF is interface1, its network network1.
    first = new_vif([new_subnet(4)], vif_id=A_ID)
    bare = new_vif([], address="aa:aa:aa:aa:aa:ab", net_id=NET_B, vif_id=B_ID)
    third = new_vif([new_subnet(6)], address="aa:aa:aa:aa:aa:ac", vif_id=C_ID)
    assert network_data([first, bare, third]) == {
        "links": [
            {"id": "interface0", "vif_id": A_ID, "type": "phy", "mtu": 1500,
             "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"},
            {"id": "interface1", "vif_id": C_ID, "type": "phy", "mtu": 1500,
             "ethernet_mac_address": "aa:aa:aa:aa:aa:ac"},
        ],
        "networks": [
            STATIC4,
            {"id": "network1", "type": "ipv6", "link": "interface1", "ip_address": "fd00::2",
             "netmask": "ffff:ffff:ffff::",
             "routes": [{"network": "::", "netmask": "::", "gateway": "fd00::1"},
                        {"network": "::", "netmask": "ffff:ffff:ffff::",
                         "gateway": "fd00::1:1"}],
             "network_id": NET_ID, "services": DNS6},
        ],
        "services": DNS4 + DNS6,
    }


def test_a_vif_without_a_network_is_skipped_too():
    # Nova's get_network_metadata: ``if not vif.get('network')`` is the same skip.
    vif = {**new_vif([]), "network": None}
    assert network_data([vif, new_vif([new_subnet(4)], vif_id=A_ID)])["links"] == [
        {"id": "interface0", "vif_id": A_ID, "type": "phy", "mtu": 1500,
         "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"}]


def test_vifs_none_of_which_has_a_subnet_give_three_empty_lists():
    # network_info is not empty, so Nova's get_network_metadata returns its three lists, empty.
    assert network_data([new_vif([]), new_vif([], vif_id=B_ID)]) == {
        "links": [], "networks": [], "services": []}


def test_no_vifs_at_all_is_an_empty_document():
    # Nova's get_network_metadata returns None for an empty network_info, and its
    # metadata_for_config_drive writes ``{}`` for network_data.json.
    assert network_data([]) == {}
    assert network_data([], {}) == {}


def test_top_level_dns_comes_only_from_the_subnets_that_made_a_network():
    # As in vector D: each VIF's first IPv4 and first IPv6 subnet; the DNS of a
    # second subnet of either version is not collected.
    second_v4 = {**new_subnet(4), "cidr": "10.20.0.0/24",
                 "dns": [ip("10.20.0.53", None, 4)], "ips": [fixed("10.20.0.2", 4)]}
    second_v6 = {**new_subnet(6), "cidr": "fd01::/48", "dns": [ip("fd01::53", None, 6)],
                 "ips": [fixed("fd01::2", 6)]}
    dhcp_v4 = new_subnet(4, dhcp_server="1.1.1.1")
    dhcp_v4["dns"] = [ip("10.30.0.53", None, 4)]
    vif = new_vif([new_subnet(4), second_v4, new_subnet(6), second_v6])
    dhcp = new_vif([dhcp_v4, {**second_v4, "dns": [ip("10.40.0.53", None, 4)]}],
                   address="aa:aa:aa:aa:aa:ab", net_id=NET_B, vif_id=B_ID)
    assert network_data([vif, dhcp]) == {
        "links": [
            {"id": "interface0", "vif_id": VIF_ID, "type": "phy", "mtu": 1500,
             "ethernet_mac_address": "aa:aa:aa:aa:aa:aa"},
            {"id": "interface1", "vif_id": B_ID, "type": "phy", "mtu": None,
             "ethernet_mac_address": "aa:aa:aa:aa:aa:ab"},
        ],
        "networks": [
            STATIC4, STATIC6,
            {"id": "network2", "type": "ipv4_dhcp", "link": "interface1", "network_id": NET_B},
        ],
        # A DHCP subnet made a network entry, so its DNS counts (without per-network
        # services); 10.20.0.53, fd01::53 and 10.40.0.53 are on second subnets.
        "services": [*DNS4, *DNS6, {"type": "dns", "address": "10.30.0.53"}],
    }


# Vector H: Nova's Ironic driver, a port group carrying the VIF.
H_VIF = "51a9642b-1414-4bd6-9a92-1320ddc55a63"
H_NET = "4587c867-a2e6-4356-8c5b-bc077dcb8620"
P1, P2 = "11111111-aaaa-bbbb-cccc-000000000001", "11111111-aaaa-bbbb-cccc-000000000002"


def h_network_info():
    v4 = {"cidr": "10.0.0.0/24",
          "dns": [ip("192.168.122.1", None, 4), ip("192.168.122.2", None, 4)],
          "gateway": ip("10.0.0.254", None, 4),
          "ips": [ip("10.0.0.73", None, 4), ip("10.0.0.74", None, 4)], "routes": [],
          "version": 4, "meta": {"dhcp_server": "192.168.122.253"}}
    v6 = {"cidr": "2001:b105:f00d::0/64", "dns": [], "gateway": ip("2001:b105:f00d::ff", None, 6),
          "ips": [ip("2001:b105:f00d::1"), ip("2001:b105:f00d::2"), ip("2001:b105:f00d::3")],
          "routes": [], "version": 6, "meta": {}}
    vif = new_vif([v4, v6], vif_type="ovs", address="de:ad:be:ef:ca:fe", net_id=H_NET,
                  vif_id=H_VIF)
    vif["network"]["meta"] = {"vlan": 100, "bridge_interface": "eth0", "injected": False}
    return [vif]


def h_port_group(mac):
    return PortGroupRecord(id="deaffeed-1234-5678-9012-fedcbafedcba", mode="active-backup",
                           mac=mac, properties={"bond_miimon": 100,
                                                "xmit_hash_policy": "layer3+4"},
                           ports=[PortRecord(P1, "00:00:00:00:00:01"),
                                  PortRecord(P2, "00:00:00:00:00:02")])


H_NETWORKS = [
    {"id": "network0", "type": "ipv4_dhcp", "link": "interface0", "network_id": H_NET},
    {"id": "network1", "type": "ipv6", "link": "interface0", "ip_address": "2001:b105:f00d::1",
     "netmask": "ffff:ffff:ffff:ffff::",
     "routes": [{"network": "::", "netmask": "::", "gateway": "2001:b105:f00d::ff"}],
     "network_id": H_NET, "services": []},
]


@pytest.mark.parametrize(("group_mac", "bond_mac"), [
    ("00:00:00:00:00:00", "00:00:00:00:00:00"),
    (None, "de:ad:be:ef:ca:fe"),  # no port-group MAC: the VIF's MAC stays
])
def test_vector_h_port_group_becomes_a_bond_with_member_links_last(group_mac, bond_mac):
    network_info = h_network_info()
    before = copy.deepcopy(network_info)
    result = network_data(network_info, {H_VIF: h_port_group(group_mac)})
    assert result == {
        "links": [
            {"id": "interface0", "vif_id": H_VIF, "type": "bond", "mtu": None,
             "ethernet_mac_address": bond_mac, "bond_mode": "active-backup",
             "bond_links": [P1, P2], "bond_miimon": 100, "bond_xmit_hash_policy": "layer3+4"},
            {"id": P1, "type": "phy", "ethernet_mac_address": "00:00:00:00:00:01"},
            {"id": P2, "type": "phy", "ethernet_mac_address": "00:00:00:00:00:02"},
        ],
        "networks": H_NETWORKS,
        "services": [{"type": "dns", "address": "192.168.122.1"},
                     {"type": "dns", "address": "192.168.122.2"}],
    }
    assert isinstance(result["links"][0]["bond_miimon"], int)
    ids = [link["id"] for link in result["links"]]
    assert len(ids) == len(set(ids))
    assert network_info == before  # the input is not modified


def test_vector_h_ports_only_is_phy_with_the_port_mac():
    port = PortRecord("9d1a37b5-1f4e-4d5b-9a0e-3c2b1a0f9e8d", "de:ad:be:ef:ca:fe")
    result = network_data(h_network_info(), {H_VIF: port})
    assert result["links"] == [{"id": "interface0", "vif_id": H_VIF, "type": "phy",
                                "mtu": None, "ethernet_mac_address": "de:ad:be:ef:ca:fe"}]


def test_member_links_follow_every_vif_link_in_vif_then_port_order():
    first = new_vif([new_subnet(4)], vif_id="a0000000-0000-4000-8000-000000000001")
    second = new_vif([new_subnet(4)], address="aa:aa:aa:aa:aa:ab",
                     vif_id="a0000000-0000-4000-8000-000000000002")
    third = new_vif([new_subnet(4)], address="aa:aa:aa:aa:aa:ac",
                    vif_id="a0000000-0000-4000-8000-000000000003")
    bond_a = PortGroupRecord("pg-a", "802.3ad", [PortRecord("p1", "52:54:00:00:00:01"),
                                                 PortRecord("p2", "52:54:00:00:00:02")])
    bond_b = PortGroupRecord("pg-b", "balance-rr", [PortRecord("p3", "52:54:00:00:00:03"),
                                                    PortRecord("p4", "52:54:00:00:00:04")])
    result = network_data([first, second, third],
                          {first["id"]: bond_a, third["id"]: bond_b})
    assert [(link["id"], link["type"]) for link in result["links"]] == [
        ("interface0", "bond"), ("interface1", "phy"), ("interface2", "bond"),
        ("p1", "phy"), ("p2", "phy"), ("p3", "phy"), ("p4", "phy")]
    assert [n["link"] for n in result["networks"]] == ["interface0", "interface1", "interface2"]
    assert "bond_miimon" not in result["links"][0]  # no properties, no options invented


def test_an_unknown_carrier_is_a_programming_error():
    vif = new_vif([new_subnet(4)])
    with pytest.raises(TypeError):
        network_data([vif], {VIF_ID: object()})


def test_a_carried_vif_without_subnets_gives_no_bond_and_no_member_links():
    # Nova's Ironic driver walks the links get_network_metadata made, so a VIF
    # that got none gets no bond link, no member phy links; a single port the same.
    bonded = new_vif([], vif_id=A_ID)
    single = new_vif([], address="aa:aa:aa:aa:aa:ab", vif_id=B_ID)
    network_info = [bonded, single, *h_network_info()]
    carriers = {A_ID: PortGroupRecord("pg-a", "802.3ad", [PortRecord("p1", "52:54:00:00:00:01"),
                                                          PortRecord("p2", "52:54:00:00:00:02")]),
                B_ID: PortRecord("p3", "52:54:00:00:00:03"),
                H_VIF: h_port_group(None)}
    assert network_data(network_info, carriers) == {
        "links": [
            {"id": "interface0", "vif_id": H_VIF, "type": "bond", "mtu": None,
             "ethernet_mac_address": "de:ad:be:ef:ca:fe", "bond_mode": "active-backup",
             "bond_links": [P1, P2], "bond_miimon": 100, "bond_xmit_hash_policy": "layer3+4"},
            {"id": P1, "type": "phy", "ethernet_mac_address": "00:00:00:00:00:01"},
            {"id": P2, "type": "phy", "ethernet_mac_address": "00:00:00:00:00:02"},
        ],
        "networks": H_NETWORKS,
        "services": [{"type": "dns", "address": "192.168.122.1"},
                     {"type": "dns", "address": "192.168.122.2"}],
    }


def test_bond_members_keep_the_order_they_are_listed_in_not_mac_order():
    # Nova's Ironic driver: bond_links and the member links in the order Ironic lists the ports
    # (creation order); here the later-created port has the lower MAC.
    late, early = PortRecord(P1, "00:00:00:00:00:01"), PortRecord(P2, "00:00:00:00:00:02")
    group = PortGroupRecord("pg", "802.3ad", [early, late])
    links = network_data(h_network_info(), {H_VIF: group})["links"]
    assert links[0]["bond_links"] == [P2, P1]
    assert links[1:] == [{"id": P2, "type": "phy", "ethernet_mac_address": "00:00:00:00:00:02"},
                         {"id": P1, "type": "phy", "ethernet_mac_address": "00:00:00:00:00:01"}]


def test_primary_is_the_one_exception_to_member_order():
    # The documented primary rule (network_data._primary_first): that member goes first.
    ports = [PortRecord(P1, "00:00:00:00:00:01"), PortRecord(P2, "00:00:00:00:00:02"),
             PortRecord("p3", "00:00:00:00:00:03")]
    group = PortGroupRecord("pg", "active-backup", ports, properties={"primary": P2})
    links = network_data(h_network_info(), {H_VIF: group})["links"]
    assert links[0]["bond_links"] == [P2, P1, "p3"]
    assert "bond_primary" not in links[0]
    assert [link["id"] for link in links[1:]] == [P2, P1, "p3"]
