"""What both routing backends share: integer matrices, unit costs, Ctrl-C handling.

See ``solver.routing.units`` for the scale factors and rounding rules.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

import numpy as np

from solver.routing.problem import RoutingProblem, RoutingVehicleType
from solver.routing.units import COST_SCALE, DISTANCE_SCALE, TIME_SCALE, to_units

#: An unreachable pair costs this many metres / seconds inside the backends:
#: large enough that no route uses it (1,000,000 km; 10,000 h exceeds any
#: shift), small enough that sums stay far from int64 overflow.
UNREACHABLE_M = 10**9
UNREACHABLE_S = 36_000_000


def int_matrices(problem: RoutingProblem) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) and duration (s) matrices as int64, rounded to nearest."""
    dist = problem.distance_km * DISTANCE_SCALE
    dur = problem.duration_h * TIME_SCALE
    dist_i = np.where(np.isfinite(dist), np.rint(np.nan_to_num(dist, posinf=0.0)), UNREACHABLE_M)
    dur_i = np.where(np.isfinite(dur), np.rint(np.nan_to_num(dur, posinf=0.0)), UNREACHABLE_S)
    dist_i = np.minimum(dist_i, UNREACHABLE_M).astype(np.int64)
    dur_i = np.minimum(dur_i, UNREACHABLE_S).astype(np.int64)
    return dist_i, dur_i


def unit_costs(vt: RoutingVehicleType) -> tuple[int, int, int]:
    """(fixed, per metre, per second) cost of a vehicle type in objective units."""
    per_m = to_units(vt.cost_per_km_cny / DISTANCE_SCALE, COST_SCALE)
    per_s = to_units(vt.cost_per_h_cny / TIME_SCALE, COST_SCALE)
    return to_units(vt.fixed_cost_cny, COST_SCALE), per_m, per_s


class InterruptFlag:
    """Set by Ctrl-C (SIGINT) while a backend searches, so it can stop and return its best."""

    def __init__(self) -> None:
        self.is_set = False

    def set(self, *_args: object) -> None:
        self.is_set = True


@contextlib.contextmanager
def catch_interrupt() -> Iterator[InterruptFlag]:
    """Within the block, Ctrl-C sets the yielded flag instead of raising.

    Only the main thread can install signal handlers; elsewhere the flag
    stays unset and Ctrl-C behaves as usual.
    """
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.signal(signal.SIGINT, flag.set)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
