"""What the standalone site's settings take from the environment to run safely in production.

Plain functions of the environment, read while ``multinic_dashboard.settings`` is being built:
each refuses a value it cannot trust with ``ImproperlyConfigured`` naming its variable, so a
mistyped or missing setting stops the server at start-up instead of running it less safely.
"""

from collections.abc import Mapping

# Django's own test for a strong key (what check --deploy's security.W009 reports), so that the
# rule the settings enforce is the one the deploy check describes.
from django.core.checks.security.base import _check_secret_key
from django.core.exceptions import ImproperlyConfigured

#: The key ``make run`` signs with when none is set. It is public (it is in this repository):
#: anyone can sign a cookie with it, so it is refused with DEBUG off, even if set explicitly.
DEMO_SECRET_KEY = "insecure-local-demo-key-change-me"

_MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' makes one"


def secret_key(environ: Mapping[str, str], debug: bool) -> str:
    """``MULTINIC_SECRET_KEY``; with DEBUG on, the demo key when it is unset.

    With DEBUG off the key signs sessions' auth hashes, the messages cookie and password reset
    links of a real site: it must be the site's own and strong (Django's W009 rule)."""
    key = environ.get("MULTINIC_SECRET_KEY", "")
    if debug:
        return key or DEMO_SECRET_KEY
    if not key:
        raise ImproperlyConfigured(
            f"MULTINIC_SECRET_KEY must be set when MULTINIC_DEBUG is off ({_MAKE_A_KEY}).")
    if key == DEMO_SECRET_KEY:
        raise ImproperlyConfigured(
            "MULTINIC_SECRET_KEY is the public demo key; set a key of your own when "
            f"MULTINIC_DEBUG is off ({_MAKE_A_KEY}).")
    if not _check_secret_key(key):
        raise ImproperlyConfigured(
            "MULTINIC_SECRET_KEY is too weak: it needs at least 50 characters, 5 of them "
            f"different, and no 'django-insecure-' prefix ({_MAKE_A_KEY}).")
    return key
