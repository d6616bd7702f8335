"""Figures of a run: the machine it ran on, and latencies summed up."""

import os
import statistics


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


def latency_stats(values: list[float]) -> dict:
    """p50, p99 and mean in milliseconds of ``values`` in seconds, and how many."""
    return {"p50_ms": statistics.median(values) * 1000,
            "p99_ms": percentile(values, 99) * 1000,
            "mean_ms": statistics.fmean(values) * 1000, "n": len(values)}
