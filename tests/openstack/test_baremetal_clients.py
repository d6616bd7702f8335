"""The real bare-metal clients, unchanged, against a live server on 127.0.0.1: the openstack
CLI's ``baremetal`` commands (python-ironicclient's plugin, which negotiates its version down
to ours after a 406) and openstacksdk's ``conn.baremetal``. A node, its ports and an 802.3ad
port group made with them carry a server launched with ``--availability-zone nova::NODE``,
and the guest's network_data.json shows the bond: its mode, its options and its members in
the order the clients list them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from multinic_api.models import VIF, Node, PortGroup
from tests.harness.api_fixtures import Cloud

pytestmark = pytest.mark.django_db(transaction=True)
IMAGE = "6f1b1e4e-5b5b-4d5e-9a3c-0c1a2b3c4d01"
SWITCH = "00:11:22:33:44:55"


@pytest.fixture
def live(live_server):
    cloud = Cloud()
    cloud.auth_url = f"{live_server.url}/identity/v3"
    return cloud


def _run_cli(live, *args):
    """The openstack CLI as root, an administrator (project admin)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"OS_AUTH_URL": live.auth_url, "OS_USERNAME": "root", "OS_PASSWORD": "pw-root",
                "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_NAME": "Default",
                "OS_PROJECT_DOMAIN_NAME": "Default", "OS_IDENTITY_API_VERSION": "3",
                "OS_REGION_NAME": "RegionOne",
                # ironicclient keeps negotiated versions per host and port in this cache.
                "XDG_CACHE_HOME": str(Path(os.environ.get("TMPDIR", "/tmp")) / "ironic-cache")})
    command = [str(Path(sys.executable).parent / "openstack"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def _cli(live, *args):
    result = _run_cli(live, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if "json" in args else result.stdout


def _network_data(server_id) -> dict:
    client = APIClient()
    client.force_authenticate(_root())
    response = client.get(f"/api/instances/{server_id}/config_drive/openstack/latest/"
                          "network_data.json")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def _root():
    from django.contrib.auth import get_user_model
    return get_user_model().objects.get(username="root")


def _bond_of(network_data: dict) -> tuple[dict, list[str]]:
    """The one bond link, and its member links' ids in the order they are listed."""
    bonds = [link for link in network_data["links"] if link["type"] == "bond"]
    assert len(bonds) == 1, network_data["links"]
    members = [link["id"] for link in network_data["links"] if link["type"] == "phy"]
    return bonds[0], members


def test_openstack_baremetal_cli(live):
    node = _cli(live, "baremetal", "node", "create", "--driver", "ipmi", "--name", "bm-cli",
                "--property", "cpus=8", "--owner", "project-a", "-f", "json")
    assert (node["name"], node["driver"], node["properties"], node["owner"]) == (
        "bm-cli", "ipmi", {"cpus": 8}, live.project_a.pk)
    _cli(live, "baremetal", "node", "set", "bm-cli", "--property", "memory_mb=4096")
    shown = _cli(live, "baremetal", "node", "show", "bm-cli", "-f", "json")
    assert shown["properties"] == {"cpus": 8, "memory_mb": 4096}
    group = _cli(live, "baremetal", "port", "group", "create", "--node", node["uuid"],
                 "--name", "bond0", "--mode", "802.3ad", "--property", "miimon=100",
                 "--property", "xmit_hash_policy=layer3+4", "-f", "json")
    assert (group["mode"], group["properties"]) == (
        "802.3ad", {"miimon": 100, "xmit_hash_policy": "layer3+4"})
    ports = [_cli(live, "baremetal", "port", "create", mac, "--node", node["uuid"],
                  "--physical-network", "physnet1", "--port-group", group["uuid"],
                  "--local-link-connection", f"switch_id={SWITCH}",
                  "--local-link-connection", f"port_id=Ethernet1/{n}", "-f", "json")
             for n, mac in enumerate(["52:54:00:cc:00:09", "52:54:00:cc:00:01"], start=1)]
    assert ports[0]["physical_network"] == "physnet1"
    assert ports[0]["local_link_connection"] == {"switch_id": SWITCH, "port_id": "Ethernet1/1"}
    assert ports[1]["portgroup_uuid"] == group["uuid"]
    listed = _cli(live, "baremetal", "port", "list", "--node", node["uuid"], "-f", "json")
    assert [p["uuid"] for p in listed] == [p["uuid"] for p in ports]  # creation order
    in_group = _cli(live, "baremetal", "port", "list", "--port-group", group["uuid"],
                    "-f", "json")
    assert [p["uuid"] for p in in_group] == [p["uuid"] for p in ports]
    long = _cli(live, "baremetal", "port", "list", "--long", "-f", "json")
    assert [(p["address"], p["physical_network"], p["portgroup_uuid"]) for p in long] == [
        (p["address"], "physnet1", group["uuid"]) for p in ports]
    nodes = _cli(live, "baremetal", "node", "list", "--long", "-f", "json")
    assert [(n["name"], n["driver"]) for n in nodes] == [("bm-cli", "ipmi")]
    groups = _cli(live, "baremetal", "port", "group", "list", "--long", "-f", "json")
    assert [(g["name"], g["mode"]) for g in groups] == [("bond0", "802.3ad")]

    _cli(live, "baremetal", "port", "group", "set", "bond0", "--property", "lacp_rate=fast")
    refused = _run_cli(live, "baremetal", "port", "group", "set", "bond0",
                       "--mode", "balance-rr")
    assert refused.returncode != 0
    assert ("Bonding option 'xmit_hash_policy' is not allowed in mode 'balance-rr': it "
            "applies only to balance-xor, 802.3ad, balance-tlb") in refused.stderr, \
        refused.stderr
    shown = _cli(live, "baremetal", "port", "group", "show", "bond0", "-f", "json")
    assert (shown["mode"], shown["properties"]) == (
        "802.3ad", {"miimon": 100, "xmit_hash_policy": "layer3+4", "lacp_rate": "fast"})

    server = _cli(live, "server", "create", "--image", "cirros-0.6.3-x86_64-disk",
                  "--flavor", "m1.tiny", "--nic", f"net-id={live.net_a.id}",
                  "--availability-zone", "nova::bm-cli", "-f", "json", "bm")
    assert VIF.objects.get(instance_id=server["id"]).port_group_id is not None
    bond, members = _bond_of(_network_data(server["id"]))
    assert (bond["bond_mode"], bond["bond_miimon"], bond["bond_xmit_hash_policy"],
            bond["bond_lacp_rate"]) == ("802.3ad", 100, "layer3+4", "fast")
    assert bond["bond_links"] == members == [p["uuid"] for p in ports]
    assert bond["ethernet_mac_address"] == ports[0]["address"]  # the first member's

    busy = _run_cli(live, "baremetal", "port", "group", "delete", "bond0")
    assert "carries interface" in busy.stderr, busy.stderr
    _cli(live, "server", "delete", "bm")
    _cli(live, "baremetal", "port", "group", "delete", "bond0")
    _cli(live, "baremetal", "node", "delete", "bm-cli")
    assert not Node.objects.exists()


def test_openstacksdk_baremetal(live):
    import openstack
    from openstack import exceptions

    conn = openstack.connect(auth_url=live.auth_url, username="root", password="pw-root",
                             project_name="admin", user_domain_name="Default",
                             project_domain_name="Default", region_name="RegionOne",
                             load_yaml_config=False, load_envvars=False)
    node = conn.baremetal.create_node(name="bm-sdk", driver="ipmi", owner="project-a")
    assert (node.name, node.owner) == ("bm-sdk", live.project_a.pk)
    group = conn.baremetal.create_port_group(node_id=node.id, name="bond-sdk",
                                             mode="active-backup",
                                             properties={"miimon": 100})
    ports = [conn.baremetal.create_port(node_id=node.id, address=mac, port_group_id=group.id,
                                        physical_network="physnet1", is_pxe_enabled=False)
             for mac in ("52:54:00:dd:00:05", "52:54:00:dd:00:02")]
    assert [p.id for p in conn.baremetal.ports(details=True, node=node.id)] == [
        p.id for p in ports]
    assert [p.port_group_id for p in conn.baremetal.ports(details=True, node=node.id)] == [
        group.id, group.id]
    with pytest.raises(exceptions.BadRequestException) as bad:
        conn.baremetal.update_port_group(group, properties={"miimon": 100,
                                                            "lacp_rate": "fast"})
    assert ("Bonding option 'lacp_rate' is not allowed in mode 'active-backup': it applies "
            "only to 802.3ad") in str(bad.value)
    group = conn.baremetal.update_port_group(group, properties={"miimon": 100,
                                                                "updelay": 200})
    assert group.properties == {"miimon": 100, "updelay": 200}
    assert conn.baremetal.get_node("bm-sdk").id == node.id

    alice = openstack.connect(auth_url=live.auth_url, username="alice", password="pw-alice",
                              project_name="project-a", user_domain_name="Default",
                              project_domain_name="Default", region_name="RegionOne",
                              load_yaml_config=False, load_envvars=False)
    assert [n.name for n in alice.baremetal.nodes()] == ["bm-sdk"]  # her project's node
    with pytest.raises(exceptions.ForbiddenException):
        alice.baremetal.delete_port_group(group)
    server = alice.compute.create_server(name="bm", image_id=IMAGE, flavor_id="1",
                                         availability_zone="nova::bm-sdk",
                                         networks=[{"uuid": str(live.net_a.id)}])
    bond, members = _bond_of(_network_data(server.id))
    assert (bond["bond_mode"], bond["bond_miimon"], bond["bond_updelay"]) == (
        "active-backup", 100, 200)
    assert bond["bond_links"] == members == [p.id for p in ports]
    alice.compute.delete_server(server)
    conn.baremetal.delete_port_group(group)
    assert PortGroup.objects.count() == 0
    conn.baremetal.delete_node(node)
    assert not Node.objects.exists()
