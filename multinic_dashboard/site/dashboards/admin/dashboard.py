import horizon
from django.utils.translation import gettext_lazy as _

from multinic_dashboard.api import caller as api


class Admin(horizon.Dashboard):
    """The whole cloud, for administrators only (Django superusers, as in the REST API)."""

    name = _("Admin")
    slug = "admin"
    default_panel = "multinic_vifs"

    def allowed(self, context) -> bool:
        return api.is_admin(context["request"].user) and super().allowed(context)


horizon.register(Admin)
