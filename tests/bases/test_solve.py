"""Recycling-base siting: a hand-checked two-period example, the checker, the policy option."""

from __future__ import annotations

import dataclasses

import pytest

from network.admin import County, Plant, RailStation
from network.bases_params import ForecastParams
from network.errors import InfeasibleError, InputError
from network.params import CostParams
from network.plan import Flow, SizeStep
from network.sites import CandidateSite, OutletKind, Tier
from network.streams import MaterialStream
from solver.bases.forecast import Forecast, ForecastRow
from solver.bases.policy import compare_policy
from solver.bases.sites import base_candidates
from solver.bases.solve import solve_bases
from solver.check.bases import check_bases_plan
from tests.scenarios import BASES_PARAMS, bases_forecast, bases_scenario

STEEL = MaterialStream.TOWERS_STEEL
A, B = "650502", "652301"  # Hami Yizhou, Changji city: two prefectures


def test_two_period_example_delays_the_second_opening() -> None:
    # By hand (no discounting, fixed 1 M CNY/yr per open base, 1 CNY/t·km):
    #   open A in 2025 and B in 2030: fixed 5 + 2·5 = 15 M; transport 10 kt·10 km·10 yr + 10 kt·10 km·5 yr
    #   = 1.5 M → 16.5 M. Both in 2025: 20 + 1.5 = 21.5 M. A only: 10 + 1 + 10 kt·300 km·5 yr = 26 M.
    scenario, forecast = bases_scenario(), bases_forecast()
    plan = solve_bases(scenario, forecast, params=BASES_PARAMS)
    assert check_bases_plan(scenario, plan, forecast) == []
    opened = {s.site_id: s.open_year for s in plan.sites}
    assert opened == {"base-A": 2025, "base-B": 2030}
    assert plan.costs_cny["fixed"] == pytest.approx(15_000_000)
    assert plan.costs_cny["transport"] == pytest.approx(1_500_000)
    assert plan.costs_cny["total"] == pytest.approx(16_500_000)
    assert plan.kpis["retired_t"] == pytest.approx(150_000)
    assert plan.kpis["t_km"] == pytest.approx(1_500_000)
    assert plan.solve.status == "optimal" and plan.solve.gap == pytest.approx(0, abs=1e-6)
    assert all(f.mode == "road" and f.distance_km == 10 for f in plan.flows)


def test_discounting_is_applied_per_year() -> None:
    scenario = bases_scenario().with_changes(costs=CostParams(discount_rate=0.05))
    forecast = bases_forecast()
    plan = solve_bases(scenario, forecast, params=BASES_PARAMS)
    assert check_bases_plan(scenario, plan, forecast) == []
    d = [1.05 ** -k for k in range(10)]
    fixed = 1e6 * (sum(d) + sum(d[5:]))
    transport = 1e5 * (sum(d) + sum(d[5:]))
    assert plan.costs_cny["fixed"] == pytest.approx(fixed)
    assert plan.costs_cny["transport"] == pytest.approx(transport)


def test_checker_rejects_a_base_used_before_it_opens() -> None:
    scenario, forecast = bases_scenario(), bases_forecast()
    plan = solve_bases(scenario, forecast, params=BASES_PARAMS)
    b = next(s for s in plan.sites if s.site_id == "base-B")
    late = dataclasses.replace(b, open_year=2032, steps=(SizeStep(2032, "only", 50_000.0),))
    bad = dataclasses.replace(plan, sites=tuple(late if s.site_id == "base-B" else s for s in plan.sites))
    problems = check_bases_plan(scenario, bad, forecast)
    assert any("uses base base-B before it opens" in p for p in problems)
    assert any("not at a period start" in p for p in problems)


