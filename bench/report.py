#!/usr/bin/env python
"""Every benchmark, then one table of every figure against its target.

    python bench/report.py [--quick] [--crash-repeats N]

``make bench`` runs this under ``tools/pgtmp.py --durable`` (a throwaway PostgreSQL in
``DATABASE_URL``, with production's durability: fsync, synchronous_commit and
full_page_writes on, as the table's header shows). Each benchmark runs in a process of
its own, since each needs its own Django database settings, prints its own section, shows
its progress bars on stderr and hands its figures back as JSON:

1. ``render.py``: guest rendering (no database);
2. ``end_to_end.py``: launches through the REST API on gunicorn and PostgreSQL, the floor
   (the same rows in raw SQL), the request floor (an authenticated request that does
   nothing else: the framework's own cost), where the time goes, and
   (``--crash-repeats``) SIGKILLs of the server mid-launch;
3. ``allocation.py`` on a throwaway SQLite file;
4. ``allocation.py`` on PostgreSQL.

On PostgreSQL, end_to_end and allocation each get a fresh database of their own on the
server (``bench_end_to_end`` and ``bench_allocation``, dropped first if they exist), so
neither measures the other's leftovers. Without a PostgreSQL ``DATABASE_URL``
only the first and third run, and the table says what was skipped.

The exit status is 0 when every target is met.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
PY = sys.executable


def fresh_database(url: str, name: str) -> str:
    """Create (or re-create) database ``name`` on the server of ``url``; its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


#: The settings that decide what a commit costs; the table's header prints them, since a
#: figure measured with them off is not one production will see.
DURABILITY = ("fsync", "synchronous_commit", "full_page_writes")


def postgres_description(url: str) -> str:
    """``PostgreSQL 15.x (fsync on, synchronous_commit on, full_page_writes on)``."""
    import psycopg

    with psycopg.connect(url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0].split()[0]
        settings = [f"{name} {connection.execute(f'SHOW {name}').fetchone()[0]}"
                    for name in DURABILITY]
    return f"PostgreSQL {version} ({', '.join(settings)})"


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("postgres", "postgresql", "pgsql")


def stages(args, database_url: str | None) -> list[tuple[str, list[str], dict | None]]:
    """(title, command, extra environment or None to drop DATABASE_URL)."""
    quick = args.quick
    result = [("guest rendering", [PY, str(HERE / "render.py"),
                                   "--calls", "50" if quick else "500"], {})]
    if is_postgres(database_url):
        e2e = [PY, str(HERE / "end_to_end.py"), "--crash-repeats", str(args.crash_repeats)]
        if quick:
            e2e += ["--samples", "40", "--duration", "3", "--profile", "20",
                    "--bulk-samples", "3", "--bulk-large-runs", "1"]
        result.append(("end-to-end on PostgreSQL with gunicorn", e2e,
                       {"DATABASE_URL": fresh_database(database_url, "bench_end_to_end")}))
    allocation = [PY, str(HERE / "allocation.py")]
    if quick:
        allocation += ["--allocations", "50", "--scale", "0.01"]
    result.append(("allocation on SQLite", allocation, None))
    if is_postgres(database_url):
        result.append(("allocation on PostgreSQL", allocation,
                       {"DATABASE_URL": fresh_database(database_url, "bench_allocation")}))
    return result


def print_summary(rows: list[dict], header: str) -> None:
    print(f"\n{header}")
    widths = {}
    table = [("benchmark", "measure", "value", "target", "met")]
    for row in rows:
        ok = row.get("ok")
        table.append((row["benchmark"], row["measure"], row["value"], row.get("target", "-"),
                      "-" if ok is None else ("yes" if ok else "NO")))
    for column in range(5):
        widths[column] = max(len(line[column]) for line in table)
    for index, line in enumerate(table):
        print("| " + " | ".join(cell.ljust(widths[c]) for c, cell in enumerate(line)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (widths[c] + 2) for c in range(5)) + "|")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small samples and fills: a look at the plumbing, not figures")
    parser.add_argument("--crash-repeats", type=int, default=0,
                        help="SIGKILL the gunicorn server this many times during launches")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    load_before = os.getloadavg()[0]
    plan = stages(args, database_url)
    rows: list[dict] = []
    scratch = Path(tempfile.mkdtemp(prefix="multinic-bench-"))
    started = time.perf_counter()
    for number, (title, command, extra) in enumerate(plan, 1):
        print(f"\n=== [{number}/{len(plan)}] {title} ===", flush=True)
        print(f"=== [{number}/{len(plan)}] {title} ===", file=sys.stderr, flush=True)
        output = scratch / f"{number}.json"
        env = dict(os.environ)
        if extra is None:
            env.pop("DATABASE_URL", None)
        else:
            env.update(extra)
        code = subprocess.run([*command, "--json", str(output)], env=env).returncode
        if output.exists():
            rows += json.loads(output.read_text())["rows"]
        else:
            rows.append({"benchmark": title, "measure": "run", "value": f"failed (exit {code})",
                         "target": "runs", "ok": False})
    if not is_postgres(database_url):
        rows.append({"benchmark": "end-to-end", "measure": "skipped: needs a PostgreSQL "
                     "DATABASE_URL (make bench starts one)", "value": "-"})
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    if is_postgres(database_url):
        machine += f", {postgres_description(database_url)}"
    minutes = (time.perf_counter() - started) / 60
    machine += f"; load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    print_summary(rows, f"Summary: every benchmark against its target ({machine}; "
                        f"{minutes:.1f} min{', --quick' if args.quick else ''})")
    return 0 if all(row.get("ok", True) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
