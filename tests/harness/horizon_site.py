"""A real OpenStack dashboard (openstack_dashboard from the horizon wheel in our .venv) on
loopback, signed in through a real Keystone (tests/harness/keystone_server.py).

It is laid out as Horizon's manual installation says, in a temporary directory standing for
the operator's openstack_dashboard tree: ``local/local_settings.py`` (Keystone's URL, the
default domain, sessions in a file cache, COMPRESS_OFFLINE), our plugin's
``multinic_dashboard/enabled/_6*.py`` copied into ``local/enabled/`` and
``local_settings.d/_6000_multinic.py`` into ``local/local_settings.d/``, then
``manage.py collectstatic`` and ``manage.py compress``; gunicorn serves
``openstack_dashboard.wsgi`` with the collected files beside it (tests/harness/horizon_wsgi.py).

The installed package stays untouched: openstack_dashboard/settings.py finds ``local/``
(enabled files, local_settings.py, local_settings.d, .secret_key_store) next to itself, so the
temporary tree is an overlay of the installed package: a copy of its top-level modules, a
symlink for each of its subpackages and data directories, and a ``local/`` of its own. With
the overlay first on PYTHONPATH, settings.py runs unchanged and reads our ``local/``.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openstack_dashboard
import pytest
import requests

from support.gunicorn import free_port
from tests.harness.background_server import BackgroundServer
from tests.harness.keystone_server import KeystoneServer

REPO = Path(__file__).resolve().parents[2]
INSTALLED = Path(openstack_dashboard.__file__).resolve().parent
PLUGIN = REPO / "multinic_dashboard"

LOCAL_SETTINGS = """\
# local_settings.py of a test openstack_dashboard (tests/harness/horizon_site.py).
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
SECRET_KEY = {secret_key!r}

OPENSTACK_HOST = "127.0.0.1"
OPENSTACK_KEYSTONE_URL = {keystone_url!r}
OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = "Default"
OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"
TIME_ZONE = "UTC"

# No memcached here (settings.py's default cache): sessions live in a file cache, which every
# gunicorn worker sees. openstack_dashboard keeps no other data, so it has no DATABASES.
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
CACHES = {{"default": {{"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": {cache!r}}}}}

# Static files as in production: collected and compressed ahead of time (manage.py
# collectstatic and compress), served from STATIC_ROOT beside the application.
COMPRESS_OFFLINE = True
STATIC_ROOT = {static_root!r}
# One theme instead of two: compress compiles every theme's SCSS, and that is most of it.
AVAILABLE_THEMES = [("default", "Default", "themes/default")]

LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {{"stderr": {{"class": "logging.StreamHandler"}}}},
    "loggers": {{"django.request": {{"handlers": ["stderr"], "level": "ERROR"}},
                 "openstack_auth": {{"handlers": ["stderr"], "level": "WARNING"}},
                 "horizon": {{"handlers": ["stderr"], "level": "WARNING"}}}},
}}
"""

MANAGE_PY = """\
#!/usr/bin/env python
import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openstack_dashboard.settings")
execute_from_command_line(sys.argv)
"""

GUNICORN_CONF = """\
wsgi_app = "tests.harness.horizon_wsgi:application"
bind = "127.0.0.1:{port}"
workers = {workers}
threads = {threads}
graceful_timeout = 5
control_socket_disable = True  # else every gunicorn of the user shares ~/.gunicorn
"""


def _overlay(root: Path) -> Path:
    """``root/openstack_dashboard``: the installed package with a ``local/`` of its own."""
    package = root / "openstack_dashboard"
    package.mkdir()
    for entry in INSTALLED.iterdir():
        if entry.name in ("local", "__pycache__"):
            continue
        if entry.is_dir():
            (package / entry.name).symlink_to(entry, target_is_directory=True)
        else:
            # Copies, not links: wsgi.py puts realpath(__file__)/.. on sys.path, and that has
            # to be the overlay, not site-packages.
            shutil.copy2(entry, package / entry.name)
    shutil.copytree(INSTALLED / "local", package / "local",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return package


class HorizonSite(BackgroundServer):
    """openstack_dashboard under gunicorn on 127.0.0.1, signing in through ``keystone``.

    ``with_plugin=False`` leaves our enabled files and settings snippet out, for telling a
    failure of ours from one of the harness."""

    def __init__(self, keystone: KeystoneServer, with_plugin: bool = True,
                 port: int | None = None, workers: int = 2, threads: int = 4):
        self.keystone = keystone
        self.with_plugin = with_plugin
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self.root = Path(tempfile.mkdtemp(prefix="multinic-horizon-"))
        self.workdir = self.root
        self.package = self.root / "openstack_dashboard"
        self.log = self.root / "dashboard.log"
        self.process: subprocess.Popen | None = None
        self.prepare_seconds: float | None = None  # layout, collectstatic and compress
        self.startup_seconds: float | None = None  # gunicorn until /auth/login/ answers

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # --- the operator's steps -----------------------------------------------------------

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            # The overlay first, so that "openstack_dashboard" is it; the repository for
            # tests.harness.horizon_wsgi (and our plugin, installed in the venv anyway).
            "PYTHONPATH": os.pathsep.join([str(self.root), str(REPO)]),
            "DJANGO_SETTINGS_MODULE": "openstack_dashboard.settings",
            # Imports through the overlay's symlinks would otherwise write into the installed
            # package's __pycache__.
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, str(self.root / "manage.py"), *args],
                                cwd=self.root, env=self.environment(), capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}")
        return result

    def prepare(self) -> HorizonSite:
        started = time.monotonic()
        local = _overlay(self.root) / "local"
        (local / "local_settings.py").write_text(LOCAL_SETTINGS.format(
            secret_key=secrets.token_urlsafe(32), keystone_url=self.keystone.auth_url,
            cache=str(self.root / "cache"), static_root=str(self.root / "static")))
        if self.with_plugin:
            for enabled in sorted((PLUGIN / "enabled").glob("_6*.py")):
                shutil.copy2(enabled, local / "enabled" / enabled.name)
            shutil.copy2(PLUGIN / "local_settings.d" / "_6000_multinic.py",
                         local / "local_settings.d" / "_6000_multinic.py")
        (self.root / "manage.py").write_text(MANAGE_PY)
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.manage("compress", "--force", "--verbosity", "0")
        self.prepare_seconds = time.monotonic() - started
        return self

    # --- life cycle ---------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> HorizonSite:
        assert self.process is None, "already started"
        if self.prepare_seconds is None:
            self.prepare()
        started = time.monotonic()
        (self.root / "gunicorn.conf.py").write_text(GUNICORN_CONF.format(
            port=self.port, workers=self.workers, threads=self.threads))
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn"], cwd=self.root, env=self.environment(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the dashboard exited with status "
                                     f"{self.process.returncode} while starting:\n"
                                     + self.log_tail())
            try:
                with urllib.request.urlopen(self.url("/auth/login/"), timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the dashboard did not answer /auth/login/ within "
                                     f"{timeout:.0f} s:\n" + self.log_tail())
            time.sleep(0.1)
        self.startup_seconds = time.monotonic() - started
        return self

    # --- a browser's part ---------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> requests.Session:
        """Sign in through the login form as a browser does; returns the signed-in
        session (its cookies). Fails unless the form redirects away from the login page."""
        client = requests.Session()
        page = client.get(self.url("/auth/login/"), timeout=30)
        assert page.status_code == 200, (page.status_code, page.text[:2000])
        form = login_form_fields(page.text)
        form.update(username=username, password=password)
        if "domain" in form:
            form["domain"] = self.keystone.domain
        answer = client.post(self.url("/auth/login/"), data=form, timeout=60,
                             headers={"Referer": self.url("/auth/login/")},
                             allow_redirects=False)
        # A signed-in user is sent on (LOGIN_REDIRECT_URL); a refused one gets the form again.
        assert answer.status_code == 302 and "/auth/login/" not in answer.headers["Location"], (
            f"sign-in as {username} failed: {answer.status_code}\n"
            + _text_of(answer.text)[:2000] + "\n" + self.log_tail(40))
        return client


def login_form_fields(html: str) -> dict[str, str]:
    """The login form's fields and their values: inputs (the CSRF token, the hidden region
    when there is one) and selects (their selected or first option)."""
    forms = [body for body in re.findall(r"<form\b.*?</form>", html, re.S | re.I)
             if 'name="password"' in body]
    assert len(forms) == 1, f"{len(forms)} forms with a password field on /auth/login/"
    body = forms[0]
    fields: dict[str, str] = {}
    for tag in re.finditer(r"<input\b[^>]*>", body, re.I):
        name = re.search(r'name="([^"]+)"', tag.group(0))
        if name:
            value = re.search(r'value="([^"]*)"', tag.group(0))
            fields[name.group(1)] = value.group(1) if value else ""
    for select in re.finditer(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body,
                              re.S | re.I):
        options = re.findall(r'<option\b[^>]*value="([^"]*)"([^>]*)>', select.group(2), re.I)
        chosen = [value for value, rest in options if "selected" in rest] or \
            [value for value, _ in options]
        fields[select.group(1)] = chosen[0] if chosen else ""
    return fields


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))



@pytest.fixture(scope="session")
def horizon_site(keystone: KeystoneServer) -> Iterator[HorizonSite]:
    """One openstack_dashboard with our plugin's enabled files, signing in through the
    session's Keystone, for the whole test run."""
    with HorizonSite(keystone) as site:
        yield site
