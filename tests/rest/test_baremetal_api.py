"""Bare metal through the REST API: nodes, ports, port groups, the bonding table, and
launches onto a node down to network_data.json and the config-drive ISO."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from multinic_api.exceptions import InvalidInput
from multinic_api.guest.iso import read_iso
from multinic_api.models import VIF, Instance, Node, Port, PortGroup
from multinic_api.services import baremetal, instances, subnets
from tests.harness.baremetal_fixtures import build_node
from tests.harness.errors import assert_error


@pytest.fixture
def rack(cloud):
    """Project A's node: four ports, 0 and 1 bonded 802.3ad; a physnet1 network of A's."""
    cloud.phys = subnets.create_network(cloud.project_a, "phys", physical_network="physnet1")
    cloud.phys_v4 = subnets.create_subnet(cloud.phys, "10.5.0.0/24", name="phys-v4",
                                          enable_dhcp=False, dns_nameservers=["10.5.0.2"])
    cloud.node = build_node("rack-1", cloud.project_a,
                            [("physnet1", True)] * 4,
                            groups=[{"name": "rack-1-bond0", "ports": [0, 1], "mode": "802.3ad",
                                     "properties": {"miimon": 100,
                                                    "xmit_hash_policy": "layer3+4"}}])
    return cloud


def launch(client, nics, node="rack-1", name="bm", status=201, **extra):
    response = client.post("/api/instances/", {"name": name, "node": node, "nics": nics,
                                                **extra}, format="json")
    assert response.status_code == status, response.content
    return response.json()


def on(network, **carrier):
    return {"network_id": str(network.id), **carrier}


# --- the bonding table ------------------------------------------------------------------------

def test_bonding_modes_endpoint_serves_the_table(cloud):
    response = cloud.a.get("/api/bonding/modes/")
    assert response.status_code == 200
    modes = {m["name"]: m for m in response.json()}
    assert list(modes) == ["balance-rr", "active-backup", "balance-xor", "broadcast",
                           "802.3ad", "balance-tlb", "balance-alb"]
    assert "LACP" in modes["802.3ad"]["switch_help"]
    assert [o["name"] for o in modes["802.3ad"]["options"]] == [
        "miimon", "updelay", "downdelay", "xmit_hash_policy", "lacp_rate", "ad_select"]
    assert modes["active-backup"]["default"] is True
    assert cloud.anonymous.get("/api/bonding/modes/").status_code == 401
    assert cloud.a.post("/api/bonding/modes/", {}).status_code == 405


# --- nodes, ports, port groups: admin writes, tenants read their own --------------------------

def test_admin_builds_a_node_with_ports_and_a_group(cloud):
    node = cloud.admin.post("/api/nodes/", {"name": "n1", "project_id": cloud.project_a.pk,
                                            "properties": {"cpus": 8}}, format="json")
    assert node.status_code == 201, node.content
    node_uuid = node.json()["uuid"]
    ports = []
    for i, physnet in enumerate(["physnet1", "physnet1", "physnet2"]):
        response = cloud.admin.post("/api/ports/", {
            "node_uuid": node_uuid, "mac": f"52-54-00-AB-00-0{i}", "physical_network": physnet,
            "local_link_connection": {"switch_id": "00:1C:73:00:00:01",
                                      "port_id": f"Ethernet1/{i}"}}, format="json")
        assert response.status_code == 201, response.content
        ports.append(response.json())
    assert ports[0]["mac"] == "52:54:00:ab:00:00" and ports[0]["pxe_enabled"] is True
    assert ports[0]["local_link_connection"]["switch_id"] == "00:1c:73:00:00:01"
    group = cloud.admin.post("/api/portgroups/", {
        "node_uuid": node_uuid, "name": "n1-bond0", "mode": "balance-xor", "mac": ports[1]["mac"],
        "properties": {"miimon": 100, "updelay": 150},
        "ports": [ports[1]["uuid"], ports[0]["uuid"]]}, format="json")
    assert group.status_code == 201, group.content
    body = group.json()
    assert body["ports"] == [ports[0]["uuid"], ports[1]["uuid"]]  # member order: by MAC
    assert body["physical_network"] == "physnet1" and body["mac"] == ports[1]["mac"]
    assert body["warnings"] == ["Bonding option 'updelay' 150 ms is not a multiple of miimon "
                                "100 ms; the kernel rounds it down to 100 ms"]
    assert cloud.admin.get(f"/api/ports/{ports[0]['uuid']}/").json()["port_group_uuid"] == \
        body["uuid"]
    listed = cloud.admin.get(f"/api/portgroups/?node={node_uuid}").json()["results"]
    assert [g["name"] for g in listed] == ["n1-bond0"]
    assert cloud.admin.get("/api/ports/?node=n1").json()["count"] == 3

    # tenants of the node's project read it; they do not write
    assert cloud.a.get(f"/api/nodes/{node_uuid}/").json()["ports"]
    assert cloud.a.get("/api/ports/?node=n1").json()["count"] == 3
    assert_error(cloud.a.post("/api/nodes/", {"name": "mine"}, format="json"), 403)
    assert_error(cloud.a.patch(f"/api/portgroups/{body['uuid']}/", {"mode": "802.3ad"},
                               format="json"), 403)
    assert_error(cloud.a.delete(f"/api/ports/{ports[2]['uuid']}/"), 403)
    # other tenants do not see it at all
    assert_error(cloud.b.get(f"/api/nodes/{node_uuid}/"), 404)
    assert cloud.b.get("/api/portgroups/").json()["count"] == 0
    assert_error(cloud.b.get("/api/ports/?node=n1"), 404)


@pytest.mark.parametrize("path,body,status,words", [
    ("nodes", {"name": "has space"}, 400, "node name must be"),
    ("nodes", {"name": "n", "project_id": "nope"}, 404, "Project nope not found"),
    ("ports", {"mac": "01:00:5e:00:00:01"}, 400, "multicast"),
    ("ports", {"mac": "MAC0"}, 409, "A port with MAC MAC0 already"),
    ("ports", {"mac": "52:54:00:00:00:09", "local_link_connection": {"port_id": "e1"}}, 400,
     "switch_id"),
    ("ports", {"mac": "52:54:00:00:00:09", "bogus": 1}, 400, "bogus: Unknown field"),
    ("portgroups", {"name": "g", "mode": "4"}, 400, "names, not the kernel's numbers"),
    ("portgroups", {"name": "g", "mode": "active-backup", "properties": {"lacp_rate": "fast"}},
     400, "'lacp_rate' is not allowed in mode 'active-backup'"),
    ("portgroups", {"name": "g", "mode": "active-backup", "properties": {"primary": "eth0"}},
     400, "'primary' (mode 'active-backup') must name a member"),
    ("portgroups", {"name": "rack-1-bond0"}, 409, "already exists"),
    ("portgroups", {"name": "g", "mac": "MAC3"}, 409, "not a member"),
    ("portgroups", {"name": "g", "ports": ["PORT0"]}, 409, "already a member of port group"),
    ("portgroups", {"name": "g", "ports": ["PORT2", "PORT3"], "mode": "balance-rr"}, 409,
     "members must share one physical network"),
])
def test_bare_metal_writes_validate(rack, path, body, status, words):
    node = rack.node
    Port.objects.filter(pk=node.ports[3].pk).update(physical_network="physnet9")
    text = json.dumps(body)
    for i, port in enumerate(node.ports):
        text = text.replace(f"PORT{i}", str(port.pk)).replace(f"MAC{i}", port.mac)
        words = words.replace(f"MAC{i}", port.mac)
    body = json.loads(text)
    if path != "nodes":
        body["node_uuid"] = str(node.node.pk)
    before = (Port.objects.count(), PortGroup.objects.count())
    error = assert_error(rack.admin.post(f"/api/{path}/", body, format="json"), status)
    assert words in error["detail"], error
    assert (Port.objects.count(), PortGroup.objects.count()) == before


def test_port_joining_a_group_on_another_physnet_is_409(rack):
    node = rack.node
    loose = rack.admin.post("/api/ports/", {"node_uuid": str(node.node.pk),
                                            "mac": "52:54:00:00:00:99",
                                            "physical_network": "physnet2"}, format="json")
    error = assert_error(rack.admin.patch(f"/api/ports/{loose.json()['uuid']}/", {
        "port_group_uuid": str(node.groups[0].pk)}, format="json"), 409)
    assert "cannot join port group rack-1-bond0, whose ports are on 'physnet1'" in \
        error["detail"]


def test_a_group_without_standalone_ports_has_no_pxe_member(rack):
    """Ironic's rule, on every path into it: group create and PATCH, port create and PATCH.
    Each refusal is a 409 that names the port, and changes nothing."""
    node, admin = rack.node, rack.admin
    pxe, quiet = node.ports[2], node.ports[3]  # rack-1's ports all have PXE on
    Port.objects.filter(pk=quiet.pk).update(pxe_enabled=False)

    def refused(response):
        error = assert_error(response, 409)
        assert "does not support standalone ports" in error["detail"], error
        return error["detail"]

    assert pxe.mac in refused(admin.post("/api/portgroups/", {
        "node_uuid": str(node.node.pk), "name": "lag", "standalone_ports_supported": False,
        "ports": [str(pxe.pk), str(quiet.pk)]}, format="json"))
    assert not PortGroup.objects.filter(name="lag").exists()
    group = admin.post("/api/portgroups/", {
        "node_uuid": str(node.node.pk), "name": "lag", "standalone_ports_supported": False,
        "ports": [str(quiet.pk)]}, format="json")
    assert group.status_code == 201, group.content
    url = f"/api/portgroups/{group.json()['uuid']}/"
    refused(admin.patch(url, {"ports": [str(quiet.pk), str(pxe.pk)]}, format="json"))
    refused(admin.patch(f"/api/ports/{quiet.pk}/", {"pxe_enabled": True}, format="json"))
    refused(admin.patch(f"/api/ports/{pxe.pk}/", {"port_group_uuid": group.json()["uuid"]},
                        format="json"))
    refused(admin.post("/api/ports/", {
        "node_uuid": str(node.node.pk), "mac": "52:54:00:00:00:98",
        "physical_network": "physnet1", "port_group_uuid": group.json()["uuid"]},
        format="json"))  # PXE is on by default
    assert list(Port.objects.filter(port_group__name="lag")) == [quiet]
    assert not Port.objects.get(pk=quiet.pk).pxe_enabled
    # the 802.3ad bond0 has PXE members: it cannot stop supporting standalone ports...
    refused(admin.patch(f"/api/portgroups/{node.groups[0].pk}/",
                        {"standalone_ports_supported": False}, format="json"))
    assert PortGroup.objects.get(pk=node.groups[0].pk).standalone_ports_supported
    # ...and without PXE on its ports, it can
    Port.objects.filter(port_group=node.groups[0]).update(pxe_enabled=False)
    assert admin.patch(f"/api/portgroups/{node.groups[0].pk}/",
                       {"standalone_ports_supported": False}, format="json").status_code == 200


def test_what_carries_a_vif_cannot_be_taken_apart(rack):
    node = rack.node
    instance = launch(rack.a, [on(rack.phys), on(rack.phys)])
    group, port = node.groups[0], VIF.objects.get(instance_id=instance["uuid"], position=1).port
    error = assert_error(rack.admin.delete(f"/api/portgroups/{group.pk}/"), 409)
    assert "carries interface" in error["detail"] and instance["uuid"] in error["detail"]
    assert_error(rack.admin.delete(f"/api/ports/{port.pk}/"), 409)
    assert_error(rack.admin.delete(f"/api/ports/{node.ports[0].pk}/"), 409)  # a member
    assert_error(rack.admin.patch(f"/api/portgroups/{group.pk}/",
                                  {"ports": [str(node.ports[0].pk)]}, format="json"), 409)
    assert_error(rack.admin.patch(f"/api/ports/{port.pk}/", {"mac": "52:54:00:00:77:77"},
                                  format="json"), 409)
    assert_error(rack.admin.delete(f"/api/nodes/{node.node.pk}/"), 409)
    # options may change (they apply to the next binding); the bound NIC keeps its own
    changed = rack.admin.patch(f"/api/portgroups/{group.pk}/", {"properties": {"miimon": 200}},
                               format="json")
    assert changed.status_code == 200, changed.content
    vif = rack.a.get(f"/api/instances/{instance['uuid']}/interfaces/").json()[0]
    assert vif["binding_profile"]["local_group_information"]["bond_properties"]["miimon"] == 100
    assert rack.a.delete(f"/api/instances/{instance['uuid']}/").status_code == 204
    assert rack.admin.delete(f"/api/portgroups/{group.pk}/").status_code == 204
    assert Port.objects.filter(node=node.node).count() == 4  # ports stay
    assert rack.admin.delete(f"/api/nodes/{node.node.pk}/").status_code == 204
    assert not Port.objects.exists()


def test_a_carrying_group_accepts_its_own_members_back(rack):
    """PATCH with the unchanged member list (what an edit form sends) is not a change: its
    members carry the group's own VIF, and that does not stop them staying members."""
    group = rack.node.groups[0]
    launch(rack.a, [on(rack.phys)])
    assert VIF.objects.filter(port_group=group).exists()
    before = rack.admin.get(f"/api/portgroups/{group.pk}/").json()
    same = list(reversed(before["ports"]))  # any order: the members are a set
    patched = rack.admin.patch(f"/api/portgroups/{group.pk}/", {"ports": same}, format="json")
    assert patched.status_code == 200, patched.content
    assert {k: v for k, v in patched.json().items() if k != "warnings"} == before
    assert rack.admin.get(f"/api/portgroups/{group.pk}/").json() == before
    assert set(Port.objects.filter(port_group=group).values_list("pk", flat=True)) == \
        {p.pk for p in rack.node.ports[:2]}


