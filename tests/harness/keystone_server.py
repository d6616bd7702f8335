"""A real Keystone on loopback, for tests that need OpenStack's identity service itself.

``tools/keystone/setup.sh`` builds Keystone 30.0.0 and gunicorn from PyPI into a venv of their
own, cached under ~/.cache/multinic-keystone/ (``make test`` runs it first; ``keystone_home``
runs it again, which is instant once built, so ``pytest`` alone works too). A server is a
temporary directory with a keystone.conf (SQLite, fernet tokens), the migrated database that
setup.sh made (copied, not migrated again), ``keystone-manage fernet_setup``,
``credential_setup`` and ``bootstrap`` (admin user, project and role, region RegionOne, the
identity endpoint at this server's URL), and gunicorn serving ``keystone.wsgi.api:application``
on 127.0.0.1 in a process group of its own::

    with KeystoneServer() as keystone:
        keystone.register_service(url="http://127.0.0.1:8000/", type="network-manager")
        project_id = keystone.create_project("demo")
        keystone.create_user("demo", "secret", "demo")
        subprocess.run(["openstack", "token", "issue"], env={**os.environ, **keystone.os_env()})

The session fixture ``keystone`` starts one for the whole run. Nothing here is skipped when
Keystone cannot be built or started: that fails the tests that need it.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from support.gunicorn import free_port
from tests.harness.background_server import BackgroundServer

REPO = Path(__file__).resolve().parents[2]
SETUP = REPO / "tools" / "keystone" / "setup.sh"

KEYSTONE_CONF = """\
[DEFAULT]
# Logs go to the server's stderr, which the harness keeps in its directory.
use_stderr = true
debug = false

[database]
connection = sqlite:///{directory}/keystone.db

[token]
provider = fernet

[fernet_tokens]
key_repository = {directory}/fernet-keys
# fernet_setup also creates [fernet_receipts]' repository, /etc/keystone/fernet-keys by
# default, unless both name the same directory.
[fernet_receipts]
key_repository = {directory}/fernet-keys

[credential]
key_repository = {directory}/credential-keys

