import horizon
from django.utils.translation import gettext_lazy as _


class Instances(horizon.Panel):
    name = _("Instances")
    slug = "multinic_instances"
