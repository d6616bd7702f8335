"""Launches onto a node, one per bonding mode, judged by the guest tools we did not write:
Ironic's schema, cloud-init (netplan and ENI), netplan generate and glean."""

import pytest

from multinic_api.services import subnets
from tests.harness.baremetal_fixtures import build_node
from tests.unit.test_guest_validators import VALIDATORS, cloud_init_netplan, validate, verdicts

pytestmark = pytest.mark.guest_tools

# Each mode with the options an operator would give it (primary by a member's MAC).
MODES = {
    "balance-rr": {"miimon": 100, "updelay": 200, "downdelay": 200},
    "active-backup": {"miimon": 100, "primary": "MEMBER1"},
    "balance-xor": {"miimon": 100, "xmit_hash_policy": "layer2+3"},
    "broadcast": {"miimon": 100},
    "802.3ad": {"miimon": 100, "lacp_rate": "fast", "xmit_hash_policy": "layer3+4",
                "ad_select": "bandwidth"},
    "balance-tlb": {"miimon": 100, "xmit_hash_policy": "layer2", "primary": "MEMBER1"},
    "balance-alb": {"miimon": 100},
}
# netplan's names for what the kernel calls them (cloud-init's netplan renderer).
NETPLAN = {"miimon": "mii-monitor-interval", "updelay": "up-delay",
           "downdelay": "down-delay", "xmit_hash_policy": "transmit-hash-policy",
           "lacp_rate": "lacp-rate", "ad_select": "ad-select"}


@pytest.fixture
def site(cloud):
    cloud.phys = subnets.create_network(cloud.project_a, "phys", physical_network="physnet1",
                                        mtu=9000)
    subnets.create_subnet(cloud.phys, "10.6.0.0/24", name="phys-v4", enable_dhcp=False,
                          dns_nameservers=["10.6.0.2"],
                          host_routes=[{"destination": "10.60.0.0/16", "nexthop": "10.6.0.254"}])
    subnets.create_subnet(cloud.phys, "2001:db8:6::/64", name="phys-v6",
                          ipv6_address_mode="slaac")
    cloud.node = build_node("guest-node", cloud.project_a, [("physnet1", True)] * 5)
    return cloud


def launch(site, nics):
    response = site.a.post("/api/instances/", {"name": "guest", "node": "guest-node",
                                               "nics": nics, "config_drive": True},
                           format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    data = site.a.get(f"/api/instances/{body['uuid']}/config_drive/openstack/latest/"
                      "network_data.json").json()
    return body, data


@pytest.mark.parametrize("mode", list(MODES))
def test_each_bonding_mode_comes_up_in_the_guest(site, guest_tools, tmp_path, mode):
    members = site.node.ports[:2]
    properties = {k: (members[1].mac if v == "MEMBER1" else v)
                  for k, v in MODES[mode].items()}
    instance, data = launch(site, [{"network_id": str(site.phys.id), "bond": {
        "ports": [str(p.pk) for p in members], "mode": mode, "properties": properties}}])

    bond = data["links"][0]
    assert bond["type"] == "bond" and bond["bond_mode"] == mode
    if "primary" in properties:
        assert bond["bond_links"][0] == str(members[1].pk)
        assert any("listed first in bond_links" in w for w in instance["warnings"])
    assert "bond_primary" not in bond

    result = validate(guest_tools, data, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert verdicts(result.stdout) == dict.fromkeys(VALIDATORS, True), result.stdout

    # What Debian's cloud-init makes of it: one bond over both ports, with the options.
    netplan = cloud_init_netplan(tmp_path)
    rendered = netplan["bonds"]["bond0"]
    assert rendered["parameters"]["mode"] == mode
    assert {netplan["ethernets"][name]["match"]["macaddress"]
            for name in rendered["interfaces"]} == {p.mac for p in members}
    assert rendered["macaddress"] == instance["interfaces"][0]["mac"]
    assert rendered["mtu"] == 9000
    for option, value in properties.items():
        if option in NETPLAN:
            assert rendered["parameters"][NETPLAN[option]] == value


def test_two_bonds_and_a_single_port_on_one_node(site, guest_tools, tmp_path):
    ports = site.node.ports
    _, data = launch(site, [
        {"network_id": str(site.phys.id), "bond": {"ports": [str(ports[0].pk),
                                                             str(ports[1].pk)],
                                                   "mode": "802.3ad",
                                                   "properties": {"miimon": 100}}},
        {"network_id": str(site.phys.id), "port": str(ports[4].pk)},
        {"network_id": str(site.phys.id), "bond": {"ports": [str(ports[2].pk),
                                                             str(ports[3].pk)]}},
    ])
    assert [link["type"] for link in data["links"]] == ["bond", "phy", "bond"] + ["phy"] * 4
    result = validate(guest_tools, data, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    netplan = cloud_init_netplan(tmp_path)
    assert sorted(netplan["bonds"]) == ["bond0", "bond1"]
    assert netplan["bonds"]["bond1"]["parameters"]["mode"] == "active-backup"


def test_arp_monitoring_is_refused_only_by_netplan_after_cloud_init(site, guest_tools, tmp_path):
    """cloud-init (22.4.2, and HEAD's NET_CONFIG_TO_V2) renders bond-arp-ip-target as netplan
    key 'arp-ip-target'; netplan knows only 'arp-ip-targets'. Every other consumer accepts
    the document, and the launch warns. If cloud-init is fixed, this fails: make ARP
    monitoring one of the cases above."""
    members = site.node.ports[:2]
    instance, data = launch(site, [{"network_id": str(site.phys.id), "bond": {
        "ports": [str(p.pk) for p in members], "mode": "balance-xor",
        "properties": {"arp_interval": 1000, "arp_ip_target": ["10.6.0.1", "10.6.0.2"]}}}])
    assert data["links"][0]["bond_arp_ip_target"] == ["10.6.0.1", "10.6.0.2"]
    assert data["links"][0]["bond_arp_interval"] == 1000
    assert any("'arp-ip-target', a key netplan refuses" in w for w in instance["warnings"])
    result = validate(guest_tools, data, tmp_path)
    assert result.returncode != 0
    assert verdicts(result.stdout) == {name: name != "netplan generate" for name in VALIDATORS}
    assert "unknown key 'arp-ip-target'" in result.stdout + result.stderr
