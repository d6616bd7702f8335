"""Subnets: Neutron's subnet resource over :mod:`multinic_api.services.subnets`."""

import uuid

from rest_framework.response import Response

from multinic_api.exceptions import Conflict, InvalidInput
from multinic_api.models import Network, Subnet
from multinic_api.openstack.network import presenters, query
from multinic_api.openstack.network.base import (
    NetworkingView,
    SubnetInUse,
    SubnetNotFound,
    as_uuid,
)
from multinic_api.openstack.network.networks import NetworkMixin
from multinic_api.services import subnets

SUBNET_FILTERS = {
    "id": lambda values: query.exactly("pk")(query.values_of(values, uuid.UUID)),
    "name": query.exactly("name"),
    "network_id": lambda values: query.exactly("network_id")(
        query.values_of(values, uuid.UUID)),
    "project_id": query.exactly("network__project_id"),
    "tenant_id": query.exactly("network__project_id"),
    "ip_version": lambda values: query.exactly("ip_version")(query.values_of(values, int)),
    "cidr": query.exactly("cidr"),
    "gateway_ip": query.exactly("gateway_ip"),
    "enable_dhcp": query.flag("enable_dhcp", "enable_dhcp"),
    "ipv6_address_mode": query.exactly("ipv6_address_mode"),
    "ipv6_ra_mode": query.exactly("ipv6_ra_mode"),
}


class SubnetMixin(NetworkMixin):
    def visible_subnets(self):
        return Subnet.objects.filter(
            network__in=Network.objects.restrict(self.scope)).select_related(
            "network").prefetch_related("allocation_pools")

    def get_subnet(self, subnet_id) -> Subnet:
        found = self.visible_subnets().filter(pk=as_uuid(subnet_id)).first()
        if found is None:
            raise SubnetNotFound(f"Subnet {subnet_id} could not be found.")
        return found


class SubnetsView(SubnetMixin, NetworkingView):
    def get(self, request):
        return self.listing(self.visible_subnets(), ("id",), "subnets", SUBNET_FILTERS,
                            presenters.subnet, self.get_subnet)

    def post(self, request):
        body = self.body("subnet")
        body.allow("network_id", "cidr", "ip_version", "name", "gateway_ip",
                   "allocation_pools", "dns_nameservers", "host_routes", "enable_dhcp",
                   "ipv6_address_mode", "ipv6_ra_mode", "description", "project_id",
                   "tenant_id", "service_types", "subnetpool_id", "use_default_subnetpool",
                   "segment_id", "dns_publish_fixed_ip")
        body.fixed(description="")
        for unsupported in ("subnetpool_id", "segment_id"):
            if body.get(unsupported) is not None:
                raise InvalidInput(f"Invalid input for operation: {unsupported} is not "
                                   "supported here; give a cidr")
        network = self.get_network(body.required_string("network_id"))
        self.scope.require_owner(network, "change its subnets")
        if body.project_id() not in (None, network.project_id):
            raise InvalidInput("A subnet belongs to its network's project: project_id must "
                               "be that project's or left out")
        cidr = body.required_string("cidr")
        subnet = subnets.create_subnet(
            network, cidr, name=body.string("name", default=""),
            gateway_ip=body.string("gateway_ip", allow_null=True, default=subnets.AUTO),
            allocation_pools=body.list_of_objects("allocation_pools"),
            dns_nameservers=body.list_of_strings("dns_nameservers") or (),
            host_routes=body.list_of_objects("host_routes") or (),
            enable_dhcp=body.boolean("enable_dhcp", default=True),
            ipv6_address_mode=body.string("ipv6_address_mode", allow_null=True),
            ipv6_ra_mode=body.string("ipv6_ra_mode", allow_null=True),
            ip_version=body.integer("ip_version"))
        return Response({"subnet": presenters.subnet(self.get_subnet(subnet.pk))},
                        status=201)


class SubnetView(SubnetMixin, NetworkingView):
    def get(self, request, subnet_id):
        return self.one("subnet", presenters.subnet(self.get_subnet(subnet_id)))

    def put(self, request, subnet_id):
        subnet = self.get_subnet(subnet_id)
        body = self.body("subnet")
        body.allow("name", "dns_nameservers", "host_routes", "description")
        body.fixed(description="")
        self.scope.require_owner(subnet.network, "change its subnets")
        subnets.update_subnet(subnet, name=body.string("name"),
                              dns_nameservers=body.list_of_strings("dns_nameservers"),
                              host_routes=body.list_of_objects("host_routes"))
        return Response({"subnet": presenters.subnet(self.get_subnet(subnet.pk))})

    def delete(self, request, subnet_id):
        subnet = self.get_subnet(subnet_id)
        self.scope.require_owner(subnet.network, "change its subnets")
        try:
            subnets.delete_subnet(subnet)
        except Conflict as error:
            raise SubnetInUse(f"Unable to complete operation on subnet {subnet.pk}: One or "
                              f"more ports have an IP allocation from this subnet. "
                              f"{error.message}") from None
        return Response(status=204)
