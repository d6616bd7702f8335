import uuid

from django.db import models


def new_project_id() -> str:
    """Keystone-style project id: 32 lowercase hex characters."""
    return uuid.uuid4().hex


class Project(models.Model):
    """A tenant. Instances belong to one; networks are owned by one (and may be shared).

    Its id is the Keystone project id of whoever vouches for callers (a real Keystone or the
    built-in Identity); a project first seen in a token is recorded then. Names are what the
    identity service calls it, kept for display and unique only per Keystone domain there,
    so not here."""

    id = models.CharField(primary_key=True, max_length=64, default=new_project_id, editable=False)
    name = models.CharField(max_length=255, db_index=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
