PANEL = "multinic_networks"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "multinic"
ADD_PANEL = "multinic_dashboard.dashboards.project.networks.panel.Networks"
