"""A service's transaction, and what went wrong in it read after its rollback.

In PostgreSQL a statement that fails (an INSERT meeting a unique constraint) leaves its
transaction unusable: every later statement is refused until the rollback. A savepoint
around each such INSERT would keep it usable, so that the failure could be looked into
inside the transaction, but costs two statements on every request for failures that almost
never happen (a generated MAC already taken; a fixed IP the free ranges wrongly handed out).
So the code around such an INSERT raises an :class:`ExplainAfterRollback` instead; the
whole transaction is rolled back, and the failure is looked into then, outside it: it
becomes the client's error, or the transaction runs again from the start.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

Result = TypeVar("Result")


class ExplainAfterRollback(Exception):
    """Raised inside :func:`run_in_transaction` where a statement failed and what failed can
    only be read once the transaction is rolled back. Never seen outside it."""

    def explain(self, attempt: int) -> None:
        """Called after the rollback, outside the transaction: raise the error the caller
        should get, or return to have the transaction run again. ``attempt`` is how many
        times it has run, 1 the first time."""
        raise NotImplementedError


def run_in_transaction(unit: Callable[[], Result]) -> Result:
    """``unit()`` in ``transaction.atomic()``, run again for as long as an
    :class:`ExplainAfterRollback` it raises asks for that.

    Everything ``unit`` does is undone before it runs again (the rows it wrote, the locks and
    unique-index entries it held), so it must read and lock what it needs itself; work done
    before the transaction (validation, what the request names) stays outside ``unit`` and
    is not repeated. Called inside a caller's transaction, the atomic block is a savepoint,
    and rolling back to it leaves the caller's transaction as usable as a rollback would."""
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                return unit()
        except ExplainAfterRollback as failure:
            failure.explain(attempt)
        attempt += 1
