"""SIGKILLs of the whole server mid-launch, each followed by a restart and a launch that
must succeed; the invariants checked at the end."""

import http.client
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tqdm import tqdm

from bench.e2e.client import ApiClient
from bench.e2e.fixture import NETWORKS, Fixture
from support.gunicorn import GunicornServer


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
