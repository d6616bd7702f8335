from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import messages, tables

from multinic_dashboard import formatting
from multinic_dashboard.api import multinic


class LaunchInstance(tables.LinkAction):
    name = "launch"
    verbose_name = _("Launch Instance")
    url = "horizon:project:multinic_instances:launch"
    classes = ("btn-launch",)
    icon = "cloud-upload-alt"


class ViewDetails(tables.LinkAction):
    name = "detail"
    verbose_name = _("View Details")
    icon = "info-circle"

    def get_link_url(self, instance=None) -> str:
        return _detail_url(instance)


class AttachInterface(tables.LinkAction):
    name = "attach_interface"
    verbose_name = _("Attach Interface")
    url = "horizon:project:multinic_instances:attach_interface"
    classes = ("ajax-modal",)
    icon = "plus"


class DetachInterface(tables.LinkAction):
    name = "detach_interface"
    verbose_name = _("Detach Interface")
    url = "horizon:project:multinic_instances:detach_interface"
    classes = ("ajax-modal",)
    icon = "minus"

    def allowed(self, request, instance=None) -> bool:
        return instance is None or bool(instance.interfaces)


class DeleteInstance(tables.DeleteAction):
    help_text = _("Deleting an instance frees every MAC and IP address it holds.")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Instance", "Delete Instances", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Instance", "Deleted Instances", count)

    def delete(self, request, obj_id) -> None:
        try:
            multinic.instance_delete(request, obj_id)
        except multinic.APIError as error:
            # The API's reason; horizon then adds its "Unable to delete" line for the batch
            # and carries on with the other rows.
            messages.error(request, error.message)
            raise


class InstanceFilter(tables.FilterAction):
    """The API filters (``name__icontains``, ``address``): the table is one page of many."""

    filter_type = "server"
    filter_choices = (("name", _("Name ="), True),
                      ("address", _("IP or MAC ="), True,
                       _("An IP address or a MAC address, in any notation")))


#: The API's filter for each of the filter box's fields.
API_FILTERS = {"name": "name__icontains", "address": "address"}


def _detail_url(instance) -> str:
    return reverse("horizon:project:multinic_instances:detail", args=[instance.uuid])


def _nics(instance) -> str:
    return formatting.nic_lines(instance.interface_objects)


class InstancesTable(tables.DataTable):
    name = tables.WrappingColumn("name", verbose_name=_("Instance Name"), link=_detail_url)
    nic_count = tables.Column(lambda i: len(i.interfaces), verbose_name=_("NICs"))
    nics = tables.Column(_nics, verbose_name=_("Interfaces (NIC order: MAC, IP addresses)"))
    node = tables.Column(lambda i: i.node_name, verbose_name=_("Node"), empty_value="-")
    created = tables.Column(lambda i: formatting.timestamp(i.created),
                            verbose_name=_("Created"), empty_value="-")

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    def get_object_display(self, datum) -> str:
        return datum.name

    def get_object_by_id(self, lookup):
        """An action may name an instance that is not on the page the table holds (Delete on
        an instance's detail page posts here): ask the API for it."""
        found = [datum for datum in self.data if self.get_object_id(datum) == lookup]
        if found:
            return found[0]
        try:
            return multinic.instance_get(self.request, lookup)
        except multinic.APIError as error:
            if not error.not_found:
                raise
            return super().get_object_by_id(lookup)  # horizon's "not found" handling

    class Meta:
        name = "instances"
        verbose_name = _("Instances")
        table_actions = (InstanceFilter, LaunchInstance, DeleteInstance)
        row_actions = (ViewDetails, AttachInterface, DetachInterface, DeleteInstance)


class InterfacesTable(tables.DataTable):
    """An instance's NICs in NIC order (its detail page). Horizon shows a column's
    ``empty_value`` only for None, so the columns that may be blank say None."""

    nic = tables.Column(formatting.nic_name, verbose_name=_("NIC"))
    mac = tables.Column("mac", verbose_name=_("MAC Address"))
    ips = tables.Column(lambda v: ", ".join(formatting.addresses(v)) or None,
                        verbose_name=_("IP Addresses"), empty_value="-")
    network = tables.Column(lambda v: v.network_name, verbose_name=_("Network"))
    tag = tables.Column(lambda v: v.tag or None, verbose_name=_("Tag"), empty_value="-")
    carrier = tables.Column(lambda v: formatting.carrier(v) or None,
                            verbose_name=_("Carried by"), empty_value="-")
    uuid = tables.Column("uuid", verbose_name=_("VIF ID"))

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    class Meta:
        name = "interfaces"
        verbose_name = _("Interfaces")

