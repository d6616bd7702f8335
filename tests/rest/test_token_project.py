"""A DRF token stands for its user: a request acts in the project ``X-Project-Id`` names,
else in the first of the user's projects by name; a user in none acts in none."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from multinic_api.models import Instance, Project
from multinic_api.services import subnets
from multinic_identity import services as identity
from multinic_identity.authentication import find_token
from multinic_identity.models import User

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _launch(client: APIClient, network, **headers):
    return client.post("/api/instances/", {"name": "vm", "nics": [
        {"network_id": str(network.pk)}]}, format="json", **headers)


@pytest.fixture
def member():
    """A user of two projects whose names sort against their creation order, and a shared
    network both may launch on."""
    user = get_user_model().objects.create_user("carol")
    beta, alpha = Project.objects.create(name="beta"), Project.objects.create(name="alpha")
    for project in (beta, alpha):
        identity.add_member(project, user)
    shared = subnets.create_network(beta, "shared", shared=True)
    subnets.create_subnet(shared, "10.7.0.0/24")
    return user, alpha, beta, shared


def test_a_token_acts_in_its_users_first_project_by_name(member):
    user, alpha, beta, shared = member
    client = _client(user)
    response = _launch(client, shared)
    assert response.status_code == 201, response.json()
    assert (response.json()["project_id"], response.json()["project_name"]) == (alpha.pk,
                                                                                "alpha")
    named = _launch(client, shared, HTTP_X_PROJECT_ID="beta")
    assert named.status_code == 201 and named.json()["project_id"] == beta.pk
    assert sorted(Instance.objects.values_list("project__name", flat=True)) == ["alpha", "beta"]


def test_a_token_of_a_user_in_no_project_acts_in_none_and_an_inactive_one_is_401(member):
    _, _, _, shared = member
    loner = get_user_model().objects.create_user("dave")
    client = _client(loner)
    refused = _launch(client, shared)
    assert refused.status_code == 403, refused.json()
    assert Instance.objects.count() == 0
    loner.is_active = False
    loner.save()
    assert client.get("/api/instances/").status_code == 401
    assert _client(loner).get("/api/instances/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION="Token nope").get("/api/instances/").status_code == 401


def test_the_token_its_user_and_default_project_are_one_statement(member):
    """The request floor's only query, and all a launch needs to know who is asking."""
    user, alpha, _, shared = member
    client = _client(user)
    with CaptureQueriesContext(connection) as floor:
        assert client.get("/api/bonding/modes/").status_code == 200
    (lookup,) = floor.captured_queries
    assert '"authtoken_token"' in lookup["sql"] and '"identity_membership"' in lookup["sql"]
    with CaptureQueriesContext(connection) as launch:
        response = _launch(client, shared)
    assert response.status_code == 201 and response.json()["project_name"] == "alpha"
    reading_memberships = [q["sql"] for q in launch.captured_queries
                           if '"identity_membership"' in q["sql"]]
    assert reading_memberships == [launch.captured_queries[0]["sql"]]


def test_projects_of_one_name_default_to_one_of_them_by_id_on_every_path(member):
    """A session (``identity.default_project``) and a DRF token (its own SQL) agree."""
    user, alpha, _, shared = member
    twin = Project.objects.create(name="alpha")
    identity.add_member(twin, user)
    first = min(alpha, twin, key=lambda project: project.pk)
    assert identity.default_project(user) == first
    response = _launch(_client(user), shared)
    assert response.status_code == 201 and response.json()["project_id"] == first.pk


def test_a_token_holding_nul_is_a_401_not_a_500():
    client = APIClient(HTTP_AUTHORIZATION="Token abc\x00def")
    response = client.get("/api/instances/")
    assert response.status_code == 401, response.content


def test_the_token_lookup_loads_each_field_as_the_orm_does(member):
    """Values and types alike (SQLite hands dates back as text; the ORM's converters, which
    the lookup applies too, make them datetimes)."""
    user, alpha, _, _ = member
    user.last_login = timezone.now()
    user.save()
    key = Token.objects.create(user=user).key
    found = find_token(key)
    loaded = Token.objects.select_related("user").get(key=key)
    for mine, theirs, model in ((found, loaded, Token), (found.user, loaded.user, User),
                                (found.default_project, alpha, Project)):
        for field in model._meta.concrete_fields:
            value, expected = getattr(mine, field.attname), getattr(theirs, field.attname)
            assert (value, type(value)) == (expected, type(expected)), field.attname
    assert find_token("no such key") is None
