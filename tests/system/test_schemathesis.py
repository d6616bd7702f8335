"""Hostile input: schemathesis generates requests from our own OpenAPI schema and sends them,
in process, to the Django app, against real data (networks with IPv4 and IPv6 subnets, a VM
and a bare-metal instance, a node with ports and a bond, key pairs).

Every operation of ``/api/schema/`` runs twice: as a tenant (alice, project-a) and as an
administrator (root), so the admin-only operations are exercised beyond their 403. Each
case goes through all of schemathesis' response checks (no 5xx; status code, content type,
headers and body as the schema documents them; malformed input refused with a 4xx; a
request without credentials refused; no limit is set on response times), except one, said
where it is switched off.

Schemathesis cannot guess UUIDs, so a case hook (``flatmap_case``) swaps, at random and
driven by Hypothesis, path parameters and body fields for real ones: instance, VIF, network,
subnet, node, port and port group ids, key pair names, MACs in use, config-drive paths, and
plausible addresses, CIDRs, bonding modes and options. Those cases reach the services' own
rules (the IP allocator, the bonding rules, carrier binding) instead of stopping at a 404.
A stateful run (``schema.as_state_machine()``, on the links schemathesis infers from the
schema) then chains operations, reusing what one response returned in the next request.

Cases are counted: ``test_at_least_1000_cases`` (the last test of this module) asserts that
every operation ran for both callers and that the total is at least 1,000. Runs are
reproducible: the seed is fixed (``MULTINIC_SCHEMATHESIS_SEED`` picks another, to explore;
``MULTINIC_SCHEMATHESIS_EXAMPLES`` and ``..._SCENARIOS`` run more cases). Hypothesis keeps
no example database, and its caches go to the temporary directory, not ``.hypothesis/``.

The generated cases (marker ``fuzz``) run once in ``make test``, in the PostgreSQL pass: that
is the production database, and the one where text SQLite takes (NUL characters) is refused.
On SQLite they run too when asked for (``pytest tests/system/test_schemathesis.py``); the pinned
findings at the end of this module run in both passes.
"""

import copy
import os
from collections import Counter

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import TestPhase

from multinic_api.models import VIF, Project
from multinic_api.services import guest
from multinic_site.wsgi import application
from tests.harness.helpers import ED25519
from tests.harness.schemathesis_support import (  # noqa: F401  (one_connection: an autouse fixture)
    ADDRESSES,
    DEFAULT_SEED,
    EXAMPLES,
    HEALTH_CHECKS,
    MIN_CASES,
    SEED,
    USER_DATA,
    build_world,
    config,
    generated_valid,
    one_connection,
    pick,
    swap_body,
)

WRITE_EXAMPLES = 3 * EXAMPLES
STATEFUL_SCENARIOS = int(os.environ.get("MULTINIC_SCHEMATHESIS_SCENARIOS", "15"))
STATEFUL_STEPS = 8

RAW_SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
# Writes get more: their bodies are where real ids reach the services' rules.
CONFIG = config(EXAMPLES, [{"include-method": ["POST", "PATCH"],
                            "generation": {"max-examples": WRITE_EXAMPLES}}],
                phases={"stateful": {"max-steps": STATEFUL_STEPS}})
# A copy: schemathesis adds the links it infers to the dict it is given.
schema = schemathesis.openapi.from_dict(copy.deepcopy(RAW_SCHEMA), config=CONFIG)
schema.app = application  # in process, through Django's WSGI handler and middleware

OPERATIONS = sorted(op.ok().label for op in schema.get_all_operations())
ROLES = ("tenant", "admin")
CASES: Counter = Counter()  # (role, operation label) -> cases sent
STATEFUL_CASES: Counter = Counter()  # role -> steps sent by the state machine
STATUSES: Counter = Counter()  # (operation label, status code) -> responses

#: Successes the swapped-in real ids must have led to (each happens a dozen times or more).
REACHED = [("POST /api/instances/", 201), ("POST /api/instances/preview/", 200),
           ("POST /api/instances/{instance_uuid}/interfaces/", 201),
           ("POST /api/networks/", 201), ("POST /api/subnets/", 201),
           ("PATCH /api/ports/{uuid}/", 200), ("GET /api/instances/{uuid}/network_info/", 200),
           ("GET /api/instances/{uuid}/config_drive/{path}", 200),
           ("GET /api/instances/{uuid}/config_drive.iso", 200),
           ("GET /api/instances/{uuid}/domain.xml", 200), ("GET /api/macs/{mac}/", 200)]

