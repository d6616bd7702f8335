from django.conf import settings
from django.db import models


class AuthToken(models.Model):
    """An Identity v3 token. Only its SHA-256 digest is stored: a database dump hands out no
    usable tokens."""

    digest = models.CharField(primary_key=True, max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="identity_tokens")
    project = models.ForeignKey("Project", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="identity_tokens")
    methods = models.JSONField(default=list)
    audit_id = models.CharField(max_length=32)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "identity token"

    def __str__(self) -> str:
        return f"token for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"