@pytest.mark.parametrize("members", [[0], [0, 1, 2], [2, 3], []])
def test_a_carrying_groups_members_cannot_change(rack, members):
    group = rack.node.groups[0]
    launch(rack.a, [on(rack.phys)])
    ports = [str(rack.node.ports[i].pk) for i in members]
    error = assert_error(rack.admin.patch(f"/api/portgroups/{group.pk}/", {"ports": ports},
                                          format="json"), 409)
    assert error["detail"] == (
        f"Port group {group.name} carries interface {VIF.objects.get(port_group=group).uuid}; "
        "its members cannot change until that interface is detached")
    assert set(Port.objects.filter(port_group=group).values_list("pk", flat=True)) == \
        {p.pk for p in rack.node.ports[:2]}


def test_mac_owner_names_ports_and_groups(rack):
    port = rack.node.ports[2]
    body = rack.admin.get(f"/api/macs/{port.mac.upper()}/").json()
    assert body["kind"] == "port" and body["port"]["uuid"] == str(port.pk)
    assert body["vif"] is None
    launch(rack.a, [on(rack.phys, port=str(port.pk))])
    body = rack.admin.get(f"/api/macs/{port.mac}/").json()
    assert body["kind"] == "vif" and body["port"]["vif_uuid"] == body["vif"]["uuid"]
    group = rack.node.groups[0]
    assert rack.admin.patch(f"/api/portgroups/{group.pk}/", {"mac": "52:54:00:aa:bb:cc"},
                            format="json").status_code == 200
    body = rack.admin.get("/api/macs/52-54-00-AA-BB-CC/").json()
    assert (body["mac"], body["kind"], body["vif"], body["port"]) == (
        "52:54:00:aa:bb:cc", "port_group", None, None)
    assert body["port_group"]["uuid"] == str(group.pk) and body["port_group"]["vif_uuid"] is None
    assert body["port_group"]["ports"] == sorted((str(p.pk) for p in rack.node.ports[:2]),
                                                 key=lambda pk: Port.objects.get(pk=pk).mac)


