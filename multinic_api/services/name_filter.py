"""Nova's ``name`` filter of a server listing: a regular expression, matched by the database,
in bounded time on both databases.

On SQLite, Django matches ``REGEXP`` with Python's ``re``, which backtracks: ``(a+)+$``
took 8 s for one 28-character name, four times that for each two characters more, and two
such requests held every worker. So:

- a pattern must compile with RE2, whose matching is linear in the text: it has no
  backreferences or lookaround, the features that need backtracking. It may be at most
  ``limits.NAME_FILTER`` characters long and compile to at most ``limits.NAME_FILTER_PROGRAM``
  RE2 instructions (counted repetitions such as ``(a{0,30}){0,30}`` expand);
- on SQLite, ``REGEXP`` is RE2 (installed over Django's function on every new connection,
  see :func:`use_re2_on_sqlite`);
- PostgreSQL keeps its own engine, which matches such patterns without backtracking
  (``(a+)+$`` against 1,000 characters: 0.1 ms), and whose compile time the instruction bound
  keeps small (measured under 25 ms; a pattern of 15,000 instructions took a second). Its
  syntax is not RE2's: a pattern it refuses (``(?P<n>...)``, a count above 255) is a 400.
"""

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

import re2
from django.db import DataError, transaction
from django.db.models import QuerySet

from multinic_api.exceptions import InvalidInput
from multinic_api.services import limits
from multinic_api.services.text import has_nul

T = TypeVar("T")

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is the client's 400, not a line on stderr


def check(pattern: str) -> None:
    """A 400 for a pattern the filter will not run."""
    if has_nul(pattern):
        raise InvalidInput("Invalid regular expression for name: it contains NUL")
    limits.check_length(pattern, limits.NAME_FILTER, "A name filter")
    size = _compiled(pattern).programsize
    if size > limits.NAME_FILTER_PROGRAM:
        raise InvalidInput(f"The name filter is too complex ({size} RE2 instructions; at most "
                           f"{limits.NAME_FILTER_PROGRAM}): use fewer counted repetitions")


def matching(queryset: QuerySet[T], pattern: str) -> QuerySet[T]:
    """The rows whose name matches ``pattern`` anywhere (Nova's rule), once it is checked."""
    check(pattern)
    return queryset.filter(name__regex=pattern)


def evaluated(queryset: QuerySet[T], render: Callable[[T], Any]) -> list:
    """``render`` of each row of a name-filtered queryset, where a pattern PostgreSQL refuses
    is a 400 (in a savepoint, so the request's transaction stays usable)."""
    try:
        with transaction.atomic():
            return [render(row) for row in queryset]
    except DataError:
        raise InvalidInput("Invalid regular expression for name: the database cannot use "
                           "it (write it in the syntax common to RE2 and PostgreSQL)") from None


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else ""  # RE2's reason, as bytes
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise InvalidInput(f"Invalid regular expression for name: {reason}") from None


def _regexp(pattern: str | None, text: Any) -> bool | None:
    """SQLite's ``text REGEXP pattern``, as Django's own function answers it (NULL for
    NULL), with RE2."""
    if pattern is None or text is None:
        return None
    return _compiled(pattern).search(str(text)) is not None


def use_re2_on_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: SQLite's REGEXP is RE2 (Django registers ``re``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("REGEXP", 2, _regexp, deterministic=True)
