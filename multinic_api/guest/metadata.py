"""The config drive's files: ``meta_data.json``, vendor data, user data, network data and
EC2 metadata, for every OpenStack metadata version a guest may ask for.

Version rules follow Nova's metadata API (``nova/api/metadata/base.py``): ``random_seed``
from 2013-04-04, ``vendor_data.json`` from 2013-10-17, ``project_id`` and
``network_data.json`` from 2015-10-15, ``devices`` from 2016-06-30, ``vendor_data2.json``
from 2016-10-06, ``dedicated_cpus`` from 2020-10-14; ``latest`` has everything.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from .records import InstanceRecord, VifRecord

OPENSTACK_VERSIONS = (
    "2012-08-10",
    "2013-04-04",
    "2013-10-17",
    "2015-10-15",
    "2016-06-30",
    "2016-10-06",
    "2017-02-22",
    "2018-08-27",
    "2020-10-14",
    "2025-04-04",
)
ALL_VERSIONS = (*OPENSTACK_VERSIONS, "latest")
EC2_VERSIONS = ("2009-04-04", "latest")
RANDOM_SEED_BYTES = 512


def _since(version: str, first: str) -> bool:
    # ISO dates compare as strings; "latest" sorts after every date.
    return version == "latest" or version >= first


def new_random_seed() -> bytes:
    return os.urandom(RANDOM_SEED_BYTES)


def devices(vifs: Sequence[VifRecord]) -> list[dict[str, Any]]:
    """Device role tags: one ``nic`` entry per tagged VIF, in NIC order."""
    return [{"type": "nic", "mac": vif.mac, "tags": [vif.tag]} for vif in vifs if vif.tag]


def meta_data(instance: InstanceRecord, vifs: Sequence[VifRecord], random_seed: bytes,
              version: str = "latest") -> dict[str, Any]:
    """``openstack/<version>/meta_data.json`` (keys in Nova's order)."""
    data: dict[str, Any] = {"uuid": instance.uuid}
    if instance.metadata:
        data["meta"] = dict(instance.metadata)
    if instance.key is not None:
        data["public_keys"] = {instance.key.name: instance.key.data}
        data["keys"] = [{"name": instance.key.name, "type": instance.key.type,
                         "data": instance.key.data}]
    data["hostname"] = instance.hostname
    data["name"] = instance.name
    data["launch_index"] = instance.launch_index
    data["availability_zone"] = instance.availability_zone
    if _since(version, "2013-04-04"):
        data["random_seed"] = base64.b64encode(random_seed).decode("ascii")
    if _since(version, "2015-10-15"):
        data["project_id"] = instance.project_id
    if _since(version, "2016-06-30"):
        data["devices"] = devices(vifs)
    if _since(version, "2020-10-14"):
        data["dedicated_cpus"] = []
    return data


def _ec2_id(prefix: str, value: str) -> str:
    # EC2 ids are 8 hex digits; derive a stable one from our UUIDs and names.
    return f"{prefix}-{zlib.crc32(value.encode()):08x}"


def ec2_meta_data(instance: InstanceRecord, vifs: Sequence[VifRecord]) -> dict[str, Any]:
    """``ec2/<version>/meta-data.json`` as Nova writes it for the config drive."""
    local_ipv4 = next((address for vif in vifs for subnet, address in vif.fixed_ips
                       if subnet.ip_version == 4), None)
    data: dict[str, Any] = {
        "ami-id": _ec2_id("ami", instance.image_ref or "none"),
        "ami-launch-index": instance.launch_index,
        "ami-manifest-path": "FIXME",
        "instance-id": _ec2_id("i", instance.uuid),
        "hostname": instance.hostname,
        "local-ipv4": local_ipv4,
        # Nova's is the instance's reservation, which the instances of one launch share.
        "reservation-id": instance.reservation_id or _ec2_id("r", instance.uuid),
        "security-groups": [],
    }
    if instance.key is not None:
        data["public-keys"] = {"0": {"openssh-key": instance.key.data}}
    data.update({
        "local-hostname": instance.hostname,
        "public-hostname": instance.hostname,
        "public-ipv4": "",
        "instance-type": instance.flavor_name,
        "block-device-mapping": {"ami": "vda", "root": "/dev/vda"},
        "placement": {"availability-zone": instance.availability_zone},
        "instance-action": "none",
    })
    return data


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


def config_drive_files(instance: InstanceRecord, vifs: Sequence[VifRecord],
                       network_data: Mapping[str, Any], random_seed: bytes | None = None,
                       vendor_data: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    """Every file of the config drive, by path relative to its root, in a stable order."""
    seed = new_random_seed() if random_seed is None else random_seed
    vendor = dict(vendor_data or {})
    files: dict[str, bytes] = {}
    ec2 = _json(ec2_meta_data(instance, vifs))
    for version in EC2_VERSIONS:
        files[f"ec2/{version}/meta-data.json"] = ec2
        if instance.user_data is not None:
            files[f"ec2/{version}/user-data"] = instance.user_data
    for version in ALL_VERSIONS:
        base = f"openstack/{version}"
        files[f"{base}/meta_data.json"] = _json(meta_data(instance, vifs, seed, version))
        if instance.user_data is not None:
            files[f"{base}/user_data"] = instance.user_data
        if _since(version, "2013-10-17"):
            files[f"{base}/vendor_data.json"] = _json(vendor)
        if _since(version, "2015-10-15"):
            files[f"{base}/network_data.json"] = _json(network_data)
        if _since(version, "2016-10-06"):
            files[f"{base}/vendor_data2.json"] = _json({"static": vendor})
    return files
