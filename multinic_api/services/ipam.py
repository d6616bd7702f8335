"""Fixed-IP allocation: which addresses a subnet may hand out, and handing them out.

Design
------
Every allocation must cost the same on a /24, a /8 with a million addresses taken, and an
IPv6 /64. Two designs are ruled out by that: a row per possible address (nova-network's
``fixed_ips``: 16.7 million rows for a /8, 2**64 for a /64) and loading the subnet's
allocations into Python to diff against the pools (Neutron's in-memory ``IPSet``, NetBox
before 4.6.3): both grow with size or fill. A gap search over the allocation table's index
("first address whose successor is not allocated") does not load rows but still walks every
allocation below the first gap, so it grows with fill.

So each subnet keeps a **free-range table** (``FreeRange``): the inclusive runs of addresses
that lie in its allocation pools, are not reserved, and are not allocated. Subnet creation
writes at most a handful of rows (pools minus the reserved addresses). Then:

- next free address: the lowest range (one index probe on ``(subnet, first)``), take its
  first address, shrink or delete the range. A launch does this for all its subnets at once,
  and a bulk launch for all its instances: one statement reads each subnet's lowest ranges,
  one shrinks them;
- a requested address: the range with the greatest ``first <= address`` (one probe); the
  address is free exactly when that range reaches it; split the range around it;
- release: probe the neighbours at ``address - 1`` and ``address + 1`` and merge.

Each is a constant number of B-tree probes, whatever the subnet's size or fill. Addresses
are stored as fixed-width hex keys (``IPKeyField``) so IPv4 and IPv6 order correctly on
SQLite and PostgreSQL alike.

Concurrency: before touching a subnet's ranges a transaction takes a row lock on the subnet
(``SELECT ... FOR NO KEY UPDATE``, which does not block the foreign-key checks of other
inserts), always in subnet-id order, so allocators on one subnet queue and can never
deadlock one another. After the lock, each statement sees everything the previous holder
committed. SQLite has no row locks; its transactions are ``BEGIN IMMEDIATE`` (see
settings), which serialises writers the same way. The final guard is the database's unique
constraint on ``(subnet, address)``: should the ranges ever disagree with the allocations,
the insert fails and the launch rolls back instead of sharing an address (the 409 naming
the address is read after that rollback: :mod:`.transactions`).

SLAAC and DHCPv6-stateless subnets need none of this: the address is the modified EUI-64
of the VIF's MAC (as netaddr computes it), unique because the MAC is, and still guarded by
the same constraint. They keep no free ranges.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import netaddr
from django.db import IntegrityError, connection

from multinic_api.exceptions import Conflict, InvalidInput, IpAddressInUse, SubnetExhausted
from multinic_api.fields import IP_KEY_LENGTH
from multinic_api.models import VIF, FixedIP, FreeRange, Subnet
from multinic_api.services import transactions


def ip_key(address: int | netaddr.IPAddress) -> str:
    """The sortable database key of an address (see ``IPKeyField``)."""
    return format(int(address), f"0{IP_KEY_LENGTH}x")


def key_to_int(key: str) -> int:
    return int(key, 16)


def reserved_addresses(
    network: netaddr.IPNetwork,
    gateway_ip: str | None = None,
    dhcp_server: str | None = None,
) -> dict[netaddr.IPAddress, str]:
    """Addresses of a subnet that are never allocated, each with the reason why."""
    reserved: dict[netaddr.IPAddress, str] = {}
    if network.version == 4:
        if network.prefixlen < 31:  # /31 (RFC 3021) and /32 use every address
            reserved[network.network] = "the network address"
            reserved[network.broadcast] = "the broadcast address"
    else:
        reserved[network.network] = "the subnet-router anycast address"
    if gateway_ip:
        reserved[netaddr.IPAddress(gateway_ip)] = "the gateway"
    if dhcp_server:
        reserved[netaddr.IPAddress(dhcp_server)] = "the DHCP server"
    return reserved


def subnet_reserved_addresses(subnet: Subnet) -> dict[netaddr.IPAddress, str]:
    return reserved_addresses(subnet.ip_network, subnet.gateway_ip, subnet.dhcp_server)


def free_ranges_for_pools(
    pools: Iterable[netaddr.IPRange], reserved: Iterable[netaddr.IPAddress]
) -> list[netaddr.IPRange]:
    """The pools less the reserved addresses, as merged inclusive ranges."""
    available = netaddr.IPSet()
    for pool in pools:
        available.add(pool)
    for address in reserved:
        available.remove(address)
    return list(available.iter_ipranges())


def lock_subnets(subnets: Iterable[Subnet]) -> None:
    """Take the allocation lock of each subnet that keeps free ranges, in id order.

    Must run inside the transaction that then allocates or releases.
    """
    ids = sorted({s.pk for s in subnets if not s.address_from_mac}, key=str)
    if ids:
        locked = Subnet.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        if len(list(locked.values_list("pk", flat=True))) != len(ids):
            raise Conflict("A subnet of this request was deleted meanwhile; try again")


def check_requested_address(subnet: Subnet, value: str) -> netaddr.IPAddress:
    """Validate a client's fixed IP for a subnet: a 400 unless the subnet could hand it out.

    Whether it is still free is decided under the subnet lock, by ``take_addresses``.
    """
    label = _subnet_label(subnet)
    if subnet.address_from_mac:
        raise InvalidInput(
            f"Subnet {label} assigns addresses from the MAC ({subnet.ipv6_address_mode}); "
            "a fixed IP cannot be requested on it"
        )
    address = parse_address(value)
    if address.version != subnet.ip_version or address not in subnet.ip_network:
        raise InvalidInput(f"IP address {address} is not in subnet {label}")
    reason = subnet_reserved_addresses(subnet).get(address)
    if reason:
        raise InvalidInput(f"IP address {address} is {reason} of subnet {label}")
    pools = list(subnet.allocation_pools.all())
    if not any(address in netaddr.IPRange(p.start, p.end) for p in pools):
        listed = ", ".join(f"{p.start}-{p.end}" for p in pools) or "none"
        raise InvalidInput(
            f"IP address {address} is outside the allocation pools of subnet {label} ({listed})"
        )
    return address


def parse_address(value: str) -> netaddr.IPAddress:
    try:
        # INET_PTON: no "10.1" shorthand or other legacy forms a person would not mean.
        return netaddr.IPAddress(str(value).strip(), flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise InvalidInput(f"'{value}' is not an IP address") from None


def take_addresses(
    wanted: Sequence[tuple[VIF, Subnet, netaddr.IPAddress | None]],
    free: "FreeAddresses | None" = None,
) -> list[netaddr.IPAddress]:
    """The address each ``(vif, subnet, requested)`` gets, in the order asked: the requested
    one, the EUI-64 one, or the next free, taken out of the free ranges; ``record`` then
    writes them down. The caller holds ``lock_subnets`` of those subnets and has validated
    each requested address with ``check_requested_address``.

    Requested addresses are taken first, so a request for a subnet's lowest free address
    does not clash with a next-free one of the same launch. The next free addresses of all
    subnets then cost one read and one write together (plus a delete when a range runs
    out), not two round trips per address: see :class:`FreeAddresses`. A caller that has
    already read them (to learn how many a subnet can still give) passes ``free``; it must
    request no address then, as taking one would change the ranges it read.
    """
    taken: dict[int, netaddr.IPAddress] = {}
    next_free: dict[Any, list[int]] = {}  # subnet id -> indexes of ``wanted``, in order
    subnets: dict[Any, Subnet] = {}
    for index, (vif, subnet, requested) in enumerate(wanted):
        if subnet.address_from_mac:
            taken[index] = netaddr.EUI(vif.mac).ipv6(subnet.ip_network.first)
        elif requested is not None:
            if free is not None:
                raise ValueError("requested addresses cannot be taken from ranges read before")
            taken[index] = _take_requested(subnet, requested)
        else:
            next_free.setdefault(subnet.pk, []).append(index)
            subnets[subnet.pk] = subnet
    if next_free:
        counts = {subnets[pk]: len(indexes) for pk, indexes in next_free.items()}
        lowest = (FreeAddresses(counts) if free is None else free).take(counts)
        for pk, indexes in next_free.items():
            taken.update(zip(indexes, lowest[pk], strict=True))
    return [taken[index] for index in range(len(wanted))]


def record(taken: list[tuple[VIF, Subnet, netaddr.IPAddress]]) -> list[FixedIP]:
    """Insert the fixed IPs of addresses from ``take_addresses``, all in one statement (a
    launch's cost per NIC must not include a round trip per address). The unique constraint
    on (subnet, address) is the last guard: if it fires, the caller's
    :func:`.transactions.run_in_transaction` rolls back everything, and the caller gets a 409
    naming the address (:class:`_AddressTaken`)."""
    rows = [FixedIP(vif=vif, subnet=subnet, address=str(address))
            for vif, subnet, address in taken]
    if not rows:
        return []
    try:
        return FixedIP.objects.bulk_create(rows)
    except IntegrityError as error:
        raise _AddressTaken(rows) from error


class _AddressTaken(transactions.ExplainAfterRollback):
    """The insert of ``rows`` met the unique constraint on (subnet, address): the free
    ranges handed out an address that is allocated. Which one is read after the rollback,
    when PostgreSQL answers again; it is never run again, as the ranges would say the same."""

    def __init__(self, rows: list[FixedIP]):
        super().__init__(f"the insert of {len(rows)} fixed IP(s) failed")
        self.rows = rows

    def explain(self, attempt: int) -> None:
        # The failed insert waited for whoever held a clashing address; it is visible now.
        # Should none be held by now (its holder gone since), the batch's first is named.
        held = next((row for row in self.rows if FixedIP.objects.filter(
            subnet=row.subnet, address=row.address).exists()), self.rows[0])
        raise IpAddressInUse(
            f"IP address {held.address} is already allocated on subnet "
            f"{_subnet_label(held.subnet)}"
        ) from None


def release(fixed_ip: FixedIP) -> None:
    """Free an address for reuse. The caller holds the lock of ``fixed_ip.subnet``."""
    subnet = fixed_ip.subnet
    address = netaddr.IPAddress(fixed_ip.address)
    fixed_ip.delete()
    if subnet.address_from_mac or address in subnet_reserved_addresses(subnet):
        return
    if not any(
        address in netaddr.IPRange(p.start, p.end) for p in subnet.allocation_pools.all()
    ):
        return  # the pools changed since it was handed out; it is no longer ours to give
    _return_to_free_ranges(subnet, int(address))


class FreeAddresses:
    """The lowest free ranges of some subnets, read in one statement under their locks:
    how many addresses each can still give (up to the number asked for), and taking them.

    ``count`` addresses lie in at most ``count`` ranges, so one statement reads the lowest
    ``count`` ranges of every subnet (an index probe each, whatever the subnet's size or
    fill); taking them is one ``UPDATE`` shrinking the ranges that are left with addresses,
    and one ``DELETE`` of those used up."""

    def __init__(self, counts: Mapping[Subnet, int]):
        self.ranges = _lowest_free_ranges(counts)

    def available(self, subnet: Subnet) -> int:
        """Free addresses of ``subnet`` in the ranges read: all it has, or at least the
        number asked for."""
        return sum(last - first + 1 for _, first, last in self.ranges.get(subnet.pk, ()))

    def take(self, counts: Mapping[Subnet, int]) -> dict[Any, list[netaddr.IPAddress]]:
        """The ``count`` lowest free addresses of each subnet (by subnet id), taken; at most
        what was read for it."""
        taken: dict[Any, list[netaddr.IPAddress]] = {}
        shrunk: list[tuple[Any, str]] = []  # (range id, its new first)
        used_up: list[Any] = []
        for subnet, count in counts.items():
            addresses: list[int] = []
            for pk, first, last in self.ranges.get(subnet.pk, ()):
                if len(addresses) == count:
                    break
                end = min(last, first + count - len(addresses) - 1)  # the last address taken
                addresses.extend(range(first, end + 1))
                if end == last:
                    used_up.append(pk)
                else:
                    shrunk.append((pk, ip_key(end + 1)))
            if len(addresses) < count:
                raise SubnetExhausted(
                    f"No more IP addresses available on subnet {_subnet_label(subnet)} of "
                    f"network {subnet.network.name or subnet.network_id}"
                )
            taken[subnet.pk] = [netaddr.IPAddress(a, subnet.ip_version) for a in addresses]
        if used_up:
            FreeRange.objects.filter(pk__in=used_up).delete()
        if shrunk:
            _shrink_ranges(shrunk)
        return taken


def _shrink_ranges(new_firsts: list[tuple[Any, str]]) -> None:
    """Set the ``first`` of each range, in one ``UPDATE ... FROM (VALUES ...)``: SQL
    because Django's ``bulk_update`` builds a CASE expression per row, which cost more time
    than the statement takes to run. SQLite (3.33 and later) and PostgreSQL both take this
    form, and both name a VALUES list's columns column1, column2."""
    quote = connection.ops.quote_name
    table = quote(FreeRange._meta.db_table)
    rows = ", ".join(["(%s, %s)"] * len(new_firsts))
    sql = (f"UPDATE {table} SET {quote(FreeRange._meta.get_field('first').column)} = "
           f"new.column2 FROM (VALUES {rows}) AS new "
           f"WHERE {table}.{quote(FreeRange._meta.pk.column)} = new.column1")
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in new_firsts for value in row])


