from django.template.defaultfilters import yesno
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import messages, tables

from multinic_api.exceptions import MultinicError
from multinic_api.services import subnets
from multinic_dashboard.api import caller as api
from multinic_dashboard.dashboards.project.networks import queries


class CreateNetwork(tables.LinkAction):
    name = "create"
    verbose_name = _("Create Network")
    url = "horizon:project:multinic_networks:create"
    classes = ("ajax-modal",)
    icon = "plus"


class CreateSubnet(tables.LinkAction):
    name = "create_subnet"
    verbose_name = _("Create Subnet")
    url = "horizon:project:multinic_networks:create_subnet"
    classes = ("ajax-modal",)
    icon = "plus"

    def allowed(self, request, network=None) -> bool:
        return network is None or queries.owns(request, network)


class DeleteSubnet(tables.LinkAction):
    name = "delete_subnet"
    verbose_name = _("Delete Subnet")
    url = "horizon:project:multinic_networks:delete_subnet"
    classes = ("ajax-modal", "btn-danger")
    icon = "trash"

    def allowed(self, request, network=None) -> bool:
        return network is None or (queries.owns(request, network)
                                   and bool(network.subnets.all()))


class DeleteNetwork(tables.DeleteAction):
    help_text = _("Deleting a network deletes its subnets. A network with interfaces on it "
                  "cannot be deleted.")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Network", "Delete Networks", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Network", "Deleted Networks", count)

    def allowed(self, request, network=None) -> bool:
        return network is None or queries.owns(request, network)

    def delete(self, request, obj_id) -> None:
        try:
            subnets.delete_network(queries.changeable_network(request, obj_id))
        except MultinicError as error:
            # The service's reason (e.g. the interfaces still on it); horizon then adds its
            # "Unable to delete" line for the batch and carries on with the other rows.
            messages.error(request, error.message)
            raise


class NetworkFilter(tables.FilterAction):
    filter_type = "server"
    filter_choices = (("name", _("Name ="), True),
                      ("subnet", _("Subnet CIDR or name ="), True),
                      ("physical_network", _("Physical Network ="), True),
                      ("project", _("Project (administrators) ="), True))


def subnet_lines(network) -> str | None:
    """One line per subnet, IPv4 before IPv6: its name and CIDR (for a table cell)."""
    return format_html_join(
        "", '<div class="multinic-subnet">{} <code>{}</code></div>',
        ((s.name, s.cidr) for s in network.subnets.all())) or None


class NetworksTable(tables.DataTable):
    name = tables.WrappingColumn(lambda n: n.name or str(n.pk), verbose_name=_("Name"))
    subnets = tables.Column(subnet_lines, verbose_name=_("Subnets"), empty_value="-")
    shared = tables.Column("shared", verbose_name=_("Shared"),
                           filters=(lambda v: yesno(v, _("Yes,No")),))
    physical_network = tables.Column("physical_network", verbose_name=_("Physical Network"),
                                     empty_value="-")
    mtu = tables.Column("mtu", verbose_name=_("MTU"))
    project = tables.Column(lambda n: n.project.name, verbose_name=_("Project"))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Whose project a shared network is stays with administrators (the API, too, gives
        # tenants only the opaque project_id).
        if not api.caller(request).is_admin:
            del self.columns["project"]

    def get_object_id(self, datum) -> str:
        return str(datum.pk)

    def get_object_display(self, datum) -> str:
        return datum.name or str(datum.pk)

    class Meta:
        name = "networks"
        verbose_name = _("Networks")
        table_actions = (NetworkFilter, CreateNetwork, DeleteNetwork)
        row_actions = (CreateSubnet, DeleteSubnet, DeleteNetwork)
