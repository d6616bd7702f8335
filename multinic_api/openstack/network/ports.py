"""Ports: Neutron's port resource, which is a VIF: an instance's NIC, or one made ahead of
its instance, over :mod:`multinic_api.services.instances`."""

import uuid

from django.db.models import Q
from rest_framework.response import Response

from multinic_api.exceptions import InvalidInput, PortNotFound
from multinic_api.models import VIF, Network
from multinic_api.openstack.network import presenters, query
from multinic_api.openstack.network.base import NetworkingView, NetworkNotFound, as_uuid
from multinic_api.openstack.network.bodies import Body
from multinic_api.services import instances, ipam, macs


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
        found = self.visible_ports().filter(pk=as_uuid(port_id)).first()
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
        found = Network.objects.restrict(self.scope).filter(pk=as_uuid(network_id)).first()
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
            subnet = network.subnets.filter(pk=as_uuid(subnet_id)).first()
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
