"""Production mode's settings (README, "Production"): with DEBUG off the site refuses to start
without a strong key of its own, ``check --deploy`` is clean but for what needs TLS in front,
and the TLS settings make a request that came through the trusted proxy secure.

The settings are read once, at import, from the environment: each case loads them in a
process of its own with exactly the variables it names."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from multinic_site.production import DEMO_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(50)
PRODUCTION = {"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": STRONG_KEY}
TLS = {
    "MULTINIC_SECURE_COOKIES": "1",
    "MULTINIC_TRUSTED_PROXY_HEADER": "X-Forwarded-Proto",
    "MULTINIC_SSL_REDIRECT": "1",
    "MULTINIC_HSTS_SECONDS": "31536000",
    "MULTINIC_HSTS_INCLUDE_SUBDOMAINS": "1",
    "MULTINIC_HSTS_PRELOAD": "1",
}
SHOW_SETTINGS = """\
import json
import multinic_site.settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "DEBUG", "SECRET_KEY", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "OPENSTACK_KEYSTONE_URL")}))
"""


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """``python *args`` with the site's variables exactly ``env`` (none inherited)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("MULTINIC_") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**clean, **env},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(["-c", SHOW_SETTINGS], env)


@pytest.mark.parametrize(("env", "message"), [
    ({"MULTINIC_DEBUG": "0"}, "MULTINIC_SECRET_KEY must be set when MULTINIC_DEBUG is off"),
    ({"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": ""}, "MULTINIC_SECRET_KEY must be set"),
    ({"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": DEMO_SECRET_KEY},
     "MULTINIC_SECRET_KEY is the public demo key"),
    ({"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": "a" * 60},
     "MULTINIC_SECRET_KEY is too weak"),
    ({"MULTINIC_DEBUG": "0", "MULTINIC_SECRET_KEY": secrets.token_urlsafe(20)},
     "MULTINIC_SECRET_KEY is too weak"),
    ({**PRODUCTION, "MULTINIC_SECURE_COOKIES": "yes please"},
     "MULTINIC_SECURE_COOKIES must be 1 or 0"),
    ({**PRODUCTION, "MULTINIC_HSTS_SECONDS": "-1"},
     "MULTINIC_HSTS_SECONDS must be a whole number of seconds"),
    ({**PRODUCTION, "MULTINIC_TRUSTED_PROXY_HEADER": "X-Forwarded-Proto: https"},
     "MULTINIC_TRUSTED_PROXY_HEADER must be a header name"),
], ids=["no key", "empty key", "demo key", "one character", "short key", "not a yes/no",
        "negative seconds", "not a header name"])
def test_production_refuses_to_load_with_an_unsafe_setting(env, message):
    result = load_settings(env)
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: " + message), \
        result.stderr[-2000:]
    if env.get("MULTINIC_SECRET_KEY"):  # the message names the variable, never its value
        assert env["MULTINIC_SECRET_KEY"] not in result.stderr


def test_production_loads_with_a_key_of_its_own_and_plain_http_by_default():
    result = load_settings(PRODUCTION)
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout)
    assert loaded == {
        "DEBUG": False, "SECRET_KEY": STRONG_KEY, "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False, "SECURE_HSTS_PRELOAD": False,
        "OPENSTACK_KEYSTONE_URL": "http://127.0.0.1/identity/v3",
    }


def test_postgresql_keeps_connections_binds_on_the_server_and_keeps_the_urls_options():
    """A worker keeps its connection and has the server bind parameters (prepared
    statements), and what the URL says of the connection (application_name, sslmode) stays."""
    url = "postgres://api:secret@db.example:5433/multinic?application_name=api-1&sslmode=require"
    result = run(["-c", "import json, multinic_site.settings as s; "
                        "print(json.dumps(s.DATABASES['default']))"],
                 {**PRODUCTION, "DATABASE_URL": url})
    assert result.returncode == 0, result.stderr[-2000:]
    database = json.loads(result.stdout)
    assert (database["ENGINE"], database["HOST"], database["PORT"], database["NAME"]) == (
        "django.db.backends.postgresql", "db.example", 5433, "multinic")
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert database["OPTIONS"] == {"application_name": "api-1", "sslmode": "require",
                                   "server_side_binding": True}


