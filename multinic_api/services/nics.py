"""What a launch or an attach asks for, one NIC at a time, and reading it against the
database before anything is written: the networks the caller may use and their subnets, the
fixed IPs checked against them, device tags, an administrator's MAC, and ports made
beforehand (each visible, unattached and the instance's project's). Every 400, 403 and 404
of a NIC is raised here; what needs the node's lock (carriers) is checked in the launch's
transaction (:mod:`.instances`)."""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import netaddr

from multinic_api import phases
from multinic_api.exceptions import Forbidden, InvalidInput, NotFound, PortInUse, PortNotFound
from multinic_api.models import VIF, Network, Node, Project, Subnet
from multinic_api.scope import Scope
from multinic_api.services import ipam, limits, macs
from multinic_api.services.binding import CarrierRequest
from multinic_api.services.text import refuse_nul

# Nova's device-tag rule (no "/" or ","), and no control characters: a tag is a word the
# guest reads in meta_data.json. \Z, not $, which also matches before a final newline.
_TAG = re.compile(r"[^,/\x00-\x1f\x7f]+\Z")


@dataclass(frozen=True)
class NicRequest:
    """One requested NIC: a network, and optionally fixed IPs, a device tag, (admins) a MAC,
    and on a bare-metal node what should carry it; or an existing unattached port
    (``port_id``, with no network: the port's), which becomes the NIC as it is."""

    network_id: Any
    fixed_ips: Sequence[str] = ()
    tag: str | None = None
    mac: str | None = None
    carrier: CarrierRequest = field(default_factory=CarrierRequest)
    port_id: Any = None


@dataclass
class ResolvedNic:
    """A checked NIC: its network and subnets (in address-family order), the addresses asked
    for by subnet, and what else the request named; or the port that becomes it."""

    network: Network
    subnets: list[Subnet]
    requested: dict[Any, netaddr.IPAddress] = field(default_factory=dict)
    tag: str | None = None
    mac: str | None = None
    carrier: CarrierRequest = field(default_factory=CarrierRequest)
    port: VIF | None = None  # an unattached port that becomes this NIC


@phases.timed("resolve")
def resolve_nics(
    nics: Sequence[NicRequest], project: Project, is_admin: bool, node: Node | None = None
) -> list[ResolvedNic]:
    """Turn requests into networks, subnets and checked addresses: every 400/403/404 is
    raised here, before the transaction writes anything (carriers are checked under the
    node's lock, in the transaction)."""
    ports = _find_ports([nic.port_id for nic in nics if nic.port_id is not None], project,
                        is_admin)
    wanted = [as_uuid(nic.network_id, "network") for nic in nics if nic.port_id is None]
    networks, subnets_of = _usable_networks(set(wanted), Scope(project, is_admin),
                                            pools=any(nic.fixed_ips for nic in nics))
    resolved: list[ResolvedNic] = []
    seen_ips: set[netaddr.IPAddress] = set()
    network_uuids = iter(wanted)
    for index, nic in enumerate(nics):
        if nic.port_id is not None:
            resolved.append(_resolve_port(index, nic, ports[str(nic.port_id)], node))
            continue
        network_uuid = next(network_uuids)
        where = f"NIC {index} (network {nic.network_id})"
        fixed_ips = [nic.fixed_ips] if isinstance(nic.fixed_ips, str) else list(nic.fixed_ips)
        network = networks.get(network_uuid)
        if network is None:
            raise NotFound(f"Network {nic.network_id} not found")
        if nic.mac is not None and not is_admin:
            raise Forbidden(f"{where}: only an administrator may choose a MAC address")
        if nic.mac is not None and node is not None:
            raise InvalidInput(f"{where}: on bare metal a NIC's MAC is its port's or port "
                               "group's; choose the port or port group instead")
        if nic.carrier.explicit and node is None:
            raise InvalidInput(f"{where}: a port, port group or bond needs a bare-metal node; "
                               "launch onto a node")
        check_tag(nic.tag, where)
        if len(fixed_ips) > limits.FIXED_IPS_PER_NIC:
            raise InvalidInput(f"{where}: at most {limits.FIXED_IPS_PER_NIC} fixed IPs may be "
                               "requested for one NIC")
        subnets = list(subnets_of[network.pk])
        item = ResolvedNic(
            network=network,
            subnets=subnets,
            tag=nic.tag,
            mac=macs.normalize_mac(nic.mac) if nic.mac is not None else None,
            carrier=nic.carrier,
        )
        for value in fixed_ips:
            address = ipam.parse_address(value)
            subnet = next((s for s in subnets if address in s.ip_network), None)
            if subnet is None:
                raise InvalidInput(
                    f"{where}: fixed IP {address} is in none of the network's subnets ("
                    + (", ".join(s.cidr for s in subnets) or "it has none")
                    + ")"
                )
            if subnet.pk in item.requested:
                raise InvalidInput(
                    f"{where}: more than one fixed IP requested on subnet {subnet.cidr}"
                )
            if address in seen_ips:
                raise InvalidInput(f"Fixed IP {address} is requested more than once")
            seen_ips.add(address)
            item.requested[subnet.pk] = ipam.check_requested_address(subnet, str(address))
        resolved.append(item)
    return resolved


