"""What must hold of the database after any launch, race or crash, each check returning the
problems it found as sentences (none: it holds). The tests assert that the list is empty
(``tests/harness/helpers.py``); the end-to-end benchmark reports it after killing the server
mid-launch. One place, so that a test and the benchmark cannot mean different things by
"consistent".

Rows are read as they are in the database (outer joins in SQL for orphans, whatever the ORM
or the constraints would let happen); nothing here goes through the services it checks.
"""

import bisect
from collections.abc import Iterable, Mapping, Sequence

import netaddr
from django.db import connection
from django.db.models import Count

from multinic_api.models import VIF, FixedIP, FreeRange, Instance, Subnet
from multinic_api.services import ipam


def subnet_problems(subnet: Subnet) -> list[str]:
    """The subnet's free ranges and allocated addresses partition its pools less its reserved
    addresses: no free range overlaps another or leaves the pools, no address is allocated
    twice, reserved, outside the pools or also free, and together they account for every
    allocatable address."""
    pools = [netaddr.IPRange(p.start, p.end) for p in subnet.allocation_pools.all()]
    reserved_addresses = ipam.subnet_reserved_addresses(subnet)
    reserved = {int(address) for address in reserved_addresses}
    allowed = [(r.first, r.last) for r in ipam.free_ranges_for_pools(pools, reserved_addresses)]
    free = sorted((ipam.key_to_int(first), ipam.key_to_int(last)) for first, last in
                  FreeRange.objects.filter(subnet=subnet).values_list("first", "last"))
    taken = sorted(int(netaddr.IPAddress(a)) for a in
                   FixedIP.objects.filter(subnet=subnet).values_list("address", flat=True))
    label = f"subnet {subnet.cidr}"
    problems = []
    if any(a[1] >= b[0] for a, b in zip(free, free[1:], strict=False)):
        problems.append(f"{label}: free ranges overlap")
    if any(not any(lo <= f and l_ <= hi for lo, hi in allowed) for f, l_ in free):
        problems.append(f"{label}: a free range outside the pools")
    if len(taken) != len(set(taken)):
        problems.append(f"{label}: an address is allocated twice")
    if any(a in reserved for a in taken):
        problems.append(f"{label}: a reserved address is allocated")
    if not all(a in reserved or any(lo <= a <= hi for lo, hi in allowed) for a in taken):
        problems.append(f"{label}: an address outside the pools is allocated")
    starts = [f for f, _ in free]
    inside = [a for a in taken if (i := bisect.bisect_right(starts, a) - 1) >= 0
              and free[i][0] <= a <= free[i][1]]
    if inside:
        problems.append(f"{label}: {len(inside)} allocated addresses are also free")
    size = sum(hi - lo + 1 for lo, hi in allowed)
    accounted = sum(hi - lo + 1 for lo, hi in free) + len(taken)
    if accounted != size:
        problems.append(f"{label}: free + allocated = {accounted}, pools hold {size}")
    return problems


def orphan_problems() -> list[str]:
    """No VIF without its instance, no fixed IP without its VIF."""
    vif, instance, fixed_ip = VIF._meta, Instance._meta, FixedIP._meta
    checks = {
        "VIFs without an instance": (
            f"SELECT count(*) FROM {vif.db_table} v LEFT JOIN {instance.db_table} i "
            f"ON i.{instance.pk.column} = v.{vif.get_field('instance').column} "
            f"WHERE i.{instance.pk.column} IS NULL"),
        "fixed IPs without a VIF": (
            f"SELECT count(*) FROM {fixed_ip.db_table} f LEFT JOIN {vif.db_table} v "
            f"ON v.{vif.pk.column} = f.{fixed_ip.get_field('vif').column} "
            f"WHERE v.{vif.pk.column} IS NULL"),
    }
    problems = []
    with connection.cursor() as cursor:
        for what, sql in checks.items():
            cursor.execute(sql)
            (count,) = cursor.fetchone()
            if count:
                problems.append(f"{count} {what}")
    return problems


