"""What the dashboard's Instances and Networks panels ask the API for: marker paging
(``marker``/``page_reverse``), the filters behind their tables' search boxes, and the names
shown beside the ids (network, node, project, what carries a bare-metal NIC)."""

import ipaddress
import uuid

import pytest

from multinic_api.models import Network
from multinic_api.services import instances, subnets
from tests.factories import InstanceFactory
from tests.harness.baremetal_fixtures import build_node

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def error(response, status: int) -> str:
    assert response.status_code == status, response.content
    return response.json()["detail"]


# --- marker paging ---------------------------------------------------------------------------

def test_instances_page_after_and_before_a_marker(cloud):
    made = [InstanceFactory(name=f"vm-{i}", nics=[cloud.net_a]) for i in range(5)]
    order = [i.name for i in sorted(made, key=lambda i: (-i.created.timestamp(), str(i.uuid)))]
    by_name = {i.name: i for i in made}
    assert names(cloud.a.get("/api/instances/")) == order  # newest first
    third = by_name[order[2]].uuid
    assert names(cloud.a.get(f"/api/instances/?marker={third}&limit=10")) == order[3:]
    # Reversed: the rows just before the marker, still in the list's order.
    before = cloud.a.get(f"/api/instances/?marker={third}&page_reverse=true&limit=1")
    assert names(before) == [order[1]]
    assert names(cloud.a.get(f"/api/instances/?marker={third}&page_reverse=true")) == order[:2]


def test_a_marker_survives_rows_added_before_it(cloud):
    made = [InstanceFactory(name=f"vm-{i}", nics=[cloud.net_a]) for i in range(2)]
    newest, oldest = sorted(made, key=lambda i: (-i.created.timestamp(), str(i.uuid)))
    InstanceFactory(name="newer-still", nics=[cloud.net_a])
    # An offset would now shift by one; the marker still means "after the newest of two".
    assert names(cloud.a.get(f"/api/instances/?marker={newest.uuid}")) == [oldest.name]


def test_a_marker_outside_the_callers_list_is_a_400(cloud):
    theirs = InstanceFactory(name="theirs", nics=[cloud.net_b], project=cloud.project_b)
    for marker in (theirs.uuid, uuid.uuid4(), "not-a-uuid"):
        assert "No row" in error(cloud.a.get(f"/api/instances/?marker={marker}"), 400)
    assert "true or false" in error(cloud.a.get("/api/instances/?page_reverse=yes"), 400)


def test_networks_page_by_name(cloud):
    for i in range(4):
        subnets.create_network(cloud.project_a, f"bulk-{i}")
    everything = names(cloud.a.get("/api/networks/"))
    assert everything == sorted(everything)
    assert [n for n in everything if n.startswith("bulk-")] == [f"bulk-{i}" for i in range(4)]
    marker = cloud.a.get("/api/networks/?name=bulk-1").json()["results"][0]["id"]
    assert names(cloud.a.get(f"/api/networks/?marker={marker}&limit=2")) == ["bulk-2", "bulk-3"]
    assert names(cloud.a.get(f"/api/networks/?marker={marker}&page_reverse=true&limit=1")) \
        == ["bulk-0"]
    # A marker row the filters no longer keep still places the page.
    assert names(cloud.a.get(f"/api/networks/?marker={marker}&name__icontains=net-a")) == [
        "net-a"]


# --- the instances' filters -----------------------------------------------------------------

def test_instances_filter_by_name_contains(cloud):
    InstanceFactory(name="web-1", nics=[cloud.net_a])
    InstanceFactory(name="db-1", nics=[cloud.net_a])
    assert names(cloud.a.get("/api/instances/?name__icontains=WEB")) == ["web-1"]


def test_instances_filter_by_ip_or_mac_in_any_notation(cloud):
    web = InstanceFactory(name="web", nics=[cloud.net_a])
    InstanceFactory(name="db", nics=[cloud.net_a])
    InstanceFactory(name="theirs", nics=[cloud.net_b], project=cloud.project_b)
    vif = web.vifs.get()
    v4 = str(vif.fixed_ips.get(subnet__ip_version=4).address)
    v6 = str(vif.fixed_ips.get(subnet__ip_version=6).address)
    expanded_v6 = ipaddress.IPv6Address(v6).exploded
    for value in (v4, v6, expanded_v6.upper(), vif.mac.upper().replace(":", "-"),
                  vif.mac.replace(":", "")):
        assert names(cloud.a.get("/api/instances/", {"address": value})) == ["web"], value
    assert "neither an IP address nor a MAC" in error(
        cloud.a.get("/api/instances/?address=not-an-address"), 400)
    # Another project's addresses find nothing (the filter works within what one may see).
    theirs_ip = cloud.b.get("/api/instances/").json()["results"][0]["interfaces"][0][
        "fixed_ips"][0]["ip_address"]
    assert names(cloud.a.get("/api/instances/", {"address": theirs_ip})) == []


