PANEL = "multinic_instances"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "multinic"
ADD_PANEL = "multinic_dashboard.dashboards.project.instances.panel.Instances"
