import horizon
from django.utils.translation import gettext_lazy as _

from multinic_dashboard.api.multinic import SERVICE_PERMISSION


class Instances(horizon.Panel):
    name = _("Instances")
    slug = "multinic_instances"
    # Shown where the catalog names multinic's API, as ironic-ui's needs baremetal.
    permissions = (SERVICE_PERMISSION,)
