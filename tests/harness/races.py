"""Racing two transactions on PostgreSQL: run one in a thread with its own connection, and
wait until the others block on a lock this test's transaction holds."""

import threading
import time

from django.db import connection


def wait_until_blocked(count=1, timeout=30.0, unless=lambda: False):
    """Until ``count`` other connections of this test wait on a lock, or ``unless()``."""
    with connection.cursor() as cursor:  # this thread's, in the middle of its transaction
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if unless():
                return
            # A transaction sees one snapshot of the activity statistics unless told not to.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"{count} other connection(s) never all waited on a lock")


def in_thread(work):
    """Run ``work`` in a thread with its own connection; returns (thread, outcome)."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work()
        except Exception as error:  # noqa: BLE001 - the test looks at what it was
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome
