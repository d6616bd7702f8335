"""Named phases of the work a request does, for whoever wants to time them.

The code marks its own phases where they run (``@phases.timed("resolve")`` on a function,
``with phases.phase("validate"):`` around a step). Nothing listens in production, where a
mark costs one context-variable lookup. A profiler listens for the length of a run with
:func:`listening`: its listener is called with a phase's name as the phase begins and
returns the context manager that spans it. Marks nest as the calls do, so a listener that
keeps a stack can tell each phase's own time from its inner phases' (``bench/e2e/phases.py``
does).

The phases marked: ``scope`` (who is asking), ``validate`` (the launch body), ``resolve``
(the NICs' networks, subnets and pools), ``launch`` (the launch transaction) and
``serialize`` (the REST API's launch view around them, to its response body).
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

Listener = Callable[[str], AbstractContextManager]

_listener: ContextVar[Listener | None] = ContextVar("multinic_phase_listener", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def phase(name: str) -> AbstractContextManager:
    """The span of phase ``name``, as the listener times it (nothing when none listens)."""
    listener = _listener.get()
    return nullcontext() if listener is None else listener(name)


def timed(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark every call of the decorated function as phase ``name``."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def marked(*args: P.args, **kwargs: P.kwargs) -> R:
            listener = _listener.get()
            if listener is None:
                return func(*args, **kwargs)
            with listener(name):
                return func(*args, **kwargs)

        return marked

    return decorate


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` at every phase marked in this context (this thread) until the block
    ends."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
