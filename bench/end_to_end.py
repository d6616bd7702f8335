#!/usr/bin/env python
"""Launches through the REST API on PostgreSQL with gunicorn, against the floor.

    python bench/end_to_end.py [--samples N] [--clients N] [--duration S] [--workers N]
                               [--worker-class sync|gthread] [--crash-repeats N]
                               [--profile N] [--json FILE]

Needs ``DATABASE_URL`` pointing at PostgreSQL (``make bench`` starts a throwaway one with
``tools/pgtmp.py``). In one run, on one database:

1. Setup, through the services in this process: ``migrate``, a project, a user with a REST
   framework token, four networks with an IPv4 /16 each. Then ``gunicorn
   multinic_dashboard.wsgi:application`` with ``--workers`` (default two per core) on a free
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
4. With ``--crash-repeats N``: N times, SIGKILL the whole server (master and workers) while
   client threads launch 1- to 4-NIC instances, restart it, and require the first launch to
   succeed; then check the invariants (no VIF without its instance, no IP without its VIF,
   every instance with the NICs it asked for and every VIF with its addresses, no MAC or IP
   twice, every subnet's free ranges and allocations partitioning its pools).
5. Where the time goes: the 4-NIC launch in this process through Django's WSGI handler
   (the full middleware stack, no HTTP), exclusive time per phase and the queries each
   phase runs, by wrapping the functions of each phase; as configured and, for
   comparison, with a new database connection per request (``CONN_MAX_AGE=0``).

Targets: 4-NIC p50 within 4x of the floor's 4-NIC p50; at least 500 VIFs/s concurrent.
The request floor has no target: it tells how much of the first ratio the framework takes.
"""

import argparse
import functools
import http.client
import io
import json
import os
import random
import secrets
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "multinic_dashboard.settings")

from support.gunicorn import GunicornServer  # noqa: E402  (needs ROOT on the path)

NETWORKS = 4
# The floor's MACs: locally administered and unicast like the API's fa:16:3e ones, but a
# prefix the API never draws from, counting up from a random start (so reruns on one
# database do not collide).
FLOOR_MAC_PREFIX = 0x0E0000000000
TARGET_FLOOR_RATIO = 4.0
TARGET_VIFS_PER_SECOND = 500.0
# The request floor: authenticated (the launches' token), no work beyond that.
REQUEST_FLOOR_PATH = "/api/bonding/modes/"
REQUEST_FLOOR_WHAT = f"GET {REQUEST_FLOOR_PATH} (authenticated, no launch)"


def cores() -> int:
    return os.cpu_count() or 1


def load_average() -> float | None:
    """The machine's 1-minute load average: other work skews every figure here."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- the server ---------------------------------------------------------------------------

class ApiClient:
    """One keep-alive HTTP connection (reopened when the server closes it)."""

    def __init__(self, port: int, token: str, timeout: float = 60):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def _send(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = self.headers if body is None else {**self.headers,
                                                     "Content-Type": "application/json"}
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise

    def launch(self, name: str, networks: list[str]) -> tuple[int, bytes]:
        body = json.dumps({"name": name, "nics": [{"network_id": n} for n in networks]})
        return self._send("POST", "/api/instances/", body)

    def get(self, path: str) -> tuple[int, bytes]:
        return self._send("GET", path)

    def close(self) -> None:
        self.connection.close()


# --- setup --------------------------------------------------------------------------------

@dataclass
class Fixture:
    project: object
    token: str
    networks: list[str]  # API networks, one IPv4 /16 each
    floor_subnet: object  # written only by the floor's raw inserts
    # Per client, networks of its own (see add_client_networks).
    client_networks: list[list[str]] = field(default_factory=list)


def setup() -> Fixture:
    """Project, user, token and networks, through the services; a network and subnet of
    its own for the floor."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from multinic_api.models import Project
    from multinic_api.services import subnets
    from multinic_identity import services as identity

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:8]
    with transaction.atomic():
        project = Project.objects.create(name=f"bench-e2e-{tag}")
        user = get_user_model().objects.create_user(f"bench-e2e-{tag}")
        identity.add_member(project, user)
        token = Token.objects.create(user=user).key
        networks = []
        for n in range(NETWORKS):
            network = subnets.create_network(project, f"bench e2e {n}")
            subnets.create_subnet(network, f"10.{100 + n}.0.0/16", name=f"bench-e2e-{n}")
            networks.append(str(network.id))
        floor_network = subnets.create_network(project, "bench floor")
        floor_subnet = subnets.create_subnet(floor_network, "10.99.0.0/16", name="bench-floor")
    return Fixture(project, token, networks, floor_subnet)


