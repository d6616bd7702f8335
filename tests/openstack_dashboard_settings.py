"""Django settings for an OpenStack dashboard (openstack_dashboard, as shipped in the horizon
wheel) with this plugin's enabled files added, the way plugins' own ``test/settings.py`` do it
(ironic-ui, neutron-vpnaas-dashboard, manila-ui).

Used only by ``tests/test_dashboard_plugin.py``, in a subprocess of its own: pytest's Django is
already configured with the standalone site's settings, and Django configures once per process.
Nothing here contacts Keystone: loading settings, registering panels and reversing their URLs
need no service.
"""

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

# The plugin's own settings (MAC prefix, NIC limit, ...), which an operator would put in
# openstack_dashboard/local/local_settings.d/: taken from the standalone site's settings, so
# that both run with the same values. (Importing that module only defines names.)
from multinic_dashboard import settings as _multinic_site  # noqa: E402

globals().update({name: getattr(_multinic_site, name)
                  for name in dir(_multinic_site) if name.startswith("MULTINIC_")})
