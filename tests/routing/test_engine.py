"""Routing engine: small hand-checked instances on both backends.

Station S with points a, b, c; distances in km, speed 40 km/h unless stated.
Every solution is also re-evaluated by ``schedule_route`` (no violations) and
by the independent route checker.
"""

from __future__ import annotations

import math
import os
import signal
import threading

import numpy as np
import pytest

from network.errors import InfeasibleError, InputError, SolverError
from solver.check.routing import check_routing_solution
from solver.routing import (
    DriverBreak,
    RoutingClient,
    RoutingDepot,
    RoutingProblem,
    RoutingSolution,
    RoutingVehicleType,
    UnloadFacility,
    choose_backend,
    schedule_route,
    solve_routing_problem,
)

BACKENDS = ["pyvrp", "ortools"]
LIMIT_S = 0.4


def _problem(km: dict[tuple[str, str], float], clients: list[RoutingClient],
             fleet: list[RoutingVehicleType], *, speed_kmh: float = 40.0, unload_h: float = 0.5,
             extra_ids: tuple[str, ...] = ()) -> RoutingProblem:
    ids = ("S", *(c.client_id for c in clients), *extra_ids)
    n = len(ids)
    dist = np.full((n, n), math.inf)
    np.fill_diagonal(dist, 0.0)
    pos = {x: i for i, x in enumerate(ids)}
    for (u, v), d in km.items():
        dist[pos[u], pos[v]] = dist[pos[v], pos[u]] = d
    clients = [RoutingClient(c.client_id, pos[c.client_id], c.demand_t, c.demand_m3, c.service_h, c.tw_early_h,
                             c.tw_late_h, c.required, c.penalty_cny) for c in clients]
    return RoutingProblem("test", ids, dist, dist / speed_kmh, (RoutingDepot("S", 0),), tuple(clients),
                          tuple(fleet), (UnloadFacility("S", 0, unload_h),))


def _triangle() -> dict[tuple[str, str], float]:
    return {("S", "a"): 10, ("S", "b"): 10, ("S", "c"): 10, ("a", "b"): 1, ("b", "c"): 1, ("a", "c"): 1}


def _solve(problem: RoutingProblem, backend: str) -> RoutingSolution:
    solution = solve_routing_problem(problem, backend=backend, time_limit_s=LIMIT_S, seed=1)
    for route in solution.routes:
        assert schedule_route(problem, route).violations == ()
    assert check_routing_solution(problem, solution) == []
    return solution


def _km(problem: RoutingProblem, solution: RoutingSolution) -> float:
    return sum(schedule_route(problem, r).distance_km for r in solution.routes)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_reload_is_required_and_happens(backend: str) -> None:
    # 3 × 0.8 t, one 1 t vehicle: S-a-S-b-S-c-S, 60 km, 2 unloads at S.
    clients = [RoutingClient(x, 0, 0.8, service_h=0.1) for x in "abc"]
    fleet = [RoutingVehicleType("v", 1, 1.0, cost_per_km_cny=1.2, cost_per_h_cny=25.0, shift_h=12.0)]
    problem = _problem(_triangle(), clients, fleet)
    solution = _solve(problem, backend)
    assert solution.num_routes == 1
    route = solution.routes[0]
    kinds = [v.kind for v in route.visits]
    assert kinds == ["client", "unload", "client", "unload", "client"]
    assert _km(problem, solution) == pytest.approx(60.0)
    sched = schedule_route(problem, route)
    assert [s.load_after_t for s in sched.stops] == pytest.approx([0, 0.8, 0, 0.8, 0, 0.8, 0.8])
    # 60 km at 40 km/h = 1.5 h, 3 × 0.1 h service, 2 × 0.5 h unloading.
    assert sched.duration_h == pytest.approx(2.8)
    assert sched.cost_cny == pytest.approx(1.2 * 60 + 25 * 2.8)


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_reload_when_the_vehicle_holds_everything(backend: str) -> None:
    clients = [RoutingClient(x, 0, 0.8) for x in "abc"]
    fleet = [RoutingVehicleType("v", 1, 3.0, shift_h=12.0)]
    problem = _problem(_triangle(), clients, fleet)
    solution = _solve(problem, backend)
    assert solution.routes[0].num_unloads == 0
    assert _km(problem, solution) == pytest.approx(22.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_volume_forces_a_reload(backend: str) -> None:
    # Light but bulky (appliances): 0.1 t and 10 m³ each, 16 m³ van.
    clients = [RoutingClient(x, 0, 0.1, 10.0) for x in "ab"]
    fleet = [RoutingVehicleType("van", 1, 2.0, 16.0, shift_h=12.0)]
    problem = _problem({("S", "a"): 10, ("S", "b"): 10, ("a", "b"): 1}, clients, fleet)
    solution = _solve(problem, backend)
    assert solution.routes[0].num_unloads == 1
    assert _km(problem, solution) == pytest.approx(40.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_b_shift_limit_forces_a_second_vehicle(backend: str) -> None:
    # One vehicle would need 0.25 + 3 + 0.5 + 3 + 0.25 = 7 h > 4 h shift; each alone is 3.5 h.
    clients = [RoutingClient(x, 0, 0.1, service_h=3.0) for x in "ab"]
    fleet = [RoutingVehicleType("v", 2, 2.0, fixed_cost_cny=100.0, shift_h=4.0)]
    problem = _problem({("S", "a"): 10, ("S", "b"): 10, ("a", "b"): 20}, clients, fleet)
    solution = _solve(problem, backend)
    assert solution.num_routes == 2
    assert sorted(len(r.visits) for r in solution.routes) == [1, 1]
    for route in solution.routes:
        assert schedule_route(problem, route).duration_h == pytest.approx(3.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_c_time_windows_are_respected(backend: str) -> None:
    # a must start by 0.3 h, b not before 1.0 h: the order is a then b; the
    # vehicle leaves 0.05 h late (a's slack), waits at b until 1.0, home at 1.25.
    clients = [RoutingClient("a", 0, 0.1, tw_late_h=0.3), RoutingClient("b", 0, 0.1, tw_early_h=1.0, tw_late_h=1.5)]
    fleet = [RoutingVehicleType("v", 1, 2.0, cost_per_h_cny=10.0, shift_h=8.0)]
    problem = _problem({("S", "a"): 10, ("S", "b"): 10, ("a", "b"): 1}, clients, fleet)
    solution = _solve(problem, backend)
    route = solution.routes[0]
    assert [problem.clients[i].client_id for i in route.client_indices()] == ["a", "b"]
    sched = schedule_route(problem, route)
    starts = {problem.clients[s.index].client_id: s.start_h for s in sched.stops if s.kind == "client"}
    assert starts["a"] == pytest.approx(0.3)
    assert starts["b"] == pytest.approx(1.0)
    assert sched.departure_h == pytest.approx(0.05)
    assert sched.duration_h == pytest.approx(1.2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_d_unservable_points_are_reported_with_the_reason(backend: str) -> None:
    clients = [RoutingClient("a", 0, 0.5), RoutingClient("heavy", 0, 5.0),
               RoutingClient("far", 0, 0.5), RoutingClient("costly", 0, 0.5, required=False, penalty_cny=10.0)]
    fleet = [RoutingVehicleType("small", 2, 1.0, cost_per_km_cny=1.0, shift_h=4.0),
             RoutingVehicleType("medium", 1, 2.0, cost_per_km_cny=1.0, shift_h=4.0)]
    km = {("S", "a"): 5, ("S", "heavy"): 5, ("S", "far"): 200, ("S", "costly"): 50,
          ("a", "heavy"): 1, ("a", "costly"): 50, ("heavy", "costly"): 50}
    problem = _problem(km, clients, fleet)
    solution = _solve(problem, backend)
    reasons = {problem.clients[u.client].client_id: u.reason for u in solution.unserved}
    assert set(reasons) == {"heavy", "far", "costly"}
    assert "capacity" in reasons["heavy"] and "5.000 t" in reasons["heavy"]
    assert "shift" in reasons["far"] and "10.00 h > 4.00 h" in reasons["far"]
    assert "penalty" in reasons["costly"]
    served = {problem.clients[i].client_id for r in solution.routes for i in r.client_indices()}
    assert served == {"a"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_e_heterogeneous_fleet_picks_the_cheaper_vehicle_that_fits(backend: str) -> None:
    fleet = [RoutingVehicleType("medium_truck", 1, 8.0, fixed_cost_cny=350.0, cost_per_km_cny=2.2, shift_h=9.0),
             RoutingVehicleType("light_truck", 1, 2.0, fixed_cost_cny=180.0, cost_per_km_cny=1.2, shift_h=8.0)]
    small = _problem(_triangle(), [RoutingClient(x, 0, 0.5) for x in "abc"], fleet, unload_h=2.0)
    solution = _solve(small, backend)
    assert [small.vehicle_types[r.vehicle_type].name for r in solution.routes] == ["light_truck"]
    assert solution.objective_cny == pytest.approx(180 + 1.2 * 22)
    # 3 × 2.5 t with 2 h unloads: the light truck could only do it in 3 trips
    # (64 km, 4 h unloading: 180 + 76.8 = 256.8) but fits its 8 h shift; the
    # medium truck does one 22 km trip (350 + 48.4 = 398.4) — and a light truck cannot carry 2.5 t.
    big = _problem(_triangle(), [RoutingClient(x, 0, 2.5) for x in "abc"], fleet, unload_h=2.0)
    solution = _solve(big, backend)
    assert [big.vehicle_types[r.vehicle_type].name for r in solution.routes] == ["medium_truck"]
    assert solution.objective_cny == pytest.approx(350 + 2.2 * 22)


def test_breaks_are_taken_on_the_ortools_backend_and_auto_picks_it() -> None:
    clients = [RoutingClient(x, 0, 0.1, service_h=2.0) for x in "abc"]
    brk = DriverBreak(0.5, 2.0, 3.0)
    fleet = [RoutingVehicleType("v", 1, 2.0, cost_per_h_cny=10.0, shift_h=8.0, breaks=(brk,))]
    problem = _problem(_triangle(), clients, fleet)
    assert choose_backend(problem) == "ortools"
    solution = _solve(problem, "auto")
    assert solution.backend == "ortools"
    route = solution.routes[0]
    assert [v.kind for v in route.visits].count("break") == 1
    sched = schedule_route(problem, route)
    # 22 km = 0.55 h driving + 6 h service + 0.5 h break, no waiting needed.
    assert sched.duration_h == pytest.approx(7.05)
    with pytest.raises(SolverError, match="breaks"):
        solve_routing_problem(problem, backend="pyvrp", time_limit_s=LIMIT_S)


def test_a_route_that_skips_its_break_is_flagged() -> None:
    clients = [RoutingClient(x, 0, 0.1, service_h=2.0) for x in "abc"]
    fleet = [RoutingVehicleType("v", 1, 2.0, shift_h=8.0, breaks=(DriverBreak(0.5, 2.0, 3.0),))]
    problem = _problem(_triangle(), clients, fleet)
    from solver.routing import RoutingRoute, Visit

    route = RoutingRoute(0, tuple(Visit("client", i) for i in range(3)))
    assert any("break 0" in v for v in schedule_route(problem, route).violations)


@pytest.mark.parametrize("backend", BACKENDS)
def test_required_points_that_cannot_all_fit_raise_infeasible(backend: str) -> None:
    clients = [RoutingClient(x, 0, 0.1, service_h=3.0) for x in "ab"]
    fleet = [RoutingVehicleType("v", 1, 2.0, shift_h=4.0)]
    problem = _problem({("S", "a"): 10, ("S", "b"): 10, ("a", "b"): 20}, clients, fleet)
    with pytest.raises(InfeasibleError, match="required points unvisited"):
        solve_routing_problem(problem, backend=backend, time_limit_s=LIMIT_S)


def test_cvrp_constructor_uses_nint_distances_and_solves_to_the_hand_optimum() -> None:
    # Depot (0,0); clients at (3,4) d=5, (6,8) d=10 from depot, (-3,4) d=5; Q=3.
    problem = RoutingProblem.cvrp([(0, 0), (3, 4), (6, 8), (-3, 4.4)], [0, 1, 2, 2], 3, num_vehicles=2)
    assert problem.distance_km[0, 3] == 5.0  # sqrt(9 + 19.36) = 5.33 → 5
    for backend in BACKENDS:
        solution = _solve(problem, backend)
        assert solution.objective_cny == pytest.approx(30.0)  # 0-1-2-0 (5+5+10) + 0-3-0 (10)
        assert solution.num_routes == 2


def test_bad_inputs_are_named() -> None:
    with pytest.raises(InputError, match="fields 'tw_early_h'/'tw_late_h'"):
        RoutingClient("x", 0, 1.0, tw_early_h=3.0, tw_late_h=2.0)
    with pytest.raises(InputError, match="capacity_t"):
        RoutingVehicleType("v", 1, 0.0)
    with pytest.raises(InputError, match="expected shape"):
        RoutingProblem("p", ("S",), np.zeros((2, 2)), np.zeros((1, 1)), (RoutingDepot("S", 0),), (), ())
    problem = RoutingProblem.cvrp([(0, 0), (1, 1)], [0, 1], 1)
    with pytest.raises(InputError, match="backend"):
        solve_routing_problem(problem, backend="gurobi", time_limit_s=1)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="needs the main thread")
@pytest.mark.parametrize("backend", BACKENDS)
def test_ctrl_c_returns_the_best_solution_so_far(backend: str) -> None:
    rng = np.random.default_rng(3)
    coords = rng.uniform(0, 100, size=(40, 2))
    problem = RoutingProblem.cvrp(coords, [0, *rng.integers(1, 10, size=39)], 30)
    sent = []

    def interrupt(_progress: object) -> None:
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)

    solution = solve_routing_problem(problem, backend=backend, time_limit_s=30, on_progress=interrupt)
    assert sent and solution.status == "interrupted"
    assert solution.time_s < 20
    assert sorted(i for r in solution.routes for i in r.client_indices()) == list(range(39))
    assert check_routing_solution(problem, solution) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_vehicles_unload_at_the_nearer_facility_and_each_vehicle_can_reload(backend: str) -> None:
    # Facility F is 1 km from every point, the station 10 km: S-a-F-b-F-c-S = 24 km.
    ids = ("S", "a", "b", "c", "F")
    km = {("S", "a"): 10, ("S", "b"): 10, ("S", "c"): 10, ("S", "F"): 10, ("a", "b"): 2, ("b", "c"): 2,
          ("a", "c"): 2, ("a", "F"): 1, ("b", "F"): 1, ("c", "F"): 1}
    base = _problem(km, [RoutingClient(x, 0, 0.8) for x in "abc"],
                    [RoutingVehicleType("v", 1, 1.0, shift_h=12.0)], extra_ids=("F",))
    problem = RoutingProblem("two facilities", ids, base.distance_km, base.duration_h, base.depots, base.clients,
                             base.vehicle_types, (UnloadFacility("S", 0, 0.5), UnloadFacility("F", 4, 0.5)))
    solution = _solve(problem, backend)
    visits = solution.routes[0].visits
    assert [(v.kind, v.index) for v in visits if v.kind == "unload"] == [("unload", 1), ("unload", 1)]
    assert _km(problem, solution) == pytest.approx(24.0)
    # A vehicle type allowed no facility makes single trips only: 3 vehicles, 60 km.
    single = RoutingProblem("single trips", ids, problem.distance_km, problem.duration_h, problem.depots,
                            problem.clients, (RoutingVehicleType("v", 3, 1.0, shift_h=12.0, unload_facilities=()),),
                            problem.unload_facilities)
    solution = _solve(single, backend)
    assert solution.num_routes == 3 and all(r.num_unloads == 0 for r in solution.routes)
    assert _km(single, solution) == pytest.approx(60.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_vehicles_both_reload_within_their_shifts(backend: str) -> None:
    # Six 0.8 t points 10 km out, 1 t vehicles, 0.5 h unloads, 1 h service: a trip
    # takes 1.5 h, k trips 2k − 0.5 h, so a 9 h shift holds at most 4 trips; six
    # trips need both vehicles, each reloading (4 + 2 or 3 + 3 trips).
    names = "abcdef"
    km = {("S", x): 10 for x in names} | {(x, y): 1 for x in names for y in names if x < y}
    clients = [RoutingClient(x, 0, 0.8, service_h=1.0) for x in names]
    problem = _problem(km, clients, [RoutingVehicleType("v", 2, 1.0, shift_h=9.0)])
    solution = _solve(problem, backend)
    assert solution.unserved == ()
    assert solution.num_routes == 2
    unloads = sorted(r.num_unloads for r in solution.routes)
    assert sum(unloads) == 4 and unloads in ([1, 3], [2, 2])
    assert _km(problem, solution) == pytest.approx(120.0)


def test_pyvrp_does_not_trade_a_small_overload_for_a_vehicle_fixed_cost() -> None:
    # 1.296 t + 0.759 t = 2.055 t, 55 kg over the light truck: PyVRP's default
    # penalty cap (1e5 per kg) is below the light truck's scaled fixed cost
    # (180 CNY -> 1.8e7), so with the default cap the search settles on the
    # overloaded route. Feasible answers: a reload, or the medium truck.
    clients = [RoutingClient("a", 0, 1.296, service_h=0.1, required=False, penalty_cny=10_000.0),
               RoutingClient("b", 0, 0.759, service_h=0.1, required=False, penalty_cny=10_000.0)]
    fleet = [RoutingVehicleType("light", 2, 2.0, fixed_cost_cny=180.0, cost_per_km_cny=1.2,
                                cost_per_h_cny=40.0, shift_h=8.0),
             RoutingVehicleType("medium", 1, 8.0, fixed_cost_cny=350.0, cost_per_km_cny=2.2,
                                cost_per_h_cny=50.0, shift_h=9.0)]
    problem = _problem({("S", "a"): 12, ("S", "b"): 15, ("a", "b"): 4}, clients, fleet)
    solution = _solve(problem, "pyvrp")
    assert solution.status != "infeasible"
    assert solution.unserved == ()
