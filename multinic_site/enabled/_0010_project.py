# The project dashboard an OpenStack dashboard would have; the plugin's panels go into it.
DASHBOARD = "project"
DEFAULT = True
ADD_INSTALLED_APPS = ["multinic_site.dashboards.project"]