# --- real data --------------------------------------------------------------------------------

#: What the hook draws from; refilled by the ``world`` fixture for each test.
REAL: dict[str, list] = {}

CIDRS = ["10.9.0.0/24", "10.9.0.0/31", "10.9.0.1/32", "10.0.0.0/8", "2001:db8:9::/64",
         "2001:db8:9::/120", "2001:db8:9::1/128", "0.0.0.0/0", "::/0", "10.9.0.5/24"]
MACS = ["fa:16:3e:00:00:01", "FA-16-3E-AB-CD-EF", "fa163e.abcd.ef01", "01:00:5e:00:00:01",
        "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "52:54:00:00:99:01"]
MODES = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb",
         "balance-alb", "4", "bond"]
BOND_PROPERTIES = [{}, {"miimon": 100}, {"miimon": 100, "xmit_hash_policy": "layer3+4"},
                   {"lacp_rate": "fast", "ad_select": "bandwidth"}, {"miimon": -1},
                   {"updelay": 150, "miimon": 100}, {"arp_interval": 100,
                                                    "arp_ip_target": "10.0.0.1"},
                   {"primary": "eth0"}, {"xmit_hash_policy": "vlan+srcmac"}, {"bogus": 1}]


def _real(kind):
    return lambda: REAL.get(kind, [])


#: Body fields whose values are swapped, and what for (a list: drawn from; a function: the
#: fixture's current real values).
BODY_VALUES = {
    "network_id": _real("network"), "node_uuid": _real("node"), "node": _real("node_ref"),
    "port": _real("port_ref"), "port_group": _real("portgroup_ref"),
    "port_group_uuid": _real("portgroup"), "project_id": _real("project_ref"),
    "key_name": _real("keypair"), "primary": _real("port"),
    "cidr": CIDRS, "destination": CIDRS, "gateway_ip": ADDRESSES, "dhcp_server": ADDRESSES,
    "nexthop": ADDRESSES, "start": ADDRESSES, "end": ADDRESSES, "mac": MACS + [None],
    "mode": MODES, "properties": BOND_PROPERTIES, "public_key": [ED25519],
    "user_data": [USER_DATA], "ipv6_address_mode": ["slaac", "dhcpv6-stateful", None],
}
#: List-valued body fields whose items are swapped.
BODY_ITEMS = {"fixed_ips": ADDRESSES, "dns_nameservers": ADDRESSES, "ports": _real("port")}
#: Path parameters named the same whatever the resource.
PATH_VALUES = {"instance_uuid": "instance", "vif_uuid": "vif", "name": "keypair",
               "mac": "mac", "path": "drive_path"}
#: Otherwise, by the resource the path starts with: /api/<resource>/{uuid or id}/...
PATH_RESOURCES = {"instances": "instance", "networks": "network", "subnets": "subnet",
                  "nodes": "node", "ports": "port", "portgroups": "portgroup", "vifs": "vif"}


def _with_real_ids(case, rnd):
    # In a stateful run the path parameters come from the link followed (the instance just
    # launched, its interfaces...). Swapping one for a real id the caller may not see would
    # make schemathesis blame a 404 on the resource the previous step created.
    stateful = case.meta is not None and case.meta.phase.name == TestPhase.STATEFUL
    if (case.path_parameters and not stateful
            and generated_valid(case, ParameterLocation.PATH)):
        resource = case.operation.path.split("/")[2]
        swapped = dict(case.path_parameters)
        for name in swapped:
            kind = PATH_VALUES.get(name) or PATH_RESOURCES.get(resource)
            if kind and REAL.get(kind) and rnd.random() < 0.7:
                swapped[name] = rnd.choice(REAL[kind])
        case.path_parameters = swapped
    if (isinstance(case.body, dict | list) and generated_valid(case, ParameterLocation.BODY)
            and rnd.random() < 0.7):
        case.body = swap_body(case.body, rnd, BODY_VALUES, BODY_ITEMS)
    return case


@schema.hook
def flatmap_case(context, case):
    """In most cases generated valid, real ids and plausible values for random strings."""
    return st.randoms(use_true_random=False).map(lambda rnd: _with_real_ids(case, rnd))


