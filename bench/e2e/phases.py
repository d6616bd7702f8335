"""Where a launch's time goes: the launch in this process through Django's WSGI handler,
timed per phase; and the queries the request floor runs."""

import functools
import io
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from tqdm import tqdm

from bench.e2e.client import REQUEST_FLOOR_PATH
from bench.e2e.fixture import NETWORKS, Fixture

PHASES = {
    # name: what it covers (exclusive of the phases nested inside it)
    "wsgi": "Django handler, middleware (security, session, common, CSRF, auth, messages, "
            "clickjacking, Horizon), URL routing",
    "connect": "open a PostgreSQL connection (persistent: a worker's first request, then "
               "once CONN_MAX_AGE has passed; with CONN_MAX_AGE=0: every request)",
    "dispatch": "DRF dispatch: parsers, permission, negotiation, exception handling",
    "token": "token authentication (the token, its user and default project: one statement)",
    "scope": "request_scope: the caller's project",
    "validate": "LaunchSerializer validation",
    "resolve": "nics.resolve_nics: the networks, their subnets and pools",
    "launch": "the launch transaction: instance, VIFs, subnet locks, free ranges, fixed IPs "
              "(the statements below)",
    "commit": "the launch's COMMIT (with durability on: its WAL flushed to disk)",
    "serialize": "the response body (api/presenters.py) from the rows the launch wrote "
                 "(and the view's glue: the validated body into NIC requests)",
    "render": "JSONRenderer: bytes",
}


# Marked where they run, in the project's own code (multinic_api.phases); a phase no launch
# entered means a mark was lost, and is reported missing.
MARKED = ("scope", "validate", "resolve", "launch", "serialize")


class PhaseTimer:
    """Exclusive wall time and queries per phase: the phases the code marks, heard through
    :meth:`phase` (the listener of :func:`multinic_api.phases.listening`), and the
    framework's (Django's connection, DRF's dispatch and token authentication, the JSON
    renderer), by wrapping their public methods for the length of a run."""

    def __init__(self):
        self.stack: list[list] = []
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.db_seconds: defaultdict[str, float] = defaultdict(float)
        self.queries: Counter = Counter()
        self.statements: Counter = Counter()
        # per statement (its verb, table and lock): how many, and their wall time in all
        self.statement_calls: Counter = Counter()
        self.statement_seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter = Counter()
        self.patched: list[tuple[object, str, object]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.calls[name] += 1
        self.stack.append([name, time.perf_counter(), 0.0])
        try:
            yield
        finally:
            _, start, nested = self.stack.pop()
            elapsed = time.perf_counter() - start
            self.seconds[name] += elapsed - nested
            if self.stack:
                self.stack[-1][2] += elapsed

    def wrap(self, name: str, func: Callable) -> Callable:
        @functools.wraps(func)
        def timed(*args, **kwargs):
            with self.phase(name):
                return func(*args, **kwargs)

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
            elapsed = time.perf_counter() - start
            phase = self.stack[-1][0] if self.stack else "wsgi"
            self.db_seconds[phase] += elapsed
            self.queries[phase] += 1
            self.statements[sql.split(None, 1)[0].upper()] += 1
            label = f"{phase}: {statement_label(sql)}"
            self.statement_calls[label] += 1
            self.statement_seconds[label] += elapsed


_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)
_LOCK = re.compile(r"\bFOR ((?:NO )?KEY (?:SHARE|UPDATE)|UPDATE|SHARE)\b", re.IGNORECASE)


def statement_label(sql: str) -> str:
    """``INSERT multinic_api_vif``, ``SELECT multinic_api_subnet FOR NO KEY UPDATE``: what a
    statement is, for the profile's table of them."""
    verb = sql.split(None, 1)[0].upper()
    table = _TABLE.search(sql)
    lock = _LOCK.search(sql)
    return " ".join([verb, *([table.group(1)] if table else []),
                     *([f"FOR {lock.group(1).upper()}"] if lock else [])])


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


def only_the_token_lookup(queries: list[str]) -> bool:
    return len(queries) == 1 and '"authtoken_token"' in queries[0]


def profile(fixture: Fixture, launches: int, warmup: int, bar: tqdm | None = None) -> dict:
    """The 4-NIC launch in this process through the WSGI handler, as configured (the site's
    ``CONN_MAX_AGE``: a persistent connection unless ``MULTINIC_DB_CONN_MAX_AGE=0``) and, for
    comparison, with a new connection per request (``CONN_MAX_AGE=0``): mean exclusive time
    per phase, the part of it spent in SQL, and the queries (as configured)."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from rest_framework.renderers import JSONRenderer

    from multinic_api.api import views
    from multinic_api.phases import listening
    from multinic_identity.authentication import BuiltinTokenAuthentication

    app = get_wsgi_application()
    networks = fixture.networks[:NETWORKS]
    framework = [
        (connection, "connect", "connect"),
        (connection, "commit", "commit"),
        (views.InstanceViewSet, "dispatch", "dispatch"),
        (BuiltinTokenAuthentication, "authenticate_credentials", "token"),
        (JSONRenderer, "render", "render"),
    ]
    missing: list[str] = []

    def run(count: int, label: str, timer: PhaseTimer | None = None) -> list[float]:
        handler = app
        if timer is not None:
            missing[:] = [name for owner, attribute, name in framework
                          if not timer.patch(owner, attribute, name)]
            handler = timer.wrap("wsgi", app)
        timings = []
        try:
            with (connection.execute_wrapper(timer.execute if timer else _passthrough),
                  listening(timer.phase) if timer else nullcontext()):
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
        if timer is not None:
            missing.extend(name for name in MARKED if not timer.calls[name])
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
        "statement_table": [{"statement": label, "per_launch": timer.statement_calls[label]
                             / launches, "ms_each": seconds / timer.statement_calls[label] * 1000}
                            for label, seconds in timer.statement_seconds.items()],
        "queries": sum(timer.queries.values()) / launches,
        "mean_ms": sum(timer.seconds.values()) / launches * 1000,
        "mean_per_request_ms": sum(per_request.seconds.values()) / launches * 1000,
        "connects": timer.calls["connect"],
        "per_request_connects": per_request.calls["connect"],
    }


def _passthrough(execute, sql, params, many, context):
    return execute(sql, params, many, context)
