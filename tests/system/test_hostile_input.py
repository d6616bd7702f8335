"""Requests a hostile client can send to any face, none of which may be a 500:
each is a 4xx in that face's own error format, with a message that says what was wrong.

The faces: Nova's ``{"<faultName>": {"code", "message"}}`` under /compute/, Keystone's
``{"error": {"code", "title", "message"}}`` under /identity/, ``{"detail", "code"}`` under
/api/, and a form error in the dashboard's launch wizard."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from multinic_api import parsers
from multinic_api.models import Instance, Keypair
from multinic_api.openstack.compute import views as compute_views
from tests.harness.baremetal_fixtures import build_node
from tests.harness.helpers import ED25519, sign_in

SERVERS = "/compute/v2.1/servers"
KEYPAIRS = "/compute/v2.1/os-keypairs"
TOKENS = "/identity/v3/auth/tokens"


# --- each face's error format --------------------------------------------------------------

def _json(response) -> dict:
    assert response["Content-Type"].split(";")[0] == "application/json", response.content[:300]
    return response.json()


def nova_message(response, status: int, fault: str) -> str:
    body = _json(response)
    assert response.status_code == status, body
    assert list(body) == [fault] and set(body[fault]) == {"code", "message"}, body
    assert body[fault]["code"] == status
    return body[fault]["message"]


def keystone_message(response, status: int, title: str) -> str:
    body = _json(response)
    assert response.status_code == status, body
    assert list(body) == ["error"] and set(body["error"]) == {"code", "title", "message"}, body
    assert (body["error"]["code"], body["error"]["title"]) == (status, title)
    return body["error"]["message"]


def api_message(response, status: int) -> str:
    body = _json(response)
    assert response.status_code == status, body
    assert set(body) - {"fields"} == {"detail", "code"}, body
    return body["detail"]


_BAD_REQUEST = {"compute": lambda r: nova_message(r, 400, "badRequest"),
                "identity": lambda r: keystone_message(r, 400, "Bad Request"),
                "api": lambda r: api_message(r, 400)}


@pytest.fixture
def clients(cloud, nova):
    """Who posts to each face: anyone to the sign-in URLs, a tenant to the others."""
    return {"compute": nova, "identity": APIClient(), "api": cloud.a, "api-anonymous":
            APIClient(), "api-admin": cloud.admin}


# Every URL of the table that reads a JSON body, with the client that may post there.
BODY_URLS = [
    ("identity", "identity", TOKENS),
    ("api", "api-anonymous", "/api/auth/token/"),
    ("api", "api", "/api/instances/"),
    ("api", "api", "/api/instances/preview/"),
    ("compute", "compute", SERVERS),
    ("compute", "compute", KEYPAIRS),
]


# --- nesting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("document", ["[" * 100_000, "[" * 100_000 + "]" * 100_000,
                                      '{"a":' * 100_000 + "1" + "}" * 100_000],
                         ids=["unclosed", "closed", "objects"])
@pytest.mark.parametrize(("face", "who", "url"), BODY_URLS)
def test_deeply_nested_json_is_a_400(clients, face, who, url, document):
    response = clients[who].post(url, document, content_type="application/json")
    message = _BAD_REQUEST[face](response)
    assert f"nested more than {parsers.MAX_DEPTH} levels deep" in message


def _nested(depth: int) -> object:
    """``depth`` lists, one inside the other."""
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_a_document_python_can_parse_but_not_use_is_refused_at_the_limit(cloud):
    """500 levels parse (json's C decoder stops near Python's recursion limit, 1000), and
    then every recursive step after it (NUL checks, saving a JSON field, rendering) fails:
    the limit is checked on the parsed document, at a depth no request needs."""
    node = build_node("bm-deep", cloud.project_a, [("physnet1", True)]).node
    # The document's levels: itself, properties, then the lists.
    for lists, accepted in ((parsers.MAX_DEPTH - 2, True), (parsers.MAX_DEPTH - 1, False),
                            (500, False)):
        response = cloud.admin.patch(f"/api/nodes/{node.pk}/",
                                     {"properties": {"deep": _nested(lists)}}, format="json")
        if accepted:
            assert response.status_code == 200, response.content
        else:
            assert "nested more than" in api_message(response, 400)


def test_the_parser_counts_levels_of_objects_and_lists():
    assert parsers.loads(json.dumps(_nested(parsers.MAX_DEPTH))) == _nested(parsers.MAX_DEPTH)
    with pytest.raises(parsers.JSONDocumentError, match="nested more than"):
        parsers.loads(json.dumps({"a": _nested(parsers.MAX_DEPTH)}))
    with pytest.raises(json.JSONDecodeError):
        parsers.loads("[1,")
    with pytest.raises(parsers.JSONDocumentError, match="NaN is not a JSON value"):
        parsers.loads("[NaN]")


# --- the launch wizard's JSON fields ---------------------------------------------------------

@pytest.fixture
def alice(client, cloud):
    sign_in(client, "alice", "pw-alice")
    return client


DEEP = ["[" * 100_000, "[" * 100_000 + "]" * 100_000, json.dumps(_nested(33))]


@pytest.mark.parametrize(("field", "message"), [
    ("nics", "The list of networks could not be read; reload the page."),
    ("carriers", "The bonding choices could not be read; reload the page."),
])
@pytest.mark.parametrize("document", DEEP, ids=["unclosed", "closed", "33-levels"])
def test_the_wizards_hidden_fields_refuse_deep_json_as_a_form_error(alice, cloud, field,
                                                                    message, document):
    data = {"name": "web", "key_name": "", "user_data": "", "metadata": "",
            "nics": json.dumps([{"network_id": str(cloud.net_a.pk)}]), "node": "",
            "carriers": "[]", field: document}
    response = alice.post("/project/launch/", data, HTTP_X_HORIZON_VALIDATE_STEP_START="0",
                          HTTP_X_HORIZON_VALIDATE_STEP_END="3")
    assert response.status_code == 200
    errors = response.json()["errors"]
    step = "networks" if field == "nics" else "bonding"
    assert errors[step][field] == [message]
    assert not Instance.objects.exists()


def test_the_wizard_shows_the_apis_refusal_of_a_lone_surrogate(alice, cloud):
    nics = json.dumps([{"network_id": str(cloud.net_a.pk), "tag": "@@"}]).replace("@@", LONE)
    response = alice.post("/project/launch/", {"name": "web", "key_name": "", "user_data": "",
                                               "metadata": "", "nics": nics, "node": "",
                                               "carriers": "[]"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="launch-error"' in html
    assert "nics/0/tag holds a lone surrogate (\\ud800)" in html
    assert not Instance.objects.exists()


@pytest.mark.parametrize("document", DEEP, ids=["unclosed", "closed", "33-levels"])
def test_the_wizards_preview_refuses_deep_json(alice, document):
    response = alice.post("/project/launch/preview/", {"name": "web", "nics": document})
    assert response.status_code == 400
    assert response.json() == {"detail": "The list of networks could not be read; reload "
                                         "the page.", "code": "invalid"}


def test_the_wizards_preview_passes_on_the_apis_refusal_of_a_lone_surrogate(alice, cloud):
    nics = json.dumps([{"network_id": str(cloud.net_a.pk), "tag": "@@"}]).replace("@@", LONE)
    response = alice.post("/project/launch/preview/", {"name": "web", "nics": nics})
    assert response.status_code == 400
    assert "nics/0/tag holds a lone surrogate (\\ud800)" in response.json()["detail"]


# --- lone surrogates -------------------------------------------------------------------------

LONE = "\\ud800"  # as the client writes it: a JSON escape that decodes to no character


def _password_auth(user: str = "alice", password: str = "pw-alice", project: str = "x"):
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}


def _surrogate_bodies(cloud) -> list[tuple[str, str, str, str, str]]:
    """(face, who, url, body, where) with the lone surrogate at ``where``."""
    node = build_node("bm-s", cloud.project_a, [("physnet1", True), ("physnet1", True)])
    ports = [str(p.uuid) for p in node.ports]
    mark = "@@"
    cases = [
        ("identity", "identity", TOKENS, _password_auth(user=mark),
         "auth/identity/password/user/name"),
        ("identity", "identity", TOKENS, _password_auth(password=mark),
         "auth/identity/password/user/password"),
        ("identity", "identity", TOKENS, _password_auth(project=mark),
         "auth/scope/project/name"),
        ("identity", "identity", TOKENS,
         {"auth": {"identity": {"methods": ["token"], "token": {"id": mark}}}},
         "auth/identity/token/id"),
        ("api", "api-anonymous", "/api/auth/token/", {"username": mark, "password": "x"},
         "username"),
        ("compute", "compute", SERVERS,
         {"server": {"name": mark, "flavorRef": "1", "networks": "none"}}, "server/name"),
        ("compute", "compute", KEYPAIRS,
         {"keypair": {"name": "k", "public_key": ED25519 + mark}}, "keypair/public_key"),
        ("api", "api", "/api/instances/",
         {"name": "vm", "nics": [{"network_id": str(cloud.net_a.pk)}],
          "metadata": {mark: "x"}}, "a key of metadata"),
        ("api", "api-admin", f"/api/nodes/{node.node.pk}/", {"properties": {mark: 1}},
         "a key of properties"),
        ("api", "api-admin", "/api/portgroups/",
         {"node_uuid": str(node.node.pk), "name": "bond0", "mode": "active-backup",
          "ports": ports, "properties": {mark: 1}}, "a key of properties"),
    ]
    return [(face, who, url, json.dumps(body).replace(mark, LONE), where)
            for face, who, url, body, where in cases]


def test_a_lone_surrogate_anywhere_in_a_body_is_a_400_that_says_where(cloud, clients):
    for face, who, url, body, where in _surrogate_bodies(cloud):
        client = clients[who]
        send = client.patch if "/nodes/" in url else client.post
        response = send(url, body, content_type="application/json")
        message = _BAD_REQUEST[face](response)
        assert message == (f"JSON parse error - {where} holds a lone surrogate (\\ud800): "
                           "JSON text must be Unicode characters, and a \\ud800-\\udfff escape "
                           "is only valid as half of a pair"), (url, where)
    assert not Instance.objects.exists() and not Keypair.objects.exists()


def test_a_surrogate_pair_is_one_character_and_welcome(nova):
    response = nova.post(SERVERS, '{"server": {"name": "\\ud83d\\ude00", "flavorRef": "1", '
                                  '"networks": "none"}}', content_type="application/json")
    assert response.status_code == 202, response.content
    assert Instance.objects.get().name == "\N{GRINNING FACE}"


def test_utf8_encoded_surrogates_in_urls_and_forms_are_no_characters_at_all(cloud, nova):
    """``%ED%A0%80`` is U+D800 encoded as UTF-8, which UTF-8 forbids: Django keeps it
    percent-encoded in a path and decodes it to U+FFFD in query strings and forms, so it
    never reaches the database as a surrogate."""
    assert nova.get(f"{SERVERS}?name=%ED%A0%80").json() == {"servers": []}
    assert "%ED%A0%80" in nova_message(nova.get(f"{KEYPAIRS}/%ED%A0%80"), 404, "itemNotFound")
    assert cloud.a.get("/api/instances/?name=%ED%A0%80").json()["count"] == 0
    form = APIClient().post("/api/auth/token/", "username=%ED%A0%80&password=x",
                            content_type="application/x-www-form-urlencoded")
    assert "Unable to log in" in api_message(form, 400)


# --- microversions ---------------------------------------------------------------------------

NINES = "2." + "9" * 4301  # one digit more than Python's int() takes from text


@pytest.mark.parametrize("url", ["/compute", "/compute/", "/compute/v2.1/"])
@pytest.mark.parametrize("header", ["HTTP_OPENSTACK_API_VERSION",
                                    "HTTP_X_OPENSTACK_NOVA_API_VERSION"])
def test_a_huge_microversion_is_not_acceptable(url, header):
    value = f"compute {NINES}" if header == "HTTP_OPENSTACK_API_VERSION" else NINES
    message = nova_message(APIClient().get(url, **{header: value}), 406, "notAcceptable")
    assert message.startswith("Version 2.9999") and "is not supported by the API" in message
    assert message.endswith("Minimum is 2.1 and maximum is 2.96.")
    assert len(message) < 200  # the version is not echoed whole


@pytest.mark.parametrize("version", ["2.\N{ARABIC-INDIC DIGIT NINE}\N{ARABIC-INDIC DIGIT SIX}",
                                     "2.096", "02.1", "2", "2.1.1"])
def test_a_microversion_is_ascii_digits_without_leading_zeros_as_in_nova(version):
    response = APIClient().get("/compute/v2.1/", HTTP_OPENSTACK_API_VERSION=f"compute {version}")
    assert "format is not valid" in nova_message(response, 400, "badRequest")


# --- identity: token ids ---------------------------------------------------------------------

@pytest.mark.parametrize("token_id", [5, ["abc"], {"id": "abc"}, None])
def test_a_token_id_that_is_not_a_string_is_a_400(db, token_id):
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token_id}}}}
    message = keystone_message(APIClient().post(TOKENS, body, format="json"), 400,
                               "Bad Request")
    assert message == (f"Invalid input for field 'identity/token/id': {token_id!r} is not of "
                       "type 'string'")


# --- numeric query parameters ----------------------------------------------------------------

@pytest.mark.parametrize("limit", ["9" * 18, "9" * 19, "9" * 20, "9" * 5000, "0" * 5000 + "7"])
def test_a_limit_beyond_any_list_answers_the_whole_list_as_nova_does(cloud, nova, limit):
    """Nova takes any non-negative integer as ``limit``: beyond its ``max_limit`` it is a
    full page (a number larger than the database's integers too), not an error."""
    for name in ("one", "two"):
        nova.post(SERVERS, {"server": {"name": name, "flavorRef": "1", "networks": "none"}},
                  format="json")
    response = nova.get(f"{SERVERS}?limit={limit}")
    assert response.status_code == 200, response.content
    assert sorted(s["name"] for s in response.json()["servers"]) == ["one", "two"]
    assert len(nova.get(f"{SERVERS}/detail?limit=1").json()["servers"]) == 1
    assert len(nova.get(f"{SERVERS}?limit={'0' * 5000}1").json()["servers"]) == 1
    assert nova.get(f"{SERVERS}?limit=0").json()["servers"] == []


def test_a_list_pages_at_nova_max_limit_and_links_the_next_page(cloud, nova, monkeypatch):
    """Nova answers at most ``[api] max_limit`` servers whatever ``limit`` asks, and a full
    page links to the next one (``servers_links``), which clients follow."""
    monkeypatch.setattr(compute_views, "MAX_LIMIT", 2)
    for name in ("one", "two", "three"):
        nova.post(SERVERS, {"server": {"name": name, "flavorRef": "1", "networks": "none"}},
                  format="json")
    first = nova.get(f"{SERVERS}/detail?limit={'9' * 30}").json()
    assert [s["name"] for s in first["servers"]] == ["three", "two"]  # newest first
    (link,) = first["servers_links"]
    assert link["rel"] == "next" and link["href"].startswith(
        "http://testserver/compute/v2.1/servers/detail?")
    second = nova.get(link["href"]).json()
    assert [s["name"] for s in second["servers"]] == ["one"]
    assert "servers_links" not in second
    assert len(nova.get(SERVERS).json()["servers"]) == 2  # no limit: max_limit


@pytest.mark.parametrize("query", ["limit=-1", "limit=1.5", "limit=%C2%B2", "limit="])
def test_a_limit_that_is_not_a_number_is_a_400(nova, query):
    message = nova_message(nova.get(f"{SERVERS}?{query}"), 400, "badRequest")
    assert message == "limit must be a non-negative integer"


@pytest.mark.parametrize("url", ["/api/instances/", "/api/networks/", "/api/vifs/",
                                 "/api/nodes/", "/api/portgroups/"])
@pytest.mark.parametrize("parameter", ["limit", "offset"])
def test_api_paging_numbers_beyond_their_bounds_are_a_400(cloud, url, parameter):
    message = api_message(cloud.admin.get(f"{url}?{parameter}=99999999999999999999"), 400)
    assert f"{parameter} must be an integer from" in message


# --- NUL, which PostgreSQL cannot store -------------------------------------------------------

def _server(cloud, **fields) -> dict:
    server = {"name": "vm", "flavorRef": "1",
              "networks": [{"uuid": str(cloud.net_a.pk), "tag": "nic0"}], **fields}
    return {"server": server}


def _nul_servers(cloud) -> dict[str, tuple[dict, str]]:
    """A server with NUL in each of its texts, and the start of the message that names it."""
    tagged = [{"uuid": str(cloud.net_a.pk), "tag": "nic\x000"}]
    return {"name": ({"name": "vm\x00"}, "An instance name"),
            "tag": ({"networks": tagged}, "NIC 0 (network "),
            "availability_zone": ({"availability_zone": "nova\x00"},
                                  "An instance availability_zone")}


@pytest.mark.parametrize("field", ["name", "tag", "availability_zone"])
def test_nul_in_a_server_is_a_400_on_every_database(cloud, nova, field):
    server, named = _nul_servers(cloud)[field]
    message = nova_message(nova.post(SERVERS, _server(cloud, **server), format="json"), 400,
                           "badRequest")
    assert message.startswith(named)
    assert message.endswith(" may not contain the NUL character (\\u0000)")
    assert not Instance.objects.exists()


def test_nul_in_a_public_keys_comment_is_a_400_on_every_database(nova):
    response = nova.post(KEYPAIRS, {"keypair": {"name": "k", "public_key": ED25519 + "\x00"}},
                         format="json")
    message = nova_message(response, 400, "badRequest")
    assert message == "public_key may not contain the NUL character (\\u0000)"
    assert not Keypair.objects.exists()


@pytest.mark.postgres
def test_nul_never_reaches_postgresql_through_nova(cloud, nova):
    """What PostgreSQL refused (a DataError, a 500) is the service's 400 before it is asked."""
    test_nul_in_a_public_keys_comment_is_a_400_on_every_database(nova)
    for field, (server, named) in _nul_servers(cloud).items():
        response = nova.post(SERVERS, _server(cloud, **server), format="json")
        assert nova_message(response, 400, "badRequest").startswith(named), field
    assert nova.post(SERVERS, _server(cloud), format="json").status_code == 202


# --- Horizon's JavaScript catalogue ----------------------------------------------------------

def test_an_unknown_javascript_catalogue_is_a_404(client, db):
    response = client.get("/i18n/js/foo/")
    assert response.status_code == 404
    known = client.get(reverse("horizon:jsi18n", args=["horizon"]))  # as Horizon's pages ask
    assert known.status_code == 200 and b"django.catalog" in known.content
    assert known["Last-Modified"]  # Horizon's cache header, kept


# --- bodies beyond DATA_UPLOAD_MAX_MEMORY_SIZE -------------------------------------------------

BIG = b" " * (50 * 1024 * 1024)


TOO_BIG = "The request body is larger than the 2621440 bytes this service accepts."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_621_440)
@pytest.mark.parametrize(("face", "who", "url"), BODY_URLS)
def test_a_50_mb_body_is_a_413_in_the_faces_format(clients, face, who, url):
    response = clients[who].post(url, BIG, content_type="application/json")
    if face == "compute":
        message = nova_message(response, 413, "overLimit")
    elif face == "identity":
        message = keystone_message(response, 413, "Request Entity Too Large")
    else:
        message = api_message(response, 413)
    assert message == TOO_BIG


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_621_440, DATA_UPLOAD_MAX_NUMBER_FIELDS=1000)
def test_a_sign_in_form_too_big_or_with_too_many_fields_is_refused_in_api_format(db):
    form = "application/x-www-form-urlencoded"
    big = APIClient().post("/api/auth/token/", b"username=" + BIG, content_type=form)
    assert api_message(big, 413) == TOO_BIG
    many = "&".join(f"f{i}=x" for i in range(1001))
    message = api_message(APIClient().post("/api/auth/token/", many, content_type=form), 400)
    assert message == "The request has more than 1000 form fields."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_621_440)
def test_a_50_mb_launch_preview_is_a_json_413_for_the_wizards_script(alice):
    response = alice.post("/project/launch/preview/", b"metadata=" + BIG,
                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.json() == {"detail": "The launch is larger than the 2621440 bytes this "
                                          "site accepts.", "code": "request_too_large"}


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "*/*", "text/html;q=1"])
@pytest.mark.parametrize("path", ["/compute/v2.1/servers", "/image/v2/images",
                                  "/identity/v3/auth/projects", "/compute/v2.1/nope",
                                  "/baremetal/v1/nodes", "/baremetal/v1/nope"])
def test_the_openstack_faces_answer_json_whatever_accept_says(nova, path, accept):
    """Nova, Keystone, Glance and Ironic answer JSON to any Accept; DRF's defaults answered
    text/html with its browsable page and an unknown type with a 406."""
    response = nova.get(path, HTTP_ACCEPT=accept)
    assert response.status_code in (200, 404), response.content
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)
    anonymous = APIClient().get(path, HTTP_ACCEPT=accept)
    assert anonymous.status_code in (401, 404)
    assert anonymous["Content-Type"].startswith("application/json")
    json.loads(anonymous.content)
