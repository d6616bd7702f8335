"""Static files in production: the deploy steps of the README, then gunicorn with DEBUG off.

With ``MULTINIC_DEBUG=0`` Django serves no static files; WhiteNoise does, from STATIC_ROOT,
and only the files it found there when the worker started. So the compiled CSS and JS
(django-compressor's ``CACHE/`` files) must exist before gunicorn starts: ``collectstatic``
then ``compress`` (offline compression) at deploy time. This runs exactly those steps into a
temporary STATIC_ROOT, starts gunicorn on it with a real secret key, signs in, and fetches every
stylesheet and script the pages ask for, as a browser would.
"""

import os
import secrets
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import rjsmin

from support.gunicorn import GunicornServer, database_url, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WIZARD_JS = sorted((ROOT / "multinic_dashboard" / "static" / "multinic_dashboard" / "js")
                   .glob("*.js"))
PASSWORD = "static-test-password"
SECRET_KEY = secrets.token_urlsafe(50)  # a real key, as production must set one

PAGES = [
    "/project/",
    "/project/launch/",  # the wizard: the page that needs launch.js
    "/project/multinic_networks/",
]


def production_environment(static_root: Path) -> dict[str, str]:
    """What the README's production section sets (besides DATABASE_URL, which the test
    server gets from support.gunicorn)."""
    return {
        "MULTINIC_DEBUG": "0",
        "MULTINIC_SECRET_KEY": SECRET_KEY,
        "MULTINIC_STATIC_ROOT": str(static_root),
        "MULTINIC_ALLOWED_HOSTS": "127.0.0.1",
    }


