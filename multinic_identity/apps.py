from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "multinic_identity"
    label = "identity"
    verbose_name = "multinic built-in identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from multinic_identity import signals

        signals.connect()
