import horizon

from multinic_dashboard.api.multinic import SERVICE_PERMISSION


class AdminPanel(horizon.Panel):
    """A panel for administrators only: Keystone admins (openstack_auth's user answers
    ``is_superuser`` from its roles, here and in any OpenStack dashboard). The API refuses
    the panels' calls of anyone else anyway; this keeps the panels out of their menu."""

    # Shown where the catalog names multinic's API, as ironic-ui's needs baremetal.
    permissions = ("openstack.roles.admin", SERVICE_PERMISSION)

    def allowed(self, context) -> bool:
        user = context["request"].user
        return bool(getattr(user, "is_superuser", False)) and super().allowed(context)
