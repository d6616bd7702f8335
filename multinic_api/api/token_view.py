"""``POST /api/auth/token/``: DRF's token for a built-in Identity user's name and password
(``Authorization: Token <key>``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, parsers, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from multinic_api import parsers as json_parsers
from multinic_api.api.views import errors
from multinic_identity import lockout
from multinic_identity import services as identity


class IdentityAuthTokenSerializer(AuthTokenSerializer):
    """DRF's token sign-in, checked by the built-in Identity's own rule (a password of one
    of its users), not by the site's sign-in backends (the dashboard's is Keystone's)."""

    def validate(self, attrs):
        try:
            attrs["user"] = identity.password_user(
                {"name": attrs.get("username"), "domain": {"id": "default"}},
                attrs.get("password"),
                client_address=lockout.client_address(self.context["request"]))
        except identity.LockedOut as locked:
            # Throttled: /api/'s 429, with DRF's Retry-After header.
            raise exceptions.Throttled(wait=locked.retry_after, detail=(
                "Too many failed sign-ins for this user or from this address; try again in "
                f"{locked.retry_after} seconds.")) from None
        except identity.NotAuthenticated:
            raise serializers.ValidationError("Unable to log in with provided credentials.",
                                              code="authorization") from None
        return attrs



class AuthTokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="send as 'Authorization: Token <token>'")


class AuthTokenView(ObtainAuthToken):
    """DRF's token view (it takes a form or JSON, like a sign-in form), documented with its
    400 for missing or wrong credentials and its 429 while the user or the client address is
    locked out by failed sign-ins; the password is checked by the built-in Identity."""

    serializer_class = IdentityAuthTokenSerializer
    # DRF's form parsers, and the site's JSON parser in place of DRF's.
    parser_classes = (parsers.FormParser, parsers.MultiPartParser, json_parsers.JSONParser)

    @extend_schema(summary="Your API token, for a username and password",
                   responses={200: AuthTokenResponseSerializer, **errors(400, 429)})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
