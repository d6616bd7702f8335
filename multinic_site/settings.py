"""Settings for the standalone multinic site (API and dashboard on one server).

SQLite is the embedded default so that ``make run`` needs nothing else; production points
``DATABASE_URL`` at PostgreSQL (``postgres://user:pass@host/db``).
"""

import os
from pathlib import Path

import dj_database_url

# Horizon reads many of its own settings directly (SESSION_REFRESH, WEBROOT, SITE_BRANDING,
# OPERATION_LOG_*, ...); its defaults come first so that ours below override them.
from horizon.defaults import *  # noqa: F403,E402  (also brings openstack_auth's constants)
from openstack_dashboard.utils import settings as horizon_settings

import multinic_dashboard.enabled
import multinic_site.enabled
from multinic_site import production

# The checkout the site runs from: its templates/ and static/ (the site's own page frame and
# styles), make run's database and the default STATIC_ROOT are there.
BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("MULTINIC_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("MULTINIC_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")

# --- Production safety (README, "Production") ----------------------------------------------
# With DEBUG off the site refuses to start without a strong key of its own (the demo key that
# make run signs with is public). The rest is for TLS in front of gunicorn, all off by default
# since make run and a bare gunicorn serve plain http; check --deploy warns about each of them
# until it is set, and about nothing else.
SECRET_KEY = production.secret_key(os.environ, DEBUG)
# Only behind a proxy that sets this header on every request and drops it from clients':
# otherwise any client can claim https (multinic_site.production.proxy_ssl_header).
SECURE_PROXY_SSL_HEADER = production.proxy_ssl_header(os.environ)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = production.flag(
    os.environ, "MULTINIC_SECURE_COOKIES")
SECURE_SSL_REDIRECT = production.flag(os.environ, "MULTINIC_SSL_REDIRECT")
SECURE_HSTS_SECONDS = production.seconds(os.environ, "MULTINIC_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = production.flag(os.environ, "MULTINIC_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = production.flag(os.environ, "MULTINIC_HSTS_PRELOAD")
# Django's defaults already pass check --deploy: X_FRAME_OPTIONS "DENY", nosniff, an HttpOnly
# session cookie. The CSRF cookie stays readable by scripts (Horizon's default): Horizon's
# AngularJS framework sends it back from the cookie (xsrfCookieName), and HttpOnly on it
# would protect nothing, since a script that can read it already runs on the site (Django's
# note on CSRF_COOKIE_HTTPONLY).
CSRF_COOKIE_HTTPONLY = False
# ----------------------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from here, not a CDN
    "compressor",
    # The standalone site (sign-in against the built-in Identity in this process, the
    # revocation of a session's tokens at sign-out); its two dashboards and the plugin's
    # own apps arrive through the enabled files' ADD_INSTALLED_APPS, as in an OpenStack
    # dashboard.
    "multinic_site",
    "horizon",
    # Sign-in through Keystone (the built-in Identity here, or the cloud's), as in every
    # OpenStack dashboard: the session holds the user's token, which the panels call with.
    "openstack_auth",
    # The API: the models, services and REST views the panels are clients of.
    "multinic_api",
    # The built-in Identity (its users, memberships and tokens): the standalone site's and
    # the API's own Keystone subset. The core keeps no foreign key to any user model.
    "multinic_identity",
]

MIDDLEWARE = [
    # Makes Django's session user openstack_auth's (made from the session's token), as in
    # every OpenStack dashboard.
    "openstack_auth.middleware.OpenstackAuthMonkeyPatchMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files with DEBUG off (gunicorn): Django serves none itself. Early, so that a
    # stylesheet costs no session or auth work; it serves what STATIC_ROOT held when the
    # worker started (see the deploy steps in README, "Production").
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "horizon.middleware.HorizonMiddleware",
]

ROOT_URLCONF = "multinic_site.urls"
WSGI_APPLICATION = "multinic_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site's own page frame, sign-in page and 404, found before any app's: they
        # replace openstack_auth's auth/login.html. The plugin's panels keep their templates
        # in multinic_dashboard, so that an OpenStack dashboard finds them there.
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "loaders": [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
                # '<dashboard>/<panel>/x.html' -> that panel's templates directory
                "horizon.loaders.TemplateLoader",
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.static",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "horizon.context_processors.horizon",
                "multinic_site.context_processors.caller",
            ],
        },
    },
]


