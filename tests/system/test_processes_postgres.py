"""The guarantees across processes: gunicorn workers on one PostgreSQL, driven over HTTP.

The threads in ``test_concurrency_postgres`` share one process; here the launches come
through the REST API into separate worker processes (each with its own connections), and
the server is SIGKILLed in the middle of them, again and again. Data is committed
(``transaction=True``) so that the server's processes see it.
"""

import os
import random
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import netaddr
import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection
from requests.exceptions import ChunkedEncodingError
from rest_framework.authtoken.models import Token

from multinic_api.models import VIF, FixedIP, FreeRange, Instance, Project, Subnet
from multinic_api.services import subnets
from multinic_identity import services as identity
from support import invariants
from support.gunicorn import GunicornServer
from tests.harness.helpers import assert_subnet_consistent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 16
NICS = 4
POOL = 24  # addresses: exactly POOL // NICS four-NIC launches fit
KILLS = 50
CRASH_CLIENTS = 6


@pytest.fixture
def start_server():
    """Start gunicorn servers; each is stopped, and its database sessions gone, afterwards
    (before pytest-django empties the tables)."""
    servers: list[GunicornServer] = []

    def start(**options) -> GunicornServer:
        server = GunicornServer(**options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
        server.remove_files()


def make_tokens(project: Project, count: int, prefix: str) -> list[str]:
    users = get_user_model().objects
    tokens = []
    for i in range(count):
        user = users.create_user(f"{prefix}-{i}")
        identity.add_member(project, user)
        tokens.append(Token.objects.create(user=user).key)
    return tokens


def session_for(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    return session


def launch_body(name: str, network_ids) -> dict:
    return {"name": name, "nics": [{"network_id": str(n)} for n in network_ids]}


def json_or_text(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def assert_instances_complete(expected_nics: dict[str, list]) -> None:
    """Every instance has the VIFs it asked for (``expected_nics``: launch name -> network
    ids in NIC order), nothing is left without its instance or VIF, MACs and addresses are
    unique."""
    problems = (invariants.orphan_problems() + invariants.instance_problems(expected_nics)
                + invariants.uniqueness_problems())
    assert not problems, problems


# --- 1. concurrency across processes -------------------------------------------------------

def test_sixteen_clients_through_four_workers_fill_a_small_pool_exactly(start_server):
    assert connection.vendor == "postgresql"
    project = Project.objects.create(name="procs")
    tokens = make_tokens(project, CLIENTS, "client")
    network = subnets.create_network(project, "small")
    subnet = subnets.create_subnet(network, "10.40.0.0/26", name="small-v4",
                                   allocation_pools=[{"start": "10.40.0.10", "end": "10.40.0.33"}])
    pool = [str(a) for a in netaddr.IPRange("10.40.0.10", "10.40.0.33")]
    assert len(pool) == POOL
    # Sync workers take one request each at a time, so 16 concurrent clients keep every
    # worker busy: four processes allocate from one subnet at once.
    server = start_server(workers=4)
    url = server.url("/api/instances/")
    barrier = threading.Barrier(CLIENTS)

    def client(index):
        outcomes = []
        with session_for(tokens[index]) as session:
            barrier.wait()
            for attempt in range(POOL):  # bounded: a correct server says 409 long before
                try:
                    response = session.post(
                        url, json=launch_body(f"c{index}-{attempt}", [network.id] * NICS),
                        timeout=120)
                except requests.RequestException as error:
                    outcomes.append(("error", repr(error)))
                    break
                outcomes.append((response.status_code, json_or_text(response)))
                if response.status_code != 201:
                    break
        return outcomes

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool_of_clients:
        results = [o for outcomes in pool_of_clients.map(client, range(CLIENTS))
                   for o in outcomes]
    elapsed = time.monotonic() - started

    statuses = Counter(status for status, _ in results)
    created = [body for status, body in results if status == 201]
    refused = [body for status, body in results if status == 409]
    others = [(status, body) for status, body in results if status not in (201, 409)]
    assert not others, (others, server.server_errors()[:3] or server.stderr_tail())
    assert not server.server_errors(), server.server_errors()[:3]
    assert len(created) == POOL // NICS, statuses
    assert len(refused) == CLIENTS, statuses  # each client stops at its first 409
    for body in refused:
        assert isinstance(body, dict) and body["code"] == "subnet_exhausted", body
        assert "No more IP addresses" in body["detail"], body

    # more than one worker process really served launches
    posts = [line for line in server.access_log_lines(at_least=1 + len(results))
             if '"POST /api/instances/' in line]  # (and the readiness probe's GET)
    assert len(posts) == len(results), posts
    pids = {int(line.split()[0].strip("<>")) for line in posts}  # "<pid> status request"
    assert len(pids) >= 2, posts
    # each worker kept its database connection (the site's CONN_MAX_AGE): one session per
    # worker that served, still open; with a connection per request there would be none
    assert len(pids) <= len(server.database_sessions()) <= 4, server.database_sessions()

    # the database: exactly the pool, once each; what the 201s said is what is stored
    assert_instances_complete({body["name"]: [network.id] * NICS for body in created})
    assert sorted(str(u) for u in Instance.objects.values_list("uuid", flat=True)) == sorted(
        body["uuid"] for body in created)
    stored = sorted(FixedIP.objects.values_list("address", flat=True),
                    key=lambda a: netaddr.IPAddress(a))
    assert stored == pool
    answered = {(i["mac"], ip["ip_address"]) for body in created for i in body["interfaces"]
                for ip in i["fixed_ips"]}
    assert answered == set(VIF.objects.values_list("mac", "fixed_ips__address"))
    assert not FreeRange.objects.filter(subnet=subnet).exists()
    assert_subnet_consistent(subnet)
    print(f"\n{len(results)} launches from {CLIENTS} clients through workers {sorted(pids)} "
          f"in {elapsed:.2f} s: {dict(statuses)}")


# --- 2. crashes -----------------------------------------------------------------------------

class Ledger:
    """What the clients asked for and what they were told, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.nics: dict[str, list] = {}         # launch name -> networks of its NICs
        self.created: dict[str, str] = {}       # uuid -> name, for launches answered 201
        self.deleting: set[str] = set()         # uuids a delete was sent for
        self.deleted: set[str] = set()          # uuids whose delete was answered 204
        self.statuses: Counter = Counter()
        self.unexpected: list = []
        self.cut = 0                            # requests the kill cut off mid-flight

    def record(self, outcome, expected_status: int) -> None:
        """A response, or the exception instead of one."""
        with self.lock:
            if isinstance(outcome, requests.Timeout):
                self.unexpected.append(("hung", repr(outcome)))
            elif isinstance(outcome, requests.ConnectionError | ChunkedEncodingError):
                # no answer, or half of one
                if "refused" in str(outcome).lower():
                    self.statuses["refused"] += 1  # sent after the kill: never reached it
                else:
                    self.statuses["cut"] += 1
                    self.cut += 1
            elif isinstance(outcome, Exception):
                self.unexpected.append(("error", repr(outcome)))
            else:
                self.statuses[outcome.status_code] += 1
                if outcome.status_code != expected_status:
                    self.unexpected.append((outcome.request.method, outcome.request.url,
                                            outcome.status_code, json_or_text(outcome)))


def rolled_back_transactions() -> int:
    """PostgreSQL's count for this database (a killed client's open transaction is one)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_rollback FROM pg_stat_database "
                       "WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_sigkill_in_the_middle_of_launches_leaves_nothing_half_done(start_server):
    seed = int(os.environ.get("MULTINIC_CRASH_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    project = Project.objects.create(name="crashes")
    tokens = make_tokens(project, CRASH_CLIENTS, "crash")
    net_a = subnets.create_network(project, "crash-a")
    subnets.create_subnet(net_a, "10.50.0.0/16", name="crash-a-v4")
    net_b = subnets.create_network(project, "crash-b")
    subnets.create_subnet(net_b, "10.51.0.0/16", name="crash-b-v4")
    subnets.create_subnet(net_b, "2001:db8:51::/64", name="crash-b-v6",
                          ipv6_address_mode="dhcpv6-stateful")
    # gthread workers: up to 2 x 4 launches in flight inside the server when it dies.
    # --preload: the master loads Django once per boot (the test boots it 51 times).
    server = start_server(workers=2, threads=4, extra_args=("--preload",))
    ledger = Ledger()
    answered = threading.Event()
    stop = threading.Event()
    owned: dict[int, list[str]] = {i: [] for i in range(CRASH_CLIENTS)}

    def send(method, path, expected_status, **options):
        """The response, or None when the request got none (recorded either way)."""
        try:
            response = method(server.url(path), timeout=60, **options)
        except requests.RequestException as error:
            ledger.record(error, expected_status)
            return None
        ledger.record(response, expected_status)
        answered.set()
        return response if response.status_code == expected_status else None

    def client(round_number, index, thread_rng):
        mine = owned[index]  # instances this client launched and may delete
        try:
            with session_for(tokens[index]) as session:
                count = 0
                while not stop.is_set():
                    if mine and thread_rng.random() < 0.25:
                        uuid = mine.pop(thread_rng.randrange(len(mine)))
                        with ledger.lock:
                            ledger.deleting.add(uuid)
                        if send(session.delete, f"/api/instances/{uuid}/", 204):
                            with ledger.lock:
                                ledger.deleted.add(uuid)
                        continue
                    name = f"r{round_number}-c{index}-{count}"
                    count += 1
                    nics = [net_a.id, net_b.id] * thread_rng.choice((2, 4))  # 4 or 8 NICs
                    with ledger.lock:
                        ledger.nics[name] = nics
                    response = send(session.post, "/api/instances/", 201,
                                    json=launch_body(name, nics))
                    if response is not None:
                        mine.append(response.json()["uuid"])
                        with ledger.lock:
                            ledger.created[mine[-1]] = name
        except Exception as error:  # noqa: BLE001 - reported by the test, not lost in a thread
            ledger.record(error, 0)

    rollbacks_before = rolled_back_transactions()
    started = time.monotonic()
    kills = 0
    booting = waiting = 0.0
    for round_number in range(KILLS):
        if round_number:
            mark = time.monotonic()
            server.start()
            booting += time.monotonic() - mark
        mark = time.monotonic()
        answered.clear()
        stop.clear()
        threads = [threading.Thread(target=client, args=(round_number, i,
                                                         random.Random(rng.random())))
                   for i in range(CRASH_CLIENTS)]
        for thread in threads:
            thread.start()
        assert answered.wait(timeout=60), ("no launch answered", ledger.statuses,
                                           server.stderr_tail())
        waiting += time.monotonic() - mark
        time.sleep(rng.uniform(0.0, 0.3))  # launches are streaming in now
        stop.set()  # no new requests; those under way are cut off by the kill
        server.kill(signal.SIGKILL)
        kills += 1
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a client hung"
    crash_phase = time.monotonic() - started

    # A restarted server works at once: its very first request launches, the next deletes.
    server.start(wait="tcp")
    with session_for(tokens[0]) as session:
        first = session.post(server.url("/api/instances/"),
                             json=launch_body("after-restart", [net_a.id, net_b.id]), timeout=60)
        assert first.status_code == 201, (first.status_code, json_or_text(first),
                                          server.stderr_tail())
        assert len(first.json()["interfaces"]) == 2
        gone = session.delete(server.url(f"/api/instances/{first.json()['uuid']}/"), timeout=60)
        assert gone.status_code == 204, (gone.status_code, json_or_text(gone))
    server.stop()  # and every session it or its killed predecessors had is gone

    rolled_back = rolled_back_transactions() - rollbacks_before
    unanswered = {name for name in ledger.nics if name not in ledger.created.values()}
    committed_unanswered = Instance.objects.filter(name__in=unanswered).count()
    context = (f"seed {seed}: {dict(ledger.statuses)}, {rolled_back} transactions rolled back, "
               f"{committed_unanswered} launches committed but never answered")
    assert kills >= 50
    assert not ledger.unexpected, (context, ledger.unexpected[:10],
                                   server.server_errors()[:3] or server.stderr_tail())
    assert not server.server_errors(), server.server_errors()[:3]
    assert ledger.statuses[201] > 0, context
    # Launches were in flight when the server died (not merely queued before it): on
    # average more than one request per kill was cut off with no answer.
    assert ledger.cut >= kills, context
    # ... and inside their transactions: PostgreSQL rolled back what the dead clients left open.
    assert rolled_back > 0, context

    # Nothing half done: no orphans, every instance whole, MACs and addresses unique.
    assert_instances_complete(ledger.nics)
    stored = set(map(str, Instance.objects.values_list("uuid", flat=True)))
    assert not ledger.deleted & stored, "an instance whose delete was answered 204 is back"
    assert set(ledger.created) - ledger.deleting <= stored, "a launch answered 201 is gone"
    # The allocator's own bookkeeping agrees: free ranges and allocations partition the pools.
    for subnet in Subnet.objects.filter(network__project=project):
        if not subnet.address_from_mac:
            assert_subnet_consistent(subnet)
    print(f"\n{kills} kills in {crash_phase:.1f} s (booting {booting:.1f} s, first answers "
          f"{waiting:.1f} s; {context}); {len(stored)} instances and "
          f"{VIF.objects.count()} VIFs left, all whole")
