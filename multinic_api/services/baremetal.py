"""Bare-metal nodes, ports and port groups: the rules that span rows (Ironic's).

- A port's MAC is unique among ports (database) and equals no port group's MAC but its own
  group's; a port group's MAC is unique among groups (database) and, if it equals a port's
  MAC, that port is one of its members.
- A port group's members are ports of its node, all on one ``physical_network``.
- A port group's mode and options obey the bonding rules (:mod:`.bonding`).
- What carries a VIF cannot be taken apart: a port or group bound to a VIF keeps its MAC,
  physical network and members, and cannot be deleted (409).

Binding VIFs to carriers at launch is in :mod:`.binding`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import netaddr
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from multinic_api.exceptions import Conflict, InvalidInput, NotFound
from multinic_api.models import VIF, Instance, Node, Port, PortGroup, Project
from multinic_api.scope import Scope
from multinic_api.services import bonding, limits, macs
from multinic_api.services.text import has_nul, refuse_nul

# Ironic's "logical name": RFC 3986 unreserved characters (\Z: "$" let a final newline by).
_LOGICAL_NAME = re.compile(r"[A-Za-z0-9._~-]{1,255}\Z")
_LINK_KEYS = ("switch_id", "port_id", "switch_info")
# Ironic's hardware type for a node nothing here powers or boots (see models.Node.driver).
DEFAULT_DRIVER = "manual-management"
# A hardware type is a Python entry point's name: letters, digits, "-", "_" and ".".
_DRIVER_NAME = re.compile(r"[A-Za-z0-9._-]{1,255}\Z")
UNSET: Any = object()


# --- visibility -----------------------------------------------------------------------------

def find_node(reference: Any, project: Project | None, is_admin: bool = False) -> Node:
    """A node by UUID or name, if the caller may use it; else 404 (another project's node
    is not shown to exist)."""
    text = str(reference).strip() if reference is not None else ""
    if has_nul(text):  # no node is named that (and PostgreSQL cannot even be asked)
        raise NotFound(f"Node {reference} not found")
    nodes = Node.objects.restrict(Scope(project, is_admin))
    node = nodes.filter(name=text).first()
    if node is None and is_uuid(text):
        node = nodes.filter(pk=text).first()
    if node is None:
        raise NotFound(f"Node {reference} not found")
    return node


def find_nodes(references: Sequence[Any], project: Project | None,
               is_admin: bool = False) -> list[Node]:
    """Nodes by UUID or name, in the order given, as :func:`find_node` finds each (a name
    before a UUID), in one query; a node named twice is a 400."""
    texts = [str(reference).strip() if reference is not None else "" for reference in references]
    for reference, text in zip(references, texts, strict=True):
        if has_nul(text):
            raise NotFound(f"Node {reference} not found")
    uuids = [text for text in texts if is_uuid(text)]
    found = list(Node.objects.restrict(Scope(project, is_admin))
                 .filter(Q(name__in=texts) | Q(pk__in=uuids)))
    by_name = {node.name: node for node in found}
    by_pk = {str(node.pk): node for node in found}
    nodes: list[Node] = []
    for reference, text in zip(references, texts, strict=True):
        node = by_name.get(text) or (by_pk.get(str(uuid.UUID(text))) if is_uuid(text) else None)
        if node is None:
            raise NotFound(f"Node {reference} not found")
        if node in nodes:
            raise InvalidInput(f"Node {node.name} is named more than once: one instance is "
                               "launched onto each node")
        nodes.append(node)
    return nodes


def bound_vif_exists(carrier_field: str) -> Exists:
    return Exists(VIF.objects.filter(**{carrier_field: OuterRef("pk")}))


# --- nodes ----------------------------------------------------------------------------------

def create_node(name: str, project: Project | None = None,
                properties: Mapping[str, Any] | None = None,
                driver: str = DEFAULT_DRIVER, pk: str | None = None) -> Node:
    """``pk``: a UUID the client chose (Ironic lets it), else a new one."""
    name = _logical_name(name, "node")
    _unused_pk(Node, pk, "node")
    try:
        with transaction.atomic():
            return Node.objects.create(pk=pk or uuid.uuid4(), name=name, project=project,
                                       properties=_object(properties, "properties"),
                                       driver=_driver(driver))
    except IntegrityError:
        raise Conflict(f"A node named '{name}' already exists") from None


def update_node(node: Node, *, name: Any = UNSET, project: Any = UNSET,
                properties: Any = UNSET, driver: Any = UNSET) -> Node:
    if name is not UNSET:
        node.name = _logical_name(name, "node")
    if driver is not UNSET:
        node.driver = _driver(driver)
    if project is not UNSET:
        if node.instances.exists() and project != node.project:
            raise Conflict(f"Node {node.name} has instances; delete them before giving the "
                           "node to another project")
        node.project = project
    if properties is not UNSET:
        node.properties = _object(properties, "properties")
    try:
        with transaction.atomic():
            node.save()
    except IntegrityError:
        raise Conflict(f"A node named '{node.name}' already exists") from None
    return node


def delete_node(node: Node) -> None:
    """Delete a node with its ports and port groups; refused while instances run on it."""
    with transaction.atomic():
        locked = Node.objects.select_for_update().filter(pk=node.pk).first()
        if locked is None:
            raise NotFound(f"Node {node.pk} not found")
        if locked.instances.exists():
            raise Conflict(f"Node {node.name} has instances; delete them first")
        locked.delete()


# --- ports ----------------------------------------------------------------------------------

def create_port(node: Node, mac: str, *, physical_network: str | None = "",
                pxe_enabled: bool = True, port_group: PortGroup | None = None,
                local_link_connection: Mapping[str, Any] | None = None,
                pk: str | None = None) -> Port:
    with transaction.atomic():
        lock_node(node)
        _unused_pk(Port, pk, "port")
        port = Port(pk=pk or uuid.uuid4(), node=node, mac=macs.normalize_mac(mac),
                    physical_network=_physnet(physical_network), pxe_enabled=bool(pxe_enabled),
                    local_link_connection=_local_link(local_link_connection))
        if port_group is not None:
            _check_joins(port, port_group)
            port.port_group = port_group
            _check_standalone(port_group, [port])
        _check_port_mac(port)
        _save_port(port)
    return port


def update_port(port: Port, *, mac: Any = UNSET, physical_network: Any = UNSET,
                pxe_enabled: Any = UNSET, port_group: Any = UNSET,
                local_link_connection: Any = UNSET) -> Port:
    with transaction.atomic():
        lock_node(port.node)
        port = Port.objects.select_related("node", "port_group").get(pk=port.pk)
        carrying = _carries_vif(port)
        known_as = port.mac  # the refusal names the port by the MAC it has, not the one asked
        changed = []
        if mac is not UNSET and macs.normalize_mac(mac) != port.mac:
            port.mac = macs.normalize_mac(mac)
            changed.append("MAC")
        if physical_network is not UNSET and _physnet(physical_network) != port.physical_network:
            if port.port_group_id is not None:
                raise InvalidInput(
                    f"Port {port.mac} is a member of port group {port.port_group.name}; its "
                    "physical network cannot change while it is (members share one)")
            port.physical_network = _physnet(physical_network)
            changed.append("physical network")
        if port_group is not UNSET and getattr(port_group, "pk", None) != port.port_group_id:
            if port_group is not None:
                _check_joins(port, port_group)
            port.port_group = port_group
            changed.append("port group")
        if changed and carrying:
            raise Conflict(f"Port {known_as} carries {carrying}; its {' and '.join(changed)} "
                           "cannot change until that interface is detached")
        if pxe_enabled is not UNSET:
            port.pxe_enabled = bool(pxe_enabled)
        if local_link_connection is not UNSET:
            port.local_link_connection = _local_link(local_link_connection)
        if port.port_group is not None:
            _check_standalone(port.port_group, [port])
        _check_port_mac(port)
        _save_port(port)
    return port


def delete_port(port: Port) -> None:
    with transaction.atomic():
        lock_node(port.node)
        port = Port.objects.select_related("port_group").filter(pk=port.pk).first()
        if port is None:
            return
        carrying = _carries_vif(port)
        if carrying:
            raise Conflict(f"Port {port.mac} carries {carrying}; detach it first")
        port.delete()


# --- port groups ----------------------------------------------------------------------------

def create_port_group(node: Node, name: str, *, mac: str | None = None,
                      mode: str | None = None, properties: Mapping[str, Any] | None = None,
                      standalone_ports_supported: bool = True,
                      ports: Sequence[Port] | None = None,
                      instance: Instance | None = None,
                      pk: str | None = None) -> tuple[PortGroup, bonding.Bond]:
    """A port group on ``node``; ``ports`` (of the node, free) become its members.
    ``instance`` marks a bond made by a launch for one NIC: it goes when that NIC goes."""
    with transaction.atomic():
        lock_node(node)
        _unused_pk(PortGroup, pk, "port group")
        group = PortGroup(pk=pk or uuid.uuid4(), node=node, instance=instance,
                          name=_logical_name(name, "port group"),
                          mac=macs.normalize_mac(mac) if mac else None,
                          standalone_ports_supported=bool(standalone_ports_supported))
        members = _members_for(group, ports or [])
        bond = bonding.check_bond(mode or bonding.DEFAULT_MODE, properties,
                                  bond_members(members))
        group.mode, group.properties = bond.mode, bond.properties
        _check_standalone(group, members)
        _check_group_mac(group, members)
        _save_group(group)
        Port.objects.filter(pk__in=[p.pk for p in members]).update(port_group=group)
    return group, bond


def update_port_group(group: PortGroup, *, name: Any = UNSET, mac: Any = UNSET,
                      mode: Any = UNSET, properties: Any = UNSET,
                      standalone_ports_supported: Any = UNSET,
                      ports: Any = UNSET) -> tuple[PortGroup, bonding.Bond]:
    with transaction.atomic():
        lock_node(group.node)
        group = PortGroup.objects.select_related("node").get(pk=group.pk)
        carrying = VIF.objects.filter(port_group=group).first()
        members = list(group.ports.all())
        if ports is not UNSET:
            wanted = _members_for(group, ports)
            if carrying and {p.pk for p in wanted} != {p.pk for p in members}:
                raise Conflict(f"Port group {group.name} carries interface {carrying.uuid}; "
                               "its members cannot change until that interface is detached")
            members = wanted
        if name is not UNSET:
            group.name = _logical_name(name, "port group")
        if mac is not UNSET:
            new_mac = macs.normalize_mac(mac) if mac else None
            if carrying and new_mac != group.mac:
                raise Conflict(f"Port group {group.name} carries interface {carrying.uuid}; "
                               "its MAC cannot change until that interface is detached")
            group.mac = new_mac
        if standalone_ports_supported is not UNSET:
            group.standalone_ports_supported = bool(standalone_ports_supported)
        bond = bonding.check_bond(group.mode if mode is UNSET else mode,
                                  group.properties if properties is UNSET else properties,
                                  bond_members(members))
        group.mode, group.properties = bond.mode, bond.properties
        _check_standalone(group, members)
        _check_group_mac(group, members)
        _save_group(group)
        if ports is not UNSET:
            group.ports.exclude(pk__in=[p.pk for p in members]).update(port_group=None)
            Port.objects.filter(pk__in=[p.pk for p in members]).update(port_group=group)
    return group, bond


def delete_port_group(group: PortGroup) -> None:
    """Delete a group; its ports stay, as standalone ports. Refused while it carries a VIF."""
    with transaction.atomic():
        lock_node(group.node)
        carrying = VIF.objects.filter(port_group_id=group.pk).first()
        if carrying is not None:
            raise Conflict(f"Port group {group.name} carries interface {carrying.uuid} of "
                           f"instance {carrying.instance_id}; detach it or delete the instance "
                           "first")
        PortGroup.objects.filter(pk=group.pk).delete()


def physical_network_of(members: Iterable[Port]) -> str:
    return next((p.physical_network for p in members), "")


def in_member_order(members: Iterable[Port]) -> list[Port]:
    """A group's ports in member order, their creation order: the order in which Ironic lists
    them and Nova's Ironic driver writes ``bond_links``. The first one's MAC is the VIF's when
    the group has none."""
    return sorted(members, key=lambda port: port.serial)


# --- shared checks --------------------------------------------------------------------------

def lock_node(node: Node) -> None:
    """Serialise changes to one node's carriers (binding, bonding, admin edits)."""
    if not Node.objects.select_for_update().filter(pk=node.pk).exists():
        raise NotFound(f"Node {node.pk} not found")


