from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.utils import timezone
from rest_framework.test import APIClient

from multinic_identity import services as identity
from multinic_identity.models import AuthToken


def password_auth(username, password, project=None, by="name"):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": username, "domain": {"name": "Default"}, "password": password}}}}}
    if project:
        body["auth"]["scope"] = {"project": {by: project, "domain": {"id": "default"}}}
    return body


@pytest.fixture
def anon():
    return APIClient()


def test_version_discovery(cloud, anon):
    versions = anon.get("/identity/")
    assert versions.status_code == 300
    (version,) = versions.json()["versions"]["values"]
    assert version["id"].startswith("v3") and version["status"] == "stable"
    assert version["links"][0]["href"] == "http://testserver/identity/v3/"
    assert anon.get("/identity/v3/").json()["version"]["id"] == version["id"]


def test_password_token_with_project_scope_and_catalog(cloud, anon):
    response = anon.post("/identity/v3/auth/tokens",
                         password_auth("alice", "pw-alice", "project-a"), format="json")
    assert response.status_code == 201, response.content
    token = response["X-Subject-Token"]
    body = response.json()["token"]
    assert body["project"] == {"id": cloud.project_a.pk, "name": "project-a",
                               "domain": {"id": "default", "name": "Default"}}
    assert body["user"]["name"] == "alice"
    assert {r["name"] for r in body["roles"]} == {"reader", "member"}
    compute = next(s for s in body["catalog"] if s["type"] == "compute")
    assert {e["url"] for e in compute["endpoints"]} == {"http://testserver/compute/v2.1"}
    # Stored hashed, never in the clear.
    assert not AuthToken.objects.filter(digest=token).exists()
    assert AuthToken.objects.filter(digest=identity.digest(token)).exists()
    # The token authenticates the REST API, scoped to its project.
    anon.credentials(HTTP_X_AUTH_TOKEN=token)
    names = {n["name"] for n in anon.get("/api/networks/").json()["results"]}
    assert {"net-a", "shared"} <= names and "net-b" not in names


def test_scope_by_project_id_and_admin_role(cloud, anon):
    response = anon.post("/identity/v3/auth/tokens",
                         password_auth("root", "pw-root", cloud.project_b.pk, by="id"),
                         format="json")
    assert response.status_code == 201
    assert response.json()["token"]["project"]["name"] == "project-b"
    assert "admin" in {r["name"] for r in response.json()["token"]["roles"]}


def test_token_method_rescopes_and_get_validates(cloud, anon):
    first = anon.post("/identity/v3/auth/tokens", password_auth("alice", "pw-alice"),
                      format="json")
    assert first.status_code == 201
    assert "catalog" not in first.json()["token"]  # unscoped
    unscoped = first["X-Subject-Token"]
    rescoped = anon.post("/identity/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["token"], "token": {"id": unscoped}},
        "scope": {"project": {"name": "project-a", "domain": {"id": "default"}}}}},
        format="json")
    assert rescoped.status_code == 201
    token = rescoped["X-Subject-Token"]
    checked = anon.get("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=token,
                       HTTP_X_SUBJECT_TOKEN=token)
    assert checked.status_code == 200
    assert checked.json()["token"]["project"]["name"] == "project-a"
    assert checked["X-Subject-Token"] == token
    missing = anon.get("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=token,
                       HTTP_X_SUBJECT_TOKEN="nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == 404


@pytest.mark.parametrize(
    "body",
    [
        password_auth("alice", "wrong", "project-a"),
        password_auth("nobody", "pw", "project-a"),
        password_auth("alice", "pw-alice", "project-b"),  # not a member
        {"auth": {"identity": {"methods": ["token"], "token": {"id": "bogus"}}}},
        {"auth": {"identity": {"methods": ["totp"], "totp": {}}}},
    ],
)
def test_refused_authentication_is_401_in_keystone_format(cloud, anon, body):
    response = anon.post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 401 and error["title"] == "Unauthorized" and error["message"]
    assert "X-Subject-Token" not in response


@pytest.mark.parametrize("body", [{}, {"auth": "x"}, {"auth": {"identity": {}}}, []])
def test_malformed_token_requests_are_400(cloud, anon, body):
    response = anon.post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400


def test_expired_tokens_are_refused(cloud, anon):
    response = anon.post("/identity/v3/auth/tokens",
                         password_auth("alice", "pw-alice", "project-a"), format="json")
    token = response["X-Subject-Token"]
    AuthToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    anon.credentials(HTTP_X_AUTH_TOKEN=token)
    refused = anon.get("/api/networks/")
    assert refused.status_code == 401
    assert anon.get("/identity/v3/auth/tokens", HTTP_X_SUBJECT_TOKEN=token).status_code == 401


# --- Unscoped tokens, scope rules, and the calls openstack_auth makes ----------------------

def token_auth(token, scope=None):
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token}}}}
    if scope is not None:
        body["auth"]["scope"] = scope
    return body


