"""Key pairs: import, fingerprints (checked against ssh-keygen), and key_name at launch
putting the key into the config drive, through the REST API and the Nova subset."""

import json
import subprocess

import pytest

from multinic_api.exceptions import Conflict, InvalidInput, NotFound
from multinic_api.models import Instance
from multinic_api.services import keypairs
from tests.harness.helpers import ED25519


@pytest.fixture(scope="module")
def generated_keys(tmp_path_factory):
    """Fresh keys from ssh-keygen, with ssh-keygen's own MD5 fingerprints."""
    keys = []
    for key_type in ("ed25519", "rsa", "ecdsa"):
        path = tmp_path_factory.mktemp("keys") / key_type
        subprocess.run(["ssh-keygen", "-q", "-t", key_type, "-N", "", "-C", "t@example",
                        "-f", str(path)], check=True)
        listing = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f", f"{path}.pub"],
                                 check=True, capture_output=True, text=True).stdout
        fingerprint = listing.split()[1].removeprefix("MD5:")
        keys.append((path.with_suffix(".pub").read_text().strip(), fingerprint))
    return keys


def test_fingerprints_match_ssh_keygen(generated_keys):
    for public_key, expected in generated_keys:
        assert keypairs.fingerprint(public_key) == expected


@pytest.mark.parametrize(("public_key", "message"), [
    ("", "OpenSSH public key"),
    ("ssh-ed25519", "OpenSSH public key"),
    ("ssh-foo AAAA", "OpenSSH public key"),
    ("ssh-ed25519 not!base64", "not valid base64"),
    ("ssh-rsa " + ED25519.split()[1], "says ssh-rsa but its key data is 'ssh-ed25519'"),
    ("-----BEGIN CERTIFICATE-----", "OpenSSH public key"),
])
def test_bad_public_keys_are_refused_with_the_reason(public_key, message):
    with pytest.raises(InvalidInput, match=message):
        keypairs.fingerprint(public_key)


def test_import_get_delete_and_names_are_per_user(cloud):
    made = keypairs.import_keypair(cloud.alice.user_id, "laptop", ED25519 + "\n")
    assert made.public_key == ED25519 and made.fingerprint == keypairs.fingerprint(ED25519)
    with pytest.raises(Conflict, match="already exists"):
        keypairs.import_keypair(cloud.alice.user_id, "laptop", ED25519)
    keypairs.import_keypair(cloud.bob.user_id, "laptop", ED25519)  # another user's namespace
    assert keypairs.get_keypair(cloud.alice.user_id, "laptop") == made
    keypairs.delete_keypair(cloud.alice.user_id, "laptop")
    with pytest.raises(NotFound):
        keypairs.get_keypair(cloud.alice.user_id, "laptop")
    assert keypairs.get_keypair(cloud.bob.user_id, "laptop").user_id == cloud.bob.user_id


@pytest.mark.parametrize("name", ["", "a/b", "x" * 256, "semi;colon", None])
def test_bad_names(cloud, name):
    with pytest.raises(InvalidInput, match="key pair name"):
        keypairs.import_keypair(cloud.alice.user_id, name, ED25519)


def test_rest_keypairs_and_launch_with_key_name(cloud):
    created = cloud.a.post("/api/keypairs/", {"name": "laptop", "public_key": ED25519},
                           format="json")
    assert created.status_code == 201, created.content
    assert created.json()["fingerprint"] == keypairs.fingerprint(ED25519)
    assert cloud.a.post("/api/keypairs/", {"name": "laptop", "public_key": ED25519},
                        format="json").status_code == 409
    bad = cloud.a.post("/api/keypairs/", {"name": "x", "public_key": "nope"}, format="json")
    assert bad.status_code == 400 and "OpenSSH" in bad.json()["detail"]
    assert [k["name"] for k in cloud.a.get("/api/keypairs/").json()] == ["laptop"]
    assert cloud.b.get("/api/keypairs/").json() == []
    assert cloud.b.get("/api/keypairs/laptop/").status_code == 404

    launched = cloud.a.post("/api/instances/", {
        "name": "keyed", "key_name": "laptop",
        "nics": [{"network_id": str(cloud.net_a.id)}]}, format="json")
    assert launched.status_code == 201, launched.content
    uuid = launched.json()["uuid"]
    meta = json.loads(cloud.a.get(
        f"/api/instances/{uuid}/config_drive/openstack/latest/meta_data.json").content)
    assert meta["public_keys"] == {"laptop": ED25519}
    assert meta["keys"] == [{"name": "laptop", "type": "ssh", "data": ED25519}]

    # bob has no key pair of that name: a clear 400 and nothing launched
    count = Instance.objects.count()
    refused = cloud.b.post("/api/instances/", {
        "name": "keyed", "key_name": "laptop",
        "nics": [{"network_id": str(cloud.net_b.id)}]}, format="json")
    assert refused.status_code == 400 and "key_name" in refused.json()["detail"]
    assert Instance.objects.count() == count

    assert cloud.a.delete("/api/keypairs/laptop/").status_code == 204
    assert cloud.a.get("/api/keypairs/").json() == []
    # the instance keeps the key it was launched with
    assert Instance.objects.get(pk=uuid).public_key == ED25519


def test_nova_keypair_import_list_show_delete(nova, cloud):
    body = {"keypair": {"name": "laptop", "public_key": ED25519}}
    created = nova.post("/compute/v2.1/os-keypairs", body, format="json")
    assert created.status_code == 201, created.content
    keypair = created.json()["keypair"]
    assert (keypair["name"], keypair["type"], keypair["user_id"]) == (
        "laptop", "ssh", str(cloud.alice.pk))
    assert keypair["fingerprint"] == keypairs.fingerprint(ED25519)
    listed = nova.get("/compute/v2.1/os-keypairs").json()["keypairs"]
    assert [k["keypair"]["name"] for k in listed] == ["laptop"]
    shown = nova.get("/compute/v2.1/os-keypairs/laptop").json()["keypair"]
    assert shown["public_key"] == ED25519 and shown["deleted"] is False
    generate = nova.post("/compute/v2.1/os-keypairs", {"keypair": {"name": "gen"}},
                                format="json")
    assert generate.status_code == 400
    assert "public_key is required" in generate.json()["badRequest"]["message"]
    assert nova.post("/compute/v2.1/os-keypairs", body,
                            format="json").status_code == 409
    assert nova.delete("/compute/v2.1/os-keypairs/laptop").status_code == 204
    assert nova.get("/compute/v2.1/os-keypairs/laptop").status_code == 404


def test_nova_create_with_an_unknown_key_name_is_400(nova, cloud):
    response = nova.post("/compute/v2.1/servers", {"server": {
        "name": "vm", "flavorRef": "1", "key_name": "nope",
        "networks": [{"uuid": str(cloud.net_a.id)}]}}, format="json")
    assert response.status_code == 400
    assert "Invalid key_name" in response.json()["badRequest"]["message"]
    assert not Instance.objects.exists()
