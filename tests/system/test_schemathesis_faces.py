"""Hostile input on the OpenStack faces: schemathesis generates requests from each face's own
OpenAPI document (``/api/schema/compute/``, ``/identity/``, ``/image/``, ``/network/``,
``/baremetal/``, hand-written in ``multinic_api/openstack/<face>/openapi.yaml``) and sends
them, in process, to the Django app, against the data ``tests/system/test_schemathesis.py``
uses too (schemathesis_support).

Every operation runs as a tenant (alice, a token scoped to project-a) and as an
administrator (root, scoped to the admin project), each with a real Keystone-style token
from the built-in Identity in ``X-Auth-Token``. Each case goes through every built-in
response check but positive_data_acceptance (see schemathesis_support.config) and through
one of ours: a 4xx body is in the face's own error format (Nova's ``{"<faultName>":
{"code", "message"}}``, Keystone's ``{"error": {"code", "title", "message"}}``, Glance's
``{"code", "title", "message"}``, Neutron's ``{"NeutronError": {"type", "message",
"detail"}}``, Ironic's ``{"error_message": "<JSON with faultstring>"}``), with the
answer's status as its code where the format has one.

A case hook per face swaps, at random, values generated valid for real ones: server, port,
network, flavor, image and key pair ids and names, microversions, user names and their
passwords (right and wrong), tokens (as the token method's id and as X-Subject-Token),
project ids and names. Those cases reach the services' rules instead of stopping at a 404
or a 401; ``test_at_least_1000_cases_per_face`` asserts they did, and that each face sent
at least 1,000 cases. Seed and counts: ``MULTINIC_SCHEMATHESIS_SEED`` and
``MULTINIC_SCHEMATHESIS_EXAMPLES``, as for /api/. The cases (marker ``fuzz``) run once in
``make test``, in the PostgreSQL pass.
"""

import json
from collections import Counter

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation

from multinic_api.models import VIF, PortGroup
from multinic_api.openstack import openapi
from multinic_api.services import catalog, instances
from multinic_identity import services as identity
from multinic_site.wsgi import application
from tests.harness.baremetal_fixtures import build_node
from tests.harness.helpers import ED25519
from tests.harness.schemathesis_support import (  # noqa: F401  (one_connection: an autouse fixture)
    ADDRESSES,
    EXAMPLES,
    HEALTH_CHECKS,
    MIN_CASES,
    USER_DATA,
    build_world,
    config,
    generated_valid,
    one_connection,
    pick,
    swap_body,
)

# Examples per operation and caller. The faces have few operations (image: three, one without
# parameters), so each gets more than /api/'s to reach 1,000 cases a face; writes most.
FACE_EXAMPLES = {"compute": 2 * EXAMPLES, "identity": 6 * EXAMPLES, "image": 30 * EXAMPLES,
                 "network": 2 * EXAMPLES, "baremetal": 2 * EXAMPLES}
WRITES = [{"include-method": ["POST", "DELETE"],
           "generation": {"max-examples": 6 * EXAMPLES}}]
# The bare-metal face changes its resources by PATCH (JSON Patch), as often as it creates.
FACE_WRITES = {"image": [], "baremetal": [{"include-method": ["POST", "PATCH", "DELETE"],
                                           "generation": {"max-examples": 6 * EXAMPLES}}]}


#: Keystone answers a missing X-Subject-Token as it answers an unknown one, 404 ("No token in
#: the request", keystone/token/provider.py); its api-ref still calls the header required.
CHECKS = {"identity": {"missing_required_header": {
    "expected-statuses": [400, 401, 403, 404, 406, 415, 422]}}}


def _load(face: str):
    schema = schemathesis.openapi.from_dict(
        openapi.document(face),
        config=config(FACE_EXAMPLES[face], FACE_WRITES.get(face, WRITES),
                      checks=CHECKS.get(face)))
    schema.app = application  # in process, through Django's WSGI handler and middleware
    return schema


FACES = ("compute", "identity", "image", "network", "baremetal")
SCHEMAS = {face: _load(face) for face in FACES}
OPERATIONS = {face: sorted(op.ok().label for op in SCHEMAS[face].get_all_operations())
              for face in FACES}
ROLES = ("tenant", "admin")
CASES: Counter = Counter()  # (face, role, operation label) -> cases sent
STATUSES: Counter = Counter()  # (face, operation label, status code) -> responses

