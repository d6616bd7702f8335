#!/usr/bin/env python
"""Time per VIF allocation against subnet size and fill, on the configured database.

    python bench/allocation.py [--allocations N] [--scale F] [--json FILE]

Runs on ``DATABASE_URL`` (PostgreSQL) or, without it, on a throwaway SQLite file; ``make
bench`` runs both. Each case builds a subnet, fills it with bulk inserts (``bulk_create``
of VIFs, fixed IPs and the matching free ranges, not through the allocator), then times
``attach_interface`` (a fresh MAC, the subnet lock, the next free address, one commit) N
times per case, round-robin across the cases, and prints a table with each case's ratio to
the empty /24. The target is a ratio of at most 1.2 everywhere: the cost of an allocation
must not grow with size or fill.

Filled addresses leave every tenth address free, so the free-range table of a filled subnet
holds one row per hole (about fill/9 rows), as a long-lived subnet with churn would.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "multinic_site.settings")

BATCH = 10_000
VIFS_PER_FILLER_INSTANCE = 1_000
# Filler VIFs use their own locally administered prefix: with a million VIFs under
# fa:16:3e, 6% of fresh draws would collide, and MAC retries are not what this measures.
FILLER_MAC_PREFIX = 0x0E0000000000


@dataclass
class Case:
    cidr: str
    taken: int
    ipv6_address_mode: str | None = None

    @property
    def label(self) -> str:
        version = "IPv6" if ":" in self.cidr else "IPv4"
        fill = f"{self.taken:,} taken" if self.taken else "empty"
        return f"{version} /{self.cidr.split('/')[1]}, {fill}"


CASES = [
    Case("10.0.0.0/24", 0),
    Case("10.1.0.0/16", 50_000),
    Case("11.0.0.0/8", 1_000_000),
    Case("2001:db8::/64", 50_000, "dhcpv6-stateful"),
]


def progress(message: str) -> None:
    tqdm.write(message, file=sys.stderr)


def fill(subnet, project, taken: int) -> int:
    """Mark ``taken`` addresses of the subnet's pool as allocated, leaving every tenth
    address free, with bulk inserts. Returns the number of free-range rows written."""
    import netaddr

    from multinic_api.models import VIF, FixedIP, FreeRange, Instance
    from multinic_api.services import ipam

    if taken == 0:
        return FreeRange.objects.filter(subnet=subnet).count()
    (free,) = FreeRange.objects.filter(subnet=subnet)
    first, last = ipam.key_to_int(free.first), ipam.key_to_int(free.last)
    span = taken + taken // 9  # addresses covered by the filled part, holes included
    if first + span > last:
        raise ValueError(f"{subnet.cidr} cannot hold {taken} allocations")

    def taken_addresses():
        for offset in range(span + 1):
            if offset % 10 != 9:
                yield first + offset

    addresses = islice(taken_addresses(), taken)
    done = 0
    vif_base = VIF.objects.count()
    bar = tqdm(total=taken, desc=f"fill {subnet.cidr}", unit="row", unit_scale=True,
               leave=False)
    while done < taken:
        chunk = list(islice(addresses, BATCH))
        owners = {}
        vifs = []
        for n in range(done, done + len(chunk)):
            owner_index = n // VIFS_PER_FILLER_INSTANCE
            if owner_index not in owners:
                owners[owner_index] = Instance(name=f"filler-{subnet.id}-{owner_index}",
                                               hostname="filler", project=project)
            vifs.append(VIF(
                uuid=uuid.uuid4(), network=subnet.network, instance=owners[owner_index],
                project=project,
                position=n % VIFS_PER_FILLER_INSTANCE,
                mac=str(netaddr.EUI(FILLER_MAC_PREFIX + vif_base + n,
                                    dialect=netaddr.mac_unix_expanded)),
            ))
        # BATCH is a multiple of VIFS_PER_FILLER_INSTANCE: every chunk has its own owners.
        Instance.objects.bulk_create(owners.values())
        VIF.objects.bulk_create(vifs)
        FixedIP.objects.bulk_create(
            FixedIP(vif=vif, subnet=subnet, address=str(netaddr.IPAddress(a, subnet.ip_version)))
            for vif, a in zip(vifs, chunk, strict=True)
        )
        done += len(chunk)
        bar.update(len(chunk))
    bar.close()

    top = first + span  # the filled part ends here; everything above stays free
    holes = [first + offset for offset in range(9, span, 10)]
    rows = [FreeRange(subnet=subnet, first=ipam.ip_key(a), last=ipam.ip_key(a)) for a in holes]
    free.delete()
    FreeRange.objects.bulk_create(rows, batch_size=BATCH)
    if top <= last:
        FreeRange.objects.create(subnet=subnet, first=ipam.ip_key(top), last=ipam.ip_key(last))
    return len(rows) + (top <= last)


def time_allocations(subnets_by_case: list, project, count: int) -> list[list[float]]:
    """Time ``count`` allocations per subnet, round-robin across the subnets, so that
    whatever else the machine does (a checkpoint, an fsync stall) lands on every case alike
    instead of on whichever case happened to be running."""
    from multinic_api.services import instances, limits
    from multinic_api.services.instances import NicRequest

    def holder(index: int):
        """Case ``index``'s instance to attach to: a new one (made here, so outside any
        timing) once the current one holds limits.max_nics() NICs, the most it may have."""
        if attached[index] == limits.max_nics():
            holders[index] = instances.launch_instance(
                project=project, name=f"bench-{subnets_by_case[index].cidr}", nics=[])
            attached[index] = 0
        attached[index] += 1
        return holders[index]

    nics = [NicRequest(subnet.network_id) for subnet in subnets_by_case]
    holders: list = [None] * len(nics)
    attached = [limits.max_nics()] * len(nics)  # none yet: the first call makes one
    timings: list[list[float]] = [[] for _ in nics]
    for index, nic in enumerate(nics):
        for _ in range(5):  # warm caches and connections; not counted
            instances.attach_interface(holder(index), nic)
    for _ in tqdm(range(count), desc="timed allocations", unit="round", leave=False):
        for index, nic in enumerate(nics):
            instance = holder(index)
            start = time.perf_counter()
            instances.attach_interface(instance, nic)
            timings[index].append(time.perf_counter() - start)
    return timings


def run(cases: list[Case], allocations: int) -> list[dict]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from multinic_api.models import Project
    from multinic_api.services import subnets

    call_command("migrate", verbosity=0)
    project, _ = Project.objects.get_or_create(name=f"bench-{uuid.uuid4().hex[:8]}")
    built = []
    for case in cases:
        progress(f"{connection.vendor}: {case.label}")
        with transaction.atomic():
            network = subnets.create_network(project, f"bench {case.label}")
            subnet = subnets.create_subnet(network, case.cidr, gateway_ip=None,
                                           ipv6_address_mode=case.ipv6_address_mode)
            built.append((case, subnet, fill(subnet, project, case.taken)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings = time_allocations([subnet for _, subnet, _ in built], project, allocations)
    results = []
    for (case, subnet, ranges), case_timings in zip(built, timings, strict=True):
        results.append({
            "backend": connection.vendor,
            "case": case.label,
            "taken": case.taken,
            "free_ranges": ranges,
            "median_ms": statistics.median(case_timings) * 1000,
            "p90_ms": statistics.quantiles(case_timings, n=10)[-1] * 1000,
            "subnet": subnet,
        })
    base = results[0]["median_ms"]
    for row in results:
        row["ratio"] = row["median_ms"] / base
    return results


def print_table(results: list[dict], allocations: int) -> None:
    header = (f"{'backend':<10} {'case':<26} {'free ranges':>11} "
              f"{'median ms':>9} {'p90 ms':>8} {'ratio':>6}")
    print(f"\nTime per VIF allocation ({allocations} allocations per case; ratio = median / "
          "median of the empty /24; target <= 1.2)")
    print(header)
    print("-" * len(header))
    for row in results:
        print(f"{row['backend']:<10} {row['case']:<26} "
              f"{row['free_ranges']:>11,} {row['median_ms']:>9.3f} {row['p90_ms']:>8.3f} "
              f"{row['ratio']:>6.2f}")


TARGET_RATIO = 1.2


def summary_rows(results: list[dict]) -> list[dict]:
    """The rows this benchmark adds to the combined table (see bench/report.py)."""
    return [{"benchmark": f"allocation ({row['backend']})",
             "measure": f"{row['case']}: median per VIF allocation",
             "value": f"{row['median_ms']:.3f} ms, ratio {row['ratio']:.2f}",
             "target": f"ratio <= {TARGET_RATIO:g}", "ok": row["ratio"] <= TARGET_RATIO}
            for row in results]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allocations", type=int, default=200,
                        help="timed allocations per case (an empty /24 holds 254)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every fill by this (e.g. 0.01 for a quick look)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.mkdtemp(prefix="multinic-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    import django

    django.setup()
    cases = [Case(c.cidr, int(c.taken * args.scale), c.ipv6_address_mode) for c in CASES]
    results = run(cases, args.allocations)
    print_table(results, args.allocations)
    worst = max(row["ratio"] for row in results)
    print(f"worst ratio: {worst:.2f} "
          f"({'meets' if worst <= TARGET_RATIO else 'MISSES'} the {TARGET_RATIO:g} target)")
    if args.json:
        plain = [{k: v for k, v in row.items() if k != "subnet"} for row in results]
        args.json.write_text(json.dumps({"results": plain, "rows": summary_rows(results)},
                                        indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
