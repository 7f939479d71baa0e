"""Arc generation in the base-siting model: an unserved source is linked to an open base."""

from __future__ import annotations

import dataclasses

import pytest

from network.admin import Plant
from network.bases_params import BasesParams, ForecastParams
from network.matrix import TableTravelModel
from network.params import CostParams
from network.scenario import Scenario
from network.sites import CandidateSite, SizeLevel, Tier
from network.streams import EQUIPMENT_STREAMS, MaterialStream
from solver.bases.costs import build_arcs
from solver.bases.forecast import Forecast, ForecastRow
from solver.bases.policy import compare_policy
from solver.bases.sites import county_sources
from solver.bases.solve import solve_bases
from solver.check.bases import check_bases_plan

STEEL = MaterialStream.TOWERS_STEEL
A, C = "650502", "650521"  # Hami Yizhou and Barkol: one prefecture, so one "nearest of the prefecture"


def _scenario() -> Scenario:
    level = SizeLevel("only", Tier.RECYCLING_BASE, 50_000.0, 1_000_000.0, 0.0, 10_000.0)
    sites = (CandidateSite("base-A", "A", Tier.RECYCLING_BASE, 93.5, 42.8, A),
             CandidateSite("base-C", "C", Tier.RECYCLING_BASE, 93.0, 43.6, C))
    plants = (Plant("pA", "pA", "wind", 100.0, 2005, "operating", 93.4, 42.9, A, "6505", "test"),
              Plant("pC", "pC", "solar", 1.0, 2010, "operating", 93.1, 43.5, C, "6505", "test"))
    km = {(A, "base-A"): 10, (A, "base-C"): 200, (C, "base-A"): 200, (C, "base-C"): 50}
    return Scenario("arcs", (), sites, TableTravelModel(km), size_levels=(level,), plants=plants,
                    costs=CostParams(discount_rate=0.0))


def _forecast() -> Forecast:
    rows = [ForecastRow(y, A, "6505", STEEL, 10_000.0) for y in range(2025, 2035)]
    rows += [ForecastRow(y, C, "6505", STEEL, 10.0) for y in range(2025, 2035)]
    return Forecast(tuple(rows), 2025, 2034, 100_100.0, 0.0, ForecastParams())


ZERO = {"pv_modules": 0.0, "wind_blades": 0.0, "towers_steel": 0.0}
PARAMS = BasesParams(period_starts=(2025, 2030), end_year=2034, k_nearest=1,
                     road_rate_cny_per_t_km={"pv_modules": 1.0, "wind_blades": 1.0, "towers_steel": 1.0},
                     processing_cny_per_t=ZERO, revenue_cny_per_t=ZERO, relative_gap=0.0, time_limit_s=20.0)


def test_k_nearest_leaves_the_open_base_unlinked() -> None:
    scenario = _scenario()
    sources = county_sources([A, C], scenario.plants, scenario.counties)
    bases = [s.point for s in scenario.sites]
    arcs, _ = build_arcs(scenario, [s.point for s in sources], bases, EQUIPMENT_STREAMS, PARAMS,
                         groups=["6505", "6505"])
    assert {(a.i, a.j) for a in arcs} == {(0, 0), (1, 1)}  # A → base-A, C → base-C only
    more, _ = build_arcs(scenario, [s.point for s in sources], bases, EQUIPMENT_STREAMS, PARAMS,
                         groups=["6505", "6505"], extra={(1, 0)})
    added = [a for a in more if (a.i, a.j) == (1, 0)]
    assert len(added) == len(EQUIPMENT_STREAMS) and all(a.km == 200 and a.mode == "road" for a in added)
    # A pair beyond max_distance_km is not linked.
    far, _ = build_arcs(scenario, [s.point for s in sources], bases, EQUIPMENT_STREAMS,
                        dataclasses.replace(PARAMS, max_distance_km=100.0), extra={(1, 0)})
    assert all((a.i, a.j) != (1, 0) for a in far)


def test_unserved_source_is_linked_to_the_open_base() -> None:
    # By hand (no discounting, 1 M CNY/yr per open base, 1 CNY/t·km, penalty 20,000 CNY/t):
    # base-A must open (100 kt); C's 100 t over ten years cost 2 M unserved, 10 M + 5,000 at its
    # own base-C, 100 t · 200 km = 20,000 CNY at base-A. Linked only to base-C (k_nearest = 1),
    # the first solve leaves C unserved; arc generation links C to base-A and ships it there:
    # fixed 10 M, transport 100 kt · 10 km + 100 t · 200 km = 1.02 M.
    scenario, forecast = _scenario(), _forecast()
    plan = solve_bases(scenario, forecast, params=PARAMS)
    assert check_bases_plan(scenario, plan, forecast) == []
    assert [s.site_id for s in plan.sites] == ["base-A"]
    assert plan.kpis["unserved_t"] == pytest.approx(0.0, abs=1e-6) and plan.unserved == ()
    c_flows = [f for f in plan.flows if f.origin_id == C]
    assert {f.destination_id for f in c_flows} == {"base-A"} and all(f.distance_km == 200 for f in c_flows)
    assert sum(f.amount_t for f in c_flows) == pytest.approx(100.0)
    assert plan.costs_cny["fixed"] == pytest.approx(10_000_000)
    assert plan.costs_cny["transport"] == pytest.approx(1_020_000)
    assert plan.costs_cny["unserved_penalty"] == pytest.approx(0.0, abs=1e-6)
    assert "3 added from unserved sources to open bases" in plan.solve.message


def test_without_arc_generation_the_source_is_unserved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solver.bases.solve.MAX_ARC_ROUNDS", 0)
    scenario, forecast = _scenario(), _forecast()
    plan = solve_bases(scenario, forecast, params=PARAMS)
    assert check_bases_plan(scenario, plan, forecast) == []
    assert [s.site_id for s in plan.sites] == ["base-A"]
    assert plan.kpis["unserved_t"] == pytest.approx(100.0)
    assert plan.costs_cny["unserved_penalty"] == pytest.approx(2_000_000)
    assert "arc generation stopped after 0 rounds with 1 pairs still unlinked" in plan.solve.message


def test_no_arcs_added_when_nothing_is_unserved() -> None:
    scenario, forecast = _scenario(), _forecast()
    plan = solve_bases(scenario, forecast, params=dataclasses.replace(PARAMS, k_nearest=0))
    assert check_bases_plan(scenario, plan, forecast) == []
    assert "0 added" in plan.solve.message
    assert plan.costs_cny["transport"] == pytest.approx(1_020_000)


def test_policy_comparison_adds_the_arcs_to_both_plans() -> None:
    scenario, forecast = _scenario(), _forecast()
    result = compare_policy(scenario, forecast, params=PARAMS, prefectures=("6505",), time_limit_s=20)
    for plan in (result.policy, result.free):
        assert check_bases_plan(scenario, plan, forecast) == []
        assert plan.kpis["unserved_t"] == pytest.approx(0.0, abs=1e-6)
        assert "3 added" in plan.solve.message
    assert result.policy_cost_cny == pytest.approx(0.0, abs=1.0)
