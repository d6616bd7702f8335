"""A requests transport that hands a request to this Django site's own handler, in this
thread, instead of sending it over a socket.

Where the API is served by the same server as the panels (the standalone site, ``make run``,
gunicorn's sync workers), a page that called the API over HTTP would wait for a second free
worker of its own server: with every worker busy rendering such a page, none is left and all
wait for ever. Dispatched here, the API call runs inside the page's request, through the same
middleware and views as over HTTP, with the same headers, and the client code (keystoneauth,
requests) is the same whichever way its calls travel.
"""

from __future__ import annotations

import sys
from io import BytesIO
from urllib.parse import unquote_to_bytes, urlsplit

from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.utils import timezone, translation
from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

_handler: BaseHandler | None = None


def _site_handler() -> BaseHandler:
    """This site's request handler, its middleware loaded once per process."""
    global _handler
    if _handler is None:
        handler = BaseHandler()
        handler.load_middleware()
        _handler = handler
    return _handler


def _environ(request: PreparedRequest) -> dict:
    url = urlsplit(request.url)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    environ = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        # PEP 3333: the path percent-decoded, its bytes as latin-1 text.
        "PATH_INFO": unquote_to_bytes(url.path or "/").decode("latin-1"),
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme or "http",
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ[key] = value
        elif key != "CONTENT_LENGTH":  # the body's own length is set above
            environ[f"HTTP_{key}"] = value
    return environ


class InProcessAdapter(BaseAdapter):
    """Mount on a ``requests.Session`` for the URL prefix this site answers."""

    def send(self, request: PreparedRequest, stream: bool = False, timeout=None,
             verify=True, cert=None, proxies=None) -> Response:
        # The inner request's middleware activates its own time zone and language on this
        # thread; the page that made the call goes on with its own afterwards.
        zone, language = timezone.get_current_timezone(), translation.get_language()
        try:
            django_response = _site_handler().get_response(WSGIRequest(_environ(request)))
            content = b"".join(django_response) if django_response.streaming \
                else django_response.content
        finally:
            timezone.activate(zone)
            translation.activate(language) if language else translation.deactivate()
        # Not django_response.close(): that sends request_finished, whose receiver closes
        # this thread's database connection in the middle of the page's own request (inside
        # its transaction, if any). The API's responses are built in memory; nothing is held.
        response = Response()
        response.status_code = django_response.status_code
        response.reason = django_response.reason_phrase
        response.headers = CaseInsensitiveDict(django_response.items())
        response.raw = BytesIO(content)
        response._content = content
        response.encoding = "utf-8" if "charset=utf-8" in django_response.get(
            "Content-Type", "").lower() else None
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass
