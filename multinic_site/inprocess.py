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
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from io import BytesIO
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.utils import timezone, translation
from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from multinic_api.keystone import with_auth_token


class _SiteApplication:
    """This site as a WSGI application for calls from within one of its own requests:
    Django's handler without the request_started/finished signals (whose receivers would
    close this thread's database connection in the middle of the outer request, inside its
    transaction if it has one). The API's responses are built in memory; nothing is held
    that closing the response would release."""

    def __init__(self) -> None:
        self.handler = BaseHandler()
        self.handler.load_middleware()

    def __call__(self, environ: dict, start_response) -> list[bytes]:
        response = self.handler.get_response(WSGIRequest(environ))
        content = b"".join(response) if response.streaming else response.content
        start_response(f"{response.status_code} {response.reason_phrase}",
                       [*response.items(),
                        *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())])
        return [content]


_application = None

# The address of the browser on whose behalf the calls made now are made (the sign-in page
# sets it around openstack_auth's sign-in, multinic_site.signin). The built-in
# Identity counts failed sign-ins per client address: without it, every browser's sign-in
# would reach it from the placeholder address below, and one attacker's failures would lock
# everyone out of the dashboard. A context variable, not a header: it is set only inside
# this process, so no client can send one and sign in as if from another address; and it is
# per thread (and per asyncio task), so one worker's threads do not see each other's.
_on_behalf_of: ContextVar[str | None] = ContextVar("multinic_on_behalf_of", default=None)


@contextmanager
def on_behalf_of(address: str | None) -> Iterator[None]:
    """Calls dispatched inside this block come from ``address`` (their REMOTE_ADDR)."""
    token = _on_behalf_of.set(address)
    try:
        yield
    finally:
        _on_behalf_of.reset(token)


def site_application():
    """The site's in-process WSGI application, behind keystonemiddleware's ``auth_token``
    exactly as the served site is when it runs beside a Keystone (``multinic_site.wsgi``),
    so that a call made here is authenticated as it would be over HTTP."""
    global _application
    if _application is None:
        application = _SiteApplication()
        if getattr(settings, "MULTINIC_KEYSTONE_CONFIG", ""):
            application = with_auth_token(application, settings.MULTINIC_KEYSTONE_CONFIG)
        _application = application
    return _application


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
        # The URL's host, as a client over HTTP would send it: Django checks it against
        # ALLOWED_HOSTS and builds absolute URLs (the Identity's catalog) from it.
        "HTTP_HOST": url.netloc,
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        # The browser the call is made for, where the page said (on_behalf_of), as if it had
        # sent the call itself; a placeholder for calls made for no one in particular.
        "REMOTE_ADDR": _on_behalf_of.get() or "127.0.0.1",
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
    """A transport adapter for a ``requests.Session`` whose every URL is this site's (the
    standalone site mounts it for http and https: its API and Identity are its own)."""

    def send(self, request: PreparedRequest, stream: bool = False, timeout=None,
             verify=True, cert=None, proxies=None) -> Response:
        answered: dict = {}

        def start_response(status: str, headers: list, exc_info=None) -> None:
            answered["status"], answered["headers"] = status, headers

        # The inner request's middleware activates its own time zone and language on this
        # thread; the page that made the call goes on with its own afterwards.
        zone, language = timezone.get_current_timezone(), translation.get_language()
        try:
            content = b"".join(site_application()(_environ(request), start_response))
        finally:
            timezone.activate(zone)
            translation.activate(language) if language else translation.deactivate()
        code, _, reason = answered["status"].partition(" ")
        response = Response()
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(answered["headers"])
        response.raw = BytesIO(content)
        response._content = content
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass
