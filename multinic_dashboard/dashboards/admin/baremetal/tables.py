"""The bare-metal tables: nodes, one node's ports and port groups, and their actions
(create and edit in modal forms, delete), each a call of the API with its answer shown."""

import sys

from django.template.defaultfilters import yesno
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import exceptions, messages, tables

from multinic_dashboard.api import multinic
from multinic_dashboard.dashboards.admin import links
from multinic_dashboard.dashboards.admin.baremetal.inventory import checked_uuid
from multinic_dashboard.dashboards.admin.paging import OffsetPagedTableMixin

URL = "horizon:admin:multinic_baremetal:%s"


class APIDeleteAction(tables.DeleteAction):
    """Delete through the API; its refusal (e.g. a 409 "carries an interface") is what the
    admin reads, not horizon's "Unable to delete", and the row is not counted as deleted."""

    api_delete = None  # staticmethod(a multinic client function (request, uuid))
    what = ""

    def delete(self, request, obj_id) -> None:
        # (Horizon calls this only for a row of the table: another id is turned away before.)
        try:
            self.api_delete(request, checked_uuid(obj_id, self.what))
        except multinic.APIError as error:
            messages.error(request, error.message)
            raise exceptions.HandledException(sys.exc_info()) from error


# --- nodes ----------------------------------------------------------------------------------

def _instances(node) -> str | None:
    return format_html_join(", ", "{}", ((links.instance_link(i["uuid"], i["name"]),)
                                         for i in node.instances)) or None


class CreateNode(tables.LinkAction):
    name = "create"
    verbose_name = _("Enrol Node")
    url = URL % "create_node"
    classes = ("ajax-modal",)
    icon = "plus"


class EditNode(tables.LinkAction):
    name = "edit"
    verbose_name = _("Edit Node")
    classes = ("ajax-modal",)
    icon = "pencil"

    def get_link_url(self, node=None) -> str:
        return reverse(URL % "update_node", args=[node.uuid])


class DeleteNode(APIDeleteAction):
    help_text = _("Its ports and port groups go with it. A node with instances on it cannot "
                  "be deleted.")
    api_delete = staticmethod(multinic.node_delete)
    what = _("Node")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Node", "Delete Nodes", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Node", "Deleted Nodes", count)

    def allowed(self, request, node=None) -> bool:
        return node is None or not node.instances


class NodeRow(tables.Row):
    def can_be_selected(self, datum) -> bool:
        """No checkbox (for the batch delete) on a node with instances."""
        return not datum.instances


class NodesTable(OffsetPagedTableMixin, tables.DataTable):
    name = tables.WrappingColumn("name", verbose_name=_("Name"),
                                 link=lambda node: links.node_url(node.uuid))
    uuid = tables.Column("uuid", verbose_name=_("UUID"))
    project = tables.Column(lambda node: node.project_name or node.project_id,
                            verbose_name=_("Project"), empty_value=_("(administrators only)"))
    ports = tables.Column(lambda node: len(node.ports), verbose_name=_("Ports"))
    groups = tables.Column(lambda node: len(node.port_groups), verbose_name=_("Port Groups"))
    instances = tables.Column(_instances, verbose_name=_("Instances"), empty_value="-")

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    def get_object_display(self, datum) -> str:
        return datum.name

    class Meta:
        name = "nodes"
        verbose_name = _("Bare-Metal Nodes")
        table_actions = (CreateNode, DeleteNode)
        row_actions = (EditNode, DeleteNode)
        row_class = NodeRow


# --- one node's ports -----------------------------------------------------------------------

def _node_id(table) -> str:
    return table.kwargs["node_id"]


class CreatePort(tables.LinkAction):
    name = "create"
    verbose_name = _("Create Port")
    classes = ("ajax-modal",)
    icon = "plus"

    def get_link_url(self, datum=None) -> str:
        return reverse(URL % "create_port", args=[_node_id(self.table)])


class EditPort(tables.LinkAction):
    name = "edit"
    verbose_name = _("Edit Port")
    classes = ("ajax-modal",)
    icon = "pencil"

    def get_link_url(self, port=None) -> str:
        return reverse(URL % "update_port", args=[port.node_uuid, port.uuid])


class DeletePort(APIDeleteAction):
    help_text = _("A port that carries an interface (itself or through its port group) "
                  "cannot be deleted.")
    api_delete = staticmethod(multinic.port_delete)
    what = _("Port")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Port", "Delete Ports", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Port", "Deleted Ports", count)

    def allowed(self, request, port=None) -> bool:
        return port is None or not port.busy


