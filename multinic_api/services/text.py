"""Text from clients that the database cannot hold.

PostgreSQL refuses the NUL character (U+0000) in text columns, in ``jsonb`` and even in a
query's parameters, so a name, a filter value or a metadata key with one in it was a
DataError there: a 500, on PostgreSQL only (SQLite takes it). DRF's and Django's form
``CharField`` already refuse it; these helpers are for what reaches the services another way:
keys and values of JSON objects, query parameters and path segments read directly, the
OpenStack APIs' bodies.

A lookup by such a text finds nothing (nothing can be named that); storing one is a 400.
"""

from typing import Any

from multinic_api.exceptions import InvalidInput

NUL = "\x00"


def has_nul(value: Any) -> bool:
    """Whether a string, or any key or string inside a JSON-like value, contains NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    return False


def refuse_nul(value: Any, what: str) -> Any:
    """``value``, unless it holds a NUL character anywhere: then a 400 naming ``what``."""
    if has_nul(value):
        raise InvalidInput(f"{what} may not contain the NUL character (\\u0000)")
    return value
