"""Float schedules of routes: arrival and start times, load after each stop, km, hours, cost.

Backends return visit sequences; this module recomputes everything else in
floats from the ``RoutingProblem`` so every reported number has one source.
The departure time is the latest that does not lengthen the route (waiting
at early time windows is pushed to the depot, Savelsbergh 1992, "The vehicle
routing problem with time windows: minimizing route duration", ORSA J.
Computing 4(2): 146-154).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from solver.routing.problem import RoutingProblem
from solver.routing.solution import RoutingRoute

#: Tolerances used when judging float feasibility of a backend's integer answer
#: (see the rounding notes in ``solver.routing.units``).
LOAD_TOL = 1e-6
TIME_TOL_PER_ARC_H = 0.5 / 3600 + 1e-9


@dataclass(frozen=True, slots=True)
class ScheduledStop:
    """One stop with its times (h from shift start) and the load after it (t, m³).

    ``kind`` is ``depot``, ``client``, ``unload`` or ``break``; ``index`` as in
    ``Visit`` (the depot index for ``depot``).
    """

    kind: str
    index: int
    location: int
    arrival_h: float
    start_h: float
    end_h: float
    load_after_t: float
    load_after_m3: float
    collected_t: float = 0.0
    collected_m3: float = 0.0


@dataclass(frozen=True, slots=True)
class RouteSchedule:
    """A route's timed stops and totals, and any constraint it breaks (``violations``)."""

    stops: tuple[ScheduledStop, ...]
    departure_h: float
    return_h: float
    distance_km: float
    duration_h: float
    fixed_cost_cny: float
    distance_cost_cny: float
    time_cost_cny: float
    peak_load_t: float
    peak_load_m3: float
    violations: tuple[str, ...]

    @property
    def cost_cny(self) -> float:
        return self.fixed_cost_cny + self.distance_cost_cny + self.time_cost_cny


def _forward(problem: RoutingProblem, route: RoutingRoute, departure_h: float) -> tuple[
        list[tuple[str, int, int, float, float, float]], float, list[float], list[float]]:
    """Forward pass: (kind, index, location, arrival, start, end) per stop, return time, waits, lates."""
    vt = problem.vehicle_types[route.vehicle_type]
    loc = problem.depots[vt.start_depot].location
    t = departure_h
    rows = [("depot", vt.start_depot, loc, departure_h, departure_h, departure_h)]
    waits: list[float] = []
    slack: list[float] = []
    for visit in route.visits:
        if visit.kind == "client":
            client = problem.clients[visit.index]
            arrive = t + float(problem.duration_h[loc, client.location])
            start = max(arrive, client.tw_early_h)
            waits.append(start - arrive)
            slack.append(client.tw_late_h - start)
            loc = client.location
            t = start + client.service_h
        elif visit.kind == "unload":
            facility = problem.unload_facilities[visit.index]
            arrive = t + float(problem.duration_h[loc, facility.location])
            start = arrive
            waits.append(0.0)
            slack.append(math.inf)
            loc = facility.location
            t = start + facility.unload_h
        else:  # break: taken where the vehicle is, not before its earliest start
            brk = vt.breaks[visit.index]
            arrive = t
            start = max(t, brk.earliest_h)
            waits.append(start - arrive)
            slack.append(brk.latest_h - start)
            t = start + brk.duration_h
        rows.append((visit.kind, visit.index, loc, arrive, start, t))
    end_loc = problem.depots[vt.end_depot].location
    ret = t + float(problem.duration_h[loc, end_loc])
    rows.append(("depot", vt.end_depot, end_loc, ret, ret, ret))
    return rows, ret, waits, slack


