"""Independent checker of collection routes: recompute everything, trust nothing.

A routing backend returns visit sequences and an objective; this module
recomputes, from the instance and the sequences alone, whether every
constraint of the multi-trip vehicle routing problem with intermediate
facilities and time windows (MT-VRP-IF, Crevier, Cordeau & Laporte 2007,
"The multi-depot vehicle routing problem with inter-depot routes", EJOR
176(2): 756-773) holds, and what the routes cost. It shares no code with the
backends or with ``solver.routing.engine`` / ``solver.routing.schedule``: it reads
only the problem and solution *types* of ``solver.routing.problem``.

What a route r of vehicle type k must satisfy (floats, hours from shift start):

* load: the tonnes and m³ collected since the start or the last unload
  never exceed ``capacity_t`` / ``capacity_m3`` of k; the vehicle leaves the
  depot empty and an unload (at a facility k may use) empties it;
* time: with departure d ≥ 0, arrival a_i = end_{i−1} + τ(i−1, i), service
  start s_i = max(a_i, early_i) ≤ late_i, end_i = s_i + service_i (unload:
  the facility's ``unload_h``; break: its duration, started in its window);
  return R = end_last + τ(last, depot) ≤ ``shift_h`` and R − d ≤ ``shift_h``;
* fleet: at most ``count`` routes of type k, at most ``max_unloads`` unloads;
* coverage: each client visited at most once; a required client is visited
  unless it is reported unserved *and* no vehicle could serve it even alone
  (round trip within capacity, reach, window and shift); an optional client
  not visited is reported unserved with a reason;
* cost: Σ_r [fixed_k + c_km,k · km(r) + c_h,k · (R − d)] + Σ penalties of the
  optional clients skipped although servable, equal to the reported
  objective within the integer-scaling tolerance of ``solver.routing.units``.

Where the solution gives no departure, the checker uses the departure that
makes the route shortest (the latest start that adds no waiting and breaks
no window, Savelsbergh 1992, "The vehicle routing problem with time windows:
minimizing route duration", ORSA J. Computing 4(2): 146-154); it derives it
in closed form: every service start is max(d + a⁰_i, c_i), so the waiting
W = R(0) − (travel + service) can be absorbed up to min_i(late_i − a⁰_i).
Feasibility does not depend on that choice (d = 0 is the most permissive).

``check_routing_solution`` returns a list of violations in words, each
naming the route, the stop and the numbers; an empty list means clean.
``solver.check.route_plan.check_route_plan`` does the same for a routes
``Plan``, from the scenario and the network plan.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from solver.routing.problem import RoutingProblem
from solver.routing.solution import RoutingRoute, RoutingSolution

#: Load tolerance (t and m³): loads are rounded up to kg / litres inside the backends.
LOAD_TOL = 1e-6
#: Time tolerance per arc or stop, hours: half a second of rounding each, plus float noise.
TIME_TOL_H = 0.5 / 3600 + 1e-9
#: Cost tolerance, CNY: the backends round unit costs to 1e-5 CNY per metre and per
#: second (≤ 0.005 CNY/km, ≤ 0.018 CNY/h off) and each arc to 0.5 m and 0.5 s.
COST_TOL_PER_KM = 0.005
COST_TOL_PER_H = 0.018
COST_ABS_TOL = 0.01


@dataclass(frozen=True, slots=True)
class RouteFigures:
    """What the checker recomputed for one route (km, h, CNY, t, m³)."""

    departure_h: float
    return_h: float
    distance_km: float
    duration_h: float
    cost_cny: float
    peak_load_t: float
    peak_load_m3: float
    collected_t: float
    unloads: int


def _label(problem: RoutingProblem, r: int, route: RoutingRoute) -> str:
    name = (problem.vehicle_types[route.vehicle_type].name
            if 0 <= route.vehicle_type < len(problem.vehicle_types) else f"type #{route.vehicle_type}")
    return f"{problem.name} route {r} ({name})"


def _walk(problem: RoutingProblem, route: RoutingRoute, departure_h: float) -> tuple[
        list[tuple[str, int, int, float, float, float]], float]:
    """Forward pass from ``departure_h``: (kind, index, location, arrival, start, end) per visit, return."""
    vt = problem.vehicle_types[route.vehicle_type]
    here = problem.depots[vt.start_depot].location
    t = departure_h
    rows = []
    for visit in route.visits:
        if visit.kind == "client":
            c = problem.clients[visit.index]
            arrival = t + float(problem.duration_h[here, c.location])
            start = max(arrival, c.tw_early_h)
            here, t = c.location, start + c.service_h
        elif visit.kind == "unload":
            f = problem.unload_facilities[visit.index]
            arrival = t + float(problem.duration_h[here, f.location])
            start = arrival
            here, t = f.location, start + f.unload_h
        else:
            b = vt.breaks[visit.index]
            arrival, start = t, max(t, b.earliest_h)
            t = start + b.duration_h
        rows.append((visit.kind, visit.index, here, arrival, start, t))
    back = t + float(problem.duration_h[here, problem.depots[vt.end_depot].location])
    return rows, back


def _shortest_departure(problem: RoutingProblem, route: RoutingRoute) -> float:
    """The departure that minimises the route's duration without breaking a window (closed form)."""
    vt = problem.vehicle_types[route.vehicle_type]
    rows, back0 = _walk(problem, route, 0.0)
    no_wait = 0.0  # a⁰: time from departure to here if nothing ever waited
    here = problem.depots[vt.start_depot].location
    room = math.inf
    for visit, (_kind, _index, loc, _arr, _start, _end) in zip(route.visits, rows, strict=True):
        if visit.kind == "client":
            c = problem.clients[visit.index]
            no_wait += float(problem.duration_h[here, loc])
            room = min(room, c.tw_late_h - no_wait)
            no_wait += c.service_h
        elif visit.kind == "unload":
            no_wait += float(problem.duration_h[here, loc]) + problem.unload_facilities[visit.index].unload_h
        else:
            b = vt.breaks[visit.index]
            room = min(room, b.latest_h - no_wait)
            no_wait += b.duration_h
        here = loc
    no_wait += float(problem.duration_h[here, problem.depots[vt.end_depot].location])
    waiting = back0 - no_wait
    return max(0.0, min(waiting, room)) if math.isfinite(waiting) else 0.0