def _build_world() -> dict[str, str]:
    """The data every case runs against; returns an API token per caller."""
    world = build_world()
    cloud, built, vm = world.cloud, world.node, world.vm
    vifs = list(VIF.objects.all())
    groups = list(built.node.port_groups.all())
    projects = list(Project.objects.all())
    REAL.clear()
    REAL.update({
        "instance": [str(i.pk) for i in (vm, world.bare_metal, world.other)],
        "vif": [str(v.pk) for v in vifs],
        "network": [str(n.pk) for n in (cloud.net_a, cloud.net_b, cloud.shared)],
        "subnet": [str(s.pk) for s in (cloud.sub_a4, cloud.sub_a6, cloud.sub_b4,
                                       cloud.sub_shared)],
        "node": [str(built.node.pk)],
        "node_ref": [str(built.node.pk), built.node.name],
        "port": [str(p.pk) for p in built.ports],
        "port_ref": [str(p.pk) for p in built.ports] + [p.mac for p in built.ports],
        "portgroup": [str(g.pk) for g in groups],
        "portgroup_ref": [str(g.pk) for g in groups] + [g.name for g in groups],
        "project_ref": [p.pk for p in projects] + [p.name for p in projects],
        "keypair": ["key-a", "key-root"],
        "mac": [v.mac for v in vifs] + [p.mac for p in built.ports] + [v.mac.upper().replace(
            ":", "-") for v in vifs[:1]],
        "drive_path": list(guest.renderings_of(vm).config_drive_files),
    })
    return {"tenant": Token.objects.create(user=cloud.alice).key,
            "admin": Token.objects.create(user=cloud.root).key}


@pytest.fixture
def world(db):
    return _build_world()


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


# --- the tests ----------------------------------------------------------------------------------

@pytest.mark.fuzz
@pytest.mark.django_db
@settings(suppress_health_check=HEALTH_CHECKS, deadline=None)
@schema.parametrize()
def test_operation(case, world, role):
    """Each generated case, as the given caller: every check must hold."""
    CASES[role, case.operation.label] += 1
    with transaction.atomic():  # each case starts from the same data: undone afterwards
        response = case.call_and_validate(headers={"Authorization": f"Token {world[role]}"})
        transaction.set_rollback(True)
    STATUSES[case.operation.label, response.status_code] += 1


@pytest.mark.fuzz
@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_stateful(world, role):
    """Chains of calls on the links schemathesis infers (a launched instance's uuid into
    its interfaces, network_info, config drive, delete; a created node into its ports...)."""
    auth = {"Authorization": f"Token {world[role]}"}

    class Workflow(schema.as_state_machine()):
        def setup(self):
            # Each scenario starts from the same data (Hypothesis replays scenarios to
            # shrink a failure, and they must do the same thing again).
            self._scenario = transaction.atomic()
            self._scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)

        def get_call_kwargs(self, case):
            return {"headers": auth}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # As call_and_validate does: the checks must know which headers were the
            # caller's credentials (ignored_auth re-sends the request without them).
            case.validate_response(response, additional_checks=additional_checks,
                                   headers=auth, transport_kwargs=kwargs,
                                   recorder=self.recorder)

        def after_call(self, response, case):
            super().after_call(response, case)
            STATEFUL_CASES[role] += 1

    Workflow.run(settings=settings(
        max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS, deadline=None,
        database=None, derandomize=SEED == DEFAULT_SEED,  # another seed: random scenarios
        suppress_health_check=list(HealthCheck)))
    assert STATEFUL_CASES[role] > 0


def test_schema_is_the_served_one(db):
    """What these tests fuzz is what /api/schema/ serves."""
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json() == RAW_SCHEMA


# --- what it found, pinned -------------------------------------------------------------------

