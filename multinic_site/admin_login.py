"""The Django admin's sign-in: the built-in Identity's superusers, with their password.

The dashboard signs users in through Keystone (openstack_auth), whose users are made from a
token and are nobody's staff; the admin manages this site's own tables and needs one of the
site's own users instead. Their password is checked by the built-in Identity's own rule, so
that failures here count towards the same lockout as everywhere else.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from multinic_identity import lockout
from multinic_identity import services as identity
from multinic_site.signin import locked_out_message

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class IdentityAdminLoginForm(AdminAuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                user = identity.password_user(
                    {"name": username, "domain": identity.DEFAULT_DOMAIN}, password,
                    client_address=lockout.client_address(self.request))
            except identity.LockedOut:
                raise ValidationError(locked_out_message(), code="locked_out") from None
            except identity.NotAuthenticated:
                raise self.get_invalid_login_error() from None
            user.backend = MODEL_BACKEND  # the session's backend, not Keystone's
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(_("The admin site is for the built-in Identity's "
                                    "superusers."), code="not_superuser")