def uniqueness_problems() -> list[str]:
    """No MAC on two VIFs, no address twice on one subnet."""
    problems = []
    for column, keys in (("mac", ["mac"]), ("address", ["subnet_id", "address"])):
        model = VIF if column == "mac" else FixedIP
        twice = model.objects.values(*keys).annotate(n=Count("pk")).filter(n__gt=1).count()
        if twice:
            problems.append(f"{twice} {column}s held twice")
    return problems


def address_count_problems() -> list[str]:
    """Every VIF holds as many addresses as its network has subnets."""
    subnet_counts = dict(Subnet.objects.values("network_id").annotate(n=Count("id"))
                         .values_list("network_id", "n"))
    short = [(vif, n) for vif, net, n in VIF.objects.annotate(n=Count("fixed_ips"))
             .values_list("pk", "network_id", "n") if n != subnet_counts.get(net, 0)]
    if short:
        return [f"{len(short)} VIFs without one address per subnet, e.g. {short[:3]}"]
    return []


def nic_count_problems(name_prefix: str) -> list[str]:
    """Every instance named ``<name_prefix><n>-...`` has exactly n VIFs (a launcher that puts
    the NIC count it asked for in the name can check the launch kept it)."""
    counted = (Instance.objects.filter(name__startswith=name_prefix)
               .annotate(nics=Count("vifs")).values_list("name", "nics"))
    wrong = [(name, nics) for name, nics in counted
             if int(name[len(name_prefix):].split("-", 1)[0]) != nics]
    if wrong:
        return [f"{len(wrong)} instances without the NICs they asked for, e.g. {wrong[:3]}"]
    return []


def instance_problems(expected_nics: Mapping[str, Sequence]) -> list[str]:
    """Every instance is one somebody launched (``expected_nics``: launch name -> network
    ids in NIC order) and has the VIFs it asked for: at positions 0..n-1 on those networks,
    each with exactly one address on every subnet of its network."""
    problems = []
    subnet_ids: dict = {}
    for instance in Instance.objects.prefetch_related("vifs__fixed_ips", "vifs__network__subnets"):
        if instance.name not in expected_nics:
            problems.append(f"{instance.name}: nobody launched it")
            continue
        vifs = sorted(instance.vifs.all(), key=lambda v: v.position)
        wanted_networks = [str(n) for n in expected_nics[instance.name]]
        if [v.position for v in vifs] != list(range(len(wanted_networks))):
            problems.append(f"{instance.name} has {len(vifs)} VIFs, asked for "
                            f"{len(wanted_networks)}")
            continue
        if [str(v.network_id) for v in vifs] != wanted_networks:
            problems.append(f"{instance.name}: VIFs on other networks than asked")
        for vif in vifs:
            wanted = subnet_ids.setdefault(
                vif.network_id, sorted(str(s.pk) for s in vif.network.subnets.all()))
            held = sorted(str(ip.subnet_id) for ip in vif.fixed_ips.all())
            if held != wanted:
                problems.append(f"{instance.name} eth{vif.position}: addresses on {held}")
    return problems


def check_invariants(name_prefix: str = "", networks: Iterable | None = None) -> list[str]:
    """Everything above that holds whatever was launched: rows across the whole database,
    free ranges on the subnets of ``networks`` (default: every subnet; subnets that take
    addresses from MACs have no pool to check) and, with ``name_prefix``, the NIC counts
    the names ask for."""
    problems = orphan_problems()
    if name_prefix:
        problems += nic_count_problems(name_prefix)
    problems += address_count_problems()
    problems += uniqueness_problems()
    checked = Subnet.objects.prefetch_related("allocation_pools")
    if networks is not None:
        checked = checked.filter(network_id__in=networks)
    for subnet in checked:
        if not subnet.address_from_mac:
            problems += subnet_problems(subnet)
    return problems