@pytest.mark.parametrize("path, body", [
    ("/api/instances/%0A/interfaces/", {"code": "not_found"}),  # "." stopped at a newline
    ("/compute/v2.1/no-such-thing", {"itemNotFound": {"code": 404}}),
    ("/compute/v2.1/servers/x/y/z", {"itemNotFound": {"code": 404}}),
    ("/compute/%0A", {"itemNotFound": {"code": 404}}),
    ("/identity/v3/no-such-thing", {"error": {"code": 404, "title": "Not Found"}}),
    ("/identity/v3/auth/tokens/x", {"error": {"code": 404, "title": "Not Found"}}),
    ("/image/v2/no-such-thing", {"code": "404 Not Found", "title": "Not Found"}),  # WebOb's
])
def test_urls_no_api_has_are_json_404s_in_that_apis_shape(cloud, path, body):
    """Unknown URLs under /compute/, /identity/ and /image/ were Django's HTML 404 page."""
    for method in (cloud.a.get, cloud.anonymous.get, cloud.a.post, cloud.a.delete):
        response = method(path)
        assert response.status_code == 404, (method, path)
        assert response["Content-Type"].startswith("application/json")
        answer = response.json()
        for key, value in body.items():
            if isinstance(value, dict):
                assert {k: answer[key][k] for k in value} == value
                assert answer[key]["message"]
            else:
                assert answer[key] == value


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=-5", "limit=1001", "limit=",
                                   "offset=-1", "offset=x", "offset=", "offset=2147483648",
                                   "offset=+1", "offset=%D9%A1", "limit=1&limit=null"])
def test_malformed_paging_is_a_400_not_ignored(cloud, query):
    response = cloud.admin.get(f"/api/networks/?{query}")
    assert response.status_code == 400, query
    assert response.json()["code"] == "invalid"
    name = query.split("=")[0]
    assert name in response.json()["fields"]


def test_paging_within_bounds_still_pages(cloud):
    page = cloud.admin.get("/api/networks/?limit=1&offset=2").json()
    assert page["count"] == 3 and len(page["results"]) == 1
    assert cloud.admin.get("/api/networks/?limit=1000&offset=2147483647").json()["results"] == []


@pytest.mark.parametrize("query", ["shared=null", "shared=yes", "shared=", "network_id=",
                                   "network_id=abc", "ip_version=", "ip_version=5"])
def test_malformed_filters_are_a_400_not_no_filter(cloud, query):
    url = "/api/networks/" if query.startswith("shared") else "/api/subnets/"
    response = cloud.admin.get(f"{url}?{query}")
    assert response.status_code == 400, query
    assert query.split("=")[0] in response.json()["fields"]


def test_filters_with_values_still_filter(cloud):
    assert [n["name"] for n in cloud.admin.get("/api/networks/?shared=true").json()[
        "results"]] == ["shared"]
    assert cloud.admin.get("/api/networks/?shared=false").json()["count"] == 2
    assert cloud.admin.get("/api/networks/?name=").json()["count"] == 3  # text: no filter
    response = cloud.admin.get(f"/api/subnets/?network_id={cloud.net_a.pk}&ip_version=6")
    assert [s["name"] for s in response.json()["results"]] == ["net-a-v6"]


