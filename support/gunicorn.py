"""The real server, for the process-level tests and the end-to-end benchmark: gunicorn in its
own process group, on the database Django is configured with (in a test session,
pytest-django's test database).

    server = GunicornServer(workers=2)
    server.start()                   # returns once it answers HTTP
    requests.get(server.url("/compute"))
    server.kill(signal.SIGKILL)      # master and workers, all at once
    server.start()                   # again, on the same port and database
    server.stop()                    # and waits until its PostgreSQL sessions are gone

Each server tags its database sessions with an ``application_name`` of its own, so the
tests can wait for the sessions of a killed server to end (PostgreSQL rolls back a session
whose client vanished as soon as it notices; pytest-django's flush and its final DROP
DATABASE need them gone). The access log records the worker pid of every request, so a
test can tell how many workers really served; a benchmark turns it off, as it would cost
every request a write.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.db import connection

from support.processes import group_members

ROOT = Path(__file__).resolve().parent.parent

# gunicorn's config file for these servers. (A 500's traceback reaches the server's stderr,
# our error log, through the site's LOGGING setting; server_errors() reads it from there.)
CONFIG = """\
def when_ready(server):
    # With --preload the master has loaded Django: import the URLconf (every view) before
    # the workers fork, so that each worker does not import them again on its first request.
    if server.cfg.preload_app:
        from django.db import connections
        from django.urls import get_resolver

        get_resolver().url_patterns
        connections.close_all()  # no connection opened here may be shared by the forks
