"""Every size limit is the services' (multinic_api.services.limits): each over-limit value is
sent through every face that takes it (the REST API's JSON, Nova's JSON, the dashboard's
launch wizard and network forms) and refused by each with the same message, in that face's
own error format, with nothing written."""

import base64
import html
import json

import pytest
from django.urls import reverse

from multinic_api.exceptions import InvalidInput
from multinic_api.models import VIF, Instance, Keypair, Network, PortGroup
from multinic_api.services import instances, keypairs, limits, subnets
from tests.harness.baremetal_fixtures import build_node
from tests.harness.helpers import ED25519, sign_in

API, NOVA, WIZARD = "api", "nova", "wizard"
ALL = (API, NOVA, WIZARD)


@pytest.fixture
def faces(client, cloud, nova):
    sign_in(client, "alice", "pw-alice")
    return {API: cloud.a, NOVA: nova, WIZARD: client}


def launch_through(face: str, client, cloud, *, name: str = "vm", metadata=None,
                   user_data: bytes | None = None, nics: int = 1, tag: str | None = None,
                   key_name: str | None = None, availability_zone: str | None = None):
    """One launch, in the words of ``face``; the message it answers with (asserting that
    it is that face's 400)."""
    nic = {"network_id": str(cloud.net_a.pk), **({"tag": tag} if tag is not None else {})}
    encoded = base64.b64encode(user_data).decode() if user_data is not None else None
    optional = {key: value for key, value in (
        ("metadata", metadata), ("user_data", encoded), ("key_name", key_name),
        ("availability_zone", availability_zone)) if value is not None}
    if face == API:
        response = client.post("/api/instances/", {"name": name, "nics": [nic] * nics,
                                                   **optional}, format="json")
        assert response.status_code == 400, response.content
        return response.json()["detail"]
    if face == NOVA:
        networks = [{"uuid": nic["network_id"], **({"tag": tag} if tag is not None else {})}]
        response = client.post("/compute/v2.1/servers", {"server": {
            "name": name, "flavorRef": "1", "networks": networks * nics, **optional}},
            format="json")
        assert response.status_code == 400, response.content
        return response.json()["badRequest"]["message"]
    assert key_name is None and availability_zone is None  # the wizard has no such field
    response = client.post("/project/launch/", {
        "name": name, "key_name": "", "config_drive": "on", "node": "", "carriers": "[]",
        "user_data": user_data.decode() if user_data is not None else "",
        "metadata": "\n".join(f"{k}={v}" for k, v in (metadata or {}).items()),
        "nics": json.dumps([nic] * nics)})
    assert response.status_code == 200  # the wizard again, with the error above its steps
    page = response.content.decode()
    assert 'id="launch-error"' in page, page[-3000:]
    return page


LONG = "x" * (limits.NAME + 1)
#: (id, the faces that take the value, launch_through's arguments, what the message says)
OVER_LIMIT = [
    ("name", ALL, {"name": LONG}, "An instance name may be at most 255 characters (it has 256)"),
    ("availability zone", (API, NOVA), {"availability_zone": LONG},
     "An availability zone may be at most 255 characters"),
    ("key_name", (API, NOVA), {"key_name": LONG}, "A key_name may be at most 255 characters"),
    ("metadata items", ALL, {"metadata": {f"k{i}": "v" for i in range(129)}},
     "metadata may have at most 128 items (it has 129)"),
    ("metadata key", ALL, {"metadata": {"k" * 256: "v"}},
     "metadata keys must be strings of 1 to 255 characters"),
    ("empty metadata key", (API, NOVA), {"metadata": {"": "v"}},
     "metadata keys must be strings of 1 to 255 characters"),
    ("metadata value", ALL, {"metadata": {"k": "v" * 256}},
     "metadata value for 'k' must be a string of at most 255 characters"),
    # 49,152 bytes are 65,536 characters of base64: one over Nova's limit.
    ("user_data", ALL, {"user_data": b"#" * 49152},
     "User data too large. User data must be no larger than 65535 bytes once base64 encoded. "
     "Your data is 65536 bytes"),
    ("NICs", ALL, {"nics": 33}, "At most 32 NICs may be requested in one launch (this asks "
                                "for 33)"),
    ("tag", ALL, {"tag": "t" * 61}, "a tag must be 1 to 60 characters without '/', ','"),
    ("tag with a slash", ALL, {"tag": "a/b"}, "a tag must be 1 to 60 characters"),
]