def _database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Each worker keeps its connection between requests: opening one costs a new
        # PostgreSQL backend process, which then warms its catalog caches again; measured by
        # bench/end_to_end.py, that is a third of a launch's time. Health checks replace a
        # connection the server dropped (a restart) before the request uses it.
        config["CONN_MAX_AGE"] = int(os.environ.get("MULTINIC_DB_CONN_MAX_AGE", "60"))
        config["CONN_HEALTH_CHECKS"] = True
        # Parameters bound by the server, not spliced into the SQL text by psycopg: a
        # statement a connection has run five times is then prepared once and only executed
        # after. Measured A/B by bench/end_to_end.py's sequential launches under gunicorn: a
        # 4-NIC launch 12.6 -> 11.2 ms p50, the request floor 3.1 -> 2.6 ms.
        # (dj_database_url keeps the URL's other parameters there: application_name.)
        config.setdefault("OPTIONS", {})["server_side_binding"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes SQLite's write lock at BEGIN, so two allocating transactions
        # queue instead of failing with "database is locked" when both try to upgrade.
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    return config


DATABASES = {"default": _database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Beside a real Keystone: a config file with a [keystone_authtoken] section; the site then
# sits behind keystonemiddleware and takes that Keystone's tokens (multinic_site.wsgi).
MULTINIC_KEYSTONE_CONFIG = os.environ.get("MULTINIC_KEYSTONE_CONFIG", "")

# The built-in Identity's users are the site's own (the Django admin signs them in); the
# dashboard's users are openstack_auth's, made from a Keystone token at sign-in.
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["openstack_auth.backend.KeystoneBackend"]
# The session holds the Keystone token openstack_auth made the user from: its serializer
# writes those objects as JSON (database sessions, so that a token never sits in a cookie).
SESSION_SERIALIZER = "openstack_auth.serializers.HorizonSerializer"
AUTH_PASSWORD_VALIDATORS = []  # the demo password is short on purpose; see README

# With DEBUG off Django sends a 500's traceback only to mail_admins; this also writes it to
# stderr (gunicorn's error log), so a production 500 is never silent.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"process": {
        "format": "%(asctime)s [%(process)d] %(name)s %(levelname)s %(message)s"}},
    "handlers": {"stderr_errors": {"class": "logging.StreamHandler", "level": "ERROR",
                                   "filters": ["require_debug_false"],
                                   "formatter": "process"}},
    "loggers": {"django.request": {"handlers": ["stderr_errors"], "level": "ERROR"}},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic and compress write at deploy time, and what WhiteNoise serves.
