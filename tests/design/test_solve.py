"""Three-tier network design on hand-computed instances, one per option.

The base instance (all distances road km, all amounts t/yr, 1 stream):

    villages v1 (10 t), v2 (10 t), v3 (20 t), rural, one county 伊州区
    points p1, p2: one level "pt" 100 t/yr, 1,000 CNY/yr fixed, no handling
    station s1: 1,000 t/yr, 5,000 CNY/yr; centre c1: 1,000 t/yr, 10,000 CNY/yr
    km: v1-p1 1, v2-p1 2, v3-p1 10, v1-p2 10, v2-p2 3, v3-p2 1,
        p1-s1 5, p2-s1 5, s1-c1 10, mobile v1-s1 15, v2-s1 40, v3-s1 40
    rates (CNY/t·km): village→point 2, point→station 1, station→centre 0.5

Base optimum: p2 alone. Fixed 16,000; village→point 10·10·2 + 10·3·2 + 20·1·2
= 300; p2→s1 40·5·1 = 200; s1→c1 40·10·0.5 = 200; total 16,700.
(p1 alone: 1,000 + 460 + 400 + 15,000 = 16,860; both: 2,000 + 100 + 400 +
15,000 = 17,500.)
"""

from __future__ import annotations

import dataclasses

import pytest

from network import (
    InfeasibleError,
    MaterialStream,
    Scenario,
    SiteStatus,
    Tier,
)
from network.network_params import NetworkParams
from solver.check.design import check_network_plan
from solver.design.solve import solve_network
from tests.scenarios import (
    DESIGN_COSTS,
    DESIGN_LEVELS,
    DESIGN_PARAMS,
    design_scenario,
    design_village,
)

GR = MaterialStream.GENERAL_RECYCLABLES


def solve(sc: Scenario, params: NetworkParams):
    plan = solve_network(sc, params=params)
    assert check_network_plan(sc, plan, params) == []
    assert plan.solve.status == "optimal"
    return plan


def open_ids(plan, tier: Tier = Tier.COLLECTION_POINT) -> set[str]:
    return {s.site_id for s in plan.sites_of(tier)}


def test_base_plan_opens_the_cheapest_point_and_costs_add_up() -> None:
    plan = solve(design_scenario(), DESIGN_PARAMS)
    assert open_ids(plan) == {"p2"}
    assert plan.costs_cny["fixed"] == pytest.approx(16_000)
    assert plan.costs_cny["transport"] == pytest.approx(700)
    assert plan.total_cost_cny == pytest.approx(16_700)
    assert plan.kpis["t_km"] == pytest.approx(150 + 200 + 400)
    # CO2: 150 t·km tricycle 0.05 + 200 light truck 0.28 + 400 medium truck 0.12 = 111.5 kg
    assert plan.kpis["co2_t"] == pytest.approx(0.1115)
    assert plan.kpis["coverage_share"] == 1.0
    assert plan.kpis["max_village_km"] == pytest.approx(10)
    assert plan.solve.gap == pytest.approx(0, abs=1e-6)


def test_coverage_radius_forces_both_points() -> None:
    plan = solve(design_scenario(), dataclasses.replace(DESIGN_PARAMS, max_distance_rural_km=5.0))
    assert open_ids(plan) == {"p1", "p2"}
    assert plan.total_cost_cny == pytest.approx(17_500)


def test_shared_site_gets_its_lower_fixed_cost() -> None:
    plan = solve(design_scenario(p1={"shared_with_garbage_sorting": True}), DESIGN_PARAMS)
    assert open_ids(plan) == {"p1"}
    assert plan.sites_of(Tier.COLLECTION_POINT)[0].fixed_cost_cny_per_year == pytest.approx(600)
    assert plan.total_cost_cny == pytest.approx(600 + 460 + 400 + 15_000)
    assert plan.kpis["shared_site_share"] == 1.0


def test_minimum_shared_share_switches_to_the_shared_point() -> None:
    costs = dataclasses.replace(DESIGN_COSTS, shared_site_fixed_cost_factor=1.0)
    sc = design_scenario(p1={"shared_with_garbage_sorting": True}, costs=costs)
    assert open_ids(solve(sc, DESIGN_PARAMS)) == {"p2"}
    plan = solve(sc, dataclasses.replace(DESIGN_PARAMS, min_shared_point_share=0.5))
    assert open_ids(plan) == {"p1"}
    assert plan.total_cost_cny == pytest.approx(16_860)


def test_mobile_collection_serves_the_far_village() -> None:
    # v1 by mobile: 10·15·1 + 52 visits·1 = 202 < 200 + 50 via p2; all by mobile would cost
    # 150 + 400 + 800 + 3·52 = 1,506 > 1,000 + 452 with p2.
    plan = solve(design_scenario(), dataclasses.replace(DESIGN_PARAMS, allow_mobile_collection=True))
    mobile = [a for a in plan.assignments if a.mode == "mobile"]
    assert [(a.client_id, a.server_id) for a in mobile] == [("v1", "s1")]
    assert plan.costs_cny["mobile_collection"] == pytest.approx(52)
    # v→p 60 + 40, p2→s1 30·5, mobile leg 10·15·1, s1→c1 200
    assert plan.costs_cny["transport"] == pytest.approx(100 + 150 + 150 + 200)
    assert plan.total_cost_cny == pytest.approx(16_652)
    assert plan.kpis["mobile_villages"] == 1


