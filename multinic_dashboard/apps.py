from django.apps import AppConfig


class MultinicDashboardConfig(AppConfig):
    """The Horizon plugin: its templates and static files are found through this app."""

    name = "multinic_dashboard"
    label = "multinic_dashboard"
    verbose_name = "multinic dashboard"
