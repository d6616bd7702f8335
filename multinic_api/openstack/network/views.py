"""Neutron-compatible networking subset under /networking/: version discovery, networks,
subnets and ports (= VIFs), each listed, shown, created, updated and deleted through the
services every face uses, with Neutron's bodies, filters, ``fields`` and pagination."""

import uuid
from typing import Any

from django.db.models import Q
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from multinic_api.api.authentication import KeystoneTokenAuthentication
from multinic_api.api.tenancy import HasProjectScope, request_scope
from multinic_api.exceptions import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PortNotFound,
)
from multinic_api.faces import JSONAnswers, neutron_fault, no_such_resource_view
from multinic_api.models import VIF, Network, Project, Subnet
from multinic_api.openstack.network import presenters, query
from multinic_api.openstack.network.bodies import Body
from multinic_api.scope import Scope
from multinic_api.services import instances, ipam, macs, projects, subnets
from multinic_identity.authentication import BuiltinTokenAuthentication


class NetworkNotFound(NotFound):
    neutron_type = "NetworkNotFound"


class SubnetNotFound(NotFound):
    neutron_type = "SubnetNotFound"


class NetworkInUse(Conflict):
    neutron_type = "NetworkInUse"


class SubnetInUse(Conflict):
    neutron_type = "SubnetInUse"


def _uuid(value: Any) -> uuid.UUID | None:
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


# --- versions and extensions -----------------------------------------------------------------

class VersionsView(NetworkingView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"versions": [{
            "id": "v2.0", "status": "CURRENT",
            "links": [{"rel": "self", "href": request.build_absolute_uri("/networking/v2.0/")}],
        }]})


_RESOURCES = (("network", "networks"), ("subnet", "subnets"), ("port", "ports"))


