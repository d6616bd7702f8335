"""What every HTTP face shares: each face's error body, its catch-all for URLs it does not
have (so that a face answers everything, even a typo, in its own format), and its links.

The faces are ``/api/`` (its error body is :mod:`multinic_api.api.errors`, DRF's handler for
the whole REST API), the Nova compute subset, the Keystone identity subset, the Glance image
subset, the Neutron networking subset and the Ironic bare-metal subset
(:mod:`multinic_api.openstack`). Each OpenStack face answers an error as the service it
stands in for does, because its clients (novaclient, keystoneauth, openstacksdk,
glanceclient, ironicclient, the openstack CLI) read the message from there.
"""

import json
from collections.abc import Callable

import webob
import webob.exc
from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.exceptions import (
    IpAddressInUse,
    MacAddressInUse,
    MultinicError,
    NotFound,
    PortInUse,
    PortNotFound,
    SubnetExhausted,
)
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
    return 'Keystone uri="{}"'.format(absolute_url(request, "/identity/v3"))


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


def keystonemiddleware_unauthorized(request) -> HttpResponse:
    """The 401 keystonemiddleware answers in front of a service (Glance, Neutron, Ironic)."""
    response = HttpResponse(json.dumps(GLANCE_UNAUTHORIZED), status=401,
                            content_type="application/json")
    response["WWW-Authenticate"] = keystone_challenge(request)
    return response


def glance_fault(exc, context) -> HttpResponse | None:
    """A DRF exception handler for the image face."""
    request = context["request"]
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return keystonemiddleware_unauthorized(request)
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


# --- Neutron: a body naming the error's kind ---------------------------------------------------
#
# {"NeutronError": {"type": "<the exception's class name>", "message": ..., "detail": ""}};
# openstacksdk and the openstack CLI show the message. A 401 is keystonemiddleware's, as for
# Glance. An error a face raises may name its Neutron type (``neutron_type``, e.g.
# "NetworkNotFound"); otherwise it is the one Neutron's API layer gives that status.

#: The core's errors that Neutron has a name of its own for.
_NEUTRON_ERRORS = ((PortInUse, "PortInUse"), (PortNotFound, "PortNotFound"),
                   (MacAddressInUse, "MacAddressInUse"),
                   (IpAddressInUse, "IpAddressAlreadyAllocated"),
                   (SubnetExhausted, "IpAddressGenerationFailure"))
_NEUTRON_TYPES = {400: "HTTPBadRequest", 403: "HTTPForbidden", 404: "HTTPNotFound",
                  405: "HTTPMethodNotAllowed", 409: "HTTPConflict",
                  413: "HTTPRequestEntityTooLarge", 415: "HTTPUnsupportedMediaType"}


def neutron_body(code: int, message: str, kind: str | None = None) -> dict:
    """Neutron's error body."""
    return {"NeutronError": {"type": kind or _NEUTRON_TYPES.get(code, "HTTPError"),
                             "message": message, "detail": ""}}


def neutron_fault(exc, context) -> Response | HttpResponse | None:
    """A DRF exception handler for the networking face."""
    exc = as_api_exception(exc)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return keystonemiddleware_unauthorized(context["request"])
    if isinstance(exc, MultinicError):
        code, message = exc.status_code, exc.message
    elif isinstance(exc, exceptions.APIException):
        code, message = exc.status_code, str(exc.detail)
    else:
        return None  # a bug, not a client error
    kind = getattr(exc, "neutron_type", None) or next(
        (name for error, name in _NEUTRON_ERRORS if isinstance(exc, error)), None)
    return Response(neutron_body(code, message, kind), status=code)


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
        return keystonemiddleware_unauthorized(context["request"])
    return _ironic_errors(exc, context)


# --- links ---------------------------------------------------------------------------------
#
# The OpenStack services link their resources in three ways, and each face here writes its links
# with these, so that a link is absolute (or relative) in one place and all faces agree on the
# host a client called:
#
# - Nova and Ironic give a resource ``self`` (under the API version) and ``bookmark`` (without
#   it) links: ``resource_links``; a version document links to its root: ``version_links``;
# - a listing cut by ``limit`` links to its next page, as a list (Nova's ``servers_links``,
#   Neutron's ``networks_links``: ``next_page_links``) or as a bare URL (Ironic's ``next``:
#   ``next_page_url``); Keystone's listings carry ``collection_links`` instead;
# - Glance writes ``self``, ``file`` and ``schema`` relative to its endpoint: ``endpoint_path``.

#: A link as Nova, Ironic and Neutron write one: {"rel": "self", "href": "http://..."}.
Link = dict[str, str]
#: A face's request: DRF's in a view, Django's where there is no DRF view.
AnyRequest = Request | HttpRequest


def absolute_url(request: AnyRequest, path: str) -> str:
    """``path`` (from the site's root, e.g. ``/compute/v2.1/``) as an absolute URL on the host
    and scheme the client called."""
    return request.build_absolute_uri(path)


def resource_links(request: AnyRequest, face_path: str, version: str,
                   *segments: str) -> list[Link]:
    """A resource's ``self`` and ``bookmark`` links, as Nova and Ironic write them.

    ``face_path`` is where the face is mounted (``"/compute"``), ``version`` its API version
    (``"v2.1"``), ``segments`` the resource's path below it (``"servers", server_id``, or
    ``"nodes", node_id, "ports"``). ``self`` is ``{face_path}/{version}/{segments}``,
    ``bookmark`` the same without the version."""
    path = "/".join(segments)
    return [{"rel": "self", "href": absolute_url(request, f"{face_path}/{version}/{path}")},
            {"rel": "bookmark", "href": absolute_url(request, f"{face_path}/{path}")}]


def version_links(request: AnyRequest, root: str) -> list[Link]:
    """A version document's ``links``: ``self``, the version's root (``"/compute/v2.1/"``)."""
    return [{"rel": "self", "href": absolute_url(request, root)}]


def next_page_url(request: AnyRequest, **params: str) -> str:
    """This request's URL with ``params`` set in its query (``marker=..., limit=...``), its
    other parameters (filters) kept as they were: the next page of the same listing."""
    query = request.GET.copy()
    for name, value in params.items():
        query[name] = value
    return absolute_url(request, f"{request.path}?{query.urlencode()}")


def next_page_links(request: AnyRequest, marker: str, limit: int) -> list[Link]:
    """A full page's ``<collection>_links`` (Nova, Neutron): ``next``, the page that starts
    after ``marker``, of the same ``limit``."""
    return [{"rel": "next", "href": next_page_url(request, marker=marker, limit=str(limit))}]


def collection_links(request: AnyRequest) -> dict[str, str | None]:
    """A Keystone listing's ``links``: itself, and no previous or next page (Keystone's
    listings here are never cut)."""
    return {"self": absolute_url(request, request.path), "previous": None, "next": None}


def endpoint_path(*segments: str) -> str:
    """A link relative to the face's endpoint, as Glance writes ``self``, ``file`` and
    ``schema`` (``endpoint_path("v2", "images", image_id)`` is ``/v2/images/<id>``): the
    client joins it to the endpoint it called."""
    return "/" + "/".join(segments)


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
