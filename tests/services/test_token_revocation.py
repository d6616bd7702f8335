"""Tokens end when what they stand for changes, as Keystone's do: a password change or a
deactivation ends every token of the user (the Identity's, DRF's and the dashboard session
holding one); removing a user from a project ends their tokens scoped to it. And an
unscoped token acts in no project: the compute face refuses it, as Nova does."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from multinic_api.models import Network
from multinic_identity.models import AuthToken, Membership
from tests.harness.helpers import sign_in

SERVERS = "/compute/v2.1/servers"
IMAGE = "6f1b1e4e-5b5b-4d5e-9a3c-0c1a2b3c4d01"  # the first of MULTINIC_IMAGES


def token_for(username, password, project=None):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": username, "domain": {"id": "default"}, "password": password}}}}}
    if project:
        body["auth"]["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
    response = APIClient().post("/identity/v3/auth/tokens", body, format="json")
    assert response.status_code == 201, response.content
    return response["X-Subject-Token"]


def with_token(token):
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=token)
    return client


def is_valid(token):
    """What Identity itself says of the token (its own validation call)."""
    response = APIClient().get("/identity/v3/auth/tokens", HTTP_X_AUTH_TOKEN=token,
                               HTTP_X_SUBJECT_TOKEN=token)
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


@pytest.fixture
def alice_tokens(cloud):
    """Alice's tokens: unscoped, scoped to project-a, and her DRF token; all good now."""
    tokens = {"unscoped": token_for("alice", "pw-alice"),
              "scoped": token_for("alice", "pw-alice", "project-a")}
    drf = Token.objects.create(user=cloud.alice)
    assert with_token(tokens["scoped"]).get(SERVERS).status_code == 200
    assert APIClient(HTTP_AUTHORIZATION=f"Token {drf.key}").get(
        "/api/instances/").status_code == 200
    return tokens, drf.key


def assert_all_ended(tokens, drf_key):
    for token in tokens.values():
        assert not is_valid(token)
    refused = with_token(tokens["scoped"]).get(SERVERS)
    assert refused.status_code == 401
    assert "unauthorized" in refused.json()  # Nova's fault body
    drf = APIClient(HTTP_AUTHORIZATION=f"Token {drf_key}").get("/api/instances/")
    assert drf.status_code == 401


def test_password_change_ends_every_token_of_the_user(cloud, alice_tokens):
    bob_token = token_for("bob", "pw-bob", "project-b")
    cloud.alice.set_password("a-new-password")
    cloud.alice.save()
    assert_all_ended(*alice_tokens)
    assert is_valid(bob_token)  # another user's are untouched
    assert is_valid(token_for("alice", "a-new-password", "project-a"))


def test_deactivation_ends_every_token_and_reactivation_revives_none(cloud, alice_tokens):
    cloud.alice.is_active = False
    cloud.alice.save()
    cloud.alice.is_active = True
    cloud.alice.save()
    assert_all_ended(*alice_tokens)


def test_saving_other_fields_ends_nothing(cloud, alice_tokens):
    tokens, drf_key = alice_tokens
    cloud.alice.first_name = "Alice"
    cloud.alice.save()
    cloud.alice.save(update_fields=["last_login"])
    assert all(is_valid(token) for token in tokens.values())
    assert Token.objects.filter(key=drf_key).exists()


def test_leaving_a_project_ends_the_tokens_scoped_to_it(cloud, alice_tokens):
    tokens, _ = alice_tokens
    server = with_token(tokens["scoped"]).post(SERVERS, {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE,
        "networks": [{"uuid": str(cloud.net_a.pk)}]}}, format="json")
    assert server.status_code == 202, server.content
    server_url = f"{SERVERS}/{server.json()['server']['id']}"
    Membership.objects.get(user=cloud.alice, project=cloud.project_a).delete()

    assert not AuthToken.objects.filter(user=cloud.alice, project=cloud.project_a).exists()
    client = with_token(tokens["scoped"])
    assert client.get(SERVERS).status_code == 401
    assert client.delete(server_url).status_code == 401
    assert with_token(tokens["scoped"]).get("/api/instances/").status_code == 401
    # Her unscoped token stays good (Keystone ends only the project's), but it cannot get
    # project-a back.
    assert is_valid(tokens["unscoped"])
    rescope = APIClient().post("/identity/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["token"], "token": {"id": tokens["unscoped"]}},
        "scope": {"project": {"name": "project-a", "domain": {"id": "default"}}}}},
        format="json")
    assert rescope.status_code == 401
    # The server is still there, for whoever is still in project-a.
    assert with_token(token_for("root", "pw-root", "project-a")).get(
        server_url).status_code == 200


def test_a_membership_moved_by_any_path_ends_its_tokens(cloud, alice_tokens):
    """QuerySet.update sends no signal: validation itself checks the membership."""
    tokens, _ = alice_tokens
    Membership.objects.filter(user=cloud.alice).update(project=cloud.project_b)
    assert not is_valid(tokens["scoped"])
    assert with_token(tokens["scoped"]).get(SERVERS).status_code == 401
    assert is_valid(token_for("alice", "pw-alice", "project-b"))


def test_editing_a_membership_to_another_project_ends_the_old_ones_tokens(cloud,
                                                                          alice_tokens):
    tokens, _ = alice_tokens
    membership = Membership.objects.get(user=cloud.alice)
    membership.project = cloud.project_b
    membership.save()
    assert not AuthToken.objects.filter(user=cloud.alice, project=cloud.project_a).exists()
    assert is_valid(tokens["unscoped"])


def test_an_admin_demoted_loses_the_projects_only_the_role_gave(cloud):
    """An admin may scope to any project; once no longer one, tokens scoped to projects
    they are no member of act nowhere."""
    foreign = token_for("root", "pw-root", "project-b")
    own = token_for("root", "pw-root", "admin")
    assert with_token(foreign).get(SERVERS).status_code == 200
    cloud.root.is_superuser = False
    cloud.root.save()
    assert with_token(foreign).get(SERVERS).status_code == 401
    assert with_token(own).get(SERVERS).status_code == 200


def test_the_compute_face_refuses_an_unscoped_token(cloud, alice_tokens):
    tokens, _ = alice_tokens
    client = with_token(tokens["unscoped"])
    for method, path in [("get", SERVERS), ("get", "/compute/v2.1/os-keypairs"),
                         ("get", "/compute/v2.1/flavors"), ("post", SERVERS)]:
        response = getattr(client, method)(path, {} if method == "post" else None,
                                           format="json" if method == "post" else None)
        assert response.status_code == 403, (path, response.content)
        assert "unscoped token" in response.json()["forbidden"]["message"]
    # Not even with a header naming one of her projects: a token's scope is its own.
    response = client.get(SERVERS, HTTP_X_PROJECT_ID="project-a")
    assert response.status_code == 403
    assert client.get("/compute/v2.1/").status_code == 200  # versions need no token
    assert with_token(tokens["scoped"]).get(SERVERS).status_code == 200


def test_an_unscoped_token_acts_in_no_project_on_the_rest_api(cloud, alice_tokens):
    tokens, _ = alice_tokens
    client = with_token(tokens["unscoped"])
    # Shared networks only, as for any caller in no project; not project-a's.
    assert {n["name"] for n in client.get("/api/networks/").json()["results"]} == set(
        Network.objects.filter(shared=True).values_list("name", flat=True))
    assert client.get("/api/instances/").json()["results"] == []
    launched = client.post("/api/instances/", {
        "name": "vm", "nics": [{"network_id": str(cloud.net_a.pk)}]}, format="json")
    assert launched.status_code == 403, launched.content


def test_a_dashboard_session_ends_with_its_token(cloud, client):
    sign_in(client, "alice", "pw-alice")
    assert client.get("/project/").status_code == 200
    cloud.alice.set_password("a-new-password")
    cloud.alice.save()
    response = client.get("/project/")
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/auth/login/?next=/project/"
    assert "_auth_user_id" not in client.session  # signed out, not just sent away
    page = client.get(response["Location"])
    assert "Your session has ended" in page.content.decode()
    # An AJAX call (the wizard's preview) gets Horizon's 401 with where to go.
    sign_in(client, "alice", "a-new-password")
    Membership.objects.filter(user=cloud.alice).delete()
    ajax = client.get("/project/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert ajax.status_code == 401
    assert ajax["X-Horizon-Location"].endswith("/auth/login/?next=/project/")


def test_a_project_switch_revokes_the_token_it_replaces(cloud, client):
    from multinic_identity import services as identity

    identity.add_member(cloud.project_b, cloud.alice)
    sign_in(client, "alice", "pw-alice")
    before = client.session["token"].id
    unscoped = client.session["unscoped_token"]
    assert identity.validate_token(before).project == cloud.project_a
    response = client.get(f"/auth/switch/{cloud.project_b.pk}/?next=/project/")
    assert response.status_code == 302 and response["Location"] == "/project/"
    after = client.session["token"].id
    assert identity.validate_token(after).project == cloud.project_b
    assert identity.validate_token(before) is None
    assert identity.validate_token(unscoped) is not None  # kept for the next switch
    # By name too (openstack_auth's other switch URL).
    client.get("/auth/switch_name/project-a/?next=/project/")
    assert identity.validate_token(client.session["token"].id).project == cloud.project_a
    assert identity.validate_token(after) is None


def test_the_image_face_refuses_an_unscoped_token(cloud, alice_tokens):
    """Glance's policies give an unscoped token no role, so nothing: a 403 in its format."""
    tokens, _ = alice_tokens
    response = with_token(tokens["unscoped"]).get("/image/v2/images")
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "403 Forbidden" and "unscoped token" in body["message"]
    assert with_token(tokens["scoped"]).get("/image/v2/images").status_code == 200


class UpgradedHasher(MD5PasswordHasher):
    """A hasher preferred over the one the password was stored with (fast, for tests)."""

    algorithm = "upgraded_md5"


def test_a_password_rehashed_on_sign_in_ends_no_token(cloud, alice_tokens, settings):
    """Django re-hashes a password at a successful check when the preferred hasher has
    changed (an upgrade): the hash is new, the password is not, and no token ends."""
    tokens, drf_key = alice_tokens
    old_hash = type(cloud.alice).objects.get(pk=cloud.alice.pk).password
    settings.PASSWORD_HASHERS = [f"{__name__}.UpgradedHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert is_valid(token_for("alice", "pw-alice", "project-a"))  # signs in: re-hashed
    new_hash = type(cloud.alice).objects.get(pk=cloud.alice.pk).password
    assert new_hash != old_hash and new_hash.startswith("upgraded_md5$")
    assert all(is_valid(token) for token in tokens.values())
    assert Token.objects.filter(key=drf_key).exists()
