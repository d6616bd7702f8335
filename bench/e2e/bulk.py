"""Bulk launches through the server: one request making 100, then 1,000, instances of 4 NICs
each, as ``openstack server create --min N --max N`` sends it (Nova's ``POST /servers`` with
``min_count`` = ``max_count`` = N, answered with the first server), on the benchmark's four
networks; and, without a target, the REST API's ``count`` of 100, which answers with every
instance it made.

    DATABASE_URL=postgres://... python -m bench.e2e.bulk [--samples N] [--large-runs N]

runs only this part (its own gunicorn, ``--workers``); ``bench/end_to_end.py`` runs it after
its concurrent launches and puts its rows in the summary table.
"""

import json
import statistics
import time

from bench.e2e.client import ApiClient
from bench.e2e.fixture import NETWORKS, Fixture
from bench.e2e.stats import latency_stats

SMALL, LARGE = 100, 1000
TARGET_SMALL_P50_MS = 150.0
TARGET_LARGE_S = 1.5


class ComputeClient(ApiClient):
    """The benchmark's client speaking Nova's API with an Identity token, as the CLI does."""

    def __init__(self, port: int, identity_token: str, timeout: float = 120):
        super().__init__(port, "", timeout)
        self.headers = {"X-Auth-Token": identity_token, "Accept": "application/json"}

    def launch_many(self, name: str, networks: list[str], count: int) -> tuple[int, bytes]:
        body = json.dumps({"server": {"name": name, "flavorRef": "1", "min_count": count,
                                      "max_count": count,
                                      "networks": [{"uuid": n} for n in networks]}})
        return self._send("POST", "/compute/v2.1/servers", body)


def identity_token(fixture: Fixture) -> str:
    """A project-scoped token of the fixture's user from the built-in Identity (what the CLI
    gets from ``POST /identity/v3/auth/tokens``)."""
    from rest_framework.authtoken.models import Token

    from multinic_identity import services as identity

    user = Token.objects.select_related("user").get(key=fixture.token).user
    token, _ = identity.issue_token(user, fixture.project, ["password"])
    return token


def _timed(call, *args) -> float:
    start = time.perf_counter()
    status, body = call(*args)
    elapsed = time.perf_counter() - start
    if status not in (201, 202):
        raise RuntimeError(f"bulk launch answered {status}: {body[:300]!r}")
    return elapsed


def bulk_launches(port: int, fixture: Fixture, samples: int = 20, large_runs: int = 3,
                  warmup: int = 2, bar=None) -> dict:
    """p50 of ``samples`` Nova launches of SMALL 4-NIC instances, each of ``large_runs`` of
    LARGE, and p50 of the REST API's ``count`` of SMALL; seconds in, milliseconds out."""
    from django.db import connection

    token = identity_token(fixture)
    connection.close()  # the server's workers, not this process, hold connections from here
    nova, api = ComputeClient(port, token), ApiClient(port, fixture.token)
    networks = fixture.networks[:NETWORKS]
    small, large, rest = [], [], []

    def rest_launch(name: str):
        body = json.dumps({"name": name, "count": SMALL,
                           "nics": [{"network_id": n} for n in networks]})
        return api._send("POST", "/api/instances/", body)

    try:
        for number in range(warmup + samples):
            elapsed = _timed(nova.launch_many, f"bulk-{number}", networks, SMALL)
            rest_elapsed = _timed(rest_launch, f"bulk-api-{number}")
            if number >= warmup:
                small.append(elapsed)
                rest.append(rest_elapsed)
            if bar is not None:
                bar.update(1)
        for number in range(large_runs):
            large.append(_timed(nova.launch_many, f"bulk-large-{number}", networks, LARGE))
            if bar is not None:
                bar.update(1)
    finally:
        nova.close()
        api.close()
    return {"small": latency_stats(small), "large": latency_stats(large),
            "large_runs_s": large, "large_median_s": statistics.median(large),
            "rest_small": latency_stats(rest), "nics": NETWORKS}


def summary_rows(bulk: dict) -> list[dict]:
    """The rows of the combined table: the two with targets, and the REST API's answer."""
    small, large_s = bulk["small"]["p50_ms"], bulk["large_median_s"]
    nics = bulk["nics"]
    return [
        {"benchmark": "bulk", "measure": f"bulk: {SMALL} instances x {nics} NICs in one "
                                         "request (Nova min/max_count), p50",
         "value": f"{small:.1f} ms = {small * 1000 / (SMALL * nics):.0f} us per VIF",
         "target": f"<= {TARGET_SMALL_P50_MS:g} ms", "ok": small <= TARGET_SMALL_P50_MS},
        {"benchmark": "bulk", "measure": f"bulk: {LARGE:,} instances x {nics} NICs in one "
                                         f"request (Nova min/max_count), median of "
                                         f"{len(bulk['large_runs_s'])}",
         "value": f"{large_s:.2f} s = {large_s * 1e6 / (LARGE * nics):.0f} us per VIF",
         "target": f"<= {TARGET_LARGE_S:g} s", "ok": large_s <= TARGET_LARGE_S},
        {"benchmark": "bulk", "measure": f"{SMALL} instances x {nics} NICs via POST "
                                         "/api/instances/ count, answered with every one, p50",
         "value": f"{bulk['rest_small']['p50_ms']:.1f} ms"},
    ]


def main() -> int:
    import argparse
    import os
    import sys
    from pathlib import Path

    from tqdm import tqdm

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--large-runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from bench.e2e.production import setup_django

    setup_django()
    from django.db import connection

    from bench.e2e.fixture import setup
    from bench.report import print_summary
    from support.gunicorn import GunicornServer

    fixture = setup()
    server = GunicornServer(args.workers, database_url=os.environ["DATABASE_URL"],
                            access_log=False)
    connection.close()
    try:
        server.start()
        with tqdm(total=2 + args.samples + args.large_runs, desc="bulk launches",
                  unit="request") as bar:
            bulk = bulk_launches(server.port, fixture, args.samples, args.large_runs, bar=bar)
    finally:
        server.stop()
        server.remove_files()
    rows = summary_rows(bulk)
    print_summary(rows, "Bulk launches")
    return 0 if all(row.get("ok", True) for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