def run(*args: str, env: dict[str, str]) -> tuple[float, str]:
    """``python ARGS`` in its own process, as at deploy time: (seconds, its output)."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**os.environ, **env},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"python {' '.join(args)} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.monotonic() - started, result.stdout


@pytest.fixture(scope="session")
def deployed_static_root(tmp_path_factory):
    """STATIC_ROOT after the deploy steps; built once per test session (collectstatic,
    which copies and gzips some 3,500 files, is most of the time) and removed afterwards
    (about 110 MB)."""
    static_root = tmp_path_factory.mktemp("static-root")
    env = production_environment(static_root)
    collect, _ = run("manage.py", "collectstatic", "--noinput", env=env)
    compress, _ = run("manage.py", "compress", "--force", env=env)
    gzip, _ = run("-m", "whitenoise.compress", "-q", str(static_root / "CACHE"), env=env)
    print(f"\ndeploy steps: collectstatic {collect:.1f} s, compress {compress:.1f} s, "
          f"gzip {gzip:.1f} s")
    yield static_root
    shutil.rmtree(static_root, ignore_errors=True)


@pytest.fixture
def production_server(deployed_static_root):
    server = GunicornServer(workers=2, env=production_environment(deployed_static_root))
    server.start()
    yield server
    server.stop()
    server.remove_files()


class _Assets(HTMLParser):
    """Every stylesheet, script and icon a page links to, in page order."""

    def __init__(self):
        super().__init__()
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.icons: list[str] = []
        self.uncompiled: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and attrs.get("href"):
            if "stylesheet" in rel:
                self.stylesheets.append(attrs["href"])
                if (attrs.get("type") or "text/css") != "text/css":
                    self.uncompiled.append(attrs["href"])  # e.g. text/scss left as it was
            elif "icon" in rel:
                self.icons.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])


def assets_of(html: str) -> _Assets:
    parser = _Assets()
    parser.feed(html)
    return parser


def sign_in(session: requests.Session, server: GunicornServer, username: str) -> None:
    page = session.get(server.url("/auth/login/"), timeout=30)
    assert page.status_code == 200, page.status_code
    response = session.post(
        server.url("/auth/login/"),
        data={"username": username, "password": PASSWORD, "next": "", "region": "default",
              "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": server.url("/auth/login/")}, timeout=30)
    assert response.status_code == 200, (response.status_code, response.text[:500])
    assert urlsplit(response.url).path != "/auth/login/", "sign-in failed"


def test_every_stylesheet_and_script_is_served_with_debug_off(production_server,
                                                             deployed_static_root):
    server = production_server
    # In its own process, as an operator would: this process hashes passwords with a fast
    # test-only hasher the server would not accept.
    run("manage.py", "load_demo_data", "--password", PASSWORD,
        env={"DATABASE_URL": database_url(server.application_name)})
    cache_before = sorted(p.relative_to(deployed_static_root)
                          for p in deployed_static_root.glob("CACHE/**/*") if p.is_file())

    pages: dict[str, str] = {}
    with requests.Session() as session:
        login = session.get(server.url("/auth/login/"), timeout=30)
        assert login.status_code == 200, login.status_code
        pages["/auth/login/"] = login.text
        sign_in(session, server, "demo")
        for path in PAGES:
            response = session.get(server.url(path), timeout=60)
            assert response.status_code == 200, (path, response.status_code,
                                                 server.server_errors()[:1])
            assert urlsplit(response.url).path == path, (path, response.url)
            pages[path] = response.text

        wanted: dict[str, tuple[str, str]] = {}  # URL -> (kind, first page that asked)
        for path, html in pages.items():
            assets = assets_of(html)
            assert not assets.uncompiled, (path, assets.uncompiled)
            assert assets.stylesheets, f"{path} links no stylesheet"
            assert assets.scripts, f"{path} loads no script"
            for kind, urls in (("css", assets.stylesheets), ("js", assets.scripts),
                               ("icon", assets.icons)):
                for url in urls:
                    wanted.setdefault(urljoin(server.url(path), url), (kind, path))

        bodies: dict[str, str] = {}
        failures = []
        for url, (kind, page) in wanted.items():
            response = session.get(url, timeout=30)
            content_type = response.headers.get("Content-Type", "")
            expected = {"css": ("text/css",),
                        "js": ("text/javascript", "application/javascript"),
                        "icon": ("image/",)}[kind]
            if (response.status_code != 200 or not content_type.startswith(expected)
                    or not response.content):
                failures.append(f"{response.status_code} {content_type or '-'} "
                                f"{len(response.content)} bytes: {url} (from {page})")
            elif kind == "js":
                bodies[url] = response.text
            elif kind == "css":
                # the compiled stylesheet is Horizon's theme, not an empty shell
                assert len(response.content) > 100_000, (url, len(response.content))
            if "/CACHE/" in url and response.status_code == 200:
                # compressor's bundles: gzipped at deploy time (requests asks for gzip), and
                # cacheable for good since their names are their content's hash
                assert response.headers.get("Content-Encoding") == "gzip", (url, response.headers)
                assert "immutable" in response.headers.get("Cache-Control", ""), (
                    url, response.headers)
        assert not failures, "\n".join(failures)
        assert any("/CACHE/css/" in url for url in wanted), list(wanted)

    # The wizard's own scripts reached the browser: each is compressed into one of the wizard
    # page's scripts (minified with the same rJSMin compressor uses; its first and last
    # characters may merge with its neighbours', so its middle is what must be there).
    def scripts_of(path: str) -> list[str]:
        return [urljoin(server.url(path), src) for src in assets_of(pages[path]).scripts]

    wizard = "/project/launch/"
    assert len(WIZARD_JS) > 1
    for script in WIZARD_JS:
        middle = rjsmin.jsmin(script.read_text())[100:-100]
        assert len(middle) > 300, script.name
        assert any(middle in bodies[url] for url in scripts_of(wizard)), (
            f"{script.name} is in none of the wizard's scripts: {scripts_of(wizard)}")
        # ... and it is the wizard's: the instances list does not load it
        assert not any(middle in bodies[url] for url in scripts_of("/project/")), script.name

    # Everything came from the deploy step: the server compressed nothing at run time
    # (WhiteNoise would not serve a file written after it started).
    cache_after = sorted(p.relative_to(deployed_static_root)
                         for p in deployed_static_root.glob("CACHE/**/*") if p.is_file())
    assert cache_after == cache_before
    # (compressor would not write a bundle that exists already, so also check that the
    # server's settings read the deploy's bundles rather than compile on a request)
    _, settings = run("manage.py", "diffsettings", env=server.environment())
    assert "\nCOMPRESS_OFFLINE = True" in settings
    assert not server.server_errors(), server.server_errors()[:1]


def test_one_sync_worker_serves_pages_that_call_the_api_and_the_identity(deployed_static_root):
    """The dashboard's calls to its own API and Identity never wait for a second worker of
    the same server: with a single sync worker (one request at a time), signing in (which
    asks the Identity for tokens and projects) and the panels (which ask the API) answer. Were
    those calls HTTP requests to this server, the one worker would wait for itself until the
    request timed out."""
    port = free_port()
    # The Identity's URL is this very server's, as for `make run`: over HTTP, its one worker
    # would be asking itself.
    server = GunicornServer(workers=1, threads=1, port=port,
                            extra_args=("--worker-class", "sync", "--timeout", "60"),
                            env={**production_environment(deployed_static_root),
                                 "MULTINIC_IDENTITY_URL":
                                     f"http://127.0.0.1:{port}/identity/v3"})
    server.start()
    try:
        run("manage.py", "load_demo_data", "--password", PASSWORD,
            env={"DATABASE_URL": database_url(server.application_name)})
        with requests.Session() as session:
            started = time.monotonic()
            sign_in(session, server, "demo")
            for path in ("/project/", "/project/multinic_networks/"):
                response = session.get(server.url(path), timeout=30)
                assert response.status_code == 200, (path, response.status_code)
                if path == "/project/multinic_networks/":  # the API's answer, shown
                    assert "203.0.113.0/24" in response.text
            # Well inside one request's timeout: nothing waited on anything.
            assert time.monotonic() - started < 30
        assert not server.server_errors(), server.server_errors()[:1]
    finally:
        server.stop()
        server.remove_files()


def test_signing_in_works_under_the_sites_own_name(deployed_static_root):
    """As the README's production section sets it: the site answers to its own name only
    (MULTINIC_ALLOWED_HOSTS), and the dashboard's in-process calls to its Identity and API
    carry that name too, so Django's host check lets them through."""
    server = GunicornServer(workers=1, env={**production_environment(deployed_static_root),
                                            "MULTINIC_ALLOWED_HOSTS": "multinic.test"})
    server.start(wait="tcp")
    try:
        run("manage.py", "load_demo_data", "--password", PASSWORD,
            env={"DATABASE_URL": database_url(server.application_name)})
        with requests.Session() as session:
            session.headers["Host"] = "multinic.test"
            sign_in(session, server, "demo")
            response = session.get(server.url("/project/multinic_networks/"), timeout=30)
            assert response.status_code == 200 and "203.0.113.0/24" in response.text
            # ... and another name is refused, as Django refuses any host it was not given.
            refused = requests.get(server.url("/auth/login/"), timeout=30)
            assert refused.status_code == 400
        assert not server.server_errors(), server.server_errors()[:1]
    finally:
        server.stop()
        server.remove_files()