def _usable_networks(wanted: set[uuid.UUID], scope: Scope, pools: bool
                     ) -> tuple[dict[uuid.UUID, Network], dict[uuid.UUID, list[Subnet]]]:
    """Of the ``wanted`` networks, those the caller may use, and their subnets in
    address-family order (with their pools when fixed IPs were requested, to check those
    against them).

    One query whatever the NIC count: the subnets, each with its network. A second only when
    a wanted network is not among those (it has no subnet, or the caller may not use it, or
    there is none), for the networks alone. (Grouped here rather than by prefetch_related,
    whose machinery cost more than the queries.)"""
    if not wanted:
        return {}, {}
    usable = Network.objects.restrict(scope).filter(pk__in=wanted)
    found = (Subnet.objects.filter(network__in=usable).select_related("network")
             .order_by("ip_version", "cidr"))
    if pools:
        found = found.prefetch_related("allocation_pools")
    networks: dict[uuid.UUID, Network] = {}
    subnets_of: dict[uuid.UUID, list[Subnet]] = {}
    for subnet in found:
        subnet.network = networks.setdefault(subnet.network_id, subnet.network)  # one each
        subnets_of.setdefault(subnet.network_id, []).append(subnet)
    without_subnets = wanted - networks.keys()
    if without_subnets:
        for network in usable.filter(pk__in=without_subnets):
            networks[network.pk] = network
            subnets_of[network.pk] = []
    return networks, subnets_of


def check_tag(tag: str | None, where: str) -> None:
    refuse_nul(tag, f"{where}: tag")
    if tag is not None and (len(tag) > limits.TAG or not _TAG.match(tag)):
        raise InvalidInput(f"{where}: a tag must be 1 to {limits.TAG} characters without "
                           "'/', ',' or control characters")


def _find_ports(port_ids: list[Any], project: Project, is_admin: bool) -> dict[str, VIF]:
    """The requested ports by the id as requested: each visible to the caller, unattached,
    the instance's project's and asked for once (Nova's PortNotFound, PortInUse and
    PortNotUsable)."""
    if not port_ids:
        return {}
    wanted = {}
    for port_id in port_ids:
        try:
            wanted[str(port_id)] = as_uuid(port_id, "port")
        except NotFound:
            raise PortNotFound(f"Port id {port_id} could not be found.") from None
    if len(set(wanted.values())) < len(port_ids):
        raise InvalidInput("A port may be requested only once")
    found = {vif.pk: vif for vif in VIF.objects.restrict(Scope(project, is_admin))
             .select_related("network").filter(pk__in=list(wanted.values()))}
    ports = {}
    for text, pk in wanted.items():
        port = found.get(pk)
        if port is None:
            raise PortNotFound(f"Port id {text} could not be found.")
        if port.instance_id is not None:
            raise PortInUse(f"Port {pk} is still in use.")
        if port.project_id != project.pk:
            raise InvalidInput(f"Port {pk} is project {port.project_id}'s, not the "
                               f"instance's ({project.pk}): it cannot be attached to it.")
        ports[text] = port
    return ports


def _resolve_port(index: int, nic: NicRequest, port: VIF, node: Node | None) -> ResolvedNic:
    """A NIC that is an existing port: it comes with its network, MAC and addresses."""
    where = f"NIC {index} (port {nic.port_id})"
    if node is not None:
        raise InvalidInput(f"{where}: on bare metal a NIC's MAC is its port's or port "
                           "group's, and a port made beforehand has a MAC of its own; request "
                           "a network instead")
    if nic.fixed_ips or nic.mac is not None or nic.carrier.explicit:
        raise InvalidInput(f"{where}: a port comes with its MAC and addresses; request "
                           "either the port or a network with fixed IPs, not both")
    check_tag(nic.tag, where)
    return ResolvedNic(network=port.network, subnets=[], tag=nic.tag, port=port)


def as_uuid(value: Any, what: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"No {what} has the id '{value}'") from None
