"""WSGI entry point (``gunicorn multinic_site.wsgi``).

With ``MULTINIC_KEYSTONE_CONFIG`` set, the site sits behind keystonemiddleware's
``auth_token`` and accepts the cloud's Keystone tokens (``multinic_api.keystone``).
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from multinic_api.keystone import with_auth_token

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "multinic_site.settings")
application = get_wsgi_application()
if settings.MULTINIC_KEYSTONE_CONFIG:
    application = with_auth_token(application, settings.MULTINIC_KEYSTONE_CONFIG)
