"""A real guest boots from the config drive our API hands out, and comes up with every NIC,
bond, route, name server, hostname and key as asked.

Two boots, at once: a VM with four NICs (two on one network, one with MTU 9000, IPv4 with a
host route, IPv6 static) and a bare-metal node with an 802.3ad bond, a single port and an
active-backup bond. Everything is made through /api/ as its users would (an administrator
enrols the node and its networks, a tenant signs in for a token, imports a key, launches and
downloads each config drive ISO); Debian 12's cloud-init, ifupdown and kernel in qemu decide
what that means (tests/harness/guest_boot.py). When they disagree with us, they are right.
"""

import pytest
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from tests.harness.api_fixtures import Cloud
from tests.harness.guest_boot import (
    addresses,
    bond_by_members,
    boot,
    interface_by_mac,
    link_named,
    nameservers,
    routes,
)

# django_db: pytest-django sets up the test database only when a collected test asks for it;
# the cases are made in the module's fixture, inside a transaction it rolls back.
pytestmark = [pytest.mark.guest_boot, pytest.mark.django_db]

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINuJ3BVC8nBij7FTXmGAierxionoMhbsp45jTHP9dqsg "
       "alice@laptop")


def signed_in(username: str, password: str) -> APIClient:
    """A client holding the API token its user signs in for (POST /api/auth/token/)."""
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": username, "password": password},
                           format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def post(client: APIClient, path: str, body: dict) -> dict:
    response = client.post(path, body, format="json")
    assert response.status_code == 201, (path, response.status_code, response.content)
    return response.json()


def network(client: APIClient, name: str, subnets: list[dict], **fields) -> str:
    made = post(client, "/api/networks/", {"name": name, **fields})
    for subnet in subnets:
        post(client, "/api/subnets/", {"network_id": made["id"], "enable_dhcp": False,
                                       **subnet})
    return made["id"]


def vm_case(alice: APIClient) -> dict:
    """A tenant's VM: eth0 and eth1 on one network (IPv4, a gateway and a host route), eth2
    on a network with MTU 9000, eth3 on an IPv6-only network with static addresses."""
    lan = network(alice, "lan", [{
        "cidr": "10.10.0.0/24", "gateway_ip": "10.10.0.1", "dns_nameservers": ["10.10.0.53"],
        "host_routes": [{"destination": "172.16.0.0/16", "nexthop": "10.10.0.254"}]}])
    jumbo = network(alice, "jumbo", [{"cidr": "10.20.0.0/24", "gateway_ip": None}], mtu=9000)
    v6 = network(alice, "v6", [{"cidr": "2001:db8:30::/64", "gateway_ip": "2001:db8:30::1",
                                "dns_nameservers": ["2001:db8:30::53"]}])
    instance = post(alice, "/api/instances/", {
        "name": "boot-vm", "hostname": "boot-vm", "key_name": "laptop", "config_drive": True,
        "nics": [{"network_id": lan, "fixed_ips": ["10.10.0.10"]},
                 {"network_id": lan},
                 {"network_id": jumbo, "fixed_ips": ["10.20.0.20"]},
                 {"network_id": v6, "fixed_ips": ["2001:db8:30::30"]}]})
    return {"instance": instance, "macs": [nic["mac"] for nic in instance["interfaces"]]}


def metal_case(admin: APIClient, alice: APIClient, project_id: str) -> dict:
    """A node enrolled by an administrator with five ports: the first two in an 802.3ad port
    group (Ironic's way: made before the launch, with the first port's MAC), the third alone,
    the last two bonded active-backup by the tenant's launch."""
    def physnet(name, subnets, **fields):
        return network(admin, name, subnets, project_id=project_id,
                       physical_network="physnet1", **fields)

    provision = physnet("provision", [{"cidr": "10.30.0.0/24", "gateway_ip": "10.30.0.1",
                                       "dns_nameservers": ["10.30.0.53"]}], mtu=9000)
    mgmt = physnet("mgmt", [{"cidr": "10.40.0.0/24", "gateway_ip": None}])
    storage = physnet("storage", [{"cidr": "10.50.0.0/24", "gateway_ip": None}])
    node = post(admin, "/api/nodes/", {"name": "metal-1", "project_id": project_id})
    ports = [post(admin, "/api/ports/", {"node_uuid": node["uuid"], "physical_network":
                                         "physnet1", "mac": f"52:54:00:17:02:0{n}"})
             for n in range(1, 6)]
    post(admin, "/api/portgroups/", {
        "node_uuid": node["uuid"], "name": "bond-lacp", "mac": ports[0]["mac"],
        "mode": "802.3ad", "ports": [ports[0]["uuid"], ports[1]["uuid"]],
        "properties": {"miimon": 100, "lacp_rate": "fast", "xmit_hash_policy": "layer3+4"}})
    instance = post(alice, "/api/instances/", {
        "name": "boot-metal", "node": "metal-1", "key_name": "laptop", "config_drive": True,
        "nics": [{"network_id": provision, "bond": {"port_group": "bond-lacp"},
                  "fixed_ips": ["10.30.0.30"]},
                 {"network_id": mgmt, "port": ports[2]["uuid"], "fixed_ips": ["10.40.0.40"]},
                 {"network_id": storage, "fixed_ips": ["10.50.0.50"], "bond": {
                     "ports": [ports[3]["uuid"], ports[4]["uuid"]], "mode": "active-backup",
                     "properties": {"miimon": 100, "updelay": 200, "downdelay": 300}}}]})
    # Each port a NIC of the machine, in the order they were enrolled.
    return {"instance": instance, "macs": [port["mac"] for port in ports]}


@pytest.fixture(scope="module")
def guests(django_db_setup, django_db_blocker, guest_image, tmp_path_factory):
    """Both cases made through the API and their ISOs downloaded, in a transaction rolled back
    (the rest of the suite sees none of it); then both guests booted at once."""
    cases = {}
    with (django_db_blocker.unblock(), transaction.atomic(),
          override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])):
        cloud = Cloud()
        admin, alice = signed_in("root", "pw-root"), signed_in("alice", "pw-alice")
        post(alice, "/api/keypairs/", {"name": "laptop", "public_key": KEY})
        cases["vm"] = vm_case(alice)
        cases["metal"] = metal_case(admin, alice, str(cloud.project_a.pk))
        for case in cases.values():
            response = alice.get(f"/api/instances/{case['instance']['uuid']}/config_drive.iso")
            assert response.status_code == 200, response.content
            case["iso"] = response.content
        transaction.set_rollback(True)
    workdir = tmp_path_factory.mktemp("guests")
    running = {name: boot(guest_image, name, case["iso"], case["macs"], workdir)
               for name, case in cases.items()}
    try:
        for name, guest in running.items():
            guest.wait()
            print(f"{name}: qemu ran {guest.seconds:.0f} s")
            cases[name]["boot"] = guest
    finally:
        for guest in running.values():
            if guest.process.poll() is None:
                guest.stop()
    return cases


@pytest.fixture(scope="module")
def vm(guests):
    return guests["vm"] | {"report": guests["vm"]["boot"].report()}


@pytest.fixture(scope="module")
def metal(guests):
    return guests["metal"] | {"report": guests["metal"]["boot"].report()}


# --- the VM ---------------------------------------------------------------------------------

def test_vm_nics_have_the_addresses_prefixes_and_mtus_we_gave(vm):
    report, macs = vm["report"], vm["macs"]
    # eth1's addresses are the API's choice: the first free after the gateway.
    assert [fixed["ip_address"] for fixed in vm["instance"]["interfaces"][1]["fixed_ips"]] \
        == ["10.10.0.2"]
    expected = [(["10.10.0.10/24"], 1500), (["10.10.0.2/24"], 1500), (["10.20.0.20/24"], 9000),
                (["2001:db8:30::30/64"], 1500)]
    seen = [(addresses(link), link["mtu"])
            for link in (interface_by_mac(report, mac) for mac in macs)]
    assert seen == expected, vm["boot"].tail()