STATIC_ROOT = Path(os.environ.get("MULTINIC_STATIC_ROOT") or BASE_DIR / "var" / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise's compressed storage (a .gz beside each file, served to clients that take
    # it), not its manifest storage: that one rewrites every CSS url() to a hashed name and
    # fails collectstatic when a target is missing, and xstatic's roboto_fontface CSS names
    # .eot fonts its package does not ship. Cache busting is not lost where it matters: the
    # pages' CSS and JS are compressor's CACHE/ files, named by their content's hash.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Horizon (the dashboard) -------------------------------------------------------------
# The standalone site runs the horizon framework signed in through openstack_auth, against
# the built-in Identity served by this very site (or, with MULTINIC_IDENTITY_URL, a cloud's
# Keystone). Its calls to that Identity and the panels' calls to the API are dispatched
# inside the request (multinic_site.inprocess): a page never waits for a second
# free worker of its own server.
LOGIN_URL = "/auth/login/"  # a path: horizon redirects to it verbatim
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/auth/login/"


def _own_identity_url() -> str:
    """The built-in Identity under this site's own name (its first allowed host): the calls
    stay in the process, and Django checks their Host as any other request's. By https when
    the site redirects http there: its own calls go through the same middleware, and each
    would first be answered by that redirect."""
    host = next((h for h in ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")),
                "127.0.0.1")
    return f"{'https' if SECURE_SSL_REDIRECT else 'http'}://{host}/identity/v3"


OPENSTACK_KEYSTONE_URL = os.environ.get("MULTINIC_IDENTITY_URL") or _own_identity_url()
# The panels' API client (multinic_dashboard.api.multinic) finds the API in the catalog of
# the user's token; this site serves it, so its calls stay in the process.
MULTINIC_API_ADAPTER = "multinic_site.inprocess.InProcessAdapter"
# Horizon's idle refresh of the session reads the user's token, which the Django admin's
# users (the built-in Identity's own) do not have: sessions end when the token does.
SESSION_REFRESH = False
SITE_BRANDING = "multinic"

HORIZON_CONFIG = {
    "user_home": None,  # /home/ goes to the default dashboard
    "ajax_queue_limit": 10,
    "auto_fade_alerts": {"delay": 3000, "fade_duration": 1500,
                         "types": ["alert-success", "alert-info"]},
    "modal_backdrop": "static",
    "angular_modules": [],
    "js_files": [],
    "js_spec_files": [],
    "external_templates": [],
    "exceptions": {"recoverable": [], "not_found": [], "unauthorized": []},
}
# The same enabled files an OpenStack dashboard would load: first the standalone site's two
# dashboards (project, admin), then the plugin's panel groups and panels.
horizon_settings.update_dashboards(
    [multinic_site.enabled, multinic_dashboard.enabled], HORIZON_CONFIG, INSTALLED_APPS)
# (multinic_api, the models and services, is one of the apps the plugin's files add.)

_OPENSTACK_DASHBOARD = Path(horizon_settings.__file__).resolve().parent.parent
STATICFILES_DIRS = [
    # The site's own styles, favicon and the script that runs horizon without AngularJS.
    BASE_DIR / "static",
    # Horizon's own look: its SCSS (and the default theme's) compile from these.
    _OPENSTACK_DASHBOARD / "static",
    ("themes/default", _OPENSTACK_DASHBOARD / "themes" / "default"),
    *horizon_settings.get_xstatic_dirs(horizon_settings.BASE_XSTATIC_MODULES, HORIZON_CONFIG),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",
]
COMPRESS_PRECOMPILERS = (("text/scss", "horizon.utils.scss_filter.ScssFilter"),)
COMPRESS_ROOT = STATIC_ROOT
# Always on: compressor then caches each compiled block (keyed by the files' contents and
# mtimes, so edits still show). Off, it would recompile Horizon's SCSS on every page (~2 s).
COMPRESS_ENABLED = True
# In production every {% compress %} block is compiled at deploy time (manage.py compress,
# after collectstatic), never at run time: WhiteNoise only serves files that existed when the
# worker started, so a CACHE/ file written on a request would be a 404 (and each worker would
# compile Horizon's SCSS again). With DEBUG on (make run) compressor keeps compiling on demand
# and runserver serves the result, with no extra step. The blocks (base.html, and the launch
# wizard's plugin_js block inside one) only use STATIC_URL, compressor's default offline
# context, so nothing like openstack_dashboard's theme-aware COMPRESS_OFFLINE_CONTEXT is needed.
COMPRESS_OFFLINE = not DEBUG
# WhiteNoise's development mode (files looked up through the finders on each request) follows
# MULTINIC_DEBUG, as COMPRESS_OFFLINE does. By default it reads settings.DEBUG when the
# middleware starts, which pytest-django turns off: the test process would then index a
# STATIC_ROOT that only a deploy creates (and warn that it is missing).
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG
# compressor names each output by a hash of its content (CACHE/css/output.<12 hex>.css): a
# changed stylesheet is a new URL, so browsers may keep these for good. (Other static files
# keep WhiteNoise's short max-age: their names carry no hash, see STORAGES.)
WHITENOISE_IMMUTABLE_FILE_TEST = rf"^{STATIC_URL}CACHE/(css|js)/[^/]+\.[0-9a-f]{{12}}\.(css|js)$"

REST_FRAMEWORK = {
    # The first class decides the WWW-Authenticate challenge, so anonymous callers get a
    # 401 that names the token scheme rather than a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "multinic_identity.authentication.BuiltinTokenAuthentication",
        "multinic_api.api.authentication.KeystoneTokenAuthentication",
        "multinic_api.api.authentication.DashboardSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Request bodies are JSON: a launch's NICs are a list of objects and several fields tell
    # null from "" (key_name, tag, gateway_ip), which a form cannot say. With DRF's form
    # parsers too, the schema promised form bodies the API then read wrongly ("null" as a
    # string). The token view keeps its own parsers (a form sign-in is fine there). DRF's
    # JSON parser, refusing documents nested too deep or with lone surrogates (parsers.py).
    "DEFAULT_PARSER_CLASSES": ["multinic_api.parsers.JSONParser"],
    # A malformed limit or offset is a 400, not silently ignored (api/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "multinic_api.api.pagination.CheckedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "multinic_api.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "multinic API",
    "DESCRIPTION": (
        "Networks, subnets, instances and their ordered virtual interfaces. Errors are JSON "
        '`{"detail": message, "code": code}` (plus `fields` for invalid input).'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Failed sign-in lockout (multinic_identity.lockout, over django-axes) ---------------------
# Every password the site checks (the built-in Identity's password method, /api/auth/token/,
# the dashboard's and the Django admin's sign-in pages) goes through the built-in Identity,
# which counts the failures: a user, from any address, and an address, for any user, are each
# locked after MULTINIC_LOCKOUT_FAILURES failures until MULTINIC_LOCKOUT_SECONDS have passed
# since the last one. (Beside a real Keystone, the dashboard signs in there and Keystone's own
# [security_compliance] lockout applies.)
from datetime import timedelta  # noqa: E402

INSTALLED_APPS.append("axes")
AUTHENTICATION_BACKENDS = ["multinic_site.signin.LockoutBackend",
                           *AUTHENTICATION_BACKENDS]
AXES_FAILURE_LIMIT = int(os.environ.get("MULTINIC_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("MULTINIC_LOCKOUT_SECONDS", "300")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: not the pair
# Behind reverse proxies (a TLS proxy: see README, "Production"), how many: the client address
# is then the one the outermost proxy saw, from X-Forwarded-For (multinic_identity.lockout).
MULTINIC_TRUSTED_PROXIES = int(os.environ.get("MULTINIC_TRUSTED_PROXIES", "0"))
# Each failure is also kept in the admin's "access failures" (never with its password: axes
# is never handed one); successful sign-ins are not logged, there would be one per token.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_DISABLE_ACCESS_LOG = True
# Axes' middleware and backend hook Django's own sign-in form; here the lockout is asked by
# the Identity's password check and the sign-in pages' LockoutBackend (which openstack_auth's
# form can show), so those two checks do not apply.
SILENCED_SYSTEM_CHECKS = ["axes.W002", "axes.W003"]

# --- multinic domain settings -------------------------------------------------------------
# The plugin's own settings (MAC prefix, NIC limit, token lifetime, catalogue, ...), each with
# its environment override, live in multinic_api.defaults, which an OpenStack dashboard loads
# through the plugin's local_settings.d snippet; override any of them below this line.
from multinic_api.defaults import *  # noqa: F403,E402
