from django.apps import AppConfig


class MultinicApiConfig(AppConfig):
    name = "multinic_api"
    verbose_name = "multinic network manager"
    default_auto_field = "django.db.models.BigAutoField"
