"""Horizon's own Keystone sign-in, openstack_auth, unchanged, against the built-in Identity
on a live server: its backend's authenticate (what its login form calls), its project switch
view, its logout view, and the token revocation a sign-out makes through keystoneclient.
As a dashboard signs in against a real Keystone."""

import pytest
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.signals import request_started
from django.test import RequestFactory
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from openstack_auth import user as auth_user
from openstack_auth import utils as auth_utils
from openstack_auth import utils as openstack_auth_utils
from openstack_auth import views as auth_views
from openstack_auth.backend import KeystoneBackend
from rest_framework.test import APIClient

from multinic_identity import services as identity
from tests.harness.api_fixtures import Cloud

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keystone(live_server, settings, monkeypatch):
    """The cloud, alice a member of two projects, and openstack_auth's settings pointed at
    the live server's Identity (the rest are horizon's defaults, which the site imports).
    Its calls go over HTTP, as to any Keystone: the site's in-process transport (which
    the dashboard's own sign-in uses) is set aside for these tests."""
    monkeypatch.setattr(openstack_auth_utils, "get_session",
                        lambda **kwargs: ks_session.Session(**kwargs))
    cloud = Cloud()
    identity.add_member(cloud.project_b, cloud.alice)
    cloud.auth_url = f"{live_server.url}/identity/v3"
    settings.OPENSTACK_KEYSTONE_URL = cloud.auth_url
    settings.OPENSTACK_API_VERSIONS = {"identity": 3}
    settings.AUTHENTICATION_PLUGINS = ["openstack_auth.plugin.password.PasswordPlugin",
                                       "openstack_auth.plugin.token.TokenPlugin"]
    settings.OPENSTACK_KEYSTONE_MULTIDOMAIN_SUPPORT = False
    settings.OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = "Default"
    settings.OPENSTACK_ENDPOINT_TYPE = "public"
    return cloud


@pytest.fixture
def identity_calls():
    """Every request the Identity answers during the test: (method, path under /v3)."""
    calls = []

    def record(sender, environ, **kwargs):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/identity"):
            calls.append((environ["REQUEST_METHOD"], path.removeprefix("/identity/v3")))

    request_started.connect(record)
    yield calls
    request_started.disconnect(record)


def _request(method="get", path="/", session=None):
    """A request as the dashboard's middleware leaves it: a session and messages."""
    request = getattr(RequestFactory(), method)(path)
    request._dont_enforce_csrf_checks = True
    SessionMiddleware(lambda r: None).process_request(request)
    if session is not None:
        for key, value in session.items():
            request.session[key] = value
    MessageMiddleware(lambda r: None).process_request(request)
    return request


def _sign_in(cloud, username, password):
    """What openstack_auth's login view does with a valid form: its form's clean() calls
    the backend's authenticate (the same keyword arguments), then the view stores the user
    in the session."""
    request = _request("post", "/auth/login/")
    user = KeystoneBackend().authenticate(
        request, username=username, password=password, user_domain_name="Default",
        auth_url=cloud.auth_url)
    auth_user.set_session_from_user(request, user)
    request.session["region_endpoint"] = user.endpoint
    return request, user


def _networks(token):
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=token)
    return client.get("/api/networks/")


def _revoke(endpoint, token_id):
    """A sign-out's revocation of one token: keystoneclient's ``tokens.revoke_token``
    (DELETE /v3/auth/tokens), called as openstack_auth's ``delete_token`` called it, with
    the token itself as X-Auth-Token. (openstack_auth's logout revoked the session's scoped
    token this way, and its project switch the token it replaced; horizon 27's no longer
    revokes anything, so the sign-out that wants its tokens dead must do this itself.)"""
    endpoint, _ = auth_utils.fix_auth_url_version_prefix(endpoint)
    client = auth_utils.get_keystone_client().Client(
        session=auth_utils.get_session(),
        auth=token_endpoint.Token(endpoint=endpoint, token=token_id))
    client.tokens.revoke_token(token=token_id)