def add_client_networks(fixture: Fixture, clients: int) -> None:
    """Give each client NETWORKS networks of its own, with an IPv4 /20 each (from
    100.64.0.0/10), so that concurrent clients contend for no subnet lock."""
    import netaddr
    from django.db import transaction

    from multinic_api.services import subnets

    base = netaddr.IPNetwork("100.64.0.0/10")
    with transaction.atomic():
        for client in range(len(fixture.client_networks), clients):
            own = []
            for n in range(NETWORKS):
                start = netaddr.IPAddress(base.first + (client * NETWORKS + n) * 4096)
                network = subnets.create_network(fixture.project, f"bench client {client}/{n}")
                subnets.create_subnet(network, f"{start}/20")
                own.append(str(network.id))
            fixture.client_networks.append(own)


# --- sequential and concurrent launches through the API -----------------------------------

def sequential(port: int, fixture: Fixture, samples: int, warmup: int,
               bar: tqdm | None = None, floor: "FloorRunner | None" = None,
               label: str = "seq") -> tuple[dict[str, list[float]], dict[str, list[float]],
                                            list[float]]:
    """Rounds of a 1-NIC and a 4-NIC launch, a request floor (``REQUEST_FLOOR_PATH``, same
    token and connection) and, given ``floor``, a floor round, so that any drift of the
    machine hits all alike: the launches' timings, the floor's and the request floor's,
    seconds."""
    client = ApiClient(port, fixture.token)
    timings: dict[str, list[float]] = {"1": [], str(NETWORKS): []}
    floor_timings: dict[str, list[float]] = {key: [] for key in FLOOR_VARIANTS} if floor else {}
    request_timings: list[float] = []
    try:
        for round_number in range(warmup + samples):
            for key in timings:
                start = time.perf_counter()
                status, body = client.launch(f"{label}-{key}-{round_number}",
                                             fixture.networks[:int(key)])
                elapsed = time.perf_counter() - start
                if status != 201:
                    raise RuntimeError(f"launch answered {status}: {body[:300]!r}")
                if round_number >= warmup:
                    timings[key].append(elapsed)
            start = time.perf_counter()
            status, body = client.get(REQUEST_FLOOR_PATH)
            elapsed = time.perf_counter() - start
            if status != 200:
                raise RuntimeError(f"{REQUEST_FLOOR_PATH} answered {status}: {body[:300]!r}")
            if round_number >= warmup:
                request_timings.append(elapsed)
            if floor is not None:
                for key, elapsed in floor.round(round_number).items():
                    if round_number >= warmup:
                        floor_timings[key].append(elapsed)
            if bar is not None:
                bar.update(1)
    finally:
        client.close()
    return timings, floor_timings, request_timings


