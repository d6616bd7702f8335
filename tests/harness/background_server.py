"""A test server run as a process group of its own, with its files in one directory and its
output in one log: stopping it leaves no process, stopping and removing it no file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from support.processes import stop_process_group


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
