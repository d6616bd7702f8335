"""Who is asking, for which project, with what rights: derived once per request, as the
core's :class:`~multinic_api.scope.Scope`."""

from django.db.models import Q
from rest_framework.permissions import BasePermission

from multinic_api import phases
from multinic_api.api.authentication import KeystoneCaller
from multinic_api.exceptions import PermissionDenied
from multinic_api.models import Project
from multinic_api.scope import Scope
from multinic_api.services import projects, text
from multinic_identity import services as identity
from multinic_identity.models import AuthToken


class IsScopeAdmin(BasePermission):
    """The caller is an administrator by the one rule of ``request_scope`` (Keystone's admin
    role on the token; a built-in Identity token only when project-scoped)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated
                    and request_scope(request).is_admin)


class HasProjectScope(BasePermission):
    """The caller acts in a project: Nova and Glance refuse an unscoped token (it carries no
    project and no role, so their policies allow it nothing)."""

    message = ("An unscoped token acts in no project: get a project-scoped one "
               "(POST /identity/v3/auth/tokens with a project scope).")

    def has_permission(self, request, view) -> bool:
        return request_scope(request).project is not None


@phases.timed("scope")
def request_scope(request) -> Scope:
    """The caller's project and admin flag.

    A Keystone token (validated by keystonemiddleware) brings its project, recorded on
    first sight, and its roles (``admin`` is an administrator). A project-scoped token of the
    built-in Identity fixes the project too (none for an unscoped one). A DRF token or the
    Django admin's session stands for the user alone: the ``X-Project-Id`` header (an id or
    a name) picks one of the caller's projects, and without it the first of them by name is
    used. Superusers are admins: they see all.
    """
    cached = getattr(request, "_multinic_scope", None)
    if cached is not None:
        return cached
    user = request.user
    if not isinstance(user, KeystoneCaller) and hasattr(user, "token"):
        user = KeystoneCaller.from_dashboard_user(user)  # a dashboard session (openstack_auth)
    if isinstance(user, KeystoneCaller):
        project = projects.seen(user.project_id, user.project_name) if user.project_id else None
        scope = Scope(user_id=user.user_id, project=project, is_admin=user.is_superuser)
    else:
        token = request.auth if isinstance(request.auth, AuthToken) else None
        # An Identity token carries roles only when it is project-scoped, as Keystone's;
        # a session or DRF token stands for the user, a superuser being an admin.
        is_admin = identity.is_admin(token) if token else bool(user.is_superuser)
        scope = Scope(user_id=str(user.pk), project=_builtin_project(request, user),
                      is_admin=is_admin)
    request._multinic_scope = scope
    return scope


def _builtin_project(request, user) -> Project | None:
    if isinstance(request.auth, AuthToken):
        # A token's scope is what it was issued for, as a Keystone token's: an unscoped one
        # acts in no project (not in the first of the user's, nor in one a header names).
        return request.auth.project
    wanted = request.headers.get("X-Project-Id")
    if wanted:
        project = None if text.has_nul(wanted) else identity.selectable_projects(
            user).filter(Q(pk=wanted) | Q(name=wanted)).first()
        if project is None:
            raise PermissionDenied(f"You are not a member of project '{wanted}'.")
        return project
    # Admins too default to a project they belong to, not to any project at all. A DRF
    # token's authentication has read it already, with the token.
    if hasattr(request.auth, "default_project"):
        return request.auth.default_project
    return identity.default_project(user)
