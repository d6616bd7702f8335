"""The benchmark's bulk fill must leave subnets exactly as the allocator would, or its
figures would measure something else. Sizes here are tiny; timings are not asserted."""

import json

import pytest

from bench.allocation import Case, print_table, run
from tests.harness.helpers import assert_subnet_consistent


@pytest.mark.django_db
def test_bench_fill_is_consistent_and_the_table_prints(capsys):
    cases = [Case("10.0.0.0/24", 0), Case("10.1.0.0/16", 500), Case("11.0.0.0/8", 1_234),
             Case("2001:db8::/64", 77, "dhcpv6-stateful")]
    # More allocations per subnet than one instance may hold NICs (32): they go on to
    # another instance.
    results = run(cases, allocations=30)
    for row in results:
        assert_subnet_consistent(row["subnet"])
    # Each subnet holds its fill plus 5 warm-up and 30 timed allocations.
    assert [row["subnet"].fixed_ips.count() for row in results] == [35, 535, 1_269, 112]
    assert results[2]["free_ranges"] > 1_234 // 10  # the holes left in the fill
    assert results[0]["ratio"] == 1.0
    print_table(results, 3)
    out = capsys.readouterr().out
    assert "IPv4 /8, 1,234 taken" in out and "ratio" in out


def test_render_bench_times_real_renderings_and_prints_the_table(capsys):
    from bench.render import operations, print_table, run
    from multinic_api.guest.iso import read_iso

    ops = operations()
    network_data, meta_data = (json.loads(doc) for doc in
                               ops["network_data.json + meta_data.json"]())
    assert len(network_data["links"]) == 8 + 4  # eight VIFs, two bonds of two ports
    assert [link["type"] for link in network_data["links"][:3]] == ["bond", "bond", "bridge"]
    assert meta_data["name"] == "bench"
    drive = read_iso(ops["config drive ISO"]())
    assert json.loads(drive["openstack/latest/network_data.json"]) == network_data
    rows = run(calls=3)
    assert [row["operation"] for row in rows] == list(ops)
    print_table(rows, 3)
    assert "config drive ISO" in capsys.readouterr().out


TOKEN_LOOKUP = ('SELECT "authtoken_token"."key", "auth_user"."id" FROM "authtoken_token" '
                'INNER JOIN "auth_user" ON ("authtoken_token"."user_id" = "auth_user"."id") '
                'WHERE "authtoken_token"."key" = %s LIMIT 21')


def _fake_end_to_end_result(ratio=30.0, vifs_per_second=120.0, violations=(),
                            request_queries=(TOKEN_LOOKUP,), launch=(40.0, 70.0),
                            request_floor_ms=25.0, cpu_ms=(30.0, 9.0, 1.0)):
    stats = {"p50_ms": launch[0], "p99_ms": launch[1], "mean_ms": 42.0, "n": 3}
    floor = {"p50_ms": 2.0, "p99_ms": 3.0, "mean_ms": 2.2, "n": 3}
    return {
        "cores": 2, "workers": 4, "worker_class": "sync", "samples": 3, "warmup": 1,
        "conn_max_age": 60,
        "sequential": {"1": stats, "4": stats},
        "floor": {"1": floor, "4": floor, "4 batched": floor},
        "request_floor": {"path": "/api/bonding/modes/", "queries": list(request_queries),
                          "p50_ms": request_floor_ms, "p99_ms": 45.0, "mean_ms": 26.0,
                          "n": 3},
        "ratio_to_floor": ratio,
        "concurrent": {"clients": 16, "seconds": 1.0, "launches": 30, "vifs": 120,
                       "vifs_per_second": vifs_per_second, "statuses": {201: 30}, "errors": {},
                       "failures": 0, **stats,
                       "cpu": dict(zip(("gunicorn_ms", "postgres_ms", "client_ms"), cpu_ms,
                                       strict=True))},
        "profile": {"launches": 2, "conn_max_age": 60, "missing": [], "queries": 47.0,
                    "mean_ms": 20.0, "mean_per_request_ms": 40.0, "connects": 0,
                    "per_request_connects": 2, "statements": {"SELECT": 18.0},
                    "phases": [{"phase": "connect", "what": "open a connection", "ms": 0.5,
                                "db_ms": 0.0, "per_request_ms": 6.0, "per_request_db_ms": 0.0,
                                "queries": 0.0}]},
        "bulk": {"small": {**stats, "p50_ms": 120.0}, "large_runs_s": [1.7, 1.2, 1.4],
                 "large_median_s": 1.4, "large": stats, "rest_small": stats, "nics": 4},
        "crash": {"kills": 3, "launched": 9, "cut": 5, "cut_committed": 1, "refused": 0,
                  "statuses": {201: 9}, "first_after_restart_ok": 3, "restart_p50_s": 2.0,
                  "violations": list(violations)},
    }


def test_the_combined_table_has_every_benchmark_and_each_verdict(capsys):
    from bench import allocation, end_to_end, render
    from bench.e2e.phases import PHASES
    from bench.report import print_summary

    rows = end_to_end.summary_rows(_fake_end_to_end_result())
    verdicts = {row["measure"].split(",")[0]: row.get("ok") for row in rows}
    assert verdicts["4-NIC launch via API"] is False
    assert verdicts["VIFs/s"] is False
    assert verdicts["CPU per 4-NIC launch"] is False
    assert verdicts["GET /api/bonding/modes/ (authenticated"] is False
    assert verdicts["first launch after each restart"] is True
    # Each target of the launch's, with its bound; the raw-SQL floor is a reference only.
    targets = {row["measure"]: row.get("target") for row in rows}
    assert targets["4-NIC launch via API, p50"] == "<= 6 ms"
    assert targets["4-NIC launch via API, p99"] == "<= 12 ms"
    assert targets["1-NIC launch via API, p50"] is None
    assert targets["4-NIC p50 / floor p50"] is None
    assert targets["VIFs/s, 16 clients, 4-NIC launches, 4 sync workers"] == ">= 1200"
    assert targets["CPU per 4-NIC launch, concurrent (gunicorn + PostgreSQL + client)"] == (
        "<= 6 ms")
    assert targets["GET /api/bonding/modes/ (authenticated, no launch), p50: the "
                   "framework's own cost per request"] == "<= 1.5 ms"
    bulk = {row["measure"]: row for row in rows if row["benchmark"] == "bulk"}
    assert [(r["value"], r.get("target"), r.get("ok")) for r in bulk.values()] == [
        ("120.0 ms = 300 us per VIF", "<= 150 ms", True),
        ("1.40 s = 350 us per VIF", "<= 1.5 s", True),
        ("40.0 ms", None, None)]
    assert list(bulk)[:2] == [
        "bulk: 100 instances x 4 NICs in one request (Nova min/max_count), p50",
        "bulk: 1,000 instances x 4 NICs in one request (Nova min/max_count), median of 3"]
    good = end_to_end.summary_rows(_fake_end_to_end_result(
        3.9, 1200.0, launch=(6.0, 12.0), request_floor_ms=1.5, cpu_ms=(4.0, 1.5, 0.5)))
    assert all(row.get("ok", True) for row in good)
    just_over = end_to_end.summary_rows(_fake_end_to_end_result(
        3.9, 1200.0, launch=(6.0, 12.1), request_floor_ms=1.5, cpu_ms=(4.0, 1.5, 0.5)))
    assert [row["measure"] for row in just_over if row.get("ok") is False] == [
        "4-NIC launch via API, p99"]
    broken = end_to_end.summary_rows(_fake_end_to_end_result(violations=["1 VIF without"]))
    assert any(row.get("ok") is False for row in broken if row["benchmark"] == "crashes")
    # The request floor has its own target; the rows that read it against the floor explain.
    explained = {row["measure"]: row for row in rows
                 if row["benchmark"] == "request floor" or "own cost" in row["measure"]}
    assert explained.pop("GET /api/bonding/modes/ (authenticated, no launch), p50: the "
                         "framework's own cost per request")["value"] == "25.00 ms"
    assert {m: r["value"] for m, r in explained.items()} == {
        "request floor p50 / 4-NIC raw-SQL floor p50": "12.5x",
        "4-NIC launch p50 minus the request floor p50: the launch's own cost":
            "15.00 ms = 7.5x the raw-SQL floor",
    }
    assert all("ok" not in r and "target" not in r for r in explained.values())
    rows += render.summary_rows([{"operation": "config drive ISO", "median": 5.0, "p90": 6.0,
                                  "target": 20.0, "ok": True}])
    rows += allocation.summary_rows([{"backend": "sqlite", "case": "IPv4 /8, 9 taken",
                                      "median_ms": 1.0, "ratio": 1.3}])
    print_summary(rows, "Summary")
    end_to_end.print_report(_fake_end_to_end_result())
    out = capsys.readouterr().out
    for text in ("| end-to-end ", "| floor ", "| crashes ", "| rendering ",
                 "40.0 ms: <= 200 VIFs/s on 2 cores", "CPU ms per launch: gunicorn 30.0",
                 "without HTTP, mean: as configured / a new DB connection per request ",
                 "| 20.00 / 40.00 ms, 47 queries ",
                 "| allocation (sqlite) ", "ratio 1.30", "| NO ", "| yes ", "Where a 4-NIC",
                 "sync workers, CONN_MAX_AGE=60, 2 cores",
                 "| ms, as configured (CONN_MAX_AGE=60) | of which SQL | ms, a new connection "
                 "per request (MULTINIC_DB_CONN_MAX_AGE=0) |",
                 "| connect | 0.50 | 0.00 | 6.00 | 0.00 | 0.0 |",
                 "Connects in 2 launches: 0 as configured, 2 with a new connection per request",
                 "| GET /api/bonding/modes/ (authenticated, no launch): the framework's own "
                 "cost per request | 25.00 | 45.00 | 26.00 |",
                 "Request floor (it ran 1 query in this process, the token lookup): 25.00 ms "
                 "p50 = 12.5x the raw-SQL 4-NIC floor; the 4-NIC launch's own cost over it, "
                 "p50 minus p50: 15.00 ms = 7.5x that floor"):
        assert text in out, text
    assert "what if" not in out.lower() and "persistent_" not in out
    assert "readback" not in out and "readback" not in PHASES
    assert "WARNING" not in out
    # A request floor that does more than authenticate says so.
    end_to_end.print_report(_fake_end_to_end_result(
        request_queries=(TOKEN_LOOKUP, 'SELECT 1 FROM "multinic_api_project"')))
    assert "WARNING: it ran 2 queries in this process, not just the token lookup" in (
        capsys.readouterr().out)


def test_percentile_interpolates_between_ranks():
    from bench.e2e.stats import percentile

    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(list(map(float, range(101))), 99) == 99.0
    assert percentile([5.0], 99) == 5.0


@pytest.mark.django_db
def test_the_crash_invariants_catch_what_a_torn_launch_would_leave(project):
    from multinic_api.models import FixedIP, Instance
    from multinic_api.services import instances, subnets
    from multinic_api.services.instances import NicRequest
    from support.invariants import check_invariants

    network = subnets.create_network(project, "n")
    subnets.create_subnet(network, "10.9.0.0/24")
    launched = instances.launch_instance(project=project, name="crash-2-0-0-0",
                                         nics=[NicRequest(network.id)] * 2)
    assert check_invariants("crash-", [network.id]) == []
    Instance.objects.filter(pk=launched.pk).update(name="crash-3-0-0-0")
    FixedIP.objects.filter(vif__instance=launched).first().delete()  # not returned to free
    problems = " / ".join(check_invariants("crash-", [network.id]))
    assert "1 instances without the NICs they asked for" in problems
    assert "1 VIFs without one address per subnet" in problems
    assert "free + allocated = 252, pools hold 253" in problems


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_end_to_end_bench_runs_on_gunicorn_with_a_kill_and_the_floor(capsys):
    """Tiny numbers: the plumbing (server, clients, kill and restart, floor, per-phase
    profile, report), not the figures."""
    import argparse
    import os
    import time
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    from bench import end_to_end
    from bench.e2e.phases import PHASES
    from bench.report import print_summary
    from support.invariants import check_invariants

    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(
        path="/" + connection.settings_dict["NAME"]))
    args = argparse.Namespace(samples=3, warmup=1, clients=3, duration=0.5, workers=2,
                              worker_class="sync", threads=1, crash_repeats=1, profile=2,
                              bulk_samples=1, bulk_large_runs=1)
    result = end_to_end.run(args, database_url=url)
    # A request made 100 instances (the sample and two warm-ups), another 1,000.
    bulk = result["bulk"]
    assert bulk["small"]["n"] == 1 and len(bulk["large_runs_s"]) == 1
    from multinic_api.models import Instance
    assert Instance.objects.filter(name__startswith="bulk-large-0-").count() == 1000
    assert Instance.objects.filter(name__regex=r"^bulk-[0-9]+-[0-9]+$").count() == 300
    assert Instance.objects.filter(name__startswith="bulk-api-").count() == 300
    assert result["sequential"]["4"]["n"] == result["floor"]["4"]["n"] == 3
    # The request floor ran in every round, through the same server, and authenticating is
    # all it does (one query: the token, its user and default project).
    request = result["request_floor"]
    assert request["n"] == 3 and request["path"] == "/api/bonding/modes/"
    assert 0 < request["p50_ms"] <= request["p99_ms"] and request["mean_ms"] > 0
    assert len(request["queries"]) == 1 and '"authtoken_token"' in request["queries"][0]
    assert result["concurrent"]["launches"] > 0 and result["concurrent"]["failures"] == 0
    assert result["crash"]["violations"] == [] and result["crash"]["first_after_restart_ok"] == 1
    profile = result["profile"]
    assert profile["queries"] > 0
    # Every phase's function was found and wrapped; none measures nothing any more.
    assert profile["missing"] == []
    assert [p["phase"] for p in profile["phases"]] == list(PHASES)
    assert "readback" not in PHASES
    assert profile["conn_max_age"] == result["conn_max_age"] == connection.settings_dict[
        "CONN_MAX_AGE"]
    # As configured, the warm-up's connection serves every timed launch (unless the site is
    # set to a connection per request); the comparison opens one per request.
    assert profile["connects"] == (2 if profile["conn_max_age"] == 0 else 0)
    assert profile["per_request_connects"] == 2
    # Each statement of the launch, by phase, with its wall time; the COMMIT is a phase.
    statements = {row["statement"]: row for row in profile["statement_table"]}
    for label in ("token: SELECT authtoken_token", "resolve: SELECT multinic_api_subnet",
                  "launch: INSERT multinic_api_instance", "launch: INSERT multinic_api_vif",
                  "launch: SELECT multinic_api_network FOR KEY SHARE",
                  "launch: SELECT multinic_api_subnet FOR NO KEY UPDATE",
                  "launch: INSERT multinic_api_fixedip"):
        assert statements[label]["per_launch"] == 1 and statements[label]["ms_each"] > 0, label
    assert sum(row["per_launch"] for row in statements.values()) == profile["queries"]
    assert next(p["ms"] for p in profile["phases"] if p["phase"] == "commit") > 0
    # The floor's hand-written rows leave its subnet as the allocator would have.
    assert check_invariants() == []
    end_to_end.print_report(result)
    print_summary(end_to_end.summary_rows(result), "Summary")
    out = capsys.readouterr().out
    assert "VIFs/s, 3 clients" in out
    assert "| bulk: 1,000 instances x 4 NICs in one request (Nova min/max_count)" in out
    assert "| GET /api/bonding/modes/ (authenticated, no launch): the framework's own cost " \
           "per request | " in out
    assert "Request floor (it ran 1 query in this process, the token lookup)" in out
    assert "| launch: INSERT multinic_api_vif | 1 | " in out
    assert any(line.startswith("| request floor ") and "| GET /api/bonding/modes/ "
               "(authenticated, no launch), p50" in line for line in out.splitlines())
    # The killed workers' sessions end once PostgreSQL notices; the flush and the final
    # DROP DATABASE need them gone.
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)


@pytest.mark.postgres
def test_the_table_header_says_how_durable_the_database_was():
    """The test server runs without durability (tools/pgtmp.py); ``make bench`` starts its own
    with --durable. The header reads the settings from the server, so either shows."""
    import os

    from bench.report import postgres_description

    description = postgres_description(os.environ["DATABASE_URL"])
    assert description.startswith("PostgreSQL ")
    assert description.endswith("(fsync off, synchronous_commit off, full_page_writes off)")


def test_a_statement_is_labelled_by_its_verb_table_and_lock():
    from bench.e2e.phases import statement_label

    assert statement_label('INSERT INTO "multinic_api_vif" ("uuid") VALUES (%s)') == \
        "INSERT multinic_api_vif"
    assert statement_label('SELECT "multinic_api_subnet"."id" FROM "multinic_api_subnet" '
                           'WHERE "id" IN (%s) ORDER BY 1 FOR NO KEY UPDATE') == \
        "SELECT multinic_api_subnet FOR NO KEY UPDATE"
    assert statement_label('UPDATE "multinic_api_freerange" SET "first" = new.column2 FROM '
                           '(VALUES (%s, %s)) AS new') == "UPDATE multinic_api_freerange"
    assert statement_label("SELECT 1") == "SELECT"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_compare_serves_two_trees_side_by_side_and_measures_them_in_pairs(capsys):
    """Tiny numbers: the plumbing (a revision checked out and served beside this tree, the
    rounds in pairs, the concurrent runs, the report), not the figures."""
    import argparse
    import os
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    from bench import compare

    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(
        path="/" + connection.settings_dict["NAME"]))
    args = argparse.Namespace(before="HEAD", after=".", rounds=3, warmup=1, clients=2,
                              duration=0.3, workers=1)
    worktrees_before = _worktrees()
    result = compare.run(args, database_url=url)
    before, after = result["sides"]
    assert (before["revision"], after["revision"]) == ("HEAD", ".")
    for side in (before, after):
        assert side["launch"]["n"] == side["floor"]["n"] == 3
        assert 0 < side["launch"]["p50_ms"] <= side["launch"]["p99_ms"]
        assert side["vifs_per_second"] > 0
    from multinic_api.models import Instance
    assert Instance.objects.filter(name__startswith="compare-0-").count() == 4  # and warm-up
    assert Instance.objects.filter(name__startswith="compare-1-").count() == 4
    assert _worktrees() == worktrees_before  # the checked-out revision is gone again
    compare.print_report(result)
    out = capsys.readouterr().out
    assert "HEAD against ., served side by side" in out and "| 4-NIC launch, p50 ms | " in out


def test_compare_reads_each_trees_migrations():
    from bench import compare

    found = compare.migrations(compare.ROOT)
    assert "multinic_api/migrations/0001_initial.py" in found
    assert "multinic_identity/migrations/0001_initial.py" in found
    assert not any("__init__" in path for path in found)


def _worktrees() -> list[str]:
    import subprocess

    from bench.compare import ROOT

    return subprocess.run(["git", "-C", str(ROOT), "worktree", "list", "--porcelain"],
                          check=True, capture_output=True, text=True).stdout.splitlines()
