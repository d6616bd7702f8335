"""An Ironic-compatible Bare Metal v1 subset under /baremetal/ for python-ironicclient (the
``openstack baremetal`` commands) and openstacksdk: versions, nodes, ports and port groups.

A thin face over :mod:`multinic_api.services.baremetal` (and so the bonding rules): reading
as the REST API allows (administrators every node, a tenant its project's), writing for
administrators, as Ironic's default policy. Lists are in creation order, Ironic's order (by
its integer ids), which is also a bond's member order in ``network_data.json``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.api.authentication import KeystoneTokenAuthentication
from multinic_api.api.tenancy import HasProjectScope, request_scope
from multinic_api.exceptions import Forbidden, InvalidInput, NotFound
from multinic_api.faces import (
    JSONAnswers,
    ironic_fault,
    next_page_url,
    no_such_resource_view,
    version_links,
)
from multinic_api.models import Instance, Node, Port, PortGroup, Project
from multinic_api.openstack.baremetal import inputs, microversions, presenters
from multinic_api.openstack.baremetal.microversions import Version
from multinic_api.scope import Scope
from multinic_api.services import baremetal, text
from multinic_identity.authentication import BuiltinTokenAuthentication

#: Ironic's ``[api] max_limit``: no list answers more at once; a full page links to the next.
MAX_LIMIT = 1000


class BareMetalView(JSONAnswers, APIView):
    schema = None  # an OpenStack API, documented upstream; not part of /api/schema/
    authentication_classes = [KeystoneTokenAuthentication, BuiltinTokenAuthentication]
    permission_classes = [IsAuthenticated, HasProjectScope]
    #: Ironic's policy name for the resource, which a refused write names.
    policy = "node"
    #: The oldest version that has this URL; older requests get a 404, as from Ironic.
    since: Version = microversions.MIN_VERSION
    #: False for the version documents and the catch-all, which answer any version.
    negotiates = True

    def get_exception_handler(self):
        return ironic_fault

    def initial(self, request, *args, **kwargs):
        self.version = None
        super().initial(request, *args, **kwargs)
        if not self.negotiates or not hasattr(self, request.method.lower()):
            return  # a method the URL does not have is a 405, whatever the version
        self.version = microversions.requested(request.headers)
        if self.version < self.since:
            raise NotFound("The resource could not be found.")
        if request.method not in SAFE_METHODS and not self.scope.is_admin:
            action = {"POST": "create", "PATCH": "update", "DELETE": "delete"}.get(
                request.method, request.method.lower())
            raise Forbidden(f"Access was denied to the following resource: "
                            f"baremetal:{self.policy}:{action}. Only an administrator may "
                            "change bare-metal nodes, ports and port groups.")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in microversions.range_headers().items():
            response[name] = value
        if getattr(self, "version", None) is not None:
            response[microversions.HEADER] = microversions.text(self.version)
            response["OpenStack-API-Version"] = f"baremetal {microversions.text(self.version)}"
        response["Vary"] = f"OpenStack-API-Version, {microversions.HEADER}"
        return response

    @property
    def scope(self) -> Scope:
        return request_scope(self.request)

    def data(self) -> Any:
        return text.refuse_nul(self.request.data, "The request body")

    # --- what the caller may see -------------------------------------------------------------

    def visible_nodes(self) -> QuerySet:
        running = Prefetch("instances", queryset=Instance.objects.restrict(self.scope))
        return Node.objects.restrict(self.scope).prefetch_related(running)

    def find_node(self, reference: str) -> Node:
        by_name = self.version >= microversions.NODE_NAMES
        if text.has_nul(reference) or not (by_name or baremetal.is_uuid(reference)):
            raise NotFound(f"Node {reference} could not be found.")
        nodes = self.visible_nodes()
        node = nodes.filter(name=reference).first() if by_name else None
        if node is None and baremetal.is_uuid(reference):
            node = nodes.filter(pk=reference).first()
        if node is None:
            raise NotFound(f"Node {reference} could not be found.")
        return node

    def ports(self) -> QuerySet:
        return Port.objects.filter(node__in=Node.objects.restrict(self.scope)).select_related(
            "vif").order_by("serial")

    def port_groups(self) -> QuerySet:
        return PortGroup.objects.filter(
            node__in=Node.objects.restrict(self.scope)).select_related("vif").order_by("serial")

    def find_port(self, reference: str) -> Port:
        port = self.ports().filter(pk=reference).first() if baremetal.is_uuid(reference) \
            else None
        if port is None:
            raise NotFound(f"Port {reference} could not be found.")
        return port

    def find_port_group(self, reference: str) -> PortGroup:
        groups = self.port_groups()
        group = None if text.has_nul(reference) else groups.filter(name=reference).first()
        if group is None and baremetal.is_uuid(reference):
            group = groups.filter(pk=reference).first()
        if group is None:
            raise NotFound(f"Portgroup {reference} could not be found.")
        return group

    # --- answers -----------------------------------------------------------------------------

    def listing(self, key: str, shape: presenters.Shape, items: QuerySet,
                detail: bool) -> Response:
        """A list as Ironic pages it: ``limit`` (at most MAX_LIMIT) and ``marker`` (the last
        UUID of the page before), with a ``next`` link when the page is full."""
        params = self.request.query_params
        _check_order(params.get("sort_key"), params.get("sort_dir"))
        limit = _limit(params.get("limit"))
        marker = params.get("marker")
        if marker is not None:
            after = items.filter(pk=marker).first() if baremetal.is_uuid(marker) else None
            if after is None:
                raise InvalidInput(f"Marker {marker} could not be found.")
            items = items.filter(**{f"{_order(items)}__gt": getattr(after, _order(items))})
        page = list(items[:limit])
        names = shape.selected(self.version, params.get("fields"), detail)
        body: dict[str, Any] = {key: [shape.present(self.request, item, names)
                                      for item in page]}
        if len(page) == limit and page:
            body["next"] = next_page_url(self.request, limit=str(limit),
                                         marker=str(page[-1].pk))
        return Response(body)

    def one(self, shape: presenters.Shape, item: Any, status: int = 200) -> Response:
        names = shape.selected(self.version, self.request.query_params.get("fields"), True)
        return Response(shape.present(self.request, item, names), status=status)


def _limit(value: str | None) -> int:
    if value is None:
        return MAX_LIMIT
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput(f"Limit must be a non-negative integer, not {value[:20]!r}")
    digits = value.lstrip("0")
    if not digits or len(digits) > len(str(MAX_LIMIT)):  # Ironic: 0 is "no limit"
        return MAX_LIMIT
    return min(int(digits), MAX_LIMIT)


def _check_order(sort_key: str | None, sort_dir: str | None) -> None:
    """Lists come in creation order, Ironic's default (``sort_key=id``, ``sort_dir=asc``);
    another order is refused rather than ignored, so a client does not show it as sorted."""
    if sort_key not in (None, "id", "created_at") or sort_dir not in (None, "asc"):
        raise InvalidInput("Lists here are in creation order only (sort_key id or "
                           "created_at, sort_dir asc)")


def _order(items: QuerySet) -> str:
    return "created" if items.model is Node else "serial"


# --- versions ------------------------------------------------------------------------------------

def _version(request) -> dict:
    return {"id": "v1", "status": "CURRENT",
            "min_version": microversions.text(microversions.MIN_VERSION),
            "version": microversions.text(microversions.MAX_VERSION),
            "links": version_links(request, f"{presenters.BASE}/v1/")}


class Unversioned(BareMetalView):
    """Public, and for any version a client asks."""

    authentication_classes = []
    permission_classes = [AllowAny]
    negotiates = False


class VersionsView(Unversioned):
    """GET /baremetal/: Ironic's root document, the one major version v1."""

    def get(self, request):
        return Response({"name": "OpenStack Ironic API",
                         "description": "Bare-metal nodes, their ports and port groups "
                                        "(bonds), as multinic keeps them.",
                         "versions": [_version(request)], "default_version": _version(request)})


