from django.utils.translation import gettext_lazy as _
from horizon import tables

from multinic_dashboard import formatting
from multinic_dashboard.dashboards.admin import links


class VIFFilter(tables.FilterAction):
    filter_type = "server"
    filter_choices = (("project", _("Project (name or ID) ="), True),
                      ("network", _("Network (name or ID) ="), True),
                      ("mac", _("MAC address (any notation) ="), True))


def _project(vif) -> str:
    return vif.instance.project.name


def _instance_url(vif) -> str:
    return links.instance_url(vif.instance_id)


class VIFsTable(tables.DataTable):
    """Every VIF of every project (the admin's inventory). (Columns answer None, not "",
    for nothing: horizon shows ``empty_value`` only for None.)"""

    project = tables.Column(_project, verbose_name=_("Project"))
    instance = tables.WrappingColumn(lambda v: v.instance.name or str(v.instance_id),
                                     verbose_name=_("Instance"), link=_instance_url)
    network = tables.Column(lambda v: v.network.name or str(v.network_id),
                            verbose_name=_("Network"))
    nic = tables.Column(formatting.nic_name, verbose_name=_("NIC"))
    mac = tables.Column("mac", verbose_name=_("MAC Address"))
    ips = tables.Column(lambda v: ", ".join(formatting.addresses(v)) or None,
                        verbose_name=_("IP Addresses"), empty_value="-")
    carrier = tables.Column(lambda v: formatting.carrier(v) or None,
                            verbose_name=_("Carried by"), empty_value="-")

    def get_object_id(self, datum) -> str:
        return str(datum.uuid)

    def get_object_display(self, datum) -> str:
        return f"{datum.mac} ({formatting.nic_name(datum)})"

    class Meta:
        name = "vifs"
        verbose_name = _("Interfaces")
        table_actions = (VIFFilter,)
