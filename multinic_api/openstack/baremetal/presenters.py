"""Nodes, ports and port groups in Ironic's shapes, as a given microversion shows them.

Ironic hides a field from a client that asked for a version older than the field: each
field below names the version that brought it. What multinic does not keep is answered as
Ironic answers a node nothing has touched (no power state, no errors, no reservation).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from multinic_api.exceptions import InvalidInput
from multinic_api.faces import Link, resource_links
from multinic_api.models import Node, Port, PortGroup
from multinic_api.openstack.baremetal.microversions import (
    BOND_MODES,
    NODE_NAMES,
    NODE_OWNERS,
    PHYSICAL_NETWORKS,
    PORT_GROUP_LINKS,
    Version,
)

BASE = "/baremetal"


def links(request, *segments: str) -> list[Link]:
    """Ironic's pair of links to a resource: ``self`` (versioned) and ``bookmark``."""
    return resource_links(request, BASE, "v1", *segments)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _tenant_vif(vif: Any) -> dict:
    """internal_info, where Ironic records the VIF a port or group carries."""
    return {"tenant_vif_port_id": str(vif.uuid)} if vif is not None else {}


def _vif_of(carrier: Port | PortGroup) -> Any:
    try:
        return carrier.vif
    except carrier.__class__.vif.RelatedObjectDoesNotExist:
        return None


# --- nodes --------------------------------------------------------------------------------------

def _first_instance(node: Node) -> Any:
    running = sorted(node.instances.all(), key=lambda i: (i.created, str(i.uuid)))
    return running[0] if running else None


#: (field, version it came with, value). Interfaces are Ironic's no-op ones: nothing here
#: powers, boots or deploys a node.
NODE_FIELDS: list[tuple[str, Version, Callable[[Any, Node], Any]]] = [
    ("uuid", (1, 1), lambda r, n: str(n.pk)),
    ("name", NODE_NAMES, lambda r, n: n.name),
    ("instance_uuid", (1, 1), lambda r, n: str(i.pk) if (i := _first_instance(n)) else None),
    ("power_state", (1, 1), lambda r, n: None),
    ("target_power_state", (1, 1), lambda r, n: None),
    ("provision_state", (1, 1),
     lambda r, n: "active" if _first_instance(n) is not None else "available"),
    ("target_provision_state", (1, 1), lambda r, n: None),
    ("provision_updated_at", (1, 1), lambda r, n: None),
    ("maintenance", (1, 1), lambda r, n: False),
    ("maintenance_reason", (1, 1), lambda r, n: None),
    ("last_error", (1, 1), lambda r, n: None),
    ("console_enabled", (1, 1), lambda r, n: False),
    ("reservation", (1, 1), lambda r, n: None),
    ("driver", (1, 1), lambda r, n: n.driver),
    ("driver_info", (1, 1), lambda r, n: {}),
    ("driver_internal_info", (1, 3), lambda r, n: {}),
    ("extra", (1, 1), lambda r, n: {}),
    ("instance_info", (1, 1), lambda r, n: {}),
    ("properties", (1, 1), lambda r, n: n.properties),
    ("chassis_uuid", (1, 1), lambda r, n: None),
    ("inspection_started_at", (1, 6), lambda r, n: None),
    ("inspection_finished_at", (1, 6), lambda r, n: None),
    ("clean_step", (1, 7), lambda r, n: {}),
    ("raid_config", (1, 12), lambda r, n: {}),
    ("target_raid_config", (1, 12), lambda r, n: {}),
    ("network_interface", (1, 20), lambda r, n: "noop"),
    ("resource_class", (1, 21), lambda r, n: None),
    *((f"{kind}_interface", (1, 31), lambda r, n: "fake")
      for kind in ("boot", "console", "deploy", "inspect", "management", "power", "raid",
                   "vendor")),
    ("storage_interface", (1, 33), lambda r, n: "noop"),
    ("traits", (1, 37), lambda r, n: []),
    ("rescue_interface", (1, 38), lambda r, n: "no-rescue"),
    ("bios_interface", (1, 40), lambda r, n: "no-bios"),
    ("fault", (1, 42), lambda r, n: None),
    ("deploy_step", (1, 44), lambda r, n: {}),
    ("conductor_group", (1, 46), lambda r, n: ""),
    ("automated_clean", (1, 47), lambda r, n: None),
    ("protected", (1, 48), lambda r, n: False),
    ("protected_reason", (1, 48), lambda r, n: None),
    ("conductor", (1, 49), lambda r, n: None),
    ("owner", NODE_OWNERS, lambda r, n: n.project_id),
    ("created_at", (1, 1), lambda r, n: _time(n.created)),
    ("updated_at", (1, 1), lambda r, n: None),
    ("links", (1, 1), lambda r, n: links(r, "nodes", str(n.pk))),
    ("ports", (1, 1), lambda r, n: links(r, "nodes", str(n.pk), "ports")),
    ("portgroups", PORT_GROUP_LINKS, lambda r, n: links(r, "nodes", str(n.pk), "portgroups")),
]
NODE_SUMMARY = ("uuid", "name", "instance_uuid", "power_state", "provision_state",
                "maintenance", "links")

# --- ports --------------------------------------------------------------------------------------

PORT_FIELDS: list[tuple[str, Version, Callable[[Any, Port], Any]]] = [
    ("uuid", (1, 1), lambda r, p: str(p.pk)),
    ("address", (1, 1), lambda r, p: p.mac),
    ("node_uuid", (1, 1), lambda r, p: str(p.node_id)),
    ("extra", (1, 1), lambda r, p: {}),
    ("internal_info", (1, 18), lambda r, p: _tenant_vif(_vif_of(p))),
    ("local_link_connection", (1, 19), lambda r, p: p.local_link_connection),
    ("pxe_enabled", (1, 19), lambda r, p: p.pxe_enabled),
    ("portgroup_uuid", PORT_GROUP_LINKS,
     lambda r, p: str(p.port_group_id) if p.port_group_id else None),
    ("physical_network", PHYSICAL_NETWORKS, lambda r, p: p.physical_network or None),
    ("created_at", (1, 1), lambda r, p: _time(p.created)),
    ("updated_at", (1, 1), lambda r, p: None),
    ("links", (1, 1), lambda r, p: links(r, "ports", str(p.pk))),
]
PORT_SUMMARY = ("uuid", "address", "links")

# --- port groups --------------------------------------------------------------------------------

PORT_GROUP_FIELDS: list[tuple[str, Version, Callable[[Any, PortGroup], Any]]] = [
    ("uuid", (1, 1), lambda r, g: str(g.pk)),
    ("name", (1, 1), lambda r, g: g.name),
    ("address", (1, 1), lambda r, g: g.mac),
    ("node_uuid", (1, 1), lambda r, g: str(g.node_id)),
    ("standalone_ports_supported", (1, 1), lambda r, g: g.standalone_ports_supported),
    ("extra", (1, 1), lambda r, g: {}),
    ("internal_info", (1, 1), lambda r, g: _tenant_vif(_vif_of(g))),
    ("mode", BOND_MODES, lambda r, g: g.mode),
    ("properties", BOND_MODES, lambda r, g: g.properties),
    ("created_at", (1, 1), lambda r, g: _time(g.created)),
    ("updated_at", (1, 1), lambda r, g: None),
    ("links", (1, 1), lambda r, g: links(r, "portgroups", str(g.pk))),
    ("ports", PORT_GROUP_LINKS, lambda r, g: links(r, "portgroups", str(g.pk), "ports")),
]
PORT_GROUP_SUMMARY = ("uuid", "address", "name", "links")


class Shape:
    """One resource's fields: which a version shows, in summary or in detail."""

    def __init__(self, fields: list, summary: tuple[str, ...]):
        self.fields = fields
        self.summary = summary

    def names(self, version: Version) -> list[str]:
        return [name for name, since, _ in self.fields if since <= version]

    def selected(self, version: Version, fields: str | None, detail: bool) -> list[str]:
        """The fields an answer shows: ``?fields=a,b`` (Ironic's, from 1.8), else all of
        them or the summary's."""
        known = self.names(version)
        if fields is None:
            return known if detail else [name for name in known if name in self.summary]
        wanted = [name.strip() for name in fields.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in known]
        if unknown or not wanted:
            raise InvalidInput(f"Field(s) \"{', '.join(unknown) or fields}\" are not valid")
        return [name for name in known if name in wanted]

    def present(self, request, item: Any, names: list[str]) -> dict:
        return {name: value(request, item) for name, _, value in self.fields if name in names}


NODE = Shape(NODE_FIELDS, NODE_SUMMARY)
PORT = Shape(PORT_FIELDS, PORT_SUMMARY)
PORT_GROUP = Shape(PORT_GROUP_FIELDS, PORT_GROUP_SUMMARY)
