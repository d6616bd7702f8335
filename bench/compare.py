#!/usr/bin/env python
"""Two versions of the site side by side: which one launches faster, measured in pairs.

    python bench/compare.py BEFORE AFTER [--rounds N] [--clients N] [--duration S]
                            [--workers N] [--json FILE]

BEFORE and AFTER are git revisions (``main``, ``HEAD~3``, a branch), or ``.`` for this
working tree as it is. Needs ``DATABASE_URL`` pointing at PostgreSQL, like
``bench/end_to_end.py`` (``tools/pgtmp.py --durable -- python bench/compare.py ...``).

Why in pairs: a shared machine's speed drifts by a quarter over minutes, more than most
changes are worth, so two runs of ``end_to_end.py`` minutes apart cannot tell a change from
the drift. Here both versions serve at once, each its own gunicorn (same workers, same
settings, one database), and every round sends a 4-NIC launch and the request floor to one
and then the other (their order swapping each round), so both see the same moments of the
machine. The concurrent runs go BEFORE, AFTER, AFTER, BEFORE, and each side's two are
averaged. A revision is checked out into a temporary git worktree, removed afterwards.

The two versions share the database, so they must agree on its schema: the comparison is
refused when their migrations differ.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "multinic_site.settings")

from bench.e2e.client import REQUEST_FLOOR_PATH, ApiClient  # noqa: E402
from bench.e2e.fixture import NETWORKS, setup  # noqa: E402
from bench.e2e.launches import concurrent  # noqa: E402
from bench.e2e.production import setup_django  # noqa: E402
from bench.e2e.stats import cores, latency_stats, load_average  # noqa: E402
from support.gunicorn import GunicornServer  # noqa: E402

#: What this tree is called on the command line: the working tree as it is.
WORKING_TREE = "."


@contextmanager
def checked_out(revision: str, into: Path) -> Iterator[Path]:
    """The tree of ``revision``: this working tree for ``.``, else a temporary worktree."""
    if revision == WORKING_TREE:
        yield ROOT
        return
    tree = into / revision.replace("/", "_").replace("~", "_")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--quiet", "--detach",
                    str(tree), revision], check=True, capture_output=True, text=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False, capture_output=True)


def migrations(tree: Path) -> set[str]:
    """The migration files of every app in ``tree``, relative to it."""
    return {str(path.relative_to(tree)) for path in tree.glob("*/migrations/0*.py")}


def _serves_its_own_code(tree: Path) -> None:
    """A server started in ``tree`` imports that tree's code, not the installed one's."""
    found = subprocess.run([sys.executable, "-c", "import multinic_api; "
                            "print(multinic_api.__file__)"], cwd=tree, check=True,
                           capture_output=True, text=True).stdout.strip()
    if not Path(found).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"{tree} would serve {found}, not its own code")


def _sequential(servers: list[GunicornServer], token: str, networks: list[str], rounds: int,
                warmup: int, bar: tqdm | None) -> tuple[list[list[float]], list[list[float]]]:
    clients = [ApiClient(server.port, token) for server in servers]
    launches: list[list[float]] = [[] for _ in servers]
    floors: list[list[float]] = [[] for _ in servers]
    try:
        for number in range(warmup + rounds):
            order = range(len(servers)) if number % 2 == 0 else reversed(range(len(servers)))
            for side in order:
                start = time.perf_counter()
                status, body = clients[side].launch(f"compare-{side}-{number}", networks)
                launched = time.perf_counter() - start
                if status != 201:
                    raise RuntimeError(f"side {side} answered {status}: {body[:300]!r}")
                start = time.perf_counter()
                status, body = clients[side].get(REQUEST_FLOOR_PATH)
                floor = time.perf_counter() - start
                if status != 200:
                    raise RuntimeError(f"side {side} answered {status} to the floor")
                if number >= warmup:
                    launches[side].append(launched)
                    floors[side].append(floor)
            if bar is not None:
                bar.update(1)
    finally:
        for client in clients:
            client.close()
    return launches, floors


def run(args, database_url: str | None = None) -> dict:
    """Both versions served, measured in pairs; ``database_url`` (default: ``DATABASE_URL``)
    must be the database Django is configured with."""
    from django.db import connection

    database_url = database_url or os.environ["DATABASE_URL"]
    if connection.vendor != "postgresql":
        raise SystemExit("compare.py needs DATABASE_URL pointing at PostgreSQL")
    revisions = [args.before, args.after]
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="compare-")))
        trees = [stack.enter_context(checked_out(revision, scratch / str(side)))
                 for side, revision in enumerate(revisions)]
        if migrations(trees[0]) != migrations(trees[1]):
            raise SystemExit(f"{args.before} and {args.after} have different migrations; "
                             "they cannot share one database")
        for tree in trees:
            _serves_its_own_code(tree)
        fixture = setup()
        servers = [GunicornServer(args.workers, database_url=database_url, access_log=False,
                                  worker_class="sync", root=tree) for tree in trees]
        connection.close()
        result: dict = {"before": args.before, "after": args.after, "cores": cores(),
                        "workers": args.workers, "rounds": args.rounds,
                        "load_before": load_average()}
        try:
            for server in servers:
                server.start()
                stack.callback(server.remove_files)
                stack.callback(server.stop)
            for server in servers:  # every worker loads its code on its first requests
                concurrent(server.port, fixture, clients=args.workers * 2, duration=0.5)
            with tqdm(total=args.warmup + args.rounds, desc="rounds, in pairs",
                      unit="round") as bar:
                launches, floors = _sequential(servers, fixture.token,
                                               fixture.networks[:NETWORKS], args.rounds,
                                               args.warmup, bar)
            vifs: list[list[float]] = [[] for _ in servers]
            if args.duration:
                for side in (0, 1, 1, 0):
                    with tqdm(desc=f"{args.clients} clients on {revisions[side]}",
                              unit="VIF") as bar:
                        vifs[side].append(concurrent(servers[side].port, fixture, args.clients,
                                                     args.duration, bar=bar).vifs_per_second)
        finally:
            stack.close()
    result["sides"] = [{"revision": revision, "launch": latency_stats(launches[side]),
                        "floor": latency_stats(floors[side]),
                        "vifs_per_second": statistics.fmean(vifs[side]) if vifs[side] else None}
                       for side, revision in enumerate(revisions)]
    result["load_after"] = load_average()
    return result


def print_report(result: dict) -> None:
    before, after = result["sides"]
    print(f"\n{before['revision']} against {after['revision']}, served side by side "
          f"({result['workers']} sync workers each, {result['cores']} cores, "
          f"{result['rounds']} rounds in pairs; load average {result['load_before']:.1f} "
          f"before, {result['load_after']:.1f} after)")
    print(f"| measure | {before['revision']} | {after['revision']} | change |")
    print("|---|---|---|---|")
    rows = [(f"{NETWORKS}-NIC launch, p50 ms", before["launch"]["p50_ms"],
             after["launch"]["p50_ms"]),
            (f"{NETWORKS}-NIC launch, p99 ms", before["launch"]["p99_ms"],
             after["launch"]["p99_ms"]),
            ("request floor, p50 ms", before["floor"]["p50_ms"], after["floor"]["p50_ms"])]
    if before["vifs_per_second"] is not None:
        rows.append(("VIFs/s, concurrent (mean of two runs each)", before["vifs_per_second"],
                     after["vifs_per_second"]))
    for label, old, new in rows:
        print(f"| {label} | {old:.2f} | {new:.2f} | {(new - old) / old:+.1%} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="a git revision, or . for this working tree")
    parser.add_argument("after", help="a git revision, or . for this working tree")
    parser.add_argument("--rounds", type=int, default=300, help="timed rounds in pairs")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of each of the four concurrent runs (0: none)")
    parser.add_argument("--workers", type=int, default=2 * cores(),
                        help="gunicorn workers per side (default: two per core)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    setup_django()
    result = run(args)
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
