"""Neutron-compatible networking subset under /networking/: version discovery, the
extensions list, and the 404 for any other URL. Networks, subnets and ports are in their own
modules, each listed, shown, created, updated and deleted through the services every face
uses, with Neutron's bodies, filters, ``fields`` and pagination."""

from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from multinic_api.exceptions import NotFound
from multinic_api.faces import absolute_url, no_such_resource_view, version_links
from multinic_api.openstack.network.base import NetworkingView

# --- versions and extensions -----------------------------------------------------------------

class VersionsView(NetworkingView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"versions": [{
            "id": "v2.0", "status": "CURRENT",
            "links": version_links(request, "/networking/v2.0/"),
        }]})


_RESOURCES = (("network", "networks"), ("subnet", "subnets"), ("port", "ports"))


class VersionView(VersionsView):
    def get(self, request):
        return Response({"resources": [{
            "name": name, "collection": collection,
            "links": [{"rel": "self",
                       "href": absolute_url(request, f"/networking/v2.0/{collection}")}],
        } for name, collection in _RESOURCES]})


#: The API extensions whose attributes this face answers with.
EXTENSIONS = {
    "binding": "Port Binding",
    "external-net": "Neutron external network",
    "net-mtu": "Network MTU",
    "pagination": "Pagination support",
    "project-id": "project_id field enabled",
    "provider": "Provider Network",
    "standard-attr-description": "standard-attr-description",
}


def _extension(alias: str) -> dict:
    return {"alias": alias, "name": EXTENSIONS[alias], "description": EXTENSIONS[alias],
            "updated": "2013-01-01T00:00:00-00:00", "links": []}


class ExtensionsView(NetworkingView):
    def get(self, request):
        return Response({"extensions": [_extension(alias) for alias in sorted(EXTENSIONS)]})


class ExtensionView(NetworkingView):
    def get(self, request, alias):
        if alias not in EXTENSIONS:
            raise NotFound(f"Extension with alias {alias} does not exist")
        return Response({"extension": _extension(alias)})


#: Any other URL under /networking/: Neutron's JSON 404.
NoSuchResourceView = no_such_resource_view(
    NetworkingView, lambda path: f"The resource could not be found: there is no {path} in "
                                 "the networking API.")
