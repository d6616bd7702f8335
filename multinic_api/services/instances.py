"""Instances and their interfaces: launch, delete, attach and detach; and ports, interfaces
made ahead of their instance (Neutron's pre-created ports), which a launch or an attach then
takes as one of its NICs.

A launch names networks in order; the order is the NIC order and is kept as each VIF's
``position``. Everything a launch writes happens in one transaction, so a failure on any NIC
leaves no instance, VIF or address behind. That transaction (of a launch, an attach, a port)
holds no savepoint: an insert that meets a taken MAC or address aborts it, and what was
taken is read after its rollback (:mod:`.transactions`), to answer a 409 or, for a
generated MAC, to run the transaction again with MACs drawn anew. What the request names is
read once, before it (:func:`.nics.resolve_nics`).

On a bare-metal node each NIC is carried by one of the node's ports or port groups
(:mod:`.binding`) and takes its MAC from it; nothing is generated there.

A port made on its own keeps its MAC and addresses when its instance is deleted or it is
detached: it is left unattached, as Nova leaves a port it did not create
(``VIF.preserve_on_delete``).

A bulk launch (Nova's ``min_count``/``max_count``) is the same launch for several instances
at once, its inserts and its address allocation one statement each for all of them, so its
cost does not grow with their number (on bare metal too: every node's free carriers are
read at once).

Lock order, which keeps concurrent launches from deadlocking: the instance row (attach,
detach, delete), then a share lock on the networks (so that a concurrent ``delete_network``
waits, or is seen to have won), then the node rows in id order (bare metal), then VIF
inserts (which wait only on other VIF inserts of the same MAC, and go in in MAC order:
``macs``), then the subnets in id order (``ipam.lock_subnets``), then free ranges. No
transaction waits for a MAC while it holds a subnet lock.
"""

import base64
import binascii
import re
import secrets
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import netaddr
from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet

from multinic_api import phases
from multinic_api.exceptions import (
    Conflict,
    InvalidInput,
    NotFound,
    PortInUse,
    SubnetExhausted,
)
from multinic_api.models import VIF, FixedIP, Instance, Network, PortGroup, Project, Subnet
from multinic_api.services import baremetal, binding, ipam, keypairs, limits, macs, transactions
from multinic_api.services.binding import BondRequest, CarrierRequest
from multinic_api.services.nics import NicRequest, ResolvedNic, as_uuid, resolve_nics
from multinic_api.services.text import refuse_nul

__all__ = ["BondRequest", "CarrierRequest", "NicRequest", "Launched", "launch_instance",
           "launch_instances", "attach_interface", "detach_interface", "delete_instance",
           "check_nic_count", "check_instance_count", "create_port", "update_port",
           "delete_port"]

