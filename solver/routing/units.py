"""Integer units of the routing backends: scales and rounding.

The API is in floats; both backends work in integers. The scale factors are
the module constants:

* distance: ``DISTANCE_SCALE`` = 1000 units per km (metres); each arc is
  rounded to the nearest metre, so a route's distance is off by at most
  0.5 m per arc travelled;
* time: ``TIME_SCALE`` = 3600 units per hour (seconds); each arc, service and
  unload time is rounded to the nearest second (≤ 0.5 s per item), time
  windows and shift limits are rounded *inward* (early up, late down), so an
  integer-feasible schedule is feasible in floats up to 0.5 s per arc;
* load: ``LOAD_SCALE`` = 1000 units per t or m³ (kg, litres); demands are
  rounded *up* and capacities *down*, so an integer-feasible load is feasible
  in floats, and a capacity is at most 1 kg (1 l) stricter than stated;
* cost: ``COST_SCALE`` = 100 000 units per CNY; the per-metre and per-second
  unit costs are rounded to the nearest unit (e.g. 1.2 CNY/km is exactly 120
  units/m; 25 CNY/h is 694.4 → 694 units/s, 0.06 % low). The rounded
  objective steers the search only: every reported cost is recomputed in
  floats from the routes (see ``solver.routing.engine``).

Use ``to_units`` / ``to_units_up`` / ``to_units_down`` to convert.
"""

from __future__ import annotations

import math

#: Integer units per km inside the backends (metres).
DISTANCE_SCALE = 1000
#: Integer units per hour inside the backends (seconds).
TIME_SCALE = 3600
#: Integer units per tonne and per m³ inside the backends (kg, litres).
LOAD_SCALE = 1000
#: Integer objective units per CNY inside the backends.
COST_SCALE = 100_000
#: Stand-in for "unbounded" in integer units (fits every backend's int64).
INT_INF = 2**52


def to_units(value: float, scale: int) -> int:
    """``value × scale`` rounded to the nearest integer, ``INT_INF`` for inf."""
    if math.isinf(value):
        return INT_INF
    return min(INT_INF, round(value * scale))


def to_units_up(value: float, scale: int) -> int:
    """``value × scale`` rounded up (tolerating 1e-9 float noise)."""
    if math.isinf(value):
        return INT_INF
    return min(INT_INF, math.ceil(value * scale - 1e-9))


def to_units_down(value: float, scale: int) -> int:
    """``value × scale`` rounded down (tolerating 1e-9 float noise)."""
    if math.isinf(value):
        return INT_INF
    return min(INT_INF, math.floor(value * scale + 1e-9))