def schedule_route(problem: RoutingProblem, route: RoutingRoute) -> RouteSchedule:
    """Times, loads, distance and cost of ``route``, and the constraints it breaks.

    Parameters
    ----------
    problem
        The instance the route belongs to.
    route
        The vehicle type and visit sequence; ``route.departure_h`` is ignored
        (the departure is recomputed as the latest that does not lengthen
        the route).

    Returns
    -------
    RouteSchedule
        ``violations`` lists, in words, every capacity, time-window, shift,
        facility or reachability constraint the route breaks (empty when
        feasible).

    Raises
    ------
    IndexError
        If a visit index is out of range.
    """
    vt = problem.vehicle_types[route.vehicle_type]
    rows, ret0, waits, slack = _forward(problem, route, 0.0)
    # Push the departure forward by the total waiting, but no further than the
    # tightest time window allows: delta_i = waits before and at i + slack_i.
    limit = math.inf
    cumulative = 0.0
    for wait, sl in zip(waits, slack, strict=True):
        cumulative += wait
        limit = min(limit, cumulative + sl)
    delta = max(0.0, min(cumulative, limit))
    if delta > 0:
        rows, ret, waits, slack = _forward(problem, route, delta)
    else:
        ret = ret0
    violations: list[str] = []
    allowed = set(problem.facilities_of(route.vehicle_type))
    stops: list[ScheduledStop] = []
    load_t = load_m3 = peak_t = peak_m3 = 0.0
    km = 0.0
    prev = rows[0][2]
    for kind, index, loc, arrive, start, end in rows:
        km += float(problem.distance_km[prev, loc])
        if math.isinf(problem.distance_km[prev, loc]):
            violations.append(f"no road from {problem.location_ids[prev]} to {problem.location_ids[loc]}")
        prev = loc
        got_t = got_m3 = 0.0
        if kind == "client":
            client = problem.clients[index]
            got_t, got_m3 = client.demand_t, client.demand_m3
            load_t += got_t
            load_m3 += got_m3
            if start > client.tw_late_h + TIME_TOL_PER_ARC_H * len(rows):
                violations.append(f"client {client.client_id}: service starts at {start:.3f} h, "
                                  f"after its window closes at {client.tw_late_h:.3f} h")
        elif kind == "unload":
            if index not in allowed:
                violations.append(f"vehicle type {vt.name} may not unload at "
                                  f"{problem.unload_facilities[index].facility_id}")
            load_t = load_m3 = 0.0
        elif kind == "break":
            brk = vt.breaks[index]
            if start > brk.latest_h + TIME_TOL_PER_ARC_H * len(rows):
                violations.append(f"break starts at {start:.3f} h, after its latest start {brk.latest_h:.3f} h")
        peak_t, peak_m3 = max(peak_t, load_t), max(peak_m3, load_m3)
        if load_t > vt.capacity_t + LOAD_TOL:
            violations.append(f"load {load_t:.3f} t after {problem.location_ids[loc]} exceeds "
                              f"capacity {vt.capacity_t:.3f} t of {vt.name}")
        if load_m3 > vt.capacity_m3 + LOAD_TOL:
            violations.append(f"load {load_m3:.3f} m³ after {problem.location_ids[loc]} exceeds "
                              f"capacity {vt.capacity_m3:.3f} m³ of {vt.name}")
        stops.append(ScheduledStop(kind, index, loc, arrive, start, end, load_t, load_m3, got_t, got_m3))
    departure = rows[0][3]
    duration = ret - departure
    tol = TIME_TOL_PER_ARC_H * len(rows)
    if ret > vt.shift_h + tol:
        violations.append(f"route returns at {ret:.3f} h, after the shift ends at {vt.shift_h:.3f} h")
    if vt.max_unloads is not None and route.num_unloads > vt.max_unloads:
        violations.append(f"{route.num_unloads} unloads, more than max_unloads {vt.max_unloads}")
    used = [v.index for v in route.visits if v.kind == "break"]
    if len(used) != len(set(used)):
        violations.append(f"breaks taken {sorted(used)}: a break is taken twice")
    for b, brk in enumerate(vt.breaks):
        if b not in used and ret > brk.latest_h + tol:
            violations.append(f"break {b} ({brk.duration_h:.2f} h, start by {brk.latest_h:.2f} h) not "
                              f"taken although the route lasts until {ret:.3f} h")
    return RouteSchedule(tuple(stops), departure, ret, km, duration, vt.fixed_cost_cny,
                         km * vt.cost_per_km_cny, duration * vt.cost_per_h_cny, peak_t, peak_m3,
                         tuple(violations))
