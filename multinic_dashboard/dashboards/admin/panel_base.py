import horizon

from multinic_dashboard.api import caller as api


class AdminPanel(horizon.Panel):
    """A panel for administrators only: superusers here, Keystone admins in an OpenStack
    dashboard (whose user answers ``is_superuser`` from its roles)."""

    def allowed(self, context) -> bool:
        return api.is_admin(context["request"].user) and super().allowed(context)
