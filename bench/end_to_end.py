#!/usr/bin/env python
"""Launches through the REST API on PostgreSQL with gunicorn, against the floor.

    python bench/end_to_end.py [--samples N] [--clients N] [--duration S] [--workers N]
                               [--worker-class sync|gthread] [--crash-repeats N]
                               [--profile N] [--json FILE]

Needs ``DATABASE_URL`` pointing at PostgreSQL (``make bench`` starts a throwaway one with
``tools/pgtmp.py``). In one run, on one database:

1. Setup, through the services in this process: ``migrate``, a project, a user with a REST
   framework token, four networks with an IPv4 /16 each. Then ``gunicorn
   multinic_site.wsgi:application`` with ``--workers`` (default two per core) on a free
   loopback port, ``MULTINIC_DEBUG=0``, and the site's database settings (persistent
   connections: ``MULTINIC_DB_CONN_MAX_AGE``, default 60); every worker is warmed up first.
2. Sequential rounds of ``POST /api/instances/`` with 1 NIC and with 4 NICs (one per
   network), of the request floor and of the floor, after a warm-up: p50 and p99 as the
   client sees them. The floor is one psycopg transaction (BEGIN, one INSERT per row,
   COMMIT) writing the rows a launch writes (the instance, its VIFs, their fixed IPs),
   every value computed beforehand; also, for reference, with one multi-row INSERT per
   table. The request floor is ``GET /api/bonding/modes/`` with the same token, server and
   keep-alive connection: an authenticated request that does nothing else (a constant
   table rendered as JSON; checked in this process beforehand to run one query, the token
   lookup), i.e. what the web framework (gunicorn, Django's middleware, DRF, token
   authentication) costs any request before a launch does any work of its own. The 4-NIC
   launch's p50 minus the request floor's is the launch's own cost. Interleaving the
   rounds puts the API, the request floor and the floor under the same moments of a
   shared machine.
3. Concurrency: ``--clients`` threads (16), each with its own keep-alive HTTP connection,
   launch 4-NIC instances for ``--duration`` seconds, all on the same four networks (their
   launches queue on the same subnet locks): VIFs created per second, and the CPU each
   launch cost gunicorn, PostgreSQL and the clients (from /proc). Then again with each
   client on four networks of its own, which tells lock contention from CPU.
4. Bulk launches (``bench/e2e/bulk.py``): one request making 100 4-NIC instances
   (``--bulk-samples`` times, p50) and one making 1,000 (``--bulk-large-runs`` times), through
   Nova's ``POST /servers`` with ``min_count``/``max_count``, as the CLI's ``--min``/``--max``.
5. With ``--crash-repeats N``: N times, SIGKILL the whole server (master and workers) while
   client threads launch 1- to 4-NIC instances, restart it, and require the first launch to
   succeed; then check the invariants (no VIF without its instance, no IP without its VIF,
   every instance with the NICs it asked for and every VIF with its addresses, no MAC or IP
   twice, every subnet's free ranges and allocations partitioning its pools).
6. Where the time goes: the 4-NIC launch in this process through Django's WSGI handler
   (the full middleware stack, no HTTP), exclusive time per phase and the queries each
   phase runs: the phases the code marks (``multinic_api.phases``), and the framework's
   through their public methods; as configured and, for
   comparison, with a new database connection per request (``CONN_MAX_AGE=0``).

Targets (``bench/e2e/report.py``), on two cores with PostgreSQL's durability on: a 4-NIC
launch p50 <= 6 ms and p99 <= 12 ms; the request floor p50 <= 1.5 ms; at least 1,200 VIFs/s
with 16 clients; at most 6 ms of CPU per 4-NIC launch (server, database and client). The
raw-SQL floor has none: it is the physical reference the launch is read against.
"""

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "multinic_site.settings")

# Run as a script, the repository is on the path only from here on.
from bench.e2e.bulk import bulk_launches  # noqa: E402
from bench.e2e.client import REQUEST_FLOOR_PATH  # noqa: E402
from bench.e2e.cpu import CpuMeter  # noqa: E402
from bench.e2e.crash import crash_repeats  # noqa: E402
from bench.e2e.fixture import NETWORKS, Fixture, setup  # noqa: E402
from bench.e2e.floor import FloorRunner  # noqa: E402
from bench.e2e.launches import concurrent, sequential  # noqa: E402
from bench.e2e.phases import profile, request_floor_queries  # noqa: E402
from bench.e2e.production import setup_django  # noqa: E402
from bench.e2e.report import print_report, summary_rows  # noqa: E402
from bench.e2e.stats import cores, latency_stats, load_average  # noqa: E402
from support.gunicorn import GunicornServer  # noqa: E402


