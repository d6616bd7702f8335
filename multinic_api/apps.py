from django.apps import AppConfig
from django.db.backends.signals import connection_created


class MultinicApiConfig(AppConfig):
    name = "multinic_api"
    verbose_name = "multinic network manager"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from multinic_api import checks  # noqa: F401  (registers the settings' checks)
        from multinic_api.services import name_filter

        # Nova's name filter in linear time on SQLite (see name_filter).
        connection_created.connect(name_filter.use_re2_on_sqlite,
                                   dispatch_uid="multinic-re2-regexp")