"""


# With DEBUG off the site refuses to start without a strong key of its own (the demo key is
# public); one per process (a test session, a benchmark run), shared by its servers as
# production servers share theirs.
SECRET_KEY = secrets.token_urlsafe(50)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(application_name: str) -> str:
    """A URL for the database Django is configured with (in a test session,
    pytest-django's test database)."""
    settings = connection.settings_dict
    assert settings["ENGINE"] == "django.db.backends.postgresql", settings["ENGINE"]
    user = urllib.parse.quote(settings.get("USER") or "", safe="")
    password = urllib.parse.quote(settings.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "127.0.0.1"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    name = urllib.parse.quote(settings["NAME"], safe="")
    query = urllib.parse.urlencode({"application_name": application_name})
    return f"postgres://{credentials}{host}{port}/{name}?{query}"


def tagged(url: str, application_name: str) -> str:
    """``url`` with ``application_name`` among its query parameters (unless it has one)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    if not any(key == "application_name" for key, _ in query):
        query.append(("application_name", application_name))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


class GunicornServer:
    """``python -m gunicorn multinic_site.wsgi:application`` as a process group.

    ``database_url`` (default: the database Django is configured with) gets this server's
    ``application_name``; ``worker_class`` (default: gunicorn's choice, sync unless
    ``threads`` > 1) and ``access_log`` are what a benchmark varies."""

    def __init__(self, workers: int = 2, threads: int = 1, extra_args: tuple[str, ...] = (),
                 port: int | None = None, env: dict[str, str] | None = None,
                 database_url: str | None = None, worker_class: str | None = None,
                 access_log: bool = True, root: Path | None = None):
        self.workers = workers
        self.threads = threads
        self.worker_class = worker_class
        self.extra_args = tuple(extra_args)
        self.extra_env = dict(env or {})  # on top of environment()'s production settings
        self.port = port or free_port()
        self.application_name = f"multinic-test-{uuid.uuid4().hex[:12]}"
        self.database_url = (tagged(database_url, self.application_name) if database_url
                             else None)
        self.log_requests = access_log
        self.root = root or ROOT  # the tree whose code it serves (bench/compare.py: another)
        self.directory = Path(tempfile.mkdtemp(prefix="multinic-gunicorn-"))
        self.access_log = self.directory / "access.log"
        self.error_log = self.directory / "error.log"
        self.config = self.directory / "gunicorn.conf.py"
        self.config.write_text(CONFIG)
        self.process: subprocess.Popen | None = None
        self.starts = 0

    # --- life cycle ---------------------------------------------------------------------

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "gunicorn", "multinic_site.wsgi:application",
            "--workers", str(self.workers), "--threads", str(self.threads),
            "--bind", f"127.0.0.1:{self.port}",
            "--config", str(self.config),
            "--no-control-socket",  # gunicorn 27's; else all servers share ~/.gunicorn
            "--graceful-timeout", "5",
        ]
        if self.worker_class is not None:
            command += ["--worker-class", self.worker_class]
        if self.log_requests:
            command += ["--access-logfile", str(self.access_log),
                        # the worker's pid on every line: how many workers served
                        "--access-logformat", '%(p)s %(s)s "%(r)s"']
        return [*command, *self.extra_args]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database_url or database_url(self.application_name),
            DJANGO_SETTINGS_MODULE="multinic_site.settings",
            MULTINIC_DEBUG="0",
            MULTINIC_SECRET_KEY=SECRET_KEY,
            MULTINIC_ALLOWED_HOSTS="127.0.0.1",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0, wait: str = "http") -> "GunicornServer":
        """Start; return once it answers ``GET /compute`` (``wait="http"``) or merely
        accepts TCP connections (``wait="tcp"``: the next request is the first it serves)."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.starts += 1
        with open(self.error_log, "ab") as stderr:
            stderr.write(f"--- start {self.starts}\n".encode())
            stderr.flush()
            self.process = subprocess.Popen(
                self.command(), cwd=self.root, env=self.environment(), stdin=subprocess.DEVNULL,
                stdout=stderr, stderr=stderr, start_new_session=True,
            )
        self._wait_until_ready(timeout, wait)
        return self

    def _wait_until_ready(self, timeout: float, wait: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"gunicorn exited with status {self.process.returncode} while starting:\n"
                    + self.stderr_tail())
            try:
                if wait == "tcp":
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
                with urllib.request.urlopen(self.url("/compute"), timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(
                    f"gunicorn did not answer on port {self.port} within {timeout:.0f} s:\n"
                    + self.stderr_tail())
            time.sleep(0.02)

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 30.0) -> None:
        """Send ``sig`` to the whole process group (master and workers) and wait until
        every one of them has exited."""
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session: the master leads its own group
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while group_members(pgid):  # orphaned workers, reaped by init
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn processes {group_members(pgid)} survived")
            time.sleep(0.01)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop (SIGTERM, then SIGKILL) and wait for its database sessions to end."""
        if self.process is not None and self.process.poll() is None:
            self.kill(signal.SIGTERM, timeout=timeout)
        self.wait_for_sessions_to_end(timeout)

    def remove_files(self) -> None:
        """Its logs and config (after ``stop``, once nothing needs its logs any more)."""
        shutil.rmtree(self.directory, ignore_errors=True)

    # --- observation --------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def database_sessions(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                           [self.application_name])
            return [row[0] for row in cursor.fetchall()]

    def wait_for_sessions_to_end(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.database_sessions():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"database sessions {self.database_sessions()} outlived the server")
            time.sleep(0.02)

    def access_log_lines(self, at_least: int = 0, timeout: float = 10.0) -> list[str]:
        """The access log; with ``at_least``, wait for that many lines first (a worker logs
        a request after sending the response, so the client may see it before the log)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
            if len(lines) >= at_least or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def server_errors(self) -> list[str]:
        """The 500s' tracebacks Django logged (see CONFIG), one string each."""
        if not self.error_log.exists():
            return []
        text = self.error_log.read_text(errors="replace")
        return [m.group(0) for m in re.finditer(
            r"^\S+ \S+ \[\d+\] django\.request ERROR .*?(?=^\S+ \S+ \[|^\[|^---|\Z)",
            text, re.MULTILINE | re.DOTALL)]

    def stderr_tail(self, lines: int = 60) -> str:
        if not self.error_log.exists():
            return "(no output)"
        return "\n".join(self.error_log.read_text(errors="replace").splitlines()[-lines:])
