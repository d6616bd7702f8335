"""Who is asking, from the dashboard: the project a request acts in and whether it is an admin.

The dashboard's views call the same services as the REST API (``multinic_api.services``);
this module only answers the question the REST API answers in ``api.tenancy`` for tokens.
"""

from dataclasses import dataclass

from multinic_api.exceptions import NO_PROJECT, Forbidden
from multinic_api.models import Project
from multinic_api.services import projects


@dataclass(frozen=True)
class Caller:
    user_id: str
    project: Project | None
    is_admin: bool

    def require_project(self) -> Project:
        """The project the caller creates things in; refused (as the REST API refuses) when
        the caller has none."""
        if self.project is None:
            raise Forbidden(NO_PROJECT)
        return self.project


def is_admin(user) -> bool:
    """Superusers are admins, as in the REST API. (openstack_auth's user answers the same
    property from its Keystone roles, so the check holds inside an OpenStack dashboard too.)"""
    return bool(getattr(user, "is_superuser", False))


def caller(request) -> Caller:
    """The request's project: in an OpenStack dashboard, the Keystone project the session is
    scoped to (ids match the Identity subset's); here, the user's first project by name, as
    for an API token without a scope. Computed once per request."""
    cached = getattr(request, "_multinic_caller", None)
    if cached is not None:
        return cached
    user = request.user
    keystone_project = getattr(user, "project_id", None)
    if keystone_project:
        project = projects.seen(keystone_project, user.project_name)
    else:
        # The standalone site's own users; inside an OpenStack dashboard the built-in
        # Identity is not installed, and every user has a Keystone project above.
        from multinic_identity import services as identity

        project = identity.member_projects(user).order_by("name").first()
    request._multinic_caller = Caller(user_id=str(user.pk), project=project,
                                      is_admin=is_admin(user))
    return request._multinic_caller
