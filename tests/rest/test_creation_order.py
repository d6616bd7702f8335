"""Ports and port groups in creation order, as Ironic lists them (by its integer id) and as
Nova's Ironic driver then writes a bond's members: the API's lists and pages,
a group's ``ports``, and ``bond_links`` and the member links of network_data.json. MACs and
names are chosen so that their sort disagrees with creation order."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from multinic_api.models import Port, PortGroup
from multinic_api.services import baremetal, subnets

pytestmark = pytest.mark.django_db

#: Created in this order: the MACs go down, so MAC order is the reverse of creation order.
MACS = ["52:54:00:00:09:03", "52:54:00:00:09:02", "52:54:00:00:09:01"]


@pytest.fixture
def node(cloud):
    return baremetal.create_node("order-1", cloud.project_a)


def add_ports(client, node, macs, physical_network="physnet1"):
    uuids = []
    for mac in macs:
        response = client.post("/api/ports/", {"node_uuid": str(node.pk), "mac": mac,
                                               "physical_network": physical_network},
                               format="json")
        assert response.status_code == 201, response.content
        uuids.append(response.json()["uuid"])
    return uuids


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_ports_list_in_creation_order_not_by_mac(cloud, node):
    other = baremetal.create_node("order-0", cloud.project_a)  # sorts first by name
    first = add_ports(cloud.admin, node, MACS[:2])
    between = add_ports(cloud.admin, other, ["52:54:00:00:08:ff"])
    last = add_ports(cloud.admin, node, MACS[2:])
    listed = results(cloud.admin.get("/api/ports/"))
    assert [p["mac"] for p in listed] == [MACS[0], MACS[1], "52:54:00:00:08:ff", MACS[2]]
    assert [p["uuid"] for p in listed] == first + between + last
    assert [p["mac"] for p in results(cloud.a.get("/api/ports/?node=order-1"))] == MACS
    assert [p.mac for p in Port.objects.all()] == [p["mac"] for p in listed]


def test_ports_page_by_marker_in_creation_order(cloud, node):
    uuids = add_ports(cloud.admin, node, [*MACS, "52:54:00:00:09:00"])
    page = results(cloud.a.get(f"/api/ports/?node=order-1&limit=2&marker={uuids[0]}"))
    assert [p["uuid"] for p in page] == uuids[1:3]
    back = results(cloud.a.get(
        f"/api/ports/?node=order-1&limit=2&marker={uuids[3]}&page_reverse=true"))
    assert [p["uuid"] for p in back] == uuids[1:3]
    unknown = cloud.a.get("/api/ports/?marker=00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 400 and "marker" in unknown.json()["detail"]


def test_port_groups_list_and_page_in_creation_order_not_by_name(cloud, node):
    ports = add_ports(cloud.admin, node, MACS)
    groups = []
    for name, member in zip(["z-bond", "m-bond", "a-bond"], ports, strict=True):
        response = cloud.admin.post("/api/portgroups/", {
            "node_uuid": str(node.pk), "name": name, "ports": [member]}, format="json")
        assert response.status_code == 201, response.content
        groups.append(response.json()["uuid"])
    listed = results(cloud.a.get("/api/portgroups/?node=order-1"))
    assert [g["name"] for g in listed] == ["z-bond", "m-bond", "a-bond"]
    assert [g["uuid"] for g in results(cloud.a.get(
        f"/api/portgroups/?limit=5&marker={groups[0]}"))] == groups[1:]
    assert [g.name for g in PortGroup.objects.all()] == ["z-bond", "m-bond", "a-bond"]


def test_a_group_lists_its_members_in_creation_order(cloud, node):
    ports = add_ports(cloud.admin, node, MACS)
    response = cloud.admin.post("/api/portgroups/", {
        "node_uuid": str(node.pk), "name": "bond0", "mode": "802.3ad",
        "ports": [ports[2], ports[0], ports[1]]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["ports"] == ports
    got = cloud.a.get(f"/api/portgroups/{response.json()['uuid']}/").json()
    assert got["ports"] == ports


def test_creation_order_holds_when_timestamps_tie(cloud, node):
    instant = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=instant):
        made = [baremetal.create_port(node, mac, physical_network="physnet1") for mac in MACS]
    assert len({p.created for p in made}) == 1
    assert [p.pk for p in baremetal.in_member_order(reversed(made))] == [p.pk for p in made]
    assert list(Port.objects.filter(node=node)) == made


@pytest.fixture
def bare_metal(cloud, node):
    cloud.phys = subnets.create_network(cloud.project_a, "phys", physical_network="physnet1")
    subnets.create_subnet(cloud.phys, "10.7.0.0/24", name="phys-v4", enable_dhcp=False,
                          gateway_ip="10.7.0.1", dns_nameservers=["10.7.0.2"])
    cloud.ports = [Port.objects.get(pk=u) for u in add_ports(cloud.admin, node, MACS)]
    return cloud


def launch_bond(site, ports, **bond):
    response = site.a.post("/api/instances/", {
        "name": "bm", "node": "order-1", "config_drive": True,
        "nics": [{"network_id": str(site.phys.id),
                  "bond": {"ports": [str(p.pk) for p in ports], **bond}}]}, format="json")
    assert response.status_code == 201, response.content
    instance = response.json()
    data = site.a.get(f"/api/instances/{instance['uuid']}/config_drive/openstack/latest/"
                      "network_data.json").json()
    return instance, data


def test_network_data_lists_bond_members_in_creation_order(bare_metal):
    # Nova's Ironic driver: bond_links and the member phy links in the order Ironic lists
    # the ports;
    # the group has no MAC, so the VIF has its first member's (Ironic), the first created.
    first, second, third = bare_metal.ports
    instance, data = launch_bond(bare_metal, [third, first, second], mode="802.3ad",
                                 properties={"miimon": 100, "xmit_hash_policy": "layer3+4"})
    (vif,) = instance["interfaces"]
    assert vif["mac"] == first.mac
    link_id = ("tap" + vif["uuid"])[:14]
    assert data == {
        "links": [
            {"id": link_id, "vif_id": vif["uuid"], "type": "bond", "mtu": 1500,
             "ethernet_mac_address": first.mac, "bond_mode": "802.3ad",
             "bond_links": [str(first.pk), str(second.pk), str(third.pk)],
             "bond_miimon": 100, "bond_xmit_hash_policy": "layer3+4"},
            {"id": str(first.pk), "type": "phy", "ethernet_mac_address": "52:54:00:00:09:03"},
            {"id": str(second.pk), "type": "phy", "ethernet_mac_address": "52:54:00:00:09:02"},
            {"id": str(third.pk), "type": "phy", "ethernet_mac_address": "52:54:00:00:09:01"},
        ],
        "networks": [
            {"id": "network0", "type": "ipv4", "link": link_id,
             "ip_address": vif["fixed_ips"][0]["ip_address"], "netmask": "255.255.255.0",
             "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.7.0.1"}],
             "network_id": str(bare_metal.phys.id),
             "services": [{"type": "dns", "address": "10.7.0.2"}]},
        ],
        "services": [{"type": "dns", "address": "10.7.0.2"}],
    }


def test_primary_is_the_one_member_out_of_creation_order(bare_metal):
    first, second, third = bare_metal.ports
    _, data = launch_bond(bare_metal, [first, second, third], mode="active-backup",
                          properties={"miimon": 100, "primary": third.mac})
    assert data["links"][0]["bond_links"] == [str(third.pk), str(first.pk), str(second.pk)]
    assert [link["id"] for link in data["links"][1:]] == [
        str(third.pk), str(first.pk), str(second.pk)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_existing_rows_by_created_then_uuid():
    """Rows made before serials existed are numbered by their timestamps; a tie goes by
    primary key (the best order known for them)."""
    before, after = [("multinic_api", "0001_initial")], [("multinic_api", "0002_creation_serials")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    node = old.get_model("multinic_api", "Node").objects.create(name="old-node")
    port_model = old.get_model("multinic_api", "Port")
    t0 = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    rows = [("00000000-0000-4000-8000-00000000000c", "52:54:00:00:0a:01", t0),
            ("00000000-0000-4000-8000-00000000000b", "52:54:00:00:0a:02",
             t0 + datetime.timedelta(seconds=1)),
            ("00000000-0000-4000-8000-00000000000a", "52:54:00:00:0a:03",
             t0 + datetime.timedelta(seconds=1))]
    for pk, mac, created in rows:
        port_model.objects.create(uuid=pk, node=node, mac=mac)
        port_model.objects.filter(pk=pk).update(created=created)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    try:
        new = MigrationExecutor(connection).loader.project_state(after).apps
        numbered = new.get_model("multinic_api", "Port").objects.order_by("serial")
        assert [str(p.pk) for p in numbered] == [
            "00000000-0000-4000-8000-00000000000c", "00000000-0000-4000-8000-00000000000a",
            "00000000-0000-4000-8000-00000000000b"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
