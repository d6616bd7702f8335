import horizon
from django.utils.translation import gettext_lazy as _


class Project(horizon.Dashboard):
    """What a project's members work with. Its panels come from the plugin's enabled files."""

    name = _("Project")
    slug = "project"
    default_panel = "multinic_instances"


horizon.register(Project)
