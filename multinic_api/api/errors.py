"""One exception handler for the whole API: every error is JSON a person can act on.

Body: ``{"detail": "<message>", "code": "<machine code>"}``, plus ``"fields"`` with the
per-field messages when the request body was invalid.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from multinic_api.exceptions import MultinicError
from multinic_api.parsers import as_api_exception


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def exception_handler(exc, context):
    exc = as_api_exception(exc)  # a body Django refused (too big): a 4xx like any other
    if isinstance(exc, MultinicError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug, not a client error: let it surface as one
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "detail": f"Invalid input: {_first_message(fields)}",
            "code": "invalid",
            "fields": fields,
        }
    else:
        detail = response.data.get("detail", response.data) if isinstance(
            response.data, dict) else response.data
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.data["detail"] = (
            "Authentication required: send 'Authorization: Token <key>' (POST /api/auth/token/ "
            "with username and password gets one), an X-Auth-Token, or sign in."
        )
    return response
