from datetime import timedelta

import pytest
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
    assert names == {"net-a", "shared"}


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
