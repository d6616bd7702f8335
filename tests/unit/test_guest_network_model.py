"""network_info in Nova's model shape and nova-network's legacy pairs, from plain records."""

from multinic_api.guest.network_model import (
    bridge_name,
    devname,
    legacy_network_info,
    network_info,
)
from multinic_api.guest.records import NetworkRecord, SubnetRecord, VifRecord

NET = NetworkRecord(id="7d3c2b1a-0f9e-4d8c-b7a6-95f4e3d2c1b0", name="private",
                    project_id="5f0e6c1b2a3d4e5f6a7b8c9d0e1f2a3b", mtu=1450,
                    physical_network="physnet1")
V4 = SubnetRecord(id="s4", cidr="10.0.0.0/24", ip_version=4, gateway_ip="10.0.0.1",
                  enable_dhcp=True, dhcp_server="10.0.0.2", dns_nameservers=("10.0.0.53",),
                  host_routes=({"destination": "172.16.0.0/12", "nexthop": "10.0.0.254"},))
V6 = SubnetRecord(id="s6", cidr="2001:db8:1::/64", ip_version=6, gateway_ip=None,
                  enable_dhcp=True, ipv6_address_mode="slaac")
VIF = VifRecord(id="c2a9e0f4-8b7d-4c6e-a5f3-1d2e3f4a5b6c", mac="fa:16:3e:12:34:56", network=NET,
                fixed_ips=((V4, "10.0.0.7"), (V6, "2001:db8:1::f816:3eff:fe12:3456")),
                tag="mgmt")


def gw(address, version):
    return {"address": address, "type": "gateway", "version": version, "meta": {}}


def test_devname_and_bridge_are_cut_to_fourteen_characters():
    assert devname(VIF.id) == "tapc2a9e0f4-8b"
    assert bridge_name(NET.id) == "brq7d3c2b1a-0f"


def test_one_vif_in_nova_s_model_shape():
    [vif] = network_info([VIF])
    assert list(vif) == ["id", "address", "network", "type", "details", "devname",
                         "ovs_interfaceid", "qbh_params", "qbg_params", "active", "vnic_type",
                         "profile", "preserve_on_delete", "delegate_create", "meta"]
    assert vif["id"] == VIF.id and vif["address"] == "fa:16:3e:12:34:56"
    assert (vif["type"], vif["vnic_type"], vif["devname"]) == ("bridge", "normal",
                                                                "tapc2a9e0f4-8b")
    # Neutron's linuxbridge driver names no bridge in the details: Nova derives it (below).
    assert vif["details"] == {"port_filter": False, "connectivity": "l2"}
    assert vif["ovs_interfaceid"] is None
    network = vif["network"]
    assert (network["id"], network["label"], network["bridge"]) == (NET.id, "private",
                                                                    "brq7d3c2b1a-0f")
    assert network["meta"] == {"injected": False, "tenant_id": NET.project_id, "mtu": 1450,
                               "physical_network": "physnet1", "tunneled": False,
                               "should_create_bridge": True}
    v4, v6 = network["subnets"]
    assert v4 == {
        "cidr": "10.0.0.0/24",
        "dns": [{"address": "10.0.0.53", "type": "dns", "version": 4, "meta": {}}],
        "gateway": gw("10.0.0.1", 4),
        "ips": [{"address": "10.0.0.7", "type": "fixed", "version": 4, "meta": {},
                 "floating_ips": []}],
        "routes": [{"cidr": "172.16.0.0/12", "gateway": gw("10.0.0.254", 4),
                    "interface": None, "meta": {}}],
        "version": 4,
        "meta": {"enable_dhcp": True, "dhcp_server": "10.0.0.2"},
    }
    assert v6["gateway"] == {"address": None, "type": "gateway", "version": None, "meta": {}}
    assert v6["meta"] == {"enable_dhcp": True, "ipv6_address_mode": "slaac"}
    assert v6["ips"][0]["address"] == "2001:db8:1::f816:3eff:fe12:3456"


def test_order_is_nic_order_and_the_same_network_may_appear_twice():
    second = VifRecord(id="0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", mac="fa:16:3e:00:00:02",
                       network=NET, fixed_ips=((V4, "10.0.0.8"),), vif_type="ovs",
                       vnic_type="baremetal", binding_profile={"local_link_information": []})
    result = network_info([VIF, second])
    assert [v["id"] for v in result] == [VIF.id, second.id]
    assert result[1]["network"]["subnets"][0]["ips"][0]["address"] == "10.0.0.8"
    assert result[1]["ovs_interfaceid"] == second.id
    assert result[1]["details"]["bridge_name"] == "br-int"
    assert result[1]["vnic_type"] == "baremetal"
    assert result[1]["profile"] == {"local_link_information": []}


def test_several_addresses_on_one_subnet_group_under_it():
    vif = VifRecord(id=VIF.id, mac=VIF.mac, network=NET,
                    fixed_ips=((V4, "10.0.0.7"), (V4, "10.0.0.9")))
    [subnet] = network_info([vif])[0]["network"]["subnets"]
    assert [i["address"] for i in subnet["ips"]] == ["10.0.0.7", "10.0.0.9"]


def test_legacy_pairs():
    [[network, info]] = legacy_network_info([VIF])
    assert network == {"id": NET.id, "bridge": "brq7d3c2b1a-0f", "bridge_interface": None,
                       "cidr": "10.0.0.0/24", "cidr_v6": "2001:db8:1::/64", "injected": False,
                       "multi_host": False, "vlan": None, "mtu": 1450,
                       "project_id": NET.project_id}
    assert info == {
        "label": "private", "gateway": "10.0.0.1", "dhcp_server": "10.0.0.2",
        "broadcast": "10.0.0.255", "mac": "fa:16:3e:12:34:56", "vif_uuid": VIF.id,
        "rxtx_cap": 0, "dns": ["10.0.0.53"],
        "ips": [{"ip": "10.0.0.7", "netmask": "255.255.255.0", "enabled": "1"}],
        "should_create_bridge": True, "should_create_vlan": False,
        "ip6s": [{"ip": "2001:db8:1::f816:3eff:fe12:3456", "netmask": "64", "enabled": "1"}],
        "gateway6": None,
    }


def test_legacy_without_ipv6_has_no_ip6s_and_point_to_point_has_no_broadcast():
    p2p = SubnetRecord(id="p", cidr="192.0.2.0/31", ip_version=4)
    vif = VifRecord(id=VIF.id, mac=VIF.mac, network=NET, fixed_ips=((p2p, "192.0.2.1"),))
    [[network, info]] = legacy_network_info([vif])
    assert "ip6s" not in info and "gateway6" not in info
    assert info["broadcast"] is None and network["cidr_v6"] is None
    assert info["ips"] == [{"ip": "192.0.2.1", "netmask": "255.255.255.254", "enabled": "1"}]
