"""``count`` (and ``min_count``, ``nodes``) on POST /api/instances/ and its preview: the
answer lists the instances made; bad counts are the API's 400s; too few possible, its 409."""

import pytest

from multinic_api.models import VIF, FixedIP, Instance
from tests.harness.baremetal_fixtures import build_node
from tests.harness.errors import assert_error
from tests.harness.helpers import assert_subnet_consistent
from tests.rest.test_api import launch_body

pytestmark = pytest.mark.django_db


def test_count_launches_that_many_and_answers_with_them(cloud):
    response = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id, cloud.net_a.id,
                                                          name="web", count=3), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reservation_id"].startswith("r-") and body["warnings"] == []
    assert [(i["name"], i["launch_index"], i["reservation_id"]) for i in body["instances"]] == [
        (f"web-{n + 1}", n, body["reservation_id"]) for n in range(3)]
    assert all(len(i["interfaces"]) == 2 for i in body["instances"])
    # What it answered is what a read gives.
    for answered in body["instances"]:
        read = cloud.a.get(f"/api/instances/{answered['uuid']}/").json()
        assert read == answered
    assert Instance.objects.count() == 3 and FixedIP.objects.count() == 12
    assert_subnet_consistent(cloud.sub_a4)


def test_count_of_one_is_still_a_list(cloud):
    body = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id, count=1),
                        format="json").json()
    assert [i["name"] for i in body["instances"]] == ["vm"]


def test_without_count_the_answer_is_the_instance_with_its_reservation(cloud):
    body = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id), format="json").json()
    assert body["name"] == "vm" and body["launch_index"] == 0
    assert body["reservation_id"].startswith("r-") and len(body["reservation_id"]) == 10


def test_min_count_launches_what_the_addresses_allow(cloud):
    """The shared subnet's pool has three addresses."""
    response = cloud.a.post("/api/instances/", launch_body(cloud.shared.id, count=5,
                                                          min_count=2), format="json")
    assert response.status_code == 201, response.content
    assert [i["name"] for i in response.json()["instances"]] == ["vm-1", "vm-2", "vm-3"]


def test_fewer_possible_than_min_count_is_a_409_and_leaves_nothing(cloud):
    response = cloud.a.post("/api/instances/", launch_body(cloud.shared.id, count=4),
                            format="json")
    assert_error(response, 409, code="subnet_exhausted",
                 text="Only 3 of the 4 instances asked for could be made")
    assert not Instance.objects.exists() and not VIF.objects.exists()
    assert_subnet_consistent(cloud.sub_shared)


@pytest.mark.parametrize(("extra", "text"), [
    ({"count": 0}, "'count must be a positive integer"),
    ({"count": -3}, "'count must be a positive integer"),
    ({"count": 3, "min_count": 0}, "'min_count must be a positive integer"),
    ({"count": 1001}, "At most 1000 instances"),
    ({"count": 10**30}, "At most 1000 instances"),
    ({"count": "3"}, "valid integer"),
    ({"count": 2.5}, "valid integer"),
    ({"count": True}, "valid integer"),
    ({"count": None}, "null"),
    ({"count": 2, "min_count": 3}, "min_count (3) may not be greater than count (2)"),
    ({"min_count": 2}, "min_count needs count"),
    ({"count": 2, "node": "n", "nodes": ["n"]}, "not both"),
    ({"nodes": "n"}, "list"),
])
def test_bad_counts_are_400s(cloud, extra, text):
    response = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id, **extra),
                            format="json")
    assert_error(response, 400, text=None)
    assert text in str(response.json()), response.json()
    assert not Instance.objects.exists()


def test_a_fixed_ip_with_a_count_is_a_400(cloud):
    body = launch_body(cloud.net_a.id, count=2)
    body["nics"][0]["fixed_ips"] = ["10.0.0.9"]
    assert_error(cloud.a.post("/api/instances/", body, format="json"), 400,
                 text="a fixed IP cannot be requested when launching more than one instance")


def test_the_preview_previews_each_instance_and_keeps_nothing(cloud):
    response = cloud.a.post("/api/instances/preview/", launch_body(cloud.net_a.id, name="web",
                                                                  count=2), format="json")
    assert response.status_code == 200, response.content
    previews = response.json()["instances"]
    assert [p["name"] for p in previews] == ["web-1", "web-2"]
    assert [p["meta_data"]["launch_index"] for p in previews] == [0, 1]
    assert [p["meta_data"]["name"] for p in previews] == ["web-1", "web-2"]
    macs = [p["network_data"]["links"][0]["ethernet_mac_address"] for p in previews]
    assert len(set(macs)) == 2
    assert not Instance.objects.exists() and not FixedIP.objects.exists()
    assert_subnet_consistent(cloud.sub_a4)


def test_nodes_launch_one_instance_onto_each(cloud):
    nodes = [build_node(f"api-bm-{n}", cloud.project_a, [("", True)]).node for n in range(2)]
    response = cloud.a.post("/api/instances/", launch_body(
        cloud.net_a.id, name="bm", nodes=[n.name for n in nodes]), format="json")
    assert response.status_code == 201, response.content
    answered = response.json()["instances"]
    assert [(i["name"], i["node_name"]) for i in answered] == [
        ("bm-1", "api-bm-0"), ("bm-2", "api-bm-1")]
    assert [i["interfaces"][0]["vnic_type"] for i in answered] == ["baremetal"] * 2
    # More than there are nodes is a 409 saying how many there are.
    assert_error(cloud.a.post("/api/instances/", launch_body(
        cloud.net_a.id, nodes=[nodes[0].name], count=3), format="json"), 409,
        text="Only 1 of the 3")


def test_the_instances_of_one_launch_share_their_ec2_reservation_id(cloud):
    body = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id, count=2),
                        format="json").json()
    ec2 = [cloud.a.get(f"/api/instances/{i['uuid']}/config_drive/ec2/latest/meta-data.json")
           .json() for i in body["instances"]]
    assert [m["reservation-id"] for m in ec2] == [body["reservation_id"]] * 2
    assert [m["ami-launch-index"] for m in ec2] == [0, 1]
