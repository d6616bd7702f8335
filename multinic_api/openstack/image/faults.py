"""The image face's errors, as a Glance deployment gives them to a JSON client (they were the
REST API's).

A 401 is keystonemiddleware's, which answers for Glance before the request reaches it: JSON
``{"error": {"code": 401, "title": "Unauthorized", "message": ...}}`` and a Keystone
challenge. Every other error is Glance's own: a ``webob.exc`` exception, which WebOb renders
for ``Accept: application/json`` as ``{"message": ..., "code": "404 Not Found", "title":
"Not Found"}``; openstacksdk, which asks for JSON, reads that. Glance would render it as an
HTML page for ``*/*``; here every answer is JSON, as on every API face of this service, so
python-glanceclient (which sends ``*/*`` and whose parser wants objects nested under a key)
cannot read the message of a 404 or 405, as it cannot from Glance's own JSON.
"""

import json

import webob
import webob.exc
from django.http import HttpResponse
from rest_framework import exceptions

from multinic_api.exceptions import MultinicError
from multinic_api.openstack.faults import keystone_challenge

#: keystonemiddleware's auth_token rejection, word for word.
UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}


def glance_fault(exc, context) -> HttpResponse | None:
    """A DRF exception handler for the image face."""
    request = context["request"]
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = HttpResponse(json.dumps(UNAUTHORIZED), status=401,
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