class CpuMeter:
    """CPU seconds spent by gunicorn (master and workers), by PostgreSQL backends (live ones
    and, through the postmaster's children times, the ones that exited: one per request
    without persistent connections), by this process (the clients), and the machine's busy
    share, from /proc. Linux, with PostgreSQL on this machine; None where unreadable."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, server_pid: int | None):
        self.server_pid = server_pid
        self.postmaster = self._postmaster()

    @staticmethod
    def _stat(pid: int) -> list[str] | None:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return text.rpartition(")")[2].split()  # [0] is field 3 (state)

    def _cpu(self, pid: int, children: bool = False) -> float:
        fields = self._stat(pid)
        if fields is None:
            return 0.0
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        if children:
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime (reaped children)
        return ticks / self.TICK

    @staticmethod
    def _children(pid: int) -> list[int]:
        try:
            return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def _postmaster(self) -> int | None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        fields = self._stat(backend)
        return int(fields[1]) if fields else None

    def sample(self) -> dict:
        try:
            cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
            ticks = [int(x) for x in cpu]
            machine = (sum(ticks) - ticks[3] - ticks[4], sum(ticks))  # minus idle, iowait
        except OSError:
            machine = None
        gunicorn = postgres = None
        if self.server_pid:
            gunicorn = self._cpu(self.server_pid) + sum(
                self._cpu(child) for child in self._children(self.server_pid))
        if self.postmaster:
            postgres = self._cpu(self.postmaster, children=True) + sum(
                self._cpu(child) for child in self._children(self.postmaster))
        times = os.times()
        return {"machine": machine, "gunicorn": gunicorn, "postgres": postgres,
                "client": times.user + times.system}

    @staticmethod
    def per_launch(before: dict, after: dict, launches: int) -> dict:
        """CPU ms per launch per component, and the machine's busy share over the run."""
        result: dict = {}
        for key in ("gunicorn", "postgres", "client"):
            if before[key] is not None and after[key] is not None and launches:
                result[f"{key}_ms"] = (after[key] - before[key]) / launches * 1000
        if before["machine"] and after["machine"]:
            busy = after["machine"][0] - before["machine"][0]
            total = after["machine"][1] - before["machine"][1]
            result["machine_busy"] = busy / total if total else 0.0
        return result


@dataclass
class ConcurrentResult:
    clients: int
    seconds: float
    launches: int
    vifs: int
    statuses: Counter
    errors: Counter
    latencies: list[float]
    cpu: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "clients": self.clients, "seconds": self.seconds, "launches": self.launches,
            "vifs": self.vifs, "vifs_per_second": self.vifs_per_second,
            "statuses": dict(self.statuses), "errors": dict(self.errors),
            "failures": sum(self.statuses.values()) - self.launches + sum(self.errors.values()),
            "cpu": self.cpu, **_stats(self.latencies or [0.0]),
        }

    @property
    def vifs_per_second(self) -> float:
        return self.vifs / self.seconds if self.seconds else 0.0


def concurrent(port: int, fixture: Fixture, clients: int, duration: float, nics: int = NETWORKS,
               warmup_each: int = 2, bar: tqdm | None = None, own_networks: bool = False,
               meter: CpuMeter | None = None) -> ConcurrentResult:
    """``clients`` threads launch ``nics``-NIC instances for ``duration`` seconds, each on its
    own connection, released together after a warm-up of their own. All on the same
    networks (so their launches queue on the same subnet locks), or with ``own_networks``
    each client on networks of its own."""
    if own_networks:
        add_client_networks(fixture, clients)
    barrier = threading.Barrier(clients + 1)
    lock = threading.Lock()
    statuses: Counter = Counter()
    errors: Counter = Counter()
    latencies: list[float] = []
    deadline = [0.0]

    def worker(number: int) -> None:
        client = ApiClient(port, fixture.token)
        networks = (fixture.client_networks[number] if own_networks else fixture.networks)[:nics]
        try:
            for attempt in range(warmup_each):
                client.launch(f"conc-warm-{number}-{attempt}", networks)
        finally:
            barrier.wait()
        attempt = 0
        try:
            while time.perf_counter() < deadline[0]:
                start = time.perf_counter()
                try:
                    status, _ = client.launch(f"conc-{number}-{attempt}", networks)
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        errors[type(error).__name__] += 1
                    continue
                finally:
                    attempt += 1
                elapsed = time.perf_counter() - start
                with lock:
                    statuses[status] += 1
                    latencies.append(elapsed)
                if bar is not None:
                    bar.update(nics if status == 201 else 0)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + 3600  # set properly once everyone is warm
    barrier.wait()
    before = meter.sample() if meter else None
    started = time.perf_counter()
    deadline[0] = started + duration
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    launched = statuses[201]
    cpu = CpuMeter.per_launch(before, meter.sample(), launched) if meter else {}
    return ConcurrentResult(clients, seconds, launched, launched * nics, statuses, errors,
                            latencies, cpu)


