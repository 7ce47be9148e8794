"""The time budget of the current check: every network operation of a thread is bounded by it."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from cyberdiag.errors import NotTested

_local = threading.local()


@contextlib.contextmanager
def budget(seconds: float, cancel: threading.Event | None = None) -> Iterator[None]:
    """Bound every lookup made by this thread inside the block to `seconds` in total; once
    `cancel` is set (Ctrl-C), the next network operation gives up at once."""
    previous = (getattr(_local, "deadline", None), getattr(_local, "cancel", None))
    _local.deadline = time.monotonic() + seconds
    _local.cancel = cancel
    try:
        yield
    finally:
        _local.deadline, _local.cancel = previous


def inherit_budget() -> tuple[float | None, threading.Event | None]:
    """The current thread's budget, to hand to helper threads (see adopt_budget)."""
    return getattr(_local, "deadline", None), getattr(_local, "cancel", None)


def adopt_budget(state: tuple[float | None, threading.Event | None]) -> None:
    _local.deadline, _local.cancel = state


def remaining(timeout: float) -> float:
    """Time allowed for the next network operation: `timeout`, cut by the check's budget."""
    cancel: threading.Event | None = getattr(_local, "cancel", None)
    if cancel is not None and cancel.is_set():
        raise NotTested("vérification interrompue", "check interrupted", {"error": "interrupted"})
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0.01:
        raise NotTested(
            "la vérification a dépassé son temps maximal (réseau trop lent ou données hostiles)",
            "the check ran out of time (network too slow or hostile data)",
            {"error": "budget"},
        )
    return min(timeout, left)