def lock_nodes(nodes: Sequence[Node]) -> None:
    """:func:`lock_node` for several nodes in one statement, in id order, so that two
    launches onto overlapping nodes queue rather than deadlock."""
    wanted = {node.pk for node in nodes}
    locked = Node.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    missing = wanted - set(locked.values_list("pk", flat=True))
    if missing:
        raise NotFound(f"Node {sorted(missing, key=str)[0]} not found")


def check_member_count(ports: Sequence[Any]) -> None:
    """A 400 for a port group (or a launch's bond) of more ports than :mod:`.limits` allows."""
    limits.check_count(ports, limits.BOND_MEMBERS, "member ports of a port group")


def _members_for(group: PortGroup, ports: Sequence[Any]) -> list[Port]:
    """Check that ``ports`` may be the members of ``group``; return them in member order."""
    check_member_count(ports)
    ids = []
    for item in ports:
        key = item.pk if isinstance(item, Port) else item
        if not is_uuid(str(key)):
            raise InvalidInput(f"Port {key!r} is not a port UUID")
        ids.append(str(key))
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"Port group {group.name}: a port is listed more than once")
    found = {str(p.pk): p for p in Port.objects.filter(pk__in=ids).select_related("port_group")}
    members = []
    for key in ids:
        port = found.get(key)
        if port is None or port.node_id != group.node_id:
            raise InvalidInput(f"Port {key} is not a port of node {group.node.name}")
        if port.port_group_id not in (None, group.pk):
            raise Conflict(f"Port {port.mac} is already a member of port group "
                           f"{port.port_group.name}")
        # Only a port joining the group is refused for what it carries: a member carries
        # this group's own VIF (update_port_group refuses member changes of such a group).
        carrying = _carries_vif(port) if port.port_group_id != group.pk else None
        if carrying:
            raise Conflict(f"Port {port.mac} carries {carrying}; it cannot join a port group "
                           "until that interface is detached")
        members.append(port)
    physnets = sorted({p.physical_network for p in members})
    if len(physnets) > 1:
        raise Conflict(f"Port group {group.name}: members must share one physical network, "
                       f"not {', '.join(repr(n) for n in physnets)}")
    return in_member_order(members)