def _serve(server: GunicornServer, fixture: Fixture, args, result: dict,
           floor: FloorRunner) -> None:
    """Start the server, warm every worker, then the sequential (with the floor) and
    concurrent runs, into ``result``."""
    with tqdm(total=1, desc="start gunicorn", unit="server", leave=False) as bar:
        server.start()
        bar.update(1)
    # Every worker loads its code on its first requests: warm them all up.
    concurrent(server.port, fixture, clients=args.workers * 2, duration=0.5)
    with tqdm(total=args.warmup + args.samples,
              desc="sequential launches, request floor and floor", unit="round") as bar:
        seq, floor_timings, request_timings = sequential(server.port, fixture, args.samples,
                                                         args.warmup, bar, floor=floor)
    result["sequential"] = {k: latency_stats(v) for k, v in seq.items()}
    result["floor"] = {k: latency_stats(v) for k, v in floor_timings.items()}
    result["request_floor"].update(latency_stats(request_timings))
    meter = CpuMeter(server.process.pid)
    for key, own in (("concurrent", False), ("concurrent_own", True)):
        what = "networks of their own" if own else "the same networks"
        with tqdm(desc=f"{args.clients} clients on {what}, {args.duration:g} s",
                  unit="VIF") as bar:
            result[key] = concurrent(server.port, fixture, args.clients, args.duration,
                                     bar=bar, own_networks=own, meter=meter).as_dict()
    if args.bulk_samples:
        with tqdm(total=2 + args.bulk_samples + args.bulk_large_runs,
                  desc="bulk launches (100 and 1,000 instances)", unit="request") as bar:
            result["bulk"] = bulk_launches(server.port, fixture, args.bulk_samples,
                                           args.bulk_large_runs, bar=bar)


def run(args, database_url: str | None = None) -> dict:
    """Every part but printing; ``database_url`` (default: ``DATABASE_URL``) must be the
    database Django is configured with, for gunicorn and the floor to use."""
    from django.db import connection

    database_url = database_url or os.environ["DATABASE_URL"]
    if connection.vendor != "postgresql":
        raise SystemExit("end_to_end.py needs DATABASE_URL pointing at PostgreSQL")
    fixture = setup()
    result: dict = {"cores": cores(), "load_before": load_average(), "workers": args.workers,
                    "worker_class": args.worker_class, "samples": args.samples,
                    "warmup": args.warmup,
                    "conn_max_age": connection.settings_dict["CONN_MAX_AGE"]}
    result["request_floor"] = {"path": REQUEST_FLOOR_PATH,
                               "queries": request_floor_queries(fixture.token)}
    floor = FloorRunner(database_url, fixture, args.warmup + args.samples)
    # Without an access log: a write per request is no part of what a launch costs.
    server = GunicornServer(args.workers, threads=args.threads if args.worker_class == "gthread"
                            else 1, database_url=database_url,
                            worker_class=args.worker_class, access_log=False)
    connection.close()
    try:
        _serve(server, fixture, args, result, floor)
        if args.crash_repeats:
            with tqdm(total=args.crash_repeats, desc="SIGKILL and restart", unit="kill") as bar:
                crash = crash_repeats(server, fixture, args.crash_repeats, bar=bar)
            result["crash"] = {
                "kills": crash.kills, "launched": crash.launched, "cut": crash.cut,
                "cut_committed": crash.cut_committed,
                "refused": crash.refused, "statuses": dict(crash.statuses),
                "first_after_restart_ok": crash.first_after_restart_ok,
                "restart_p50_s": statistics.median(crash.restart_seconds),
                "violations": crash.violations,
            }
    finally:
        server.stop()
        server.remove_files()
        floor.close()
    result["ratio_to_floor"] = (result["sequential"][str(NETWORKS)]["p50_ms"]
                                / result["floor"][str(NETWORKS)]["p50_ms"])
    result["load_after"] = load_average()
    if args.profile:
        with tqdm(total=args.profile * 2 + min(10, args.profile), desc="profile (in-process)",
                  unit="launch") as bar:
            result["profile"] = profile(fixture, args.profile, warmup=min(10, args.profile),
                                        bar=bar)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300,
                        help="timed sequential launches of each size (and floor rounds)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15.0,
                        help="seconds of concurrent launching")
    parser.add_argument("--workers", type=int, default=2 * cores(),
                        help="gunicorn workers (default: two per core)")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--crash-repeats", type=int, default=0,
                        help="SIGKILL the server this many times during launches")
    parser.add_argument("--bulk-samples", type=int, default=20,
                        help="timed requests launching 100 4-NIC instances each (0: skip bulk)")
    parser.add_argument("--bulk-large-runs", type=int, default=3,
                        help="timed requests launching 1,000 4-NIC instances each")
    parser.add_argument("--profile", type=int, default=100,
                        help="in-process launches timed per phase (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    setup_django()
    result = run(args)
    print_report(result)
    rows = summary_rows(result)
    if args.json:
        args.json.write_text(json.dumps({"result": result, "rows": rows}, indent=1))
    return 0 if all(row.get("ok", True) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
