"""The real OpenStack clients, unchanged, against a live server on 127.0.0.1: novaclient
through a keystoneauth session, openstacksdk, and the openstack CLI. Each must see NIC order,
MACs and addresses exactly as the database holds them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from multinic_api.models import VIF, Instance, Keypair
from multinic_api.services import keypairs
from tests.harness.api_fixtures import Cloud
from tests.harness.baremetal_fixtures import build_node
from tests.harness.helpers import ED25519

IMAGE = "6f1b1e4e-5b5b-4d5e-9a3c-0c1a2b3c4d01"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(live_server):
    cloud = Cloud()
    cloud.auth_url = f"{live_server.url}/identity/v3"
    return cloud


def _db_nics(server_id):
    """[(network id, mac, [addresses])] in NIC order, from the database."""
    return [(str(v.network_id), v.mac, sorted(v.fixed_ips.values_list("address", flat=True)))
            for v in VIF.objects.filter(instance_id=server_id).order_by("position")]


def _addresses_in_order(addresses):
    """Nova's addresses dict flattened to [(label, mac, addr)] in the order given."""
    return [(label, a["OS-EXT-IPS-MAC:mac_addr"], a["addr"])
            for label, items in addresses.items() for a in items]


def test_novaclient_through_keystoneauth(live):
    import novaclient
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from novaclient import api_versions, client

    auth = v3.Password(auth_url=live.auth_url, username="alice", password="pw-alice",
                       project_name="project-a", user_domain_id="default",
                       project_domain_id="default")
    # The newest microversion both sides speak, as the CLI would negotiate it.
    version = min(novaclient.API_MAX_VERSION, api_versions.APIVersion("2.96"))
    nova = client.Client(version, session=session.Session(auth=auth))
    server = nova.servers.create(
        name="nc", image=IMAGE, flavor="1", config_drive=True,
        nics=[{"net-id": str(live.net_a.id), "tag": "first"},
              {"net-id": str(live.shared.id), "v4-fixed-ip": "192.0.2.3"}])
    nics = _db_nics(server.id)
    assert [n[0] for n in nics] == [str(live.net_a.id), str(live.shared.id)]
    shown = nova.servers.get(server.id)
    assert list(shown.addresses) == ["net-a", "shared"]
    assert [(m, a) for _, m, a in _addresses_in_order(shown.addresses)] == [
        (mac, addr) for _, mac, addrs in nics for addr in addrs]
    assert "192.0.2.3" in nics[1][2]

    attachments = nova.servers.interface_list(server)
    assert [(a.net_id, a.mac_addr) for a in attachments] == [(n, m) for n, m, _ in nics]
    new = nova.servers.interface_attach(server, port_id=None, net_id=str(live.net_a.id),
                                        fixed_ip="10.0.0.77")
    assert new.fixed_ips[0]["ip_address"] == "10.0.0.77"
    nova.servers.interface_detach(server, attachments[0].port_id)
    assert [a.port_id for a in nova.servers.interface_list(server)] == [
        attachments[1].port_id, new.port_id]
    nova.servers.delete(server)
    assert not Instance.objects.exists()


def test_openstacksdk_create_server_and_interfaces(live):
    import openstack

    conn = openstack.connect(auth_url=live.auth_url, username="alice", password="pw-alice",
                             project_name="project-a", user_domain_name="Default",
                             project_domain_name="Default", region_name="RegionOne",
                             load_yaml_config=False, load_envvars=False)
    server = conn.compute.create_server(
        name="sdk", image_id=IMAGE, flavor_id="1", config_drive=True,
        networks=[{"uuid": str(live.shared.id)}, {"uuid": str(live.net_a.id)},
                  {"uuid": str(live.shared.id)}])
    nics = _db_nics(server.id)
    assert [n[0] for n in nics] == [str(live.shared.id), str(live.net_a.id),
                                    str(live.shared.id)]
    interfaces = list(conn.compute.server_interfaces(server))
    assert [(i.net_id, i.mac_addr) for i in interfaces] == [(n, m) for n, m, _ in nics]
    assert [sorted(ip["ip_address"] for ip in i.fixed_ips) for i in interfaces] == [
        n[2] for n in nics]
    fetched = conn.compute.get_server(server.id)
    assert fetched.addresses["shared"][0]["OS-EXT-IPS-MAC:mac_addr"] == nics[0][1]
    conn.compute.delete_server(server)
    assert not Instance.objects.exists()


