"""min_count / max_count / return_reservation_id on Nova's POST /servers, through the test
client (the real CLI and openstacksdk are in test_openstack_clients.py)."""

import pytest

from multinic_api.models import VIF, Instance
from tests.harness.baremetal_fixtures import build_node
from tests.harness.errors import fault
from tests.openstack.test_compute import IMAGE, create

pytestmark = pytest.mark.django_db


def _net(cloud, name="NET_A"):
    return {"uuid": str({"NET_A": cloud.net_a.id, "SHARED": cloud.shared.id}[name])}


def test_min_and_max_count_launch_servers_named_as_nova_names_them(nova, nova_admin, cloud):
    response = create(nova, _net(cloud), name="web", min_count=3, max_count=3)
    assert response.status_code == 202, response.content
    first = response.json()["server"]
    assert first["name"] == "web-1" and first["adminPass"]
    # The extended attributes are an administrator's, as in Nova; the tenant sees the rest.
    servers = nova.get("/compute/v2.1/servers/detail").json()["servers"]
    assert sorted(s["name"] for s in servers) == ["web-1", "web-2", "web-3"]
    assert not [key for s in servers for key in s if key.startswith("OS-EXT-SRV-ATTR:")]
    servers = nova_admin.get("/compute/v2.1/servers/detail",
                             {"all_tenants": "1"}).json()["servers"]
    assert sorted(s["name"] for s in servers) == ["web-1", "web-2", "web-3"]
    assert {s["OS-EXT-SRV-ATTR:reservation_id"] for s in servers} == {
        Instance.objects.get(name="web-1").reservation_id}
    assert sorted((s["name"], s["OS-EXT-SRV-ATTR:launch_index"],
                   s["OS-EXT-SRV-ATTR:hostname"]) for s in servers) == [
        ("web-1", 0, "web-1"), ("web-2", 1, "web-2"), ("web-3", 2, "web-3")]
    addresses = [s["addresses"]["net-a"][0]["addr"] for s in servers]
    assert len(set(addresses)) == 3


def test_return_reservation_id_answers_only_that_and_lists_by_it(nova, cloud):
    response = create(nova, _net(cloud), max_count="2", return_reservation_id=True)
    assert response.status_code == 202, response.content
    body = response.json()
    assert list(body) == ["reservation_id"] and body["reservation_id"].startswith("r-")
    create(nova, _net(cloud), name="other")
    listed = nova.get("/compute/v2.1/servers",
                      {"reservation_id": body["reservation_id"]}).json()["servers"]
    assert sorted(s["name"] for s in listed) == ["vm-1", "vm-2"]


def test_max_count_alone_launches_as_many_as_the_addresses_allow(nova, cloud):
    """Nova's min_count defaults to 1: the shared subnet's three addresses make three."""
    response = create(nova, _net(cloud, "SHARED"), max_count=5)
    assert response.status_code == 202, response.content
    assert Instance.objects.count() == 3


def test_min_count_beyond_the_addresses_is_a_409_and_nothing_is_made(nova, cloud):
    message = fault(create(nova, _net(cloud, "SHARED"), min_count=4), 409,
                    "conflictingRequest")
    assert "Only 3 of the 4" in message
    assert not Instance.objects.exists() and not VIF.objects.exists()


def test_the_extended_attributes_come_with_microversion_2_3(nova, nova_admin, cloud):
    server = create(nova, _net(cloud)).json()["server"]
    url = f"/compute/v2.1/servers/{server['id']}"
    old = nova_admin.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.2").json()["server"]
    assert "OS-EXT-SRV-ATTR:launch_index" not in old
    assert "OS-EXT-SRV-ATTR:hypervisor_hostname" in old
    new = nova_admin.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.3").json()["server"]
    assert new["OS-EXT-SRV-ATTR:launch_index"] == 0 and new["name"] == "vm"
    mine = nova.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.3").json()["server"]
    assert not [key for key in mine if key.startswith("OS-EXT-SRV-ATTR:")]


@pytest.mark.parametrize("counts", [
    {"min_count": 0}, {"max_count": -1}, {"min_count": "x"}, {"max_count": 2.5},
    {"max_count": True}, {"min_count": None}, {"max_count": [2]}, {"min_count": "١"},
    {"min_count": 3, "max_count": 2}, {"max_count": 1001}, {"max_count": "9" * 5000},
    {"return_reservation_id": "maybe"},
])
def test_bad_counts_are_nova_400s(nova, cloud, counts):
    fault(create(nova, _net(cloud), **counts), 400, "badRequest")
    assert not Instance.objects.exists()


def test_a_forced_node_with_several_servers_is_a_400(nova, cloud):
    node = build_node("nova-bm", cloud.project_a, [("", True)] * 2).node
    message = fault(create(nova, _net(cloud), max_count=2,
                           availability_zone=f"nova::{node.name}"), 400, "badRequest")
    assert "one server per node" in message
    assert create(nova, _net(cloud), availability_zone=f"nova::{node.name}",
                  imageRef=IMAGE).status_code == 202


def test_a_port_with_several_servers_is_a_400(nova, cloud):
    port = nova.post("/networking/v2.0/ports", {"port": {"network_id": str(cloud.net_a.id)}},
                     format="json")
    assert port.status_code == 201, port.content
    message = fault(create(nova, {"port": port.json()["port"]["id"]}, max_count=2), 400,
                    "badRequest")
    assert "single configured port ID" in message
    assert not Instance.objects.exists()


def test_a_reservation_id_with_a_nul_is_novas_400(nova, cloud):
    """PostgreSQL refuses NUL in a text comparison: that was a 500 there."""
    message = fault(nova.get("/compute/v2.1/servers", {"reservation_id": "r-\x00"}), 400,
                    "badRequest")
    assert "NUL" in message
