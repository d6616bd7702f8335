# The "Multi-NIC" group on the project dashboard. The plugin's app arrives with it: the panels'
# templates and static files (multinic_dashboard). The panels are clients of multinic's API,
# found in Keystone's catalog: the dashboard holds no multinic data and needs no database.
PANEL_GROUP = "multinic"
PANEL_GROUP_NAME = "Multi-NIC"
PANEL_GROUP_DASHBOARD = "project"
ADD_INSTALLED_APPS = ["multinic_dashboard"]
# The launch wizard's scripts (the namespace first, the part that starts the wizard last) and
# the plugin's styles, for an OpenStack dashboard's pages (the standalone site links them
# itself, in the wizard's template).
ADD_JS_FILES = [f"multinic_dashboard/js/{name}" for name in (
    "horizon.multinic.js", "horizon.multinic.state.js", "horizon.multinic.carriers.js",
    "horizon.multinic.nics.js", "horizon.multinic.bonding.js", "horizon.multinic.preview.js",
    "horizon.multinic.launch.js")]
ADD_SCSS_FILES = ["multinic_dashboard/scss/multinic.scss"]