def test_behind_a_tls_proxy_on_another_host(deployed_static_root):
    """The README's "TLS in front", through gunicorn: a proxy on another host (gunicorn itself
    trusts none here, so only MULTINIC_TRUSTED_PROXY_HEADER can make a request secure) passes
    the browser's Host on and says its connection was https. The browser signs in, CSRF
    checked as over https, its session and CSRF cookies are Secure; plain http is redirected.
    (openstack_auth's and Horizon's own cookies, e.g. login_region, are never Secure: they
    call set_cookie without it, in any OpenStack dashboard; none of them holds a secret.)"""
    tls = {"MULTINIC_TRUSTED_PROXY_HEADER": "X-Forwarded-Proto", "MULTINIC_SECURE_COOKIES": "1",
           "MULTINIC_SSL_REDIRECT": "1", "MULTINIC_HSTS_SECONDS": "600"}
    server = GunicornServer(workers=1, extra_args=("--forwarded-allow-ips", "192.0.2.1"),
                            env={**production_environment(deployed_static_root),
                                 "MULTINIC_ALLOWED_HOSTS": "multinic.test", **tls})
    server.start(wait="tcp")
    try:
        run("manage.py", "load_demo_data", "--password", PASSWORD,
            env={"DATABASE_URL": database_url(server.application_name)})
        proxied = {"Host": "multinic.test", "X-Forwarded-Proto": "https",
                   "Origin": "https://multinic.test"}
        cookies: dict[str, str] = {}
        secure: dict[str, bool] = {}

        def through_proxy(method: str, path: str, **kwargs) -> requests.Response:
            # A cookie jar would keep Secure cookies from this http connection; the browser,
            # on https, sends them back.
            headers = {**proxied, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            response = requests.request(method, server.url(path), headers=headers,
                                        allow_redirects=False, timeout=30, **kwargs)
            for cookie in response.cookies:
                cookies[cookie.name], secure[cookie.name] = cookie.value, cookie.secure
            return response

        page = through_proxy("GET", "/auth/login/")
        assert page.status_code == 200, page.status_code
        assert page.headers["Strict-Transport-Security"].startswith("max-age=600")
        signed_in = through_proxy("POST", "/auth/login/", data={
            "username": "demo", "password": PASSWORD, "region": "default",
            "csrfmiddlewaretoken": cookies["csrftoken"]})
        assert signed_in.status_code == 302, (signed_in.status_code, signed_in.text[:500])
        assert secure["csrftoken"] is True and secure["sessionid"] is True
        networks = through_proxy("GET", "/project/multinic_networks/")
        assert networks.status_code == 200 and "203.0.113.0/24" in networks.text
        # The same request without the proxy's word for it: redirected to https.
        plain = requests.get(server.url("/auth/login/"), headers={"Host": "multinic.test"},
                             allow_redirects=False, timeout=30)
        assert plain.status_code == 301
        assert plain.headers["Location"] == "https://multinic.test/auth/login/"
        assert not server.server_errors(), server.server_errors()[:1]
    finally:
        server.stop()
        server.remove_files()
