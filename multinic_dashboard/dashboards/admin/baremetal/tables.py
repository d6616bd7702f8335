import sys

from django.template.defaultfilters import yesno
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import exceptions, messages, tables

from multinic_api.exceptions import MultinicError
from multinic_api.services import baremetal
from multinic_dashboard.dashboards.admin import links

# --- nodes ----------------------------------------------------------------------------------

def _instances(node) -> str | None:
    return format_html_join(", ", "{}",
                            ((links.instance_link(i),) for i in node.instances.all())) or None


class NodesTable(tables.DataTable):
    name = tables.WrappingColumn("name", verbose_name=_("Name"),
                                 link=lambda node: links.node_url(node.pk))
    uuid = tables.Column("uuid", verbose_name=_("UUID"))
    project = tables.Column(lambda node: node.project.name if node.project_id else None,
                            verbose_name=_("Project"), empty_value=_("(administrators only)"))
    ports = tables.Column("port_count", verbose_name=_("Ports"))
    groups = tables.Column("group_count", verbose_name=_("Port Groups"))
    instances = tables.Column(_instances, verbose_name=_("Instances"), empty_value="-")

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    def get_object_display(self, datum) -> str:
        return datum.name

    class Meta:
        name = "nodes"
        verbose_name = _("Bare-Metal Nodes")


# --- one node's ports -----------------------------------------------------------------------

class PortsTable(tables.DataTable):
    uuid = tables.Column("uuid", verbose_name=_("UUID"))
    mac = tables.Column("mac", verbose_name=_("MAC Address"))
    physical_network = tables.Column(lambda port: port.physical_network or None,
                                     verbose_name=_("Physical Network"), empty_value="-")
    pxe = tables.Column("pxe_enabled", verbose_name=_("PXE"), filters=(yesno,))
    port_group = tables.Column(lambda port: port.port_group.name if port.port_group_id else None,
                               verbose_name=_("Port Group"), empty_value="-")
    carries = tables.Column(lambda port: links.carried_through(port) or None,
                            verbose_name=_("Carries"), empty_value="-")

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    def get_object_display(self, datum) -> str:
        return datum.mac

    class Meta:
        name = "ports"
        verbose_name = _("Ports")


# --- one node's port groups -----------------------------------------------------------------

def _node_id(table) -> str:
    return table.kwargs["node_id"]


class CreatePortGroup(tables.LinkAction):
    name = "create"
    verbose_name = _("Create Port Group")
    classes = ("ajax-modal",)
    icon = "plus"

    def get_link_url(self, datum=None) -> str:
        return reverse("horizon:admin:multinic_baremetal:create_port_group",
                       args=[_node_id(self.table)])


class EditPortGroup(tables.LinkAction):
    name = "edit"
    verbose_name = _("Edit Port Group")
    classes = ("ajax-modal",)
    icon = "pencil"

    def get_link_url(self, group=None) -> str:
        return reverse("horizon:admin:multinic_baremetal:update_port_group",
                       args=[group.node_id, group.uuid])


class DeletePortGroup(tables.DeleteAction):
    help_text = _("Its ports stay on the node, as single ports. A port group that carries "
                  "an interface cannot be deleted.")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Port Group", "Delete Port Groups", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Port Group", "Deleted Port Groups", count)

    def allowed(self, request, group=None) -> bool:
        return group is None or links.carried_vif(group) is None

    def delete(self, request, obj_id) -> None:
        group = self.table.get_object_by_id(obj_id)
        try:
            baremetal.delete_port_group(group)
        except MultinicError as error:
            # The service's reason, not horizon's "Unable to delete"; the row is not counted
            # as deleted.
            messages.error(request, error.message)
            raise exceptions.HandledException(sys.exc_info()) from error


def _properties(group) -> str | None:
    return format_html_join(
        "", '<div><code>{}={}</code></div>',
        ((name, _property_text(value)) for name, value in sorted(group.properties.items()))
    ) or None


def _property_text(value) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _members(group) -> str | None:
    members = baremetal.in_member_order(group.ports.all())
    return format_html_join("", "<div><code>{}</code></div>",
                            ((p.mac,) for p in members)) or None


def _physical_network(group) -> str | None:
    return baremetal.physical_network_of(group.ports.all()) or None


def _made_by(group) -> str | None:
    return links.instance_link(group.instance) if group.instance_id else None


class PortGroupRow(tables.Row):
    def can_be_selected(self, datum) -> bool:
        """No checkbox (for the batch delete) on a group that carries a VIF."""
        return links.carried_vif(datum) is None


class PortGroupsTable(tables.DataTable):
    name = tables.Column("name", verbose_name=_("Name"))
    uuid = tables.Column("uuid", verbose_name=_("UUID"))
    mac = tables.Column("mac", verbose_name=_("MAC Address"), empty_value="-")
    mode = tables.Column("mode", verbose_name=_("Mode"))
    properties = tables.Column(_properties, verbose_name=_("Properties"), empty_value="-")
    members = tables.Column(_members, verbose_name=_("Member Ports"), empty_value="-")
    physical_network = tables.Column(_physical_network, verbose_name=_("Physical Network"),
                                     empty_value="-")
    standalone = tables.Column("standalone_ports_supported",
                               verbose_name=_("Standalone Ports Supported"), filters=(yesno,))
    carries = tables.Column(lambda group: links.carried(group) or None,
                            verbose_name=_("Carries"), empty_value="-")
    made_by = tables.Column(_made_by, verbose_name=_("Made by Launch of"), empty_value="-")

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