# --- the networks' filters ------------------------------------------------------------------

def test_networks_filter_by_name_subnet_and_physical_network(cloud):
    provider = subnets.create_network(cloud.admin_project, "provider", shared=True,
                                      physical_network="physnet1")
    subnets.create_subnet(provider, "203.0.113.0/24", name="public")
    assert names(cloud.a.get("/api/networks/?name__icontains=NET-")) == ["net-a"]
    assert names(cloud.a.get("/api/networks/?subnet=192.0.2")) == ["shared"]
    assert names(cloud.a.get("/api/networks/?subnet=PUBL")) == ["provider"]
    assert names(cloud.a.get("/api/networks/?physical_network__icontains=phys")) == [
        "provider"]
    # Bob's network is not found through its subnet either.
    assert names(cloud.a.get("/api/networks/?subnet=10.1.0")) == []


def test_only_admins_filter_networks_by_project_name(cloud):
    assert names(cloud.admin.get("/api/networks/?project_name=PROJECT-")) == sorted(
        Network.objects.filter(project__name__startswith="project-")
        .values_list("name", flat=True))
    assert "administrator" in error(cloud.a.get("/api/networks/?project_name=admin"), 403)


def test_subnets_of_several_networks(cloud):
    ids = f"{cloud.net_a.pk},{cloud.shared.pk}"
    listed = cloud.a.get(f"/api/subnets/?network_id__in={ids}").json()["results"]
    assert sorted(s["cidr"] for s in listed) == ["10.0.0.0/24", "192.0.2.0/29",
                                                 "2001:db8:a::/64"]
    # Bob's network among them adds nothing.
    ids = f"{cloud.net_b.pk},{cloud.shared.pk}"
    listed = cloud.a.get(f"/api/subnets/?network_id__in={ids}").json()["results"]
    assert [s["cidr"] for s in listed] == ["192.0.2.0/29"]
    assert cloud.a.get("/api/subnets/?network_id__in=nope").status_code == 400


# --- names beside the ids -------------------------------------------------------------------

def test_network_project_names_go_to_admins_and_to_the_project_itself(cloud):
    mine = {n["name"]: n for n in cloud.a.get("/api/networks/").json()["results"]}
    assert mine["net-a"]["project_name"] == "project-a"
    assert mine["shared"]["project_name"] is None  # whose it is stays with administrators
    assert mine["shared"]["project_id"] == str(cloud.admin_project.pk)
    every = {n["name"]: n for n in cloud.admin.get("/api/networks/").json()["results"]}
    assert every["net-b"]["project_name"] == "project-b"
    created = cloud.a.post("/api/networks/", {"name": "new"}, format="json").json()
    assert created["project_name"] == "project-a"


def test_instances_name_their_project_node_and_networks(cloud):
    InstanceFactory(name="vm", nics=[cloud.net_a, cloud.shared])
    (vm,) = cloud.a.get("/api/instances/").json()["results"]
    assert (vm["project_name"], vm["node_name"], vm["node_uuid"]) == ("project-a", None, None)
    assert [i["network_name"] for i in vm["interfaces"]] == ["net-a", "shared"]
    assert [i["carrier"] for i in vm["interfaces"]] == [None, None]


def test_a_bare_metal_nic_names_its_port_or_bond(cloud):
    built = build_node("bm-1", cloud.project_a, [("physnet1", True)] * 3,
                       groups=[{"name": "bond0", "ports": [1, 2], "mode": "802.3ad"}])
    metal = instances.launch_instance(project=cloud.project_a, name="metal", node="bm-1", nics=[
        instances.NicRequest(network_id=cloud.net_a.pk),
        instances.NicRequest(network_id=cloud.net_a.pk)])
    shown = cloud.a.get(f"/api/instances/{metal.uuid}/").json()
    assert shown["node_name"] == "bm-1" and shown["node_uuid"] == str(built.node.pk)
    carriers = {c["kind"]: c for c in (i["carrier"] for i in shown["interfaces"])}
    assert carriers["port"] == {"kind": "port", "uuid": str(built.ports[0].pk),
                                "mac": built.ports[0].mac}
    bond = carriers["bond"]
    assert (bond["name"], bond["mode"]) == ("bond0", "802.3ad")
    assert bond["members"] == sorted(p.mac for p in built.ports[1:])
