PANEL = "multinic_macs"
PANEL_DASHBOARD = "admin"
PANEL_GROUP = "multinic_admin"
ADD_PANEL = "multinic_dashboard.dashboards.admin.macs.panel.MacAddresses"
