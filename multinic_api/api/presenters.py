"""The REST API's instance and interface bodies as plain functions, for the answers a launch
gives: the same JSON as ``InstanceSerializer`` and ``VIFSerializer`` (which document them in
the schema and shape every read), without the serializers' per-field machinery, which cost
a launch more than a millisecond per instance. ``tests/rest/test_presenters.py`` holds the
two to the same output.
"""

from typing import Any

from rest_framework.fields import DateTimeField

from multinic_api.models import VIF, FixedIP, Instance
from multinic_api.services import baremetal, binding

# DRF's own rendering of a timestamp (the current time zone, "Z" for UTC), as every other
# answer of the API writes it.
_timestamp = DateTimeField().to_representation


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def carrier(vif: VIF) -> dict | None:
    """What carries a bare-metal NIC, a port or a bond (None on a VM)."""
    if vif.port_id is not None:
        return {"kind": "port", "uuid": str(vif.port_id), "mac": vif.port.mac}
    if vif.port_group_id is not None:
        group = vif.port_group
        mode, properties = binding.bound_bond(vif, group)
        return {"kind": "bond", "uuid": str(group.pk), "mac": group.mac, "name": group.name,
                "mode": mode, "properties": properties,
                "members": [p.mac for p in baremetal.in_member_order(group.ports.all())]}
    return None


def fixed_ip_body(fixed_ip: FixedIP) -> dict:
    return {"subnet_id": str(fixed_ip.subnet_id), "ip_address": str(fixed_ip.address),
            "ip_version": fixed_ip.subnet.ip_version}


def vif_body(vif: VIF) -> dict:
    """A VIF as ``VIFSerializer`` writes it; its addresses from ``vif.addresses``."""
    profile = vif.binding_profile
    return {
        "uuid": str(vif.uuid),
        "mac": _text(vif.mac),
        "instance_uuid": _text(vif.instance_id),
        "project_id": _text(vif.project_id),
        "network_id": str(vif.network_id),
        "position": vif.position,
        "devname": vif.devname,
        "tag": vif.tag,
        "vif_type": _text(vif.vif_type),
        "vnic_type": _text(vif.vnic_type),
        "fixed_ips": [fixed_ip_body(fixed_ip) for fixed_ip in vif.addresses],
        "port_uuid": _text(vif.port_id),
        "port_group_uuid": _text(vif.port_group_id),
        "carrier": carrier(vif),
        "binding_host": _text(vif.binding_host),
        "binding_profile": None if profile is None else {str(k): v for k, v in profile.items()},
        "network_name": vif.network.name,
        "created": _timestamp(vif.created),
    }


def instance_body(instance: Instance) -> dict:
    """An instance as ``InstanceSerializer`` writes it; its NICs from
    ``instance.interfaces`` (set by a launch, or loaded by ``with_interfaces``)."""
    node = instance.node if instance.node_id is not None else None
    return {
        "uuid": str(instance.uuid),
        "name": instance.name,
        "hostname": instance.hostname,
        "project_id": _text(instance.project_id),
        "project_name": instance.project.name,
        "availability_zone": instance.availability_zone,
        "metadata": instance.metadata,
        "key_name": instance.key_name,
        "config_drive": instance.config_drive,
        "reservation_id": instance.reservation_id,
        "launch_index": instance.launch_index,
        "node_uuid": _text(instance.node_id),
        "node_name": None if node is None else node.name,
        "created": _timestamp(instance.created),
        "interfaces": [vif_body(vif) for vif in instance.interfaces],
    }
