from django.utils.translation import gettext_lazy as _

from multinic_dashboard.dashboards.admin.panel_base import AdminPanel


class BareMetal(AdminPanel):
    name = _("Bare Metal")
    slug = "multinic_baremetal"