def _check_joins(port: Port, group: PortGroup) -> None:
    if group.node_id != port.node_id:
        raise InvalidInput("A port can not join a port group of a different node")
    if VIF.objects.filter(port_group=group).exists():
        raise Conflict(f"Port group {group.name} carries an interface; its members cannot "
                       "change until that interface is detached")
    others = group.ports.exclude(pk=port.pk)
    physnet = physical_network_of(others)
    if others.exists() and physnet != port.physical_network:
        raise Conflict(f"Port with physical network '{port.physical_network}' cannot join "
                       f"port group {group.name}, whose ports are on '{physnet}'")


def _check_standalone(group: PortGroup, members: Iterable[Port]) -> None:
    """Ironic's rule: the ports of a group that does not support standalone ports cannot
    boot by PXE (PXE runs on a single link, before any bond exists), so such a group has
    no PXE-enabled member. (Its members carrying VIFs of their own, Ironic's other case,
    cannot happen here: a member port is only ever carried as its group.)"""
    if group.standalone_ports_supported:
        return
    pxe = next((port for port in members if port.pxe_enabled), None)
    if pxe is not None:
        raise Conflict(
            f"Port group {group.name} does not support standalone ports, so its members "
            f"cannot boot by PXE, and port {pxe.mac} has PXE enabled; disable PXE on that "
            "port or let the group support standalone ports")


