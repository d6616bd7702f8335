"""``X-Auth-Token`` authentication: the OpenStack header.

Beside a real Keystone, keystonemiddleware's ``auth_token`` (wrapped around the site by
``multinic_site.wsgi`` when ``MULTINIC_KEYSTONE_CONFIG`` is set) has validated the
token before Django sees the request and left its verdict in the WSGI environment, which no
client can write; the caller is then what the token says. Without it, the built-in Identity
(``multinic_identity``) checks its own tokens.
"""

from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from multinic_identity import services as identity

#: Where keystonemiddleware leaves the validated token (its ``UserAuthPlugin``).
TOKEN_AUTH_ENVIRON = "keystone.token_auth"


@dataclass(frozen=True)
class KeystoneCaller:
    """A caller vouched for by Keystone: what the token says, nothing stored. Shaped like a
    Django user where DRF and the views look (``is_authenticated``, ``is_staff``)."""

    user_id: str
    username: str
    project_id: str | None
    project_name: str | None
    roles: frozenset[str]

    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False
    is_active: ClassVar[bool] = True

    @classmethod
    def from_access(cls, access) -> "KeystoneCaller":
        """From keystoneauth's ``AccessInfo`` of the validated token."""
        return cls(user_id=access.user_id, username=access.username,
                   project_id=access.project_id, project_name=access.project_name,
                   roles=frozenset(access.role_names or ()))

    @classmethod
    def from_dashboard_user(cls, user) -> "KeystoneCaller":
        """From the dashboard's signed-in user (openstack_auth's, made from a token), for a
        browser that calls the API with its dashboard session."""
        return cls(user_id=user.id, username=user.username, project_id=user.project_id,
                   project_name=user.project_name,
                   roles=frozenset(role["name"] for role in user.roles))

    @property
    def pk(self) -> str:
        return self.user_id

    @property
    def is_superuser(self) -> bool:
        """Keystone's ``admin`` role is an administrator here."""
        return "admin" in self.roles

    is_staff = is_superuser

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


class KeystoneTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = request.headers.get("X-Auth-Token")
        if not token:
            return None
        token_auth = request.META.get(TOKEN_AUTH_ENVIRON)
        if token_auth is not None:
            if not token_auth.has_user_token:
                raise exceptions.AuthenticationFailed("Keystone refused the X-Auth-Token: it "
                                                      "is unknown, expired or revoked.")
            return KeystoneCaller.from_access(token_auth.user), token_auth
        if getattr(settings, "MULTINIC_KEYSTONE_CONFIG", ""):
            # Configured for a Keystone but not behind its middleware (another WSGI entry):
            # the built-in Identity still vouches for nobody.
            raise exceptions.AuthenticationFailed("This site takes the cloud's Keystone "
                                                  "tokens only.")
        record = identity.validate_token(token)
        if record is None:
            raise exceptions.AuthenticationFailed("The X-Auth-Token is unknown or expired.")
        return record.user, record  # request.auth.project scopes the request

    def authenticate_header(self, request):
        return 'Keystone uri="/identity/v3"'


class DashboardSessionAuthentication(authentication.SessionAuthentication):
    """A browser signed in to this site (the dashboard, or the Django admin), with DRF's
    CSRF rule. A dashboard session acts with the Keystone token it holds, which must still
    be good: revoked or expired, the session no longer reaches the API. Beside a real
    Keystone, callers bring its token (X-Auth-Token) and sessions are not taken."""

    def authenticate(self, request):
        if getattr(settings, "MULTINIC_KEYSTONE_CONFIG", ""):
            return None
        result = super().authenticate(request)
        token = getattr(result[0], "token", None) if result else None
        if token is not None and identity.validate_token(token.id) is None:
            raise exceptions.AuthenticationFailed("This session's token is no longer valid; "
                                                  "sign in again.")
        return result


class KeystoneTokenScheme(OpenApiAuthenticationExtension):
    """Documents X-Auth-Token in the OpenAPI schema."""

    target_class = KeystoneTokenAuthentication
    name = "keystoneToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Auth-Token",
                "description": "A Keystone token (X-Subject-Token of POST "
                               "/identity/v3/auth/tokens, or of the cloud's Keystone)"}


class DashboardSessionScheme(SessionScheme):
    """Documents the session as drf-spectacular documents DRF's own."""

    target_class = DashboardSessionAuthentication