def test_vm_default_and_host_routes(vm):
    report = vm["report"]
    eth0, eth1, eth2, eth3 = (interface_by_mac(report, mac)["ifname"] for mac in vm["macs"])
    assert routes(report, 4, eth0) == [("172.16.0.0/16", "10.10.0.254"),
                                       ("default", "10.10.0.1")], report["route4"]
    # eth1 is on the same network: its routes are eth0's, which the kernel already has.
    assert routes(report, 4, eth1) == [], report["route4"]
    assert routes(report, 4, eth2) == [], report["route4"]
    assert routes(report, 6, eth3) == [("default", "2001:db8:30::1")], report["route6"]


def test_vm_dns_hostname_and_key(vm):
    report = vm["report"]
    assert nameservers(report) == ["10.10.0.53", "2001:db8:30::53"], report["resolv_conf"]
    assert report["hostname"] == "boot-vm"
    # Debian's cloud.cfg: the key is the default user's ("debian"); root's refuses logins.
    assert report["authorized_keys"]["/home/debian/.ssh/authorized_keys"] == KEY + "\n"


# --- the bare-metal node --------------------------------------------------------------------

def test_metal_lacp_bond_has_its_mode_options_members_and_address(metal):
    report, macs = metal["report"], metal["macs"]
    name, bond = bond_by_members(report, {macs[0], macs[1]})
    assert bond["Bonding Mode"] == "IEEE 802.3ad Dynamic link aggregation"
    assert bond["Transmit Hash Policy"] == "layer3+4 (1)"
    assert bond["LACP rate"] == "fast"
    assert bond["MII Polling Interval (ms)"] == "100"
    assert [member["MII Status"] for member in bond["members"]] == ["up", "up"]
    link = link_named(report, name)
    # The port group's MAC (its first port's), the network's MTU, our address.
    assert (link["address"], link["mtu"], addresses(link)) \
        == (macs[0], 9000, ["10.30.0.30/24"])
    for member in bond["members"]:
        assert link_named(report, member["Slave Interface"])["mtu"] == 9000
    assert routes(report, 4, name) == [("default", "10.30.0.1")], report["route4"]


def test_metal_single_port(metal):
    report, macs = metal["report"], metal["macs"]
    link = interface_by_mac(report, macs[2])
    assert (addresses(link), link["mtu"]) == (["10.40.0.40/24"], 1500)
    assert routes(report, 4, link["ifname"]) == []


def test_metal_active_backup_bond_has_its_mode_options_members_and_address(metal):
    report, macs = metal["report"], metal["macs"]
    name, bond = bond_by_members(report, {macs[3], macs[4]})
    assert bond["Bonding Mode"] == "fault-tolerance (active-backup)"
    assert bond["MII Polling Interval (ms)"] == "100"
    assert bond["Up Delay (ms)"] == "200"
    assert bond["Down Delay (ms)"] == "300"
    assert "Transmit Hash Policy" not in bond and "LACP rate" not in bond
    link = link_named(report, name)
    bonded = next(nic for nic in metal["instance"]["interfaces"] if nic["position"] == 2)
    assert (link["address"], link["mtu"], addresses(link)) \
        == (bonded["mac"], 1500, ["10.50.0.50/24"])
    assert routes(report, 4, name) == []


def test_metal_dns_hostname_and_key(metal):
    report = metal["report"]
    assert nameservers(report) == ["10.30.0.53"], report["resolv_conf"]
    assert report["hostname"] == "boot-metal"
    assert report["authorized_keys"]["/home/debian/.ssh/authorized_keys"] == KEY + "\n"