def test_the_tls_settings_come_from_the_environment():
    result = load_settings({**PRODUCTION, **TLS, "MULTINIC_ALLOWED_HOSTS": "cloud.example.org"})
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout)
    assert loaded == {
        "DEBUG": False, "SECRET_KEY": STRONG_KEY,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True,
        # by http, each of the site's own calls would first be redirected (they go through
        # the same middleware as a browser's)
        "OPENSTACK_KEYSTONE_URL": "https://cloud.example.org/identity/v3",
    }


def test_make_run_loads_with_nothing_set():
    result = load_settings({})
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout)
    assert loaded["DEBUG"] is True and loaded["SECRET_KEY"] == DEMO_SECRET_KEY


def deploy_check(env: dict[str, str]) -> tuple[int, set[str]]:
    """``manage.py check --deploy --fail-level WARNING``: its exit status and the check ids
    it reported."""
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    return result.returncode, set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", output))


def test_deploy_check_passes_with_the_tls_settings():
    assert deploy_check({**PRODUCTION, **TLS}) == (0, set())


def test_deploy_check_without_tls_warns_only_about_what_tls_in_front_provides():
    status, ids = deploy_check(PRODUCTION)
    assert status != 0
    # HSTS, the redirect to https, the session's and CSRF's cookies only for https
    assert ids == {"security.W004", "security.W008", "security.W012", "security.W016"}


@pytest.fixture
def behind_tls(settings):
    """The settings TLS gives, as test_the_tls_settings_come_from_the_environment loads them
    (this process's settings were loaded with DEBUG on and none of them)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.OPENSTACK_KEYSTONE_URL = "https://127.0.0.1/identity/v3"
    return settings


def test_behind_the_proxy_requests_are_secure_and_cookies_are_secure_only(behind_tls, cloud):
    # A browser's sign-in, CSRF checked as Django checks it over https (the Origin must be
    # this https site), over http from the proxy, which passes the browser's Host on and says
    # the browser's connection was https.
    browser = Client(enforce_csrf_checks=True, headers={
        "Host": "testserver", "X-Forwarded-Proto": "https", "Origin": "https://testserver"})
    page = browser.get("/auth/login/")
    assert page.status_code == 200
    assert page.wsgi_request.is_secure()
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True and not csrf["httponly"]  # Horizon's scripts read it

    signed_in = browser.post("/auth/login/", {
        "username": "alice", "password": "pw-alice", "region": "default",
        "csrfmiddlewaretoken": csrf.value})
    assert signed_in.status_code == 302, signed_in.content[-2000:]
    assert signed_in.headers["Location"] == "/"
    session = signed_in.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True
    assert browser.get("/").status_code in (200, 302)


def test_behind_the_proxy_plain_http_is_redirected_to_https(behind_tls, db):
    # Without the proxy's header (a request that reached the server by plain http).
    response = Client().get("/auth/login/?next=/")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/auth/login/?next=/"
    assert "csrftoken" not in response.cookies


def test_the_proxy_header_means_nothing_unless_it_is_trusted(settings, db):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    assert settings.SECURE_PROXY_SSL_HEADER is None  # (the test process's own settings)
    page = Client(headers={"X-Forwarded-Proto": "https"}).get("/auth/login/")
    assert page.status_code == 200
    assert not page.wsgi_request.is_secure()
    assert "Strict-Transport-Security" not in page.headers


FROZEN_AT_LOAD = """\
import gc, sys
frozen_before = gc.get_freeze_count()
import multinic_site.wsgi
print(frozen_before, gc.get_freeze_count(), "multinic_api.api.views" in sys.modules,
      "multinic_api.openstack.compute.views" in sys.modules)
"""


def test_the_wsgi_entry_point_loads_every_view_then_freezes_what_it_loaded():
    """What gunicorn's workers hold for good (Django, Horizon, every view) is kept out of the
    garbage collector's full passes: frozen once the URLconf has loaded every view."""
    result = run(["-c", FROZEN_AT_LOAD], PRODUCTION)
    assert result.returncode == 0, result.stderr
    before, after, api_views, compute_views = result.stdout.split()
    assert (before, api_views, compute_views) == ("0", "True", "True")
    assert int(after) > 50_000
