"""/baremetal/v1/portgroups and a node's port groups: list (filters ``node``, ``address``),
detail, show by UUID or name, create, JSON Patch, delete. A group's mode and properties are
checked by the bonding rules, with their messages; ports join a group through their own
``portgroup_uuid``, as in Ironic."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.response import Response

from multinic_api.exceptions import InvalidInput, NotFound
from multinic_api.models import Node
from multinic_api.openstack.baremetal import inputs, microversions, presenters
from multinic_api.openstack.baremetal.views import BareMetalView, new_uuid
from multinic_api.services import baremetal, macs

SHAPE = presenters.PORT_GROUP
WRITABLE = ("name", "address", "node_uuid", "mode", "properties",
            "standalone_ports_supported")
# A group here always has a name (the dashboard and /api/ show groups by it).
MANDATORY = ("name", "node_uuid", "mode")


class PortGroupListing(BareMetalView):
    policy = "portgroup"
    since = microversions.PORT_GROUPS
    detail = False

    def filtered(self, groups: QuerySet) -> QuerySet:
        params = self.request.query_params
        node = params.get("node")
        if node:
            groups = groups.filter(node=self.find_node(node))
        address = params.get("address")
        if address:
            groups = groups.filter(mac=macs.normalize_mac(address))
        return groups


class PortGroupsDetailView(PortGroupListing):
    detail = True

    def get(self, request):
        return self.listing("portgroups", SHAPE, self.filtered(self.port_groups()),
                            self.detail)


class PortGroupsView(PortGroupsDetailView):
    detail = False

    def post(self, request):
        body = inputs.fields_of(self.data(), "port group", (*WRITABLE, "uuid", "extra"),
                                [*SHAPE.names(self.version), "uuid", "extra"], self.version)
        if body.get("node_uuid") is None:
            raise InvalidInput("A port group needs node_uuid")
        node = Node.objects.filter(pk=inputs.uuid_text(body["node_uuid"], "node_uuid")).first()
        if node is None:
            raise NotFound(f"Node {body['node_uuid']} could not be found.")
        pk = new_uuid(body)
        name = inputs.optional_text(body.get("name"), "name")
        group, _ = baremetal.create_port_group(
            node, name if name is not None else pk, pk=pk, **_arguments(body))
        return self.one(SHAPE, self.port_groups().get(pk=group.pk), status=201)


class PortGroupView(PortGroupListing):
    def get(self, request, group_id):
        return self.one(SHAPE, self.find_port_group(group_id))

    def patch(self, request, group_id):
        group = self.find_port_group(group_id)
        names = SHAPE.names(self.version)
        document = SHAPE.present(request, group, names)
        newer = [field for field in WRITABLE if field not in names]
        changes = inputs.apply_patch(document, self.data(), WRITABLE, MANDATORY, newer,
                                     self.version)
        if "node_uuid" in changes:
            raise InvalidInput("A port group cannot move to another node")
        arguments = _arguments(changes)
        if "name" in changes:
            arguments["name"] = changes["name"]
        baremetal.update_port_group(group, **arguments)
        return self.one(SHAPE, self.port_groups().get(pk=group.pk))

    def delete(self, request, group_id):
        baremetal.delete_port_group(self.find_port_group(group_id))
        return Response(status=204)


class NodePortGroupsView(PortGroupListing):
    """/v1/nodes/{node}/portgroups[/detail]."""

    since = microversions.PORT_GROUP_LINKS

    def get(self, request, node_id):
        groups = self.port_groups().filter(node=self.find_node(node_id))
        return self.listing("portgroups", SHAPE, self.filtered(groups), self.detail)


def _arguments(body: dict) -> dict[str, Any]:
    """The services' arguments for the fields in ``body`` but name and node; a removed
    (None) one is reset to Ironic's default."""
    arguments: dict[str, Any] = {}
    if "address" in body:
        arguments["mac"] = inputs.optional_text(body["address"], "address")
    if "mode" in body:
        arguments["mode"] = inputs.optional_text(body["mode"], "mode")
    if "properties" in body:
        arguments["properties"] = inputs.mapping(body["properties"], "properties") or {}
    if "standalone_ports_supported" in body:
        value = body["standalone_ports_supported"]
        arguments["standalone_ports_supported"] = value is None or inputs.boolean(
            value, "standalone_ports_supported")
    return arguments
