"""Binding a launch's NICs to a bare-metal node's ports and port groups.

Each NIC is carried by one free carrier of the node: a chosen port, a chosen port group
(optionally run with another mode and options for this instance), a new bond of chosen
ports, or, when the NIC names none, the best free carrier by Ironic's preference:

1. only carriers whose physical network is empty or the network's (a network without a
   physical network, e.g. a tunnelled one, may use any: Ironic's rule);
2. a non-empty physical network first;
3. port groups before single ports (bonded NICs win);
4. PXE-enabled ports first.

Explicit choices are bound before automatic ones, so "any free carrier" never takes a port
the user named. Ports that belong to a group are carried only as that group, as in Ironic.

The caller holds the node's row lock (``baremetal.lock_node``) for the whole launch, so two
launches onto one node bind one after the other; the VIF's one-to-one carrier columns are the
database's guarantee on top of that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multinic_api.exceptions import Conflict, InvalidInput
from multinic_api.models import Instance, Network, Node, Port, PortGroup
from multinic_api.services import baremetal, bonding, macs


@dataclass(frozen=True)
class BondRequest:
    """Bond for one NIC: either an existing ``port_group`` or new ``ports``, with a mode
    and options (the group's own, else ``active-backup`` and miimon 100, by default)."""

    port_group: Any = None
    ports: Sequence[Any] = ()
    mode: str | None = None
    properties: Mapping[str, Any] | None = None
    name: str | None = None


@dataclass(frozen=True)
class CarrierRequest:
    """What one NIC asked to be carried by; all empty means "the best free carrier"."""

    port: Any = None
    bond: BondRequest | None = None

    @property
    def explicit(self) -> bool:
        return self.port is not None or self.bond is not None


@dataclass
class Binding:
    """A NIC's carrier, the MAC the VIF takes from it, and its Neutron-style profile."""

    mac: str
    port: Port | None = None
    port_group: PortGroup | None = None
    profile: dict[str, Any] | None = None


def bind(instance: Instance, node: Node, nics: Sequence[tuple[Network, CarrierRequest]],
         warnings: list[str], first_position: int = 0,
         free: _FreeCarriers | None = None) -> list[Binding]:
    """One carrier per NIC, in NIC order (the first is NIC ``first_position``), out of
    ``free`` (default: the node's free carriers, read now). The caller holds the node's
    lock."""
    if free is None:
        free = free_carriers([node])[node.pk]
    bindings: list[Binding | None] = [None] * len(nics)
    order = sorted(range(len(nics)), key=lambda i: not nics[i][1].explicit)
    for index in order:
        network, request = nics[index]
        where = f"NIC {first_position + index} (network {network.name or network.pk})"
        if request.bond is not None and request.bond.port_group is None:
            bindings[index] = _new_bond(instance, node, network, request.bond, free, where,
                                        warnings, position=first_position + index)
        elif request.bond is not None:
            group = free.take_group(request.bond.port_group, network, where)
            bindings[index] = _group_binding(group, free.members(group), request.bond, where,
                                             warnings)
        elif request.port is not None:
            bindings[index] = _port_binding(free.take_port(request.port, network, where))
        else:
            carrier = free.take_best(network, where)
            if isinstance(carrier, PortGroup):
                bindings[index] = _group_binding(carrier, free.members(carrier), None, where,
                                                 warnings)
            else:
                bindings[index] = _port_binding(carrier)
    return [binding for binding in bindings if binding is not None]


def free_carriers(nodes: Sequence[Node]) -> dict[Any, _FreeCarriers]:
    """Each node's carriers not bound to a VIF, by node id: two queries for all the nodes (a
    bulk launch binds one instance on each). The caller holds the nodes' locks."""
    ports: dict[Any, list[Port]] = {node.pk: [] for node in nodes}
    groups: dict[Any, list[PortGroup]] = {node.pk: [] for node in nodes}
    for port in Port.objects.filter(node__in=list(ports)).annotate(
            bound=baremetal.bound_vif_exists("port")):
        ports[port.node_id].append(port)
    for group in PortGroup.objects.filter(node__in=list(groups)).annotate(
            bound=baremetal.bound_vif_exists("port_group")):
        groups[group.node_id].append(group)
    return {node.pk: _FreeCarriers(node, ports[node.pk], groups[node.pk]) for node in nodes}


class _FreeCarriers:
    """A node's carriers not bound to a VIF (``ports`` and ``groups`` annotated with
    ``bound``), read once; taking one removes it."""

    def __init__(self, node: Node, ports: list[Port], groups: list[PortGroup]):
        self.node = node
        self._members: dict[Any, list[Port]] = {g.pk: [] for g in groups}
        for port in ports:
            if port.port_group_id is not None:
                self._members[port.port_group_id].append(port)
        self.ports = {p.pk: p for p in ports if not p.bound and p.port_group_id is None}
        self.groups = {g.pk: g for g in groups if not g.bound and self._members[g.pk]}
        self.all_ports = {p.pk: p for p in ports}
        self.all_groups = {g.pk: g for g in groups}

    def members(self, group: PortGroup) -> list[Port]:
        return baremetal.in_member_order(self._members.get(group.pk, []))

    def take_best(self, network: Network, where: str) -> Port | PortGroup:
        candidates = [c for c in [*self.groups.values(), *self.ports.values()]
                      if _physnet_allows(self._physnet(c), network)]
        if not candidates:
            raise Conflict(f"{where}: node {self.node.name} has no free port or port group "
                           f"{_physnet_words(network)}; detach an interface or choose another "
                           "node")
        best = min(candidates, key=lambda c: (
            not self._physnet(c), isinstance(c, Port), not getattr(c, "pxe_enabled", True),
            getattr(c, "name", "") or getattr(c, "mac", "")))
        return self._take(best)

    def take_port(self, reference: Any, network: Network, where: str) -> Port:
        port = self._find(self.all_ports, reference, "port", where, by=("mac",))
        if port.port_group_id is not None:
            group = self.all_groups[port.port_group_id]
            raise Conflict(f"{where}: port {port.mac} is a member of port group {group.name}; "
                           "bind the group, or remove the port from it")
        if port.pk not in self.ports:
            raise Conflict(f"{where}: port {port.mac} already carries another interface")
        self._check_physnet(port.physical_network, network, f"port {port.mac}", where)
        return self._take(port)

    def take_group(self, reference: Any, network: Network, where: str) -> PortGroup:
        group = self._find(self.all_groups, reference, "port group", where, by=("name",))
        if not self.members(group):
            raise Conflict(f"{where}: port group {group.name} has no ports")
        if group.pk not in self.groups:
            raise Conflict(f"{where}: port group {group.name} already carries another "
                           "interface")
        self._check_physnet(self._physnet(group), network, f"port group {group.name}", where)
        return self._take(group)

    def take_ports_for_bond(self, references: Sequence[Any], network: Network,
                            where: str) -> list[Port]:
        ports = [self.take_port(reference, network, where) for reference in references]
        if not ports:
            raise InvalidInput(f"{where}: a new bond needs at least one port")
        return ports

    def _take(self, carrier):
        (self.groups if isinstance(carrier, PortGroup) else self.ports).pop(carrier.pk)
        return carrier

    def _physnet(self, carrier: Port | PortGroup) -> str:
        if isinstance(carrier, Port):
            return carrier.physical_network
        return baremetal.physical_network_of(self.members(carrier))

    def _check_physnet(self, physnet: str, network: Network, what: str, where: str) -> None:
        if not _physnet_allows(physnet, network):
            raise Conflict(f"{where}: {what} is on physical network '{physnet}', but network "
                           f"{network.name or network.pk} is on '{network.physical_network}'")

    def _find(self, items: Mapping[Any, Any], reference: Any, what: str, where: str,
              by: tuple[str, ...]):
        text = str(reference).strip().lower()
        if "mac" in by:
            try:
                text = macs.normalize_mac(text)  # any notation names a port
            except InvalidInput:
                pass
        for item in items.values():
            if str(item.pk) == text or any(str(getattr(item, f) or "").lower() == text
                                           for f in by):
                return item
        raise InvalidInput(f"{where}: node {self.node.name} has no {what} {reference!r}")


def _new_bond(instance: Instance, node: Node, network: Network, request: BondRequest,
              free: _FreeCarriers, where: str, warnings: list[str], position: int) -> Binding:
    """Bond chosen free ports of the node into a group that lives as long as this NIC."""
    baremetal.check_member_count(request.ports)
    if len(set(map(str, request.ports))) != len(request.ports):
        raise InvalidInput(f"{where}: a port is listed more than once in the bond")
    ports = baremetal.in_member_order(free.take_ports_for_bond(request.ports, network, where))
    physnets = sorted({p.physical_network for p in ports})
    if len(physnets) > 1:
        raise Conflict(f"{where}: bonded ports must share one physical network, not "
                       f"{', '.join(repr(n) for n in physnets)}")
    properties = request.properties
    if properties is None:
        properties = dict(bonding.DEFAULT_PROPERTIES)
    name = request.name or f"bond-{str(instance.uuid)[:8]}-nic{position}"
    group, bond = baremetal.create_port_group(node, name, mode=request.mode,
                                              properties=properties, ports=ports,
                                              instance=instance)
    _warn(warnings, where, bond)
    return Binding(mac=ports[0].mac, port_group=group,
                   profile=_profile(group, ports, bond.mode, bond.properties))


def _group_binding(group: PortGroup, members: list[Port], request: BondRequest | None,
                   where: str, warnings: list[str]) -> Binding:
    """An existing group, run with its own mode and options unless this NIC overrides them."""
    mode = group.mode
    properties = group.properties
    if request is not None and request.mode is not None:
        mode = request.mode
    if request is not None and request.properties is not None:
        properties = request.properties
    bond = bonding.check_bond(mode, properties, baremetal.bond_members(members))
    _warn(warnings, where, bond)
    # Ironic: the group's MAC, else its first member's.
    return Binding(mac=group.mac or members[0].mac, port_group=group,
                   profile=_profile(group, members, bond.mode, bond.properties))


def _port_binding(port: Port) -> Binding:
    return Binding(mac=port.mac, port=port, profile={
        "local_link_information": [_link_info(port)] if port.local_link_connection else [],
    })


def _profile(group: PortGroup, members: Sequence[Port], mode: str,
             properties: Mapping[str, Any]) -> dict[str, Any]:
    """Neutron's binding profile for a bond (what networking-generic-switch reads)."""
    return {
        "local_link_information": [_link_info(p) for p in members if p.local_link_connection],
        "local_group_information": {
            "id": str(group.pk), "name": group.name, "bond_mode": mode,
            "bond_properties": dict(properties),
        },
    }


def bound_bond(vif, group: PortGroup) -> tuple[str, dict[str, Any]]:
    """The mode and options a VIF carried by ``group`` runs with: what its binding profile
    recorded at bind time (a launch may override the group's own), else the group's."""
    bound = (vif.binding_profile or {}).get("local_group_information") or {}
    return (bound.get("bond_mode") or group.mode,
            dict(bound.get("bond_properties", group.properties)))


def _link_info(port: Port) -> dict[str, Any]:
    return {**port.local_link_connection, "port_uuid": str(port.pk)}


def _warn(warnings: list[str], where: str, bond: bonding.Bond) -> None:
    warnings.extend(f"{where}: {warning}" for warning in bond.warnings)


def _physnet_allows(physnet: str, network: Network) -> bool:
    return not network.physical_network or not physnet or physnet == network.physical_network


def _physnet_words(network: Network) -> str:
    if network.physical_network:
        return f"on physical network '{network.physical_network}' (or none)"
    return "left"