def test_checker_rejects_shrinking_overload_and_lost_tonnes() -> None:
    scenario, forecast = bases_scenario(), bases_forecast()
    plan = solve_bases(scenario, forecast, params=BASES_PARAMS)
    a = next(s for s in plan.sites if s.site_id == "base-A")
    shrink = dataclasses.replace(a, steps=(SizeStep(2025, "only", 50_000.0), SizeStep(2030, "only", 40_000.0)))
    dropped = plan.flows[1:]
    extra = Flow(A, "base-A", STEEL, 60_000.0, 10.0, "source_to_base", 2026, "road")
    problems = check_bases_plan(scenario, dataclasses.replace(
        plan, sites=tuple(shrink if s.site_id == "base-A" else s for s in plan.sites)), forecast)
    assert any("shrinks" in p for p in problems)
    assert any("lost" in p or "neither shipped nor reported" in p
               for p in check_bases_plan(scenario, dataclasses.replace(plan, flows=dropped), forecast))
    over = check_bases_plan(scenario, dataclasses.replace(plan, flows=(*plan.flows, extra)), forecast)
    assert any("exceeds capacity" in p for p in over)
    assert any("ships" in p for p in over)
    costly = dataclasses.replace(plan, costs_cny={**plan.costs_cny, "fixed": 1.0})
    assert any("costs_cny['fixed']" in p for p in check_bases_plan(scenario, costly, forecast))


def test_policy_forces_one_base_per_prefecture_and_costs_at_least_the_free_plan() -> None:
    scenario, forecast = bases_scenario(), bases_forecast()
    result = compare_policy(scenario, forecast, params=BASES_PARAMS, time_limit_s=20)
    assert check_bases_plan(scenario, result.policy, forecast) == []
    assert {s.site_id: s.open_year for s in result.policy.sites} == {"base-A": 2025, "base-B": 2025}
    assert result.policy.total_cost_cny >= result.free.total_cost_cny - 1e-6
    # B opens five years early: 5 M CNY more fixed cost, undiscounted.
    assert result.policy_cost_cny == pytest.approx(5_000_000)
    low, high = result.policy_cost_range_cny
    assert low == pytest.approx(5_000_000, abs=1.0) and high == pytest.approx(5_000_000, abs=1.0)


def test_policy_without_candidate_in_a_prefecture_is_infeasible() -> None:
    params = dataclasses.replace(BASES_PARAMS, one_base_per_prefecture=True, policy_prefectures=("6505", "6531"))
    with pytest.raises(InfeasibleError, match="prefecture 6531"):
        solve_bases(bases_scenario(), bases_forecast(), params=params)


def test_unreachable_tonnes_are_unserved_and_reported() -> None:
    scenario = bases_scenario()
    forecast = Forecast((*bases_forecast().rows, ForecastRow(2031, "653123", "6531", STEEL, 500.0)),
                        2025, 2034, 0.0, 0.0, ForecastParams())
    far = Plant("pK", "pK", "solar", 20.0, 2010, "operating", 75.8, 38.9, "653123", "6531", "test")
    scenario = scenario.with_changes(plants=(*scenario.plants, far))
    plan = solve_bases(scenario, forecast, params=BASES_PARAMS)
    assert check_bases_plan(scenario, plan, forecast) == []
    assert plan.kpis["unserved_t"] == pytest.approx(500.0)
    assert [u.location_id for u in plan.unserved] == ["653123"]
    assert plan.costs_cny["unserved_penalty"] == pytest.approx(500 * BASES_PARAMS.unserved_penalty_cny_per_t)


