import horizon
from django.utils.translation import gettext_lazy as _

from multinic_dashboard.api.multinic import SERVICE_PERMISSION


class Networks(horizon.Panel):
    name = _("Networks")
    slug = "multinic_networks"
    # Shown where the catalog names multinic's API, as ironic-ui's needs baremetal.
    permissions = (SERVICE_PERMISSION,)
