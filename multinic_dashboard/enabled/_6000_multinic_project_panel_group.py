# The "Multi-NIC" group on the project dashboard. The plugin's apps arrive with it: the models
# and services (multinic_api) and the panels' templates and static files (multinic_dashboard).
PANEL_GROUP = "multinic"
PANEL_GROUP_NAME = "Multi-NIC"
PANEL_GROUP_DASHBOARD = "project"
ADD_INSTALLED_APPS = ["multinic_api", "multinic_dashboard"]