def _check_port_mac(port: Port) -> None:
    holder = PortGroup.objects.filter(mac=port.mac).exclude(pk=port.port_group_id).first()
    if holder is not None:
        raise Conflict(f"MAC {port.mac} is port group {holder.name}'s; a port may share its "
                       "MAC only with its own group")


def _check_group_mac(group: PortGroup, members: Sequence[Port]) -> None:
    if not group.mac:
        return
    owner = Port.objects.filter(mac=group.mac).first()
    if owner is not None and owner.pk not in {p.pk for p in members}:
        raise Conflict(f"MAC {group.mac} belongs to port {owner.uuid}, which is not a member "
                       f"of port group {group.name}; a group may share a MAC only with one of "
                       "its members")


def _unused_pk(model: type, pk: str | None, what: str) -> None:
    """A UUID a client chose is checked first: the unique-name refusal would not say why."""
    if pk is not None and model.objects.filter(pk=pk).exists():
        raise Conflict(f"A {what} with UUID {pk} already exists")


def _save_port(port: Port) -> None:
    try:
        with transaction.atomic():
            port.save()
    except IntegrityError:
        raise Conflict(f"A port with MAC {port.mac} already exists") from None


def _save_group(group: PortGroup) -> None:
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise Conflict(f"A port group named '{group.name}' or with MAC {group.mac} already "
                       "exists") from None


