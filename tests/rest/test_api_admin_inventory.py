"""What the API adds for the admin panels (which are its clients): the VIF inventory's
names, carrier and name-or-ID filters, and a node's project name and instances."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from multinic_api.services import subnets
from tests.factories import InstanceFactory
from tests.harness.baremetal_fixtures import build_node

pytestmark = pytest.mark.django_db


@pytest.fixture
def rack(cloud):
    """web-a (two NICs on net-a), db-b (one on net-b), and metal on node-a's bond0."""
    node = build_node("node-a", cloud.project_a,
                      [("physnet1", True), ("physnet1", True), ("physnet2", True)],
                      groups=[{"name": "bond0", "ports": [0, 1], "mode": "802.3ad",
                               "properties": {"miimon": 100}}])
    phys1 = subnets.create_network(cloud.project_a, "phys1", physical_network="physnet1")
    subnets.create_subnet(phys1, "10.11.0.0/24")
    web = InstanceFactory(project=cloud.project_a, name="web-a", nics=[cloud.net_a, cloud.net_a])
    db = InstanceFactory(project=cloud.project_b, name="db-b", nics=[cloud.net_b])
    metal = InstanceFactory(project=cloud.project_a, name="metal", nics=[phys1], node="node-a")
    return cloud, node, web, db, metal


def listed(client, **params) -> list[dict]:
    response = client.get("/api/vifs/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_inventory_names_instance_project_and_network(rack):
    cloud, node, web, db, metal = rack
    vifs = listed(cloud.admin)
    assert [(v["instance_name"], v["position"]) for v in vifs] == [
        ("web-a", 0), ("web-a", 1), ("db-b", 0), ("metal", 0)]
    first = vifs[0]
    assert (first["project_name"], first["project_id"]) == ("project-a", cloud.project_a.pk)
    assert (first["network_name"], first["network_id"]) == ("net-a", str(cloud.net_a.pk))
    assert first["carrier"] is None  # not on bare metal
    # The earlier fields are all still there (the answer only grew).
    assert {"uuid", "mac", "instance_uuid", "fixed_ips", "port_uuid",
            "port_group_uuid"} <= set(first)


def test_the_inventory_says_what_carries_a_bare_metal_vif(rack):
    cloud, node, web, db, metal = rack
    (vif,) = listed(cloud.admin, instance_uuid=str(metal.pk))
    members = sorted(p.mac for p in node.ports[:2])
    carrier = vif["carrier"]
    assert carrier == {"kind": "bond", "uuid": str(node.groups[0].pk), "mac": None,
                       "name": "bond0", "mode": "802.3ad", "members": members,
                       "properties": carrier["properties"]}
    assert carrier["properties"]["miimon"] == 100
    port = node.ports[2]
    phys2 = subnets.create_network(cloud.project_a, "phys2", physical_network="physnet2")
    subnets.create_subnet(phys2, "10.12.0.0/24")
    single = InstanceFactory(project=cloud.project_a, name="single", nics=[phys2], node="node-a")
    (vif,) = listed(cloud.admin, instance_uuid=str(single.pk))
    assert vif["carrier"] == {"kind": "port", "uuid": str(port.pk), "mac": port.mac}


@pytest.mark.parametrize("params,expected", [
    ({"project": "project-b"}, ["db-b"]),
    ({"project": "PROJECT-B"}, ["db-b"]),
    ({"project": "nobody"}, []),
    ({"network": "NET-A"}, ["web-a", "web-a"]),
    ({"network": "no-such-net"}, []),
    ({"node": "node-a"}, ["metal"]),
    ({"node": "no-node"}, []),
])
def test_the_inventory_filters_by_name(rack, params, expected):
    cloud = rack[0]
    assert [v["instance_name"] for v in listed(cloud.admin, **params)] == expected


def test_the_inventory_filters_by_id(rack):
    cloud, node, web, db, metal = rack
    assert [v["instance_name"] for v in listed(cloud.admin, project=cloud.project_b.pk)] == [
        "db-b"]
    assert [v["instance_name"] for v in listed(cloud.admin, network=str(cloud.net_b.pk))] == [
        "db-b"]
    assert [v["instance_name"] for v in listed(cloud.admin, node=str(node.node.pk))] == [
        "metal"]


@pytest.mark.parametrize("name", ["project", "network", "node"])
def test_a_name_filter_with_a_nul_is_a_400(rack, name):
    cloud = rack[0]
    response = cloud.admin.get("/api/vifs/", {name: "net-a\x00"})
    assert response.status_code == 400
    assert response.json()["fields"] == {name: ["Null characters are not allowed."]}


def test_the_inventory_stays_admin_only(rack):
    cloud = rack[0]
    assert cloud.a.get("/api/vifs/", {"project": "project-a"}).status_code == 403


def test_an_unusable_mac_filter_is_a_400_with_the_reason(rack):
    cloud = rack[0]
    response = cloud.admin.get("/api/vifs/", {"mac": "not-a-mac"})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "'not-a-mac' is not a MAC address; use six octets such as fa:16:3e:12:34:56")


def test_the_inventory_costs_the_same_queries_for_more_vifs(rack):
    cloud = rack[0]

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            listed(cloud.admin)
        return len(captured)

    before = cost()
    for i in range(3):
        InstanceFactory(project=cloud.project_b, name=f"more-{i}", nics=[cloud.net_b, cloud.net_b])
    assert cost() == before


def test_mac_owner_shows_the_vif_as_the_inventory_does(rack):
    cloud, node, web, db, metal = rack
    vif = web.vifs.get(position=1)
    body = cloud.admin.get(f"/api/macs/{vif.mac}/").json()
    assert body["vif"]["instance_name"] == "web-a"
    assert body["vif"]["project_name"] == "project-a"
    assert body["vif"]["network_name"] == "net-a"


def test_nodes_name_their_project_and_instances(rack):
    cloud, node, web, db, metal = rack
    build_node("node-b", None, [("", True)])
    other = InstanceFactory(project=cloud.project_a, name="a-metal", node="node-a")
    body = cloud.admin.get("/api/nodes/").json()["results"]
    by_name = {n["name"]: n for n in body}
    assert by_name["node-a"]["project_name"] == "project-a"
    assert by_name["node-a"]["instances"] == [{"uuid": str(other.pk), "name": "a-metal"},
                                             {"uuid": str(metal.pk), "name": "metal"}]
    assert by_name["node-b"]["project_name"] is None
    assert by_name["node-b"]["instances"] == []
    # A tenant reads its own project's node the same way.
    mine = cloud.a.get(f"/api/nodes/{node.node.pk}/").json()
    assert mine["project_name"] == "project-a" and len(mine["instances"]) == 2


def test_the_node_list_costs_the_same_queries_for_more_nodes(rack):
    cloud = rack[0]

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert cloud.admin.get("/api/nodes/").status_code == 200
        return len(captured)

    before = cost()
    for i in range(3):
        build_node(f"node-x{i}", cloud.project_b, [("", True)] * 2)
    assert cost() == before
