"""CPU time per component, from /proc."""

import os
from pathlib import Path


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
