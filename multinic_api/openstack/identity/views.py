"""Identity v3 subset: version discovery and ``auth/tokens`` (password and token methods,
project scope, ``X-Subject-Token``, a catalog naming the compute endpoint)."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.openstack.faults import fault_handler
from multinic_identity import services as identity

_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 415: "Unsupported Media Type"}
VERSION_ID = "v3.14"


def _keystone_body(code: int, message: str) -> dict:
    """Keystone's error body: {"error": {"code", "message", "title"}}."""
    return {"error": {"code": code, "message": message, "title": _TITLES.get(code, "Error")}}


_keystone_error = fault_handler(_keystone_body)


class IdentityView(APIView):
    schema = None  # an OpenStack API, documented upstream; not part of /api/schema/
    authentication_classes = []
    permission_classes = [AllowAny]

    def get_exception_handler(self):
        return _keystone_error


def _version(request) -> dict:
    return {
        "id": VERSION_ID,
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": request.build_absolute_uri("/identity/v3/")}],
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
        url = request.build_absolute_uri(path).rstrip("/")
        return {
            "id": kind, "type": kind, "name": name,
            "endpoints": [{"id": f"{kind}-{interface}", "interface": interface,
                           "region": region, "region_id": region, "url": url}
                          for interface in ("public", "internal", "admin")],
        }

    return [service("compute", "nova", "/compute/v2.1"),
            service("image", "glance", "/image"),
            service("identity", "keystone", "/identity/v3")]


def _token_body(request, record) -> dict:
    user = record.user
    body = {
        "methods": record.methods,
        "user": {"id": str(user.pk), "name": user.get_username(),
                 "domain": identity.DEFAULT_DOMAIN, "password_expires_at": None},
        "audit_ids": [record.audit_id],
        "issued_at": record.issued_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "expires_at": record.expires_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    if record.project is not None:
        body.update({
            "project": {"id": record.project.pk, "name": record.project.name,
                        "domain": identity.DEFAULT_DOMAIN},
            "is_domain": False,
            "roles": identity.roles(user),
            "catalog": _catalog(request),
        })
    return {"token": body}


class TokensView(IdentityView):
    def post(self, request):
        auth = request.data.get("auth") if isinstance(request.data, dict) else None
        ident = auth.get("identity") if isinstance(auth, dict) else None
        methods = ident.get("methods") if isinstance(ident, dict) else None
        if not isinstance(methods, list) or not methods:
            raise exceptions.ValidationError(
                'Expecting {"auth": {"identity": {"methods": [...], ...}}}')
        if methods == ["password"]:
            spec = ident.get("password")
            user_spec = spec.get("user") if isinstance(spec, dict) else None
            user = identity.password_user(
                user_spec, user_spec.get("password") if isinstance(user_spec, dict) else None)
        elif methods == ["token"]:
            spec = ident.get("token")
            current = identity.validate_token(spec.get("id") if isinstance(spec, dict) else None)
            if current is None:
                raise identity.NotAuthenticated("The token is unknown or expired.")
            user = current.user
        else:
            raise identity.NotAuthenticated(
                f"Authentication method {methods} is not supported; use password or token.")
        project = identity.scoped_project(user, auth.get("scope"))  # None: unscoped
        token, record = identity.issue_token(user, project, methods)
        response = Response(_token_body(request, record), status=201)
        response["X-Subject-Token"] = token
        return response

    def get(self, request):
        caller = identity.validate_token(request.headers.get("X-Auth-Token"))
        if caller is None:
            raise identity.NotAuthenticated("The request you have made requires "
                                            "authentication.")
        subject = identity.validate_token(request.headers.get("X-Subject-Token"))
        if subject is None or (subject.user_id != caller.user_id and
                               not caller.user.is_superuser):
            raise exceptions.NotFound("Could not find token.")
        response = Response(_token_body(request, subject))
        response["X-Subject-Token"] = request.headers["X-Subject-Token"]
        return response

    def head(self, request):
        return self.get(request)


class NoSuchResourceView(IdentityView):
    """Any other URL under /identity/: Keystone's JSON error, not Django's HTML page."""

    def _not_found(self, request, *args, **kwargs):
        raise exceptions.NotFound(f"Could not find {request.path}: the identity API here has "
                                  "versions and auth/tokens only.")

    get = post = put = patch = delete = head = options = _not_found
