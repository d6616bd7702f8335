import horizon


class AdminPanel(horizon.Panel):
    """A panel for administrators only: Keystone admins (openstack_auth's user answers
    ``is_superuser`` from its roles, here and in any OpenStack dashboard). The API refuses
    the panels' calls of anyone else anyway; this keeps the panels out of their menu."""

    def allowed(self, context) -> bool:
        user = context["request"].user
        return bool(getattr(user, "is_superuser", False)) and super().allowed(context)
