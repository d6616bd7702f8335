"""The plugin installs the way Horizon plugins do: ``multinic_dashboard/enabled/_NNNN_*.py``.

Two checks: inside a real OpenStack dashboard (openstack_dashboard's settings plus our enabled
files, in a subprocess, since this process's Django is the standalone site's), and in the
standalone site itself, which loads the very same files.
"""

import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import horizon
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.urls import reverse
from django.utils.module_loading import import_string

import multinic_dashboard.enabled
from multinic_api import defaults
from tests.harness.helpers import sign_in

ROOT = Path(__file__).resolve().parents[2]

PANELS = {  # (dashboard, panel slug): panel class
    ("project", "multinic_instances"):
        "multinic_dashboard.dashboards.project.instances.panel.Instances",
    ("project", "multinic_networks"):
        "multinic_dashboard.dashboards.project.networks.panel.Networks",
    ("admin", "multinic_vifs"): "multinic_dashboard.dashboards.admin.vifs.panel.Interfaces",
    ("admin", "multinic_macs"): "multinic_dashboard.dashboards.admin.macs.panel.MacAddresses",
    ("admin", "multinic_baremetal"):
        "multinic_dashboard.dashboards.admin.baremetal.panel.BareMetal",
}
GROUPS = {("project", "multinic"): ["multinic_instances", "multinic_networks"],
          ("admin", "multinic_admin"): ["multinic_vifs", "multinic_macs", "multinic_baremetal"]}

# Runs under tests.harness.openstack_dashboard_settings. Every check is an assert with its
# reason, so a failure exits nonzero with a traceback; the last line of stdout is a JSON summary.
OPENSTACK_DASHBOARD_CHECK = r'''
import json, socket, sys

# Offline: any attempt to open a connection (Keystone or anything else) is a failure.
attempts = []
def _refuse(self, address, *args, **kwargs):
    attempts.append(repr(address))
    raise OSError(f"network access attempted: {address!r}")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse

# Without the standalone site, as in an OpenStack dashboard with only the plugin installed:
# importing any of multinic_site fails here.
class _WithoutTheSite:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "multinic_site":
            # Said here too: horizon's autodiscovery may swallow the ImportError.
            print(f"the plugin imported the standalone site ({name})", file=sys.stderr)
            raise ImportError(f"the plugin imported the standalone site ({name})")
        return None
sys.meta_path.insert(0, _WithoutTheSite())

import django
django.setup()

import horizon
from django.conf import settings
from django.core.management import call_command
from django.template.loader import get_template
from django.urls import reverse
from django.utils.module_loading import import_string

panels, groups = json.loads(sys.argv[1]), json.loads(sys.argv[2])
templates = json.loads(sys.argv[3])

assert "openstack_dashboard" in settings.INSTALLED_APPS, settings.INSTALLED_APPS
# The panels are clients of the API: the plugin brings its templates and static files, and
# no models (the dashboard has no multinic data, and needs no database for it).
assert "multinic_dashboard" in settings.INSTALLED_APPS, settings.INSTALLED_APPS
assert "multinic_api" not in settings.INSTALLED_APPS, settings.INSTALLED_APPS
assert len(set(settings.INSTALLED_APPS)) == len(settings.INSTALLED_APPS), settings.INSTALLED_APPS

# Resolving the URLconf runs horizon's autodiscovery and applies the enabled files' panels.
urls = {}
for dashboard, slug, dotted in panels:
    urls[slug] = reverse(f"horizon:{dashboard}:{slug}:index")
for slug in ("instances", "networks"):  # openstack_dashboard's own are still there
    urls[slug] = reverse(f"horizon:project:{slug}:index")
urls["launch"] = reverse("horizon:project:multinic_instances:launch")
# What the wizard's script calls is the panel's own (no /api/ here), under the dashboard.
for name in ("launch_preview", "launch_bonding_modes", "launch_carriers"):
    urls[name] = reverse(f"horizon:project:multinic_instances:{name}")

registered = {}
for dashboard, slug, dotted in panels:
    panel = horizon.get_dashboard(dashboard).get_panel(slug)
    assert type(panel) is import_string(dotted), (dashboard, slug, type(panel), dotted)
    registered[slug] = f"{type(panel).__module__}.{type(panel).__name__}"

found_groups = {}
for dashboard, slug, members in groups:
    group = horizon.get_dashboard(dashboard).get_panel_group(slug)
    assert group is not None, f"panel group {slug} missing from {dashboard}"
    found_groups[slug] = {"name": str(group.name), "panels": [p.slug for p in group]}
    assert found_groups[slug]["panels"] == members, (slug, found_groups[slug], members)

project_panels = [p.slug for p in horizon.get_dashboard("project").get_panels()]
admin_panels = [p.slug for p in horizon.get_dashboard("admin").get_panels()]
for own in ("instances", "networks", "overview"):
    assert own in project_panels, (own, project_panels)
for own in ("instances", "networks", "hypervisors"):
    assert own in admin_panels, (own, admin_panels)

# The panels' templates come from the apps ADD_INSTALLED_APPS brought in.
for name in templates:
    get_template(name)

# The plugin's settings, which only the local_settings.d snippet provides here.
from multinic_api import defaults
multinic_settings = {}
for name in defaults.__all__:
    assert hasattr(settings, name), f"{name} missing from an OpenStack dashboard's settings"
    multinic_settings[name] = getattr(settings, name)

call_command("check", fail_level="ERROR")

assert not attempts, attempts
assert not [name for name in sys.modules if name.partition(".")[0] == "multinic_site"]
print(json.dumps({"urls": urls, "panels": registered, "groups": found_groups,
                  "project_panels": project_panels, "admin_panels": admin_panels,
                  "installed_apps": list(settings.INSTALLED_APPS),
                  "multinic_settings": multinic_settings}))
'''


