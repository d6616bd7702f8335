"""Bare metal over the API: nodes, ports, port groups, and the bonding table.

Administrators create, change and delete; a tenant sees (read-only) the nodes of its own
project, with their ports and groups, because that is what it launches onto.
"""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.api import keyset
from multinic_api.api import serializers as s
from multinic_api.api.tenancy import request_scope
from multinic_api.api.views import errors
from multinic_api.exceptions import InvalidInput
from multinic_api.models import Instance, Node, Port, PortGroup, Project
from multinic_api.services import baremetal, bonding, text


class AdminWrites(BasePermission):
    message = "Only an administrator may change bare-metal nodes, ports and port groups."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or request_scope(request).is_admin


NODE_FILTER = OpenApiParameter("node", OpenApiTypes.STR, description="a node's UUID or name")


class BareMetalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Scoped reads; writes (create, PATCH, delete) for administrators."""

    permission_classes = [*viewsets.GenericViewSet.permission_classes, AdminWrites]
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def visible_nodes(self):
        return Node.objects.restrict(request_scope(self.request))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.get_scoped_queryset()

    def filter_by_node(self, queryset):
        reference = self.request.query_params.get("node")
        if reference:
            scope = request_scope(self.request)
            queryset = queryset.filter(node=baremetal.find_node(reference, scope.project,
                                                                scope.is_admin))
        return queryset

    def valid_body(self, partial: bool) -> dict:
        """The request body, checked by the viewset's ``write_serializer_class``."""
        body = self.write_serializer_class(data=self.request.data, partial=partial)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def node_for_write(self, node_uuid) -> Node:
        node = Node.objects.filter(pk=node_uuid).first()
        if node is None:
            raise NotFound(f"Node {node_uuid} not found.")
        return node


