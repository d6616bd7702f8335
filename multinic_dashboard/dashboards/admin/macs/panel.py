from django.utils.translation import gettext_lazy as _

from multinic_dashboard.dashboards.admin.panel_base import AdminPanel


class MacAddresses(AdminPanel):
    name = _("MAC Addresses")
    slug = "multinic_macs"
