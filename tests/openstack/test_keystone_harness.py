"""The harness for end-to-end tests against real OpenStack services: Keystone 30 from PyPI
(tests/harness/keystone_server.py) and openstack_dashboard with our plugin's enabled files
(tests/harness/horizon_site.py), both on 127.0.0.1. These tests prove the harness itself: tokens,
catalog, the openstack CLI, and signing in to the dashboard. They need no database."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from support.processes import group_members
from tests.harness.horizon_site import HorizonSite, login_form_fields
from tests.harness.keystone_server import KeystoneServer

pytestmark = pytest.mark.keystone

# Nothing answers here: the catalog only has to say where the API would be.
MULTINIC_URL = "http://127.0.0.1:9/network-manager"
OPENSTACK_CLI = Path(sys.executable).with_name("openstack")


@dataclass(frozen=True)
class Tenant:
    project: str
    project_id: str
    username: str
    password: str
    user_id: str


@pytest.fixture(scope="session")
def tenant(keystone: KeystoneServer) -> Tenant:
    """The multinic service in the catalog, and a member of a project of its own."""
    keystone.register_service(url=MULTINIC_URL, type="network-manager", name="multinic")
    project_id = keystone.create_project("harness-tenant")
    user_id = keystone.create_user("harness-user", "harness-password", "harness-tenant")
    return Tenant("harness-tenant", project_id, "harness-user", "harness-password", user_id)


def validate(keystone: KeystoneServer, token: str) -> dict:
    """Keystone's own reading of a token (GET /v3/auth/tokens, as keystonemiddleware asks)."""
    response = keystone.admin.get(f"{keystone.auth_url}/auth/tokens",
                                  headers={"X-Subject-Token": token}, raise_exc=False)
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()["token"]


def test_admin_gets_a_fernet_token(keystone: KeystoneServer):
    token = keystone.admin.get_token()
    assert token.startswith("gAAAAA"), token  # a Fernet token, as configured
    body = validate(keystone, token)
    assert body["user"]["name"] == "admin"
    assert body["project"]["name"] == "admin"
    assert "admin" in {role["name"] for role in body["roles"]}
    # keystone-manage bootstrap's default roles, which create_user assigns by name.
    roles = keystone.admin.get(f"{keystone.auth_url}/roles").json()["roles"]
    assert {"admin", "member", "reader"} <= {role["name"] for role in roles}
    # ... and a wrong password is refused.
    refused = requests.post(f"{keystone.auth_url}/auth/tokens", timeout=30, json={
        "auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": "not-it"}}}}})
    assert refused.status_code == 401, refused.text


def test_member_token_is_scoped_to_its_project_with_the_network_manager_in_its_catalog(
        keystone: KeystoneServer, tenant: Tenant):
    session = keystone.session(tenant.username, tenant.password, tenant.project)
    access = session.auth.get_access(session)
    assert access.project_id == tenant.project_id
    assert access.user_id == tenant.user_id
    assert "member" in access.role_names and "admin" not in access.role_names
    assert session.get_endpoint(service_type="network-manager", interface="public",
                                region_name="RegionOne") == MULTINIC_URL
    entries = [entry for entry in access.service_catalog.catalog
               if entry["type"] == "network-manager"]
    assert len(entries) == 1 and entries[0]["name"] == "multinic", entries
    assert {(e["interface"], e["region_id"], e["url"]) for e in entries[0]["endpoints"]} == {
        (interface, "RegionOne", MULTINIC_URL) for interface in ("public", "internal", "admin")}
    assert validate(keystone, session.get_token())["project"]["id"] == tenant.project_id


def _openstack(keystone: KeystoneServer, tenant: Tenant, *args: str) -> object:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    env.update(keystone.os_env(tenant.username, tenant.password, tenant.project))
    result = subprocess.run([str(OPENSTACK_CLI), *args, "-f", "json"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"openstack {' '.join(args)}:\n{result.stderr}"
    return json.loads(result.stdout)


def test_openstack_cli_with_os_env(keystone: KeystoneServer, tenant: Tenant):
    token = _openstack(keystone, tenant, "token", "issue")
    assert token["project_id"] == tenant.project_id and token["user_id"] == tenant.user_id
    assert validate(keystone, token["id"])["user"]["name"] == tenant.username
    service = _openstack(keystone, tenant, "catalog", "show", "network-manager")
    assert service["type"] == "network-manager" and service["name"] == "multinic", service
    assert MULTINIC_URL in json.dumps(service["endpoints"]), service


def test_dashboard_signs_in_through_keystone(horizon_site: HorizonSite, tenant: Tenant):
    client = horizon_site.sign_in(tenant.username, tenant.password)
    # Horizon's own pages that need nothing but Keystone. (/project/ itself is the Overview
    # panel, which needs a compute service in the catalog: without one it answers 403.)
    api_access = client.get(horizon_site.url("/project/api_access/"), timeout=60)
    assert api_access.status_code == 200, horizon_site.log_tail()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", api_access.text))
    assert tenant.project in text  # the project switcher in the header
    assert f"Network Manager {MULTINIC_URL}" in text  # the catalog, as the dashboard read it
    projects = client.get(horizon_site.url("/identity/"), timeout=60)
    assert projects.status_code == 200 and tenant.project_id in projects.text
    # Our enabled files were loaded: the Multi-NIC group is in the project dashboard's menu.
    assert "Multi-NIC" in api_access.text
    # The offline-compressed CSS and JS the page names are served.
    assets = re.findall(r'(?:href|src)="(/static/dashboard/(?:css|js)/[^"]+)"', api_access.text)
    assert assets
    for asset in assets:
        response = client.get(horizon_site.url(asset), timeout=60)
        assert response.status_code == 200 and response.content, asset


def test_dashboard_refuses_a_wrong_password(horizon_site: HorizonSite, tenant: Tenant):
    client = requests.Session()
    form = login_form_fields(client.get(horizon_site.url("/auth/login/"), timeout=30).text)
    form.update(username=tenant.username, password="not-the-password")
    answer = client.post(horizon_site.url("/auth/login/"), data=form, allow_redirects=False,
                         timeout=60, headers={"Referer": horizon_site.url("/auth/login/")})
    assert answer.status_code == 200 and "Invalid credentials" in answer.text
    assert client.get(horizon_site.url("/identity/"), allow_redirects=False,
                      timeout=30).status_code == 302  # to the login page


def test_a_server_leaves_nothing_behind():
    """A KeystoneServer of its own: after ``with``, no process of its group and no file."""
    with KeystoneServer(workers=1) as server:
        pgid = server.process.pid
        assert group_members(pgid)
        assert requests.get(server.auth_url, timeout=30).json()["version"]["id"].startswith("v3.")
    assert not group_members(pgid)
    assert not server.directory.exists()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), 1):
        pass
