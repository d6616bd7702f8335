"""The config drive image: an ISO 9660 volume labelled ``config-2`` with Joliet and
Rock Ridge names, read back by pycdlib, by xorriso and libarchive, and finally by Debian
cloud-init's own config-drive reader, which must find our metadata, network data, user data
and EC2 metadata in it."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
from pathlib import Path

import pycdlib
import pytest

from multinic_api.guest import iso, metadata, network_data, network_model
from multinic_api.guest.records import (
    InstanceRecord,
    KeyRecord,
    NetworkRecord,
    SubnetRecord,
    VifRecord,
)

# --- records -------------------------------------------------------------------------------

PROJECT = "4c1f0e9a8b7d4c6e9f2a1b0c3d4e5f60"
PUBLIC = NetworkRecord(id="3f6c1a2b-9d8e-4f70-8a1b-2c3d4e5f6a7b", name="public",
                       project_id=PROJECT, mtu=1500)
STORAGE = NetworkRecord(id="8e2d4c6a-1b3f-4a5c-9d7e-0f1a2b3c4d5e", name="storage",
                        project_id=PROJECT, mtu=9000)
PUBLIC_V4 = SubnetRecord(id="b1c2d3e4-0000-4a1b-8c2d-3e4f5a6b7c81", cidr="192.0.2.0/24",
                         ip_version=4, gateway_ip="192.0.2.1",
                         dns_nameservers=("192.0.2.53",))
PUBLIC_V6 = SubnetRecord(id="b1c2d3e4-0000-4a1b-8c2d-3e4f5a6b7c82", cidr="2001:db8:10::/64",
                         ip_version=6, gateway_ip="2001:db8:10::1", enable_dhcp=True,
                         ipv6_address_mode="slaac")
STORAGE_V4 = SubnetRecord(id="b1c2d3e4-0000-4a1b-8c2d-3e4f5a6b7c83", cidr="198.51.100.0/24",
                          ip_version=4, enable_dhcp=True, dhcp_server="198.51.100.2")
VIFS = (
    VifRecord(id="d4a8f1c2-6b3e-4d9a-8f7c-1e2d3c4b5a69", mac="fa:16:3e:4a:10:01",
              network=PUBLIC, fixed_ips=((PUBLIC_V4, "192.0.2.23"),
                                         (PUBLIC_V6, "2001:db8:10::f816:3eff:fe4a:1001")),
              tag="frontend"),
    VifRecord(id="0b9e7c5a-3d1f-4e8b-9a6c-2f4e6a8c0e13", mac="fa:16:3e:4a:10:02",
              network=STORAGE, fixed_ips=((STORAGE_V4, "198.51.100.23"),), vif_type="ovs"),
)
KEY = KeyRecord(name="deploy", data="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHt5b3VyIGtleQ deploy@ci")
INSTANCE = InstanceRecord(
    uuid="7b3e9d1f-2a4c-4e6b-8d0f-1a3c5e7f9b2d", name="web server 1", hostname="web-1",
    project_id=PROJECT, availability_zone="az-2", launch_index=0,
    metadata={"role": "webserver", "tier": "frontend"}, key=KEY,
    user_data=b"#cloud-config\npackages: [nginx]\nruncmd:\n  - [touch, /run/\xc3\xa9t\xc3\xa9]\n",
    image_ref="c0ffee00-1234-4abc-9def-0123456789ab", flavor_name="m1.small")
SEED = bytes(range(256)) * 2


def rendered_network_data() -> dict:
    return network_data.network_data(network_model.network_info(VIFS))


def drive_files() -> dict[str, bytes]:
    return metadata.config_drive_files(INSTANCE, VIFS, rendered_network_data(),
                                       random_seed=SEED)


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return drive_files()


@pytest.fixture(scope="module")
def image(files) -> bytes:
    return iso.build_iso(files)


# --- (a) the image, as pycdlib and the raw descriptors see it --------------------------------


def _open(image: bytes) -> pycdlib.PyCdlib:
    opened = pycdlib.PyCdlib()
    opened.open_fp(io.BytesIO(image))
    return opened


def _tree(opened: pycdlib.PyCdlib, **facade: str) -> dict[str, bytes]:
    """Every file of one directory tree (``rr_path``, ``joliet_path`` or ``iso_path``)."""
    (kind, root), = facade.items()
    found = {}
    for directory, _dirs, names in opened.walk(**{kind: root}):
        for name in names:
            path = f"{directory.rstrip('/')}/{name}"
            out = io.BytesIO()
            opened.get_file_from_iso_fp(out, **{kind: path})
            found[path.lstrip("/")] = out.getvalue()
    return found


def test_the_files_carry_our_network_and_user_data(files):
    assert "openstack/latest/network_data.json" in files
    assert "ec2/latest/meta-data.json" in files
    assert json.loads(files["openstack/latest/network_data.json"]) == rendered_network_data()
    assert files["openstack/latest/user_data"] == INSTANCE.user_data


def test_volume_label_joliet_and_rock_ridge(image):
    opened = _open(image)
    try:
        assert opened.pvd.volume_identifier.decode("ascii").rstrip() == "config-2"
        assert opened.has_joliet()
        assert opened.has_rock_ridge()
        assert opened.joliet_vd.volume_identifier.decode("utf-16-be").rstrip() == "config-2"
    finally:
        opened.close()


def test_the_descriptors_on_disk_say_so_too(image):
    """ECMA-119 from the bytes: the PVD at sector 16 with its volume identifier at offset 40,
    then a supplementary descriptor carrying a Joliet UCS-2 escape sequence."""
    sector = 2048
    pvd = image[16 * sector:17 * sector]
    assert pvd[0] == 1 and pvd[1:6] == b"CD001"
    assert pvd[40:72] == b"config-2".ljust(32)
    descriptors = [image[n * sector:(n + 1) * sector] for n in range(17, 32)]
    joliet = [d for d in descriptors if d[0] == 2 and d[1:6] == b"CD001"]
    assert joliet and joliet[0][88:91] in (b"%/@", b"%/C", b"%/E")


def test_every_file_under_its_rock_ridge_and_joliet_names(image, files):
    opened = _open(image)
    try:
        assert _tree(opened, rr_path="/") == files
        assert _tree(opened, joliet_path="/") == files
        # The plain ISO 9660 names are strict d-characters, one per file, same contents.
        plain = _tree(opened, iso_path="/")
        assert all(re.fullmatch(r"[A-Z0-9_/]+(\.[A-Z0-9_]{0,3})?;1", path) for path in plain)
        assert sorted(plain.values()) == sorted(files.values())
    finally:
        opened.close()


def test_our_reader_round_trips(image, files):
    assert iso.read_iso(image) == files


# --- (b) the image, as other programs see it --------------------------------------------------


def _run(*argv: str) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{argv}:\n{result.stdout}\n{result.stderr}"
    return result


def _extracted(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in root.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def iso_file(image, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("drive") / "disk.config"
    path.write_bytes(image)
    return path


@pytest.fixture(scope="module")
def xorriso_tree(guest_tools, iso_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xorriso") / "drive"
    _run("xorriso", "-osirrox", "on", "-indev", str(iso_file), "-extract", "/", str(out))
    return out


@pytest.mark.guest_tools
def test_xorriso_reads_the_volume_label(guest_tools, iso_file):
    report = _run("xorriso", "-indev", str(iso_file), "-pvd_info").stdout
    assert re.search(r"^Volume Id\s*:\s*config-2\s*$", report, re.MULTILINE), report


@pytest.mark.guest_tools
def test_xorriso_extracts_every_file(xorriso_tree, files):
    assert _extracted(xorriso_tree) == files


@pytest.mark.guest_tools
def test_bsdtar_extracts_every_file(guest_tools, iso_file, files, tmp_path):
    _run("bsdtar", "-xf", str(iso_file), "-C", str(tmp_path))
    assert _extracted(tmp_path) == files


@pytest.mark.guest_tools
def test_bsdtar_finds_the_same_names_in_joliet_alone(guest_tools, iso_file, files, tmp_path):
    joliet, plain = tmp_path / "joliet", tmp_path / "plain"
    joliet.mkdir()
    plain.mkdir()
    _run("bsdtar", "--options", "iso9660:!rockridge", "-xf", str(iso_file), "-C", str(joliet))
    _run("bsdtar", "--options", "iso9660:!rockridge,iso9660:!joliet", "-xf", str(iso_file),
         "-C", str(plain))
    assert _extracted(joliet) == files
    # The options do switch the reader: without both extensions the names are ISO 9660's.
    assert set(_extracted(plain)).isdisjoint(files)
    assert len(_extracted(plain)) == len(files)


#: Runs with Debian's cloud-init importable; prints what its config-drive reader returned
#: (bytes as {"base64": ...}) and the metadata versions it knows.
READ_CONFIG_DRIVE = r"""
import base64, json, sys
from cloudinit.sources.DataSourceConfigDrive import read_config_drive
from cloudinit.sources.helpers import openstack

