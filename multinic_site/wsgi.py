"""WSGI entry point (``gunicorn multinic_site.wsgi``).

With ``MULTINIC_KEYSTONE_CONFIG`` set, the site sits behind keystonemiddleware's
``auth_token`` and accepts the cloud's Keystone tokens (``multinic_api.keystone``).
"""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from multinic_api.keystone import with_auth_token

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "multinic_site.settings")
application = get_wsgi_application()
if settings.MULTINIC_KEYSTONE_CONFIG:
    application = with_auth_token(application, settings.MULTINIC_KEYSTONE_CONFIG)

# What is loaded by now (Django, Horizon, the URLconf with every view: some 135,000 objects)
# lives as long as the process. Frozen, the garbage collector's full passes no longer walk it
# all again every few hundred requests, a pause of tens of milliseconds each time: measured
# by bench/end_to_end.py, a launch's p99 halves and its CPU falls by about a millisecond.
# (Before a fork, gunicorn's --preload, it also keeps the workers from copying those pages.)
import_module(settings.ROOT_URLCONF)
gc.freeze()