@pytest.mark.parametrize(("faces_taking", "arguments", "expected"),
                         [case[1:] for case in OVER_LIMIT], ids=[case[0] for case in OVER_LIMIT])
def test_each_face_refuses_an_over_limit_launch_with_the_same_message(
        faces, cloud, faces_taking, arguments, expected):
    messages = {face: launch_through(face, faces[face], cloud, **arguments)
                for face in faces_taking}
    for face in faces_taking:
        if face == WIZARD:  # the message inside the page, as a person reads it
            assert html.escape(messages[API]) in messages[WIZARD]
        else:
            assert expected in messages[face]
            assert messages[face] == messages[API]
    assert not Instance.objects.exists() and not VIF.objects.exists()


def test_a_launch_at_each_limit_is_taken(faces, cloud):
    """The limits are where they say: a value at a limit passes on every face."""
    at_limit = {"name": "x" * limits.NAME, "tag": "t" * limits.TAG,
                "metadata": {f"{i:0255d}": "v" * 255 for i in range(limits.METADATA_ITEMS)},
                "user_data": b"#" * (limits.USER_DATA // 4 * 3)}
    api = faces[API].post("/api/instances/", {
        "name": at_limit["name"], "metadata": at_limit["metadata"],
        "user_data": base64.b64encode(at_limit["user_data"]).decode(),
        "nics": [{"network_id": str(cloud.net_a.pk), "tag": at_limit["tag"]}]}, format="json")
    assert api.status_code == 201, api.content
    nova = faces[NOVA].post("/compute/v2.1/servers", {"server": {
        "name": at_limit["name"], "flavorRef": "1", "metadata": at_limit["metadata"],
        "user_data": base64.b64encode(at_limit["user_data"]).decode(),
        "networks": [{"uuid": str(cloud.net_a.pk), "tag": at_limit["tag"]}] * 32}},
        format="json")
    assert nova.status_code == 202, nova.content
    wizard = faces[WIZARD].post("/project/launch/", {
        "name": "w" * limits.NAME, "key_name": "", "config_drive": "on", "node": "",
        "carriers": "[]", "user_data": at_limit["user_data"].decode(),
        "metadata": "\n".join(f"{k}={v}" for k, v in at_limit["metadata"].items()),
        "nics": json.dumps([{"network_id": str(cloud.net_a.pk), "tag": at_limit["tag"]}])})
    assert wizard.status_code == 302, wizard.content[-2000:]
    assert Instance.objects.count() == 3
    # 49,149 bytes: 65,532 characters of base64 (the most a multiple of four allows)
    stored = Instance.objects.get(name="w" * limits.NAME).user_data
    assert base64.b64decode(stored) == at_limit["user_data"] and len(stored) == 65532


# --- key pairs: the REST API's /api/keypairs/ and Nova's os-keypairs -------------------------

KEY_BLOB = ED25519.split()[1]
OVER_LIMIT_KEYS = [
    ("name with a final newline", {"name": "laptop\n"}, "A key pair name is 1 to 255"),
    ("name with a control character", {"name": "lap\ttop"}, "A key pair name is 1 to 255"),
    ("long name", {"name": "k" * 256}, "A key pair name is 1 to 255"),
    # A valid key with a 2 MB comment: it would be copied into every launch's config drive.
    ("2 MB public key", {"public_key": f"ssh-ed25519 {KEY_BLOB} {'c' * 2_000_000}"},
     f"A public key may be at most 16384 characters (it has {len(KEY_BLOB) + 2_000_013})"),
    ("public key one over", {"public_key": ED25519 + " " + "c" * (16384 - len(ED25519))},
     "A public key may be at most 16384 characters (it has 16385)"),
]


@pytest.mark.parametrize(("body", "expected"), [case[1:] for case in OVER_LIMIT_KEYS],
                         ids=[case[0] for case in OVER_LIMIT_KEYS])
def test_both_key_pair_faces_refuse_the_same_keys_with_the_same_message(faces, body, expected):
    keypair = {"name": "laptop", "public_key": ED25519, **body}
    api = faces[API].post("/api/keypairs/", keypair, format="json")
    nova = faces[NOVA].post("/compute/v2.1/os-keypairs", {"keypair": keypair}, format="json")
    assert (api.status_code, nova.status_code) == (400, 400), (api.content, nova.content[:500])
    assert expected in api.json()["detail"]
    assert nova.json()["badRequest"]["message"] == api.json()["detail"]
    assert not Keypair.objects.exists()


def test_a_public_key_at_the_limit_is_imported(cloud):
    key = ED25519 + " " + "c" * (limits.PUBLIC_KEY - len(ED25519) - 1)
    assert len(keypairs.import_keypair(cloud.alice.user_id, "big", key).public_key) == 16384


# --- networks and subnets: the REST API and the dashboard's forms (which post to it) ---------

def form_error(response) -> str:
    """The form's own error, as the modal shows it."""
    assert response.status_code == 200
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


@pytest.mark.parametrize(("api_body", "form", "expected"), [
    ({"name": "n" * 256}, {"name": "n" * 256}, "A network name may be at most 255 characters"),
], ids=["network name"])
def test_an_over_limit_network_is_refused_alike_by_the_api_and_the_dashboard(
        faces, cloud, api_body, form, expected):
    before = set(Network.objects.values_list("pk", flat=True))
    api = faces[API].post("/api/networks/", api_body, format="json")
    assert api.status_code == 400 and expected in api.json()["detail"]
    dashboard = faces[WIZARD].post("/project/multinic_networks/create/", form)
    assert form_error(dashboard) == api.json()["detail"]
    assert set(Network.objects.values_list("pk", flat=True)) == before


SUBNET_FORM = {"cidr": "10.5.0.0/24", "name": "", "gateway": "auto", "gateway_ip": "",
               "enable_dhcp": "on", "dhcp_server": "", "dns_nameservers": "",
               "allocation_pools": "", "host_routes": "", "ipv6_address_mode": ""}
DNS = [f"10.5.0.{i}" for i in range(1, 18)]
POOLS = [{"start": f"10.5.{i}.1", "end": f"10.5.{i}.2"} for i in range(65)]
ROUTES = [{"destination": f"192.168.{i}.0/24", "nexthop": "10.5.0.254"} for i in range(65)]


@pytest.mark.parametrize(("api_body", "form", "expected"), [
    ({"name": "s" * 256}, {"name": "s" * 256}, "A subnet name may be at most 255 characters"),
    ({"dns_nameservers": DNS}, {"dns_nameservers": "\n".join(DNS)},
     "At most 16 DNS name servers may be given (there are 17)"),
    ({"allocation_pools": POOLS},
     {"allocation_pools": "\n".join(f"{p['start']}-{p['end']}" for p in POOLS)},
     "At most 64 allocation pools may be given (there are 65)"),
    ({"host_routes": ROUTES},
     {"host_routes": "\n".join(f"{r['destination']},{r['nexthop']}" for r in ROUTES)},
     "At most 64 host routes may be given (there are 65)"),
], ids=["subnet name", "DNS name servers", "allocation pools", "host routes"])
def test_an_over_limit_subnet_is_refused_alike_by_the_api_and_the_dashboard(
        faces, cloud, api_body, form, expected):
    network = subnets.create_network(cloud.project_a, "empty")
    api = faces[API].post("/api/subnets/", {"network_id": str(network.pk),
                                            "cidr": "10.5.0.0/16", **api_body}, format="json")
    assert api.status_code == 400, api.content
    assert expected in api.json()["detail"]
    url = reverse("horizon:project:multinic_networks:create_subnet", args=[network.pk])
    dashboard = faces[WIZARD].post(url, {**SUBNET_FORM, "cidr": "10.5.0.0/16", **form})
    assert form_error(dashboard) == api.json()["detail"]
    assert not network.subnets.exists()


def test_the_services_refuse_what_the_faces_did_before(cloud):
    """Called directly (the database would refuse a 256-character name on PostgreSQL with a
    DataError, a 500)."""
    with pytest.raises(InvalidInput, match="network name may be at most 255"):
        subnets.create_network(cloud.project_a, "n" * 256)
    with pytest.raises(InvalidInput, match="physical network may be at most 64"):
        subnets.create_network(cloud.project_a, "n", physical_network="p" * 65)
    with pytest.raises(InvalidInput, match="subnet name may be at most 255"):
        subnets.create_subnet(cloud.net_a, "10.9.0.0/24", name="s" * 256)
    with pytest.raises(InvalidInput, match="A public key may be at most 16384"):
        instances.launch_instance(project=cloud.project_a, name="vm", nics=[],
                                  public_key=ED25519 + " " + "c" * 16384)
    with pytest.raises(InvalidInput, match="at most 8 fixed IPs may be requested for one NIC"):
        instances.launch_instance(project=cloud.project_a, name="vm", nics=[
            instances.NicRequest(cloud.net_a.pk, fixed_ips=[f"10.0.0.{i}" for i in range(9)])])
    assert not Network.objects.filter(name="n").exists() and not Instance.objects.exists()


# --- bonds: a launch's (REST API, wizard) and an administrator's port group -----------------

def test_a_bond_of_more_than_16_ports_is_refused_alike_everywhere(faces, cloud):
    built = build_node("bm-1", cloud.project_a, [("physnet1", True)] * 17)
    ports = [str(p.uuid) for p in built.ports]
    expected = "At most 16 member ports of a port group may be given (there are 17)"
    nic = {"network_id": str(cloud.net_a.pk)}
    api = faces[API].post("/api/instances/", {"name": "vm", "node": str(built.node.uuid),
                                              "nics": [{**nic, "bond": {"ports": ports}}]},
                          format="json")
    assert api.status_code == 400 and expected in api.json()["detail"], api.content
    wizard = faces[WIZARD].post("/project/launch/", {
        "name": "vm", "key_name": "", "config_drive": "on", "user_data": "", "metadata": "",
        "node": str(built.node.uuid), "nics": json.dumps([nic]),
        "carriers": json.dumps([{"bond": {"ports": ports}}])})
    assert html.escape(api.json()["detail"]) in wizard.content.decode()
    admin = cloud.admin.post("/api/portgroups/", {"node_uuid": str(built.node.uuid),
                                                  "name": "big", "ports": ports}, format="json")
    assert admin.status_code == 400 and expected in admin.json()["detail"], admin.content
    assert not Instance.objects.exists() and not PortGroup.objects.exists()


def test_the_nic_ceiling_holds_for_attached_nics_too(cloud, nova, settings):
    """Attaching one NIC after another cannot reach what one launch may not ask for: the
    next attach is a 409 through /api/ and Nova's os-interface alike, with nothing added."""
    settings.MULTINIC_MAX_NICS_PER_LAUNCH = 2
    instance = instances.launch_instance(
        project=cloud.project_a, name="vm",
        nics=[instances.NicRequest(network_id=cloud.net_a.pk)])
    attached = cloud.a.post(f"/api/instances/{instance.uuid}/interfaces/",
                            {"network_id": str(cloud.net_a.pk)}, format="json")
    assert attached.status_code == 201, attached.content
    refused = cloud.a.post(f"/api/instances/{instance.uuid}/interfaces/",
                           {"network_id": str(cloud.net_a.pk)}, format="json")
    assert refused.status_code == 409, refused.content
    message = refused.json()["detail"]
    assert message == (f"Instance {instance.uuid} already has 2 NICs, the most an instance "
                       "may have; detach one first")
    nova_refused = nova.post(f"/compute/v2.1/servers/{instance.uuid}/os-interface",
                             {"interfaceAttachment": {"net_id": str(cloud.net_a.pk)}},
                             format="json")
    assert nova_refused.status_code == 409
    assert nova_refused.json()["conflictingRequest"]["message"] == message
    assert VIF.objects.filter(instance=instance).count() == 2
