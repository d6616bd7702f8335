"""The phase marks: silent unless someone listens, heard in nesting order while they do."""

from contextlib import contextmanager

from multinic_api import phases


@phases.timed("outer")
def outer() -> str:
    with phases.phase("inner"):
        return "done"


def test_marks_do_nothing_without_a_listener():
    assert outer() == "done"
    with phases.phase("alone"):
        pass


def test_a_listener_hears_each_phase_as_it_begins_and_ends_until_it_stops_listening():
    heard: list[str] = []

    @contextmanager
    def listener(name: str):
        heard.append(f"+{name}")
        try:
            yield
        finally:
            heard.append(f"-{name}")

    with phases.listening(listener):
        assert outer() == "done"
    outer()
    assert heard == ["+outer", "+inner", "-inner", "-outer"]
    assert outer.__name__ == "outer"
