"""The clock of a solve: wall time, or in deterministic mode a count of work.

Every stage of a design solve reads the time from :func:`now` and stops at
deadlines on that clock. Normally it is ``time.perf_counter``: a stage does
what the machine manages in its seconds, so the plan depends on the load.
Inside :func:`work_clock` the clock counts work instead: each read advances
it by ``STEP_S`` (loops that check their deadline stop after a fixed number
of rounds), and a MIP solve given ``t`` seconds explores at most
``t · NODES_PER_S`` branch-and-bound nodes (``t · ITERATIONS_PER_S`` simplex
iterations for an LP) and then advances the clock by ``t``. The same inputs
and seed then give the same plan on any machine and at any load; the wall
clock remains the outer safety limit (``SAFETY_FACTOR`` times the limit),
and a solve stopped by it says so.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

#: Work-clock seconds per clock read.
STEP_S = 1e-2
#: Branch-and-bound nodes per work-clock second of a MIP solve's limit.
NODES_PER_S = 10
#: Simplex iterations per work-clock second of an LP solve's limit.
ITERATIONS_PER_S = 10_000
#: Wall-clock seconds per work-clock second before the safety limit stops a solve.
SAFETY_FACTOR = 20.0


class WorkClock:
    """Virtual seconds, advanced by reads and by the budgets of MIP solves."""

    def __init__(self) -> None:
        self.t = 0.0

    def read(self) -> float:
        self.t += STEP_S
        return self.t


_CLOCK: ContextVar[WorkClock | None] = ContextVar("huishou_work_clock", default=None)


def now() -> float:
    """Seconds on the solve's clock (wall time, or work in deterministic mode)."""
    clock = _CLOCK.get()
    return time.perf_counter() if clock is None else clock.read()


def deterministic() -> bool:
    """Whether the current solve runs on the work clock."""
    return _CLOCK.get() is not None


def spend(seconds: float) -> None:
    """Advance the work clock by a solve's budget (nothing on the wall clock)."""
    clock = _CLOCK.get()
    if clock is not None:
        clock.t += max(0.0, seconds)


@contextlib.contextmanager
def work_clock(enabled: bool = True) -> Iterator[None]:
    """Run the block on a fresh work clock (``enabled``), else on the wall clock."""
    if not enabled:
        yield
        return
    token = _CLOCK.set(WorkClock())
    try:
        yield
    finally:
        _CLOCK.reset(token)
