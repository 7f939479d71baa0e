"""solve_routes on a tiny hand-checkable county: frequency rule, weekly plan, Plan contract."""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest

from network import (
    InputError,
    MaterialStream,
    Plan,
    SolveInfo,
    params_from_mapping,
)
from network.routing_params import RoutingParams, visits_per_week
from network.serialize import plan_from_dict, plan_to_json
from solver.check.route_plan import check_route_plan
from solver.check.routing import check_routing_solution
from solver.routing import RoutingProblem, RoutingSolution, solve_routes
from solver.routing.stations import busiest_day, station_clients
from tests.scenarios import route_network_plan, route_scenario

GR = MaterialStream.GENERAL_RECYCLABLES


def test_visit_frequency_rule() -> None:
    params = RoutingParams(bin_size_t=2.0, days_per_week=6)
    assert [visits_per_week(w, params) for w in (0.0, 0.5, 2.0, 2.01, 5.2, 40.0)] == [1, 1, 1, 2, 3, 6]
    assert visits_per_week(0.5, RoutingParams(min_visits_per_week=2)) == 2


def test_station_clients_spread_visits_to_level_the_days() -> None:
    clients = {c.client_id: c for c in station_clients(route_scenario(), route_network_plan(), RoutingParams())["ST"]}
    assert clients["cp2"].visits == 3 and clients["cp2"].days == (0, 2, 4)
    assert clients["cp2"].per_visit_t == pytest.approx(5.2 / 3)
    assert clients["cp1"].days == (1,)   # the emptiest day after cp2
    assert clients["v1"].days == (3,) and clients["v1"].kind == "mobile_village"
    assert clients["cp3"].days == (5,)
    # General recyclables at 0.15 t/m³: 2 t is 13.33 m³.
    assert clients["cp1"].weekly_m3 == pytest.approx(2.0 / 0.15)
    assert busiest_day(list(clients.values()), 6) == 1


def test_weekly_plan_collects_every_point_exactly_its_weekly_amount() -> None:
    checked: list[str] = []

    def check(problem: RoutingProblem, solution: RoutingSolution) -> None:
        assert check_routing_solution(problem, solution) == []
        checked.append(problem.name)

    params = RoutingParams(horizon="week", time_limit_s_per_station=0.3, vehicle_types=("light_truck",))
    plan = solve_routes(route_scenario(), route_network_plan(), params=params, on_station_day=check)
    assert check_route_plan(route_scenario(), route_network_plan(), plan, params) == []
    assert sorted(checked) == ["ST day 1", "ST day 2", "ST day 3", "ST day 4", "ST day 5", "ST day 6"]
    assert plan.kind == "routes" and plan.unserved == ()
    collected: dict[str, float] = {}
    for route in plan.routes:
        assert route.stops[0].kind == "depot" and route.stops[-1].kind == "depot"
        assert route.depot_id == "ST" and route.day in range(1, 7)
        for stop in route.stops:
            assert stop.load_after_t <= 2.0 + 1e-9 and stop.load_after_m3 <= 16.0 + 1e-9
            collected[stop.location_id] = collected.get(stop.location_id, 0.0) + stop.collected_t
    assert collected["cp1"] == pytest.approx(2.0)
    assert collected["cp2"] == pytest.approx(5.2)
    assert collected["cp3"] == pytest.approx(0.5)
    assert collected["v1"] == pytest.approx(1.0)
    # Each day one light truck does an out-and-back trip: 2×10 + 3×2×12 + 2×8 + 2×15 = 138 km a week.
    assert plan.kpis["total_km"] == pytest.approx(138.0)
    assert plan.kpis["routes"] == 6 and plan.kpis["unloads"] == 0
    assert plan.costs_cny["vehicles_fixed"] == pytest.approx(6 * 180.0)
    assert plan.costs_cny["distance"] == pytest.approx(138.0 * 1.2)
    assert plan.costs_cny["total"] == pytest.approx(sum(r.cost_cny for r in plan.routes))
    assert plan.costs_cny["total"] == pytest.approx(
        plan.costs_cny["vehicles_fixed"] + plan.costs_cny["distance"] + plan.costs_cny["time"])
    # CO2: tonnes on board × km back to the station × 0.28 kg/t·km (light truck, GLEC).
    tkm = 2.0 * 10 + 3 * (5.2 / 3) * 12 + 0.5 * 8 + 1.0 * 15
    assert plan.kpis["co2_t"] == pytest.approx(tkm * 0.28 / 1000)
    assert plan.params["horizon"] == "week"
    assert plan_from_dict(json.loads(plan_to_json(plan))) == plan


