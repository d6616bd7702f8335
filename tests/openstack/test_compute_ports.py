"""Ports made before their server, attached by the compute face as Nova attaches them: a
server created on ``{"port": ID}``, ``os-interface`` with ``port_id``; and given back, not
deleted, when the server goes or the interface is detached."""


from multinic_api.models import VIF, FixedIP, Instance
from multinic_api.services import instances
from tests.harness.baremetal_fixtures import build_node
from tests.harness.helpers import keystone_client

IMAGE = "6f1b1e4e-5b5b-4d5e-9a3c-0c1a2b3c4d01"


def _server(nova, *networks, **extra):
    return nova.post("/compute/v2.1/servers", {"server": {
        "name": "vm", "imageRef": IMAGE, "flavorRef": "1", "networks": list(networks),
        **extra}}, format="json")


def _port(cloud, project=None, network=None):
    return instances.create_port(project=project or cloud.project_a,
                                 network_id=(network or cloud.net_a).id)


def _held(vif: VIF) -> tuple[str, list[str]]:
    return vif.mac, sorted(FixedIP.objects.filter(vif=vif).values_list("address", flat=True))


def test_a_server_takes_a_port_as_its_nic_at_its_place(nova, cloud):
    port = _port(cloud)
    before = _held(port)
    response = _server(nova, {"uuid": str(cloud.shared.id)}, {"port": str(port.uuid)},
                       {"uuid": str(cloud.net_a.id)})
    assert response.status_code == 202, response.content
    vifs = list(VIF.objects.filter(instance_id=response.json()["server"]["id"])
                .order_by("position"))
    assert [v.position for v in vifs] == [0, 1, 2]
    assert vifs[1].uuid == port.uuid and _held(vifs[1]) == before
    assert vifs[1].project_id == cloud.project_a.pk
    attachments = nova.get(f"/compute/v2.1/servers/{vifs[0].instance_id}/os-interface").json()
    assert [a["port_id"] for a in attachments["interfaceAttachments"]] == [
        str(v.uuid) for v in vifs]


def test_a_port_in_use_is_refused_with_409_and_nothing_written(nova, cloud):
    port = _port(cloud)
    assert _server(nova, {"port": str(port.uuid)}).status_code == 202
    again = _server(nova, {"uuid": str(cloud.net_a.id)}, {"port": str(port.uuid)})
    assert again.status_code == 409
    assert again.json() == {"conflictingRequest": {
        "code": 409, "message": f"Port {port.uuid} is still in use."}}
    assert Instance.objects.count() == 1 and VIF.objects.count() == 1


def test_ports_nova_cannot_use_are_400s(nova, cloud):
    bobs = _port(cloud, project=cloud.project_b, network=cloud.net_b)
    unseen = _server(nova, {"port": str(bobs.uuid)})
    assert unseen.status_code == 400
    assert unseen.json()["badRequest"]["message"] == f"Port id {bobs.uuid} could not be found."
    mine = _port(cloud)
    for nic in ({"port": str(mine.uuid), "fixed_ip": "10.0.0.9"},
                {"port": "not-a-uuid"},
                {"port": str(mine.uuid), "uuid": str(cloud.net_a.id)}):
        refused = _server(nova, nic)
        assert refused.status_code == 400, nic
        assert set(refused.json()) == {"badRequest"}
    twice = _server(nova, {"port": str(mine.uuid)}, {"port": str(mine.uuid)})
    assert twice.status_code == 400
    assert not Instance.objects.exists()
    assert VIF.objects.get(pk=mine.uuid).instance_id is None


def test_an_admin_cannot_put_one_projects_port_on_anothers_server(cloud):
    client = keystone_client("root", "pw-root", "admin")
    alices = _port(cloud)
    refused = _server(client, {"port": str(alices.uuid)})
    assert refused.status_code == 400
    assert "cannot be attached" in refused.json()["badRequest"]["message"]
    assert not Instance.objects.exists()


def test_os_interface_attaches_a_port_at_the_next_place(nova, cloud):
    server = instances.launch_instance(project=cloud.project_a, name="vm",
                                       nics=[instances.NicRequest(cloud.net_a.id)])
    port = _port(cloud, network=cloud.shared)
    before = _held(port)
    url = f"/compute/v2.1/servers/{server.uuid}/os-interface"
    response = nova.post(url, {"interfaceAttachment": {"port_id": str(port.uuid)}},
                         format="json")
    assert response.status_code == 200, response.content
    attached = response.json()["interfaceAttachment"]
    assert (attached["port_id"], attached["mac_addr"]) == (str(port.uuid), before[0])
    port.refresh_from_db()
    assert (port.instance_id, port.position) == (server.uuid, 1)
    assert nova.post(url, {"interfaceAttachment": {"port_id": str(port.uuid)}},
                     format="json").status_code == 409
    missing = nova.post(url, {"interfaceAttachment": {
        "port_id": "5b0f1f3c-0000-4000-8000-000000000000"}}, format="json")
    assert missing.status_code == 404 and "itemNotFound" in missing.json()


def test_detach_and_server_delete_give_a_made_port_back(nova, cloud):
    port = _port(cloud)
    before = _held(port)
    server_id = _server(nova, {"uuid": str(cloud.shared.id)}, {"port": str(port.uuid)},
                        {"uuid": str(cloud.net_a.id)}).json()["server"]["id"]
    made = VIF.objects.get(instance_id=server_id, position=2)
    url = f"/compute/v2.1/servers/{server_id}/os-interface/{port.uuid}"
    assert nova.delete(url).status_code == 202
    port.refresh_from_db()
    assert (port.instance_id, port.position, port.tag) == (None, None, None)
    assert _held(port) == before
    # Attached again, then the server deleted: the port stays, the NICs the launch made go.
    assert nova.post(f"/compute/v2.1/servers/{server_id}/os-interface",
                     {"interfaceAttachment": {"port_id": str(port.uuid)}},
                     format="json").status_code == 200
    assert nova.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    assert list(VIF.objects.values_list("uuid", flat=True)) == [port.uuid]
    assert not VIF.objects.filter(pk=made.pk).exists()
    assert _held(VIF.objects.get(pk=port.uuid)) == before


def test_a_bare_metal_server_refuses_a_made_port(nova, cloud):
    build_node("pn-node", cloud.project_a, [("", True)])
    port = _port(cloud)
    refused = _server(nova, {"port": str(port.uuid)}, availability_zone="nova::pn-node")
    assert refused.status_code == 400
    assert "on bare metal" in refused.json()["badRequest"]["message"]
    assert not Instance.objects.exists()
