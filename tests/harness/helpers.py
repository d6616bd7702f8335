"""What tests of several layers share: the allocation checks, a real public key, and signing
in to the dashboard and reading what its pages said."""

import netaddr
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from multinic_api.models import FreeRange, Subnet
from multinic_api.services import ipam
from support import invariants


def free_addresses(subnet: Subnet) -> netaddr.IPSet:
    free = netaddr.IPSet()
    for rng in FreeRange.objects.filter(subnet=subnet):
        free.add(netaddr.IPRange(ipam.key_to_int(rng.first), ipam.key_to_int(rng.last)))
    return free


def assert_subnet_consistent(subnet: Subnet) -> None:
    """Free ranges and allocations partition the pools minus the reserved addresses."""
    subnet.refresh_from_db()
    problems = invariants.subnet_problems(subnet)
    assert not problems, problems


#: A real OpenSSH public key (made by ssh-keygen) for key pair tests.
ED25519 = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzMB3SUHjfxPZOcf6z3Kd/BCrGjU1rZevmhet/3pf9G "
           "alice@example")


def sign_in(client, username: str, password: str) -> None:
    """Sign in to the dashboard as a person does: openstack_auth's form, against the
    built-in Identity (dispatched in-process by the site)."""
    client.get("/auth/login/")  # the CSRF cookie, for a client that checks it
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    response = client.post("/auth/login/", {"username": username, "password": password,
                                            "region": "default",
                                            "csrfmiddlewaretoken": token})
    assert response.status_code == 302, (response.status_code, response.content[-2000:])


def messages_of(response) -> list[str]:
    """The messages a dashboard page queued for the next page (Horizon's toasts)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_errors(response) -> list[str]:
    """Every error of the form a dashboard page shows again, field by field."""
    form = response.context["form"]
    return [str(e) for errors in form.errors.values() for e in errors]


def keystone_client(user: str, password: str, project: str) -> APIClient:
    """A test client holding the token the Identity face issues for ``user`` scoped to
    ``project``, sent as ``X-Auth-Token``, as every OpenStack client sends it."""
    client = APIClient()
    response = client.post("/identity/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}},
        format="json")
    client.credentials(HTTP_X_AUTH_TOKEN=response["X-Subject-Token"])
    return client