#: Successes the swapped-in real values must have led to.
REACHED = {
    "compute": [("POST /v2.1/servers", 202), ("GET /v2.1/servers/{server_id}", 200),
                ("DELETE /v2.1/servers/{server_id}", 204),
                ("POST /v2.1/servers/{server_id}/os-interface", 200),
                ("GET /v2.1/servers/{server_id}/os-interface/{port_id}", 200),
                ("DELETE /v2.1/servers/{server_id}/os-interface/{port_id}", 202),
                ("GET /v2.1/os-keypairs/{keypair_name}", 200),
                ("GET /v2.1/os-networks/{network_id}", 200),
                ("GET /v2.1/flavors/{flavor_id}", 200)],
    "identity": [("POST /v3/auth/tokens", 201), ("GET /v3/auth/tokens", 200),
                 ("DELETE /v3/auth/tokens", 204), ("GET /v3/users/{user_id}/projects", 200)],
    "image": [("GET /v2/images/{image_id}", 200)],
    "network": [("POST /v2.0/networks", 201), ("POST /v2.0/subnets", 201),
                ("POST /v2.0/ports", 201), ("GET /v2.0/ports/{port_id}", 200),
                ("PUT /v2.0/networks/{network_id}", 200), ("DELETE /v2.0/ports/{port_id}", 204),
                ("GET /v2.0/subnets/{subnet_id}", 200)],
    "baremetal": [("GET /v1/nodes/{node_ident}", 200), ("POST /v1/nodes", 201),
                  ("PATCH /v1/nodes/{node_ident}", 200), ("POST /v1/ports", 201),
                  ("PATCH /v1/ports/{port_id}", 200), ("DELETE /v1/ports/{port_id}", 204),
                  ("POST /v1/portgroups", 201), ("DELETE /v1/portgroups/{portgroup_ident}", 204),
                  ("GET /v1/portgroups/{portgroup_ident}/ports", 200)],
}

# --- real data --------------------------------------------------------------------------------

#: What the hooks draw from; refilled by the ``world`` fixture for each test.
REAL: dict[str, list] = {}


def _real(kind):
    return lambda: REAL.get(kind, [])


def _build_world() -> dict[str, str]:
    """The data every case runs against; returns a token per caller."""
    world = build_world()
    cloud = world.cloud
    # An administrators' node whose port and group carry nothing: what the bare-metal face
    # may change and delete (the world's node carries the bare-metal instance's NICs).
    spare = build_node("rack-2", None, [("physnet1", True), ("", False)],
                       groups=[{"name": "spare-bond", "ports": [0]}])
    tenant, _ = identity.issue_token(cloud.alice, cloud.project_a, ["password"])
    admin, _ = identity.issue_token(cloud.root, cloud.admin_project, ["password"])
    unscoped, _ = identity.issue_token(cloud.alice, None, ["password"])
    bob, _ = identity.issue_token(cloud.bob, cloud.project_b, ["password"])
    users = [(cloud.alice, "pw-alice"), (cloud.bob, "pw-bob"), (cloud.root, "pw-root")]
    projects = [cloud.project_a, cloud.project_b, cloud.admin_project]
    # Ports made beforehand, free for a server to take (each case is undone, so they stay so).
    free_ports = [instances.create_port(project=cloud.project_a, network_id=cloud.net_a.pk)
                  for _ in range(2)]
    REAL.clear()
    REAL.update({
        "free_port": [str(port.pk) for port in free_ports],
        "server": [str(i.pk) for i in (world.vm, world.bare_metal, world.other)],
        "port": [str(v.pk) for v in VIF.objects.all()],
        "network": [str(n.pk) for n in (cloud.net_a, cloud.net_b, cloud.shared)],
        "subnet": [str(s.pk) for s in (cloud.sub_a4, cloud.sub_a6, cloud.sub_b4,
                                       cloud.sub_shared)],
        "flavor": [f["id"] for f in catalog.flavors()],
        "image": [i["id"] for i in catalog.images()],
        "image_name": [i["name"] for i in catalog.images()],
        "keypair": ["key-a", "key-root"],
        "zone": ["nova", "", "nova::rack-1", f"nova::{world.node.node.pk}", "az-2",
                 "nova:host:rack-1", "nova::no-such-node"],
        "user": [(str(u.pk), u.username, pw) for u, pw in users],
        "user_id": [str(u.pk) for u, _ in users],
        "token": [tenant, admin, unscoped, bob],
        "project": [(p.pk, p.name) for p in projects],
        "node": [str(world.node.node.pk), world.node.node.name, str(spare.node.pk), "rack-2"],
        "node_uuid": [str(world.node.node.pk), str(spare.node.pk)],
        # The spare ports first: what a PATCH may change.
        "bm_port": [str(p.pk) for p in [*spare.ports, *world.node.ports]],
        "portgroup": [str(g.pk) for g in PortGroup.objects.all()] + ["bond0", "spare-bond"],
        "portgroup_uuid": [str(g.pk) for g in PortGroup.objects.all()],
    })
    return {"tenant": tenant, "admin": admin}