def test_openstack_auth_signs_in_switches_project_and_signs_out(keystone, identity_calls):
    request, user = _sign_in(keystone, "alice", "pw-alice")

    # Scoped, as openstack_auth scopes at sign-in: to the first project of the user's list.
    assert user.is_authenticated and user.username == "alice"
    assert user.id == str(keystone.alice.pk)
    assert (user.project_id, user.project_name) == (keystone.project_a.pk, "project-a")
    assert {role["name"] for role in user.roles} == {"reader", "member"}
    assert not user.is_superuser
    compute = [s for s in user.service_catalog if s["type"] == "compute"]
    assert compute and {e["url"] for e in compute[0]["endpoints"]} == {
        keystone.auth_url.replace("/identity/v3", "/compute/v2.1")}
    assert user.endpoint == keystone.auth_url
    assert user.services_region == "RegionOne"
    # Its tokens: an unscoped one, kept for switching, and the project-scoped one.
    unscoped, scoped_a = user.unscoped_token, user.token.id
    assert identity.validate_token(unscoped).project is None
    assert identity.validate_token(scoped_a).project == keystone.project_a
    names = {n["name"] for n in _networks(scoped_a).json()["results"]}
    assert {"net-a", "shared"} <= names and "net-b" not in names

    # The dashboard's project menu and the system-scope question.
    assert [(p.id, p.name) for p in user.authorized_tenants] == [
        (keystone.project_a.pk, "project-a"), (keystone.project_b.pk, "project-b")]
    assert all(p.enabled for p in user.authorized_tenants)
    assert user.is_system_user is False  # no system role

    # /auth/switch/<project_id>/ (openstack_auth.views.ProjectSwitchByIDView)
    switch = _request("get", f"/auth/switch/{keystone.project_b.pk}/",
                      session=dict(request.session))
    switch.user = user
    response = auth_views.ProjectSwitchByIDView.as_view()(
        switch, project=keystone.project_b.pk)
    assert response.status_code == 302
    switched = switch.user
    assert (switched.project_id, switched.project_name) == (keystone.project_b.pk,
                                                            "project-b")
    assert switch.session["token"].project["id"] == keystone.project_b.pk
    assert switched.unscoped_token == unscoped  # switching again starts from it
    scoped_b = switched.token.id
    assert scoped_b not in (scoped_a, unscoped)
    names = {n["name"] for n in _networks(scoped_b).json()["results"]}
    assert {"net-b", "shared"} <= names and "net-a" not in names
    issued = keystone.alice.identity_tokens.count()
    _revoke(switched.endpoint, scoped_a)  # the token the switch replaced

    # Sign-out: openstack_auth's logout view; the site's receiver of its signal revokes the
    # session's tokens (multinic_site.apps.revoke_session_tokens).
    logout = _request("post", "/auth/logout/", session=dict(switch.session))
    logout.user = switched
    assert auth_views.logout(logout).status_code == 302
    assert "token" not in logout.session
    for token in (unscoped, scoped_a, scoped_b):
        assert _networks(token).status_code == 401
        assert identity.validate_token(token) is None

    # The calls, for the record (and so that a change in them is noticed). The domain and
    # system scopes were refused: alice's three tokens are all that was issued.
    assert issued == 3
    user_projects = f"/users/{keystone.alice.pk}/projects"
    assert identity_calls == [
        # KeystoneBackend.authenticate
        ("POST", "/auth/tokens"),  # password, "scope": "unscoped" (PasswordPlugin)
        ("POST", "/auth/tokens"),  # token, scope domain "Default": 401, no domain role
        ("GET", user_projects),  # keystoneclient projects.list(user=...), unscoped token
        ("POST", "/auth/tokens"),  # token, scope project (the first enabled one)
        # User.authorized_tenants, then User.is_system_user: keystoneclient 6 has
        # auth.systems(), not the auth.system openstack_auth looks for, so it tries a system
        # scope instead of GET /auth/system: 401, no system role
        ("GET", user_projects),
        ("POST", "/auth/tokens"),
        # ProjectSwitchByIDView: the unscoped token, scope project
        ("POST", "/auth/tokens"),
        # the sign-out's revocations (keystoneclient tokens.revoke_token)
        ("DELETE", "/auth/tokens"), ("DELETE", "/auth/tokens"), ("DELETE", "/auth/tokens"),
    ]


def test_openstack_auth_token_sign_in_lists_domains(keystone, identity_calls):
    """openstack_auth's TokenPlugin (web single sign-on hands it a token) knows no domain
    name, so the backend asks GET /auth/domains which domains to try: none here."""
    unscoped = identity.issue_token(keystone.alice, None, ["password"])[0]
    request = _request("post", "/auth/websso/")
    user = KeystoneBackend().authenticate(request, auth_url=keystone.auth_url, token=unscoped)
    assert (user.project_id, user.project_name) == (keystone.project_a.pk, "project-a")
    assert ("GET", "/auth/domains") in identity_calls
    assert not any(path == "/auth/system" for _, path in identity_calls)


def test_keystoneclient_auth_calls(keystone):
    """keystoneclient's auth manager, as openstack_auth and the dashboard reach it."""
    unscoped = identity.issue_token(keystone.alice, None, ["password"])[0]
    client = auth_utils.get_keystone_client().Client(
        session=auth_utils.get_session(),
        auth=token_endpoint.Token(endpoint=keystone.auth_url, token=unscoped))
    assert [p.name for p in client.auth.projects()] == ["project-a", "project-b"]
    assert client.auth.domains() == []
    assert client.auth.systems() == []
    assert [p.id for p in client.projects.list(user=str(keystone.alice.pk))] == [
        keystone.project_a.pk, keystone.project_b.pk]
    access = client.tokens.validate(unscoped)
    assert access.user_id == str(keystone.alice.pk) and not access.project_scoped
    client.tokens.revoke_token(token=unscoped)
    assert identity.validate_token(unscoped) is None


def test_openstack_auth_admin_gets_the_admin_role(keystone):
    _, user = _sign_in(keystone, "root", "pw-root")
    assert (user.project_id, user.project_name) == (keystone.admin_project.pk, "admin")
    assert "admin" in {role["name"] for role in user.roles}
    assert user.is_superuser
    assert [p.name for p in user.authorized_tenants] == ["admin"]
    assert any(s["type"] == "compute" for s in user.service_catalog)


def test_openstack_auth_refuses_a_wrong_password(keystone):
    from openstack_auth import exceptions

    with pytest.raises(exceptions.KeystoneCredentialsException):
        _sign_in(keystone, "alice", "wrong")


def test_openstack_auth_refuses_a_user_without_projects(keystone):
    from django.contrib.auth import get_user_model
    from openstack_auth import exceptions

    get_user_model().objects.create_user("carol", password="pw-carol")
    with pytest.raises(exceptions.KeystoneNoProjectsException):
        _sign_in(keystone, "carol", "pw-carol")