def issue(anon, body):
    response = anon.post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 201, response.content
    return response["X-Subject-Token"], response.json()["token"]


def unscoped_body(name, password, scope):
    body = password_auth(name, password)
    if scope is not None:
        body["auth"]["scope"] = scope
    return body


@pytest.mark.parametrize("scope", [None, "unscoped", {"unscoped": {}}])
def test_unscoped_tokens_carry_no_project_roles_or_catalog(cloud, anon, scope):
    """No scope, keystoneauth's "unscoped" (unscoped=True) and old keystoneauth's
    {"unscoped": {}}: Keystone's unscoped token, the user and nothing they may do."""
    token, body = issue(anon, unscoped_body("root", "pw-root", scope))
    assert set(body) == {"methods", "user", "audit_ids", "issued_at", "expires_at"}
    assert body["methods"] == ["password"] and len(body["audit_ids"]) == 1
    assert body["user"] == {"id": str(cloud.root.pk), "name": "root",
                            "domain": {"id": "default", "name": "Default"},
                            "password_expires_at": None}
    checked = anon.get("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=token,
                       HTTP_X_SUBJECT_TOKEN=token)
    assert checked.status_code == 200 and "roles" not in checked.json()["token"]


def test_project_scope_by_name_needs_its_domain(cloud, anon):
    by_name = password_auth("alice", "pw-alice")
    by_name["auth"]["scope"] = {"project": {"name": "project-a"}}
    response = anon.post("/identity/v3/auth/tokens", by_name, format="json")
    assert response.status_code == 400 and "domain" in response.json()["error"]["message"]
    for domain in ({"name": "Default"}, {"id": "default"}):
        by_name["auth"]["scope"]["project"]["domain"] = domain
        assert issue(anon, by_name)[1]["project"]["id"] == cloud.project_a.pk
    by_name["auth"]["scope"]["project"]["domain"] = {"id": "elsewhere"}
    assert anon.post("/identity/v3/auth/tokens", by_name, format="json").status_code == 401
    # By id the project says which domain it is in.
    by_id = password_auth("alice", "pw-alice")
    by_id["auth"]["scope"] = {"project": {"id": cloud.project_a.pk}}
    assert issue(anon, by_id)[1]["project"]["name"] == "project-a"


@pytest.mark.parametrize("scope", [
    {"domain": {"id": "default"}},  # openstack_auth tries it at every sign-in
    {"domain": {"name": "Default"}},
    {"domain": {"name": "nowhere"}},
    {"system": {"all": True}},
    {"project": {"id": "no-such-project"}},
    {"project": {"name": "project-b", "domain": {"id": "default"}}},  # not alice's
])
def test_scopes_the_user_has_no_role_on_are_401(cloud, anon, scope):
    response = anon.post("/identity/v3/auth/tokens", unscoped_body("alice", "pw-alice", scope),
                         format="json")
    assert response.status_code == 401, response.content
    assert response.json()["error"]["title"] == "Unauthorized"
    assert "X-Subject-Token" not in response