# --- the floor ----------------------------------------------------------------------------

def _insert_statement(model, batch: int = 1) -> tuple[str, list]:
    """``INSERT INTO <table> (<every column but an auto id>) VALUES (...)``."""
    from django.db import connection
    from django.db.models.fields import AutoFieldMixin

    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) VALUES {', '.join([row] * batch)}")
    return sql, fields


def _row(obj, fields) -> list:
    """The column values Django would send for ``obj`` (auto_now_add and defaults filled)."""
    from django.db import connection

    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


class Floor:
    """The rows of one launch, written by hand: BEGIN, INSERT instance, INSERT each VIF,
    INSERT each fixed IP, COMMIT. Every value (UUIDs, MACs, addresses, timestamps, JSON
    adapters) is computed before the clock starts."""

    def __init__(self, fixture: Fixture, addresses: int):
        self.fixture = fixture
        self.next_address = iter(take_addresses(fixture.floor_subnet, addresses))
        self.next_mac = random.getrandbits(39)

    def launch_rows(self, nics: int, name: str):
        import netaddr

        from multinic_api.models import VIF, FixedIP, Instance

        subnet = self.fixture.floor_subnet
        instance = Instance(uuid=uuid.uuid4(), name=name, hostname=name,
                            project=self.fixture.project)
        vifs, ips = [], []
        for position in range(nics):
            self.next_mac += 1
            mac = str(netaddr.EUI(FLOOR_MAC_PREFIX + self.next_mac,
                                  dialect=netaddr.mac_unix_expanded))
            vif = VIF(uuid=uuid.uuid4(), mac=mac, network_id=subnet.network_id,
                      instance=instance, position=position)
            vifs.append(vif)
            address = netaddr.IPAddress(next(self.next_address), subnet.ip_version)
            ips.append(FixedIP(vif=vif, subnet=subnet, address=str(address)))
        return instance, vifs, ips

    def plan(self, nics: int, name: str, batched: bool = False) -> list[tuple[str, list]]:
        """The statements of one launch, with their parameters."""
        from multinic_api.models import VIF, FixedIP, Instance

        instance, vifs, ips = self.launch_rows(nics, name)
        statements = []
        for model, rows in ((Instance, [instance]), (VIF, vifs), (FixedIP, ips)):
            if batched:
                sql, fields = _insert_statement(model, batch=len(rows))
                statements.append((sql, [v for row in rows for v in _row(row, fields)]))
            else:
                sql, fields = _insert_statement(model)
                statements += [(sql, _row(row, fields)) for row in rows]
        return statements


FLOOR_VARIANTS = {"1": (1, False), str(NETWORKS): (NETWORKS, False),
                  f"{NETWORKS} batched": (NETWORKS, True)}


class FloorRunner:
    """The floor, one round at a time: 1 and 4 NICs one INSERT per row, and 4 NICs with one
    INSERT per table, on a psycopg connection of its own. Rounds are interleaved with the
    API's (see :func:`sequential`), so both see the same moments of the machine."""

    def __init__(self, database_url: str, fixture: Fixture, rounds: int):
        import psycopg

        floor = Floor(fixture, floor_addresses_needed(rounds))
        self.plans = {key: [floor.plan(nics, f"floor-{key}-{i}", batched)
                            for i in range(rounds)]
                      for key, (nics, batched) in FLOOR_VARIANTS.items()}
        self.connection = psycopg.connect(database_url, autocommit=True)
        self.cursor = self.connection.cursor()

    def round(self, number: int) -> dict[str, float]:
        timings = {}
        for key, plans in self.plans.items():
            start = time.perf_counter()
            with self.connection.transaction():
                for sql, params in plans[number]:
                    self.cursor.execute(sql, params)
            timings[key] = time.perf_counter() - start
        return timings

    def close(self) -> None:
        self.connection.close()


def floor_addresses_needed(rounds: int) -> int:
    return rounds * sum(nics for nics, _ in FLOOR_VARIANTS.values())


def take_addresses(subnet, count: int) -> list[int]:
    """Hand the subnet's lowest ``count`` free addresses to the floor, as the allocator
    would (its free range then starts after them), so the subnet stays consistent once
    the floor has written them."""
    from django.db import transaction

    from multinic_api.models import FreeRange
    from multinic_api.services import ipam

    with transaction.atomic():
        (free,) = FreeRange.objects.select_for_update().filter(subnet=subnet)
        first = ipam.key_to_int(free.first)
        if first + count > ipam.key_to_int(free.last):
            raise ValueError(f"the floor needs more addresses than {subnet.cidr} holds")
        free.first = ipam.ip_key(first + count)
        free.save(update_fields=["first"])
    return [first + i for i in range(count)]


# --- where the time goes ------------------------------------------------------------------

PHASES = {
    # name: what it covers (exclusive of the phases nested inside it)
    "wsgi": "Django handler, middleware (security, session, common, CSRF, auth, messages, "
            "clickjacking, Horizon), URL routing",
    "connect": "open a PostgreSQL connection (persistent: a worker's first request, then "
               "once CONN_MAX_AGE has passed; with CONN_MAX_AGE=0: every request)",
    "dispatch": "DRF dispatch: parsers, permission, negotiation, exception handling",
    "token": "token authentication (Token + user lookup)",
    "scope": "request_scope: the caller's project",
    "validate": "LaunchSerializer validation",
    "resolve": "_resolve_nics: the networks, their subnets and pools",
    "launch": "the launch transaction: instance, VIFs (MAC retries), subnet locks, "
              "free ranges, fixed IPs, commit",
    "serialize": "InstanceSerializer: the response body from the rows the launch wrote "
                 "(and the view's glue: the validated body into NIC requests)",
    "render": "JSONRenderer: bytes",
}


class PhaseTimer:
    """Exclusive wall time and queries per phase, by wrapping functions."""

    def __init__(self):
        self.stack: list[list] = []
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.db_seconds: defaultdict[str, float] = defaultdict(float)
        self.queries: Counter = Counter()
        self.statements: Counter = Counter()
        self.calls: Counter = Counter()
        self.patched: list[tuple[object, str, object]] = []

    def wrap(self, name: str, func: Callable) -> Callable:
        @functools.wraps(func)
        def timed(*args, **kwargs):
            self.calls[name] += 1
            self.stack.append([name, time.perf_counter(), 0.0])
            try:
                return func(*args, **kwargs)
            finally:
                _, start, nested = self.stack.pop()
                elapsed = time.perf_counter() - start
                self.seconds[name] += elapsed - nested
                if self.stack:
                    self.stack[-1][2] += elapsed

        return timed

    def patch(self, owner: object, attribute: str, name: str) -> bool:
        original = owner.__dict__.get(attribute) if isinstance(owner, type) else None
        current = getattr(owner, attribute, None)
        if current is None:
            return False
        self.patched.append((owner, attribute, original if isinstance(owner, type) else current))
        setattr(owner, attribute, self.wrap(name, current))
        return True

    def restore(self) -> None:
        for owner, attribute, original in reversed(self.patched):
            if original is None:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)
        self.patched.clear()

    def execute(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            phase = self.stack[-1][0] if self.stack else "wsgi"
            self.db_seconds[phase] += time.perf_counter() - start
            self.queries[phase] += 1
            self.statements[sql.split(None, 1)[0].upper()] += 1


def _wsgi_request(app, token: str, method: str, path: str, body: bytes | None = None) -> int:
    """One request through ``app`` (a WSGI handler) as gunicorn would hand it over; the
    status code."""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}", "HTTP_ACCEPT": "application/json",
        "wsgi.input": io.BytesIO(body or b""), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if body is not None:
        environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    status: list[str] = []
    result = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        b"".join(result)
    finally:
        result.close()  # request_finished: closes the connection, as under gunicorn
    return int(status[0].split()[0])


