"""What every view of the networking face shares: its authentication and tenancy (those of
every face), Neutron's error body, how a list answers (filters, ``fields``, pagination), and
the not-found and in-use errors Neutron names by resource."""

import uuid
from typing import Any

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.api.authentication import KeystoneTokenAuthentication
from multinic_api.api.tenancy import HasProjectScope, request_scope
from multinic_api.exceptions import Conflict, NotFound, PermissionDenied
from multinic_api.faces import JSONAnswers, neutron_fault
from multinic_api.models import Project
from multinic_api.openstack.network import query
from multinic_api.openstack.network.bodies import Body
from multinic_api.scope import Scope
from multinic_api.services import projects
from multinic_identity.authentication import BuiltinTokenAuthentication


class NetworkNotFound(NotFound):
    neutron_type = "NetworkNotFound"


class SubnetNotFound(NotFound):
    neutron_type = "SubnetNotFound"


class NetworkInUse(Conflict):
    neutron_type = "NetworkInUse"


class SubnetInUse(Conflict):
    neutron_type = "SubnetInUse"


def as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class NetworkingView(JSONAnswers, APIView):
    schema = None  # an OpenStack API, documented upstream; not part of /api/schema/
    authentication_classes = [KeystoneTokenAuthentication, BuiltinTokenAuthentication]
    permission_classes = [IsAuthenticated, HasProjectScope]

    def get_exception_handler(self):
        return neutron_fault

    @property
    def scope(self) -> Scope:
        return request_scope(self.request)

    def body(self, key: str) -> Body:
        return Body.of(self.request.data, key)

    def listing(self, queryset, order, collection: str, filters: dict,
                present, find_marker) -> Response:
        rows = query.filtered(queryset, self.request.query_params, filters)
        page = query.paginated(self.request, rows, order, collection, find_marker)
        body = {collection: [query.selected(present(row), self.request.query_params)
                             for row in page.rows]}
        if page.links:
            body[f"{collection}_links"] = page.links
        return Response(body)

    def one(self, key: str, item: dict) -> Response:
        return Response({key: query.selected(item, self.request.query_params)})

    def owner_project(self, body: Body) -> Project:
        """The project a new resource is for: the caller's, or (administrators) the one
        ``project_id`` or ``tenant_id`` names, recorded if not seen before, as a Keystone
        project is."""
        asked = body.project_id()
        own = self.scope.require_project()
        if asked is None or asked == own.pk:
            return own
        if not self.scope.is_admin:
            raise PermissionDenied("Only an administrator may create a resource for another "
                                   "project.")
        return projects.seen(asked, None)
