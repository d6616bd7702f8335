"""A small OpenStack cloud on loopback, laid out as the README's "Install into an OpenStack
dashboard" says: a real Keystone 30, multinic's API under gunicorn behind keystonemiddleware
(on the test PostgreSQL), registered in Keystone's catalog with the unchanged ``openstack``
CLI, and a real openstack_dashboard with the plugin's enabled files, signing in through that
Keystone and finding the API in its catalog.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.gunicorn import GunicornServer, free_port
from tests.harness.horizon_site import HorizonSite
from tests.harness.keystone_server import KeystoneServer

AUTHTOKEN_CONF = """\
[keystone_authtoken]
www_authenticate_uri = {auth_url}
auth_url = {auth_url}
auth_type = password
username = {username}
password = {password}
project_name = {project}
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
"""

OPENSTACK = str(Path(sys.executable).with_name("openstack"))


def openstack_cli(keystone: KeystoneServer, *args: str, user: str | None = None,
                  password: str | None = None, project: str | None = None) -> object:
    """The ``openstack`` CLI as the admin (or ``user``), its JSON answer when it has one."""
    env = {**os.environ, **keystone.os_env(user, password, project)}
    result = subprocess.run([OPENSTACK, *args], env=env, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if "-f" in args and "json" in args else result.stdout


class OpenStackCloud:
    """Keystone, multinic's API and openstack_dashboard; ``start()`` then ``stop()``."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.keystone = KeystoneServer()
        self.api_port = free_port()
        self.api: GunicornServer | None = None
        self.dashboard: HorizonSite | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}/api"

    def start(self) -> OpenStackCloud:
        self.keystone.start()
        # 1. The API beside Keystone: a [keystone_authtoken] section, named by
        #    MULTINIC_KEYSTONE_CONFIG.
        config = self.directory / "multinic.conf"
        config.write_text(AUTHTOKEN_CONF.format(
            auth_url=self.keystone.auth_url, username=self.keystone.admin_username,
            password=self.keystone.admin_password, project=self.keystone.admin_project_name))
        self.api = GunicornServer(workers=2, threads=4, port=self.api_port,
                                  env={"MULTINIC_KEYSTONE_CONFIG": str(config)})
        self.api.start()
        # 2. Registered in Keystone, with the CLI, as the README shows.
        openstack_cli(self.keystone, "service", "create", "--name", "multinic",
                      "--description", "Multi-NIC network manager", "network-manager")
        for interface in ("public", "internal", "admin"):
            openstack_cli(self.keystone, "endpoint", "create", "--region", "RegionOne",
                          "network-manager", interface, self.api_url)
        # 3. The panels in a real openstack_dashboard (enabled files, settings snippet,
        #    collectstatic and compress: tests/harness/horizon_site.py).
        self.dashboard = HorizonSite(self.keystone)
        self.dashboard.start()
        return self

    def stop(self) -> None:
        for part in (self.dashboard, self.api):
            if part is not None:
                part.stop()
                part.remove_files()
        self.keystone.stop()
        self.keystone.remove_files()
