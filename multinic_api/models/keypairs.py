from django.db import models


class Keypair(models.Model):
    """A user's public key, by name: what ``key_name`` at launch puts into the config drive."""

    # The owner's Keystone-style user id: a key pair is a user's, in whichever project.
    user_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=8, default="ssh")
    public_key = models.TextField()
    fingerprint = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user_id", "name"],
                                    name="keypair_unique_name_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"
