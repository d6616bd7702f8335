import pytest
from django.conf import settings
from rest_framework.test import APIClient

from multinic_api.models import Project
from tests.factories import NetworkFactory, SubnetFactory
from tests.harness.api_fixtures import Cloud
from tests.harness.baremetal_fixtures import demo_like_node  # noqa: F401  (fixture)
from tests.harness.guest_boot import guest_image  # noqa: F401  (session fixture)
from tests.harness.guest_tools import guest_tools  # noqa: F401  (session fixture)
from tests.harness.helpers import keystone_client, sign_in
from tests.harness.horizon_site import horizon_site  # noqa: F401  (session fixture)
from tests.harness.keystone_server import keystone  # noqa: F401  (session fixture)


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _needs_postgres(item) -> bool:
    # Browser tests need it too: the live server answers the page, its scripts' calls and its
    # static files on several threads at once, and with SQLite's in-memory test database
    # Django shares one connection between those threads.
    return "postgres" in item.keywords or "browser" in item.keywords


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (and the browser tests) run when DATABASE_URL is PostgreSQL
    (``make test`` starts one); otherwise they are deselected, and the summary says so."""
    if _on_postgres():
        return
    selected = [item for item in items if not _needs_postgres(item)]
    deselected = [item for item in items if _needs_postgres(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"multinic database: {engine}"


@pytest.fixture(scope="session", autouse=True)
def connections_close_after_each_request():
    """In this process, a connection per request, as before persistent connections.

    The live server answers keep-alive clients (keystoneauth, openstacksdk) on threads that
    outlive their test; with the site's persistent connections their PostgreSQL sessions
    stayed open and the test database could not be dropped. The site's own setting (kept
    connections) is what the gunicorn tests run: their servers are processes of their own
    with the site's settings (support/gunicorn.py)."""
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0  # the dict every connection reads


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create users by the dozen; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def project(db):
    return Project.objects.create(name="tenant-a")


@pytest.fixture
def other_project(db):
    return Project.objects.create(name="tenant-b")


@pytest.fixture
def make_network(project):
    """Networks of ``project`` (or ``owner``'s)."""

    def make(name="net", owner=None, **kwargs):
        return NetworkFactory(project=owner or project, name=name, **kwargs)

    return make


@pytest.fixture
def make_subnet(make_network):
    """A subnet, on a network of its own (of ``project``) unless one is given."""

    def make(cidr="10.0.0.0/24", network=None, **kwargs):
        return SubnetFactory(network=network or make_network(f"net-{cidr}"), cidr=cidr, **kwargs)

    return make


@pytest.fixture
def cloud(db):
    """Two tenants and an admin with API clients, and their networks
    (tests.harness.api_fixtures)."""
    return Cloud()


def _compute_client(user: str, password: str, project: str) -> APIClient:
    client = keystone_client(user, password, project)
    client.defaults["HTTP_OPENSTACK_API_VERSION"] = "compute 2.96"  # a request may override
    return client


@pytest.fixture
def nova(cloud):
    """Alice's client, authenticated the OpenStack way, speaking microversion 2.96."""
    return _compute_client("alice", "pw-alice", "project-a")


@pytest.fixture
def nova_admin(cloud):
    """The administrator's (root, project admin) client, as ``nova``."""
    return _compute_client("root", "pw-root", "admin")


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, signed in the way the Django admin signs its users in
    here: the built-in Identity's password backend, not the dashboard's Keystone one."""
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def as_alice(client, cloud):
    """The dashboard's test client, signed in as alice (a member of project-a)."""
    sign_in(client, "alice", "pw-alice")
    return client


@pytest.fixture
def as_admin(client, cloud):
    """The dashboard's test client, signed in as root (an administrator)."""
    sign_in(client, "root", "pw-root")
    return client
