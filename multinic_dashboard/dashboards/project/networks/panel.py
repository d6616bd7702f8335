import horizon
from django.utils.translation import gettext_lazy as _


class Networks(horizon.Panel):
    name = _("Networks")
    slug = "multinic_networks"
