"""Model fields shared by several models."""

from django.db import models

IP_KEY_LENGTH = 32  # 128 bits in hex: wide enough for IPv6, and IPv4 uses the same width


class IPKeyField(models.CharField):
    """An IP address as a fixed-width, zero-padded lowercase hex integer.

    Equal-width hex strings sort exactly like the integers they encode, so ``<``, ``>`` and
    ``ORDER BY`` on this column work for IPv4 and IPv6 alike on every backend; a native
    ``inet`` column would not sort on SQLite, and 128 bits do not fit a ``bigint``.
    On PostgreSQL the column uses the "C" collation so that a locale-aware collation never
    gets a say in the order (SQLite already compares bytes).
    """

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = IP_KEY_LENGTH
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