@pytest.fixture
def world(db):
    return _build_world()


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


# --- the case hooks ---------------------------------------------------------------------------

COMPUTE_BODY = {
    "flavorRef": lambda: REAL["flavor"] + ["http://compute/flavors/1"],
    "imageRef": lambda: REAL["image"] + [""], "key_name": lambda: REAL["keypair"] + [None],
    "availability_zone": _real("zone"), "uuid": _real("network"), "net_id": _real("network"),
    "port_id": _real("free_port"), "port": _real("free_port"),
    # A few servers at a time: the world's subnets hold a handful of free addresses.
    "min_count": [1, 1, 2, "1"], "max_count": [1, 2, 3, "2"],
    "fixed_ip": ADDRESSES, "ip_address": ADDRESSES, "public_key": [ED25519],
    "user_data": [USER_DATA], "networks": ["auto", "none"],
}
COMPUTE_PATH = {"server_id": "server", "port_id": "port", "network_id": "network",
                "flavor_id": "flavor", "keypair_name": "keypair"}
MICROVERSIONS = {
    "OpenStack-API-Version": ["compute 2.1", "compute 2.2", "compute 2.47", "compute 2.70",
                              "compute 2.96", "compute latest", "volume 3.0, compute 2.61",
                              "compute 2.97", "compute 1.0"],
    "X-OpenStack-Nova-API-Version": ["2.1", "2.55", "latest", "2.0"],
}


def _swap_path(case, rnd, names: dict) -> None:
    if case.path_parameters and generated_valid(case, ParameterLocation.PATH):
        case.path_parameters = {
            name: rnd.choice(REAL[names[name]]) if name in names and rnd.random() < 0.8
            else value for name, value in case.path_parameters.items()}


def _swap_headers(case, rnd, values: dict) -> None:
    if case.headers and generated_valid(case, ParameterLocation.HEADER):
        case.headers = {name: pick(rnd, values[name]) if name in values and rnd.random() < 0.8
                        else value for name, value in case.headers.items()}


def _compute_case(case, rnd):
    _swap_path(case, rnd, COMPUTE_PATH)
    _swap_headers(case, rnd, MICROVERSIONS)
    if isinstance(case.body, dict) and generated_valid(case, ParameterLocation.BODY):
        case.body = swap_body(case.body, rnd, COMPUTE_BODY)
        server = case.body.get("server")
        # A server without "networks" is Nova's 409 when the project has several networks
        # to choose from, as alice's has: most such cases name theirs.
        if isinstance(server, dict) and "networks" not in server and rnd.random() < 0.7:
            server["networks"] = [{"uuid": rnd.choice(REAL["network"])}
                                  for _ in range(rnd.randint(1, 3))]
        # An attachment names a network or a port, exactly one: most such cases do.
        attachment = case.body.get("interfaceAttachment")
        if isinstance(attachment, dict) and rnd.random() < 0.7:
            if "net_id" in attachment and "port_id" in attachment:
                del attachment[rnd.choice(["net_id", "port_id"])]
            elif "net_id" not in attachment and "port_id" not in attachment:
                attachment["net_id"] = rnd.choice(REAL["network"])
    return case


def _auth_body(auth: dict, rnd) -> dict:
    """Real credentials in a generated ``auth``: a user's name or id with their password (or
    another's), a live token, a real project by id or by name."""
    auth = dict(auth)
    ident = dict(auth["identity"]) if isinstance(auth.get("identity"), dict) else None
    if ident is not None and rnd.random() < 0.8:
        method = rnd.choice(["password", "token"])
        if method == "password":
            user_id, name, password = rnd.choice(REAL["user"])
            if rnd.random() < 0.3:
                password = rnd.choice(REAL["user"])[2]
            user = {"id": user_id} if rnd.random() < 0.3 else {
                "name": name, "domain": rnd.choice([{"id": "default"}, {"name": "Default"}])}
            ident["password"] = {"user": {**user, "password": password}}
        else:
            ident["token"] = {"id": rnd.choice(REAL["token"])}
        if rnd.random() < 0.8:
            ident["methods"] = [method]
        auth["identity"] = ident
    if rnd.random() < 0.6:
        project_id, name = rnd.choice(REAL["project"])
        auth["scope"] = rnd.choice([
            {"project": {"id": project_id}},
            {"project": {"name": name, "domain": {"id": "default"}}}, "unscoped"])
    return auth