class VersionView(VersionsView):
    """GET /baremetal/v1: the version with its resources' links."""

    def get(self, request):
        return Response({
            "id": "v1",
            "links": version_links(request, f"{presenters.BASE}/v1/"),
            "media_types": [{"base": "application/json",
                             "type": "application/vnd.openstack.ironic.v1+json"}],
            "nodes": presenters.links(request, "nodes"),
            "ports": presenters.links(request, "ports"),
            "portgroups": presenters.links(request, "portgroups"),
            "version": _version(request),
        })


#: Any other URL under /baremetal/: Ironic's 404.
NoSuchResourceView = no_such_resource_view(
    Unversioned, lambda path: f"The resource could not be found: there is no {path} in the "
                                "bare metal API.")


def project_named(reference: Any) -> Project | None:
    """A node's ``owner``: a project by id or name, or none (administrators only)."""
    if reference is None:
        return None
    if not isinstance(reference, str) or text.has_nul(reference):
        raise InvalidInput(f"owner must be a project's id or name, not {reference!r}")
    project = Project.objects.filter(pk=reference).first() or Project.objects.filter(
        name=reference).first()
    if project is None:
        raise InvalidInput(f"Project {reference} is not known here")
    return project


def new_uuid(body: dict) -> str:
    """The UUID a create body asks for, or a new one."""
    if "uuid" in body and body["uuid"] is not None:
        return inputs.uuid_text(body["uuid"], "uuid")
    return str(uuid.uuid4())
