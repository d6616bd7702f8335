from django.template.defaultfilters import yesno
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import messages, tables

from multinic_dashboard.api import multinic


def may_change(request, network) -> bool:
    """May the user change this network (add or delete subnets, delete it)? The API says
    (``may_change``, its services' rule) and enforces it; the table only offers what it
    would allow."""
    return bool(network.get("may_change"))


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
        return network is None or may_change(request, network)


class DeleteSubnet(tables.LinkAction):
    name = "delete_subnet"
    verbose_name = _("Delete Subnet")
    url = "horizon:project:multinic_networks:delete_subnet"
    classes = ("ajax-modal", "btn-danger")
    icon = "trash"

    def allowed(self, request, network=None) -> bool:
        return network is None or (may_change(request, network) and bool(network.subnets))


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
        return network is None or may_change(request, network)

    def delete(self, request, obj_id) -> None:
        try:
            multinic.network_delete(request, obj_id)
        except multinic.APIError as error:
            # The API's reason (e.g. the interfaces still on it); horizon then adds its
            # "Unable to delete" line for the batch and carries on with the other rows.
            messages.error(request, error.message)
            raise


class NetworkFilter(tables.FilterAction):
    """The API filters: the table is one page of many. Filtering by project is for
    administrators (a tenant is not told whose a shared network is), so only they see it."""

    filter_type = "server"
    filter_choices = (("name", _("Name ="), True),
                      ("subnet", _("Subnet CIDR or name ="), True),
                      ("physical_network", _("Physical Network ="), True),
                      ("project", _("Project ="), True))

    def get_select_options(self):
        options = super().get_select_options()
        if not getattr(self.table.request.user, "is_superuser", False):
            options = [option for option in options if option[0] != "project"]
        return options


#: The API's filter for each of the filter box's fields.
API_FILTERS = {"name": "name__icontains", "subnet": "subnet",
               "physical_network": "physical_network__icontains",
               "project": "project_name"}


def subnet_lines(network) -> str | None:
    """One line per subnet, IPv4 before IPv6: its name and CIDR (for a table cell)."""
    return format_html_join(
        "", '<div class="multinic-subnet">{} <code>{}</code></div>',
        ((s.name, s.cidr) for s in network.subnet_objects)) or None


class NetworksTable(tables.DataTable):
    name = tables.WrappingColumn(lambda n: n.name or str(n.id), verbose_name=_("Name"))
    subnets = tables.Column(subnet_lines, verbose_name=_("Subnets"), empty_value="-")
    shared = tables.Column("shared", verbose_name=_("Shared"),
                           filters=(lambda v: yesno(v, _("Yes,No")),))
    physical_network = tables.Column("physical_network", verbose_name=_("Physical Network"),
                                     empty_value="-")
    mtu = tables.Column("mtu", verbose_name=_("MTU"))
    vif_type = tables.Column("vif_type", verbose_name=_("VIF Type"))
    project = tables.Column(lambda n: n.project_name or n.project_id,
                            verbose_name=_("Project"))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Whose project a shared network is stays with administrators (the API, too, names
        # only the user's own project to a tenant).
        if not getattr(request.user, "is_superuser", False):
            del self.columns["project"]
            # How hosts plug NICs is the operator's wiring, set by administrators only.
            del self.columns["vif_type"]

    def get_object_id(self, datum) -> str:
        return str(datum.id)

    def get_object_display(self, datum) -> str:
        return datum.name or str(datum.id)

    class Meta:
        name = "networks"
        verbose_name = _("Networks")
        table_actions = (NetworkFilter, CreateNetwork, DeleteNetwork)
        row_actions = (CreateSubnet, DeleteSubnet, DeleteNetwork)
