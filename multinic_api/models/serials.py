"""Creation serials: a number per row that says in which order rows were created.

Ports and port groups have UUID keys, which say nothing about order, and a ``created``
timestamp, which can tie (and follows the web server's clock). Ironic lists a node's ports by
its autoincrementing integer id, and Nova keeps that order for a bond's members, so ours need a
counter that only goes up: the id of a row inserted into :class:`CreationTicket`. Both
PostgreSQL (an identity sequence) and SQLite (``AUTOINCREMENT``) hand those out increasing
and never twice, even after the row is deleted or its transaction rolled back, and without a
lock that lasts until commit (unlike a counter row updated in place).
"""

from __future__ import annotations

from django.db import models, router


class CreationTicket(models.Model):
    """Hands out creation serials; its rows are deleted as soon as their id is taken."""

    id = models.BigAutoField(primary_key=True)

    def __str__(self) -> str:
        return f"creation serial {self.pk}"


def next_serial() -> int:
    db = router.db_for_write(CreationTicket)
    ticket = CreationTicket.objects.using(db).create()
    CreationTicket.objects.using(db).filter(pk=ticket.pk).delete()
    return ticket.pk


class CreationSerialField(models.BigIntegerField):
    """Set once, when its row is inserted, to the next creation serial (``ORDER BY`` it for
    creation order). Unique, so it can end a keyset order."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("unique", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        if kwargs.get("unique") is True:
            del kwargs["unique"]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if add and value is None:
            value = next_serial()
            setattr(model_instance, self.attname, value)
        return value
