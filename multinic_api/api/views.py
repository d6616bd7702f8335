"""API views: authenticate, scope to the caller's project, call a service, serialise."""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api import filtersets, phases
from multinic_api.api import keyset, launching, presenters
from multinic_api.api import serializers as s
from multinic_api.api.tenancy import IsScopeAdmin, request_scope
from multinic_api.faces import no_such_resource_view
from multinic_api.models import VIF, Instance, Keypair, Network, Project, Subnet
from multinic_api.services import guest, instances, keypairs, macs, subnets


class ErrorSerializer(s.serializers.Serializer):
    detail = s.serializers.CharField()
    code = s.serializers.CharField()
    fields = s.serializers.DictField(required=False)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    meaning = {400: "invalid input", 401: "not authenticated", 403: "not allowed",
               404: "not found, or not yours", 409: "conflict: in use or exhausted",
               429: "too many failed sign-ins: locked out for a while (Retry-After)"}
    return {code: OpenApiResponse(ErrorSerializer, description=meaning[code]) for code in codes}


def visible_instance(request, uuid) -> Instance:
    """The caller's instance (any, for admins); 404 when it is missing or not theirs."""
    instance = Instance.objects.restrict(request_scope(request)).filter(pk=uuid).first()
    if instance is None:
        raise NotFound(f"Instance {uuid} not found.")
    return instance


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """List, show, create and delete, over a queryset scoped to the caller by
    ``get_scoped_queryset``. Schema generation runs without a user: ``queryset`` (the
    unscoped model manager) only tells it the model."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.get_scoped_queryset()


#: A launch answers with its instance, or with ``count`` the instances it made.
LAUNCH_ANSWER = PolymorphicProxySerializer(
    component_name="LaunchAnswer", resource_type_field_name=None,
    serializers=[s.InstanceWithWarningsSerializer, s.BulkLaunchSerializer])
LAUNCH_PREVIEW_ANSWER = PolymorphicProxySerializer(
    component_name="LaunchPreviewAnswer", resource_type_field_name=None,
    serializers=[s.InstancePreviewSerializer, s.BulkPreviewSerializer])


class _PreviewRollback(Exception):
    """Raised to undo a preview's writes after it has been rendered."""


@extend_schema_view(
    list=extend_schema(summary="Networks you may attach to: your project's and shared ones",
                       parameters=keyset.PARAMETERS,
                       responses={200: s.NetworkSerializer, **errors(400, 401, 403)}),
    retrieve=extend_schema(responses={200: s.NetworkSerializer, **errors(401, 404)}),
    create=extend_schema(request=s.NetworkCreateSerializer,
                         responses={201: s.NetworkSerializer, **errors(400, 401, 403, 404)}),
    partial_update=extend_schema(summary="Change a network's VIF type (admin)",
                                 description="Administrators only (403 for anyone else). "
                                             "NICs already on the network keep the type "
                                             "they were plugged with; a body without "
                                             "`vif_type` changes nothing.",
                                 request=s.NetworkUpdateSerializer,
                                 responses={200: s.NetworkSerializer,
                                            **errors(400, 401, 403, 404)}),
    destroy=extend_schema(responses={204: None, **errors(401, 403, 404, 409)}),
)
class NetworkViewSet(keyset.KeysetMixin, ScopedViewSet):
    queryset = Network.objects.all()
    serializer_class = s.NetworkSerializer
    filterset_class = filtersets.NetworkFilterSet
    keyset_order = (("name", False), ("id", False))

    def get_scoped_queryset(self):
        return Network.objects.restrict(request_scope(self.request)).select_related(
            "project").prefetch_related("subnets").order_by("name", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": request_scope(self.request)}

    def create(self, request, *args, **kwargs):
        scope = request_scope(request)
        body = s.NetworkCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        subnets.check_network_request(scope.is_admin, **{
            name: data.get(name) for name in subnets.ADMIN_ONLY_NETWORK_FIELDS})
        project = scope.require_project()
        if data.get("project_id"):
            project = Project.objects.filter(pk=data["project_id"]).first()
            if project is None:
                raise NotFound(f"Project {data['project_id']} not found.")
        network = subnets.create_network(project, data["name"], shared=data["shared"],
                                         mtu=data["mtu"],
                                         physical_network=data.get("physical_network"),
                                         vif_type=data.get("vif_type"))
        data = s.NetworkSerializer(network, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        network = self.get_object()  # 404 unless the caller may see it
        body = s.NetworkUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subnets.check_network_request(request_scope(request).is_admin, **body.validated_data)
        if "vif_type" in body.validated_data:
            network = subnets.set_vif_type(network, body.validated_data["vif_type"])
        return Response(s.NetworkSerializer(network,
                                            context=self.get_serializer_context()).data)

    def perform_destroy(self, network):
        request_scope(self.request).require_owner(network, "delete it")
        subnets.delete_network(network)


@extend_schema_view(
    list=extend_schema(responses={200: s.SubnetSerializer, **errors(400, 401)}),
    retrieve=extend_schema(responses={200: s.SubnetSerializer, **errors(401, 404)}),
    create=extend_schema(request=s.SubnetCreateSerializer,
                         responses={201: s.SubnetSerializer, **errors(400, 401, 403, 404)}),
    destroy=extend_schema(responses={204: None, **errors(401, 403, 404, 409)}),
)
class SubnetViewSet(ScopedViewSet):
    queryset = Subnet.objects.all()
    serializer_class = s.SubnetSerializer
    filterset_class = filtersets.SubnetFilterSet

    def get_scoped_queryset(self):
        networks = Network.objects.restrict(request_scope(self.request))
        return Subnet.objects.filter(network__in=networks).prefetch_related(
            "allocation_pools").order_by("network", "ip_version", "cidr")

    def _owned_network(self, network_id):
        scope = request_scope(self.request)
        network = Network.objects.restrict(scope).filter(pk=network_id).first()
        if network is None:
            raise NotFound(f"Network {network_id} not found.")
        scope.require_owner(network, "change its subnets")
        return network

    def create(self, request, *args, **kwargs):
        body = s.SubnetCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        network = self._owned_network(data.pop("network_id"))
        if "gateway_ip" not in data:
            data["gateway_ip"] = subnets.AUTO
        subnet = subnets.create_subnet(network, data.pop("cidr"), **data)
        return Response(s.SubnetSerializer(subnet).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, subnet):
        self._owned_network(subnet.network_id)
        subnets.delete_subnet(subnet)


@extend_schema_view(
    list=extend_schema(summary="Your project's instances (all, for admins), newest first",
                       parameters=keyset.PARAMETERS,
                       responses={200: s.InstanceSerializer, **errors(400, 401)}),
    retrieve=extend_schema(responses={200: s.InstanceSerializer, **errors(401, 404)}),
    create=extend_schema(summary="Launch: one VIF per requested NIC, in order, all or nothing",
                         description="With `count` (or `nodes`), that many instances alike in "
                                     "one transaction: the answer lists them.",
                         request=s.LaunchSerializer,
                         responses={201: LAUNCH_ANSWER, **errors(400, 401, 403, 404, 409)}),
    destroy=extend_schema(summary="Delete, freeing every MAC and address",
                          responses={204: None, **errors(401, 404)}),
)
class InstanceViewSet(keyset.KeysetMixin, ScopedViewSet):
    queryset = Instance.objects.all()
    serializer_class = s.InstanceSerializer
    filterset_class = filtersets.InstanceFilterSet
    lookup_field = "uuid"
    keyset_order = (("created", True), ("uuid", False))

    def get_scoped_queryset(self):
        return (Instance.objects.restrict(request_scope(self.request)).with_interfaces()
                .select_related("project", "node").order_by("-created", "uuid"))

    @phases.timed("serialize")
    def _launch(self, request, *, preview: bool = False) -> dict:
        """Launch as asked; the response body: the instance, or with ``count`` (or
        ``nodes``) the instances and their reservation. A preview's instances carry what
        their guests would be handed."""
        scope = request_scope(request)
        outcome = launching.launch_from_body(
            request.data, user_id=scope.user_id, project=scope.require_project(),
            is_admin=scope.is_admin)
        launched = outcome.launched
        bodies = [self._instance_body(instance, preview) for instance in launched.instances]
        if outcome.bulk:
            return {"reservation_id": launched.reservation_id, "instances": bodies,
                    "warnings": outcome.warnings}
        return {**bodies[0], "warnings": outcome.warnings}

    @staticmethod
    def _instance_body(instance: Instance, preview: bool) -> dict:
        body = presenters.instance_body(instance)
        if preview:
            renderings = guest.renderings_of(instance)
            body.update(network_info=renderings.network_info,
                        network_data=renderings.network_data, meta_data=renderings.meta_data)
        return body

    def create(self, request, *args, **kwargs):
        return Response(self._launch(request), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Dry run of a launch: what it would allocate; nothing is kept",
        description="Runs the real launch in a transaction that is then rolled back, so every "
                    "error a launch would give is given here, and renders what the guest would "
                    "get: `network_info`, `network_data` (network_data.json) and `meta_data` "
                    "(meta_data.json). Generated MACs and UUIDs are examples: the real launch "
                    "draws new ones. With `count`, each of the instances is previewed.",
        request=s.LaunchSerializer,
        responses={200: LAUNCH_PREVIEW_ANSWER, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=False, methods=["post"])
    def preview(self, request):
        try:
            with transaction.atomic():
                data = self._launch(request, preview=True)
                raise _PreviewRollback
        except _PreviewRollback:
            pass
        return Response(data)

    def perform_destroy(self, instance):
        instances.delete_instance(instance)


INSTANCE_UUID = OpenApiParameter("instance_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


@extend_schema(parameters=[INSTANCE_UUID])
@extend_schema_view(
    list=extend_schema(summary="An instance's interfaces in NIC order",
                       responses={200: s.VIFSerializer, **errors(401, 404)}),
    retrieve=extend_schema(responses={200: s.VIFSerializer, **errors(401, 404)}),
    create=extend_schema(summary="Attach: a new VIF after the last one",
                         request=s.NicRequestSerializer,
                         responses={201: s.VIFWithWarningsSerializer,
                                    **errors(400, 401, 403, 404, 409)}),
    destroy=extend_schema(summary="Detach, freeing its MAC and addresses",
                          responses={204: None, **errors(401, 404)}),
)
class InterfaceViewSet(ScopedViewSet):
    queryset = VIF.objects.all()
    serializer_class = s.VIFSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "vif_uuid"
    pagination_class = None  # an instance has a handful of NICs, and their order matters

    def get_instance(self) -> Instance:
        return visible_instance(self.request, self.kwargs["instance_uuid"])

    def get_scoped_queryset(self):
        vifs = VIF.objects.with_addresses()
        return vifs.filter(instance=self.get_instance()).order_by("position")

    def create(self, request, *args, **kwargs):
        scope = request_scope(request)
        instance = self.get_instance()
        body = s.NicRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        (nic,) = launching.nic_requests([body.validated_data])
        warnings: list[str] = []
        vif = instances.attach_interface(instance, nic, project=instance.project,
                                         is_admin=scope.is_admin, warnings=warnings)
        data = s.VIFSerializer(vif).data  # as attach wrote it: no read-back
        return Response({**data, "warnings": warnings}, status=status.HTTP_201_CREATED)

    def perform_destroy(self, vif):
        instances.detach_interface(vif.instance, vif.uuid)


@extend_schema_view(
    list=extend_schema(summary="Every VIF in the cloud (admin), with its instance's, "
                               "project's and network's names and its bare-metal carrier",
                       responses={200: s.VIFInventorySerializer, **errors(400, 401, 403)}),
    retrieve=extend_schema(responses={200: s.VIFInventorySerializer, **errors(401, 403, 404)}),
)
class VIFViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = VIF.objects.all()
    serializer_class = s.VIFInventorySerializer
    permission_classes = [IsScopeAdmin]
    filterset_class = filtersets.VIFFilterSet
    lookup_field = "uuid"

    def get_queryset(self):
        vifs = VIF.objects.with_addresses().select_related("project")
        return vifs.order_by("instance__created", "instance_id", "position")


class MacOwnerSerializer(s.serializers.Serializer):
    mac = s.serializers.CharField()
    kind = s.serializers.ChoiceField(
        choices=["vif", "port", "port_group"],
        help_text="what holds the MAC: a VIF, else a bare-metal port or port group (a "
                  "bare-metal VIF has its carrier's MAC, so both are shown)")
    vif = s.VIFInventorySerializer(allow_null=True)
    port = s.PortSerializer(allow_null=True)
    port_group = s.PortGroupSerializer(allow_null=True)


class MacOwnerView(APIView):
    permission_classes = [IsScopeAdmin]

    @extend_schema(summary="Who holds a MAC (admin); any notation",
                   responses={200: MacOwnerSerializer, **errors(400, 401, 403, 404)})
    def get(self, request, mac):
        held = macs.holders(mac)
        if not held.found:
            raise NotFound(f"No interface, port or port group holds MAC {held.mac}.")
        return Response({
            "mac": held.mac, "kind": held.kind,
            "vif": (s.VIFInventorySerializer(held.vif).data if held.vif is not None
                    else None),
            "port": s.PortSerializer(held.port).data if held.port is not None else None,
            "port_group": (s.PortGroupSerializer(held.port_group).data
                           if held.port_group is not None else None),
        })


@extend_schema_view(
    list=extend_schema(summary="Your key pairs", responses={200: s.KeypairSerializer,
                                                            **errors(401)}),
    retrieve=extend_schema(responses={200: s.KeypairSerializer, **errors(401, 404)}),
    create=extend_schema(summary="Import a public key (keys are never generated here)",
                         request=s.KeypairImportSerializer,
                         responses={201: s.KeypairSerializer, **errors(400, 401, 409)}),
    destroy=extend_schema(responses={204: None, **errors(401, 404)}),
)
class KeypairViewSet(ScopedViewSet):
    """A user's named public keys; ``key_name`` at launch puts one into the config drive."""

    queryset = Keypair.objects.all()
    serializer_class = s.KeypairSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    pagination_class = None

    def get_scoped_queryset(self):
        return keypairs.user_keypairs(request_scope(self.request).user_id)

    def get_object(self):
        return keypairs.get_keypair(request_scope(self.request).user_id, self.kwargs["name"])

    def create(self, request, *args, **kwargs):
        body = s.KeypairImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        keypair = keypairs.import_keypair(request_scope(request).user_id,
                                          body.validated_data["name"],
                                          body.validated_data["public_key"])
        return Response(s.KeypairSerializer(keypair).data, status=status.HTTP_201_CREATED)


#: The API's answer to a URL it does not have (a typo, a malformed UUID): a JSON 404.
NoSuchResourceView = no_such_resource_view(
    APIView, lambda path: f"There is no API resource at {path}; see /api/docs/.")
