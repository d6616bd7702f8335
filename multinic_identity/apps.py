from django.apps import AppConfig, apps


class IdentityConfig(AppConfig):
    name = "multinic_identity"
    label = "identity"
    verbose_name = "multinic built-in identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from multinic_identity import signals

        signals.connect()

        if apps.is_installed("axes"):
            # Axes would also count every sign-in that Django's auth signals announce. Here the
            # built-in Identity's password check counts them (multinic_identity.lockout), once
            # each: a dashboard sign-in is both openstack_auth's and the Identity's.
            from axes import signals as axes_signals
            from django.contrib.auth import signals as auth_signals

            auth_signals.user_login_failed.disconnect(axes_signals.handle_user_login_failed)
            auth_signals.user_logged_in.disconnect(axes_signals.handle_user_logged_in)
            auth_signals.user_logged_out.disconnect(axes_signals.handle_user_logged_out)