def _identity_case(case, rnd):
    _swap_path(case, rnd, {"user_id": "user_id"})
    _swap_headers(case, rnd, {"X-Subject-Token": _real("token")})
    if (isinstance(case.body, dict) and isinstance(case.body.get("auth"), dict)
            and generated_valid(case, ParameterLocation.BODY)):
        case.body = {**case.body, "auth": _auth_body(case.body["auth"], rnd)}
    return case


def _image_case(case, rnd):
    _swap_path(case, rnd, {"image_id": "image"})
    if case.query and generated_valid(case, ParameterLocation.QUERY) and rnd.random() < 0.6:
        case.query = {**case.query, "name": rnd.choice(REAL["image_name"])}
    return case


NETWORK_BODY = {
    "network_id": _real("network"), "ip_address": ADDRESSES, "subnet_id": _real("subnet"),
    "cidr": ["10.20.0.0/24", "2001:db8:20::/64", "10.0.0.0/24", "192.0.2.0/31"],
    "gateway_ip": ADDRESSES, "mac_address": ["fa:16:3e:00:00:01", "FA-16-3E-00-00-02"],
    "project_id": lambda: [p for p, _ in REAL["project"]],
}
NETWORK_PATH = {"network_id": "network", "subnet_id": "subnet", "port_id": "port"}


def _network_case(case, rnd):
    _swap_path(case, rnd, NETWORK_PATH)
    if isinstance(case.body, dict) and generated_valid(case, ParameterLocation.BODY):
        case.body = swap_body(case.body, rnd, NETWORK_BODY)
    if case.query and generated_valid(case, ParameterLocation.QUERY) and rnd.random() < 0.5:
        swaps = {"network_id": "network", "device_id": "server", "marker": "port"}
        case.query = {name: rnd.choice(REAL[swaps[name]]) if name in swaps else value
                      for name, value in case.query.items()}
    return case


# Hypothesis draws these choices, and its draws lean to the first item: each list starts
# with the value most likely to get through.
IRONIC_VERSIONS = {
    "X-OpenStack-Ironic-API-Version": ["1.50", "latest", "1.1", "1.22", "1.23", "1.24",
                                       "1.25", "1.26", "1.33", "1.34", "1.49", "1.51", "2.0"],
    "OpenStack-API-Version": ["baremetal 1.50", "baremetal 1.24", "baremetal latest",
                              "compute 2.1", "baremetal 1.99"],
}
BAREMETAL_BODY = {
    "node_uuid": _real("node_uuid"), "portgroup_uuid": lambda: REAL["portgroup_uuid"] + [None],
    "driver": ["ipmi", "redfish", "manual-management"],
    "owner": lambda: [p[1] for p in REAL["project"]] + [None],
    "address": ["52:54:00:fe:00:01", "52:54:00:fe:00:02", "fa:16:3e:00:00:01", None],
    "mode": ["802.3ad", "active-backup", "balance-rr", "balance-alb", None],
    "physical_network": ["physnet1", "physnet2", None],
    "properties": [{"miimon": 100}, {"miimon": 100, "xmit_hash_policy": "layer3+4"},
                   {"lacp_rate": "fast"}, {}],
}
BAREMETAL_PATH = {"node_ident": "node", "port_id": "bm_port", "portgroup_ident": "portgroup"}
#: JSON Patches by the resource they are for (the first word of the path).
BAREMETAL_PATCH = {
    "nodes": [[{"op": "add", "path": "/properties/cpus", "value": 8}],
              [{"op": "replace", "path": "/name", "value": "renamed"}],
              [{"op": "add", "path": "/owner", "value": "project-b"}],
              [{"op": "remove", "path": "/driver"}]],
    "ports": [[{"op": "replace", "path": "/pxe_enabled", "value": False}],
              [{"op": "replace", "path": "/physical_network", "value": "physnet2"}],
              [{"op": "replace", "path": "/address", "value": "52:54:00:fe:00:09"}],
              [{"op": "remove", "path": "/portgroup_uuid"}]],
    "portgroups": [[{"op": "add", "path": "/properties/miimon", "value": 200}],
                   [{"op": "replace", "path": "/mode", "value": "balance-xor"}],
                   [{"op": "add", "path": "/properties/lacp_rate", "value": "fast"}],
                   [{"op": "remove", "path": "/mode"}]],
}


