"""``Authorization: Token <key>``: DRF's token of a built-in Identity user."""

from django.conf import settings
from rest_framework.authentication import TokenAuthentication


class BuiltinTokenAuthentication(TokenAuthentication):
    """DRF's token, as long as the built-in Identity is the site's: beside a real Keystone
    (``MULTINIC_KEYSTONE_CONFIG``) only that Keystone vouches for callers. (drf-spectacular
    documents it as DRF's token scheme, whose subclasses it matches.)"""

    def authenticate(self, request):
        if settings.MULTINIC_KEYSTONE_CONFIG:
            return None
        return super().authenticate(request)