# Runs under tests.harness.openstack_dashboard_settings with multinic_api added
# (MULTINIC_WITH_CORE): the API's own deployment may share a database with anything, Horizon's
# users included.
CORE_MIGRATIONS_CHECK = r'''
import django
django.setup()
from django.conf import settings
from django.core.management import call_command

# The core's tables migrate here, where AUTH_USER_MODEL is openstack_auth's User (no table):
# they hold Keystone-style user and project ids, with no foreign key to a user model.
assert settings.AUTH_USER_MODEL == "openstack_auth.User", settings.AUTH_USER_MODEL
import io
from django.db.migrations.loader import MigrationLoader
loader = MigrationLoader(None, ignore_no_migrations=True)
for key, migration in loader.disk_migrations.items():
    if key[0] == "multinic_api":
        assert all(dep[0] == "multinic_api" for dep in migration.dependencies), (
            key, migration.dependencies)
        sql = io.StringIO()
        call_command("sqlmigrate", "multinic_api", key[1], stdout=sql)
        assert "openstack_auth" not in sql.getvalue() and "auth_user" not in sql.getvalue(), key
call_command("migrate", "multinic_api", verbosity=0)
from django.db import connection
tables = set(connection.introspection.table_names())
assert {"multinic_api_project", "multinic_api_keypair", "multinic_api_vif"} <= tables, tables
print("core migrations ok")
'''


def our_templates() -> list[str]:
    base = ROOT / "multinic_dashboard" / "templates"
    return sorted(str(p.relative_to(base)) for p in base.rglob("*.html"))


