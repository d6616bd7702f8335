"""What every HTTP face shares: each face's error body, and its catch-all for URLs it does not
have, so that a face answers everything, even a typo, in its own format.

The faces are ``/api/`` (its error body is :mod:`multinic_api.api.errors`, DRF's handler for
the whole REST API), the Nova compute subset, the Keystone identity subset, the Glance image
subset and the Ironic bare-metal subset (:mod:`multinic_api.openstack`). Each OpenStack face
answers an error as the service it stands in for does, because its clients (novaclient,
keystoneauth, openstacksdk, glanceclient, ironicclient) read the message from there.
"""

import json
from collections.abc import Callable

import webob
import webob.exc
from django.http import HttpResponse
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.exceptions import MultinicError, NotFound
from multinic_api.parsers import as_api_exception

# --- Answers in JSON, whatever Accept says ------------------------------------------------------
# Nova, Keystone and Glance speak JSON only and answer it to any Accept (Nova falls back to JSON
# for a type it cannot serve); so do the REST API's config drive and domain views for their
# errors (their files are plain responses of their own type). DRF's defaults would answer
# ``Accept: text/html`` with its browsable HTML page, and an Accept it cannot serve (an ISO,
# XML) with a 406, to clients that parse JSON.

class JSONOnly(DefaultContentNegotiation):
    """Request bodies are parsed by their content type, as DRF does; answers are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class JSONAnswers:
    """Mixed into a view that answers JSON only."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly


# --- Nova and Keystone: a body made of status and message ------------------------------------

_NOVA_FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden",
                     404: "itemNotFound", 405: "badMethod", 406: "notAcceptable",
                     409: "conflictingRequest", 413: "overLimit", 415: "badMediaType"}
_KEYSTONE_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                    405: "Method Not Allowed", 413: "Request Entity Too Large",
                    415: "Unsupported Media Type"}


def nova_body(code: int, message: str) -> dict:
    """Nova's error body: {"<faultName>": {"code": N, "message": "..."}}."""
    return {_NOVA_FAULT_NAMES.get(code, "computeFault"): {"code": code, "message": message}}


def keystone_body(code: int, message: str) -> dict:
    """Keystone's error body: {"error": {"code", "message", "title"}}."""
    return {"error": {"code": code, "message": message,
                      "title": _KEYSTONE_TITLES.get(code, "Error")}}


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


nova_fault = fault_handler(nova_body)
keystone_fault = fault_handler(keystone_body)


def keystone_challenge(request) -> str:
    """The ``WWW-Authenticate`` of a 401, as keystonemiddleware sends it: where to get a
    token."""
    return 'Keystone uri="{}"'.format(request.build_absolute_uri("/identity/v3"))


# --- Glance: keystonemiddleware's 401, WebOb's other errors ----------------------------------
#
# A 401 is keystonemiddleware's, which answers for Glance before the request reaches it: JSON
# {"error": {"code": 401, "title": "Unauthorized", "message": ...}} and a Keystone challenge.
# Every other error is Glance's own: a webob.exc exception, which WebOb renders for
# "Accept: application/json" as {"message": ..., "code": "404 Not Found", "title": "Not
# Found"}; openstacksdk, which asks for JSON, reads that. Glance would render it as an HTML
# page for "*/*"; here every answer is JSON, as on every API face of this service, so
# python-glanceclient (which sends "*/*" and whose parser wants objects nested under a key)
# cannot read the message of a 404 or 405, as it cannot from Glance's own JSON.

#: keystonemiddleware's auth_token rejection, word for word.
GLANCE_UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                                 "message": "The request you have made requires "
                                            "authentication."}}


def glance_fault(exc, context) -> HttpResponse | None:
    """A DRF exception handler for the image face."""
    request = context["request"]
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = HttpResponse(json.dumps(GLANCE_UNAUTHORIZED), status=401,
                                content_type="application/json")
        response["WWW-Authenticate"] = keystone_challenge(request)
        return response
    if isinstance(exc, MultinicError):
        code, message = exc.status_code, exc.message
    elif isinstance(exc, exceptions.APIException):
        code, message = exc.status_code, str(exc.detail)
    else:
        return None  # a bug, not a client error
    return webob_error(request, code, message)


def webob_error(request, code: int, message: str) -> HttpResponse:
    """What Glance answers a JSON client when it raises
    ``webob.exc.HTTP<code>(explanation=message)`` (WebOb's words, e.g. for a 405)."""
    error = webob.exc.status_map.get(code, webob.exc.HTTPBadRequest)(explanation=message)
    rendered = webob.Request.blank("/", environ={"REQUEST_METHOD": request.method},
                                   headers={"Accept": "application/json"}).get_response(error)
    return HttpResponse(rendered.body, status=code, content_type="application/json")


# --- Ironic: a JSON document inside a JSON string ------------------------------------------
#
# Ironic's ParsableErrorMiddleware wraps its error (a dict with "faultstring", "faultcode"
# and "debuginfo") as a *string* under "error_message"; python-ironicclient and openstacksdk
# decode that string and show its faultstring. A 401 is keystonemiddleware's, in front of
# Ironic as in front of Glance.

def ironic_body(code: int, message: str) -> dict:
    """Ironic's error body: {"error_message": "{\"faultstring\": ..., ...}"}."""
    return {"error_message": json.dumps({"faultstring": message,
                                         "faultcode": "Client" if code < 500 else "Server",
                                         "debuginfo": None})}


_ironic_errors = fault_handler(ironic_body)


def ironic_fault(exc, context) -> HttpResponse | Response | None:
    """A DRF exception handler for the bare-metal face."""
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = HttpResponse(json.dumps(GLANCE_UNAUTHORIZED), status=401,
                                content_type="application/json")
        response["WWW-Authenticate"] = keystone_challenge(context["request"])
        return response
    return _ironic_errors(exc, context)


# --- the catch-all ---------------------------------------------------------------------------

def no_such_resource_view(face_view: type[APIView],
                          explain: Callable[[str], str]) -> type[APIView]:
    """The view for every URL under a face that the face does not have (a typo, a malformed
    id): a 404 in the face's own format, from the face's own base view (its error body, its
    headers), whatever the method and without asking who calls. ``explain(path)`` is the
    message."""

    class NoSuchResourceView(face_view):
        """A URL the face does not have: its own JSON 404, not Django's HTML page."""

        schema = None
        authentication_classes = []
        permission_classes = [AllowAny]

        def _not_found(self, request, *args, **kwargs):
            raise NotFound(explain(request.path))

        get = post = put = patch = delete = head = options = _not_found
    return NoSuchResourceView