def _run_openstack_cli(live, *args, token=None):
    """The CLI as alice, with her password (project-a) or with a token: the result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"OS_AUTH_URL": live.auth_url, "OS_PROJECT_NAME": "project-a",
                "OS_PROJECT_DOMAIN_NAME": "Default", "OS_IDENTITY_API_VERSION": "3",
                "OS_REGION_NAME": "RegionOne"})
    if token is None:
        env.update({"OS_USERNAME": "alice", "OS_PASSWORD": "pw-alice",
                    "OS_USER_DOMAIN_NAME": "Default"})
    else:
        env.update({"OS_AUTH_TYPE": "v3token", "OS_TOKEN": token})
    command = [str(Path(sys.executable).parent / "openstack"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def _openstack_cli(live, *args, token=None):
    result = _run_openstack_cli(live, *args, token=token)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_openstack_cli_server_create_show_delete(live, tmp_path):
    key_file = tmp_path / "laptop.pub"
    key_file.write_text(ED25519 + "\n")
    keypair = json.loads(_openstack_cli(live, "keypair", "create", "--public-key",
                                        str(key_file), "-f", "json", "laptop"))
    assert keypair["fingerprint"] == keypairs.fingerprint(ED25519)
    created = json.loads(_openstack_cli(
        live, "server", "create", "--image", "cirros-0.6.3-x86_64-disk", "--key-name", "laptop",
        "--flavor", "m1.tiny", "--nic", f"net-id={live.net_a.id}",
        "--nic", f"net-id={live.shared.id},v4-fixed-ip=192.0.2.4",
        "--config-drive", "True", "-f", "json", "vm-cli"))
    nics = _db_nics(created["id"])
    assert [n[0] for n in nics] == [str(live.net_a.id), str(live.shared.id)]
    assert "192.0.2.4" in nics[1][2]
    shown = json.loads(_openstack_cli(live, "server", "show", "-f", "json", "vm-cli"))
    assert shown["id"] == created["id"]
    addresses = shown["addresses"]
    assert list(addresses) == ["net-a", "shared"]
    assert [a for items in addresses.values() for a in items] == [
        addr for _, _, addrs in nics for addr in addrs]
    assert shown["key_name"] == "laptop"
    assert Instance.objects.get(pk=created["id"]).public_key == ED25519
    _openstack_cli(live, "server", "delete", "vm-cli")
    assert not Instance.objects.exists()
    _openstack_cli(live, "keypair", "delete", "laptop")
    assert not Keypair.objects.exists()


def test_novaclient_launches_onto_a_bare_metal_node(live):
    """A node is named the Nova way, availability_zone ZONE::NODE; the NICs take the
    carriers' MACs (the port group first: bonded NICs win)."""
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from novaclient import client

    built = build_node("nc-node", live.project_a, [("", True)] * 3,
                       groups=[{"name": "nc-bond", "ports": [1, 2], "mode": "802.3ad"}])
    auth = v3.Password(auth_url=live.auth_url, username="alice", password="pw-alice",
                       project_name="project-a", user_domain_id="default",
                       project_domain_id="default")
    nova = client.Client("2.96", session=session.Session(auth=auth))
    server = nova.servers.create(name="bm", image=IMAGE, flavor="1",
                                 availability_zone="nova::nc-node",
                                 nics=[{"net-id": str(live.net_a.id)},
                                       {"net-id": str(live.net_a.id)}])
    shown = nova.servers.get(server.id)
    assert getattr(shown, "OS-EXT-AZ:availability_zone") == "nova"
    assert getattr(shown, "OS-EXT-SRV-ATTR:hypervisor_hostname") == str(built.node.pk)
    vifs = list(VIF.objects.filter(instance_id=server.id).order_by("position"))
    assert [v.port_group_id or v.port_id for v in vifs] == [built.groups[0].pk,
                                                            built.ports[0].pk]
    assert [a.mac_addr for a in nova.servers.interface_list(server)] == [
        built.ports[1].mac, built.ports[0].mac]
    nova.servers.delete(server)
    assert not VIF.objects.exists()


def test_openstack_cli_token_revoke(live):
    """``openstack token revoke``: the token then works nowhere, neither for the CLI nor
    for the REST API."""
    token = json.loads(_openstack_cli(live, "token", "issue", "-f", "json"))["id"]
    api = APIClient()
    api.credentials(HTTP_X_AUTH_TOKEN=token)
    assert api.get("/api/networks/").status_code == 200
    listed = json.loads(_openstack_cli(live, "flavor", "list", "-f", "json", token=token))
    assert listed and all(f["Name"] for f in listed)
    _openstack_cli(live, "token", "revoke", token)
    assert api.get("/api/networks/").status_code == 401
    refused = _run_openstack_cli(live, "flavor", "list", token=token)
    assert refused.returncode != 0
    assert "(HTTP 401)" in refused.stderr, refused.stderr


