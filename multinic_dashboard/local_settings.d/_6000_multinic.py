# multinic's settings for an OpenStack dashboard. Copy this file into
# openstack_dashboard/local/local_settings.d/ alongside the enabled files in
# openstack_dashboard/local/enabled/; openstack_dashboard runs every *.py there, in name
# order, after local_settings.py, in its settings module's namespace.
#
# It gives every MULTINIC_* setting its default from multinic_api.defaults (each of which
# can be overridden with an environment variable of the same name). A value already set in
# local_settings.py is kept. To set one here instead, add a later snippet (e.g.
# _6001_multinic_local.py) that assigns it.
from multinic_api import defaults as _multinic_defaults

for _multinic_name in _multinic_defaults.__all__:
    globals().setdefault(_multinic_name, getattr(_multinic_defaults, _multinic_name))
del _multinic_defaults, _multinic_name