def test_design_day_with_a_small_vehicle_unloads_between_points() -> None:
    # Day 1 (0-based) holds cp1's 2 t; a 0.5 t tricycle must unload 3 times.
    params = RoutingParams(time_limit_s_per_station=0.3, vehicle_types=("tricycle",), unload_h=0.25)
    plan = solve_routes(route_scenario(), route_network_plan(), params=params)
    assert check_route_plan(route_scenario(), route_network_plan(), plan, params) == []
    assert len(plan.routes) >= 1
    assert plan.kpis["unloads"] >= 3
    assert sum(s.collected_t for r in plan.routes for s in r.stops) == pytest.approx(2.0)
    assert "ST" in plan.solve.message


def test_unservable_point_is_reported_not_dropped() -> None:
    # Round trips with service (0.25 h + 0.2 h/t): cp3 0.4 + 0.35 = 0.75 h, cp1 0.5 + 0.65 = 1.15 h,
    # cp2 0.6 + 0.597 = 1.197 h, v1 0.75 + 0.45 = 1.2 h; a 1.18 h shift leaves cp2 and v1 out.
    params = RoutingParams(horizon="week", time_limit_s_per_station=0.2, vehicle_types=("light_truck",),
                           shift_h=1.18)
    plan = solve_routes(route_scenario(), route_network_plan(), params=params)
    assert check_route_plan(route_scenario(), route_network_plan(), plan, params) == []
    reasons = {u.location_id: u.reason for u in plan.unserved}
    assert set(reasons) == {"cp2", "v1"}
    assert "shift" in reasons["cp2"]
    assert sum(1 for u in plan.unserved if u.location_id == "cp2") == 3


def test_bad_routing_parameters_are_reported_together() -> None:
    with pytest.raises(InputError) as err:
        params_from_mapping(RoutingParams, {"horizon": "month", "bin_size_t": 0.0, "typo": 1}, source="s.toml")
    assert "typo" in str(err.value)
    with pytest.raises(InputError, match="unknown vehicle type"):
        solve_routes(route_scenario(), route_network_plan(), params=RoutingParams(vehicle_types=("rocket",)))
    with pytest.raises(InputError, match="expected a network plan"):
        solve_routes(route_scenario(), Plan("routes", "tiny", SolveInfo("x", "x", "x", 0.0)))


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="needs the main thread")
def test_ctrl_c_keeps_the_routes_found_and_lists_the_rest_as_unserved() -> None:
    sent: list[bool] = []

    def interrupt(_progress: object) -> None:
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)

    params = RoutingParams(horizon="week", time_limit_s_per_station=30, vehicle_types=("light_truck",))
    plan = solve_routes(route_scenario(), route_network_plan(), params=params, on_progress=interrupt)
    assert plan.solve.status == "interrupted"
    assert plan.solve.time_s < 20
    assert {r.day for r in plan.routes} == {1}          # day 1 kept its best routes
    assert sorted(u.location_id for u in plan.unserved) == ["cp1", "cp2", "cp2", "cp3", "v1"]
    assert all("interrupted" in u.reason for u in plan.unserved)
    assert check_route_plan(route_scenario(), route_network_plan(), plan, params) == []
