PANEL = "multinic_vifs"
PANEL_DASHBOARD = "admin"
PANEL_GROUP = "multinic_admin"
ADD_PANEL = "multinic_dashboard.dashboards.admin.vifs.panel.Interfaces"
