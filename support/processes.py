"""Process groups: a server started with ``start_new_session`` leads a group of its own, so
that stopping it reaches every process it forked (gunicorn's workers, a dashboard's
children), and waiting on the group tells when none of them is left."""

import os
import signal
import subprocess
import time
from pathlib import Path


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def stop_process_group(process: subprocess.Popen | None, timeout: float = 30.0) -> None:
    """SIGTERM the group ``process`` leads (started with ``start_new_session``), SIGKILL it
    if it lingers, and wait until none of its members is left."""
    if process is None:
        return
    pgid = process.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
        deadline = time.monotonic() + timeout
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not group_members(pgid):
            return
    raise AssertionError(f"processes {group_members(pgid)} of group {pgid} survived")
