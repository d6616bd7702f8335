"""/baremetal/v1/ports, and the ports of a node or of a port group: list (filters ``node``,
``node_uuid``, ``portgroup``, ``address``), detail, show, create, JSON Patch, delete."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.response import Response

from multinic_api.exceptions import InvalidInput, NotFound
from multinic_api.models import Node, PortGroup
from multinic_api.openstack.baremetal import inputs, microversions, presenters
from multinic_api.openstack.baremetal.views import BareMetalView, new_uuid
from multinic_api.services import baremetal, macs

SHAPE = presenters.PORT
WRITABLE = ("address", "node_uuid", "pxe_enabled", "physical_network",
            "local_link_connection", "portgroup_uuid")
MANDATORY = ("address", "node_uuid")


class PortListing(BareMetalView):
    policy = "port"
    detail = False

    def filtered(self, ports: QuerySet) -> QuerySet:
        params = self.request.query_params
        node = params.get("node") or params.get("node_uuid")
        if node:
            ports = ports.filter(node=self.find_node(node))
        group = params.get("portgroup")
        if group and self.version >= microversions.PORT_GROUP_LINKS:
            ports = ports.filter(port_group=self.find_port_group(group))
        address = params.get("address")
        if address:
            ports = ports.filter(mac=macs.normalize_mac(address))
        return ports


class PortsDetailView(PortListing):
    detail = True

    def get(self, request):
        return self.listing("ports", SHAPE, self.filtered(self.ports()), self.detail)


class PortsView(PortsDetailView):
    detail = False

    def post(self, request):
        body = inputs.fields_of(self.data(), "port", (*WRITABLE, "uuid", "extra"),
                                [*SHAPE.names(self.version), "uuid", "extra"], self.version)
        for field in MANDATORY:
            if body.get(field) is None:
                raise InvalidInput(f"A port needs {field}")
        node = self.node_for_write(body["node_uuid"])
        port = baremetal.create_port(node, _address(body["address"]), pk=new_uuid(body),
                                     **_arguments(body))
        return self.one(SHAPE, self.ports().get(pk=port.pk), status=201)

    def node_for_write(self, value: Any) -> Node:
        node = Node.objects.filter(pk=inputs.uuid_text(value, "node_uuid")).first()
        if node is None:
            raise NotFound(f"Node {value} could not be found.")
        return node


def _arguments(body: dict) -> dict:
    """The services' arguments for the writable fields in ``body`` but address and node."""
    arguments: dict[str, Any] = {}
    if "pxe_enabled" in body:  # removed (None): Ironic's default, enabled
        arguments["pxe_enabled"] = body["pxe_enabled"] is None or inputs.boolean(
            body["pxe_enabled"], "pxe_enabled")
    if "physical_network" in body:
        arguments["physical_network"] = inputs.optional_text(body["physical_network"],
                                                             "physical_network")
    if "local_link_connection" in body:
        arguments["local_link_connection"] = inputs.mapping(body["local_link_connection"],
                                                            "local_link_connection")
    if "portgroup_uuid" in body:
        arguments["port_group"] = _group_for_write(body["portgroup_uuid"])
    return arguments


def _group_for_write(value: Any) -> PortGroup | None:
    if value is None:
        return None
    group = PortGroup.objects.filter(pk=inputs.uuid_text(value, "portgroup_uuid")).first()
    if group is None:
        raise NotFound(f"Portgroup {value} could not be found.")
    return group


def _address(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"address must be a MAC address, not {value!r}")
    return value


class PortView(PortListing):
    def get(self, request, port_id):
        return self.one(SHAPE, self.find_port(port_id))

    def patch(self, request, port_id):
        port = self.find_port(port_id)
        names = SHAPE.names(self.version)
        document = SHAPE.present(request, port, names)
        newer = [field for field in WRITABLE if field not in names]
        changes = inputs.apply_patch(document, self.data(), WRITABLE, MANDATORY, newer,
                                     self.version)
        if "node_uuid" in changes:
            raise InvalidInput("A port cannot move to another node; delete it and add it "
                               "there")
        arguments = _arguments(changes)
        if "address" in changes:
            arguments["mac"] = _address(changes["address"])
        baremetal.update_port(port, **arguments)
        return self.one(SHAPE, self.ports().get(pk=port.pk))

    def delete(self, request, port_id):
        baremetal.delete_port(self.find_port(port_id))
        return Response(status=204)


class NodePortsView(PortListing):
    """/v1/nodes/{node}/ports[/detail]."""

    def get(self, request, node_id):
        ports = self.ports().filter(node=self.find_node(node_id))
        return self.listing("ports", SHAPE, self.filtered(ports), self.detail)


class PortGroupPortsView(PortListing):
    """/v1/portgroups/{group}/ports[/detail]."""

    since = microversions.PORT_GROUP_LINKS

    def get(self, request, group_id):
        ports = self.ports().filter(port_group=self.find_port_group(group_id))
        return self.listing("ports", SHAPE, self.filtered(ports), self.detail)
