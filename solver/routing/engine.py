"""Solve a ``RoutingProblem`` with one of two backends behind one interface.

``solve_routing_problem(problem, *, backend="auto", time_limit_s, seed)``
first sets aside every client no vehicle could serve even alone (demand
above every capacity, no road, a window it cannot reach, a round trip longer
than the shift) and reports it with the reason; it then hands the rest to a
backend and maps the answer back:

* ``"pyvrp"``: PyVRP's iterated local search with native reload depots
  (``solver.routing.pyvrp_backend``). Default for every problem without breaks: at
  2 s per CVRPLIB A/B/P instance it is ~0.0 % above the optimum on average
  against OR-Tools GLS's 1.75 %, and it reloads natively.
* ``"ortools"``: OR-Tools routing with guided local search
  (``solver.routing.ortools_backend``), unload copies per vehicle; chosen by
  ``"auto"`` when any vehicle type has driver breaks (PyVRP has none).

The model and its formulation are in ``solver.routing.problem``; float
schedules and costs are recomputed by ``solver.routing.schedule``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from network.errors import InfeasibleError, InputError, SolverError
from solver.routing.problem import RoutingClient, RoutingProblem
from solver.routing.schedule import schedule_route
from solver.routing.solution import RoutingProgress, RoutingRoute, RoutingSolution, UnservedClient, Visit

log = logging.getLogger("huishou.routing")

BACKENDS = ("auto", "pyvrp", "ortools")


def choose_backend(problem: RoutingProblem, backend: str = "auto") -> str:
    """The backend ``"auto"`` resolves to for ``problem``: ``ortools`` with breaks, else ``pyvrp``.

    Raises
    ------
    InputError
        If ``backend`` is not one of ``auto``, ``pyvrp``, ``ortools``.
    """
    if backend not in BACKENDS:
        raise InputError(f"routing backend: expected one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend != "auto":
        return backend
    return "ortools" if problem.has_breaks else "pyvrp"


def _why_unservable(problem: RoutingProblem, client: RoutingClient) -> str | None:
    """The reason no single vehicle can serve ``client``, or None if one can."""
    reasons: list[tuple[int, str]] = []
    for vt in problem.vehicle_types:
        if vt.count <= 0:
            continue
        if client.demand_t > vt.capacity_t + 1e-9 or client.demand_m3 > vt.capacity_m3 + 1e-9:
            reasons.append((0, "demand exceeds every vehicle's capacity 需求超过所有车型容量 "
                               f"({client.demand_t:.3f} t / {client.demand_m3:.2f} m³; largest vehicle "
                               f"{max(v.capacity_t for v in problem.vehicle_types if v.count > 0):.3f} t)"))
            continue
        start = problem.depots[vt.start_depot].location
        end = problem.depots[vt.end_depot].location
        if math.isinf(problem.distance_km[start, client.location]) or math.isinf(
                problem.distance_km[client.location, end]):
            reasons.append((1, "no road from the depot 无可达道路"))
            continue
        arrive = problem.duration_h[start, client.location]
        begin = max(arrive, client.tw_early_h)
        if begin > client.tw_late_h + 1e-9:
            reasons.append((2, f"cannot arrive before its time window closes 无法在时间窗内到达 "
                               f"(earliest arrival {arrive:.2f} h, window closes {client.tw_late_h:.2f} h)"))
            continue
        back = begin + client.service_h + problem.duration_h[client.location, end]
        if back > vt.shift_h + 1e-9:
            reasons.append((3, f"a round trip takes longer than the shift 往返超过班次时长 "
                               f"({back:.2f} h > {vt.shift_h:.2f} h)"))
            continue
        return None
    if not reasons:
        return "no vehicle available 无可用车辆"
    return max(reasons)[1]


def _run_backend(name: str, problem: RoutingProblem, *, time_limit_s: float, seed: int,
                 on_progress: Callable[[RoutingProgress], None] | None) -> RoutingSolution:
    if name == "pyvrp":
        from solver.routing.pyvrp_backend import solve_pyvrp

        return solve_pyvrp(problem, time_limit_s=time_limit_s, seed=seed, on_progress=on_progress)
    from solver.routing.ortools_backend import solve_ortools

    return solve_ortools(problem, time_limit_s=time_limit_s, seed=seed, on_progress=on_progress)


def solve_routing_problem(problem: RoutingProblem, *, backend: str = "auto", time_limit_s: float = 5.0,
                          seed: int = 0,
                          on_progress: Callable[[RoutingProgress], None] | None = None) -> RoutingSolution:
    """Route ``problem``'s vehicles over its clients.

    Parameters
    ----------
    problem
        The instance (floats: km, h, t, m³, CNY).
    backend
        ``"auto"`` (PyVRP, or OR-Tools when there are breaks), ``"pyvrp"``
        or ``"ortools"``.
    time_limit_s
        Search time limit in seconds (wall clock).
    seed
        Random seed; the same seed and instance give the same answer when the
        time limit is not binding for the search's outcome.
    on_progress
        Called with a ``RoutingProgress`` on each new best solution.

    Returns
    -------
    RoutingSolution
        Routes over the original client indices, unserved clients with reasons.

    Raises
    ------
    InputError
        On an unknown backend or a non-positive time limit.
    InfeasibleError
        If the backend finds no solution visiting every required client.
    SolverError
        If the backend fails, or returns routes that break a constraint.
    """
    if not time_limit_s > 0:
        raise InputError(f"routing time_limit_s: expected a positive number of seconds, got {time_limit_s!r}")
    name = choose_backend(problem, backend)
    start = time.perf_counter()
    unserved: list[UnservedClient] = []
    keep: list[int] = []
    for i, client in enumerate(problem.clients):
        reason = _why_unservable(problem, client)
        if reason is None:
            keep.append(i)
        else:
            unserved.append(UnservedClient(i, reason))
    if not keep:
        return RoutingSolution((), tuple(unserved), 0.0, name, "feasible", time.perf_counter() - start,
                               {"clients": 0})
    sub = problem if len(keep) == len(problem.clients) else RoutingProblem(
        problem.name, problem.location_ids, problem.distance_km, problem.duration_h, problem.depots,
        tuple(problem.clients[i] for i in keep), problem.vehicle_types, problem.unload_facilities,
        problem.meta)
    solution = _run_backend(name, sub, time_limit_s=time_limit_s, seed=seed, on_progress=on_progress)
    routes = tuple(RoutingRoute(r.vehicle_type, tuple(
        Visit(v.kind, keep[v.index], v.start_h) if v.kind == "client" else v for v in r.visits),
        r.departure_h) for r in solution.routes)
    visited = [v.index for r in routes for v in r.visits if v.kind == "client"]
    if len(visited) != len(set(visited)):
        raise SolverError(f"{problem.name}: backend {name} visited a client twice")
    missing_required = [problem.clients[i].client_id for i in keep
                        if problem.clients[i].required and i not in set(visited)]
    if solution.status == "infeasible" or missing_required:
        raise InfeasibleError(
            f"{problem.name}: no feasible routes found by {name} in {time_limit_s:g} s "
            f"({len(missing_required)} required points unvisited: {', '.join(missing_required[:10])}); "
            "add vehicles, lengthen the shift, make points optional or raise the time limit")
    for k, route in enumerate(routes):
        violations = schedule_route(problem, route).violations
        if violations:
            raise SolverError(f"{problem.name}: backend {name} returned route {k} that breaks "
                              f"constraints: {'; '.join(violations)}")
    seen = set(visited)
    for i in keep:
        if i not in seen:
            c = problem.clients[i]
            unserved.append(UnservedClient(i, (
                "skipped: no vehicle/shift time left or serving costs more than the skip penalty "
                f"({c.penalty_cny:,.0f} CNY) 车辆或班次时间不足，或服务成本高于跳过罚金")))
    unserved.sort(key=lambda u: u.client)
    log.info("%s: %s, %d routes, objective %.2f CNY, %.2f s", problem.name, name, len(routes),
             solution.objective_cny, time.perf_counter() - start)
    return RoutingSolution(routes, tuple(unserved), solution.objective_cny, name, solution.status,
                           time.perf_counter() - start, dict(solution.stats))
