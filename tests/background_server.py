"""A test server run as a process group of its own, with its files in one directory and its
output in one log: stopping it leaves no process, stopping and removing it no file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.gunicorn_server import _group_members


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
        while _group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not _group_members(pgid):
            return
    raise AssertionError(f"processes {_group_members(pgid)} of group {pgid} survived")


class BackgroundServer:
    """Subclasses start ``process`` (with ``start_new_session``) in ``start()``, write its
    output to ``log`` and keep their files under ``workdir``."""

    process: subprocess.Popen | None
    log: Path
    workdir: Path

    def start(self) -> BackgroundServer:
        raise NotImplementedError

    def stop(self) -> None:
        stop_process_group(self.process)

    def remove_files(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> BackgroundServer:
        try:
            return self.start()
        except BaseException:  # start's assertion carries the log; nothing else is kept
            self.stop()
            self.remove_files()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.remove_files()

    def log_tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return "(no output)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
