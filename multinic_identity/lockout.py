"""Throttling of failed sign-ins: the one rule every face's password check goes through
(the built-in Identity's password method, ``/api/auth/token/``, the dashboard's and the Django
admin's sign-in pages), kept by django-axes in its tables.

A user name and a client address are each locked once ``AXES_FAILURE_LIMIT`` failed sign-ins
for it (``AXES_LOCKOUT_PARAMETERS``: the user, from any address; the address, for any user)
fall within ``AXES_COOLOFF_TIME`` of each other; the lock lifts a cool-off after the last one.
This is Keystone's account lockout (``[security_compliance] lockout_failure_attempts`` and
``lockout_duration``), plus the per-address rule Keystone leaves to a proxy in front of it.

Axes reads its client from a Django request. The callers here know only a name and an
address (the Identity's password check is plain Python, and the dashboard's sign-in reaches
it through an in-process call whose own request is not the browser's), so each call hands
axes a request that carries just those two, and the address is the one given, not one
axes would read from that request again.
"""

import hashlib
import ipaddress

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials
from django.conf import settings
from django.http import HttpRequest

# The longest user name the Identity's users can have (Django's AbstractUser).
_LONGEST_NAME = 150


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``: REMOTE_ADDR, or behind
    ``MULTINIC_TRUSTED_PROXIES`` reverse proxies the address the outermost of them received
    the request from, or None for anything that is not an IP address (gunicorn behind a Unix
    socket gives none), which the database's address column could not hold.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the
    last ``MULTINIC_TRUSTED_PROXIES`` entries are the proxies' own and the one they start
    with is the client; anything left of it the client wrote itself and proves nothing. (A
    request with fewer entries did not come through them all: its REMOTE_ADDR is its
    sender.) Without this, behind a TLS proxy every client would be the proxy's address, and
    one client's failures would lock everyone out."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.MULTINIC_TRUSTED_PROXIES
    if proxies:
        forwarded = [entry.strip() for entry in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def allowed(name: str, address: str | None) -> bool:
    """Whether a sign-in as ``name`` from ``address`` may try its password."""
    return AxesProxyHandler.is_allowed(_client(address), get_credentials(_key(name)))


def failed(name: str, address: str | None) -> None:
    """Count a failed sign-in against the name and the address. The password is never
    handed to axes, so that none of its logs or rows can hold it."""
    AxesProxyHandler.user_login_failed("multinic_identity", get_credentials(_key(name)),
                                       _client(address))


def succeeded(name: str, address: str | None) -> None:
    """Forget the user's failures from this address: the user has just proved themselves
    from there, so those were their own mistakes. Failures from elsewhere stay, and so do
    the address's failures against other users: each counts towards an address's lock too,
    and forgetting them would let a victim's sign-in (or an attacker's own, between guesses
    at other users' passwords) start an attacker's count afresh. (Keystone forgets all of a
    user's failures, but has no per-address rule for that to undo.)"""
    AxesProxyHandler.reset_attempts(username=_key(name), ip_address=address)


def retry_after() -> int:
    """Seconds until a lock taken now lifts: the cool-off, counted from the last failure."""
    cool_off = get_cool_off()
    return int(cool_off.total_seconds()) if cool_off else 0


def _client(address: str | None) -> HttpRequest:
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = address or ""
    AxesProxyHandler.update_request(request)
    request.axes_ip_address = address  # the caller's, however axes would resolve this request
    return request


def _key(name: str) -> str:
    """The name as axes stores it. A name no user can have (too long for axes' column, or
    text the database cannot store: NUL, a lone surrogate) is kept as its digest: it is still
    counted, and nobody's own name."""
    if len(name) <= _LONGEST_NAME and "\x00" not in name:
        try:
            name.encode("utf-8")
            return name
        except UnicodeEncodeError:
            pass
    return "sha256:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