def _carries_vif(port: Port) -> str | None:
    """What the port is busy carrying, in words, or None."""
    carriers = Q(port=port)
    if port.port_group_id is not None:
        carriers |= Q(port_group_id=port.port_group_id)
    vif = VIF.objects.filter(carriers).first()
    if vif is None:
        return None
    return f"interface {vif.uuid} of instance {vif.instance_id}"


def bond_members(ports: Sequence[Port]) -> list[bonding.Member]:
    return [bonding.Member(id=str(p.pk), mac=p.mac) for p in ports]


def _logical_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _LOGICAL_NAME.match(value):
        raise InvalidInput(f"A {what} name must be 1 to 255 letters, digits and '-', '.', "
                           f"'_' or '~', not {value!r}")
    return value


def _driver(value: Any) -> str:
    if not isinstance(value, str) or not _DRIVER_NAME.match(value):
        raise InvalidInput(f"A driver (hardware type) name must be 1 to 255 letters, digits "
                           f"and '-', '_' or '.', not {value!r}")
    return value


def _physnet(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidInput("physical_network must be a string of at most 64 characters")
    return value.strip()


def _object(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{what} must be an object")
    return refuse_nul(dict(value), what)


def _local_link(value: Any) -> dict[str, str]:
    """Ironic's local_link_connection: switch_id (the switch's MAC) and port_id together,
    switch_info optional."""
    link = _object(value, "local_link_connection")
    unknown = sorted(set(link) - set(_LINK_KEYS))
    if unknown:
        raise InvalidInput(f"local_link_connection has unknown key(s) {', '.join(unknown)}; "
                           f"known: {', '.join(_LINK_KEYS)}")
    for key, item in link.items():
        if not isinstance(item, str) or not item.strip() or len(item) > 255:
            raise InvalidInput(f"local_link_connection {key} must be a non-empty string")
    if link and not {"switch_id", "port_id"} <= set(link):
        raise InvalidInput("local_link_connection needs both switch_id and port_id")
    if "switch_id" in link:
        try:
            switch = netaddr.EUI(link["switch_id"], version=48, dialect=netaddr.mac_unix_expanded)
        except (netaddr.AddrFormatError, TypeError, ValueError):
            raise InvalidInput("local_link_connection switch_id must be the switch's MAC "
                               f"address, not {link['switch_id']!r}") from None
        link["switch_id"] = str(switch)
    return link


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
