"""OR-Tools routing backend: guided local search, unload copies, breaks.

Mapping of the ``RoutingProblem`` onto ``pywrapcp.RoutingModel`` (Perron &
Furnon, OR-Tools routing library; multi-trip via intermediate facilities as
in the OR-Tools ``cvrp_reload`` example and Crevier, Cordeau & Laporte 2007):

* nodes: the depots, the clients, and for every unload facility a pool of
  ``P`` optional *copies* (disjunctions with penalty 0), each allowed only
  for the vehicles whose type may unload there. ``P`` is the vehicle type's
  ``max_unloads`` summed over vehicles, or, without one,
  ``min(clients, 2·⌈Σ demand / smallest capacity⌉ + 1)``: whatever the visit
  order, unloading only when the next client does not fit needs at most
  ``2·⌈Σq/Q⌉`` trips, so the pool never binds a sensible solution;
* load (t, and m³ when any client has volume): a capacity dimension per
  quantity (vehicle capacities per vehicle) whose transit is the demand at a
  client and ``−Q_max`` (the largest capacity) at an unload copy, with slack
  ``[0, Q_max]`` allowed only at unload copies (slack fixed to 0 elsewhere),
  so the load after an unload can drop to 0 and never below (the known
  pitfall — slack left free at clients lets the load "vanish" anywhere — is
  avoided by fixing it, and the tests check that reloads happen when they
  must). One transit callback serves all vehicles: with per-vehicle
  transit callbacks OR-Tools 9.15's local search never drops an optional
  visit (found by a test here);
* time: transit = service (or unload) time at the origin + travel time,
  waiting as slack; vehicle start in ``[0, shift]``, end ≤ shift; client
  windows on the cumul; span cost = cost per second; the finalizer departs
  as late and returns as early as possible;
* driver breaks: fixed-duration intervals per vehicle with
  ``SetBreakIntervalsOfVehicle`` (breaks never overlap a service), not
  before the vehicle departs;
* costs: arc cost per vehicle type = cost per metre × metres,
  ``SetFixedCostOfVehicle``, optional clients as disjunctions with their
  skip penalty; required clients must be visited.

Search (tuned on the CVRPLIB A/B/P sets and the station instances):
``PATH_CHEAPEST_ARC`` first solution without unload facilities,
``PARALLEL_CHEAPEST_INSERTION`` with them (it inserts the optional unload
copies where loads need them); then ``GUIDED_LOCAL_SEARCH`` with the
default λ = 0.1 until the time limit. OR-Tools' routing search is
deterministic, so ``seed`` is recorded but has no effect. Ctrl-C stops the
search through a custom limit and returns the best solution so far.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from network.errors import SolverError
from solver.routing.common import catch_interrupt, int_matrices, unit_costs
from solver.routing.problem import RoutingProblem
from solver.routing.solution import RoutingProgress, RoutingRoute, RoutingSolution, Visit
from solver.routing.units import (
    COST_SCALE,
    INT_INF,
    LOAD_SCALE,
    TIME_SCALE,
    to_units,
    to_units_down,
    to_units_up,
)

#: Objective units (1e-5 CNY) charged per unload visit, so that the search never
#: keeps pointless unload copies when they cost nothing else (same location,
#: no time cost); far below the cost tolerance of the checker.
UNLOAD_VISIT_COST = 1


def _unload_pool_size(problem: RoutingProblem, vehicles: list[int]) -> int:
    caps = [problem.vehicle_types[k] for k in set(vehicles)]
    if all(vt.max_unloads is not None for vt in caps):
        return sum(problem.vehicle_types[k].max_unloads or 0 for k in vehicles)
    total_t = sum(c.demand_t for c in problem.clients)
    total_m3 = sum(c.demand_m3 for c in problem.clients)
    trips = max(math.ceil(total_t / min(vt.capacity_t for vt in caps) - 1e-9),
                0 if math.isinf(min(vt.capacity_m3 for vt in caps))
                else math.ceil(total_m3 / min(vt.capacity_m3 for vt in caps) - 1e-9))
    return min(len(problem.clients), 2 * trips + 1)


def solve_ortools(problem: RoutingProblem, *, time_limit_s: float, seed: int = 0,
                  on_progress: Callable[[RoutingProgress], None] | None = None,
                  metaheuristic: str = "GUIDED_LOCAL_SEARCH",
                  first_solution: str | None = None) -> RoutingSolution:
    """Solve ``problem`` with OR-Tools routing within ``time_limit_s`` seconds.

    ``metaheuristic`` and ``first_solution`` name members of OR-Tools'
    ``LocalSearchMetaheuristic`` and ``FirstSolutionStrategy`` enums
    (``first_solution=None`` picks as described in the module docstring;
    ``metaheuristic="GREEDY_DESCENT"`` with a tiny limit gives "defaults,
    first solution only" for the benchmark reference).

    Returns
    -------
    RoutingSolution
        ``status`` ``time_limit``, ``interrupted`` or ``infeasible`` (no
        solution found; ``routes`` empty).

    Raises
    ------
    SolverError
        If no vehicle is available or OR-Tools rejects the model.
    """
    start_clock = time.perf_counter()
    vehicles = [k for k, vt in enumerate(problem.vehicle_types)
                for _ in range(min(vt.count, max(1, len(problem.clients))))]
    if not vehicles:
        raise SolverError(f"{problem.name}: no vehicle available (every vehicle type has count 0)")
    dist_m, dur_s = int_matrices(problem)
    nd, nc = len(problem.depots), len(problem.clients)
    node_loc = [d.location for d in problem.depots] + [c.location for c in problem.clients]
    node_service = [0] * nd + [to_units(c.service_h, TIME_SCALE) for c in problem.clients]
    copy_facility: list[int] = []
    pool = _unload_pool_size(problem, vehicles)
    for f, facility in enumerate(problem.unload_facilities):
        if not any(f in problem.facilities_of(k) for k in set(vehicles)):
            continue
        for _ in range(pool):
            copy_facility.append(f)
            node_loc.append(facility.location)
            node_service.append(to_units(facility.unload_h, TIME_SCALE))
    n = len(node_loc)
    starts = [problem.vehicle_types[k].start_depot for k in vehicles]
    ends = [problem.vehicle_types[k].end_depot for k in vehicles]
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()
    locs = node_loc

    # Arc costs per vehicle type, fixed costs.
    cost_cb: dict[int, int] = {}
    for k in sorted(set(vehicles)):
        _, per_m, _ = unit_costs(problem.vehicle_types[k])
        sub = dist_m[locs][:, locs] * per_m
        sub[:, nd + nc:] += UNLOAD_VISIT_COST  # an unload that empties nothing is never free
        cost_cb[k] = routing.RegisterTransitMatrix(sub.tolist())
    for v, k in enumerate(vehicles):
        fixed, _, _ = unit_costs(problem.vehicle_types[k])
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[k], v)
        routing.SetFixedCostOfVehicle(fixed, v)

    # Loads (t, m³) with resets at unload copies.
    def add_load(name: str, amounts: list[int], caps: dict[int, int]) -> pywrapcp.RoutingDimension:
        # One callback for all vehicles: an unload copy's transit is minus the
        # largest capacity and its slack in [0, largest capacity] lands the load
        # anywhere in [0, load], so it empties every vehicle type. (Per-vehicle
        # transit callbacks would be the direct model, but on OR-Tools 9.15 they
        # stop the search from ever dropping an optional visit; see docs/routing.md.)
        biggest = max(caps.values())
        vector = [0] * nd + amounts + [-biggest] * len(copy_facility)
        fix_zero = True  # loads start at 0
        routing.AddDimensionWithVehicleCapacity(routing.RegisterUnaryTransitVector(vector), biggest,
                                                [caps[k] for k in vehicles], fix_zero, name)
        dim = routing.GetDimensionOrDie(name)
        for node in range(nd, nd + nc):
            dim.SlackVar(manager.NodeToIndex(node)).SetValue(0)
        for v in range(len(vehicles)):
            dim.SlackVar(routing.Start(v)).SetValue(0)
        return dim

    caps_t = {k: to_units_down(problem.vehicle_types[k].capacity_t, LOAD_SCALE) for k in set(vehicles)}
    load_dims = [add_load("load_t", [to_units_up(c.demand_t, LOAD_SCALE) for c in problem.clients], caps_t)]
    if any(c.demand_m3 > 0 for c in problem.clients):
        caps_m3 = {k: min(INT_INF // 4, to_units_down(problem.vehicle_types[k].capacity_m3, LOAD_SCALE))
                   for k in set(vehicles)}
        load_dims.append(add_load("load_m3", [to_units_up(c.demand_m3, LOAD_SCALE)
                                              for c in problem.clients], caps_m3))

    # Time.
    time_matters = (problem.has_time_windows or problem.has_breaks
                    or any(math.isfinite(problem.vehicle_types[k].shift_h)
                           or problem.vehicle_types[k].cost_per_h_cny > 0 for k in vehicles))
    time_dim = None
    if time_matters:
        finite = dur_s[dur_s < 10**7]
        horizon = max([to_units_down(problem.vehicle_types[k].shift_h, TIME_SCALE) for k in vehicles
                       if math.isfinite(problem.vehicle_types[k].shift_h)]
                      or [sum(node_service) + (n + 1) * int(finite.max(initial=0))
                          + max([to_units_up(c.tw_early_h, TIME_SCALE) for c in problem.clients] or [0])])
        transit = (dur_s[locs][:, locs] + [[s] for s in node_service]).tolist()
        time_cb = routing.RegisterTransitMatrix(transit)
        fix_zero = False  # departures may be later than 0
        routing.AddDimension(time_cb, horizon, horizon, fix_zero, "time")
        time_dim = routing.GetDimensionOrDie("time")
        for node, client in enumerate(problem.clients, start=nd):
            index = manager.NodeToIndex(node)
            time_dim.CumulVar(index).SetRange(min(horizon, to_units_up(client.tw_early_h, TIME_SCALE)),
                                              min(horizon, to_units_down(client.tw_late_h, TIME_SCALE)))
        for v, k in enumerate(vehicles):
            vt = problem.vehicle_types[k]
            shift = min(horizon, to_units_down(vt.shift_h, TIME_SCALE))
            time_dim.CumulVar(routing.Start(v)).SetRange(0, shift)
            time_dim.CumulVar(routing.End(v)).SetMax(shift)
            time_dim.SetSpanCostCoefficientForVehicle(unit_costs(vt)[2], v)
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        if problem.has_breaks:
            visit_transits = [node_service[manager.IndexToNode(i)] for i in range(routing.Size())]
            for v, k in enumerate(vehicles):
                intervals = []
                optional = False
                for b, brk in enumerate(problem.vehicle_types[k].breaks):
                    iv = solver.FixedDurationIntervalVar(
                        to_units_up(brk.earliest_h, TIME_SCALE), to_units_down(brk.latest_h, TIME_SCALE),
                        to_units_up(brk.duration_h, TIME_SCALE), optional, f"break_{v}_{b}")
                    solver.Add(iv.StartExpr() >= time_dim.CumulVar(routing.Start(v)))
                    intervals.append(iv)
                if intervals:
                    time_dim.SetBreakIntervalsOfVehicle(intervals, v, visit_transits)

    # Optional visits.
    for node, client in enumerate(problem.clients, start=nd):
        if not client.required:
            routing.AddDisjunction([manager.NodeToIndex(node)], to_units(client.penalty_cny, COST_SCALE))
    for j, f in enumerate(copy_facility):
        index = manager.NodeToIndex(nd + nc + j)
        routing.AddDisjunction([index], 0)
        allowed = [v for v, k in enumerate(vehicles) if f in problem.facilities_of(k)]
        if len(allowed) < len(vehicles):
            routing.VehicleVar(index).SetValues([-1, *allowed])

    params = pywrapcp.DefaultRoutingSearchParameters()
    strategy = first_solution or ("PARALLEL_CHEAPEST_INSERTION" if copy_facility else "PATH_CHEAPEST_ARC")
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))

    with catch_interrupt() as flag:
        routing.AddSearchMonitor(solver.CustomLimit(lambda: flag.is_set))
        best = [math.inf]

        def at_solution() -> None:
            value = routing.CostVar().Value()
            if value < best[0]:
                best[0] = value
                if on_progress is not None:
                    on_progress(RoutingProgress(problem.name, time.perf_counter() - start_clock,
                                                value / COST_SCALE, "ortools: new best"))

        routing.AddAtSolutionCallback(at_solution)
        try:
            assignment = routing.SolveWithParameters(params)
        except Exception as exc:  # OR-Tools errors never leak
            raise SolverError(f"{problem.name}: OR-Tools failed: {exc}") from None
        interrupted = flag.is_set
    if assignment is None:
        return RoutingSolution((), (), math.inf, "ortools", "interrupted" if interrupted else "infeasible",
                               time.perf_counter() - start_clock, {"seed": seed, "status": int(routing.status())})
    breaks_by_vehicle: dict[int, list[tuple[int, int]]] = {}
    if time_dim is not None and problem.has_breaks:
        container = assignment.IntervalVarContainer()
        for i in range(container.Size()):
            element = container.Element(i)
            name = element.Var().Name()
            if name.startswith("break_") and element.PerformedValue():
                _, v, b = name.split("_")
                breaks_by_vehicle.setdefault(int(v), []).append((element.StartValue(), int(b)))
    routes = []
    for v, k in enumerate(vehicles):
        index = routing.Start(v)
        if routing.IsEnd(assignment.Value(routing.NextVar(index))):
            continue
        departure = assignment.Value(time_dim.CumulVar(index)) if time_dim is not None else 0
        stops: list[tuple[int, int, Visit]] = []  # (start time, order, visit)
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            t = assignment.Value(time_dim.CumulVar(index)) if time_dim is not None else 0
            visit = (Visit("client", node - nd, t / TIME_SCALE) if node < nd + nc
                     else Visit("unload", copy_facility[node - nd - nc], t / TIME_SCALE))
            stops.append((t, len(stops), visit))
            index = assignment.Value(routing.NextVar(index))
        end_t = assignment.Value(time_dim.CumulVar(index)) if time_dim is not None else 0
        visits = [s[2] for s in stops]
        # A break goes after the last stop whose service ends by the break's start.
        for b_start, b in sorted(breaks_by_vehicle.get(v, [])):
            if b_start >= end_t:
                continue
            pos = 0
            for i, visit in enumerate(visits):
                if visit.kind == "break":
                    continue
                s = visit.start_h * TIME_SCALE if visit.start_h is not None else 0
                service = node_service[nd + visit.index] if visit.kind == "client" else to_units(
                    problem.unload_facilities[visit.index].unload_h, TIME_SCALE)
                if s + service <= b_start:
                    pos = i + 1
            visits.insert(pos, Visit("break", b, b_start / TIME_SCALE))
        routes.append(RoutingRoute(k, tuple(visits), departure / TIME_SCALE))
    status = "interrupted" if interrupted else "time_limit"
    return RoutingSolution(tuple(routes), (), assignment.ObjectiveValue() / COST_SCALE, "ortools", status,
                           time.perf_counter() - start_clock,
                           {"seed": seed, "status": int(routing.status()), "unload_copies": len(copy_facility),
                            "first_solution": strategy, "metaheuristic": metaheuristic})