def _wsgi_launch(app, token: str, name: str, networks: list[str]) -> int:
    body = json.dumps({"name": name, "nics": [{"network_id": n} for n in networks]}).encode()
    return _wsgi_request(app, token, "POST", "/api/instances/", body)


def request_floor_queries(token: str) -> list[str]:
    """The SQL the request floor runs, in this process through Django's WSGI handler (after
    one request to warm up): the token lookup alone, or it measures more than the
    framework."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app = get_wsgi_application()
    for _ in range(2):  # the second, warm, is the one kept
        with CaptureQueriesContext(connection) as captured:
            status = _wsgi_request(app, token, "GET", REQUEST_FLOOR_PATH)
        if status != 200:
            raise RuntimeError(f"{REQUEST_FLOOR_PATH} answered {status} in-process")
    return [query["sql"] for query in captured.captured_queries]


def _only_the_token_lookup(queries: list[str]) -> bool:
    return len(queries) == 1 and '"authtoken_token"' in queries[0]


def profile(fixture: Fixture, launches: int, warmup: int, bar: tqdm | None = None) -> dict:
    """The 4-NIC launch in this process through the WSGI handler, as configured (the site's
    ``CONN_MAX_AGE``: a persistent connection unless ``MULTINIC_DB_CONN_MAX_AGE=0``) and, for
    comparison, with a new connection per request (``CONN_MAX_AGE=0``): mean exclusive time
    per phase, the part of it spent in SQL, and the queries (as configured)."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.renderers import JSONRenderer

    from multinic_api.api import serializers, views
    from multinic_api.services import instances

    app = get_wsgi_application()
    networks = fixture.networks[:NETWORKS]
    targets = [
        (connection, "connect", "connect"),
        (views.InstanceViewSet, "dispatch", "dispatch"),
        (TokenAuthentication, "authenticate_credentials", "token"),
        (views, "request_scope", "scope"),
        (serializers.LaunchSerializer, "is_valid", "validate"),
        (instances, "_resolve_nics", "resolve"),
        (instances, "launch_instance", "launch"),
        (views.InstanceViewSet, "_launch", "serialize"),
        (JSONRenderer, "render", "render"),
    ]
    missing: list[str] = []

    def run(count: int, label: str, timer: PhaseTimer | None = None) -> list[float]:
        handler = app
        if timer is not None:
            missing[:] = [name for owner, attribute, name in targets
                          if not timer.patch(owner, attribute, name)]
            handler = timer.wrap("wsgi", app)
        timings = []
        try:
            with connection.execute_wrapper(timer.execute if timer else _passthrough):
                for i in range(count):
                    start = time.perf_counter()
                    status = _wsgi_launch(handler, fixture.token, f"prof-{label}-{i}", networks)
                    timings.append(time.perf_counter() - start)
                    if status != 201:
                        raise RuntimeError(f"in-process launch answered {status}")
                    if bar is not None:
                        bar.update(1)
        finally:
            if timer is not None:
                timer.restore()
        return timings

    configured = connection.settings_dict["CONN_MAX_AGE"]
    run(warmup, "warm")
    timer = PhaseTimer()
    run(launches, "phases", timer)
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 0
    per_request = PhaseTimer()
    try:
        run(launches, "phases-per-request", per_request)
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = configured
    phases = [{"phase": name, "what": PHASES[name],
               "ms": timer.seconds[name] / launches * 1000,
               "db_ms": timer.db_seconds[name] / launches * 1000,
               "per_request_ms": per_request.seconds[name] / launches * 1000,
               "per_request_db_ms": per_request.db_seconds[name] / launches * 1000,
               "queries": timer.queries[name] / launches}
              for name in PHASES if name not in missing]
    return {
        "launches": launches,
        "conn_max_age": configured,
        "phases": phases,
        "missing": missing,
        "statements": {k: v / launches for k, v in timer.statements.most_common()},
        "queries": sum(timer.queries.values()) / launches,
        "mean_ms": sum(timer.seconds.values()) / launches * 1000,
        "mean_per_request_ms": sum(per_request.seconds.values()) / launches * 1000,
        "connects": timer.calls["connect"],
        "per_request_connects": per_request.calls["connect"],
    }


