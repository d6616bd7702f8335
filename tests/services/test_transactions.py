"""The transaction a service runs its writes in, and what it does with a failure explained
after the rollback."""

import pytest

from multinic_api.exceptions import Conflict
from multinic_api.models import Project
from multinic_api.services import transactions

pytestmark = pytest.mark.django_db


class _Failed(transactions.ExplainAfterRollback):
    """Asks for a run again until ``runs_wanted``, then is a 409; records what it saw."""

    def __init__(self, seen: list, runs_wanted: int):
        super().__init__("failed")
        self.seen, self.runs_wanted = seen, runs_wanted

    def explain(self, attempt: int) -> None:
        # What the failed run wrote is gone by now; what the caller wrote is not.
        self.seen.append((attempt, sorted(Project.objects.values_list("name", flat=True))))
        if attempt >= self.runs_wanted:
            raise Conflict(f"gave up after {attempt} runs")


def test_a_failure_asking_for_it_runs_the_unit_again_after_each_rollback():
    Project.objects.create(name="before")
    seen: list = []
    runs = iter(range(1, 10))

    def unit():
        run = next(runs)
        Project.objects.create(name=f"run-{run}")
        if run < 3:
            raise _Failed(seen, runs_wanted=5)
        return run

    assert transactions.run_in_transaction(unit) == 3
    assert seen == [(1, ["before"]), (2, ["before"])]
    assert sorted(Project.objects.values_list("name", flat=True)) == ["before", "run-3"]


def test_the_explanation_s_error_is_what_the_caller_gets_and_nothing_stays_written():
    seen: list = []

    def unit():
        Project.objects.create(name="doomed")
        raise _Failed(seen, runs_wanted=2)

    with pytest.raises(Conflict, match="gave up after 2 runs"):
        transactions.run_in_transaction(unit)
    assert [attempt for attempt, _ in seen] == [1, 2]
    assert not Project.objects.exists()


def test_other_errors_pass_through_after_one_rollback():
    runs = []

    def unit():
        runs.append(1)
        Project.objects.create(name="doomed")
        raise Conflict("no")

    with pytest.raises(Conflict, match="no"):
        transactions.run_in_transaction(unit)
    assert runs == [1] and not Project.objects.exists()
