"""The end-to-end benchmark's section of the report, and its rows in the combined table
(``bench/report.py``)."""

from bench.e2e import bulk
from bench.e2e.client import REQUEST_FLOOR_PATH
from bench.e2e.fixture import NETWORKS
from bench.e2e.floor import FLOOR_VARIANTS
from bench.e2e.phases import only_the_token_lookup

# The targets on two cores with PostgreSQL's durability on. The raw-SQL floor has none: it is
# the physical reference the launch's figures are read against.
TARGET_LAUNCH_MS = {"p50": 6.0, "p99": 12.0}  # a 4-NIC launch through the API
TARGET_REQUEST_FLOOR_MS = 1.5  # p50
TARGET_VIFS_PER_SECOND = 1200.0  # 16 clients, 4-NIC launches
TARGET_CPU_MS = 6.0  # per 4-NIC launch: gunicorn, PostgreSQL and the client together
REQUEST_FLOOR_WHAT = f"GET {REQUEST_FLOOR_PATH} (authenticated, no launch)"


def cpu_cost(result: dict, key: str) -> float | None:
    """CPU ms per launch of a concurrent run, all processes together (None if unmeasured)."""
    cpu = (result.get(key) or {}).get("cpu") or {}
    parts = [cpu[f"{name}_ms"] for name in ("gunicorn", "postgres", "client")
             if f"{name}_ms" in cpu]
    return sum(parts) if len(parts) == 3 else None


def summary_rows(result: dict) -> list[dict]:
    """The rows this benchmark adds to the combined table (see bench/report.py): the
    figures with targets, then what explains them (CPU per launch, in-process profile)."""
    rows = []
    seq, floor = result["sequential"], result["floor"]
    name = "end-to-end"

    def row(benchmark: str, measure: str, value: str, **verdict) -> None:
        rows.append({"benchmark": benchmark, "measure": measure, "value": value, **verdict})

    for nics in ("1", str(NETWORKS)):
        for q in ("p50", "p99"):
            value = seq[nics][f"{q}_ms"]
            verdict = ({"target": f"<= {TARGET_LAUNCH_MS[q]:g} ms",
                        "ok": value <= TARGET_LAUNCH_MS[q]} if nics == str(NETWORKS) else {})
            row(name, f"{nics}-NIC launch via API, {q}", f"{value:.2f} ms", **verdict)
    for key in FLOOR_VARIANTS:
        what = "one INSERT per table" if "batched" in key else "one INSERT per row"
        row("floor", f"{key.split()[0]}-NIC rows, raw SQL, {what}, p50",
            f"{floor[key]['p50_ms']:.3f} ms")
    ratio = result["ratio_to_floor"]
    row(name, f"{NETWORKS}-NIC p50 / floor p50", f"{ratio:.1f}x")
    request, floor_p50 = result["request_floor"], floor[str(NETWORKS)]["p50_ms"]
    own = seq[str(NETWORKS)]["p50_ms"] - request["p50_ms"]
    row("request floor", f"{REQUEST_FLOOR_WHAT}, p50: the framework's own cost per request",
        f"{request['p50_ms']:.2f} ms", target=f"<= {TARGET_REQUEST_FLOOR_MS:g} ms",
        ok=request["p50_ms"] <= TARGET_REQUEST_FLOOR_MS)
    row("request floor", f"request floor p50 / {NETWORKS}-NIC raw-SQL floor p50",
        f"{request['p50_ms'] / floor_p50:.1f}x")
    row(name, f"{NETWORKS}-NIC launch p50 minus the request floor p50: the launch's own cost",
        f"{own:.2f} ms = {own / floor_p50:.1f}x the raw-SQL floor")
    conc = result["concurrent"]
    row(name, f"VIFs/s, {conc['clients']} clients, {NETWORKS}-NIC launches, "
              f"{result['workers']} {result['worker_class']} workers",
        f"{conc['vifs_per_second']:.0f}", target=f">= {TARGET_VIFS_PER_SECOND:g}",
        ok=conc["vifs_per_second"] >= TARGET_VIFS_PER_SECOND)
    separate = result.get("concurrent_own")
    if separate:
        row(name, f"VIFs/s, {separate['clients']} clients each on networks of its own",
            f"{separate['vifs_per_second']:.0f}")
    failures = conc["failures"] + (separate["failures"] if separate else 0)
    row(name, "concurrent answers other than 201", str(failures), target="0", ok=failures == 0)
    crash = result.get("crash")
    if crash:
        row("crashes", f"SIGKILLs of gunicorn mid-launch ({crash['launched']} launches, "
                       f"{crash['cut']} cut off in flight)",
            f"{crash['kills']}, {len(crash['violations'])} violations",
            target="0 violations", ok=not crash["violations"])
        row("crashes", "first launch after each restart",
            f"{crash['first_after_restart_ok']}/{crash['kills']} ok", target="all",
            ok=crash["first_after_restart_ok"] == crash["kills"])
    if result.get("bulk"):
        rows += bulk.summary_rows(result["bulk"])
    cost = cpu_cost(result, "concurrent")
    if cost:
        ceiling = result["cores"] * 1000 / cost * NETWORKS
        row(name, f"CPU per {NETWORKS}-NIC launch, concurrent (gunicorn + PostgreSQL + "
                  "client)", f"{cost:.1f} ms: <= {ceiling:.0f} VIFs/s on "
                             f"{result['cores']} cores",
            target=f"<= {TARGET_CPU_MS:g} ms", ok=cost <= TARGET_CPU_MS)
    prof = result.get("profile")
    if prof:
        row("in-process profile", f"{NETWORKS}-NIC launch without HTTP, mean: as configured "
            "/ a new DB connection per request", f"{prof['mean_ms']:.2f} / "
            f"{prof['mean_per_request_ms']:.2f} ms, {prof['queries']:.0f} queries")
    return rows


def print_report(result: dict) -> None:
    floor = result["floor"]
    load = ""
    if result.get("load_before") is not None and result.get("load_after") is not None:
        load = (f"; load average {result['load_before']:.1f} before, "
                f"{result['load_after']:.1f} after")
    print(f"\nEnd-to-end launches on PostgreSQL, gunicorn {result['workers']} "
          f"{result['worker_class']} workers, CONN_MAX_AGE={result['conn_max_age']}, "
          f"{result['cores']} cores "
          f"({result['samples']} samples each after {result['warmup']} warm-up{load})")
    print("| measure | p50 ms | p99 ms | mean ms |")
    print("|---|---|---|---|")
    for nics in ("1", str(NETWORKS)):
        row = result["sequential"][nics]
        print(f"| POST /api/instances/, {nics} NIC{'s' if nics != '1' else ''} | "
              f"{row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['mean_ms']:.2f} |")
    request = result["request_floor"]
    print(f"| {REQUEST_FLOOR_WHAT}: the framework's own cost per request | "
          f"{request['p50_ms']:.2f} | {request['p99_ms']:.2f} | {request['mean_ms']:.2f} |")
    for key, row in floor.items():
        what = "one INSERT per table" if "batched" in key else "one INSERT per row"
        print(f"| floor, {key.split()[0]} NIC rows, {what} | {row['p50_ms']:.3f} | "
              f"{row['p99_ms']:.3f} | {row['mean_ms']:.3f} |")
    runs = [(key, what) for key, what in (("concurrent", "the same networks"),
                                          ("concurrent_own", "networks of their own"))
            if key in result]
    for key, what in runs:
        row = result[key]
        print(f"| {row['clients']} concurrent clients on {what}, {NETWORKS}-NIC launch | "
              f"{row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['mean_ms']:.2f} |")
    launch, floor_p50 = result["sequential"][str(NETWORKS)], floor[str(NETWORKS)]["p50_ms"]
    own = launch["p50_ms"] - request["p50_ms"]
    queries = request["queries"]
    checked = (f"it ran {len(queries)} query in this process, the token lookup"
               if only_the_token_lookup(queries) else
               f"WARNING: it ran {len(queries)} queries in this process, not just the token "
               f"lookup, so it measures more than the framework: {queries}")
    print(f"Request floor ({checked}): {request['p50_ms']:.2f} ms p50 = "
          f"{request['p50_ms'] / floor_p50:.1f}x the raw-SQL {NETWORKS}-NIC floor; the "
          f"{NETWORKS}-NIC launch's own cost over it, p50 minus p50: {own:.2f} ms = "
          f"{own / floor_p50:.1f}x that floor")
    for key, what in runs:
        row = result[key]
        print(f"Concurrent, {row['clients']} clients on {what}: {row['launches']} launches, "
              f"{row['vifs']} VIFs in {row['seconds']:.1f} s = {row['vifs_per_second']:.0f} "
              f"VIFs/s; answers {row['statuses']}, connection errors {row['errors']}")
        cpu = row.get("cpu") or {}
        parts = [f"{name} {cpu[f'{name}_ms']:.1f}" for name in ("gunicorn", "postgres", "client")
                 if f"{name}_ms" in cpu]
        if parts:
            spent = sum(cpu[f"{name}_ms"] for name in ("gunicorn", "postgres", "client")
                        if f"{name}_ms" in cpu)
            print(f"  CPU ms per launch: {', '.join(parts)} = {spent:.1f} (at most "
                  f"{result['cores'] * 1000 / spent * NETWORKS:.0f} VIFs/s on "
                  f"{result['cores']} cores at that cost)"
                  + (f"; machine busy {cpu['machine_busy']:.0%}" if "machine_busy" in cpu
                     else ""))
    prof = result.get("profile")
    if prof:
        print(f"\nWhere a {NETWORKS}-NIC launch's time goes (in-process, Django's WSGI handler "
              f"without HTTP, {prof['launches']} launches each way; exclusive ms per phase, "
              "and how much of it waited on SQL)")
        print(f"| phase | ms, as configured (CONN_MAX_AGE={prof['conn_max_age']}) | of which "
              "SQL | ms, a new connection per request (MULTINIC_DB_CONN_MAX_AGE=0) | of which "
              "SQL | queries | what |")
        print("|---|---|---|---|---|---|---|")
        for phase in prof["phases"]:
            print(f"| {phase['phase']} | {phase['ms']:.2f} | {phase['db_ms']:.2f} | "
                  f"{phase['per_request_ms']:.2f} | {phase['per_request_db_ms']:.2f} "
                  f"| {phase['queries']:.1f} | {phase['what']} |")
        total = {key: sum(p[key] for p in prof["phases"])
                 for key in ("ms", "db_ms", "per_request_ms", "per_request_db_ms")}
        print(f"| total | {total['ms']:.2f} | {total['db_ms']:.2f} | "
              f"{total['per_request_ms']:.2f} | {total['per_request_db_ms']:.2f} | "
              f"{prof['queries']:.1f} | |")
        kinds = ", ".join(f"{k} {v:.2g}" for k, v in prof["statements"].items())
        print(f"Statements per launch (as configured): {kinds}")
        print("\n| phase: statement | per launch | ms each (wall: building, sending, the "
              "database's work, the answer) |")
        print("|---|---|---|")
        for statement in prof.get("statement_table", []):
            print(f"| {statement['statement']} | {statement['per_launch']:.2g} | "
                  f"{statement['ms_each']:.3f} |")
        print(f"(Connects in {prof['launches']} launches: {prof['connects']} as configured, "
              f"{prof['per_request_connects']} with a new connection per request.)")
        if prof["missing"]:
            print(f"(not timed, not found: {', '.join(prof['missing'])})")
    crash = result.get("crash")
    if crash:
        print(f"\nCrashes: {crash['kills']} SIGKILLs of the whole server during launches; "
              f"{crash['launched']} launches answered 201, {crash['cut']} cut off in flight "
              f"({crash['cut_committed']} of them had committed, the rest left nothing), "
              f"{crash['refused']} refused while down; restart p50 "
              f"{crash['restart_p50_s']:.2f} s; first launch after restart ok "
              f"{crash['first_after_restart_ok']}/{crash['kills']}")
        for violation in crash["violations"]:
            print(f"  VIOLATION: {violation}")
        if not crash["violations"]:
            print("  invariants hold: no VIF without instance, no IP without VIF, every "
                  "instance has its NICs and every VIF its addresses, no MAC or IP twice, "
                  "free ranges + allocations = pools")
