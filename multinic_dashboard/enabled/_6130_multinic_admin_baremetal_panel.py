PANEL = "multinic_baremetal"
PANEL_DASHBOARD = "admin"
PANEL_GROUP = "multinic_admin"
ADD_PANEL = "multinic_dashboard.dashboards.admin.baremetal.panel.BareMetal"
