"""``X-Auth-Token`` authentication: the OpenStack header, checked against Identity tokens."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from multinic_api.services import identity


class KeystoneTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = request.headers.get("X-Auth-Token")
        if not token:
            return None
        record = identity.validate_token(token)
        if record is None:
            raise exceptions.AuthenticationFailed("The X-Auth-Token is unknown or expired.")
        return record.user, record  # request.auth.project scopes the request

    def authenticate_header(self, request):
        return 'Keystone uri="/identity/v3"'


class KeystoneTokenScheme(OpenApiAuthenticationExtension):
    """Documents X-Auth-Token in the OpenAPI schema."""

    target_class = KeystoneTokenAuthentication
    name = "keystoneToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Auth-Token",
                "description": "A token from POST /identity/v3/auth/tokens (X-Subject-Token)"}