class PortRow(tables.Row):
    def can_be_selected(self, datum) -> bool:
        return not datum.busy


def _local_link(port) -> str | None:
    link = port.local_link_connection or {}
    return format_html_join("", "<div><code>{}={}</code></div>",
                            sorted(link.items())) or None


class PortsTable(tables.DataTable):
    uuid = tables.Column("uuid", verbose_name=_("UUID"))
    mac = tables.Column("mac", verbose_name=_("MAC Address"))
    physical_network = tables.Column(lambda port: port.physical_network or None,
                                     verbose_name=_("Physical Network"), empty_value="-")
    pxe = tables.Column("pxe_enabled", verbose_name=_("PXE"), filters=(yesno,))
    local_link = tables.Column(_local_link, verbose_name=_("Local Link Connection"),
                               empty_value="-")
    port_group = tables.Column(lambda port: port.group.name if port.group else None,
                               verbose_name=_("Port Group"), empty_value="-")
    carries = tables.Column(lambda port: port.carries or None,
                            verbose_name=_("Carries"), empty_value="-")

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    def get_object_display(self, datum) -> str:
        return datum.mac

    class Meta:
        name = "ports"
        verbose_name = _("Ports")
        table_actions = (CreatePort, DeletePort)
        row_actions = (EditPort, DeletePort)
        row_class = PortRow


# --- one node's port groups -----------------------------------------------------------------

class CreatePortGroup(tables.LinkAction):
    name = "create"
    verbose_name = _("Create Port Group")
    classes = ("ajax-modal",)
    icon = "plus"

    def get_link_url(self, datum=None) -> str:
        return reverse(URL % "create_port_group", args=[_node_id(self.table)])


class EditPortGroup(tables.LinkAction):
    name = "edit"
    verbose_name = _("Edit Port Group")
    classes = ("ajax-modal",)
    icon = "pencil"

    def get_link_url(self, group=None) -> str:
        return reverse(URL % "update_port_group", args=[group.node_uuid, group.uuid])


class DeletePortGroup(APIDeleteAction):
    help_text = _("Its ports stay on the node, as single ports. A port group that carries "
                  "an interface cannot be deleted.")
    api_delete = staticmethod(multinic.portgroup_delete)
    what = _("Port group")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Port Group", "Delete Port Groups", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Port Group", "Deleted Port Groups", count)

    def allowed(self, request, group=None) -> bool:
        return group is None or group.carried_vif is None


def _properties(group) -> str | None:
    return format_html_join(
        "", '<div><code>{}={}</code></div>',
        ((name, _property_text(value)) for name, value in sorted(group.properties.items()))
    ) or None


def _property_text(value) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _members(group) -> str | None:
    return format_html_join("", "<div><code>{}</code></div>",
                            ((p.mac,) for p in group.members)) or None


class PortGroupRow(tables.Row):
    def can_be_selected(self, datum) -> bool:
        """No checkbox (for the batch delete) on a group that carries a VIF."""
        return datum.carried_vif is None


class PortGroupsTable(tables.DataTable):
    name = tables.Column("name", verbose_name=_("Name"))
    uuid = tables.Column("uuid", verbose_name=_("UUID"))
    mac = tables.Column("mac", verbose_name=_("MAC Address"), empty_value="-")
    mode = tables.Column("mode", verbose_name=_("Mode"))
    properties = tables.Column(_properties, verbose_name=_("Properties"), empty_value="-")
    members = tables.Column(_members, verbose_name=_("Member Ports"), empty_value="-")
    physical_network = tables.Column(lambda group: group.physical_network or None,
                                     verbose_name=_("Physical Network"), empty_value="-")
    standalone = tables.Column("standalone_ports_supported",
                               verbose_name=_("Standalone Ports Supported"), filters=(yesno,))
    carries = tables.Column(lambda group: group.carries or None,
                            verbose_name=_("Carries"), empty_value="-")
    made_by = tables.Column(lambda group: group.made_by or None,
                            verbose_name=_("Made by Launch of"), empty_value="-")

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    def get_object_display(self, datum) -> str:
        return datum.name

    class Meta:
        name = "port_groups"
        verbose_name = _("Port Groups")
        table_actions = (CreatePortGroup, DeletePortGroup)
        row_actions = (EditPortGroup, DeletePortGroup)
        row_class = PortGroupRow