def test_a_trust_scope_names_no_trust_here(cloud, anon):
    response = anon.post("/identity/v3/auth/tokens", unscoped_body(
        "alice", "pw-alice", {"OS-TRUST:trust": {"id": "t1"}}), format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == 404


ALICE_USER = {"name": "alice", "domain": {"id": "default"}, "password": "pw-alice"}


def _auth(identity, scope=...):
    auth = {"identity": identity}
    if scope is not ...:
        auth["scope"] = scope
    return {"auth": auth}


def _password(user, scope=...):
    return _auth({"methods": ["password"], "password": {"user": user}}, scope)


@pytest.mark.parametrize("body", [
    _password({**ALICE_USER, "name": ["alice"]}),
    _password({**ALICE_USER, "name": 7}),
    _password({**ALICE_USER, "password": None}),
    _password({"id": 1, "password": "pw-alice"}),
    _password({"password": "pw-alice"}),  # neither id nor name
    _password({"name": "alice", "password": "pw-alice"}),  # a name needs its domain
    _password({**ALICE_USER, "domain": "default"}),
    _password({**ALICE_USER, "domain": {}}),
    _password({**ALICE_USER, "domain": {"id": ["default"]}}),
    _password("alice"),
    _auth({"methods": ["password"], "password": "x"}),
    _auth({"methods": ["password"], "password": {}}),
    _auth({"methods": ["password"]}),  # no password object for the method
    _auth({"methods": "password", "password": {"user": ALICE_USER}}),
    _auth({"methods": [1], "password": {"user": ALICE_USER}}),
    _auth({"methods": []}),
    _auth({"methods": ["token"], "token": {}}),
    _auth({"methods": ["token"], "token": {"id": 12}}),
    _auth({"methods": ["token"], "token": ["abc"]}),
    _auth("password"),
    _password(ALICE_USER, None),
    _password(ALICE_USER, {}),
    _password(ALICE_USER, "project-a"),
    _password(ALICE_USER, ["unscoped"]),
    _password(ALICE_USER, {"project": "project-a"}),
    _password(ALICE_USER, {"project": {}}),
    _password(ALICE_USER, {"project": {"id": 5}}),
    _password(ALICE_USER, {"project": {"name": None, "domain": {"id": "default"}}}),
    _password(ALICE_USER, {"project": {"name": "project-a", "domain": "default"}}),
    _password(ALICE_USER, {"project": {"name": "project-a", "domain": {"id": 0}}}),
    _password(ALICE_USER, {"project": {"id": "x"}, "domain": {"id": "default"}}),
    _password(ALICE_USER, {"project": {"id": "x"}, "unscoped": {}}),
    _password(ALICE_USER, {"domain": {"id": []}}),
    _password(ALICE_USER, {"system": {"all": "yes"}}),
    _password(ALICE_USER, {"system": True}),
    _password(ALICE_USER, {"OS-TRUST:trust": {"id": 3}}),
])
def test_malformed_bodies_are_keystone_400s(cloud, anon, body):
    """Keystone's schema for POST /v3/auth/tokens: every id, name and password a string,
    every object an object, ids or names present; a scope is one thing. Never a 500."""
    response = anon.post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 400, (response.status_code, response.content)
    error = response.json()["error"]
    assert error["code"] == 400 and error["title"] == "Bad Request" and error["message"]


@pytest.mark.parametrize("user_id", ["x", "99999999999999999999999", "-1", "1.0", " 1"])
def test_password_by_an_id_no_user_has_is_401(cloud, anon, user_id):
    response = anon.post("/identity/v3/auth/tokens",
                         _password({"id": user_id, "password": "pw"}), format="json")
    assert response.status_code == 401


def test_password_by_user_id(cloud, anon):
    _, body = issue(anon, _password({"id": str(cloud.alice.pk), "password": "pw-alice"}))
    assert body["user"]["name"] == "alice"


def _project_of(cloud, project):
    return {"id": project.pk, "name": project.name, "domain_id": "default",
            "description": project.description, "enabled": True, "is_domain": False,
            "parent_id": "default", "tags": [], "options": {},
            "links": {"self": f"http://testserver/identity/v3/projects/{project.pk}"}}


def test_auth_projects_lists_the_projects_the_token_may_scope_to(cloud, anon):
    identity.add_member(cloud.project_b, cloud.alice)
    token, _ = issue(anon, password_auth("alice", "pw-alice"))  # unscoped, as openstack_auth
    response = anon.get("/identity/v3/auth/projects", HTTP_X_AUTH_TOKEN=token)
    assert response.status_code == 200
    assert response.json() == {
        "projects": [_project_of(cloud, cloud.project_a), _project_of(cloud, cloud.project_b)],
        "links": {"self": "http://testserver/identity/v3/auth/projects",
                  "previous": None, "next": None}}
    head = anon.head("/identity/v3/auth/projects", HTTP_X_AUTH_TOKEN=token)
    assert head.status_code == 200 and not head.content
    # Each of them does take a token; others do not.
    for project in response.json()["projects"]:
        _, scoped = issue(anon, token_auth(token, {"project": {"id": project["id"]}}))
        assert scoped["project"]["id"] == project["id"]
    assert anon.post("/identity/v3/auth/tokens",
                     token_auth(token, {"project": {"id": cloud.admin_project.pk}}),
                     format="json").status_code == 401


def test_an_admin_lists_their_memberships_and_may_scope_anywhere(cloud, anon):
    token, _ = issue(anon, password_auth("root", "pw-root"))
    listed = anon.get("/identity/v3/auth/projects", HTTP_X_AUTH_TOKEN=token).json()
    assert [p["name"] for p in listed["projects"]] == ["admin"]
    _, scoped = issue(anon, token_auth(token, {"project": {"id": cloud.project_b.pk}}))
    assert scoped["project"]["name"] == "project-b"


def test_user_projects_for_the_user_or_an_admin(cloud, anon):
    url = f"/identity/v3/users/{cloud.alice.pk}/projects"
    alice, _ = issue(anon, password_auth("alice", "pw-alice"))
    mine = anon.get(url, HTTP_X_AUTH_TOKEN=alice)
    assert mine.status_code == 200
    assert mine.json()["projects"] == [_project_of(cloud, cloud.project_a)]
    assert mine.json()["links"]["self"] == f"http://testserver{url}"

    bob, _ = issue(anon, password_auth("bob", "pw-bob", "project-b"))
    refused = anon.get(url, HTTP_X_AUTH_TOKEN=bob)
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": 403, "title": "Forbidden",
        "message": "You are not authorized to perform the requested action: "
                   "identity:list_user_projects."}
    # Not even whether a user exists: the same 403 for one that does not.
    assert anon.get("/identity/v3/users/424242/projects",
                    HTTP_X_AUTH_TOKEN=bob).status_code == 403

    # The admin role comes with a project-scoped token only, as in Keystone.
    root_unscoped, _ = issue(anon, password_auth("root", "pw-root"))
    assert anon.get(url, HTTP_X_AUTH_TOKEN=root_unscoped).status_code == 403
    root, _ = issue(anon, password_auth("root", "pw-root", "admin"))
    assert anon.get(url, HTTP_X_AUTH_TOKEN=root).json()["projects"] == mine.json()["projects"]
    for missing in ("424242", "alice", "99999999999999999999999", f" {cloud.alice.pk}"):
        response = anon.get(f"/identity/v3/users/{missing}/projects", HTTP_X_AUTH_TOKEN=root)
        assert response.status_code == 404, missing
        assert response.json()["error"]["code"] == 404

    assert anon.get(url).status_code == 401
    assert anon.get(url, HTTP_X_AUTH_TOKEN="bogus").json()["error"]["code"] == 401


