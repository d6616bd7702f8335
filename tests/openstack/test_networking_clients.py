"""The real clients, unchanged, against the networking face of a live server on 127.0.0.1:
the openstack CLI's network, subnet and port commands (and a server made on a port made
before it), and openstacksdk's ``conn.network``. What they show must be what the database
holds, NICs in order."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from multinic_api.models import VIF, Instance, Network, Subnet
from tests.harness.api_fixtures import Cloud

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(live_server):
    cloud = Cloud()
    cloud.auth_url = f"{live_server.url}/identity/v3"
    return cloud


def _run(live, *args, user="root", password="pw-root", project="admin"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"OS_AUTH_URL": live.auth_url, "OS_PROJECT_NAME": project,
                "OS_PROJECT_DOMAIN_NAME": "Default", "OS_IDENTITY_API_VERSION": "3",
                "OS_REGION_NAME": "RegionOne", "OS_USERNAME": user, "OS_PASSWORD": password,
                "OS_USER_DOMAIN_NAME": "Default"})
    command = [str(Path(sys.executable).parent / "openstack"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def _cli(live, *args, **who):
    result = _run(live, *args, **who)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if "json" in args else result.stdout


def _db_nics(server_id):
    """[(port id, mac, [addresses])] in NIC order, from the database."""
    return [(str(v.uuid), v.mac, sorted(v.fixed_ips.values_list("address", flat=True)))
            for v in VIF.objects.filter(instance_id=server_id).order_by("position")]


def test_openstack_cli_networks_subnets_ports_and_a_server_on_a_port(live):
    network = _cli(live, "network", "create", "--provider-physical-network", "physnet1",
                   "--mtu", "9000", "-f", "json", "jumbo")
    stored = Network.objects.get(pk=network["id"])
    assert (stored.physical_network, stored.mtu, stored.project_id) == (
        "physnet1", 9000, live.admin_project.pk)
    assert network["provider:physical_network"] == "physnet1"
    assert network["mtu"] == 9000

    subnet = _cli(live, "subnet", "create", "--network", "jumbo",
                  "--subnet-range", "10.9.0.0/24",
                  "--allocation-pool", "start=10.9.0.10,end=10.9.0.20",
                  "--dns-nameserver", "10.9.0.2",
                  "--host-route", "destination=192.168.7.0/24,gateway=10.9.0.254",
                  "-f", "json", "jumbo-v4")
    stored = Subnet.objects.get(pk=subnet["id"])
    assert str(stored.network_id) == network["id"] and stored.cidr == "10.9.0.0/24"
    assert [(p.start, p.end) for p in stored.allocation_pools.all()] == [
        ("10.9.0.10", "10.9.0.20")]
    assert stored.dns_nameservers == ["10.9.0.2"]
    assert stored.host_routes == [{"destination": "192.168.7.0/24", "nexthop": "10.9.0.254"}]
    assert stored.gateway_ip == "10.9.0.1"

    listed = _cli(live, "network", "list", "-f", "json")
    assert {n["Name"] for n in listed} == {"jumbo", "net-a", "net-b", "shared"}
    assert next(n for n in listed if n["Name"] == "jumbo")["Subnets"] == [subnet["id"]]

    port = _cli(live, "port", "create", "--network", "jumbo", "-f", "json", "early")
    early = VIF.objects.get(pk=port["id"])
    assert early.instance_id is None and early.position is None
    assert port["mac_address"] == early.mac
    assert [ip["ip_address"] for ip in port["fixed_ips"]] == ["10.9.0.10"]
    assert port["status"] == "DOWN" and port["device_id"] == ""

    server = _cli(live, "server", "create", "--image", "cirros-0.6.3-x86_64-disk",
                  "--flavor", "m1.tiny", "--nic", f"net-id={live.shared.id}",
                  "--port", port["id"], "-f", "json", "on-a-port")
    nics = _db_nics(server["id"])
    assert [n[0] for n in nics[1:]] == [port["id"]]  # the port is eth1, unchanged
    assert nics[1][1:] == (early.mac, ["10.9.0.10"])
    ports = _cli(live, "port", "list", "--server", server["id"], "-f", "json")
    assert [(p["ID"], p["MAC Address"]) for p in ports] == [(n[0], n[1]) for n in nics]
    assert [sorted(ip["ip_address"] for ip in p["Fixed IP Addresses"]) for p in ports] == [
        n[2] for n in nics]

    refused = _run(live, "subnet", "delete", "jumbo-v4")
    assert refused.returncode != 0
    assert "One or more ports have an IP allocation from this subnet" in refused.stderr
    assert Subnet.objects.filter(pk=subnet["id"]).exists()

    # Detached and attached again (os-interface with port_id): back, as the last NIC.
    _cli(live, "server", "remove", "port", server["id"], port["id"])
    assert VIF.objects.get(pk=port["id"]).instance_id is None
    _cli(live, "server", "add", "port", server["id"], port["id"])
    assert _db_nics(server["id"])[-1] == (port["id"], early.mac, ["10.9.0.10"])

    # Deleting the server leaves the port it did not make, with its MAC and address.
    _cli(live, "server", "delete", "--wait", "on-a-port")
    assert not Instance.objects.exists()
    kept = VIF.objects.get(pk=port["id"])
    assert (kept.instance_id, kept.mac) == (None, early.mac)
    assert list(kept.fixed_ips.values_list("address", flat=True)) == ["10.9.0.10"]

    _cli(live, "port", "delete", port["id"])
    assert not VIF.objects.exists()
    _cli(live, "subnet", "delete", "jumbo-v4")
    _cli(live, "network", "delete", "jumbo")
    assert not Network.objects.filter(name="jumbo").exists()


def test_openstacksdk_network_subnet_port_and_a_server_on_the_port(live):
    import openstack
    from openstack import exceptions

    conn = openstack.connect(auth_url=live.auth_url, username="alice", password="pw-alice",
                             project_name="project-a", user_domain_name="Default",
                             project_domain_name="Default", region_name="RegionOne",
                             load_yaml_config=False, load_envvars=False)
    network = conn.network.create_network(name="sdk-net", mtu=1450)
    assert Network.objects.get(pk=network.id).mtu == 1450
    subnet = conn.network.create_subnet(
        network_id=network.id, ip_version=4, cidr="10.8.0.0/28", name="sdk-v4",
        allocation_pools=[{"start": "10.8.0.4", "end": "10.8.0.6"}],
        dns_nameservers=["10.8.0.2"])
    assert Subnet.objects.get(pk=subnet.id).dns_nameservers == ["10.8.0.2"]
    assert conn.network.find_network("sdk-net").id == network.id
    assert [s.id for s in conn.network.subnets(network_id=network.id)] == [subnet.id]

    port = conn.network.create_port(network_id=network.id, name="sdk-port")
    assert [ip["ip_address"] for ip in port.fixed_ips] == ["10.8.0.4"]
    assert port.mac_address == VIF.objects.get(pk=port.id).mac
    port = conn.network.update_port(port, description="kept for the server")
    assert VIF.objects.get(pk=port.id).description == "kept for the server"

    server = conn.compute.create_server(
        name="sdk-vm", image_id="6f1b1e4e-5b5b-4d5e-9a3c-0c1a2b3c4d01", flavor_id="1",
        networks=[{"uuid": network.id}, {"port": port.id}])
    nics = _db_nics(server.id)
    assert nics[1][0] == port.id
    listed = list(conn.network.ports(device_id=server.id))
    assert [(p.id, p.mac_address) for p in listed] == [(n[0], n[1]) for n in nics]
    assert [sorted(ip["ip_address"] for ip in p.fixed_ips) for p in listed] == [
        n[2] for n in nics]
    assert listed[1].device_owner == "compute:nova"

    # Paged as openstacksdk pages: one request per page, every port once.
    extra = [conn.network.create_port(network_id=live.net_a.id) for _ in range(3)]
    paged = [p.id for p in conn.network.ports(limit=2)]
    assert sorted(paged) == sorted([n[0] for n in nics] + [p.id for p in extra])

    with pytest.raises(exceptions.ConflictException) as in_use:
        conn.network.delete_subnet(subnet)
    assert "One or more ports have an IP allocation" in str(in_use.value)
    conn.compute.delete_server(server)
    assert VIF.objects.get(pk=port.id).instance_id is None
    conn.network.delete_port(port)
    for other in extra:
        conn.network.delete_port(other)
    conn.network.delete_subnet(subnet)
    conn.network.delete_network(network)
    assert not VIF.objects.exists()
    assert not Network.objects.filter(pk=network.id).exists()
    with pytest.raises(exceptions.NotFoundException):
        conn.network.get_network(network.id)
