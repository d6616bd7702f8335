"""Beside a real Keystone: keystonemiddleware's ``auth_token`` in front of the site.

Every OpenStack service validates ``X-Auth-Token`` this way: the middleware asks Keystone
(and caches the answer), strips any identity headers a client sent, and leaves the validated
token in the WSGI environment, where ``api.authentication`` reads the caller from it. Its
options are the ``[keystone_authtoken]`` section of a config file, as in ``nova.conf``.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from keystonemiddleware import auth_token


def with_auth_token(application, config_file: str):
    """``application`` behind ``auth_token``, configured from ``config_file``.

    The decision is delayed (``delay_auth_decision``): the middleware only vouches for a
    token; the API refuses what needs one (a 401 in its own error format), and the pages
    that need none (the schema, the docs) still answer.
    """
    if not Path(config_file).is_file():
        raise ImproperlyConfigured(
            f"MULTINIC_KEYSTONE_CONFIG names {config_file}, which is not a file; it must hold "
            "a [keystone_authtoken] section for keystonemiddleware.")
    return auth_token.AuthProtocol(application, {
        "oslo_config_project": "multinic",
        "oslo_config_file": config_file,
        "delay_auth_decision": True,
    })
