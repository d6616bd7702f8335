PANEL_GROUP = "multinic_admin"
PANEL_GROUP_NAME = "Multi-NIC"
PANEL_GROUP_DASHBOARD = "admin"