def _lowest_free_ranges(counts: Mapping[Subnet, int]) -> dict[Any, list[tuple[Any, int, int]]]:
    """Per subnet id, its ``count`` lowest free ranges as (id, first, last), in order.

    One statement for all subnets: a ``UNION ALL`` of per-subnet ``ORDER BY first LIMIT n``
    probes on the (subnet, first) index. Written as SQL because Django cannot put LIMIT in
    the parts of a union on SQLite, though SQLite and PostgreSQL both run this form."""
    quote = connection.ops.quote_name
    meta = FreeRange._meta
    subnet_column = meta.get_field("subnet")
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("id", "first", "last"))
    probe = (f"SELECT * FROM (SELECT {quote(subnet_column.column)}, {columns} "
             f"FROM {quote(meta.db_table)} WHERE {quote(subnet_column.column)} = %s "
             f"ORDER BY {quote(meta.get_field('first').column)} LIMIT %s) AS lowest_{{}}")
    sql = " UNION ALL ".join(probe.format(n) for n in range(len(counts)))
    params: list[Any] = []
    for subnet, count in counts.items():
        params += [subnet_column.get_db_prep_value(subnet.pk, connection), count]
    found: dict[Any, list[tuple[Any, int, int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for subnet_id, pk, first, last in cursor.fetchall():
            found.setdefault(Subnet._meta.pk.to_python(subnet_id), []).append(
                (pk, key_to_int(first), key_to_int(last)))
    for rows in found.values():
        rows.sort(key=lambda row: row[1])
    return found


def _take_requested(subnet: Subnet, address: netaddr.IPAddress) -> netaddr.IPAddress:
    wanted = int(address)
    key = ip_key(wanted)
    # Ranges do not overlap, so only the one starting at or before the address can hold it.
    free = FreeRange.objects.filter(subnet=subnet, first__lte=key).order_by("-first").first()
    if free is None or free.last < key:
        raise IpAddressInUse(
            f"IP address {address} is already allocated on subnet {_subnet_label(subnet)}"
        )
    first, last = key_to_int(free.first), key_to_int(free.last)
    if first == last:
        free.delete()
    elif wanted == first:
        free.first = ip_key(wanted + 1)
        free.save(update_fields=["first"])
    elif wanted == last:
        free.last = ip_key(wanted - 1)
        free.save(update_fields=["last"])
    else:
        free.last = ip_key(wanted - 1)
        free.save(update_fields=["last"])
        FreeRange.objects.create(subnet=subnet, first=ip_key(wanted + 1), last=ip_key(last))
    return address


def _return_to_free_ranges(subnet: Subnet, address: int) -> None:
    key = ip_key(address)
    left = FreeRange.objects.filter(subnet=subnet, first__lte=key).order_by("-first").first()
    if left is not None and left.last >= key:
        return  # already free: releasing twice must not create overlapping ranges
    right = FreeRange.objects.filter(subnet=subnet, first=ip_key(address + 1)).first()
    joins_left = left is not None and key_to_int(left.last) == address - 1
    if joins_left and right is not None:
        left.last = right.last
        right.delete()
        left.save(update_fields=["last"])
    elif joins_left:
        left.last = key
        left.save(update_fields=["last"])
    elif right is not None:
        right.first = key
        right.save(update_fields=["first"])
    else:
        FreeRange.objects.create(subnet=subnet, first=key, last=key)


def _subnet_label(subnet: Subnet) -> str:
    return f"{subnet.name} ({subnet.cidr})" if subnet.name else f"{subnet.id} ({subnet.cidr})"