def test_request_bodies_are_json(cloud):
    """Form bodies cannot say null or a list of NICs, and "null" was read as a string."""
    response = cloud.a.post("/api/subnets/", {"network_id": str(cloud.net_a.pk),
                                              "cidr": "10.7.0.0/24", "ipv6_address_mode": "null"},
                            format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    body = RAW_SCHEMA["paths"]["/api/subnets/"]["post"]["requestBody"]
    assert list(body["content"]) == ["application/json"]
    # The token view is a sign-in form: it still takes one.
    token = cloud.anonymous.post("/api/auth/token/", {"username": "alice",
                                                      "password": "pw-alice"},
                                 format="multipart")
    assert token.status_code == 200 and token.json()["token"]


def test_an_empty_local_link_connection_means_the_same_to_post_and_patch(cloud):
    """A PATCH took {} (the serializer, partial, skipped its required keys), a POST refused
    it, and the schema said both keys were required. Now {} (no link known) is fine for
    both, and one key without the other is a 400 for both."""
    node = cloud.admin.post("/api/nodes/", {"name": "n1"}, format="json").json()
    port = cloud.admin.post("/api/ports/", {"node_uuid": node["uuid"], "mac": "52:54:00:aa:00:01",
                                            "local_link_connection": {}}, format="json")
    assert port.status_code == 201, port.json()
    url = f"/api/ports/{port.json()['uuid']}/"
    link = {"switch_id": "00:1c:73:00:00:01", "port_id": "Ethernet1/1"}
    assert cloud.admin.patch(url, {"local_link_connection": link}, format="json").json()[
        "local_link_connection"] == link
    assert cloud.admin.patch(url, {"local_link_connection": {}}, format="json").json()[
        "local_link_connection"] == {}
    for method, target, extra in (("post", "/api/ports/", {"node_uuid": node["uuid"],
                                                           "mac": "52:54:00:aa:00:02"}),
                                  ("patch", url, {})):
        response = getattr(cloud.admin, method)(
            target, {**extra, "local_link_connection": {"port_id": "e1"}}, format="json")
        assert response.status_code == 400, (method, response.json())
    schema_link = RAW_SCHEMA["components"]["schemas"]["LocalLinkConnectionRequest"]
    assert "required" not in schema_link


@pytest.mark.parametrize("value", ["f", "true", 0, 1, None])
def test_request_booleans_are_json_booleans(cloud, value):
    """DRF's BooleanField read "f", "off", 0 and more as false: the schema says boolean."""
    response = cloud.a.post("/api/networks/", {"name": "n", "shared": value}, format="json")
    assert response.status_code == 400 and "shared" in response.json()["fields"]
    assert cloud.a.post("/api/networks/", {"name": "n", "shared": False},
                        format="json").status_code == 201


NUL = "a\x00b"
ALICE = {"name": "alice", "domain": {"id": "default"}, "password": "pw-alice"}


def _identity(user, scope=None):
    body = {"identity": {"methods": ["password"], "password": {"user": user}}}
    return {"auth": {**body, **({"scope": scope} if scope else {})}}


@pytest.mark.parametrize("who, method, path, body", [
    ("a", "get", "/api/nodes/?name=a%00b", None),
    ("a", "get", "/api/ports/?node=a%00b", None),
    ("a", "get", "/api/portgroups/?node=a%00b", None),
    ("a", "get", "/api/keypairs/a%00b/", None),
    ("a", "delete", "/api/keypairs/a%00b/", None),
    ("admin", "post", "/api/nodes/", {"name": "n", "properties": {"k": NUL}}),
    ("admin", "post", "/api/nodes/", {"name": "n", "properties": {NUL: 1}}),
    ("a", "post", "/api/instances/", {"name": "vm", "metadata": {NUL: "v"}, "nics": []}),
    ("nova", "get", "/compute/v2.1/servers?name=a%00b", None),
    ("nova", "get", "/compute/v2.1/servers?name=(?P<n>x)", None),  # Python's syntax only
    ("nova", "get", "/compute/v2.1/servers?limit=%C2%B2", None),  # "²".isdigit()
    ("nova", "get", "/compute/v2.1/os-keypairs/a%00b", None),
    ("anonymous", "post", "/identity/v3/auth/tokens", _identity({**ALICE, "name": NUL})),
    ("anonymous", "post", "/identity/v3/auth/tokens",
     _identity(ALICE, {"project": {"name": NUL, "domain": {"id": "default"}}})),
    ("anonymous", "post", "/identity/v3/auth/tokens", _identity(ALICE, {"project": {"id": NUL}})),
])
def test_text_the_database_cannot_hold_is_a_4xx(cloud, nova, who, method, path, body):
    """NUL characters (PostgreSQL refuses them in text, jsonb and query parameters) and
    regular expressions PostgreSQL cannot read were 500s there; they are 4xx on any
    database. (Found by the PostgreSQL pass of the cases above, then looked for around.)"""
    client = nova if who == "nova" else getattr(cloud, who)
    response = getattr(client, method)(path, body, format="json")
    assert 400 <= response.status_code < 500 or (path.startswith("/api/nodes/?")
                                                  and response.json()["count"] == 0)


def test_a_project_header_the_database_cannot_hold_is_a_403(cloud):
    response = cloud.a.get("/api/networks/", HTTP_X_PROJECT_ID=NUL)
    assert response.status_code == 403


@pytest.mark.fuzz
def test_at_least_1000_cases():
    """Every operation ran for both callers, and CI sent at least 1,000 cases in all. Runs
    last (pytest keeps file order): it needs this module's other tests to have run."""
    missing = [(role, label) for role in ROLES for label in OPERATIONS
               if not CASES[role, label]]
    assert not missing, f"operations that sent no case: {missing}"
    total = sum(CASES.values()) + sum(STATEFUL_CASES.values())
    print(f"schemathesis: {sum(CASES.values())} cases over {len(OPERATIONS)} operations x "
          f"{len(ROLES)} callers, {sum(STATEFUL_CASES.values())} stateful steps")
    assert total >= MIN_CASES, f"only {total} cases"
    # The real ids got through: cases reached the services' rules, not only their 404s.
    unreached = [(label, status) for label, status in REACHED if not STATUSES[label, status]]
    assert not unreached, f"never answered: {unreached}"