def _passthrough(execute, sql, params, many, context):
    return execute(sql, params, many, context)


# --- crashes ------------------------------------------------------------------------------

@dataclass
class CrashResult:
    kills: int = 0
    launched: int = 0
    cut: int = 0  # requests in flight when the server died (no answer)
    cut_committed: int = 0  # of those, launches that had committed before the kill
    cut_names: list[str] = field(default_factory=list)
    refused: int = 0  # requests tried while it was down
    statuses: Counter = field(default_factory=Counter)
    first_after_restart_ok: int = 0
    restart_seconds: list[float] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def crash_repeats(server: GunicornServer, fixture: Fixture, repeats: int, clients: int = 4,
                  seed: int = 8, bar: tqdm | None = None) -> CrashResult:
    """``repeats`` times: client threads launch 1- to 4-NIC instances (the NIC count is in the
    name), the server is SIGKILLed after a random moment, restarted, and must answer the next
    launch with a 201. The invariants are checked at the end."""
    rng = random.Random(seed)
    result = CrashResult()
    lock = threading.Lock()

    def client(cycle: int, number: int, stop: threading.Event) -> None:
        api = ApiClient(server.port, fixture.token, timeout=30)
        rand = random.Random(f"{seed}-{cycle}-{number}")
        attempt = 0
        try:
            while not stop.is_set():
                nics = rand.randint(1, NETWORKS)
                name = f"crash-{nics}-{cycle}-{number}-{attempt}"
                attempt += 1
                try:
                    status, _ = api.launch(name, rand.sample(fixture.networks, nics))
                except ConnectionRefusedError:
                    with lock:
                        result.refused += 1
                    time.sleep(0.005)
                    continue
                except (OSError, http.client.HTTPException):
                    with lock:
                        result.cut += 1
                        result.cut_names.append(name)
                    continue
                with lock:
                    result.statuses[status] += 1
        finally:
            api.close()

    for cycle in range(repeats):
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(cycle, n, stop), daemon=True)
                   for n in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.05, 0.4))
        server.kill()
        result.kills += 1
        stop.set()
        for thread in threads:
            thread.join()
        started = time.perf_counter()
        server.start()
        result.restart_seconds.append(time.perf_counter() - started)
        api = ApiClient(server.port, fixture.token)
        try:
            status, body = api.launch(f"crash-1-{cycle}-after", fixture.networks[:1])
        finally:
            api.close()
        result.statuses[status] += 1
        if status == 201:
            result.first_after_restart_ok += 1
        else:
            result.violations.append(f"cycle {cycle}: first launch after restart: {status} "
                                     f"{body[:200]!r}")
        if bar is not None:
            bar.update(1)
    result.launched = result.statuses[201]
    from multinic_api.models import Instance
    from support.invariants import check_invariants

    result.cut_committed = Instance.objects.filter(name__in=result.cut_names).count()
    if set(result.statuses) - {201}:
        result.violations.append(f"answers other than 201: {dict(result.statuses)}")
    result.violations += check_invariants(name_prefix="crash-", networks=fixture.networks)
    return result


