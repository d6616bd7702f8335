"""Who is asking, for which project, with what rights: derived once per request."""

from dataclasses import dataclass

from django.db.models import Q
from rest_framework.exceptions import PermissionDenied

from multinic_api.exceptions import NO_PROJECT
from multinic_api.models import Project
from multinic_api.services import identity, subnets, text


@dataclass(frozen=True)
class Scope:
    project: Project | None
    is_admin: bool

    def require_project(self) -> Project:
        if self.project is None:
            raise PermissionDenied(NO_PROJECT)
        return self.project

    def require_owner(self, network, action: str) -> None:
        """Shared networks are usable by all, but only their project (or an admin) changes them."""
        if not subnets.may_change(network, self.project, self.is_admin):
            raise PermissionDenied(
                f"Only the network's project or an administrator may {action}."
            )


def request_scope(request) -> Scope:
    """The caller's project and admin flag.

    A project-scoped token (the Identity subset) fixes the project. Otherwise the
    ``X-Project-Id`` header (an id or a name) picks one of the caller's projects, and
    without it the first of them by name is used. Superusers are admins: they see all.
    """
    cached = getattr(request, "_multinic_scope", None)
    if cached is not None:
        return cached
    user = request.user
    is_admin = bool(user.is_superuser)
    project = getattr(request.auth, "project", None)
    if project is None:
        wanted = request.headers.get("X-Project-Id")
        if wanted:
            project = None if text.has_nul(wanted) else identity.selectable_projects(
                user).filter(Q(pk=wanted) | Q(name=wanted)).first()
            if project is None:
                raise PermissionDenied(f"You are not a member of project '{wanted}'.")
        else:
            # Admins too default to a project they belong to, not to any project at all.
            project = Project.objects.filter(members=user).order_by("name").first()
    scope = Scope(project=project, is_admin=is_admin)
    request._multinic_scope = scope
    return scope
