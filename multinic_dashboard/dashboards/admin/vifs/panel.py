from django.utils.translation import gettext_lazy as _

from multinic_dashboard.dashboards.admin.panel_base import AdminPanel


class Interfaces(AdminPanel):
    name = _("Interfaces")
    slug = "multinic_vifs"