def test_no_domain_or_system_to_scope_to(cloud, anon):
    """Roles are held on projects only: Keystone's answers for such a user."""
    token, _ = issue(anon, password_auth("root", "pw-root", "admin"))
    domains = anon.get("/identity/v3/auth/domains", HTTP_X_AUTH_TOKEN=token)
    assert domains.status_code == 200
    assert domains.json() == {"domains": [], "links": {
        "self": "http://testserver/identity/v3/auth/domains", "previous": None, "next": None}}
    system = anon.get("/identity/v3/auth/system", HTTP_X_AUTH_TOKEN=token)
    assert system.status_code == 200 and system.json()["system"] == []
    for path in ("domains", "system", "projects"):
        refused = anon.get(f"/identity/v3/auth/{path}", HTTP_X_AUTH_TOKEN="bogus")
        assert refused.status_code == 401 and refused.json()["error"]["code"] == 401


def test_token_method_keeps_the_expiry_and_the_audit_chain(cloud, anon):
    first, unscoped = issue(anon, password_auth("alice", "pw-alice"))
    record = AuthToken.objects.get(digest=identity.digest(first))
    # An hour on, rescoping must not buy another hour: the expiry is the first token's.
    record.expires_at = timezone.now() + timedelta(minutes=5)
    record.save()
    scoped_token, scoped = issue(anon, token_auth(first, {"project": {"id": cloud.project_a.pk}}))
    assert scoped["expires_at"] == record.expires_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert scoped["methods"] == ["token", "password"]
    # Keystone's audit_ids: its own, then its chain's first token's.
    assert scoped["audit_ids"][1:] == unscoped["audit_ids"]
    assert scoped["audit_ids"][0] != unscoped["audit_ids"][0]
    # From the rescoped one again: the same expiry, the chain still the first token's.
    _, again = issue(anon, token_auth(scoped_token))
    assert again["expires_at"] == scoped["expires_at"]
    assert again["audit_ids"][1:] == unscoped["audit_ids"] and "project" not in again
    assert again["methods"] == ["token", "password"]


