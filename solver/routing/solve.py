"""``solve_routes``: collection routes from every station of a network plan (收运线路).

For each open transfer station (or sorting centre) of the network plan, its
assigned collection points and mobile-collection villages are routed by the
station's vehicles, which unload at the station whenever full (multi-trip
VRP with intermediate facilities, time windows and optional visits; the
formulation is in ``solver.routing.problem``, the visit-frequency rule in
``solver.routing.stations``). Stations are independent and solved one after
another; the per-station wall time is in ``Plan.solve.message``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from network.params import params_to_mapping
from network.plan import Plan, Route, RouteStop, SolveInfo, Unserved
from network.routing_params import RoutingParams
from network.scenario import Scenario
from solver.routing.common import catch_interrupt
from solver.routing.engine import solve_routing_problem
from solver.routing.problem import RoutingProblem
from solver.routing.schedule import schedule_route
from solver.routing.solution import RoutingProgress, RoutingSolution
from solver.routing.stations import busiest_day, station_clients, station_problem

log = logging.getLogger("huishou.routing")


def _co2_kg_per_t_km(scenario: Scenario, vehicle_class: str) -> float:
    factors = scenario.costs.co2_kg_per_t_km
    return float(factors.get(vehicle_class, factors[scenario.costs.mobile_vehicle_class]))


def _site_id(problem: RoutingProblem, client: int) -> str:
    """The point or village id of a client (split pickups share their point's id)."""
    ids = problem.meta.get("client_site_ids")
    return ids[client] if ids else problem.clients[client].client_id


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    """A plan ``Route`` with the parts of its cost and what it carried."""

    route: Route
    utilisation: float
    fixed_cny: float
    distance_cny: float
    time_cny: float
    co2_kg: float


def routes_of(scenario: Scenario, problem: RoutingProblem, solution: RoutingSolution, *,
              route_prefix: str, day: int | None) -> list[PlannedRoute]:
    """Plan routes for ``solution``: stops with arrival time and load after each stop, costs, CO₂.

    Times, loads and costs are recomputed in floats by
    ``solver.routing.schedule.schedule_route``. CO₂ is the tonnes on board on
    each leg × its km × the vehicle class's ``co2_kg_per_t_km``.
    """
    out: list[PlannedRoute] = []
    depots = problem.depots
    for k, route in enumerate(solution.routes):
        vt = problem.vehicle_types[route.vehicle_type]
        sched = schedule_route(problem, route)
        stops = []
        tkm = 0.0
        prev = sched.stops[0]
        for stop in sched.stops:
            tkm += prev.load_after_t * float(problem.distance_km[prev.location, stop.location])
            prev = stop
            if stop.kind == "depot":
                lid, kind = depots[stop.index].depot_id, "depot"
            elif stop.kind == "client":
                lid, kind = _site_id(problem, stop.index), "collect"
            elif stop.kind == "unload":
                lid, kind = problem.unload_facilities[stop.index].facility_id, "unload"
            else:
                lid, kind = problem.location_ids[stop.location], "break"
            stops.append(RouteStop(lid, kind, round(stop.arrival_h, 6), round(stop.load_after_t, 6),
                                   round(stop.load_after_m3, 6), round(stop.collected_t, 6)))
        plan_route = Route(f"{route_prefix}-r{k + 1}", depots[vt.start_depot].depot_id, vt.name, tuple(stops),
                           round(sched.distance_km, 6), round(sched.duration_h, 6), round(sched.cost_cny, 6), day)
        util = max(sched.peak_load_t / vt.capacity_t, sched.peak_load_m3 / vt.capacity_m3)
        out.append(PlannedRoute(plan_route, util, sched.fixed_cost_cny, sched.distance_cost_cny,
                                sched.time_cost_cny, tkm * _co2_kg_per_t_km(scenario, vt.vehicle_class)))
    return out


def solve_routes(scenario: Scenario, network_plan: Plan, *, params: RoutingParams = RoutingParams(),
                 time_limit_s: float | None = None,
                 on_progress: Callable[[RoutingProgress], None] | None = None,
                 on_station_day: Callable[[RoutingProblem, RoutingSolution], None] | None = None) -> Plan:
    """Route the vehicles of every station of ``network_plan``.

    Parameters
    ----------
    scenario
        The scenario the network plan was made for (sites, villages, fleet,
        travel model, CO₂ factors).
    network_plan
        A plan of kind ``"network"``: open stations and centres, and which
        collection points / mobile villages each one serves.
    params
        Routing options (horizon, frequency rule, fleet, times, backend).
    time_limit_s
        Search time per station and day, seconds; None: ``params.time_limit_s_per_station``.
    on_progress
        Called on each new best solution of each station.
    on_station_day
        Called with the instance and the engine's solution of each station and
        day (``problem.meta`` has ``station_id`` and ``day``), e.g. to run the
        independent checker ``solver.check.routing.check_routing_solution``.

    Returns
    -------
    Plan
        Kind ``"routes"``: routes (``day`` set with ``horizon="week"``),
        unserved points with reasons, costs ``vehicles_fixed``, ``distance``,
        ``time``, ``total`` (CNY per day or per week), KPIs ``total_km``,
        ``vehicle_hours``, ``utilisation`` (mean peak load / capacity),
        ``co2_t`` (t·km carried × the vehicle class's CO₂ factor), ``routes``,
        ``unloads``. Ctrl-C stops the current station with its best routes and
        leaves the remaining stations unrouted (status ``interrupted``).

    Raises
    ------
    InputError
        If the plan is not a network plan or refers to unknown sites, or a
        parameter names an unknown vehicle type.
    InfeasibleError
        Never for optional points (every point is optional at
        ``params.skip_penalty_cny``); re-raised from the engine otherwise.
    """
    start = time.perf_counter()
    limit = time_limit_s if time_limit_s is not None else params.time_limit_s_per_station
    by_station = station_clients(scenario, network_plan, params)
    planned: list[PlannedRoute] = []
    unserved: list[Unserved] = []
    objective = 0.0
    backends: set[str] = set()
    station_times: list[str] = []
    interrupted = False
    with catch_interrupt() as flag:  # Ctrl-C between two searches stops too
        for station_id, clients in by_station.items():
            days = (list(range(params.days_per_week)) if params.horizon == "week"
                    else [busiest_day(clients, params.days_per_week)])
            t0 = time.perf_counter()
            for day in days:
                if interrupted or flag.is_set:
                    interrupted = True
                    unserved += [Unserved(c.client_id, f"day {day + 1}: not routed, the run was interrupted "
                                                       "运行被中断，未规划") for c in clients if day in c.days]
                    continue
                problem = station_problem(scenario, station_id, clients, day, params)
                if not problem.clients:
                    continue
                solution = solve_routing_problem(problem, backend=params.backend, time_limit_s=limit,
                                                 seed=params.seed, on_progress=on_progress)
                if on_station_day is not None:
                    on_station_day(problem, solution)
                backends.add(solution.backend)
                interrupted = interrupted or solution.status == "interrupted"
                objective += solution.objective_cny
                planned += routes_of(scenario, problem, solution, route_prefix=f"{station_id}-d{day + 1}",
                                     day=day + 1 if params.horizon == "week" else None)
                unserved += [Unserved(_site_id(problem, u.client), f"day {day + 1}: {u.reason}")
                             for u in solution.unserved]
            station_times.append(f"{station_id} {time.perf_counter() - t0:.2f} s")
            log.info("station %s routed in %.2f s", station_id, time.perf_counter() - t0)
    routes = [p.route for p in planned]
    costs = {"vehicles_fixed": sum(p.fixed_cny for p in planned),
             "distance": sum(p.distance_cny for p in planned),
             "time": sum(p.time_cny for p in planned)}
    costs["total"] = sum(costs.values())
    kpis = {
        "total_km": sum(r.distance_km for r in routes),
        "vehicle_hours": sum(r.duration_h for r in routes),
        "utilisation": sum(p.utilisation for p in planned) / len(planned) if planned else 0.0,
        "co2_t": sum(p.co2_kg for p in planned) / 1000.0,
        "routes": float(len(routes)),
        "unloads": float(sum(1 for r in routes for s in r.stops if s.kind == "unload")),
    }
    status = "interrupted" if interrupted else "time_limit"
    backend = "+".join(sorted(backends)) or params.backend
    info = SolveInfo("collection_routing", backend, status, costs["total"], None, None,
                     time.perf_counter() - start,
                     f"per station 各站用时: {', '.join(station_times)}; search objective {objective:,.2f} CNY")
    return Plan("routes", scenario.name, info, routes=tuple(routes), unserved=tuple(unserved),
                costs_cny=costs, kpis=kpis, params=params_to_mapping(params), travel=dict(scenario.travel.spec))
