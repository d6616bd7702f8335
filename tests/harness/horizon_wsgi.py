"""openstack_dashboard's WSGI application with its static files served beside it, as the
operator's web server does (Apache's ``Alias /static`` to STATIC_ROOT): the files
``manage.py collectstatic`` and ``compress`` put there, nothing found on the fly. Run by
tests/harness/horizon_site.py's gunicorn, under openstack_dashboard's settings."""

import mimetypes
import os

from django.conf import settings
from openstack_dashboard.wsgi import application as dashboard

STATIC_URL = settings.STATIC_URL
STATIC_ROOT = os.path.normpath(settings.STATIC_ROOT)


def _static(relative: str, start_response):
    # normpath, not realpath: with --link, collectstatic leaves symlinks to the packages.
    path = os.path.normpath(os.path.join(STATIC_ROOT, relative))
    if not path.startswith(STATIC_ROOT + os.sep) or not os.path.isfile(path):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    kind, encoding = mimetypes.guess_type(path)
    headers = [("Content-Type", kind or "application/octet-stream"),
               ("Content-Length", str(os.path.getsize(path)))]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    start_response("200 OK", headers)
    with open(path, "rb") as handle:
        return [handle.read()]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path.startswith(STATIC_URL):
        return _static(path[len(STATIC_URL):], start_response)
    return dashboard(environ, start_response)
