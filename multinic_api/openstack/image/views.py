"""A read-only Image v2 subset (Glance's shapes) over ``MULTINIC_IMAGES``: the openstack CLI
resolves ``--image NAME`` here before it creates a server. Nothing is stored or served."""

from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.api.authentication import KeystoneTokenAuthentication
from multinic_api.api.tenancy import HasProjectScope
from multinic_api.exceptions import NotFound
from multinic_api.faces import (
    JSONAnswers,
    endpoint_path,
    glance_fault,
    no_such_resource_view,
    version_links,
)
from multinic_api.services import catalog
from multinic_identity.authentication import BuiltinTokenAuthentication

_CREATED = "2026-01-01T00:00:00Z"
#: Where the face is mounted, and the one API version it serves.
FACE_PATH = "/image"
VERSION = "v2"


def image_body(item: dict) -> dict:
    ident = item["id"]
    return {
        "id": ident, "name": item["name"], "status": "active", "visibility": "public",
        "protected": False, "os_hidden": False, "container_format": "bare",
        "disk_format": item.get("disk_format", "qcow2"), "size": item.get("size", 0),
        "virtual_size": None, "min_disk": item.get("min_disk", 0),
        "min_ram": item.get("min_ram", 0), "checksum": None, "os_hash_algo": None,
        "os_hash_value": None, "owner": None, "created_at": _CREATED, "updated_at": _CREATED,
        "tags": [], "self": endpoint_path(VERSION, "images", ident),
        "file": endpoint_path(VERSION, "images", ident, "file"),
        "schema": endpoint_path(VERSION, "schemas", "image"),
    }


class ImageView(JSONAnswers, APIView):
    schema = None  # an OpenStack API, documented upstream; not part of /api/schema/
    authentication_classes = [KeystoneTokenAuthentication, BuiltinTokenAuthentication]
    permission_classes = [IsAuthenticated, HasProjectScope]

    def get_exception_handler(self):
        return glance_fault


class VersionsView(ImageView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"versions": [{
            "id": "v2.16", "status": "CURRENT",
            "links": version_links(request, f"{FACE_PATH}/{VERSION}/"),
        }]}, status=300)


class ImagesView(ImageView):
    def get(self, request):
        items = catalog.images()
        name = request.query_params.get("name")
        if name is not None:
            items = [i for i in items if i["name"] == name]
        return Response({"images": [image_body(i) for i in items],
                         "schema": endpoint_path(VERSION, "schemas", "images"),
                         "first": endpoint_path(VERSION, "images")})


class ImageDetailView(ImageView):
    def get(self, request, image_id):
        item = catalog.find_image(image_id)
        if item is None:
            raise NotFound(f"No image found with ID {image_id}")
        return Response(image_body(item))


#: Any other URL under /image/: Glance's 404.
NoSuchResourceView = no_such_resource_view(
    ImageView, lambda path: f"The resource could not be found: there is no {path} in the "
                            "image API.")