class VersionView(VersionsView):
    def get(self, request):
        return Response({"resources": [{
            "name": name, "collection": collection,
            "links": [{"rel": "self", "href": request.build_absolute_uri(
                f"/networking/v2.0/{collection}")}],
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


# --- networks --------------------------------------------------------------------------------

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
        found = self.visible_networks().filter(pk=_uuid(network_id)).first()
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


# --- subnets ---------------------------------------------------------------------------------

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
        found = self.visible_subnets().filter(pk=_uuid(subnet_id)).first()
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


# --- ports -----------------------------------------------------------------------------------

def _device_ids(values: list[str]) -> Q:
    """device_id: an instance's id, or "" for the ports attached to none."""
    wanted = Q(pk__in=[])
    if "" in values:
        wanted |= Q(instance__isnull=True)
    return wanted | Q(instance_id__in=query.values_of([v for v in values if v], uuid.UUID))


def _device_owners(values: list[str]) -> Q:
    wanted = Q(pk__in=[])
    if "" in values:
        wanted |= Q(instance__isnull=True)
    zones = [v.removeprefix("compute:") for v in values if v.startswith("compute:")]
    return wanted | Q(instance__availability_zone__in=zones)


def _fixed_ips(values: list[str]) -> Q:
    """``fixed_ips=ip_address=10.0.0.5`` or ``fixed_ips=subnet_id=<id>``, as the CLI and
    openstacksdk send them; each value narrows the list further, as in Neutron."""
    wanted = Q()
    for value in values:
        key, _, wanted_value = value.partition("=")
        if key == "ip_address":
            addresses = query.values_of([wanted_value], lambda v: str(
                ipam.parse_address(v)))
            wanted &= Q(pk__in=VIF.objects.filter(fixed_ips__address__in=addresses)
                        .values("pk"))
        elif key == "subnet_id":
            wanted &= Q(pk__in=VIF.objects.filter(
                fixed_ips__subnet_id__in=query.values_of([wanted_value], uuid.UUID))
                .values("pk"))
        else:
            raise InvalidInput(f"Invalid input for fixed_ips: '{value:.80}'; filter by "
                               "ip_address=... or subnet_id=...")
    return wanted


def _statuses(values: list[str]) -> Q:
    """ACTIVE: attached to an instance; DOWN: waiting for one."""
    wanted = Q(pk__in=[])
    if "DOWN" in values:
        wanted |= Q(instance__isnull=True)
    if "ACTIVE" in values:
        wanted |= Q(instance__isnull=False)
    return wanted


PORT_FILTERS = {
    "id": lambda values: query.exactly("pk")(query.values_of(values, uuid.UUID)),
    "name": query.exactly("name"),
    "description": query.exactly("description"),
    "network_id": lambda values: query.exactly("network_id")(
        query.values_of(values, uuid.UUID)),
    "project_id": query.exactly("project_id"),
    "tenant_id": query.exactly("project_id"),
    "mac_address": lambda values: query.exactly("mac")(
        query.values_of(values, macs.normalize_mac)),
    "device_id": _device_ids,
    "device_owner": _device_owners,
    "fixed_ips": _fixed_ips,
    "binding:host_id": query.exactly("binding_host"),
    "binding:vnic_type": query.exactly("vnic_type"),
    "status": _statuses,
    "admin_state_up": query.constant("true"),
}


class PortMixin:
    def visible_ports(self):
        return VIF.objects.restrict(self.scope).with_addresses()

    def get_port(self, port_id) -> VIF:
        found = self.visible_ports().filter(pk=_uuid(port_id)).first()
        if found is None:
            raise PortNotFound(f"Port {port_id} could not be found.")
        return found


class PortsView(PortMixin, NetworkingView):
    def get(self, request):
        device_ids = request.query_params.getlist("device_id")
        # One instance's ports come in NIC order (eth0 first), as its interfaces are shown
        # everywhere; other lists in creation order.
        order = (("position", "uuid") if device_ids and all(device_ids)
                 else ("created", "uuid"))
        return self.listing(self.visible_ports(), order, "ports", PORT_FILTERS,
                            presenters.port, self.get_port)

    def post(self, request):
        body = self.body("port")
        body.allow("network_id", "name", "description", "fixed_ips", "mac_address",
                   "admin_state_up", "device_id", "device_owner", "project_id", "tenant_id",
                   "binding:vnic_type", "binding:host_id", "binding:profile",
                   "port_security_enabled", "security_groups", "allowed_address_pairs",
                   "extra_dhcp_opts", "dns_name", "qos_policy_id")
        body.fixed()
        for key in ("device_id", "device_owner", "binding:host_id", "dns_name"):
            if body.get(key):
                raise InvalidInput(f"Invalid input for operation: {key} is set when the port "
                                   "is attached (server create --port, or os-interface), not "
                                   "here")
        if body.get("binding:vnic_type") not in (None, "normal"):
            raise InvalidInput("Invalid input for operation: binding:vnic_type must be "
                               "normal here; bare-metal ports are made by a launch onto a "
                               "node")
        if body.get("binding:profile") not in (None, {}):
            raise InvalidInput("Invalid input for operation: binding:profile is set when "
                               "the port is bound, not here")
        network = self.get_network_for_port(body.required_string("network_id"))
        port = instances.create_port(
            project=self.owner_project(body), network_id=network.pk,
            is_admin=self.scope.is_admin, fixed_ips=_requested_ips(body, network),
            mac=body.string("mac_address", allow_null=True),
            name=body.string("name", default=""),
            description=body.string("description", default=""))
        return Response({"port": presenters.port(self.get_port(port.pk))}, status=201)

    def get_network_for_port(self, network_id) -> Network:
        found = Network.objects.restrict(self.scope).filter(pk=_uuid(network_id)).first()
        if found is None:
            raise NetworkNotFound(f"Network {network_id} could not be found.")
        return found


def _requested_ips(body: Body, network: Network) -> list[str]:
    """The addresses a new port asks for: each ``fixed_ips`` entry names a subnet of the
    port's network, an address, or both (an entry with only a subnet asks for nothing the
    port does not get anyway: one address on every subnet of its network)."""
    wanted = []
    for entry in body.list_of_objects("fixed_ips") or []:
        unknown = set(entry) - {"subnet_id", "ip_address"}
        if unknown or not entry:
            raise InvalidInput("Invalid input for fixed_ips: each entry is "
                               '{"subnet_id": ..., "ip_address": ...}, either or both')
        subnet_id, address = entry.get("subnet_id"), entry.get("ip_address")
        for value in (subnet_id, address):
            if value is not None and not isinstance(value, str):
                raise InvalidInput("Invalid input for fixed_ips: ids and addresses are "
                                   "strings")
        subnet = None
        if subnet_id is not None:
            subnet = network.subnets.filter(pk=_uuid(subnet_id)).first()
            if subnet is None:
                raise InvalidInput(f"Invalid input for operation: subnet {subnet_id} is not "
                                   f"a subnet of network {network.pk}")
        if address is not None:
            parsed = ipam.parse_address(address)
            if subnet is not None and parsed not in subnet.ip_network:
                raise InvalidInput(f"IP address {address} is not a valid IP for the "
                                   "specified subnet.")
            wanted.append(str(parsed))
    return wanted


class PortView(PortMixin, NetworkingView):
    def get(self, request, port_id):
        return self.one("port", presenters.port(self.get_port(port_id)))

    def put(self, request, port_id):
        port = self.get_port(port_id)
        body = self.body("port")
        body.allow("name", "description", "admin_state_up", "port_security_enabled")
        body.fixed()
        instances.update_port(port, name=body.string("name"),
                              description=body.string("description"))
        return Response({"port": presenters.port(self.get_port(port.pk))})

    def delete(self, request, port_id):
        instances.delete_port(self.get_port(port_id))
        return Response(status=204)


#: Any other URL under /networking/: Neutron's JSON 404.
NoSuchResourceView = no_such_resource_view(
    NetworkingView, lambda path: f"The resource could not be found: there is no {path} in "
                                 "the networking API.")
