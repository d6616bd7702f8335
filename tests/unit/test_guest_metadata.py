"""Config drive files per metadata version (Nova's metadata rules)."""

import base64
import json

import pytest

from multinic_api.guest import metadata
from multinic_api.guest.records import (
    InstanceRecord,
    KeyRecord,
    NetworkRecord,
    SubnetRecord,
    VifRecord,
)

NET = NetworkRecord(id="7d3c2b1a-0f9e-4d8c-b7a6-95f4e3d2c1b0", name="private", project_id="p1")
V4 = SubnetRecord(id="s4", cidr="10.0.0.0/24", ip_version=4, gateway_ip="10.0.0.1")
VIFS = [
    VifRecord(id="a0000000-0000-4000-8000-000000000001", mac="fa:16:3e:00:00:01", network=NET,
              fixed_ips=((V4, "10.0.0.7"),), tag="mgmt"),
    VifRecord(id="a0000000-0000-4000-8000-000000000002", mac="fa:16:3e:00:00:02", network=NET,
              fixed_ips=((V4, "10.0.0.8"),)),
    VifRecord(id="a0000000-0000-4000-8000-000000000003", mac="fa:16:3e:00:00:03", network=NET,
              tag="storage"),
]
KEY = KeyRecord(name="mykey", data="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample demo@host")
INSTANCE = InstanceRecord(uuid="12345678-1234-4678-9234-567812345678", name="web 1",
                          hostname="web-1", project_id="p1", availability_zone="az1",
                          launch_index=0, metadata={"role": "webserver"}, key=KEY,
                          user_data=b"#cloud-config\nruncmd: [true]\n", image_ref="img",
                          flavor_name="m1.tiny")
SEED = bytes(range(256)) * 2
NETWORK_DATA = {"links": [], "networks": [], "services": []}


def files(instance=INSTANCE):
    return metadata.config_drive_files(instance, VIFS, NETWORK_DATA, random_seed=SEED)


def test_the_file_list_is_nova_s_for_every_version():
    dates_before_vendor = ["2012-08-10", "2013-04-04"]
    expected = {"ec2/2009-04-04/meta-data.json", "ec2/2009-04-04/user-data",
                "ec2/latest/meta-data.json", "ec2/latest/user-data"}
    for version in [*dates_before_vendor, "2013-10-17", "2015-10-15", "2016-06-30",
                    "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "2025-04-04",
                    "latest"]:
        names = ["meta_data.json", "user_data"]
        if version not in dates_before_vendor:
            names.append("vendor_data.json")
        if version >= "2015-10-15":  # "latest" sorts after the dates
            names.append("network_data.json")
        if version >= "2016-10-06":
            names.append("vendor_data2.json")
        expected |= {f"openstack/{version}/{name}" for name in names}
    assert set(files()) == expected


def test_no_user_data_no_user_data_files():
    bare = InstanceRecord(uuid=INSTANCE.uuid, name="n", hostname="n", project_id="p1")
    names = set(files(bare))
    assert not any(n.endswith(("user_data", "user-data")) for n in names)
    assert "openstack/latest/meta_data.json" in names


def test_user_data_and_network_data_are_written_verbatim():
    drive = files()
    assert drive["openstack/latest/user_data"] == INSTANCE.user_data
    assert drive["ec2/latest/user-data"] == INSTANCE.user_data
    assert json.loads(drive["openstack/2015-10-15/network_data.json"]) == NETWORK_DATA
    assert json.loads(drive["openstack/latest/vendor_data.json"]) == {}
    assert json.loads(drive["openstack/latest/vendor_data2.json"]) == {"static": {}}


def test_latest_meta_data():
    data = json.loads(files()["openstack/latest/meta_data.json"])
    assert list(data) == ["uuid", "meta", "public_keys", "keys", "hostname", "name",
                          "launch_index", "availability_zone", "random_seed", "project_id",
                          "devices", "dedicated_cpus"]
    assert data["uuid"] == INSTANCE.uuid and data["name"] == "web 1"
    assert data["hostname"] == "web-1" and data["availability_zone"] == "az1"
    assert data["meta"] == {"role": "webserver"} and data["project_id"] == "p1"
    assert data["public_keys"] == {"mykey": KEY.data}
    assert data["keys"] == [{"name": "mykey", "type": "ssh", "data": KEY.data}]
    assert base64.b64decode(data["random_seed"]) == SEED
    # one nic entry per tagged VIF, in NIC order; the untagged VIF is not listed
    assert data["devices"] == [{"type": "nic", "mac": "fa:16:3e:00:00:01", "tags": ["mgmt"]},
                               {"type": "nic", "mac": "fa:16:3e:00:00:03", "tags": ["storage"]}]


@pytest.mark.parametrize(("version", "present", "absent"), [
    ("2012-08-10", [], ["random_seed", "project_id", "devices", "dedicated_cpus"]),
    ("2013-04-04", ["random_seed"], ["project_id", "devices"]),
    ("2015-10-15", ["random_seed", "project_id"], ["devices"]),
    ("2016-06-30", ["project_id", "devices"], ["dedicated_cpus"]),
    ("2020-10-14", ["devices", "dedicated_cpus"], []),
])
def test_keys_appear_from_their_version_on(version, present, absent):
    data = json.loads(files()[f"openstack/{version}/meta_data.json"])
    assert all(key in data for key in present), data.keys()
    assert not any(key in data for key in absent), data.keys()


def test_without_a_key_or_metadata_those_keys_are_absent():
    bare = InstanceRecord(uuid=INSTANCE.uuid, name="n", hostname="n", project_id="p1")
    data = metadata.meta_data(bare, [], SEED)
    assert not {"meta", "public_keys", "keys"} & set(data)
    assert data["devices"] == []


def test_a_fresh_random_seed_each_time_unless_given():
    one = metadata.meta_data(INSTANCE, VIFS, metadata.new_random_seed())["random_seed"]
    two = metadata.meta_data(INSTANCE, VIFS, metadata.new_random_seed())["random_seed"]
    assert one != two and len(base64.b64decode(one)) == metadata.RANDOM_SEED_BYTES


def test_ec2_meta_data():
    data = json.loads(files()["ec2/latest/meta-data.json"])
    assert data["hostname"] == data["local-hostname"] == "web-1"
    assert data["local-ipv4"] == "10.0.0.7"  # the first IPv4 address in NIC order
    assert data["instance-type"] == "m1.tiny"
    assert data["placement"] == {"availability-zone": "az1"}
    assert data["public-keys"] == {"0": {"openssh-key": KEY.data}}
    assert data["instance-id"].startswith("i-") and len(data["instance-id"]) == 10
    other = InstanceRecord(uuid="87654321-1234-4678-9234-567812345678", name="n",
                           hostname="n", project_id="p1")
    assert metadata.ec2_meta_data(other, [])["instance-id"] != data["instance-id"]
    assert metadata.ec2_meta_data(other, [])["local-ipv4"] is None
