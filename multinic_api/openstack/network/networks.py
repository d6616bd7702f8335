"""Networks: Neutron's network resource over :mod:`multinic_api.services.subnets`."""

import uuid

from rest_framework.response import Response

from multinic_api.exceptions import Conflict, InvalidInput
from multinic_api.models import Network
from multinic_api.openstack.network import presenters, query
from multinic_api.openstack.network.base import (
    NetworkingView,
    NetworkInUse,
    NetworkNotFound,
    as_uuid,
)
from multinic_api.services import subnets

NETWORK_FILTERS = {
    "id": lambda values: query.exactly("pk")(query.values_of(values, uuid.UUID)),
    "name": query.exactly("name"),
    "shared": query.flag("shared", "shared"),
    "project_id": query.exactly("project_id"),
    "tenant_id": query.exactly("project_id"),
    "mtu": lambda values: query.exactly("mtu")(query.values_of(values, int)),
    "provider:physical_network": query.exactly("physical_network"),
    "status": query.constant("active"),
    "admin_state_up": query.constant("true"),
    "router:external": query.constant("false"),
}


class NetworkMixin:
    def visible_networks(self):
        return Network.objects.restrict(self.scope).prefetch_related("subnets")

    def get_network(self, network_id) -> Network:
        found = self.visible_networks().filter(pk=as_uuid(network_id)).first()
        if found is None:
            raise NetworkNotFound(f"Network {network_id} could not be found.")
        return found

    def present_network(self, network: Network) -> dict:
        return presenters.network(network, is_admin=self.scope.is_admin)


class NetworksView(NetworkMixin, NetworkingView):
    def get(self, request):
        return self.listing(self.visible_networks(), ("id",), "networks", NETWORK_FILTERS,
                            self.present_network, self.get_network)

    def post(self, request):
        body = self.body("network")
        body.allow("name", "admin_state_up", "shared", "mtu", "project_id", "tenant_id",
                   "description", "provider:network_type", "provider:physical_network",
                   "provider:segmentation_id", "router:external", "port_security_enabled",
                   "availability_zone_hints", "is_default")
        body.fixed(description="")
        if body.get("provider:network_type") not in (None, "flat"):
            raise InvalidInput("Invalid input for operation: provider:network_type "
                               f"'{body.get('provider:network_type')!s:.40}' is not supported: "
                               "every network here is flat")
        if body.get("provider:segmentation_id") is not None:
            raise InvalidInput("Invalid input for operation: a flat network has no "
                               "provider:segmentation_id")
        shared = body.boolean("shared", default=False)
        physical_network = body.string("provider:physical_network", allow_null=True)
        subnets.check_network_request(self.scope.is_admin, shared=shared,
                                      physical_network=physical_network)
        network = subnets.create_network(self.owner_project(body),
                                         body.string("name", default=""), shared=shared,
                                         mtu=body.integer("mtu", default=1500),
                                         physical_network=physical_network)
        return Response({"network": self.present_network(network)}, status=201)


class NetworkView(NetworkMixin, NetworkingView):
    def get(self, request, network_id):
        return self.one("network", self.present_network(self.get_network(network_id)))

    def put(self, request, network_id):
        network = self.get_network(network_id)
        body = self.body("network")
        body.allow("name", "mtu", "shared", "admin_state_up", "description",
                   "port_security_enabled")
        body.fixed(description="")
        self.scope.require_owner(network, "change it")
        network = subnets.update_network(
            network, is_admin=self.scope.is_admin, name=body.string("name"),
            mtu=body.integer("mtu"), shared=body.boolean("shared"))
        return Response({"network": self.present_network(self.get_network(network.pk))})

    def delete(self, request, network_id):
        network = self.get_network(network_id)
        self.scope.require_owner(network, "delete it")
        try:
            subnets.delete_network(network)
        except Conflict as error:
            raise NetworkInUse(f"Unable to complete operation on network {network.pk}. "
                               f"{error.message}") from None
        return Response(status=204)
