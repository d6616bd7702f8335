# The "Multi-NIC" group on the project dashboard. The plugin's app arrives with it: the panels'
# templates and static files (multinic_dashboard). The panels are clients of multinic's API,
# found in Keystone's catalog: the dashboard holds no multinic data and needs no database.
PANEL_GROUP = "multinic"
PANEL_GROUP_NAME = "Multi-NIC"
PANEL_GROUP_DASHBOARD = "project"
ADD_INSTALLED_APPS = ["multinic_dashboard"]
# The launch wizard's script and the plugin's styles, for an OpenStack dashboard's pages (the
# standalone site links them itself).
ADD_JS_FILES = ["multinic_dashboard/js/launch.js"]
ADD_SCSS_FILES = ["multinic_dashboard/scss/multinic.scss"]