# --- launching onto a node --------------------------------------------------------------------

def test_802_3ad_bond_of_two_ports_end_to_end(rack):
    """Bond two free ports in 802.3ad at launch, then read network_data.json and the ISO."""
    ports = rack.node.ports[2:]
    instance = launch(rack.a, [on(rack.phys, bond={
        "ports": [str(p.pk) for p in ports], "mode": "802.3ad",
        "properties": {"miimon": 100, "lacp_rate": "fast", "xmit_hash_policy": "layer3+4"}})],
        config_drive=True)
    assert instance["warnings"] == [] and instance["node_uuid"] == str(rack.node.node.pk)
    (vif,) = instance["interfaces"]
    assert vif["vnic_type"] == "baremetal" and vif["mac"] == ports[0].mac
    assert vif["port_group_uuid"] and vif["port_uuid"] is None
    network_data = rack.a.get(f"/api/instances/{instance['uuid']}/config_drive/openstack/"
                              "latest/network_data.json").json()
    bond, *members = network_data["links"]
    assert bond == {
        "id": ("tap" + vif["uuid"])[:14], "vif_id": vif["uuid"], "type": "bond", "mtu": 1500,
        "ethernet_mac_address": ports[0].mac, "bond_mode": "802.3ad",
        "bond_links": [str(p.pk) for p in ports], "bond_miimon": 100,
        "bond_lacp_rate": "fast", "bond_xmit_hash_policy": "layer3+4"}
    assert members == [{"id": str(p.pk), "type": "phy", "ethernet_mac_address": p.mac}
                       for p in ports]
    assert network_data["networks"][0]["link"] == bond["id"]
    assert network_data["networks"][0]["ip_address"] == vif["fixed_ips"][0]["ip_address"]
    image = rack.a.get(f"/api/instances/{instance['uuid']}/config_drive.iso")
    assert image.status_code == 200
    files = read_iso(b"".join(image.streaming_content) if image.streaming else image.content)
    assert json.loads(files["openstack/latest/network_data.json"]) == network_data
    # and the instance's delete takes the bond with it
    assert rack.a.delete(f"/api/instances/{instance['uuid']}/").status_code == 204
    assert PortGroup.objects.filter(pk=vif["port_group_uuid"]).count() == 0


