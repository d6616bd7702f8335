"""Bare-metal nodes, their physical ports and port groups (bonds): Ironic's model.

Rules that span rows (members share a physical network, a group's MAC is its own or a
member's, a group carrying a VIF stays) live in :mod:`multinic_api.services.baremetal`; the
database holds what it can: one MAC per port, one name and one MAC per port group, and
(on :class:`~multinic_api.models.VIF`) at most one VIF per port and per port group.
"""

import uuid

from django.db import models

from .querysets import NodeQuerySet
from .serials import CreationSerialField


class Node(models.Model):
    """A bare-metal server. Without a project only administrators may launch onto it."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, unique=True)
    project = models.ForeignKey("Project", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="nodes")
    properties = models.JSONField(default=dict, blank=True)
    # Ironic's hardware type, as its clients name it; nothing here powers or boots the node,
    # which is what Ironic's "manual-management" type says.
    driver = models.CharField(max_length=255, default="manual-management")
    created = models.DateTimeField(auto_now_add=True)

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PortGroup(models.Model):
    """A bond of a node's ports. ``mode`` and ``properties`` are the Linux bonding driver's
    mode name and options (kernel names, JSON types kept), checked by services.bonding."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="port_groups")
    name = models.CharField(max_length=255, unique=True)
    mac = models.CharField("MAC address", max_length=17, null=True, blank=True, unique=True)
    mode = models.CharField(max_length=16, default="active-backup")
    properties = models.JSONField(default=dict, blank=True)
    standalone_ports_supported = models.BooleanField(default=True)
    # Set when a launch bonded the ports for one NIC: the group goes when that NIC goes.
    instance = models.ForeignKey("Instance", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="port_groups")
    created = models.DateTimeField(auto_now_add=True)
    # Creation order, as Ironic lists port groups (by its integer id): see models.serials.
    serial = CreationSerialField()

    class Meta:
        ordering = ["serial"]
        verbose_name = "port group"

    def __str__(self) -> str:
        return self.name


class Port(models.Model):
    """A physical NIC of a node, as the switch sees it."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="ports")
    mac = models.CharField("MAC address", max_length=17, unique=True)
    physical_network = models.CharField(max_length=64, blank=True, default="")
    pxe_enabled = models.BooleanField(default=True)
    port_group = models.ForeignKey(PortGroup, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="ports")
    # {"switch_id": MAC, "port_id": "Ethernet1/1", "switch_info": "tor-1"} (Ironic's keys)
    local_link_connection = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Creation order: Ironic lists ports by its integer id, and a bond's members keep that
    # order in network_data.json (bond_links, member links). See models.serials.
    serial = CreationSerialField()

    class Meta:
        ordering = ["serial"]

    def __str__(self) -> str:
        return self.mac
