# The admin dashboard an OpenStack dashboard would have; the plugin's admin panels go into it.
DASHBOARD = "admin"
ADD_INSTALLED_APPS = ["multinic_site.dashboards.admin"]
