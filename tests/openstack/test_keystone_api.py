"""The API beside a real Keystone: keystonemiddleware's auth_token validates the cloud's
tokens, the caller's project, name and roles come from them, and the unchanged ``openstack``
CLI and keystoneauth find multinic through Keystone's catalog.

A Keystone 30 of its own (tests/harness/keystone_server.py, so that its catalog holds only what
this module registers), multinic under gunicorn on the test PostgreSQL with
``MULTINIC_KEYSTONE_CONFIG`` naming a ``[keystone_authtoken]`` section, as an operator
configures any OpenStack service.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from rest_framework.authtoken.models import Token

from multinic_api.models import Project
from multinic_identity import services as identity
from multinic_identity.models import User
from support.gunicorn import GunicornServer, free_port
from tests.harness.keystone_server import KeystoneServer
from tests.harness.openstack_cloud import AUTHTOKEN_CONF

pytestmark = [pytest.mark.keystone, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]

@pytest.fixture(scope="module")
def cloud_keystone():
    with KeystoneServer() as keystone:
        yield keystone


@pytest.fixture
def multinic(cloud_keystone, tmp_path):
    """multinic behind auth_token, registered in the Keystone's catalog as network-manager
    (its REST API), compute and image (its Nova and Glance faces)."""
    keystone = cloud_keystone
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if not getattr(keystone, "multinic_registered", None):
        # One registration per Keystone: the catalog then names one endpoint per type; each
        # test's server takes the same port again.
        keystone.multinic_port = port
        keystone.register_service(f"{base}/api", type="network-manager", name="multinic")
        keystone.register_service(f"{base}/compute/v2.1", type="compute", name="nova")
        keystone.register_service(f"{base}/image", type="image", name="glance")
        keystone.multinic_registered = True
    port = keystone.multinic_port
    config = tmp_path / "multinic.conf"
    config.write_text(AUTHTOKEN_CONF.format(
        auth_url=keystone.auth_url, username=keystone.admin_username,
        password=keystone.admin_password, project=keystone.admin_project_name))
    server = GunicornServer(workers=2, port=port,
                            env={"MULTINIC_KEYSTONE_CONFIG": str(config)})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _users(keystone: KeystoneServer) -> dict[str, str]:
    """Two tenants of two projects multinic has never seen (made once per Keystone)."""
    if not getattr(keystone, "tenants_made", False):
        for project, user in (("blue", "ann"), ("green", "gus")):
            keystone.create_project(project)
            keystone.create_user(user, f"pw-{user}", project)
        keystone.tenants_made = True
    return {"blue": keystone.project_id("blue"), "green": keystone.project_id("green")}


def _api(keystone, user, password, project):
    """keystoneauth, finding the API in the catalog as every OpenStack client does."""
    session = keystone.session(user, password, project)
    endpoint = {"service_type": "network-manager", "interface": "public",
                "region_name": "RegionOne"}

    def call(method, path, **kwargs):
        return session.request(path, method, endpoint_filter=endpoint, raise_exc=False,
                               **kwargs)

    return call


def test_keystone_tokens_scope_the_api(cloud_keystone, multinic):
    keystone = cloud_keystone
    projects = _users(keystone)
    ann = _api(keystone, "ann", "pw-ann", "blue")
    gus = _api(keystone, "gus", "pw-gus", "green")
    admin = _api(keystone, keystone.admin_username, keystone.admin_password,
                 keystone.admin_project_name)

    # A project multinic has never seen: nothing there yet, and it is recorded on first sight
    # with the id and name Keystone gave it.
    assert ann("GET", "/networks/").json()["results"] == []
    assert Project.objects.get(pk=projects["blue"]).name == "blue"
    network = ann("POST", "/networks/", json={"name": "blue-net"})
    assert network.status_code == 201, network.text
    network = network.json()
    assert network["project_id"] == projects["blue"]
    subnet = ann("POST", "/subnets/", json={"network_id": network["id"], "cidr": "10.9.0.0/24"})
    assert subnet.status_code == 201, subnet.text
    launched = ann("POST", "/instances/", json={"name": "blue-vm",
                                                "nics": [{"network_id": network["id"]}] * 2})
    assert launched.status_code == 201, launched.text
    uuid = launched.json()["uuid"]
    assert launched.json()["project_id"] == projects["blue"]

    # Another Keystone project's member sees none of it; Keystone's admin role sees all.
    assert gus("GET", f"/instances/{uuid}/").status_code == 404
    assert gus("GET", "/instances/").json()["results"] == []
    assert gus("POST", "/subnets/", json={"network_id": network["id"],
                                          "cidr": "10.8.0.0/24"}).status_code in (403, 404)
    assert gus("GET", "/vifs/").status_code == 403
    vifs = admin("GET", "/vifs/", params={"instance_uuid": uuid})
    assert vifs.status_code == 200 and len(vifs.json()["results"]) == 2


def test_tokens_keystone_does_not_vouch_for_are_refused(cloud_keystone, multinic):
    keystone = cloud_keystone
    _users(keystone)


    url = multinic.url("/api/networks/")
    garbage = requests.get(url, headers={"X-Auth-Token": "not-a-keystone-token"}, timeout=30)
    assert garbage.status_code == 401
    assert garbage.json()["code"] == "authentication_failed"
    # Beside Keystone, the built-in Identity's tokens mean nothing.
    user = User.objects.create_user("local", password="pw")
    project = Project.objects.create(name="local")
    identity.add_member(project, user)
    local_token, _ = identity.issue_token(user, project, ["password"])
    assert requests.get(url, headers={"X-Auth-Token": local_token},
                        timeout=30).status_code == 401
    drf_token = Token.objects.create(user=user).key
    for path in ("/api/networks/", "/compute/v2.1/servers"):
        answer = requests.get(multinic.url(path), headers={"Authorization": f"Token {drf_token}"},
                              timeout=30)
        assert answer.status_code == 401, (path, answer.status_code)
    # What Keystone does vouch for passes the same door.
    token = keystone.session("ann", "pw-ann", "blue").get_token()
    assert requests.get(url, headers={"X-Auth-Token": token}, timeout=30).status_code == 200


def test_the_openstack_cli_reaches_multinic_through_the_catalog(cloud_keystone, multinic):
    keystone = cloud_keystone
    _users(keystone)
    ann = _api(keystone, "ann", "pw-ann", "blue")
    network = ann("POST", "/networks/", json={"name": "cli-net"}).json()
    ann("POST", "/subnets/", json={"network_id": network["id"], "cidr": "10.7.0.0/24"})
    env = {**os.environ, **keystone.os_env("ann", "pw-ann", "blue")}
    openstack = str(Path(sys.executable).with_name("openstack"))

    def cli(*args):
        result = subprocess.run([openstack, *args, "-f", "json"], env=env, capture_output=True,
                                text=True, timeout=180)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return json.loads(result.stdout)

    endpoints = cli("catalog", "show", "network-manager")["endpoints"]
    assert multinic.url("/api") in str(endpoints)
    created = cli("--os-compute-api-version", "2.96", "server", "create", "--flavor",
                  "m1.tiny", "--image", "cirros-0.6.3-x86_64-disk", "--network",
                  network["id"], "--network", network["id"], "--wait", "cli-vm")
    assert created["name"] == "cli-vm"
    listed = cli("--os-compute-api-version", "2.96", "server", "list")
    assert [server["Name"] for server in listed] == ["cli-vm"]
    # Both NICs, in order, as the REST API shows them to the same Keystone user.
    instance = ann("GET", f"/instances/{created['id']}/").json()
    assert [vif["position"] for vif in instance["interfaces"]] == [0, 1]
