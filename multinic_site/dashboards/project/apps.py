from django.apps import AppConfig


class ProjectDashboardConfig(AppConfig):
    name = "multinic_site.dashboards.project"
    label = "multinic_site_project"