def route_figures(problem: RoutingProblem, route: RoutingRoute) -> RouteFigures:
    """Recompute one route's times, distance, cost and loads (no judging).

    The departure is ``route.departure_h`` when given, else the one that
    makes the route shortest.

    Raises
    ------
    IndexError
        If a vehicle type or visit index is out of range (``check_routing_solution``
        reports those instead of raising).
    """
    vt = problem.vehicle_types[route.vehicle_type]
    dep = route.departure_h if route.departure_h is not None else _shortest_departure(problem, route)
    rows, back = _walk(problem, route, dep)
    here = problem.depots[vt.start_depot].location
    km = 0.0
    load_t = load_m3 = peak_t = peak_m3 = got = 0.0
    for kind, index, loc, *_ in rows:
        km += float(problem.distance_km[here, loc])
        here = loc
        if kind == "client":
            c = problem.clients[index]
            load_t += c.demand_t
            load_m3 += c.demand_m3
            got += c.demand_t
        elif kind == "unload":
            load_t = load_m3 = 0.0
        peak_t, peak_m3 = max(peak_t, load_t), max(peak_m3, load_m3)
    km += float(problem.distance_km[here, problem.depots[vt.end_depot].location])
    duration = back - dep
    cost = vt.fixed_cost_cny + vt.cost_per_km_cny * km + vt.cost_per_h_cny * duration
    return RouteFigures(dep, back, km, duration, cost, peak_t, peak_m3, got, route.num_unloads)


def _structure_problems(problem: RoutingProblem, r: int, route: RoutingRoute) -> list[str]:
    """Indices out of range: reported, and the route is not checked further."""
    label = _label(problem, r, route)
    if not 0 <= route.vehicle_type < len(problem.vehicle_types):
        return [f"{label}: vehicle type index {route.vehicle_type} out of range 0.."
                f"{len(problem.vehicle_types) - 1}"]
    vt = problem.vehicle_types[route.vehicle_type]
    sizes = {"client": len(problem.clients), "unload": len(problem.unload_facilities), "break": len(vt.breaks)}
    out = []
    for s, visit in enumerate(route.visits, start=1):
        if visit.kind not in sizes:
            out.append(f"{label}, stop {s}: unknown visit kind {visit.kind!r}")
        elif not 0 <= visit.index < sizes[visit.kind]:
            out.append(f"{label}, stop {s}: {visit.kind} index {visit.index} out of range "
                       f"(there are {sizes[visit.kind]})")
    return out