def test_rail_is_used_when_cheaper_and_checked() -> None:
    stations = (RailStation("sa", "A站", 93.45, 42.85, A), RailStation("sb", "B站", 87.25, 44.05, B))
    km = {(A, "sa"): 5, (B, "sb"): 5, ("base-A", "sa"): 5, ("base-B", "sb"): 5,
          ("sa", "sb"): 300, (A, "sb"): 300, (B, "sa"): 300,
          ("base-A", "sb"): 300, ("base-B", "sa"): 300}
    scenario = bases_scenario(stations=stations, extra_km=km)
    params = dataclasses.replace(BASES_PARAMS, rail_rate_cny_per_t_km=0.1, rail_handling_cny_per_t=10.0)
    forecast = bases_forecast()
    plan = solve_bases(scenario, forecast, params=params)
    assert check_bases_plan(scenario, plan, forecast) == []
    # B by rail to A: 10 km drayage · 1 + 300 · 0.1 + 10 = 50 CNY/t, 10 kt/yr · 5 yr = 2.5 M < 5 M fixed.
    assert [s.site_id for s in plan.sites] == ["base-A"]
    rail = [f for f in plan.flows if f.mode == "rail"]
    assert rail and all(f.distance_km == pytest.approx(310) for f in rail)
    assert plan.costs_cny["total"] == pytest.approx(10e6 + 1e6 + 2.5e6)


def test_candidates_from_seats_stations_and_user_sites() -> None:
    county = County(A, "伊州区", "6505", "哈密市", 93.51, 42.82, seat_generated=False, population=1,
                    households=1, urban_population=1, rural_population=0)
    near = RailStation("r1", "哈密", 93.66, 42.82, A)  # 12 km from the seat
    close = RailStation("r3", "近站", 93.53, 42.83, A)  # 2 km: the seat itself stands for it
    far = RailStation("r2", "远站", 95.5, 43.5, A)
    extra = CandidateSite("my-base", "mine", Tier.RECYCLING_BASE, 93.0, 42.0, A, outlet_kind=OutletKind.NEW)
    sites = base_candidates([county], [near, far], extra=[extra])
    assert [s.site_id for s in sites] == [f"base-seat-{A}", "base-rail-r1", "my-base"]
    # A station 7 km from the seat is kept and the seat dropped (closer than min_separation_km).
    thinned = base_candidates([county], [dataclasses.replace(near, lon=93.59)], min_separation_km=10.0)
    assert [s.site_id for s in thinned] == ["base-rail-r1"]
    assert [s.site_id for s in base_candidates([county], [close])] == [f"base-seat-{A}"]
    with pytest.raises(InputError, match="expected recycling_base"):
        base_candidates([county], extra=[dataclasses.replace(extra, tier=Tier.SORTING_CENTRE)])


def test_whole_blades_travel_as_oversize_loads_and_never_by_rail() -> None:
    blades = MaterialStream.WIND_BLADES
    stations = (RailStation("sa", "A站", 93.45, 42.85, A), RailStation("sb", "B站", 87.25, 44.05, B))
    km = {(A, "sa"): 5, (B, "sb"): 5, ("base-A", "sa"): 5, ("base-B", "sb"): 5, ("sa", "sb"): 300,
          (A, "sb"): 300, (B, "sa"): 300, ("base-A", "sb"): 300, ("base-B", "sa"): 300}
    scenario = bases_scenario(stations=stations, extra_km=km)
    forecast = Forecast(tuple(ForecastRow(y, A, "6505", blades, 1_000.0) for y in range(2025, 2035)),
                        2025, 2034, 10_000.0, 0.0, ForecastParams())
    params = dataclasses.replace(BASES_PARAMS, blade_transport="whole", rail_rate_cny_per_t_km=0.01)
    plan = solve_bases(scenario, forecast, params=params)
    assert check_bases_plan(scenario, plan, forecast) == []
    assert {f.mode for f in plan.flows} == {"road"}
    # 10 km at 3.0 CNY/t·km plus 200 CNY/t permit and escort, 10 kt over 10 years.
    assert plan.costs_cny["transport"] == pytest.approx(10_000 * (10 * 3.0 + 200))
    assert plan.kpis["co2_t"] == pytest.approx(10_000 * 10 * scenario.costs.co2_kg_per_t_km["oversize_truck"] / 1000)
    cut = solve_bases(scenario, forecast, params=dataclasses.replace(BASES_PARAMS, rail_rate_cny_per_t_km=0.01))
    assert check_bases_plan(scenario, cut, forecast) == []
    assert cut.costs_cny["transport"] == pytest.approx(10_000 * (10 * 1.0 + 250))