def test_keystoneauth_session_ends_when_the_user_leaves_the_project(live):
    """keystoneauth answers a 401 by authenticating again once, with the password it holds:
    after the user has left the project that fails too, so the session is over, not
    silently renewed; after a password change the old password gets no new token."""
    from keystoneauth1 import exceptions, session
    from keystoneauth1.identity import v3
    from novaclient import client

    from multinic_identity.models import Membership

    def nova_as(password):
        auth = v3.Password(auth_url=live.auth_url, username="alice", password=password,
                           project_name="project-a", user_domain_id="default",
                           project_domain_id="default")
        return client.Client("2.1", session=session.Session(auth=auth))

    nova = nova_as("pw-alice")
    assert nova.flavors.list()
    Membership.objects.filter(user=live.alice).delete()
    with pytest.raises(exceptions.Unauthorized):
        nova.flavors.list()

    Membership.objects.create(user=live.alice, project=live.project_a)
    nova = nova_as("pw-alice")
    assert nova.flavors.list()
    live.alice.set_password("pw-changed")
    live.alice.save()
    with pytest.raises(exceptions.Unauthorized):
        nova.flavors.list()
    assert nova_as("pw-changed").flavors.list()


def test_keystoneauth_against_a_locked_account(live, settings):
    """After too many wrong passwords keystoneauth gets Keystone's own answer for a locked
    account, a 401 (Unauthorized) with its message, even for the right password."""
    from keystoneauth1 import exceptions, session
    from keystoneauth1.identity import v3

    def token(password):
        return session.Session(auth=v3.Password(
            auth_url=live.auth_url, username="alice", password=password,
            user_domain_id="default")).get_token()

    for _ in range(settings.AXES_FAILURE_LIMIT):
        with pytest.raises(exceptions.Unauthorized) as wrong:
            token("wrong")
        assert "locked" not in str(wrong.value)
    with pytest.raises(exceptions.Unauthorized) as locked:
        token("pw-alice")
    assert "The account is locked for user: alice." in str(locked.value)
    assert locked.value.retry_after == settings.AXES_COOLOFF_TIME.total_seconds()


# --- bulk launch: --min / --max, min_count / max_count --------------------------------------

def test_openstack_cli_server_create_min_max(live):
    created = json.loads(_openstack_cli(
        live, "server", "create", "--image", "cirros-0.6.3-x86_64-disk", "--flavor",
        "m1.tiny", "--nic", f"net-id={live.net_a.id}", "--nic", f"net-id={live.net_a.id}",
        "--min", "3", "--max", "3", "-f", "json", "web"))
    assert created["name"] == "web-1"
    listed = json.loads(_openstack_cli(live, "server", "list", "-f", "json"))
    assert sorted(s["Name"] for s in listed) == ["web-1", "web-2", "web-3"]
    servers = Instance.objects.order_by("launch_index")
    assert [(s.name, s.launch_index) for s in servers] == [("web-1", 0), ("web-2", 1),
                                                          ("web-3", 2)]
    assert len({s.reservation_id for s in servers}) == 1
    nics = [_db_nics(s.pk) for s in servers]
    assert all([n[0] for n in nic] == [str(live.net_a.id)] * 2 for nic in nics)
    macs = [mac for nic in nics for _, mac, _ in nic]
    addresses = [a for nic in nics for _, _, addrs in nic for a in addrs]
    assert len(set(macs)) == 6 and len(set(addresses)) == 12
    # What the CLI shows of each is what the database holds.
    shown = json.loads(_openstack_cli(live, "server", "show", "-f", "json", "web-2"))
    assert [a for items in shown["addresses"].values() for a in items] == [
        a for _, _, addrs in nics[1] for a in addrs]


def test_openstack_cli_min_beyond_the_addresses_is_refused_and_makes_nothing(live):
    """The shared subnet has three addresses: --min 4 is Nova's 409, with how many could."""
    refused = _run_openstack_cli(
        live, "server", "create", "--image", "cirros-0.6.3-x86_64-disk", "--flavor",
        "m1.tiny", "--nic", f"net-id={live.shared.id}", "--min", "4", "--max", "5", "web")
    assert refused.returncode != 0
    assert "Only 3 of the 4 instances asked for could be made" in refused.stderr
    assert "ConflictException: 409" in refused.stderr, refused.stderr
    assert not Instance.objects.exists()


def test_openstacksdk_create_server_min_max(live):
    import openstack

    conn = openstack.connect(auth_url=live.auth_url, username="alice", password="pw-alice",
                             project_name="project-a", user_domain_name="Default",
                             project_domain_name="Default", region_name="RegionOne",
                             load_yaml_config=False, load_envvars=False)
    first = conn.compute.create_server(
        name="sdk", image_id=IMAGE, flavor_id="1",
        networks=[{"uuid": str(live.net_a.id)}, {"uuid": str(live.shared.id)}],
        min_count=2, max_count=2)
    assert first.name == "sdk-1"
    servers = sorted(conn.compute.servers(details=True), key=lambda s: s.name)
    assert [s.name for s in servers] == ["sdk-1", "sdk-2"]
    assert len({s.reservation_id for s in servers}) == 1 and servers[0].reservation_id
    for server in servers:
        nics = _db_nics(server.id)
        interfaces = list(conn.compute.server_interfaces(server))
        assert [(i.net_id, i.mac_addr) for i in interfaces] == [(n, m) for n, m, _ in nics]
    for server in servers:
        conn.compute.delete_server(server)
    assert not Instance.objects.exists()