def _route_problems(problem: RoutingProblem, r: int, route: RoutingRoute) -> list[str]:
    """Load, time, reach, facility and break violations of one (well-formed) route."""
    label = _label(problem, r, route)
    vt = problem.vehicle_types[route.vehicle_type]
    out: list[str] = []
    dep = route.departure_h if route.departure_h is not None else 0.0
    if dep < -TIME_TOL_H:
        out.append(f"{label}: departs at {dep:.3f} h, before the shift starts (0 h)")
    rows, back = _walk(problem, route, dep)
    tol = TIME_TOL_H * (len(rows) + 1)
    allowed = set(problem.facilities_of(route.vehicle_type))
    ids = problem.location_ids
    here = problem.depots[vt.start_depot].location
    load_t = load_m3 = 0.0
    for s, (kind, index, loc, _arrival, start, _end) in enumerate(rows, start=1):
        where = f"{label}, stop {s}"
        if math.isinf(problem.distance_km[here, loc]) or math.isinf(problem.duration_h[here, loc]):
            out.append(f"{where}: no road from {ids[here]} to {ids[loc]}")
        here = loc
        if kind == "client":
            c = problem.clients[index]
            where += f" client {c.client_id}"
            load_t += c.demand_t
            load_m3 += c.demand_m3
            if start > c.tw_late_h + tol:
                out.append(f"{where}: service starts at {start:.3f} h, after its window "
                           f"[{c.tw_early_h:.3f}, {c.tw_late_h:.3f}] h closes")
            if load_t > vt.capacity_t + LOAD_TOL:
                out.append(f"{where}: load {load_t:.3f} t since the last unload exceeds the "
                           f"capacity {vt.capacity_t:.3f} t of {vt.name}")
            if load_m3 > vt.capacity_m3 + LOAD_TOL:
                out.append(f"{where}: load {load_m3:.3f} m³ since the last unload exceeds the "
                           f"capacity {vt.capacity_m3:.3f} m³ of {vt.name}")
        elif kind == "unload":
            f = problem.unload_facilities[index]
            if index not in allowed:
                out.append(f"{where}: {vt.name} may not unload at {f.facility_id}")
            load_t = load_m3 = 0.0
        else:
            b = vt.breaks[index]
            if start > b.latest_h + tol:
                out.append(f"{where}: break starts at {start:.3f} h, after its latest start "
                           f"{b.latest_h:.3f} h")
    end = problem.depots[vt.end_depot].location
    if math.isinf(problem.distance_km[here, end]) or math.isinf(problem.duration_h[here, end]):
        out.append(f"{label}, return: no road from {ids[here]} to {ids[end]}")
    if back > vt.shift_h + tol:
        out.append(f"{label}: returns at {back:.3f} h, after the {vt.shift_h:.3f} h shift ends")
    elif back - dep > vt.shift_h + tol:
        out.append(f"{label}: lasts {back - dep:.3f} h, longer than the {vt.shift_h:.3f} h shift")
    if vt.max_unloads is not None and route.num_unloads > vt.max_unloads:
        out.append(f"{label}: {route.num_unloads} unloads, more than max_unloads {vt.max_unloads}")
    taken = Counter(v.index for v in route.visits if v.kind == "break")
    for b, brk in enumerate(vt.breaks):
        if taken[b] > 1:
            out.append(f"{label}: break {b} taken {taken[b]} times")
        elif taken[b] == 0 and back > brk.latest_h + tol:
            out.append(f"{label}: break {b} ({brk.duration_h:.2f} h, start by {brk.latest_h:.2f} h) "
                       f"not taken although the route lasts until {back:.3f} h")
    return out


def servable_alone(problem: RoutingProblem, client_index: int) -> bool:
    """Whether some available vehicle type could serve the client on a round trip of its own.

    The trip departs at 0 h from the type's start depot, serves the client
    (waiting for its window) and drives to the end depot; it must fit the
    capacity (t and m³), have roads both ways, start service by the window's
    close and return within the shift.
    """
    c = problem.clients[client_index]
    for vt in problem.vehicle_types:
        if vt.count <= 0 or c.demand_t > vt.capacity_t + LOAD_TOL or c.demand_m3 > vt.capacity_m3 + LOAD_TOL:
            continue
        out_loc = problem.depots[vt.start_depot].location
        end_loc = problem.depots[vt.end_depot].location
        legs = (problem.distance_km[out_loc, c.location], problem.distance_km[c.location, end_loc],
                problem.duration_h[out_loc, c.location], problem.duration_h[c.location, end_loc])
        if any(math.isinf(x) for x in legs):
            continue
        start = max(float(legs[2]), c.tw_early_h)
        if start <= c.tw_late_h + TIME_TOL_H and start + c.service_h + float(legs[3]) <= vt.shift_h + TIME_TOL_H:
            return True
    return False


