"""Who is asking: the caller's user, project and rights, as every face and service sees them.

A face (the REST API, the compute and image faces) works out the scope of a request once
(``multinic_api.api.tenancy.request_scope``); the querysets' ``restrict(scope)`` then say what
that caller may see, so each rule of "whose is this" is written once, in
:mod:`multinic_api.models.querysets`. Nothing here knows of HTTP: a refusal is the core's
:class:`~multinic_api.exceptions.PermissionDenied`, which each face answers in its own format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from multinic_api.exceptions import NO_PROJECT, PermissionDenied
from multinic_api.services import subnets

if TYPE_CHECKING:  # the models import this module's users; only the type is needed here
    from multinic_api.models import Network, Project


@dataclass(frozen=True)
class Scope:
    """A caller: ``project`` is None for a caller in no project (an unscoped token, a user
    who is a member of none); ``is_admin`` sees and may use everything. ``user_id`` is None
    where a service acts for a project rather than for a person (key pairs need a user)."""

    project: Project | None
    is_admin: bool = False
    user_id: str | None = None

    def require_project(self) -> Project:
        """The project the caller creates things in; refused when it has none."""
        if self.project is None:
            raise PermissionDenied(NO_PROJECT)
        return self.project

    def require_owner(self, network: Network, action: str) -> None:
        """Refused unless the caller may change the network (:func:`subnets.may_change`)."""
        if not subnets.may_change(network, self.project, self.is_admin):
            raise PermissionDenied(
                f"Only the network's project or an administrator may {action}.")