_RESERVATION_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def holding_address(value: str) -> QuerySet[Instance]:
    """Instances with a NIC that holds this IP address or MAC, either in any notation (an
    IPv6 address compressed or not; a MAC with colons, dashes, dots or none, any case)."""
    text = str(value).strip()
    try:
        ip = netaddr.IPAddress(text, flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        ip = None
    if ip is not None:
        return Instance.objects.filter(vifs__fixed_ips__address=str(ip)).distinct()
    try:
        mac = macs.normalize_mac(text)
    except InvalidInput:
        raise InvalidInput(f"'{value}' is neither an IP address nor a MAC address") from None
    return Instance.objects.filter(vifs__mac=mac).distinct()


@dataclass
class Launched:
    """What one launch request made: its instances in launch-index order, each with
    ``interfaces`` set, and the reservation that names them together (Nova's)."""

    reservation_id: str
    instances: list[Instance]


def launch_instance(*, node: Any = None, **launch: Any) -> Instance:
    """Create one instance with one VIF per requested NIC, all or nothing: the launch of
    :func:`launch_instances` with a count of one (``node``, a UUID or name, launches onto
    that bare-metal node)."""
    launched = launch_instances(nodes=None if node is None else [node], **launch)
    (instance,) = launched.instances
    return instance


@phases.timed("launch")
def launch_instances(
    *,
    project: Project,
    name: str,
    nics: Sequence[NicRequest],
    min_count: int = 1,
    max_count: int = 1,
    nodes: Sequence[Any] | None = None,
    is_admin: bool = False,
    hostname: str | None = None,
    availability_zone: str = "nova",
    metadata: Mapping[str, str] | None = None,
    key_name: str | None = None,
    public_key: str | None = None,
    user_data: str | None = None,
    config_drive: bool = False,
    image_ref: str = "",
    flavor_ref: str = "",
    warnings: list[str] | None = None,
) -> Launched:
    """Create up to ``max_count`` instances alike, at least ``min_count``, each with one VIF
    per requested NIC and its own MACs and addresses, all in one transaction: fewer than
    ``min_count`` possible is a 409 saying how many could be made, and writes nothing.

    As Nova: with more than one instance they are named ``name-1``, ``name-2``, ...; each has
    its ``launch_index`` (from 0) and all share one ``reservation_id``. ``nodes`` (UUIDs or
    names) launches onto bare metal, the instances onto the nodes in that order, one each;
    there are then at most as many instances as nodes. Several instances cannot share what
    names one thing: a NIC's fixed IP, MAC or carrier (a 400). ``warnings`` collects what
    works but is likely not what was meant (see :func:`bonding.check_bond`)."""
    for label, value in (("name", name), ("availability_zone", availability_zone),
                         ("key_name", key_name), ("hostname", hostname),
                         ("public_key", public_key), ("user_data", user_data)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"An instance {label} must be a string")
        refuse_nul(value, f"An instance {label}")  # PostgreSQL cannot store it (text.py)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("An instance needs a name")
    _check_limits(name=name, hostname=hostname, availability_zone=availability_zone,
                  key_name=key_name, public_key=public_key, user_data=user_data,
                  config_drive=config_drive, nics=nics)
    check_instance_count(min_count, max_count)
    metadata = _metadata(metadata)
    if max_count > 1:
        _check_shareable(nics)
        numbered = len(f"-{max_count}")
        if len(name) + numbered > limits.NAME:
            raise InvalidInput(f"An instance name may be at most {limits.NAME - numbered} "
                               f"characters when launching {max_count} instances, each "
                               "named with its number: NAME-1, NAME-2, ...")
    targets = None
    if nodes is not None:
        if not isinstance(nodes, Sequence) or isinstance(nodes, str) or not nodes:
            raise InvalidInput("nodes must be a list of bare-metal nodes (UUIDs or names)")
        limits.check_count(nodes, limits.INSTANCES_PER_LAUNCH, "nodes")
        targets = (baremetal.find_nodes(nodes, project, is_admin) if len(nodes) > 1
                   else [baremetal.find_node(nodes[0], project, is_admin)])
        if len(targets) < min_count:
            raise Conflict(f"Only {len(targets)} of the {min_count} instances asked for could "
                           f"be made: {len(targets)} bare-metal node(s) named, one per instance")
        max_count = min(max_count, len(targets))
    resolved = resolve_nics(nics, project, is_admin, targets[0] if targets else None)
    reservation_id = _reservation_id()
    rows = []
    for index in range(max_count):
        instance_uuid = uuid.uuid4()
        # Nova's multi_instance_display_name_template, "%(name)s-%(count)d".
        suffix = f"-{index + 1}" if max_count > 1 else ""
        rows.append(Instance(
            uuid=instance_uuid,
            name=f"{name}{suffix}",
            hostname=_hostname(hostname or name, instance_uuid, suffix),
            project=project,
            availability_zone=availability_zone or "nova",
            metadata=metadata,
            key_name=key_name,
            public_key=public_key,
            user_data=user_data,
            config_drive=config_drive,
            reservation_id=reservation_id,
            launch_index=index,
            image_ref=image_ref,
            flavor_ref=flavor_ref,
            node=targets[index] if targets else None,
        ))
    found: list[str] = []

    def launch() -> list[list[VIF]]:
        found.clear()  # a run again warns again
        Instance.objects.bulk_create(rows)
        return _add_vifs(rows, resolved, first_position=0, warnings=found,
                         min_count=min_count)

    placed = transactions.run_in_transaction(launch)
    if warnings is not None:
        warnings.extend(dict.fromkeys(found))  # alike instances warn alike: once each
    launched = rows[:len(placed)]
    for instance, vifs in zip(launched, placed, strict=True):
        instance.interfaces = vifs
    return Launched(reservation_id=reservation_id, instances=launched)


def check_instance_count(min_count: Any, max_count: Any,
                         names: tuple[str, str] = ("min_count", "max_count")) -> None:
    """A 400 unless ``1 <= min_count <= max_count <= limits.INSTANCES_PER_LAUNCH``, both
    integers. Faces may ask before they read anything else, and get this same message, in
    which ``names`` are what the face calls the two counts."""
    for what, value in ((names[1], max_count), (names[0], min_count)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput(f"{what} must be a positive integer")
    if max_count > limits.INSTANCES_PER_LAUNCH:
        raise InvalidInput(f"At most {limits.INSTANCES_PER_LAUNCH} instances may be launched "
                           f"in one request (this asks for {max_count})")
    if min_count > max_count:
        raise InvalidInput(f"{names[0]} ({min_count}) may not be greater than {names[1]} "
                           f"({max_count})")


def _check_shareable(nics: Sequence[NicRequest]) -> None:
    """What one NIC names for itself cannot be given to several instances (Nova refuses a
    fixed IP or a port with a count above one alike)."""
    for index, nic in enumerate(nics):
        where = f"NIC {index} (network {nic.network_id})"
        if nic.port_id is not None:
            # Nova's message for the same request.
            raise InvalidInput(f"NIC {index}: unable to launch multiple instances with a "
                               f"single configured port ID ({nic.port_id})")
        if nic.fixed_ips:
            raise InvalidInput(f"{where}: a fixed IP cannot be requested when launching more "
                               "than one instance")
        if nic.mac is not None:
            raise InvalidInput(f"{where}: a MAC address cannot be requested when launching "
                               "more than one instance")
        if nic.carrier.explicit:
            raise InvalidInput(f"{where}: a port, port group or bond cannot be named when "
                               "launching more than one instance; each node's NICs are then "
                               "carried by its best free ports and port groups")


def _reservation_id() -> str:
    """Nova's: "r-" and eight random characters of [0-9a-z] (``utils.generate_uid``)."""
    return "r-" + "".join(secrets.choice(_RESERVATION_ALPHABET) for _ in range(8))


def attach_interface(
    instance: Instance,
    nic: NicRequest,
    *,
    project: Project | None = None,
    is_admin: bool = False,
    warnings: list[str] | None = None,
) -> VIF:
    """Add a VIF at the next position after the instance's current last one (on bare metal,
    carried by a free port or port group of the instance's node); it comes back with its
    ``addresses`` set, as ``VIF.objects.with_addresses()`` loads them."""
    (resolved,) = resolve_nics([nic], project or instance.project, is_admin, instance.node)
    found: list[str] = []

    def attach() -> VIF:
        found.clear()  # a run again warns again
        _lock_instance(instance)
        # The launch's NIC ceiling holds for the instance's life: attaching one by one must
        # not reach what one launch may not ask for. Counted under the instance's lock, so
        # two attaches at once cannot both take the last place.
        held = instance.vifs.aggregate(count=Count("pk"), last=Max("position"))
        if held["count"] >= limits.max_nics():
            raise Conflict(f"Instance {instance.uuid} already has {limits.max_nics()} NICs, "
                           "the most an instance may have; detach one first")
        last = held["last"]
        ((vif,),) = _add_vifs([instance], [resolved],
                              first_position=0 if last is None else last + 1, warnings=found)
        return vif

    vif = transactions.run_in_transaction(attach)
    if warnings is not None:
        warnings.extend(found)
    return vif


def detach_interface(instance: Instance, vif_uuid: Any) -> None:
    """Remove one VIF and free its MAC and addresses for reuse."""
    with transaction.atomic():
        _lock_instance(instance)
        vif = _get_vif(instance, vif_uuid)
        _release_vifs(instance, [vif])


def delete_instance(instance: Instance) -> None:
    """Delete an instance, freeing every MAC and address it held."""
    with transaction.atomic():
        _lock_instance(instance)
        # Read under the lock, not taken from ``instance.interfaces``: a NIC attached after
        # the caller loaded the instance goes too.
        _release_vifs(instance, list(instance.vifs.all()))
        instance.delete()


def create_port(*, project: Project, network_id: Any, is_admin: bool = False,
                fixed_ips: Sequence[str] = (), mac: str | None = None, name: str = "",
                description: str = "") -> VIF:
    """A port of ``project`` on a network it may use, attached to no instance: its MAC and
    an address on every subnet of the network are allocated now, by the rules of a launch's
    NIC (requested addresses, an administrator's MAC), so that the instance it is attached
    to later finds them unchanged."""
    _check_port_text(name=name, description=description)
    (nic,) = resolve_nics([NicRequest(network_id, fixed_ips=fixed_ips, mac=mac)], project,
                           is_admin)

    def build(mac: str, index: int) -> VIF:
        return VIF(instance=None, position=None, project=project, network=nic.network,
                   mac=mac, vif_type=nic.network.vif_type, name=name or "",
                   description=description or "", preserve_on_delete=True)

    def create() -> VIF:
        _share_networks([nic.network])
        vifs = macs.insert_all_with_unique_macs(build, VIF, [nic.mac])
        (port,) = _allocate_addresses(vifs, [nic])
        return port

    return transactions.run_in_transaction(create)


def update_port(port: VIF, *, name: str | None = None,
                description: str | None = None) -> VIF:
    """A port's name and description, the only things of a port that are only words."""
    _check_port_text(name=name, description=description)
    changed = {key: value for key, value in (("name", name), ("description", description))
               if value is not None}
    for key, value in changed.items():
        setattr(port, key, value)
    if changed:
        port.save(update_fields=list(changed))
    return port


def delete_port(port: VIF) -> None:
    """Delete a port, attached or not, freeing its MAC and addresses. An attached one is
    detached from its instance first, as Neutron lets a port in use be deleted (Nova then
    forgets the NIC)."""
    for _ in range(2):  # a port attached between the two reads is deleted as attached
        current = VIF.objects.filter(pk=port.pk).values_list("instance_id", flat=True).first()
        with transaction.atomic():
            if current is not None:
                instance = Instance.objects.get(pk=current)
                _lock_instance(instance)  # the instance before the port: the lock order
                vif = instance.vifs.filter(pk=port.pk).first()
                if vif is not None:
                    _release_vifs(instance, [vif], keep_ports=False)
                    return
                continue
            free = (VIF.objects.select_for_update(of=("self",))
                    .filter(pk=port.pk, instance__isnull=True).order_by("pk").first())
            if free is not None:
                fixed_ips = list(free.fixed_ips.select_related("subnet__network"))
                ipam.lock_subnets(ip.subnet for ip in fixed_ips)
                for fixed_ip in fixed_ips:
                    ipam.release(fixed_ip)
                free.delete()
                return
        if not VIF.objects.filter(pk=port.pk).exists():
            raise NotFound(f"Port {port.pk} could not be found.")
    raise Conflict(f"Port {port.pk} was attached or detached while it was being deleted; "
                   "try again")


def _check_port_text(**values: str | None) -> None:
    for what, value in values.items():
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"A port's {what} must be a string")
        refuse_nul(value, f"A port's {what}")
        limits.check_length(value, limits.NAME, f"A port's {what}")


def _add_vifs(instances: list[Instance], nics: list[ResolvedNic], first_position: int,
              warnings: list[str], min_count: int = 1) -> list[list[VIF]]:
    """The VIFs of ``nics`` for each of ``instances``, inserted together, with their
    addresses; per instance, in NIC order. A NIC that is a port made beforehand (one
    instance only: see ``_check_shareable``) is attached as it is. Should the subnets not
    have addresses for all the instances, the last ones are left out (their rows deleted)
    down to ``min_count``; below that, a 409 that says how many could be made."""
    _share_networks([nic.network for nic in nics])
    positions = range(first_position, first_position + len(nics))
    ports = _take_ports(instances[0], [(position, nic) for position, nic
                                       in zip(positions, nics, strict=True)
                                       if nic.port is not None])
    if instances[0].node_id is not None:  # no ports there: resolve_nics refuses them
        vifs = _add_baremetal_vifs(instances, nics, first_position, warnings)
    else:
        new = [(position, nic) for position, nic in zip(positions, nics, strict=True)
               if nic.port is None]
        made = iter(_add_virtual_vifs(instances, [nic for _, nic in new],
                                      [position for position, _ in new]))
        vifs = [ports[position] if position in ports else next(made)
                for _ in instances for position in positions]
    nics_of_vifs = list(nics) * len(instances)
    free, kept = None, len(instances)
    if len(instances) > 1:  # how many instances the subnets have addresses for
        ipam.lock_subnets(subnet for nic in nics for subnet in nic.subnets)
        per_instance = Counter(subnet for nic in nics for subnet in nic.subnets
                               if not subnet.address_from_mac)
        free = ipam.FreeAddresses({subnet: count * len(instances)
                                   for subnet, count in per_instance.items()})
        possible = min([free.available(subnet) // count
                        for subnet, count in per_instance.items()], default=len(instances))
        if possible < min_count:
            raise SubnetExhausted(_too_few_addresses(possible, min_count, per_instance, free))
        if possible < len(instances):
            Instance.objects.filter(pk__in=[i.pk for i in instances[possible:]]).delete()
            kept = possible
            vifs, nics_of_vifs = vifs[:kept * len(nics)], nics_of_vifs[:kept * len(nics)]
    _allocate_addresses(vifs, nics_of_vifs, free)
    return [vifs[index * len(nics):(index + 1) * len(nics)] for index in range(kept)]


def _too_few_addresses(possible: int, asked: int, per_instance: Mapping[Subnet, int],
                       free: ipam.FreeAddresses) -> str:
    short = [f"subnet {subnet.cidr} of network {subnet.network.name or subnet.network_id} "
             f"has {free.available(subnet)} free address(es), {count} per instance"
             for subnet, count in per_instance.items() if free.available(subnet) < count * asked]
    return (f"Only {possible} of the {asked} instances asked for could be made: "
            + "; ".join(short))


def _allocate_addresses(vifs: list[VIF], nics: list[ResolvedNic],
                        free: ipam.FreeAddresses | None = None) -> list[VIF]:
    """Each new VIF's addresses, one per subnet of its network (a port has had its own since
    it was made). ``free``: the subnets' lowest free ranges, read by the caller under their
    locks (a bulk launch, which counts the instances they have room for)."""
    nics_vifs = [(vif, nic) for vif, nic in zip(vifs, nics, strict=True) if nic.port is None]
    vifs_new = [vif for vif, _ in nics_vifs]
    nics = [nic for _, nic in nics_vifs]
    if free is None:
        ipam.lock_subnets(subnet for nic in nics for subnet in nic.subnets)
    wanted = [(vif, subnet, nic.requested.get(subnet.pk))
              for vif, nic in zip(vifs_new, nics, strict=True) for subnet in nic.subnets]
    fixed_ips = ipam.record([(vif, subnet, address) for (vif, subnet, _), address
                             in zip(wanted, ipam.take_addresses(wanted, free), strict=True)])
    # The VIFs answer with the rows just written, not read back (three queries, a fifth of
    # a launch's time in bench/end_to_end.py). The rows carry their network and subnet.
    by_vif: dict[int, list[FixedIP]] = {id(vif): [] for vif in vifs_new}
    for fixed_ip in fixed_ips:
        by_vif[id(fixed_ip.vif)].append(fixed_ip)
    for vif in vifs_new:
        vif.addresses = by_vif[id(vif)]
    return vifs


def _take_ports(instance: Instance, wanted: list[tuple[int, ResolvedNic]]) -> dict[int, VIF]:
    """Attach the requested unattached ports to ``instance`` at their positions, under a
    lock on their rows: of two launches asking for one port, the second finds it taken."""
    if not wanted:
        return {}
    ids = sorted(nic.port.pk for _, nic in wanted)
    # Only the port rows are locked (of=self): PostgreSQL locks no row a LEFT JOIN may miss.
    free = {vif.pk: vif for vif in VIF.objects.select_for_update(no_key=True, of=("self",))
            .filter(pk__in=ids, instance__isnull=True).with_addresses().order_by("pk")}
    taken = {}
    for position, nic in wanted:
        vif = free.get(nic.port.pk)
        if vif is None:
            raise PortInUse(f"Port {nic.port.pk} is still in use.")
        vif.instance, vif.position, vif.tag = instance, position, nic.tag
        # Bound now, with its network's type, as a launch binds a NIC it makes.
        vif.vif_type = nic.network.vif_type
        vif.save(update_fields=["instance", "position", "tag", "vif_type"])
        taken[position] = vif
    return taken


def _add_baremetal_vifs(instances: list[Instance], nics: list[ResolvedNic],
                        first_position: int, warnings: list[str]) -> list[VIF]:
    """VIFs whose MACs are their carriers' (Ironic's rule), under their nodes' locks."""
    baremetal.lock_nodes([instance.node for instance in instances])
    free = binding.free_carriers([instance.node for instance in instances])
    bindings = [binding.bind(instance, instance.node,
                             [(nic.network, nic.carrier) for nic in nics], warnings,
                             first_position=first_position, free=free[instance.node_id])
                for instance in instances]

    def build(mac: str, index: int) -> VIF:
        instance = instances[index // len(nics)]
        nic, bound = nics[index % len(nics)], bindings[index // len(nics)][index % len(nics)]
        return VIF(instance=instance, project_id=instance.project_id, network=nic.network,
                   position=first_position + index % len(nics), tag=nic.tag, mac=mac,
                   vif_type="other", vnic_type=VIF.VnicType.BAREMETAL,
                   # Ironic binds a bare-metal port to its node: binding:host_id is the
                   # node's uuid (plug_port_to_tenant_network), not a compute host's name.
                   binding_host=str(instance.node_id), binding_profile=bound.profile or {},
                   port=bound.port, port_group=bound.port_group)

    return macs.insert_all_with_unique_macs(build, VIF, [bound.mac for bindings_of in bindings
                                                         for bound in bindings_of])


def _add_virtual_vifs(instances: list[Instance], nics: list[ResolvedNic],
                      positions: list[int]) -> list[VIF]:
    """The VIFs of ``nics`` (at ``positions``) for each of ``instances``, instance by
    instance."""
    def build(mac: str, index: int) -> VIF:
        instance, nic = instances[index // len(nics)], nics[index % len(nics)]
        # Bound now with the network's type, and kept: see Network.vif_type.
        return VIF(instance=instance, project_id=instance.project_id, network=nic.network,
                   position=positions[index % len(nics)], tag=nic.tag, mac=mac,
                   vif_type=nic.network.vif_type)

    return macs.insert_all_with_unique_macs(build, VIF, [nic.mac for nic in nics] * len(instances),
                                            look_first=len(instances) > 1)


def _share_networks(networks: list[Network]) -> None:
    """Keep the networks from being deleted until this transaction ends, or find that they
    were (a 409). Without it, a network deleted after the checks deadlocked with the launch:
    PostgreSQL checks Django's (deferred) foreign keys at commit, where the launch, holding
    its subnet locks, waited on the delete's network lock while the delete waited on those
    subnets; one of the two failed with a 500.

    PostgreSQL's FOR KEY SHARE, which Django's ORM cannot say: it conflicts only with
    ``delete_network``'s FOR UPDATE, not with other launches. SQLite serialises writers."""
    wanted = {network.pk: network for network in networks}
    if not wanted:
        return
    query = Network.objects.filter(pk__in=wanted).order_by("pk").values_list("pk", flat=True)
    sql, params = query.query.sql_with_params()
    if connection.vendor == "postgresql":
        sql += " FOR KEY SHARE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {Network._meta.pk.to_python(row[0]) for row in cursor.fetchall()}
    for pk, network in wanted.items():
        if pk not in found:
            raise Conflict(f"Network {network.name or pk} was deleted while this request was "
                           "in progress")


def _release_vifs(instance: Instance, vifs: list[VIF], *, keep_ports: bool = True) -> None:
    """Free the VIFs of ``instance``: their addresses, MACs and carriers; bonds a launch
    made for them go too. Their carriers are the instance's node's, changed under its lock.
    Ports made on their own are left unattached instead, with their MAC and addresses,
    unless ``keep_ports`` is false (the port itself is being deleted)."""
    if keep_ports:
        kept = [vif for vif in vifs if vif.preserve_on_delete]
        VIF.objects.filter(pk__in=[vif.pk for vif in kept]).update(
            instance=None, position=None, tag=None)
        vifs = [vif for vif in vifs if not vif.preserve_on_delete]
    if instance.node_id is not None and any(vif.vnic_type == VIF.VnicType.BAREMETAL
                                            for vif in vifs):
        baremetal.lock_node(instance.node)
    fixed_ips = [ip for vif in vifs for ip in vif.fixed_ips.select_related("subnet__network")]
    ipam.lock_subnets(ip.subnet for ip in fixed_ips)
    for fixed_ip in fixed_ips:
        ipam.release(fixed_ip)
    made_for_launch = [vif.port_group_id for vif in vifs if vif.port_group_id is not None]
    for vif in vifs:
        vif.delete()
    # Their ports go back to being standalone ports (Port.port_group is SET_NULL).
    PortGroup.objects.filter(pk__in=made_for_launch, instance__isnull=False).delete()


def _lock_instance(instance: Instance) -> None:
    locked = Instance.objects.select_for_update(no_key=True).filter(pk=instance.pk)
    if not list(locked.values_list("pk", flat=True)):
        raise NotFound(f"Instance {instance.pk} not found")


def _get_vif(instance: Instance, vif_uuid: Any) -> VIF:
    try:
        return instance.vifs.get(uuid=as_uuid(vif_uuid, "interface"))
    except VIF.DoesNotExist:
        raise NotFound(f"Interface {vif_uuid} not found on instance {instance.pk}") from None


def _hostname(text: str, instance_uuid: uuid.UUID, suffix: str = "") -> str:
    """A DNS label from the display name, as Nova's sanitize_hostname makes it, ending in
    ``suffix`` (an instance's number in a bulk launch, kept when a long name is cut)."""
    hostname = re.sub(r"[ _]", "-", text.lower())
    hostname = re.sub(r"[^a-z0-9.-]", "", hostname)[:63 - len(suffix)].strip(".-")
    return (hostname or f"server-{instance_uuid}") + suffix


def _check_limits(*, name: str, hostname: str | None, availability_zone: str | None,
                  key_name: str | None, public_key: str | None, user_data: str | None,
                  config_drive: Any, nics: Sequence[NicRequest]) -> None:
    """The size limits of a launch (:mod:`.limits`), here and not in a face, so that every
    face refuses the same request with the same message."""
    for what, value in (("An instance name", name), ("An instance hostname", hostname),
                        ("An availability zone", availability_zone)):
        limits.check_length(value, limits.NAME, what)
    limits.check_length(key_name, limits.KEYPAIR_NAME, keypairs.KEY_NAME)
    limits.check_length(public_key, limits.PUBLIC_KEY, "A public key")
    if user_data is not None:
        if len(user_data) > limits.USER_DATA:
            # Nova's message (InstanceUserDataTooLarge), for Nova's rule.
            raise InvalidInput(f"User data too large. User data must be no larger than "
                               f"{limits.USER_DATA} bytes once base64 encoded. Your data is "
                               f"{len(user_data)} bytes")
        try:
            base64.b64decode(user_data, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("user_data must be base64-encoded") from None
    if not isinstance(config_drive, bool):
        raise InvalidInput("config_drive must be true or false")
    if not isinstance(nics, Sequence) or isinstance(nics, str):
        raise InvalidInput("nics must be a list of NICs")
    check_nic_count(len(nics))


def check_nic_count(count: int) -> None:
    """A 400 for a launch of more NICs than ``MULTINIC_MAX_NICS_PER_LAUNCH``. Faces may ask
    before they read each NIC (a body of thousands), and get this same message."""
    if count > limits.max_nics():
        raise InvalidInput(f"At most {limits.max_nics()} NICs may be requested in one launch "
                           f"(this asks for {count})")


def _metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidInput("metadata must be an object of string keys and values")
    if len(metadata) > limits.METADATA_ITEMS:
        raise InvalidInput(f"metadata may have at most {limits.METADATA_ITEMS} items "
                           f"(it has {len(metadata)})")
    for key, value in metadata.items():
        if not isinstance(key, str) or not 1 <= len(key) <= limits.METADATA_KEY:
            raise InvalidInput(f"metadata keys must be strings of 1 to {limits.METADATA_KEY} "
                               "characters")
        refuse_nul(key, "A metadata key")
        if not isinstance(value, str) or len(value) > limits.METADATA_VALUE:
            raise InvalidInput(f"metadata value for '{key}' must be a string of at most "
                               f"{limits.METADATA_VALUE} characters")
        refuse_nul(value, f"The metadata value for '{key}'")
    return dict(metadata)