[identity]
# bcrypt's fewest rounds: every password sign-in pays them, and tests sign in often.
password_hash_rounds = 4
"""

GUNICORN_CONF = """\
wsgi_app = "keystone.wsgi.api:application"
bind = "127.0.0.1:{port}"
workers = {workers}
threads = {threads}
graceful_timeout = 5
control_socket_disable = True  # else every gunicorn of the user shares ~/.gunicorn
preload_app = True  # import keystone once, in the master, not once per worker
"""


def keystone_home(timeout: float = 1200) -> Path:
    """The cache entry setup.sh built (``venv/`` and ``keystone-migrated.db``); builds it
    first when it is missing."""
    result = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{SETUP} failed:\n{result.stdout}\n{result.stderr}"
    return Path(result.stdout.strip().splitlines()[-1])


class KeystoneServer(BackgroundServer):
    """Keystone 30 under gunicorn on 127.0.0.1, with its own SQLite database and keys."""

    region = "RegionOne"
    admin_username = "admin"
    admin_project_name = "admin"
    domain = "Default"  # the domain bootstrap creates (id "default")

    def __init__(self, admin_password: str = "keystone-admin", port: int | None = None,
                 workers: int = 2, threads: int = 4, home: Path | None = None):
        self.admin_password = admin_password
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self.home = home  # setup.sh's entry; found (or built) on start when None
        self.directory = Path(tempfile.mkdtemp(prefix="multinic-keystone-"))
        self.workdir = self.directory
        self.config = self.directory / "keystone.conf"
        self.log = self.directory / "keystone.log"
        self.process: subprocess.Popen | None = None
        self.startup_seconds: float | None = None  # set by start(): files, keys, bootstrap, up
        self._admin_session: ks_session.Session | None = None

    # --- addresses and credentials ------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth_url(self) -> str:
        """The identity v3 endpoint, as bootstrap registered it in the catalog."""
        return f"{self.url}/v3"

    def os_env(self, username: str | None = None, password: str | None = None,
               project: str | None = None) -> dict[str, str]:
        """``OS_*`` variables for the ``openstack`` CLI (the admin's unless told)."""
        return {
            "OS_AUTH_URL": self.auth_url,
            "OS_IDENTITY_API_VERSION": "3",
            "OS_AUTH_TYPE": "password",
            "OS_USERNAME": username or self.admin_username,
            "OS_PASSWORD": password or self.admin_password,
            "OS_PROJECT_NAME": project or self.admin_project_name,
            "OS_USER_DOMAIN_NAME": self.domain,
            "OS_PROJECT_DOMAIN_NAME": self.domain,
            "OS_REGION_NAME": self.region,
            "OS_INTERFACE": "public",
        }

    def session(self, username: str, password: str, project: str | None) -> ks_session.Session:
        """A keystoneauth1 session signed in as ``username`` (project-scoped when given)."""
        scope = ({"project_name": project, "project_domain_name": self.domain}
                 if project else {})
        auth = v3.Password(auth_url=self.auth_url, username=username, password=password,
                           user_domain_name=self.domain, **scope)
        return ks_session.Session(auth=auth)

    @property
    def admin(self) -> ks_session.Session:
        if self._admin_session is None:
            self._admin_session = self.session(self.admin_username, self.admin_password,
                                               self.admin_project_name)
        return self._admin_session

    # --- life cycle ---------------------------------------------------------------------

    def _venv(self, name: str) -> str:
        return str(self.home / "venv" / "bin" / name)

    def _manage(self, *args: str) -> None:
        result = subprocess.run(
            [self._venv("keystone-manage"), "--config-file", str(self.config), *args],
            cwd=self.directory, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (
            f"keystone-manage {args[0]} failed ({result.returncode}):\n{result.stderr[-4000:]}")

    def start(self, timeout: float = 60.0) -> KeystoneServer:
        assert self.process is None, "already started"
        started = time.monotonic()
        if self.home is None:
            self.home = keystone_home()
        self.config.write_text(KEYSTONE_CONF.format(directory=self.directory))
        # The schema setup.sh migrated once for this recipe; db_sync would redo it (seconds).
        shutil.copyfile(self.home / "keystone-migrated.db", self.directory / "keystone.db")
        # keystone-manage refuses to run as root without naming who owns the key files.
        owner = ["--keystone-user", pwd.getpwuid(os.getuid()).pw_name,
                 "--keystone-group", grp.getgrgid(os.getgid()).gr_name]
        bootstrap = ["bootstrap", "--bootstrap-password", self.admin_password,
                     "--bootstrap-username", self.admin_username,
                     "--bootstrap-project-name", self.admin_project_name,
                     "--bootstrap-role-name", "admin",
                     "--bootstrap-region-id", self.region,
                     "--bootstrap-public-url", self.auth_url,
                     "--bootstrap-internal-url", self.auth_url,
                     "--bootstrap-admin-url", self.auth_url]
        # Each step is mostly keystone's import time. Bootstrap wants the token keys to exist,
        # the credential keys are needed only by the server: those two run side by side.
        with ThreadPoolExecutor(1) as pool:
            credentials = pool.submit(self._manage, "credential_setup", *owner)
            self._manage("fernet_setup", *owner)
            self._manage(*bootstrap)
            credentials.result()
        env = {**os.environ,
               "OS_KEYSTONE_CONFIG_DIR": str(self.directory),
               "OS_KEYSTONE_CONFIG_FILES": self.config.name,
               "PYTHONUNBUFFERED": "1"}
        # Keystone parses the process's command line as its own options (oslo.config), so
        # gunicorn gets nothing there: its settings come from ./gunicorn.conf.py instead.
        (self.directory / "gunicorn.conf.py").write_text(GUNICORN_CONF.format(
            port=self.port, workers=self.workers, threads=self.threads))
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [self._venv("gunicorn")], cwd=self.directory, env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        self._wait_until_ready(timeout)
        self.startup_seconds = time.monotonic() - started
        return self

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"keystone exited with status {self.process.returncode} while starting:\n"
                    + self.log_tail())
            try:
                with urllib.request.urlopen(self.auth_url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"keystone did not answer GET /v3 within {timeout:.0f} s:\n"
                                     + self.log_tail())
            time.sleep(0.05)

    # --- identity data, through the API as the admin ------------------------------------

    def _post(self, path: str, body: dict) -> dict:
        response = self.admin.post(f"{self.auth_url}{path}", json=body, raise_exc=False)
        assert response.status_code == 201, (path, response.status_code, response.text)
        return response.json()

    def _find(self, collection: str, name: str) -> str:
        response = self.admin.get(f"{self.auth_url}/{collection}", params={"name": name})
        found = response.json()[collection]
        assert len(found) == 1, f"{len(found)} {collection} named {name!r}: {found}"
        return found[0]["id"]

    def register_service(self, url: str, type: str = "network-manager",
                         name: str = "multinic",
                         interfaces: tuple[str, ...] = ("public", "internal", "admin")) -> str:
        """A service and its endpoints at ``url`` in RegionOne; returns the service's id."""
        service = self._post("/services", {"service": {"type": type, "name": name,
                                                       "enabled": True}})["service"]
        for interface in interfaces:
            self._post("/endpoints", {"endpoint": {
                "service_id": service["id"], "interface": interface, "url": url,
                "region_id": self.region, "enabled": True}})
        return service["id"]

    def create_project(self, name: str, description: str = "") -> str:
        return self._post("/projects", {"project": {
            "name": name, "domain_id": "default", "description": description,
            "enabled": True}})["project"]["id"]

    def role_id(self, name: str) -> str:
        return self._find("roles", name)

    def project_id(self, name: str) -> str:
        return self._find("projects", name)

    def create_user(self, name: str, password: str, project: str,
                    roles: list[str] | tuple[str, ...] = ("member",)) -> str:
        """A user in the Default domain with ``roles`` on ``project`` (its name), which is
        also its default project; returns the user's id."""
        project_id = self.project_id(project)
        user_id = self._post("/users", {"user": {
            "name": name, "password": password, "domain_id": "default",
            "default_project_id": project_id, "enabled": True}})["user"]["id"]
        for role in roles:
            response = self.admin.put(
                f"{self.auth_url}/projects/{project_id}/users/{user_id}/roles/"
                f"{self.role_id(role)}", raise_exc=False)
            assert response.status_code == 204, (role, response.status_code, response.text)
        return user_id


@pytest.fixture(scope="session")
def keystone() -> Iterator[KeystoneServer]:
    """One Keystone for the whole test run, stopped (and its files removed) at the end."""
    with KeystoneServer() as server:
        yield server