# --- the report ---------------------------------------------------------------------------

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
            row(name, f"{nics}-NIC launch via API, {q}", f"{seq[nics][f'{q}_ms']:.2f} ms")
    for key in FLOOR_VARIANTS:
        what = "one INSERT per table" if "batched" in key else "one INSERT per row"
        row("floor", f"{key.split()[0]}-NIC rows, raw SQL, {what}, p50",
            f"{floor[key]['p50_ms']:.3f} ms")
    ratio = result["ratio_to_floor"]
    row(name, f"{NETWORKS}-NIC p50 / floor p50", f"{ratio:.1f}x",
        target=f"<= {TARGET_FLOOR_RATIO:g}x", ok=ratio <= TARGET_FLOOR_RATIO)
    request, floor_p50 = result["request_floor"], floor[str(NETWORKS)]["p50_ms"]
    own = seq[str(NETWORKS)]["p50_ms"] - request["p50_ms"]
    row("request floor", f"{REQUEST_FLOOR_WHAT}, p50: the framework's own cost per request",
        f"{request['p50_ms']:.2f} ms")
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
    cost = cpu_cost(result, "concurrent")
    if cost:
        ceiling = result["cores"] * 1000 / cost * NETWORKS
        row(name, f"CPU per {NETWORKS}-NIC launch, concurrent (gunicorn + PostgreSQL + "
                  "client)", f"{cost:.1f} ms: <= {ceiling:.0f} VIFs/s on "
                             f"{result['cores']} cores")
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
               if _only_the_token_lookup(queries) else
               f"WARNING: it ran {len(queries)} queries in this process, not just the token "
               f"lookup, so it measures more than the framework: {queries}")
    print(f"Request floor ({checked}): {request['p50_ms']:.2f} ms p50 = "
          f"{request['p50_ms'] / floor_p50:.1f}x the raw-SQL {NETWORKS}-NIC floor; the "
          f"{NETWORKS}-NIC launch's own cost over it, p50 minus p50: {own:.2f} ms = "
          f"{own / floor_p50:.1f}x that floor (the target is the whole launch within "
          f"{TARGET_FLOOR_RATIO:g}x)")
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


def _stats(values: list[float]) -> dict:
    return {"p50_ms": statistics.median(values) * 1000,
            "p99_ms": percentile(values, 99) * 1000,
            "mean_ms": statistics.fmean(values) * 1000, "n": len(values)}


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
    result["sequential"] = {k: _stats(v) for k, v in seq.items()}
    result["floor"] = {k: _stats(v) for k, v in floor_timings.items()}
    result["request_floor"].update(_stats(request_timings))
    meter = CpuMeter(server.process.pid)
    for key, own in (("concurrent", False), ("concurrent_own", True)):
        what = "networks of their own" if own else "the same networks"
        with tqdm(desc=f"{args.clients} clients on {what}, {args.duration:g} s",
                  unit="VIF") as bar:
            result[key] = concurrent(server.port, fixture, args.clients, args.duration,
                                     bar=bar, own_networks=own, meter=meter).as_dict()


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
    parser.add_argument("--profile", type=int, default=100,
                        help="in-process launches timed per phase (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    os.environ.setdefault("MULTINIC_DEBUG", "0")
    # DEBUG off needs a strong key of the site's own (this process's settings; its servers
    # get theirs from support.gunicorn).
    os.environ.setdefault("MULTINIC_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("MULTINIC_ALLOWED_HOSTS", "127.0.0.1")
    import django

    django.setup()
    result = run(args)
    print_report(result)
    rows = summary_rows(result)
    if args.json:
        args.json.write_text(json.dumps({"result": result, "rows": rows}, indent=1))
    return 0 if all(row.get("ok", True) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