def test_panels_register_in_an_openstack_dashboard(tmp_path):
    # TMPDIR: openstack_dashboard's test settings keep a generated SECRET_KEY in a temp file.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.harness.openstack_dashboard_settings",
           "TMPDIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("DATABASE_URL", None)
    args = [json.dumps([[d, s, c] for (d, s), c in PANELS.items()]),
            json.dumps([[d, g, m] for (d, g), m in GROUPS.items()]),
            json.dumps(our_templates())]
    result = subprocess.run([sys.executable, "-c", OPENSTACK_DASHBOARD_CHECK, *args],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 0, output
    summary = json.loads(result.stdout.strip().splitlines()[-1])

    assert summary["panels"] == {slug: cls for (_, slug), cls in PANELS.items()}, output
    assert summary["urls"] == {
        "multinic_instances": "/project/multinic_instances/",
        "multinic_networks": "/project/multinic_networks/",
        "multinic_vifs": "/admin/multinic_vifs/",
        "multinic_macs": "/admin/multinic_macs/",
        "multinic_baremetal": "/admin/multinic_baremetal/",
        "instances": "/project/instances/",
        "networks": "/project/networks/",
        "launch": "/project/multinic_instances/launch/",
        "launch_preview": "/project/multinic_instances/launch/preview/",
        "launch_bonding_modes": "/project/multinic_instances/launch/bonding-modes/",
        "launch_carriers": "/project/multinic_instances/launch/carriers/",
    }
    assert summary["groups"] == {
        "multinic": {"name": "Multi-NIC", "panels": ["multinic_instances", "multinic_networks"]},
        "multinic_admin": {"name": "Multi-NIC",
                           "panels": ["multinic_vifs", "multinic_macs", "multinic_baremetal"]},
    }
    # Ours next to OpenStack's own, which still has its Instances and Networks panels.
    assert {"instances", "networks", "multinic_instances", "multinic_networks"} <= set(
        summary["project_panels"])
    apps = summary["installed_apps"]
    assert {"multinic_dashboard", "openstack_dashboard"} <= set(apps)
    assert "multinic_api" not in apps
    # Every MULTINIC_* setting arrived, with its default (the subprocess has this process's
    # environment, hence the same MULTINIC_* overrides, if any).
    assert summary["multinic_settings"] == {
        name: getattr(defaults, name) for name in defaults.__all__}


def test_the_cores_migrations_need_no_user_table(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.harness.openstack_dashboard_settings",
           "MULTINIC_WITH_CORE": "1", "TMPDIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", CORE_MIGRATIONS_CHECK], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.strip().endswith("core migrations ok")


# --- the plugin's settings --------------------------------------------------------------------

SNIPPET = ROOT / "multinic_dashboard" / "local_settings.d" / "_6000_multinic.py"


def test_every_setting_the_code_reads_has_a_default():
    read = set()
    for path in (ROOT / "multinic_api").rglob("*.py"):
        if "migrations" not in path.parts:
            read |= set(re.findall(r"settings\.(MULTINIC_[A-Z0-9_]+)", path.read_text()))
    assert read, "no MULTINIC_* settings found; has the pattern changed?"
    assert read <= set(defaults.__all__), read - set(defaults.__all__)
    for name in defaults.__all__:
        assert hasattr(defaults, name), name
        assert getattr(settings, name) == getattr(defaults, name), name  # the site's own


def test_local_settings_snippet_fills_in_defaults_and_keeps_the_operators_values():
    # As openstack_dashboard/settings.py runs it: exec in the settings module's namespace,
    # after local_settings.py (which here set the region).
    namespace = {"__name__": "openstack_dashboard.settings", "MULTINIC_REGION": "RegionTwo"}
    exec(SNIPPET.read_text(encoding="utf-8"), namespace)
    assert namespace["MULTINIC_REGION"] == "RegionTwo"
    for name in set(defaults.__all__) - {"MULTINIC_REGION"}:
        assert namespace[name] == getattr(defaults, name), name
    # Nothing else is left behind in the settings namespace.
    assert {n for n in namespace if n != "__builtins__"} == {"__name__", *defaults.__all__}


# --- the standalone site ----------------------------------------------------------------------

def enabled_modules() -> list:
    names = sorted(m.name for m in pkgutil.iter_modules(multinic_dashboard.enabled.__path__))
    return [importlib.import_module(f"multinic_dashboard.enabled.{name}") for name in names]


def test_enabled_files_are_valid_horizon_enabled_files():
    modules = enabled_modules()
    assert len(modules) == 7
    for module in modules:
        name = module.__name__.rsplit(".", 1)[1]
        # Applied in file-name order, hence the numeric prefix.
        assert re.fullmatch(r"_\d{4}_[a-z0-9_]+", name), name
        assert hasattr(module, "PANEL") or hasattr(module, "PANEL_GROUP"), name
        if hasattr(module, "PANEL"):
            assert module.PANEL_DASHBOARD in ("project", "admin"), name
            panel_class = import_string(module.ADD_PANEL)
            assert issubclass(panel_class, horizon.Panel) and panel_class.slug == module.PANEL
            assert PANELS[(module.PANEL_DASHBOARD, module.PANEL)] == module.ADD_PANEL
        else:
            assert module.PANEL_GROUP_NAME and module.PANEL_GROUP_DASHBOARD, name
        for app in getattr(module, "ADD_INSTALLED_APPS", []):
            importlib.import_module(app)
    # The group files come before the panels that go into them.
    order = [m.__name__.rsplit(".", 1)[1] for m in modules]
    for module in modules:
        if hasattr(module, "PANEL"):
            group_file = next(m for m in modules if not hasattr(m, "PANEL")
                              and m.PANEL_GROUP == module.PANEL_GROUP)
            assert order.index(group_file.__name__.rsplit(".", 1)[1]) < order.index(
                module.__name__.rsplit(".", 1)[1])


def test_every_enabled_panel_registers_in_the_standalone_site():
    for (dashboard, slug), dotted in PANELS.items():
        # Reversing resolves the URLconf, which runs horizon's autodiscovery first.
        assert reverse(f"horizon:{dashboard}:{slug}:index").startswith(f"/{dashboard}/")
        assert type(horizon.get_dashboard(dashboard).get_panel(slug)) is import_string(dotted)
    for (dashboard, group_slug), members in GROUPS.items():
        group = horizon.get_dashboard(dashboard).get_panel_group(group_slug)
        assert str(group.name) == "Multi-NIC"
        assert [p.slug for p in group] == members
    # Every panel the site has is one of the plugin's: its dashboards are only the frame.
    site_panels = {(d.slug, p.slug) for d in horizon.get_dashboards() for p in d.get_panels()}
    assert site_panels == set(PANELS)
    for app in ("multinic_api", "multinic_dashboard"):
        assert app in settings.INSTALLED_APPS


def test_the_sites_page_frame_and_styles_are_the_projects_top_level_ones():
    # The project's templates/ comes before every app's: its sign-in page replaces
    # openstack_auth's, and the plugin ships none of these.
    for name in ("base.html", "404.html", "auth/login.html", "header/_header.html"):
        assert Path(get_template(name).origin.name) == ROOT / "templates" / name
    for name in ("favicon.svg", "site.scss", "horizon_without_angular.js"):
        assert Path(finders.find(name)) == ROOT / "static" / name


def test_an_unknown_page_is_the_sites_own_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b'id="not-found"' in response.content
    assert b'href="/static/favicon.svg"' in response.content  # in the site's page frame


@pytest.mark.parametrize(("dashboard", "slug"), sorted(PANELS))
def test_every_panel_index_answers(client, cloud, dashboard, slug):
    sign_in(client, "root", "pw-root")
    response = client.get(reverse(f"horizon:{dashboard}:{slug}:index"))
    assert response.status_code == 200
