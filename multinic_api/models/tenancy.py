import uuid

from django.conf import settings
from django.db import models


def new_project_id() -> str:
    """Keystone-style project id: 32 lowercase hex characters."""
    return uuid.uuid4().hex


class Project(models.Model):
    """A tenant. Instances belong to one; networks are owned by one (and may be shared)."""

    id = models.CharField(primary_key=True, max_length=64, default=new_project_id, editable=False)
    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="projects", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
