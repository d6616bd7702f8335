"""Identity v3 subset: version discovery, ``auth/tokens`` (password and token methods,
unscoped and project-scoped tokens, ``X-Subject-Token``, a catalog naming the compute
endpoint; validation and revocation), and the calls with which Horizon's openstack_auth signs
in, switches projects and signs out: ``auth/projects``, ``auth/domains``, ``auth/system`` and
``users/{user_id}/projects``. The rules are multinic_identity.services'."""

from django.conf import settings
from django.urls import reverse
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.faces import (
    JSONAnswers,
    absolute_url,
    collection_links,
    keystone_fault,
    no_such_resource_view,
    version_links,
)
from multinic_identity import lockout
from multinic_identity import services as identity
from multinic_identity.models import AuthToken

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
VERSION_ID = "v3.14"


class IdentityView(JSONAnswers, APIView):
    schema = None  # an OpenStack API, documented upstream; not part of /api/schema/
    authentication_classes = []
    permission_classes = [AllowAny]

    def get_exception_handler(self):
        return keystone_fault

    def caller(self, request) -> AuthToken:
        """The token in X-Auth-Token, or a 401."""
        return identity.authenticated(request.headers.get("X-Auth-Token"))


def _v3_url(request, path: str = "") -> str:
    """An absolute URL under this Identity's v3 root (wherever the site mounts it)."""
    return absolute_url(request, reverse("identity:version") + path)


def _collection(request, key: str, items: list) -> dict:
    """Keystone's collection: the items and ``links`` (self, previous, next)."""
    return {key: items, "links": collection_links(request)}


def _project_body(request, project) -> dict:
    """A project as Keystone shows one: a top-level project of the default domain, whose
    parent is that domain."""
    domain_id = identity.DEFAULT_DOMAIN["id"]
    return {"id": project.pk, "name": project.name, "domain_id": domain_id,
            "description": project.description, "enabled": True, "is_domain": False,
            "parent_id": domain_id, "tags": [], "options": {},
            "links": {"self": _v3_url(request, f"projects/{project.pk}")}}


def _version(request) -> dict:
    return {
        "id": VERSION_ID,
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": version_links(request, "/identity/v3/"),
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.identity-v3+json"}],
    }


class VersionsView(IdentityView):
    def get(self, request):
        return Response({"versions": {"values": [_version(request)]}}, status=300)


class VersionView(IdentityView):
    def get(self, request):
        return Response({"version": _version(request)})


def _catalog(request) -> list[dict]:
    region = settings.MULTINIC_REGION

    def service(kind: str, name: str, path: str) -> dict:
        url = absolute_url(request, path).rstrip("/")
        return {
            "id": kind, "type": kind, "name": name,
            "endpoints": [{"id": f"{kind}-{interface}", "interface": interface,
                           "region": region, "region_id": region, "url": url}
                          for interface in ("public", "internal", "admin")],
        }

    return [service("network-manager", "multinic", "/api"),
            service("compute", "nova", "/compute/v2.1"),
            service("image", "glance", "/image"),
            service("network", "neutron", "/networking"),
            service("baremetal", "ironic", "/baremetal"),
            service("identity", "keystone", "/identity/v3")]


def _token_body(request, record, catalog: bool = True) -> dict:
    """Keystone's token body. An unscoped token has no project, roles or catalog there
    either: only what it proves, who the user is."""
    user = record.user
    body = {
        "methods": record.methods,
        "user": {"id": str(user.pk), "name": user.get_username(),
                 "domain": identity.DEFAULT_DOMAIN, "password_expires_at": None},
        "audit_ids": [record.audit_id, *filter(None, [record.parent_audit_id])],
        "issued_at": record.issued_at.strftime(TIME_FORMAT),
        "expires_at": record.expires_at.strftime(TIME_FORMAT),
    }
    if record.project is not None:
        body.update({
            "project": {"id": record.project.pk, "name": record.project.name,
                        "domain": identity.DEFAULT_DOMAIN},
            "is_domain": False,
            "roles": identity.roles(user),
        })
        if catalog:
            body["catalog"] = _catalog(request)
    return {"token": body}


class TokensView(IdentityView):
    def post(self, request):
        auth = request.data.get("auth") if isinstance(request.data, dict) else None
        token, record = identity.authenticate(auth, lockout.client_address(request))
        response = Response(_token_body(request, record), status=201)
        response["X-Subject-Token"] = token
        return response

    def get(self, request):
        subject = identity.subject_token(self.caller(request),
                                         request.headers.get("X-Subject-Token"))
        # keystonemiddleware asks with ?nocatalog: Keystone then leaves the catalog out.
        response = Response(_token_body(request, subject,
                                        catalog="nocatalog" not in request.query_params))
        response["X-Subject-Token"] = request.headers["X-Subject-Token"]
        return response

    def head(self, request):
        return self.get(request)

    def delete(self, request):
        identity.revoke_token(self.caller(request), request.headers.get("X-Subject-Token"))
        return Response(status=204)


class AuthProjectsView(IdentityView):
    """GET /v3/auth/projects: the projects the token's user may scope to."""

    def get(self, request):
        caller = self.caller(request)
        return Response(_collection(request, "projects", [
            _project_body(request, p) for p in identity.authorized_projects(caller.user)]))


class UserProjectsView(IdentityView):
    """GET /v3/users/{user_id}/projects: what openstack_auth lists (through keystoneclient's
    ``projects.list(user=...)``) at sign-in and for its project menu."""

    def get(self, request, user_id: str):
        projects = identity.user_projects(self.caller(request), user_id)
        return Response(_collection(request, "projects",
                                    [_project_body(request, p) for p in projects]))


class AuthDomainsView(IdentityView):
    """GET /v3/auth/domains: the domains the token's user may scope to (none here)."""

    def get(self, request):
        caller = self.caller(request)
        return Response(_collection(request, "domains",
                                    identity.authorized_domains(caller.user)))


class AuthSystemView(IdentityView):
    """GET /v3/auth/system: whether the token's user may scope to the system (no one here).
    openstack_auth asks, for the dashboard's scope menu (``User.is_system_user``)."""

    def get(self, request):
        caller = self.caller(request)
        return Response({"system": identity.authorized_system(caller.user),
                         "links": collection_links(request)})


#: Any other URL under /identity/: Keystone's JSON error.
NoSuchResourceView = no_such_resource_view(
    IdentityView, lambda path: f"Could not find {path}: the identity API here has versions, "
                               "auth/tokens, auth/projects, auth/domains, auth/system and "
                               "users/{user_id}/projects only.")
