"""What an instance's guest and hypervisor get: network_info, the config drive (files and
ISO) and the libvirt domain. Read-only views over :mod:`multinic_api.services.guest`."""

import mimetypes

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.api.views import errors, visible_instance
from multinic_api.exceptions import InvalidInput
from multinic_api.faces import JSONAnswers, absolute_url
from multinic_api.guest.iso import VOLUME_LABEL
from multinic_api.services import guest

ISO_TYPE = "application/x-iso9660-image"
INSTANCE_UUID = OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


class ConfigDriveFileSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="relative to the drive's root")
    size = serializers.IntegerField(help_text="bytes")
    content_type = serializers.CharField()
    url = serializers.URLField()


class ConfigDriveListingSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="the ISO volume label guests look for")
    files = ConfigDriveFileSerializer(many=True)


# One item per VIF in NIC order: an object (Nova's network model), or for shape=legacy a
# [network, info] pair.
NETWORK_INFO = {"type": "array", "items": {"oneOf": [
    {"type": "object", "description": "shape=model: one VIF of Nova's network model"},
    {"type": "array", "items": {"type": "object"}, "minItems": 2, "maxItems": 2,
     "description": "shape=legacy: a [network, info] pair"},
]}}


def _content_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


class InstanceGuestView(JSONAnswers, APIView):
    """Base: the caller's instance (404 when it is not theirs). The files are plain responses
    of their own type; the errors are JSON, whatever file the client asked for."""

    def renderings(self, uuid) -> guest.InstanceRenderings:
        return guest.renderings_of(visible_instance(self.request, uuid))


@extend_schema_view(get=extend_schema(
    operation_id="instances_network_info",
    summary="network_info: what compute hands the virt driver, one VIF per NIC in order",
    parameters=[INSTANCE_UUID, OpenApiParameter(
        "shape", str, enum=["model", "legacy"], default="model",
        description="`model`: Nova's network model; `legacy`: nova-network's [network, info] "
                    "pairs")],
    responses={200: OpenApiResponse(NETWORK_INFO, description="a JSON list in the chosen shape"),
               **errors(400, 401, 404)},
))
class NetworkInfoView(InstanceGuestView):
    def get(self, request, uuid):
        shape = request.query_params.get("shape", "model")
        if shape not in ("model", "legacy"):
            raise InvalidInput("shape must be 'model' or 'legacy'")
        renderings = self.renderings(uuid)
        return Response(renderings.legacy_network_info if shape == "legacy"
                        else renderings.network_info)


@extend_schema_view(get=extend_schema(
    operation_id="instances_config_drive_list",
    summary="The config drive's files (each fetched from the `url` given)",
    description="`meta_data.json` carries a fresh `random_seed` on every request, as Nova's "
                "metadata service does.",
    parameters=[INSTANCE_UUID],
    responses={200: ConfigDriveListingSerializer, **errors(401, 404)},
))
class ConfigDriveListView(InstanceGuestView):
    def get(self, request, uuid):
        renderings = self.renderings(uuid)
        base = absolute_url(request, f"/api/instances/{uuid}/config_drive/")
        files = [{"path": path, "size": len(data), "content_type": _content_type(path),
                  "url": base + path} for path, data in renderings.config_drive_files.items()]
        return Response({"label": VOLUME_LABEL, "files": files})


@extend_schema_view(get=extend_schema(
    operation_id="instances_config_drive_file",
    summary="One file of the config drive, e.g. openstack/latest/network_data.json",
    parameters=[INSTANCE_UUID, OpenApiParameter("path", str, OpenApiParameter.PATH)],
    responses={(200, "application/json"): OpenApiTypes.OBJECT,
               (200, "application/octet-stream"): OpenApiTypes.BINARY,
               **errors(401, 404)},
))
class ConfigDriveFileView(InstanceGuestView):
    def get(self, request, uuid, path):
        files = self.renderings(uuid).config_drive_files
        if path not in files:
            raise NotFound(f"The config drive has no file {path}.")
        return HttpResponse(files[path], content_type=_content_type(path))


@extend_schema_view(get=extend_schema(
    operation_id="instances_config_drive_iso",
    summary="The config drive as an ISO 9660 image labelled config-2 (download)",
    parameters=[INSTANCE_UUID],
    responses={(200, ISO_TYPE): OpenApiTypes.BINARY, **errors(401, 404)},
))
class ConfigDriveIsoView(InstanceGuestView):
    def get(self, request, uuid):
        image = self.renderings(uuid).config_drive_iso()
        response = HttpResponse(image, content_type=ISO_TYPE)
        response["Content-Disposition"] = f'attachment; filename="config-drive-{uuid}.iso"'
        return response


@extend_schema_view(get=extend_schema(
    operation_id="instances_domain_xml",
    summary="The libvirt domain XML: one <interface> per VIF in NIC order",
    description="409 for an instance on bare metal, which the bare-metal driver spawns.",
    parameters=[INSTANCE_UUID],
    responses={(200, "application/xml"): OpenApiTypes.STR, **errors(401, 404, 409)},
))
class DomainXmlView(InstanceGuestView):
    def get(self, request, uuid):
        xml = self.renderings(uuid).domain_xml()
        return HttpResponse(xml, content_type="application/xml")
