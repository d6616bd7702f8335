"""The standalone site's sign-in page: openstack_auth's, throttled by the built-in Identity's
lockout (multinic_identity.lockout).

The failures are counted where the password is checked, by the built-in Identity that
openstack_auth signs in against (in this process): so one failed sign-in counts once, and
against the browser's address, which crosses into that call through ``on_behalf_of``. This
page only asks first, so that while the user or the browser's address is locked the
password is not even tried, and says so.
"""

import math

from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from openstack_auth import views as openstack_auth_views
from openstack_auth.exceptions import KeystoneAuthException

from multinic_identity import lockout
from multinic_site.inprocess import on_behalf_of


def locked_out_message() -> str:
    minutes = max(1, math.ceil(lockout.retry_after() / 60))
    return ngettext("Too many failed sign-ins for this user or from this address. Try again "
                    "in %(minutes)d minute.",
                    "Too many failed sign-ins for this user or from this address. Try again "
                    "in %(minutes)d minutes.", minutes) % {"minutes": minutes}


class LockoutBackend:
    """First of the site's authentication backends: a locked sign-in stops here, before
    openstack_auth's KeystoneBackend sends the password anywhere. openstack_auth's form shows
    a KeystoneAuthException's message as the form's error (axes' own backend raises
    PermissionDenied instead, which openstack_auth's form would take for a success)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     **credentials) -> None:
        if request is None or username is None:
            return None
        if not lockout.allowed(username, lockout.client_address(request)):
            request.multinic_locked_out = True
            raise KeystoneAuthException(locked_out_message())
        return None  # not locked: the next backend checks the password

    def get_user(self, user_id):
        return None  # signs nobody in: KeystoneBackend's sessions are KeystoneBackend's


def login(request: HttpRequest) -> HttpResponse:
    """openstack_auth's sign-in, its calls to the Identity made on behalf of the browser's
    address; a locked-out attempt answers 429 with Retry-After, as axes' own pages do."""
    with on_behalf_of(lockout.client_address(request)):
        response = openstack_auth_views.login(request)
    if getattr(request, "multinic_locked_out", False):
        response.status_code = 429
        response["Retry-After"] = str(lockout.retry_after())
    return response