def _baremetal_case(case, rnd):
    _swap_path(case, rnd, BAREMETAL_PATH)
    _swap_headers(case, rnd, IRONIC_VERSIONS)
    # Without a version header a request is 1.1, which has none of the port group fields:
    # most cases ask for one.
    if not case.headers and rnd.random() < 0.8:
        case.headers = {"X-OpenStack-Ironic-API-Version": pick(
            rnd, IRONIC_VERSIONS["X-OpenStack-Ironic-API-Version"])}
    if generated_valid(case, ParameterLocation.BODY):
        if isinstance(case.body, dict):
            case.body = swap_body(case.body, rnd, BAREMETAL_BODY)
        elif isinstance(case.body, list) and rnd.random() < 0.7:
            resource = case.operation.path.split("/")[2]
            case.body = rnd.choice(BAREMETAL_PATCH[resource])
    return case


def _hook(face, swap):
    @SCHEMAS[face].hook
    def flatmap_case(context, case):
        """In most cases generated valid, real ids, names, tokens and microversions."""
        return st.randoms(use_true_random=False).map(lambda rnd: swap(case, rnd))


_hook("compute", _compute_case)
_hook("identity", _identity_case)
_hook("image", _image_case)
_hook("network", _network_case)
_hook("baremetal", _baremetal_case)


# --- each face's error format -----------------------------------------------------------------

def _error_body(response, case) -> dict | None:
    """The JSON body of a 4xx answer (None for another answer or a HEAD request, which has
    no body)."""
    if not 400 <= response.status_code < 500 or case.method.upper() == "HEAD":
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"a {response.status_code} in " \
        f"{content_type!r}, not JSON"
    return response.json()


def _nova_format(ctx, response, case):
    """Nova's fault: ``{"<faultName>": {"code": <status>, "message": "..."}}``."""
    body = _error_body(response, case)
    if body is None:
        return None
    assert isinstance(body, dict) and len(body) == 1, f"not a Nova fault: {body!r}"
    fault = next(iter(body.values()))
    assert isinstance(fault, dict) and fault.get("code") == response.status_code \
        and isinstance(fault.get("message"), str), f"not a Nova fault: {body!r}"
    return True


def _keystone_format(ctx, response, case):
    """Keystone's error: ``{"error": {"code": <status>, "title": "...", "message": "..."}}``."""
    body = _error_body(response, case)
    if body is None:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict) and error.get("code") == response.status_code \
        and isinstance(error.get("title"), str) and isinstance(error.get("message"), str), \
        f"not a Keystone error: {body!r}"
    return True


def _glance_format(ctx, response, case):
    """Glance's error as WebOb writes it for a JSON client: ``{"code": "<status line>",
    "title": "...", "message": "..."}``; a 401 is keystonemiddleware's, which answers in
    front of Glance (Keystone's shape)."""
    body = _error_body(response, case)
    if body is None:
        return None
    if response.status_code == 401:
        return _keystone_format(ctx, response, case)
    assert isinstance(body, dict) and isinstance(body.get("code"), str) \
        and body["code"].startswith(f"{response.status_code} ") \
        and isinstance(body.get("title"), str) and isinstance(body.get("message"), str), \
        f"not a Glance error: {body!r}"
    return True


def _neutron_format(ctx, response, case):
    """Neutron's error: ``{"NeutronError": {"type": "...", "message": "...", "detail": ""}}``;
    a 401 is keystonemiddleware's, which answers in front of Neutron (Keystone's shape)."""
    body = _error_body(response, case)
    if body is None:
        return None
    if response.status_code == 401:
        return _keystone_format(ctx, response, case)
    error = body.get("NeutronError") if isinstance(body, dict) else None
    assert isinstance(body, dict) and len(body) == 1 and isinstance(error, dict) \
        and isinstance(error.get("type"), str) and isinstance(error.get("message"), str) \
        and error.get("detail") == "", f"not a Neutron error: {body!r}"
    return True


