"""What the OpenStack faces share about errors: status and message of an exception, and the
Keystone challenge that tells a client where to get a token."""

from collections.abc import Callable

from rest_framework import exceptions
from rest_framework.response import Response

from multinic_api.exceptions import MultinicError
from multinic_api.parsers import as_api_exception


def fault_handler(body: Callable[[int, str], dict]) -> Callable:
    """A DRF exception handler that answers with ``body(status, message)``."""

    def handle(exc, context):
        exc = as_api_exception(exc)  # a body Django refused (too big): a 4xx like any other
        if isinstance(exc, MultinicError):
            code, message = exc.status_code, exc.message
        elif isinstance(exc, exceptions.ValidationError):
            code, message = 400, f"Invalid input for field/attribute: {exc.detail}"
        elif isinstance(exc, exceptions.APIException):
            code, message = exc.status_code, str(exc.detail)
        else:
            return None  # a bug, not a client error
        response = Response(body(code, message), status=code)
        if code == 401:
            response["WWW-Authenticate"] = keystone_challenge(context["request"])
        if getattr(exc, "retry_after", None):  # a locked account: when to try again
            response["Retry-After"] = str(exc.retry_after)
        return response

    return handle


def keystone_challenge(request) -> str:
    """The ``WWW-Authenticate`` of a 401, as keystonemiddleware sends it: where to get a
    token."""
    return 'Keystone uri="{}"'.format(request.build_absolute_uri("/identity/v3"))