def check_routing_solution(problem: RoutingProblem, solution: RoutingSolution) -> list[str]:
    """Every constraint ``solution`` breaks on ``problem``, in words; ``[]`` when clean.

    Recomputes, from the problem's matrices and the visit sequences alone,
    each route's load between unloads (t and m³), arrival and service times
    against windows, breaks and the shift, the fleet used per type, the
    coverage of every client (visited once, or reported unserved with a
    reason; required clients only when no vehicle could serve them alone),
    and the objective (CNY).

    Parameters
    ----------
    problem
        The instance.
    solution
        A backend's answer (``solver.routing.engine.solve_routing_problem``).

    Returns
    -------
    list of str
        One line per violation, naming the route (index and vehicle type),
        the stop (1-based position in the route, and the client id) and the
        numbers.

    Raises
    ------
    Nothing on bad solutions: out-of-range indices are reported as violations.
    """
    out: list[str] = []
    if solution.status == "infeasible":
        out.append(f"{problem.name}: solution status is 'infeasible' ({solution.backend})")
    seen: Counter[int] = Counter()
    used: Counter[int] = Counter()
    cost = 0.0
    tol = COST_ABS_TOL
    for r, route in enumerate(solution.routes):
        bad = _structure_problems(problem, r, route)
        out.extend(bad)
        if bad:  # count what can be counted, so coverage does not cascade into more messages
            seen.update(v.index for v in route.visits
                        if v.kind == "client" and 0 <= v.index < len(problem.clients))
            continue
        used[route.vehicle_type] += 1
        seen.update(route.client_indices())
        if not route.client_indices():
            out.append(f"{_label(problem, r, route)}: visits no client")
        out.extend(_route_problems(problem, r, route))
        figures = route_figures(problem, route)
        vt = problem.vehicle_types[route.vehicle_type]
        cost += figures.cost_cny
        tol += (COST_TOL_PER_KM * figures.distance_km + COST_TOL_PER_H * figures.duration_h
                + (len(route.visits) + 1) * (vt.cost_per_km_cny * 0.0005 + vt.cost_per_h_cny * 0.5 / 3600))
    for k, n in sorted(used.items()):
        vt = problem.vehicle_types[k]
        if n > vt.count:
            out.append(f"{problem.name}: {n} routes of vehicle type {vt.name}, only {vt.count} available")
    unserved: dict[int, str] = {}
    for u in solution.unserved:
        if not 0 <= u.client < len(problem.clients):
            out.append(f"{problem.name}: unserved client index {u.client} out of range")
            continue
        cid = problem.clients[u.client].client_id
        if u.client in unserved:
            out.append(f"{problem.name}: client {cid} listed as unserved twice")
        if not u.reason.strip():
            out.append(f"{problem.name}: client {cid} listed as unserved without a reason")
        unserved[u.client] = u.reason
    penalties = 0.0
    for i, c in enumerate(problem.clients):
        if seen[i] > 1:
            out.append(f"{problem.name}: client {c.client_id} visited {seen[i]} times, expected once")
        if seen[i] and i in unserved:
            out.append(f"{problem.name}: client {c.client_id} is visited but also listed as unserved")
        if seen[i]:
            continue
        if i not in unserved:
            out.append(f"{problem.name}: client {c.client_id} ({'required' if c.required else 'optional'}, "
                       f"{c.demand_t:.3f} t) is not visited and not reported unserved")
        elif c.required and servable_alone(problem, i):
            out.append(f"{problem.name}: required client {c.client_id} reported unserved "
                       f"({unserved[i]}) although a vehicle could serve it on a trip of its own")
        elif not c.required and servable_alone(problem, i):
            penalties += c.penalty_cny  # set aside as unservable before the search: no penalty
    expected = cost + penalties
    if math.isfinite(solution.objective_cny):
        if abs(solution.objective_cny - expected) > tol:
            out.append(f"{problem.name}: reported objective {solution.objective_cny:,.2f} CNY, recomputed "
                       f"{expected:,.2f} CNY (routes {cost:,.2f} + skip penalties {penalties:,.2f}); "
                       f"differs by more than {tol:,.2f}")
    elif solution.status != "infeasible":
        out.append(f"{problem.name}: reported objective {solution.objective_cny} is not finite")
    return out