def plain(value):
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value

print(json.dumps({"os_versions": list(openstack.OS_VERSIONS),
                  "result": plain(read_config_drive(sys.argv[1]))}))
"""


def _b64(data: bytes) -> dict:
    return {"base64": base64.b64encode(data).decode()}


@pytest.fixture(scope="module")
def cloud_init_read(guest_tools, xorriso_tree) -> dict:
    run = guest_tools.run_cloud_init(READ_CONFIG_DRIVE, str(xorriso_tree))
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.guest_tools
def test_cloud_init_reads_our_meta_data(cloud_init_read, files):
    result = cloud_init_read["result"]
    assert result["version"] == 2
    md = result["metadata"]
    assert md["uuid"] == INSTANCE.uuid
    assert md["hostname"] == INSTANCE.hostname and md["name"] == INSTANCE.name
    assert md["public_keys"] == {KEY.name: KEY.data}
    assert md["keys"] == [{"name": KEY.name, "type": "ssh", "data": KEY.data}]
    assert md["meta"] == dict(INSTANCE.metadata)
    assert md["availability_zone"] == INSTANCE.availability_zone
    assert md["launch_index"] == INSTANCE.launch_index
    assert md["project_id"] == PROJECT
    assert md["random_seed"] == _b64(SEED)  # cloud-init decodes it to bytes
    assert md["devices"] == [{"type": "nic", "mac": VIFS[0].mac, "tags": [VIFS[0].tag]}]
    # What cloud-init derives from it (its KEY_COPIES).
    assert md["instance-id"] == INSTANCE.uuid
    assert md["local-hostname"] == INSTANCE.hostname
    # It read the newest version it knows that the drive has, exactly as we wrote it.
    known = [v for v in cloud_init_read["os_versions"] if f"openstack/{v}/meta_data.json" in files]
    written = json.loads(files[f"openstack/{known[-1]}/meta_data.json"])
    assert md == {**written, "random_seed": _b64(SEED), "instance-id": INSTANCE.uuid,
                  "local-hostname": INSTANCE.hostname}


@pytest.mark.guest_tools
def test_cloud_init_reads_our_network_user_and_vendor_data(cloud_init_read):
    result = cloud_init_read["result"]
    assert result["networkdata"] == rendered_network_data()
    assert result["userdata"] == _b64(INSTANCE.user_data)
    assert result["vendordata"] == {}
    assert result["vendordata2"] == {"static": {}}
    assert result["files"] == {}


@pytest.mark.guest_tools
def test_cloud_init_reads_our_ec2_metadata(cloud_init_read, files):
    ec2 = cloud_init_read["result"]["ec2-metadata"]
    assert ec2 == json.loads(files["ec2/latest/meta-data.json"])
    assert ec2["hostname"] == ec2["local-hostname"] == INSTANCE.hostname
    assert ec2["local-ipv4"] == VIFS[0].fixed_ips[0][1]
    assert ec2["public-keys"] == {"0": {"openssh-key": KEY.data}}
    assert ec2["placement"] == {"availability-zone": INSTANCE.availability_zone}
    assert ec2["instance-type"] == INSTANCE.flavor_name
