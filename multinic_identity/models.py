from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A user of the built-in Identity. Its id, as text, is the Keystone-style user id the
    core records (key pairs); superusers hold the ``admin`` role."""

    @property
    def user_id(self) -> str:
        return str(self.pk)


class Membership(models.Model):
    """A user's role assignment on a project: what the user may scope a token to."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey("multinic_api.Project", on_delete=models.CASCADE,
                                related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "project"],
                                               name="membership_unique_user_project")]

    def __str__(self) -> str:
        return f"{self.user} in {self.project}"


class AuthToken(models.Model):
    """An Identity v3 token. Only its SHA-256 digest is stored: a database dump hands out no
    usable tokens."""

    digest = models.CharField(primary_key=True, max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_tokens")
    project = models.ForeignKey("multinic_api.Project", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="identity_tokens")
    methods = models.JSONField(default=list)
    # Keystone's audit_ids, [audit_id, parent_audit_id]: a token's own id, then the audit id of
    # the chain's first token when it came from another by the token method. Revocation
    # finds a token by its audit id, as Keystone's revocation events do.
    audit_id = models.CharField(max_length=32, db_index=True)
    parent_audit_id = models.CharField(max_length=32, blank=True, default="")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "identity token"

    def __str__(self) -> str:
        return f"token for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"
