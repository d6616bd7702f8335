from django.conf import settings
from django.db import models


class Keypair(models.Model):
    """A user's public key, by name: what ``key_name`` at launch puts into the config drive."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="keypairs")
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=8, default="ssh")
    public_key = models.TextField()
    fingerprint = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="keypair_unique_name_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
