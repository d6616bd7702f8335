"""/baremetal/v1/nodes: list, detail, show by UUID or name, create, JSON Patch, delete."""

from __future__ import annotations

from rest_framework.response import Response

from multinic_api.exceptions import InvalidInput
from multinic_api.openstack.baremetal import inputs, presenters
from multinic_api.openstack.baremetal.views import BareMetalView, new_uuid, project_named
from multinic_api.services import baremetal, text

SHAPE = presenters.NODE
# What a node keeps that a client may set; the rest of Ironic's node is answered, not kept.
WRITABLE = ("name", "driver", "properties", "owner")
MANDATORY = ("name", "driver")  # a node here always has a name (the dashboard lists by it)


class NodesDetailView(BareMetalView):
    detail = True

    def get(self, request):
        nodes = self.visible_nodes().order_by("created", "uuid")
        driver = request.query_params.get("driver")
        if driver is not None:
            nodes = nodes.filter(driver=driver) if not text.has_nul(driver) \
                else nodes.none()
        associated = request.query_params.get("associated")
        if associated is not None:
            nodes = nodes.filter(instances__isnull=not inputs.query_boolean(associated,
                                                                     "associated")).distinct()
        return self.listing("nodes", SHAPE, nodes, self.detail)


class NodesView(NodesDetailView):
    detail = False

    def post(self, request):
        visible = SHAPE.names(self.version)
        body = inputs.fields_of(self.data(), "node",
                                ("uuid", "name", "driver", "properties", "owner", "extra"),
                                [*visible, "uuid", "extra"], self.version)
        if "driver" not in body:
            raise InvalidInput("A node needs a driver (its hardware type)")
        pk = new_uuid(body)
        name = inputs.optional_text(body.get("name"), "name")
        node = baremetal.create_node(
            name if name is not None else pk, project_named(body.get("owner")),
            inputs.mapping(body.get("properties"), "properties"), body["driver"], pk=pk)
        return self.one(SHAPE, self.visible_nodes().get(pk=node.pk), status=201)


class NodeView(BareMetalView):
    def get(self, request, node_id):
        return self.one(SHAPE, self.find_node(node_id))

    def patch(self, request, node_id):
        node = self.find_node(node_id)
        names = SHAPE.names(self.version)
        document = SHAPE.present(request, node, names)
        newer = [field for field in WRITABLE if field not in names]
        changes = inputs.apply_patch(document, self.data(), WRITABLE, MANDATORY, newer,
                                     self.version)
        if "owner" in changes:
            changes["project"] = project_named(changes.pop("owner"))
        if "properties" in changes:
            changes["properties"] = inputs.mapping(changes["properties"], "properties") or {}
        baremetal.update_node(node, **changes)
        return self.one(SHAPE, self.visible_nodes().get(pk=node.pk))

    def delete(self, request, node_id):
        baremetal.delete_node(self.find_node(node_id))
        return Response(status=204)
