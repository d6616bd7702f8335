from django.utils.translation import gettext_lazy as _
from horizon import tables

from multinic_dashboard import formatting
from multinic_dashboard.dashboards.admin import links
from multinic_dashboard.dashboards.admin.paging import OffsetPagedTableMixin


class VIFFilter(tables.FilterAction):
    """Applied by the API (its ``project``, ``network`` and ``mac`` filters)."""

    filter_type = "server"
    filter_choices = (("project", _("Project (name or ID) ="), True),
                      ("network", _("Network (name or ID) ="), True),
                      ("mac", _("MAC address (any notation) ="), True))


class VIFsTable(OffsetPagedTableMixin, tables.DataTable):
    """Every VIF of every project (the admin's inventory), as ``GET /api/vifs/`` lists
    them. (Columns answer None, not "", for nothing: horizon shows ``empty_value`` only for
    None.)"""

    project = tables.Column(lambda v: v.project_name or v.project_id,
                            verbose_name=_("Project"))
    instance = tables.WrappingColumn(lambda v: v.instance_name or v.instance_uuid,
                                     verbose_name=_("Instance"), empty_value="-",
                                     link=lambda v: links.instance_url(v.instance_uuid)
                                     if v.instance_uuid else None)
    network = tables.Column(lambda v: v.network_name or v.network_id,
                            verbose_name=_("Network"))
    nic = tables.Column(formatting.nic_name, verbose_name=_("NIC"), empty_value="-")
    mac = tables.Column("mac", verbose_name=_("MAC Address"))
    ips = tables.Column(lambda v: ", ".join(formatting.addresses(v)) or None,
                        verbose_name=_("IP Addresses"), empty_value="-")
    carrier = tables.Column(lambda v: formatting.carrier_text(v.carrier) or None,
                            verbose_name=_("Carried by"), empty_value="-")

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    def get_object_display(self, datum) -> str:
        return f"{datum.mac} ({formatting.nic_name(datum) or _('not attached')})"

    class Meta:
        name = "vifs"
        verbose_name = _("Interfaces")
        table_actions = (VIFFilter,)
