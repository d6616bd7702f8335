"""The Bare Metal v1 face (Ironic's shapes), through the test client: version negotiation,
nodes, ports and port groups under the services' rules, Ironic's error body. The real
clients, ironicclient's ``openstack baremetal`` and openstacksdk, are in
test_baremetal_clients.py."""

import json

import pytest
from rest_framework.test import APIClient

from multinic_api.models import Node, Port, PortGroup
from multinic_api.services import instances
from multinic_api.services.baremetal import in_member_order as baremetal_member_order
from multinic_identity import services as identity
from tests.harness.baremetal_fixtures import build_node

LATEST = "1.50"


def _client(user, project, version=LATEST):
    token, _ = identity.issue_token(user, project, ["password"])
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=token)
    if version:
        client.defaults["HTTP_X_OPENSTACK_IRONIC_API_VERSION"] = version
    return client


@pytest.fixture
def ironic(cloud):
    """root, an administrator (a token scoped to the admin project), at the newest version."""
    return _client(cloud.root, cloud.admin_project)


@pytest.fixture
def ironic_alice(cloud):
    return _client(cloud.alice, cloud.project_a)


def fault(response, status):
    """Ironic's error: a JSON document in a string, its faultstring the message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error_message"], body
    error = json.loads(body["error_message"])
    assert error["faultcode"] == "Client" and error["debuginfo"] is None
    assert error["faultstring"]
    return error["faultstring"]


def post(client, path, body, **headers):
    return client.post(f"/baremetal/v1/{path}", body, format="json", **headers)


def patch(client, path, operations, **headers):
    return client.patch(f"/baremetal/v1/{path}", operations, format="json", **headers)


# --- versions --------------------------------------------------------------------------------

def test_version_documents_need_no_token(db):
    anonymous = APIClient()
    root = anonymous.get("/baremetal/")
    assert root.status_code == 200
    version = root.json()["default_version"]
    assert (version["id"], version["min_version"], version["version"]) == ("v1", "1.1", LATEST)
    assert root.json()["versions"] == [version]
    assert root["X-OpenStack-Ironic-API-Minimum-Version"] == "1.1"
    assert root["X-OpenStack-Ironic-API-Maximum-Version"] == LATEST
    assert anonymous.get("/baremetal").json() == root.json()  # the bare endpoint URL too
    v1 = anonymous.get("/baremetal/v1", HTTP_X_OPENSTACK_IRONIC_API_VERSION="9.9").json()
    assert v1["id"] == "v1" and v1["version"] == version
    assert v1["media_types"][0]["type"] == "application/vnd.openstack.ironic.v1+json"
    assert v1["portgroups"][0]["href"] == "http://testserver/baremetal/v1/portgroups"


def test_the_identity_catalog_names_the_face(cloud):
    response = APIClient().post("/identity/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "root", "domain": {"id": "default"}, "password": "pw-root"}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}, format="json")
    baremetal = [s for s in response.json()["token"]["catalog"] if s["type"] == "baremetal"]
    assert [e["url"] for e in baremetal[0]["endpoints"]] == ["http://testserver/baremetal"] * 3


def test_microversion_negotiation(cloud):
    client = _client(cloud.root, cloud.admin_project, version=None)
    build_node("rack-1", None, [("", True)])
    oldest = client.get("/baremetal/v1/nodes/detail")
    assert oldest["X-OpenStack-Ironic-API-Version"] == "1.1"
    assert "name" not in oldest.json()["nodes"][0]  # node names came with 1.5
    latest = client.get("/baremetal/v1/nodes", HTTP_X_OPENSTACK_IRONIC_API_VERSION="latest")
    assert latest["X-OpenStack-Ironic-API-Version"] == LATEST
    assert latest["OpenStack-API-Version"] == f"baremetal {LATEST}"
    assert latest.json()["nodes"][0]["name"] == "rack-1"
    standard = client.get("/baremetal/v1/nodes", HTTP_OPENSTACK_API_VERSION="baremetal 1.24")
    assert standard["X-OpenStack-Ironic-API-Version"] == "1.24"

    too_new = client.get("/baremetal/v1/nodes", HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.51")
    assert fault(too_new, 406) == ("Version 1.51 was requested but the minor version is not "
                                   "supported by this service. The supported version range "
                                   f"is: [1.1, {LATEST}].")
    assert too_new["X-OpenStack-Ironic-API-Maximum-Version"] == LATEST  # what clients retry
    assert "Mutually exclusive" in fault(
        client.get("/baremetal/v1/nodes", HTTP_X_OPENSTACK_IRONIC_API_VERSION="2.1"), 406)
    fault(client.get("/baremetal/v1/nodes", HTTP_X_OPENSTACK_IRONIC_API_VERSION="1." + "9" * 5000),
          406)
    assert "Invalid value" in fault(
        client.get("/baremetal/v1/nodes", HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.05"), 400)


def test_fields_newer_than_the_version_are_hidden_and_refused(ironic, cloud):
    built = build_node("rack-1", None, [("physnet1", True), ("physnet1", True)],
                       groups=[{"name": "bond0", "ports": [0, 1], "mode": "802.3ad"}])
    port = f"ports/{built.ports[0].pk}"
    assert "physical_network" in ironic.get(f"/baremetal/v1/{port}").json()
    old = ironic.get(f"/baremetal/v1/{port}", HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.33").json()
    assert "physical_network" not in old and old["portgroup_uuid"] == str(built.groups[0].pk)
    group = ironic.get("/baremetal/v1/portgroups/bond0",
                       HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.25").json()
    assert "mode" not in group and "properties" not in group
    fault(ironic.get("/baremetal/v1/portgroups", HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.22"),
          404)
    fault(ironic.get("/baremetal/v1/portgroups/bond0/ports",
                     HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.23"), 404)
    fault(post(ironic, "ports", {"node_uuid": str(built.node.pk), "address": "52:54:00:aa:00:01",
                                 "physical_network": "physnet1"},
               HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.33"), 406)
    fault(patch(ironic, port, [{"op": "replace", "path": "/physical_network", "value": "x"}],
                HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.33"), 406)
    assert Port.objects.count() == 2


# --- errors and who may do what -----------------------------------------------------------------

def test_errors_are_ironics(ironic, cloud):
    anonymous = APIClient().get("/baremetal/v1/nodes")
    assert anonymous.status_code == 401  # keystonemiddleware's, in front of Ironic
    assert anonymous.json()["error"]["code"] == 401
    assert "Keystone uri=" in anonymous["WWW-Authenticate"]
    assert "there is no /baremetal/v1/chassis" in fault(ironic.get("/baremetal/v1/chassis"), 404)
    fault(ironic.post("/baremetal/v1/nodes", "{not json", content_type="application/json"), 400)
    assert fault(ironic.get("/baremetal/v1/nodes/nope"), 404) == "Node nope could not be found."
    fault(ironic.get("/baremetal/v1/nodes", {"limit": "-1"}), 400)
    assert ironic.get("/baremetal/v1/nodes", {"sort_key": "id", "sort_dir": "asc"}).status_code \
        == 200
    assert "creation order only" in fault(
        ironic.get("/baremetal/v1/ports", {"sort_key": "address"}), 400)
    fault(ironic.get("/baremetal/v1/ports", {"sort_dir": "desc"}), 400)


def test_tenants_read_their_projects_nodes_and_write_nothing(ironic, ironic_alice, cloud):
    mine = build_node("mine", cloud.project_a, [("", True)])
    build_node("theirs", cloud.project_b, [("", True)])
    build_node("admins", None, [("", True)])
    listed = ironic_alice.get("/baremetal/v1/nodes").json()["nodes"]
    assert [n["name"] for n in listed] == ["mine"]
    assert [p["uuid"] for p in ironic_alice.get("/baremetal/v1/ports").json()["ports"]] == [
        str(mine.ports[0].pk)]
    fault(ironic_alice.get("/baremetal/v1/nodes/theirs"), 404)
    refused = fault(post(ironic_alice, "nodes", {"name": "x", "driver": "ipmi"}), 403)
    assert refused.startswith("Access was denied to the following resource: "
                              "baremetal:node:create")
    fault(ironic_alice.delete(f"/baremetal/v1/ports/{mine.ports[0].pk}"), 403)
    assert Node.objects.count() == 3 and Port.objects.count() == 3
    assert [n["name"] for n in ironic.get("/baremetal/v1/nodes").json()["nodes"]] == [
        "mine", "theirs", "admins"]  # creation order


# --- nodes ------------------------------------------------------------------------------------

def test_node_create_show_patch_delete(ironic, ironic_alice, cloud):
    created = post(ironic, "nodes", {"name": "rack-1", "driver": "ipmi",
                                     "properties": {"cpus": 8}})
    assert created.status_code == 201, created.content
    node = created.json()
    assert (node["driver"], node["properties"], node["owner"]) == ("ipmi", {"cpus": 8}, None)
    assert node["provision_state"] == "available"
    assert ironic.get(f"/baremetal/v1/nodes/{node['uuid']}").json() == \
        ironic.get("/baremetal/v1/nodes/rack-1").json()
    assert ironic.get("/baremetal/v1/nodes/rack-1", {"fields": "uuid,driver"}).json() == {
        "uuid": node["uuid"], "driver": "ipmi"}
    fault(ironic.get("/baremetal/v1/nodes/rack-1", {"fields": "uuid,password"}), 400)

    changed = patch(ironic, "nodes/rack-1", [
        {"op": "replace", "path": "/name", "value": "rack-2"},
        {"op": "add", "path": "/properties/memory_mb", "value": 4096},
        {"op": "add", "path": "/owner", "value": "project-a"}])
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "rack-2"
    assert changed.json()["properties"] == {"cpus": 8, "memory_mb": 4096}
    assert changed.json()["owner"] == cloud.project_a.pk
    assert ironic_alice.get("/baremetal/v1/nodes/rack-2").status_code == 200  # alice's now

    for operations, status in [
            ([{"op": "remove", "path": "/driver"}], 400),  # mandatory
            ([{"op": "replace", "path": "/provision_state", "value": "active"}], 400),
            ([{"op": "move", "from": "/name", "path": "/driver"}], 400),
            ([{"op": "replace", "path": "/name", "value": "a b"}], 400),  # the service's rule
            ([{"op": "remove", "path": "/properties/nope"}], 400),
            ({"op": "remove", "path": "/owner"}, 400)]:  # not a list
        fault(patch(ironic, "nodes/rack-2", operations), status)
    fault(patch(ironic, "nodes/rack-2", [{"op": "remove", "path": "/owner"}],
                HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.49"), 406)
    assert Node.objects.get().name == "rack-2"

    assert ironic.delete("/baremetal/v1/nodes/rack-2").status_code == 204
    assert not Node.objects.exists()


def test_node_create_refusals_write_nothing(ironic, cloud):
    for body, status in [({"name": "n"}, 400),  # no driver
                         ({"name": "n", "driver": "ipmi", "power_state": "on"}, 400),
                         ({"name": "n", "driver": "ipmi", "owner": "nobody"}, 400),
                         ({"name": "n", "driver": "ipmi", "extra": {"a": 1}}, 400),
                         ({"name": "n", "driver": "ip mi"}, 400),
                         ({"name": "n\x00", "driver": "ipmi"}, 400),
                         (["name"], 400)]:
        fault(post(ironic, "nodes", body), status)
    fault(post(ironic, "nodes", {"name": "n", "driver": "ipmi", "owner": "project-a"},
               HTTP_X_OPENSTACK_IRONIC_API_VERSION="1.49"), 406)
    assert not Node.objects.exists()
    unnamed = post(ironic, "nodes", {"driver": "ipmi"}).json()
    assert unnamed["name"] == unnamed["uuid"]  # every node here has a name
    fault(post(ironic, "nodes", {"driver": "ipmi", "uuid": unnamed["uuid"]}), 409)


def test_a_node_with_an_instance_is_active_and_stays(ironic, cloud):
    built = build_node("rack-1", cloud.project_a, [("", True)])
    server = instances.launch_instance(project=cloud.project_a, name="bm", node=built.node,
                                       nics=[instances.NicRequest(cloud.net_a.id)])
    node = ironic.get("/baremetal/v1/nodes/rack-1").json()
    assert (node["provision_state"], node["instance_uuid"]) == ("active", str(server.pk))
    assert "has instances" in fault(ironic.delete("/baremetal/v1/nodes/rack-1"), 409)
    port = ironic.get(f"/baremetal/v1/ports/{built.ports[0].pk}").json()
    assert port["internal_info"] == {"tenant_vif_port_id": str(server.vifs.get().pk)}
    assert "carries" in fault(ironic.delete(f"/baremetal/v1/ports/{built.ports[0].pk}"), 409)


# --- ports and port groups -----------------------------------------------------------------------

def _node(ironic, name="rack-1"):
    return post(ironic, "nodes", {"name": name, "driver": "ipmi"}).json()["uuid"]


def test_ports_join_a_port_group_in_creation_order(ironic, cloud):
    node = _node(ironic)
    group = post(ironic, "portgroups", {
        "node_uuid": node, "name": "bond0", "mode": "802.3ad", "address": "52:54:00:aa:00:02",
        "properties": {"miimon": 100, "xmit_hash_policy": "layer3+4"},
        "standalone_ports_supported": False})
    assert group.status_code == 201, group.content
    group = group.json()
    assert (group["mode"], group["properties"]) == (
        "802.3ad", {"miimon": 100, "xmit_hash_policy": "layer3+4"})
    made = []
    for mac in ("52:54:00:aa:00:03", "52:54:00:AA:00:02", "52:54:00:aa:00:01"):
        port = post(ironic, "ports", {
            "node_uuid": node, "address": mac, "pxe_enabled": False,
            "physical_network": "physnet1", "portgroup_uuid": group["uuid"],
            "local_link_connection": {"switch_id": "00-11-22-33-44-55", "port_id": "Eth1/1"}})
        assert port.status_code == 201, port.content
        made.append(port.json())
    assert made[1]["address"] == "52:54:00:aa:00:02"  # its group's MAC: a member may share it
    assert made[0]["local_link_connection"]["switch_id"] == "00:11:22:33:44:55"
    order = [p["uuid"] for p in made]
    for path in ("ports", "ports/detail", f"nodes/{node}/ports", "portgroups/bond0/ports",
                 f"portgroups/{group['uuid']}/ports/detail"):
        assert [p["uuid"] for p in ironic.get(f"/baremetal/v1/{path}").json()["ports"]] == \
            order, path
    members = PortGroup.objects.get().ports.all()
    assert [str(p.pk) for p in baremetal_member_order(members)] == order

    listed = ironic.get("/baremetal/v1/ports", {"limit": "2"}).json()
    assert [p["uuid"] for p in listed["ports"]] == order[:2]
    assert listed["next"].startswith("http://testserver/baremetal/v1/ports?")
    following = ironic.get(listed["next"].removeprefix("http://testserver")).json()
    assert [p["uuid"] for p in following["ports"]] == order[2:] and "next" not in following
    by_address = ironic.get("/baremetal/v1/ports", {"address": "52-54-00-AA-00-01"}).json()
    assert [p["uuid"] for p in by_address["ports"]] == [order[2]]
    assert ironic.get("/baremetal/v1/ports", {"node": "rack-1", "portgroup": "bond0"}).json()[
        "ports"][0]["uuid"] == order[0]
    assert [g["name"] for g in ironic.get(f"/baremetal/v1/nodes/{node}/portgroups").json()[
        "portgroups"]] == ["bond0"]


def test_port_and_group_rules_are_the_services(ironic, cloud):
    node = _node(ironic)
    other = _node(ironic, "rack-2")
    group = post(ironic, "portgroups", {"node_uuid": node, "name": "bond0"}).json()
    assert group["mode"] == "active-backup"  # Ironic's default_portgroup_mode
    port = post(ironic, "ports", {"node_uuid": node, "address": "52:54:00:aa:00:01",
                                  "physical_network": "physnet1",
                                  "portgroup_uuid": group["uuid"]}).json()
    refusals = [
        (post(ironic, "portgroups", {"node_uuid": node, "name": "b1", "mode": "802.3ad",
                                     "properties": {"lacp_rate": "sometimes"}}), 400,
         "Bonding option 'lacp_rate' (mode '802.3ad') must be one of slow, fast, not "
         "'sometimes'"),
        (post(ironic, "portgroups", {"node_uuid": node, "name": "b1", "mode": "4"}), 400, None),
        (post(ironic, "portgroups", {"node_uuid": node, "name": "bond0"}), 409, None),
        (post(ironic, "ports", {"node_uuid": node, "address": "52:54:00:aa:00:02",
                                "physical_network": "physnet2",
                                "portgroup_uuid": group["uuid"]}), 409,
         "Port with physical network 'physnet2' cannot join port group bond0, whose ports are "
         "on 'physnet1'"),
        (post(ironic, "ports", {"node_uuid": other, "address": "52:54:00:aa:00:02",
                                "portgroup_uuid": group["uuid"]}), 400,
         "A port can not join a port group of a different node"),
        (post(ironic, "ports", {"node_uuid": node, "address": "52:54:00:aa:00:01"}), 409,
         "A port with MAC 52:54:00:aa:00:01 already exists"),
        (post(ironic, "ports", {"node_uuid": node, "address": "ff:ff:ff:ff:ff:ff"}), 400, None),
        (post(ironic, "ports", {"node_uuid": node, "address": "52:54:00:aa:00:02",
                                "pxe_enabled": "maybe"}), 400, None),
        (post(ironic, "ports", {"node_uuid": node, "address": "52:54:00:aa:00:02",
                                "local_link_connection": {"switch_id": "x"}}), 400, None),
        (post(ironic, "ports", {"node_uuid": "rack-1", "address": "52:54:00:aa:00:02"}), 400,
         None),
        (patch(ironic, f"ports/{port['uuid']}", [
            {"op": "replace", "path": "/physical_network", "value": "physnet2"}]), 400,
         "Port 52:54:00:aa:00:01 is a member of port group bond0; its physical network "
         "cannot change while it is (members share one)"),
        (patch(ironic, f"ports/{port['uuid']}", [
            {"op": "replace", "path": "/node_uuid", "value": other}]), 400, None),
        (patch(ironic, "portgroups/bond0", [
            {"op": "replace", "path": "/mode", "value": "balance-rr"},
            {"op": "add", "path": "/properties/lacp_rate", "value": "fast"}]), 400,
         "Bonding option 'lacp_rate' is not allowed in mode 'balance-rr': it applies only to "
         "802.3ad"),
        (patch(ironic, "portgroups/bond0", [{"op": "remove", "path": "/mode"}]), 400,
         "'/mode' is a mandatory attribute and can not be removed"),
    ]
    for response, status, message in refusals:
        said = fault(response, status)
        assert message is None or said == message, said
    assert Port.objects.count() == 1 and PortGroup.objects.count() == 1
    assert PortGroup.objects.get().mode == "active-backup"

    changed = patch(ironic, "portgroups/bond0", [
        {"op": "replace", "path": "/mode", "value": "802.3ad"},
        {"op": "add", "path": "/properties", "value": {"miimon": 100, "lacp_rate": "fast"}},
        {"op": "replace", "path": "/name", "value": "bond1"}])
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["mode"], changed.json()["properties"]) == (
        "bond1", "802.3ad", {"miimon": 100, "lacp_rate": "fast"})
    moved = patch(ironic, f"ports/{port['uuid']}", [
        {"op": "remove", "path": "/portgroup_uuid"},
        {"op": "replace", "path": "/pxe_enabled", "value": False},
        {"op": "replace", "path": "/address", "value": "52:54:00:AA:00:09"}]).json()
    assert (moved["portgroup_uuid"], moved["pxe_enabled"], moved["address"]) == (
        None, False, "52:54:00:aa:00:09")
    assert ironic.delete("/baremetal/v1/portgroups/bond1").status_code == 204
    assert ironic.delete(f"/baremetal/v1/ports/{port['uuid']}").status_code == 204
    assert not Port.objects.exists() and not PortGroup.objects.exists()


def test_lists_cost_the_same_queries_for_one_node_or_many(ironic, cloud):
    """A list reads its rows, and what each shows (a node's instances, a port's or group's
    VIF), in a fixed number of queries: none more per node, port or group."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def costs():
        counted = {}
        for path in ("nodes/detail", "ports/detail", "portgroups/detail"):
            with CaptureQueriesContext(connection) as queries:
                assert ironic.get(f"/baremetal/v1/{path}").status_code == 200
            counted[path] = len(queries)
        return counted

    build_node("rack-1", cloud.project_a, [("", True), ("", True)],
               groups=[{"name": "bond-1", "ports": [0, 1]}])
    one = costs()
    for n in range(2, 6):
        built = build_node(f"rack-{n}", cloud.project_a, [("", True), ("", True)],
                           groups=[{"name": f"bond-{n}", "ports": [0, 1]}])
        instances.launch_instance(project=cloud.project_a, name=f"bm-{n}", node=built.node,
                                  nics=[instances.NicRequest(cloud.net_a.id)])
    assert costs() == one
