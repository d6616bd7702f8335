"""Django settings for an OpenStack dashboard (openstack_dashboard, as shipped in the horizon
wheel) with this plugin's enabled files and its local_settings.d snippet added, the way
plugins' own ``test/settings.py`` do it (ironic-ui, neutron-vpnaas-dashboard, manila-ui).

Used only by ``tests/dashboard/test_dashboard_plugin.py``, in a subprocess of its own: pytest's
Django is already configured with the standalone site's settings, and Django configures once per
process.
Nothing here contacts Keystone: loading settings, registering panels and reversing their URLs
need no service.
"""

import os

import openstack_dashboard.enabled
from openstack_dashboard.test.settings import *  # noqa: F403
from openstack_dashboard.utils import settings as settings_utils

import multinic_dashboard.enabled

# openstack_dashboard's test settings have already applied its own enabled files; apply them
# again together with ours, in one pass, so that panel customisation (which update_dashboards
# replaces, not extends) holds both. Popping these two keys avoids its deprecation warning.
HORIZON_CONFIG.pop("dashboards", None)  # noqa: F405
HORIZON_CONFIG.pop("default_dashboard", None)  # noqa: F405
INSTALLED_APPS = list(INSTALLED_APPS)  # noqa: F405
settings_utils.update_dashboards(
    [openstack_dashboard.enabled, multinic_dashboard.enabled], HORIZON_CONFIG, INSTALLED_APPS)  # noqa: F405
# The second pass prepends openstack_dashboard's own ADD_INSTALLED_APPS again; Django refuses
# duplicate app labels, so keep each app once, first occurrence first (as the plugins do).
INSTALLED_APPS = list(dict.fromkeys(INSTALLED_APPS))

# The plugin's own settings (MAC prefix, NIC limit, ...), exactly as an operator installs them:
# the plugin's local_settings.d snippet, run the way openstack_dashboard/settings.py runs each
# file in local/local_settings.d/ (exec in this module's namespace; its test settings, which
# this module starts from, do not look there).
with open(os.path.join(os.path.dirname(multinic_dashboard.__file__), "local_settings.d",
                       "_6000_multinic.py"), encoding="utf-8") as _snippet:
    exec(_snippet.read())

# As openstack_dashboard/settings.py has it (its test settings keep Django's own users):
# signed-in users are Keystone's, with no table.
AUTH_USER_MODEL = "openstack_auth.User"
# horizon's test settings name no database file; the check migrates the core into memory.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# The core's migration check (tests/dashboard/test_dashboard_plugin.py) adds the API's models,
# which an OpenStack dashboard itself does not install.
if os.environ.get("MULTINIC_WITH_CORE"):
    INSTALLED_APPS.append("multinic_api")