def _ironic_format(ctx, response, case):
    """Ironic's error: ``{"error_message": "<a JSON document with faultstring, faultcode
    and debuginfo>"}``; a 401 is keystonemiddleware's (Keystone's shape)."""
    body = _error_body(response, case)
    if body is None:
        return None
    if response.status_code == 401:
        return _keystone_format(ctx, response, case)
    assert isinstance(body, dict) and list(body) == ["error_message"] \
        and isinstance(body["error_message"], str), f"not an Ironic error: {body!r}"
    error = json.loads(body["error_message"])
    assert isinstance(error.get("faultstring"), str) and error.get("faultcode") == "Client" \
        and "debuginfo" in error, f"not an Ironic error: {body!r}"
    return True


FORMATS = {"compute": _nova_format, "identity": _keystone_format, "image": _glance_format,
           "network": _neutron_format, "baremetal": _ironic_format}


# --- the tests ----------------------------------------------------------------------------------

def _run(face: str, case, token: str, role: str) -> None:
    CASES[face, role, case.operation.label] += 1
    with transaction.atomic():  # each case starts from the same data: undone afterwards
        response = case.call_and_validate(headers={"X-Auth-Token": token},
                                          additional_checks=[FORMATS[face]])
        transaction.set_rollback(True)
    STATUSES[face, case.operation.label, response.status_code] += 1


@pytest.mark.fuzz
@pytest.mark.django_db
@settings(suppress_health_check=HEALTH_CHECKS, deadline=None)
@SCHEMAS["compute"].parametrize()
def test_compute(case, world, role):
    _run("compute", case, world[role], role)


@pytest.mark.fuzz
@pytest.mark.django_db
@settings(suppress_health_check=HEALTH_CHECKS, deadline=None)
@SCHEMAS["identity"].parametrize()
def test_identity(case, world, role):
    _run("identity", case, world[role], role)


@pytest.mark.fuzz
@pytest.mark.django_db
@settings(suppress_health_check=HEALTH_CHECKS, deadline=None)
@SCHEMAS["image"].parametrize()
def test_image(case, world, role):
    _run("image", case, world[role], role)


@pytest.mark.fuzz
@pytest.mark.django_db
@settings(suppress_health_check=HEALTH_CHECKS, deadline=None)
@SCHEMAS["network"].parametrize()
def test_network(case, world, role):
    _run("network", case, world[role], role)


@pytest.mark.fuzz
@pytest.mark.django_db
@settings(suppress_health_check=HEALTH_CHECKS, deadline=None)
@SCHEMAS["baremetal"].parametrize()
def test_baremetal(case, world, role):
    _run("baremetal", case, world[role], role)


@pytest.mark.parametrize("face", FACES)
def test_documents_are_served_and_valid_openapi(db, face):
    """What these tests fuzz is what /api/schema/<face>/ serves (JSON and YAML); it is valid
    OpenAPI 3.0, and schemathesis reads every operation of it."""
    client = Client()
    response = client.get(f"/api/schema/{face}/", {"format": "json"})
    assert response.status_code == 200
    assert response.json() == openapi.document(face)
    assert client.get(f"/api/schema/{face}/").content.startswith(b"openapi: 3.0.3")
    loaded = schemathesis.openapi.from_dict(openapi.document(face))
    loaded.validate()  # against OpenAPI 3.0's own JSON Schema
    for result in loaded.get_all_operations():
        result.ok()  # raises for an operation schemathesis cannot read


def test_an_invalid_document_would_be_refused():
    """The check above can fail: the same document with one mistake is refused."""
    broken = openapi.document("image")
    broken["paths"]["/v2/images"]["get"]["responses"]["200"] = {"content": {}}  # description
    with pytest.raises(Exception, match="not valid"):
        schemathesis.openapi.from_dict(broken).validate()


@pytest.mark.fuzz
def test_at_least_1000_cases_per_face():
    """Every operation of every face ran for both callers, each face sent at least 1,000
    cases, and the real values got through. Runs last (pytest keeps file order)."""
    totals = {face: sum(n for (f, _, _), n in CASES.items() if f == face) for face in FACES}
    print(f"schemathesis cases per face: {totals}")
    missing = [(face, role, label) for face in FACES for role in ROLES
               for label in OPERATIONS[face] if not CASES[face, role, label]]
    assert not missing, f"operations that sent no case: {missing}"
    assert all(total >= MIN_CASES for total in totals.values()), totals
    unreached = [(face, label, status) for face in FACES for label, status in REACHED[face]
                 if not STATUSES[face, label, status]]
    assert not unreached, f"never answered: {unreached}"