@extend_schema_view(
    list=extend_schema(summary="Bare-metal nodes (admins: all; tenants: their project's)",
                       parameters=[OpenApiParameter("name", OpenApiTypes.STR,
                                                    description="only the node of this name")],
                       responses={200: s.NodeSerializer, **errors(400, 401)}),
    retrieve=extend_schema(responses={200: s.NodeSerializer, **errors(401, 404)}),
    create=extend_schema(summary="Enrol a node (admin)", request=s.NodeWriteSerializer,
                         responses={201: s.NodeSerializer, **errors(400, 401, 403, 404, 409)}),
    partial_update=extend_schema(request=s.NodeWriteSerializer,
                                 responses={200: s.NodeSerializer,
                                            **errors(400, 401, 403, 404, 409)}),
    destroy=extend_schema(summary="Delete a node with its ports and groups (admin); refused "
                                  "while instances run on it",
                          responses={204: None, **errors(401, 403, 404, 409)}),
)
class NodeViewSet(mixins.CreateModelMixin, BareMetalViewSet):
    queryset = Node.objects.all()
    serializer_class = s.NodeSerializer
    write_serializer_class = s.NodeWriteSerializer

    def get_scoped_queryset(self):
        # A node's instances as the caller may see them: an admin may have launched another
        # project's instance onto a tenant's node.
        running = Prefetch("instances",
                           queryset=Instance.objects.restrict(request_scope(self.request)))
        nodes = self.visible_nodes().select_related("project").prefetch_related(
            "ports", "port_groups", running)
        name = self.request.query_params.get("name")
        if not name:
            return nodes
        return nodes.none() if text.has_nul(name) else nodes.filter(name=name)

    def create(self, request, *args, **kwargs):
        data = self.valid_body(partial=False)
        node = baremetal.create_node(data["name"], _project(data.get("project_id")),
                                     data.get("properties"))
        return Response(s.NodeSerializer(node).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        node = self.get_object()
        data = self.valid_body(partial=True)
        if "project_id" in data:
            data["project"] = _project(data.pop("project_id"))
        node = baremetal.update_node(node, **data)
        return Response(s.NodeSerializer(node).data)

    def perform_destroy(self, node):
        baremetal.delete_node(node)


@extend_schema_view(
    list=extend_schema(summary="Physical ports of the nodes you can see, in creation order",
                       parameters=[NODE_FILTER, *keyset.PARAMETERS],
                       responses={200: s.PortSerializer, **errors(400, 401, 404)}),
    retrieve=extend_schema(responses={200: s.PortSerializer, **errors(401, 404)}),
    create=extend_schema(summary="Add a port to a node (admin)", request=s.PortWriteSerializer,
                         responses={201: s.PortSerializer, **errors(400, 401, 403, 404, 409)}),
    partial_update=extend_schema(
        summary="Change a port (admin); not its MAC, network or group while it carries a VIF",
        request=s.PortWriteSerializer,
        responses={200: s.PortSerializer, **errors(400, 401, 403, 404, 409)}),
    destroy=extend_schema(responses={204: None, **errors(401, 403, 404, 409)}),
)
class PortViewSet(keyset.KeysetMixin, mixins.CreateModelMixin, BareMetalViewSet):
    queryset = Port.objects.all()
    # Creation order, as Ironic lists ports (models.serials).
    keyset_order = (("serial", False),)
    serializer_class = s.PortSerializer
    write_serializer_class = s.PortWriteSerializer

    def get_scoped_queryset(self):
        ports = Port.objects.filter(node__in=self.visible_nodes()).select_related("vif")
        return self.filter_by_node(ports).order_by("serial")

    def create(self, request, *args, **kwargs):
        data = self.valid_body(partial=False)
        node = self.node_for_write(data.pop("node_uuid"))
        port = baremetal.create_port(node, data.pop("mac"), **self._changes(data))
        return Response(s.PortSerializer(port).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        port = self.get_object()
        data = self.valid_body(partial=True)
        if "node_uuid" in data and data.pop("node_uuid") != port.node_id:
            raise InvalidInput("A port cannot move to another node; delete it and add it "
                               "there")
        port = baremetal.update_port(port, **self._changes(data))
        return Response(s.PortSerializer(Port.objects.select_related("vif").get(pk=port.pk))
                        .data)

    def perform_destroy(self, port):
        baremetal.delete_port(port)

    @staticmethod
    def _changes(data: dict) -> dict:
        if "port_group_uuid" in data:
            group_uuid = data.pop("port_group_uuid")
            group = None
            if group_uuid is not None:
                group = PortGroup.objects.filter(pk=group_uuid).first()
                if group is None:
                    raise NotFound(f"Port group {group_uuid} not found.")
            data["port_group"] = group
        return data


@extend_schema_view(
    list=extend_schema(summary="Port groups (bonds) of the nodes you can see, in creation order",
                       parameters=[NODE_FILTER, *keyset.PARAMETERS],
                       responses={200: s.PortGroupSerializer, **errors(400, 401, 404)}),
    retrieve=extend_schema(responses={200: s.PortGroupSerializer, **errors(401, 404)}),
    create=extend_schema(
        summary="Bond ports of a node (admin); mode and options by the bonding rules",
        request=s.PortGroupWriteSerializer,
        responses={201: s.PortGroupWithWarningsSerializer, **errors(400, 401, 403, 404, 409)}),
    partial_update=extend_schema(
        summary="Change a port group (admin); not its members or MAC while it carries a VIF",
        request=s.PortGroupWriteSerializer,
        responses={200: s.PortGroupWithWarningsSerializer, **errors(400, 401, 403, 404, 409)}),
    destroy=extend_schema(summary="Delete a port group (admin); its ports stay. 409 while it "
                                  "carries a VIF",
                          responses={204: None, **errors(401, 403, 404, 409)}),
)
class PortGroupViewSet(keyset.KeysetMixin, mixins.CreateModelMixin, BareMetalViewSet):
    queryset = PortGroup.objects.all()
    keyset_order = (("serial", False),)
    serializer_class = s.PortGroupSerializer
    write_serializer_class = s.PortGroupWriteSerializer

    def get_scoped_queryset(self):
        groups = PortGroup.objects.filter(node__in=self.visible_nodes()).select_related(
            "vif").prefetch_related("ports")
        return self.filter_by_node(groups).order_by("serial")

    def create(self, request, *args, **kwargs):
        data = self.valid_body(partial=False)
        node = self.node_for_write(data.pop("node_uuid"))
        group, bond = baremetal.create_port_group(node, data.pop("name"), **data)
        return self._written(group, bond, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        group = self.get_object()
        data = self.valid_body(partial=True)
        if "node_uuid" in data and data.pop("node_uuid") != group.node_id:
            raise InvalidInput("A port group cannot move to another node")
        group, bond = baremetal.update_port_group(group, **data)
        return self._written(group, bond, status.HTTP_200_OK)

    def perform_destroy(self, group):
        baremetal.delete_port_group(group)

    @staticmethod
    def _written(group, bond: bonding.Bond, code: int) -> Response:
        group = PortGroup.objects.select_related("vif").prefetch_related("ports").get(
            pk=group.pk)
        data = dict(s.PortGroupSerializer(group).data)
        data["warnings"] = list(bond.warnings)
        return Response(data, status=code)


class BondingModesView(APIView):
    """The bonding rules as data: the dashboard builds its bonding form from this."""

    @extend_schema(summary="Bonding modes, the options each allows, defaults and what the "
                           "switch needs",
                   responses={200: s.BondingModeSerializer(many=True), **errors(401)})
    def get(self, request):
        return Response(bonding.describe())


def _project(project_id) -> Project | None:
    if project_id is None:
        return None
    project = Project.objects.filter(pk=project_id).first() or Project.objects.filter(
        name=project_id).first()
    if project is None:
        raise NotFound(f"Project {project_id} not found.")
    return project