def test_preview_shows_the_bond_and_commits_nothing(rack):
    counts = (Instance.objects.count(), VIF.objects.count(), PortGroup.objects.count())
    ports = rack.node.ports[2:]
    response = rack.a.post("/api/instances/preview/", {
        "name": "bm", "node": "rack-1", "nics": [on(rack.phys, bond={
            "ports": [str(ports[0].pk)], "mode": "balance-alb"})]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["network_data"]["links"][0]["type"] == "bond"
    assert body["network_data"]["links"][0]["bond_mode"] == "balance-alb"
    assert "one member port" in body["warnings"][0]
    assert (Instance.objects.count(), VIF.objects.count(), PortGroup.objects.count()) == counts
    assert Port.objects.get(pk=ports[0].pk).port_group_id is None


@pytest.mark.parametrize("nics,node,status,words", [
    ([{"port": "52:54:00:00:00:00"}], "rack-1", 400, "has no port"),
    ([{"bond": {"port_group": "rack-1-bond0", "ports": []}}], "rack-1", 400,
     "either an existing port_group or the ports"),
    ([{"bond": {"port_group": "rack-1-bond0", "mode": "802.3ad",
                "properties": {"primary": "x"}}}], "rack-1", 400,
     "'primary' is not allowed in mode '802.3ad'"),
    ([{"port": "PORT2", "bond": {"ports": ["PORT3"]}}], "rack-1", 400, "a port or a bond"),
    ([{"port": "PORT2"}], None, 400, "needs a bare-metal node"),
    ([{}], "no-such-node", 404, "Node no-such-node not found"),
    ([{}, {}, {}, {}], "rack-1", 409, "no free port or port group"),
])
def test_launch_errors_on_a_node(rack, nics, node, status, words):
    text = json.dumps(nics)
    for i, port in enumerate(rack.node.ports):
        text = text.replace(f"PORT{i}", str(port.pk))
    nics = [on(rack.phys, **n) for n in json.loads(text)]
    body = {"name": "bm", "nics": nics}
    if node:
        body["node"] = node
    error = assert_error(rack.a.post("/api/instances/", body, format="json"), status)
    assert words in error["detail"], error
    assert not Instance.objects.exists() and PortGroup.objects.count() == 1


def test_a_tenant_cannot_launch_on_another_projects_node(rack):
    net_b = rack.net_b
    assert_error(rack.b.post("/api/instances/", {"name": "x", "node": "rack-1",
                                                 "nics": [on(net_b)]}, format="json"), 404)
    assert_error(rack.b.post("/api/instances/", {"name": "x", "node": str(rack.node.node.pk),
                                                 "nics": [on(net_b)]}, format="json"), 404)
    assert not Instance.objects.exists()


def test_launch_and_attach_answer_what_a_get_then_shows(rack):
    """The launch and attach answers are built from the rows just written, not read back:
    they must equal what the database then gives (carriers, binding profiles, addresses)."""
    instance = launch(rack.a, [
        on(rack.phys, bond={"port_group": "rack-1-bond0", "mode": "active-backup",
                            "properties": {"miimon": 200}}),
        on(rack.phys, port=rack.node.ports[2].mac, fixed_ips=["10.5.0.77"], tag="data")])
    assert instance["interfaces"][0]["binding_profile"]["local_group_information"]
    assert instance.pop("warnings") == []
    assert rack.a.get(f"/api/instances/{instance['uuid']}/").json() == instance
    url = f"/api/instances/{instance['uuid']}/interfaces/"
    attached = rack.a.post(url, on(rack.phys), format="json").json()
    assert attached.pop("warnings") == [] and attached["port_uuid"] == str(rack.node.ports[3].pk)
    assert rack.a.get(f"{url}{attached['uuid']}/").json() == attached


def test_interfaces_show_their_carrier(rack):
    instance = launch(rack.a, [on(rack.phys), on(rack.phys, port=rack.node.ports[3].mac)])
    first, second = rack.a.get(f"/api/instances/{instance['uuid']}/interfaces/").json()
    assert first["port_group_uuid"] == str(rack.node.groups[0].pk)
    assert second["port_uuid"] == str(rack.node.ports[3].pk)
    attached = rack.a.post(f"/api/instances/{instance['uuid']}/interfaces/",
                           on(rack.phys), format="json")
    assert attached.status_code == 201 and attached.json()["port_uuid"] == \
        str(rack.node.ports[2].pk)
    assert_error(rack.a.post(f"/api/instances/{instance['uuid']}/interfaces/", on(rack.phys),
                             format="json"), 409)


def test_patches_that_would_split_a_group_or_move_a_busy_node_are_refused(rack):
    """(Plain patches of nodes, ports and groups: test_resources.py.)"""
    node = rack.node.node
    renamed = rack.admin.patch(f"/api/nodes/{node.pk}/", {"name": "rack-one"}, format="json")
    assert renamed.status_code == 200, renamed.content
    member = rack.node.ports[0]
    error = assert_error(rack.admin.patch(f"/api/ports/{member.pk}/",
                                          {"physical_network": "physnet7"}, format="json"), 400)
    assert "member of port group" in error["detail"]
    launch(rack.a, [on(rack.phys)], node="rack-one")
    error = assert_error(rack.admin.patch(f"/api/nodes/{node.pk}/",
                                          {"project_id": rack.project_b.pk}, format="json"), 409)
    assert "has instances" in error["detail"]
    assert_error(rack.a.patch(f"/api/nodes/{node.pk}/", {"name": "x"}, format="json"), 403)


def test_config_drive_queries_do_not_grow_with_bonds(rack):
    """One bond or two, plus single ports: the same number of queries for network_data."""
    extra = build_node("rack-2", rack.project_a, [("physnet1", True)] * 6)
    one = launch(rack.a, [on(rack.phys)], name="one")
    two = launch(rack.a, [on(rack.phys, bond={"ports": [str(p.pk) for p in extra.ports[:2]]}),
                          on(rack.phys, bond={"ports": [str(p.pk) for p in extra.ports[2:4]]}),
                          on(rack.phys), on(rack.phys)], node="rack-2", name="two")
    path = "config_drive/openstack/latest/network_data.json"
    rack.a.get(f"/api/instances/{one['uuid']}/{path}")  # warm the session and caches
    counts = []
    for instance in (one, two):
        with CaptureQueriesContext(connection) as queries:
            assert rack.a.get(f"/api/instances/{instance['uuid']}/{path}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_tenant_sees_only_its_own_instances_on_its_node(rack):
    # An admin may launch another project's instance onto A's node; A is not told of it.
    cloud = rack
    launch(cloud.a, [on(cloud.phys)], name="a-vm")
    instances.launch_instance(project=cloud.project_b, name="b-on-a", node=cloud.node.node,
                              nics=[instances.NicRequest(network_id=cloud.net_b.pk)],
                              is_admin=True)
    listed = {n["name"]: n for n in cloud.a.get("/api/nodes/").json()["results"]}
    assert [i["name"] for i in listed["rack-1"]["instances"]] == ["a-vm"]
    as_admin = {n["name"]: n for n in cloud.admin.get("/api/nodes/").json()["results"]}
    assert [i["name"] for i in as_admin["rack-1"]["instances"]] == ["a-vm", "b-on-a"]



@pytest.mark.parametrize("name", ["bm-1\n", "x" * 256, "bm 1", ""])
def test_a_node_name_must_be_an_ironic_logical_name(cloud, name):
    # "^...$" took "bm-1\n" ($ also matches before a final newline); the REST API trims it
    # away, other callers of the service did not.
    with pytest.raises(InvalidInput, match="A node name must be 1 to 255"):
        baremetal.create_node(name)
    assert not Node.objects.exists()
