"""What the standalone site's settings take from the environment to run safely in production.

Plain functions of the environment, read while ``multinic_site.settings`` is being built:
each refuses a value it cannot trust with ``ImproperlyConfigured`` naming its variable, so a
mistyped or missing setting stops the server at start-up instead of running it less safely.
"""

from collections.abc import Mapping

# Django's own test for a strong key (what check --deploy's security.W009 reports), so that the
# rule the settings enforce is the one the deploy check describes.
from django.core.checks.security.base import _check_secret_key
from django.core.exceptions import ImproperlyConfigured
from oslo_utils import strutils

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


def flag(environ: Mapping[str, str], name: str) -> bool:
    """A yes/no variable, off when unset. Oslo's spelling (1/0, true/false, yes/no, on/off), as
    in OpenStack's own configuration; anything else is refused rather than read as "no"."""
    value = environ.get(name, "")
    try:
        return strutils.bool_from_string(value, strict=True) if value else False
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be 1 or 0 (or true/false), not {value!r}.") from None


def seconds(environ: Mapping[str, str], name: str) -> int:
    """A whole number of seconds, 0 when unset."""
    value = environ.get(name, "") or "0"
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, not {value!r}.")
    return number


def proxy_ssl_header(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """``MULTINIC_TRUSTED_PROXY_HEADER`` (e.g. ``X-Forwarded-Proto``) as Django's
    SECURE_PROXY_SSL_HEADER: a request carrying that header with the value ``https`` counts as
    secure. Unset, no header is trusted; a client could otherwise claim https for itself."""
    name = environ.get("MULTINIC_TRUSTED_PROXY_HEADER", "")
    if not name:
        return None
    if not name.replace("-", "").isalnum() or not name.isascii():
        raise ImproperlyConfigured(
            f"MULTINIC_TRUSTED_PROXY_HEADER must be a header name such as X-Forwarded-Proto, "
            f"not {name!r}.")
    return "HTTP_" + name.upper().replace("-", "_"), "https"