def test_revoking_a_token(cloud, anon):
    token, _ = issue(anon, password_auth("alice", "pw-alice", "project-a"))
    other, _ = issue(anon, password_auth("alice", "pw-alice"))
    anon.credentials(HTTP_X_AUTH_TOKEN=token)
    assert anon.get("/api/networks/").status_code == 200
    anon.credentials()
    revoked = anon.delete("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=token,
                          HTTP_X_SUBJECT_TOKEN=token)
    assert revoked.status_code == 204 and not revoked.content
    # Nowhere valid any more: the REST API, validation, the token method, revoking again.
    anon.credentials(HTTP_X_AUTH_TOKEN=token)
    assert anon.get("/api/networks/").status_code == 401
    anon.credentials()
    gone = anon.get("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=other,
                    HTTP_X_SUBJECT_TOKEN=token)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == 404
    assert anon.post("/identity/v3/auth/tokens", token_auth(token),
                     format="json").status_code == 401
    assert anon.delete("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=other,
                       HTTP_X_SUBJECT_TOKEN=token).status_code == 404
    assert anon.delete("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=other).status_code == 404
    # The user's other token is untouched.
    assert anon.get("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=other,
                    HTTP_X_SUBJECT_TOKEN=other).status_code == 200


def test_only_the_tokens_user_or_an_admin_revokes_or_reads_it(cloud, anon):
    alice, _ = issue(anon, password_auth("alice", "pw-alice", "project-a"))
    bob, _ = issue(anon, password_auth("bob", "pw-bob", "project-b"))
    for method in ("get", "delete"):
        response = getattr(anon, method)("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=bob,
                                         HTTP_X_SUBJECT_TOKEN=alice)
        assert response.status_code == 403, method
        assert response.json()["error"]["title"] == "Forbidden"
    assert anon.delete("/identity/v3/auth/tokens", HTTP_X_SUBJECT_TOKEN=alice).status_code == 401
    assert anon.delete("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN="bogus",
                       HTTP_X_SUBJECT_TOKEN=alice).status_code == 401
    assert identity.validate_token(alice) is not None
    root, _ = issue(anon, password_auth("root", "pw-root", "admin"))
    assert anon.get("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=root,
                    HTTP_X_SUBJECT_TOKEN=alice).status_code == 200
    assert anon.delete("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=root,
                       HTTP_X_SUBJECT_TOKEN=alice).status_code == 204
    assert identity.validate_token(alice) is None


def test_revoking_one_token_of_a_chain_leaves_the_others(cloud, anon):
    """Keystone's DELETE /v3/auth/tokens revokes by the token's own audit id: the token
    alone, not the ones made from it by the token method nor the one it came from."""
    unscoped, _ = issue(anon, password_auth("alice", "pw-alice"))
    scoped, _ = issue(anon, token_auth(unscoped, {"project": {"id": cloud.project_a.pk}}))
    assert anon.delete("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=unscoped,
                       HTTP_X_SUBJECT_TOKEN=unscoped).status_code == 204
    assert identity.validate_token(unscoped) is None
    assert identity.validate_token(scoped) is not None
    rescoped, _ = issue(anon, token_auth(scoped))
    assert anon.delete("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=rescoped,
                       HTTP_X_SUBJECT_TOKEN=scoped).status_code == 204
    assert identity.validate_token(scoped) is None
    assert identity.validate_token(rescoped) is not None


def test_validation_without_the_catalog(cloud, anon):
    token, _ = issue(anon, password_auth("alice", "pw-alice", "project-a"))
    checked = anon.get("/identity/v3/auth/tokens?nocatalog", HTTP_X_AUTH_TOKEN=token,
                       HTTP_X_SUBJECT_TOKEN=token)
    assert checked.status_code == 200
    assert "catalog" not in checked.json()["token"]
    assert checked.json()["token"]["project"]["id"] == cloud.project_a.pk


@pytest.mark.parametrize("project", [{"id": ""}, {"id": "", "name": "project-a"}])
def test_an_empty_project_id_is_a_401_not_a_500(cloud, anon, project):
    body = password_auth("alice", "pw-alice")
    body["auth"]["scope"] = {"project": project}
    response = anon.post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == 401


def test_a_superusers_unscoped_token_is_no_admin_on_the_api(cloud, anon):
    # Keystone puts no roles in an unscoped token; the API reads it the same way.
    unscoped, _ = issue(anon, password_auth("root", "pw-root"))
    scoped, _ = issue(anon, password_auth("root", "pw-root", "admin"))
    assert anon.get("/api/vifs/", HTTP_X_AUTH_TOKEN=unscoped).status_code == 403
    assert anon.get("/api/vifs/", HTTP_X_AUTH_TOKEN=scoped).status_code == 200


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast, for tests) that counts how many passwords it hashes: the work a password
    check does, whatever the clock of the machine running the test."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("user", [
    {"name": "alice", "domain": {"id": "default"}, "password": "wrong"},
    {"name": "nobody", "domain": {"id": "default"}, "password": "wrong"},
    {"id": "ALICE", "password": "wrong"},
    {"id": "999999", "password": "wrong"},
    {"id": "not-a-number", "password": "wrong"},
    {"name": "alice", "domain": {"id": "default"}, "password": "pw-alice"},
], ids=["wrong-password", "unknown-name", "wrong-password-by-id", "unknown-id", "bad-id",
        "right-password"])
def test_every_password_attempt_hashes_once(cloud, anon, settings, user):
    """Whether the user exists or not, a password attempt hashes exactly once, so that its
    time does not tell which user ids or names exist."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    cloud.alice.set_password("pw-alice")
    cloud.alice.save()
    if user.get("id") == "ALICE":
        user = {**user, "id": cloud.alice.user_id}
    CountingHasher.calls = 0
    response = anon.post("/identity/v3/auth/tokens", _password(user), format="json")
    assert response.status_code == (201 if user["password"] == "pw-alice" else 401)
    assert CountingHasher.calls == 1
