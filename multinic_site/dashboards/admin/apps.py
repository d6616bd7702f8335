from django.apps import AppConfig


class AdminDashboardConfig(AppConfig):
    name = "multinic_site.dashboards.admin"
    # Not "admin": that label is django.contrib.admin's.
    label = "multinic_site_admin"
