import horizon
from django.utils.translation import gettext_lazy as _


class Admin(horizon.Dashboard):
    """The whole cloud, for administrators only: Keystone's admin role, which
    openstack_auth's user answers as ``is_superuser`` (as OpenStack's own admin dashboard)."""

    name = _("Admin")
    slug = "admin"
    default_panel = "multinic_vifs"
    permissions = ("openstack.roles.admin",)


horizon.register(Admin)
