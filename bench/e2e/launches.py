"""Launches through the API: sequential rounds (interleaved with the request floor and
the floor) and concurrent clients."""

import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tqdm import tqdm

from bench.e2e.client import REQUEST_FLOOR_PATH, ApiClient
from bench.e2e.cpu import CpuMeter
from bench.e2e.fixture import NETWORKS, Fixture, add_client_networks
from bench.e2e.floor import FLOOR_VARIANTS, FloorRunner
from bench.e2e.stats import latency_stats


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
            "cpu": self.cpu, **latency_stats(self.latencies or [0.0]),
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
