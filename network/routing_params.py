"""Parameters of the collection-routing model (``solve.py route``).

Loaded from the ``[routing]`` table of a scenario file with
``network.params.params_from_mapping(RoutingParams, table, source=...)``;
unknown keys and wrong types are errors. The parameters used are written into
every routes plan (``Plan.params``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from network.errors import InputError

HORIZONS: tuple[str, ...] = ("day", "week")
ROUTING_BACKENDS: tuple[str, ...] = ("auto", "pyvrp", "ortools")


@dataclass(frozen=True, slots=True)
class RoutingParams:
    """Options of the collection routes from each station (收运线路).

    Parameters
    ----------
    horizon
        ``"week"``: every working day of the week is routed (visits spread
        over the days by the frequency rule), costs per week. ``"day"``
        (default): only the busiest day of that weekly schedule (the design
        day for fleet sizing), costs per day.
    days_per_week
        Working (collection) days per week. Default 6.
    bin_size_t
        What a collection point holds between two visits (bin, cage or
        yard), tonnes. A point generating ``w`` t/week is visited
        ``⌈w / bin_size_t⌉`` times a week (at least ``min_visits_per_week``,
        at most ``days_per_week``), collecting ``w / visits`` each time.
        Default 2.0 t.
    min_visits_per_week
        Fewest visits per week to any point, however little it collects
        (material must not sit for weeks). Default 1.
    service_h_per_stop
        Fixed time at each stop (parking, paperwork), hours. Default 0.25.
    service_h_per_t
        Loading time per tonne collected, hours. Default 0.2.
    unload_h
        Time to unload at the station (or another unloading facility), hours.
        Default 0.5.
    shift_h
        Shift length, hours from departure window opening; None (default):
        each vehicle type's own ``shift_h``.
    time_windows
        If True, ``point_windows_h`` apply. Default False.
    point_windows_h
        Service-start window per point or village id, ``{id: [early, late]}``,
        hours from shift start.
    vehicle_types
        Names of the scenario's vehicle types each station may use. Default
        ``("light_truck", "medium_truck")``.
    vehicle_counts
        Vehicles of each type per station, ``{name: count}``; a type not
        listed uses its own ``count``, or ``default_vehicle_count``.
    default_vehicle_count
        Vehicles per type per station when neither gives a count. Default 4.
    skip_penalty_cny
        Cost of leaving a point unvisited on its day, CNY; points are optional
        at this penalty, so an unservable point is reported, never hidden.
        Default 20,000 (far above any route's cost: skipping is a last resort).
    include_mobile_villages
        Also route the villages the network plan serves by mobile collection
        (以车代库) from each station. Default True.
    extra_unload_site_ids
        Further open sites (e.g. the sorting centre) where vehicles may unload
        besides their home station.
    max_unloads
        Most mid-route unloads per route; None (default): no limit.
    break_h
        Driver break duration, hours; 0 (default) means none. Breaks are
        modelled by the OR-Tools backend only (``backend="auto"`` switches).
    break_window_h
        Earliest and latest start of the break, hours. Default (3.5, 5.0).
    backend
        ``"auto"`` (default: PyVRP, OR-Tools with breaks), ``"pyvrp"``, ``"ortools"``.
    time_limit_s_per_station
        Search time per station (per day with ``horizon="week"``), seconds.
        Default 5.
    seed
        Random seed of the search. Default 0.

    Raises
    ------
    InputError
        On a value outside its range, listing every problem.
    """

    horizon: str = "day"
    days_per_week: int = 6
    bin_size_t: float = 2.0
    min_visits_per_week: int = 1
    service_h_per_stop: float = 0.25
    service_h_per_t: float = 0.2
    unload_h: float = 0.5
    shift_h: float | None = None
    time_windows: bool = False
    point_windows_h: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    vehicle_types: tuple[str, ...] = ("light_truck", "medium_truck")
    vehicle_counts: Mapping[str, int] = field(default_factory=dict)
    default_vehicle_count: int = 4
    skip_penalty_cny: float = 20_000.0
    include_mobile_villages: bool = True
    extra_unload_site_ids: tuple[str, ...] = ()
    max_unloads: int | None = None
    break_h: float = 0.0
    break_window_h: tuple[float, ...] = (3.5, 5.0)
    backend: str = "auto"
    time_limit_s_per_station: float = 5.0
    seed: int = 0

    def __post_init__(self) -> None:
        problems: list[str] = []

        def bad(name: str, expected: str, got: object) -> None:
            problems.append(f"routing parameter '{name}': expected {expected}, got {got!r}")

        if self.horizon not in HORIZONS:
            bad("horizon", f"one of {', '.join(HORIZONS)}", self.horizon)
        if not 1 <= self.days_per_week <= 7:
            bad("days_per_week", "a whole number 1-7", self.days_per_week)
        if not 1 <= self.min_visits_per_week <= self.days_per_week:
            bad("min_visits_per_week", f"a whole number 1-{self.days_per_week}", self.min_visits_per_week)
        for name in ("bin_size_t", "time_limit_s_per_station"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                bad(name, "a positive number", value)
        for name in ("service_h_per_stop", "service_h_per_t", "unload_h", "skip_penalty_cny", "break_h"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                bad(name, "a non-negative number", value)
        if self.shift_h is not None and not (math.isfinite(self.shift_h) and self.shift_h > 0):
            bad("shift_h", "a positive number of hours or none", self.shift_h)
        for pid, window in self.point_windows_h.items():
            if len(window) != 2 or not 0 <= window[0] <= window[1]:
                bad(f"point_windows_h[{pid}]", "[early, late] hours with 0 <= early <= late", list(window))
        if len(self.break_window_h) != 2 or not 0 <= self.break_window_h[0] <= self.break_window_h[1]:
            bad("break_window_h", "[earliest, latest] hours", list(self.break_window_h))
        if not self.vehicle_types:
            bad("vehicle_types", "at least one vehicle type name", list(self.vehicle_types))
        for name, count in self.vehicle_counts.items():
            if count < 0:
                bad(f"vehicle_counts[{name}]", "a whole number >= 0", count)
        if self.default_vehicle_count < 1:
            bad("default_vehicle_count", "a whole number >= 1", self.default_vehicle_count)
        if self.max_unloads is not None and self.max_unloads < 0:
            bad("max_unloads", "a whole number >= 0 or none", self.max_unloads)
        if self.backend not in ROUTING_BACKENDS:
            bad("backend", f"one of {', '.join(ROUTING_BACKENDS)}", self.backend)
        if problems:
            raise InputError(problems)


def visits_per_week(weekly_t: float, params: RoutingParams) -> int:
    """Visits a week for a point generating ``weekly_t`` tonnes a week.

    ``⌈weekly_t / bin_size_t⌉``, at least ``min_visits_per_week`` and at most
    ``days_per_week`` (a point that fills its bin more than daily is visited
    daily and collects more per visit).

    Examples
    --------
    >>> visits_per_week(4.5, RoutingParams(bin_size_t=2.0))
    3
    >>> visits_per_week(0.1, RoutingParams())
    1
    """
    needed = math.ceil(weekly_t / params.bin_size_t - 1e-9) if weekly_t > 0 else 0
    return max(params.min_visits_per_week, min(params.days_per_week, needed))