def test_co2_cap_opens_a_second_point() -> None:
    plan = solve(design_scenario(), dataclasses.replace(DESIGN_PARAMS, co2_cap_t=0.110))
    assert open_ids(plan) == {"p1", "p2"}
    assert plan.kpis["co2_t"] == pytest.approx(0.1065)
    assert plan.total_cost_cny == pytest.approx(17_500)


def test_co2_cap_below_the_minimum_is_explained() -> None:
    with pytest.raises(InfeasibleError, match="co2_cap_t"):
        solve_network(design_scenario(), params=dataclasses.replace(DESIGN_PARAMS, co2_cap_t=0.1))


def test_required_and_closed_sites() -> None:
    plan = solve(design_scenario(p1={"status": SiteStatus.REQUIRED}), DESIGN_PARAMS)
    assert open_ids(plan) == {"p1"}
    assert plan.total_cost_cny == pytest.approx(16_860)
    plan = solve(design_scenario(p2={"status": SiteStatus.CLOSED}), DESIGN_PARAMS)
    assert open_ids(plan) == {"p1"}


def test_forced_sites_above_the_site_budget_are_named() -> None:
    sc = design_scenario(p1={"status": SiteStatus.EXISTING}, p2={"status": SiteStatus.REQUIRED})
    with pytest.raises(InfeasibleError, match=r"2 sites are forced open .*p1, p2.* max_sites allows 1"):
        solve_network(sc, params=dataclasses.replace(DESIGN_PARAMS, max_sites={Tier.COLLECTION_POINT: 1}))


def test_fixed_cost_budget_that_cannot_be_met_is_named() -> None:
    params = dataclasses.replace(DESIGN_PARAMS, max_distance_rural_km=5.0, max_fixed_cost_cny=16_500.0)
    with pytest.raises(InfeasibleError, match="max_fixed_cost_cny"):
        solve_network(design_scenario(), params=params)


def test_site_budget_binds() -> None:
    # Radius 5 km: both points (17,500) beat p2 + v1 by mobile collection at 1,000 CNY a visit
    # (16,000 + 100 + 150 + 150 + 1,000 + 200 = 17,600); one point allowed -> the latter.
    costs = dataclasses.replace(DESIGN_COSTS, mobile_visit_cost_cny=1_000.0, mobile_visits_per_year=1.0)
    params = dataclasses.replace(DESIGN_PARAMS, max_distance_rural_km=5.0, allow_mobile_collection=True)
    assert solve(design_scenario(costs=costs), params).total_cost_cny == pytest.approx(17_500)
    plan = solve(design_scenario(costs=costs), dataclasses.replace(params, max_sites={Tier.COLLECTION_POINT: 1}))
    assert open_ids(plan) == {"p2"}
    assert plan.total_cost_cny == pytest.approx(17_600)


def test_density_rule_needs_two_points() -> None:
    # 3,200 rural households / 2,500 per point -> 2 points in the county.
    plan = solve(design_scenario(households_v1=3_000), dataclasses.replace(DESIGN_PARAMS, density_rule=True))
    assert open_ids(plan) == {"p1", "p2"}
    assert plan.total_cost_cny == pytest.approx(17_500)


def test_single_versus_split_sourcing() -> None:
    # a, b 15 t each; points hold 20 t; a-p1 1, b-p1 1, a-p2 5, b-p2 5 km.
    levels = (dataclasses.replace(DESIGN_LEVELS[0], capacity_t_per_year=20.0), *DESIGN_LEVELS[1:])
    vs = (design_village("a", 15, 93.50), design_village("b", 15, 93.51))
    km = {("a", "p1"): 1, ("b", "p1"): 1, ("a", "p2"): 5, ("b", "p2"): 5, ("p1", "s1"): 5, ("p2", "s1"): 5,
          ("s1", "c1"): 10}
    sc = design_scenario(villages=vs, km=km).with_changes(size_levels=levels)
    single = solve(sc, DESIGN_PARAMS)
    split = solve(sc, dataclasses.replace(DESIGN_PARAMS, single_sourcing=False))
    upper = 30 * 5 + 30 * 10 * 0.5
    assert single.total_cost_cny == pytest.approx(17_000 + 15 * 2 + 15 * 10 + upper)
    assert split.total_cost_cny == pytest.approx(17_000 + 20 * 2 + 10 * 10 + upper)
    # a and b are symmetric: either one splits (15 t = 5 t to p2 + 10 t to p1), the other stays whole.
    shares = sorted(len([x for x in split.assignments if x.client_id == v]) for v in ("a", "b"))
    assert shares == [1, 2]


def test_village_out_of_reach_is_named_with_its_county() -> None:
    params = dataclasses.replace(DESIGN_PARAMS, max_distance_rural_km=0.5)
    with pytest.raises(InfeasibleError, match=r"伊州区 \(650502\): 3 villages have no collection point"):
        solve_network(design_scenario(), params=params)


def test_unknown_network_key_is_an_error() -> None:
    from network import InputError, params_from_mapping

    with pytest.raises(InputError, match="'max_distance_km' is unknown"):
        params_from_mapping(NetworkParams, {"max_distance_km": 5}, source="plan.toml [network]")
