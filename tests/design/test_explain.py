"""Why no plan exists, on hand-made instances (see ``solver.design.explain``).

Built on the base instance of ``test_network_design`` (one county 伊州区,
points of one 100 t/yr level, village→point radius 50 km).
"""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from network import InfeasibleError, SiteStatus, SizeLevel, SolverError, TableTravelModel, Tier
from solver.check.design import check_network_plan
from solver.design import solve as network_design
from solver.design.data import build_network_data
from solver.design.explain import _setting
from solver.design.search import solve_design
from solver.design.solve import solve_network
from tests.scenarios import (
    DESIGN_KM,
    DESIGN_LEVELS,
    DESIGN_PARAMS,
    design_scenario,
    design_site,
    design_village,
)

# v3 (150 t) is larger than any point (100 t). Under single sourcing it must be collected
# whole by a mobile vehicle from s1 (40 km); s2 is 100 km away, beyond the 60 km mobile radius.
BIG_KM = {**DESIGN_KM, ("p1", "s2"): 5, ("p2", "s2"): 5, ("s2", "c1"): 10, ("v1", "s2"): 100, ("v2", "s2"): 100,
          ("v3", "s2"): 100}
MOBILE = dataclasses.replace(DESIGN_PARAMS, allow_mobile_collection=True)


def big_village_scenario(station_t: float):
    levels = (DESIGN_LEVELS[0], SizeLevel("st", Tier.TRANSFER_STATION, station_t, 5_000.0, 0.0, 100.0), DESIGN_LEVELS[2])
    sc = design_scenario(villages=(design_village("v1", 10, 93.50), design_village("v2", 10, 93.51), design_village("v3", 150, 93.52)),
                  km=BIG_KM)
    return sc.with_changes(sites=(*sc.sites, design_site("s2", Tier.TRANSFER_STATION, 93.54)), size_levels=levels,
                           travel=TableTravelModel(BIG_KM))


def test_a_village_larger_than_every_point_and_its_mobile_stations_is_named() -> None:
    # 170 t/yr in all fit the two stations (240 t/yr), so the capacity network carries everything;
    # but v3 cannot be split, no point holds it, and s1 holds only 120 t/yr.
    with pytest.raises(InfeasibleError) as err:
        solve_network(big_village_scenario(120.0), params=MOBILE)
    text = str(err.value)
    assert "伊州区 (650502)" in text and "村v3 (150 t/yr)" in text
    assert "s1" in text and "120 t/yr" in text and "30 t/yr cannot be carried" in text
    assert "s2" not in text
    # Split sourcing: 100 t of v3 at p2, 50 t by mobile collection.
    plan = solve_network(big_village_scenario(120.0), params=dataclasses.replace(MOBILE, single_sourcing=False))
    assert check_network_plan(big_village_scenario(120.0), plan, dataclasses.replace(MOBILE, single_sourcing=False)) == []


def test_a_big_village_fits_when_its_mobile_station_is_large_enough() -> None:
    sc = big_village_scenario(160.0)
    plan = solve_network(sc, params=MOBILE)
    assert check_network_plan(sc, plan, MOBILE) == []
    assert [(a.client_id, a.server_id) for a in plan.assignments if a.mode == "mobile"] == [("v3", "s1")]


def test_without_mobile_collection_a_big_village_is_named() -> None:
    with pytest.raises(InfeasibleError, match=r"村v3 \(150 t/yr\).*allow_mobile_collection"):
        solve_network(big_village_scenario(1_000.0), params=DESIGN_PARAMS)


def test_whole_villages_that_do_not_pack_name_the_split_plan() -> None:
    # a, b 15 t and c 10 t; two points of 20 t each reach all three: 40 t fit when a village may
    # split (15 + 5, 10 + 10), but no two whole villages share a point.
    levels = (dataclasses.replace(DESIGN_LEVELS[0], capacity_t_per_year=20.0), *DESIGN_LEVELS[1:])
    vs = (design_village("a", 15, 93.50), design_village("b", 15, 93.51), design_village("c", 10, 93.52))
    km = {(v, p): 1 for v in "abc" for p in ("p1", "p2")} | {("p1", "s1"): 5, ("p2", "s1"): 5, ("s1", "c1"): 10}
    sc = design_scenario(villages=vs, km=km).with_changes(size_levels=levels)
    with pytest.raises(InfeasibleError) as err:
        solve_network(sc, params=DESIGN_PARAMS)
    text = str(err.value)
    assert "single_sourcing = false" in text and "伊州区 (650502)" in text
    # The cheapest split plan: 17,000 fixed + 40 t × (1 km × 2 + 5 × 1 + 10 × 0.5) = 17,480 CNY/yr.
    assert "17,480 CNY/yr" in text
    assert "村a (15 t/yr)" in text or "村b (15 t/yr)" in text


def test_a_point_whose_flow_fits_no_single_station_is_named() -> None:
    # 60 t reach p1; the stations s1, s2 hold 40 t each: p1 must send to both.
    levels = (DESIGN_LEVELS[0], SizeLevel("st", Tier.TRANSFER_STATION, 40.0, 5_000.0, 0.0, 100.0), DESIGN_LEVELS[2])
    vs = (design_village("a", 20, 93.50), design_village("b", 20, 93.51), design_village("c", 20, 93.52))
    km = {(v, "p1"): 1 for v in "abc"} | {("p1", "s1"): 5, ("p1", "s2"): 6, ("s1", "c1"): 10, ("s2", "c1"): 10}
    sc = design_scenario(villages=vs, km=km, p2={"status": SiteStatus.CLOSED}).with_changes(size_levels=levels)
    sc = sc.with_changes(sites=(*sc.sites, design_site("s2", Tier.TRANSFER_STATION, 93.54)))
    with pytest.raises(InfeasibleError, match=r"divides the flow of 1 site\(s\) over several higher sites \(p1\)"):
        solve_network(sc, params=DESIGN_PARAMS)


def test_villages_without_any_point_in_reach_are_named_once() -> None:
    # No point within 0.5 km: the coverage check names them; they are not "too big for a point" as well.
    with pytest.raises(InfeasibleError) as err:
        solve_network(design_scenario(), params=dataclasses.replace(DESIGN_PARAMS, max_distance_rural_km=0.5))
    text = str(err.value)
    assert "3 villages have no collection point" in text
    assert "more than the largest collection point" not in text


def test_a_site_budget_below_the_tonnes_that_must_pass_its_tier_is_named() -> None:
    # 170 t/yr pass the stations (120 t/yr each); one station allowed cannot hold them.
    params = dataclasses.replace(MOBILE, single_sourcing=False, max_sites={Tier.TRANSFER_STATION: 1})
    with pytest.raises(InfeasibleError, match=r"transfer station: max_sites allows 1, but every tonne passes this "
                                              r"tier and the 1 largest of its sites hold 120 t/yr .* below the "
                                              r"170 t/yr"):
        solve_network(big_village_scenario(120.0), params=params)
    two = dataclasses.replace(params, max_sites={Tier.TRANSFER_STATION: 2})
    plan = solve_network(big_village_scenario(120.0), params=two)
    assert check_network_plan(big_village_scenario(120.0), plan, two) == []
    assert len(plan.sites_of(Tier.TRANSFER_STATION)) == 2


def test_settings_are_quoted_as_a_scenario_file_writes_them() -> None:
    assert _setting({Tier.SORTING_CENTRE: 1, Tier.TRANSFER_STATION: 3}) == "sorting_centre = 1, transfer_station = 3"
    assert _setting(1_000_000.0) == "1,000,000"
    assert _setting(0.25) == "0.25"


def test_a_site_budget_below_what_coverage_needs_says_how_many() -> None:
    # Within 5 km, v1 reaches only p1 and v3 only p2: every plan opens both points.
    params = dataclasses.replace(DESIGN_PARAMS, max_distance_rural_km=5.0, max_sites={Tier.COLLECTION_POINT: 1})
    with pytest.raises(InfeasibleError, match=r"collection point: max_sites allows 1, but every plan needs at "
                                              r"least 2 to serve every village"):
        solve_network(design_scenario(), params=params)


def test_a_fixed_cost_budget_below_what_coverage_needs_gives_the_least_fixed_cost() -> None:
    # Within 5 km both points open: 2 × 1,000 + 5,000 + 10,000 = 17,000 CNY/yr of fixed cost at least.
    params = dataclasses.replace(DESIGN_PARAMS, max_distance_rural_km=5.0, max_fixed_cost_cny=16_500.0)
    with pytest.raises(InfeasibleError, match=r"max_fixed_cost_cny = 16,500 is below the fixed cost every plan "
                                              r"needs \(at least 17,000 CNY/yr\)"):
        solve_network(design_scenario(), params=params)


def test_a_co2_cap_below_the_least_emissions_gives_them() -> None:
    # Both points open, each village to its nearest: 0.1065 t CO2/yr (test_network_design).
    with pytest.raises(InfeasibleError, match=r"co2_cap_t = 0.1 t/yr is below .* \(0.1065 t/yr or more\)"):
        solve_network(design_scenario(), params=dataclasses.replace(DESIGN_PARAMS, co2_cap_t=0.1))


def pigeonhole_scenario():
    """30 villages of 15 t and 25 points of 20 t: 450 t fit in 500 t of points when villages split,
    but a point holds one whole village at most."""
    levels = (dataclasses.replace(DESIGN_LEVELS[0], capacity_t_per_year=20.0), *DESIGN_LEVELS[1:])
    vs = tuple(design_village(f"v{i}", 15, 93.50 + 0.001 * i) for i in range(30))
    points = tuple(design_site(f"p{j}", Tier.COLLECTION_POINT, 93.50 + 0.001 * j) for j in range(25))
    km = {(f"v{i}", f"p{j}"): 1 + (i * 7 + j * 3) % 5 for i in range(30) for j in range(25)}
    km |= {(f"p{j}", "s1"): 5 for j in range(25)} | {("s1", "c1"): 10}
    sc = design_scenario(villages=vs, km=km)
    return sc.with_changes(sites=(*points, *sc.sites[2:]), size_levels=levels, travel=TableTravelModel(km))


ALL_ARCS = dataclasses.replace(DESIGN_PARAMS, k_nearest=0)  # 750 village arcs: the heuristic runs first


def test_whole_villages_that_do_not_pack_are_named_on_the_heuristic_path() -> None:
    with pytest.raises(InfeasibleError, match=r"伊州区 \(650502\): the tonnes fit, but not in whole loads: a plan "
                                              r"exists when shares may split .* it divides \d+ villages over several "
                                              r"sites"):
        solve_network(pigeonhole_scenario(), params=ALL_ARCS)


def test_the_search_keeps_the_split_plan_it_found(monkeypatch: pytest.MonkeyPatch) -> None:
    data = build_network_data(pigeonhole_scenario(), ALL_ARCS)
    sol = solve_design(data.arrays, time_limit_s=10)
    assert sol.status == "infeasible"
    split = solve_network(pigeonhole_scenario(), params=dataclasses.replace(ALL_ARCS, single_sourcing=False))
    assert split.total_cost_cny == pytest.approx(43_440)
    assert sol.split_objective == pytest.approx(split.total_cost_cny)
    # A solve that ends with no plan and no proof says a split plan exists.
    monkeypatch.setattr(network_design, "solve_design", lambda *args, **kw: dataclasses.replace(sol, status="time_limit"))
    with pytest.raises(SolverError, match=r"no plan with whole villages .* with shares split there is one "
                                          r"\(43,440 CNY/yr\)"):
        solve_network(pigeonhole_scenario(), params=ALL_ARCS)


def test_a_least_cost_check_stops_once_its_bound_passes_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # HiGHS takes no bound limit: solves of doubling length, each running to its limit with a higher bound.
    import types

    from solver.design import explain as network_explain
    from solver.mip import MipResult

    now = [0.0]
    limits: list[float] = []
    bounds = iter([5.0, 9.0, 12.0, 14.0])

    def clocked(builder, *, time_limit_s: float, **kwargs) -> MipResult:
        limits.append(time_limit_s)
        now[0] += time_limit_s
        return MipResult("time_limit", None, math.inf, next(bounds), time_limit_s)

    monkeypatch.setattr(network_explain, "solve_mip", clocked)
    monkeypatch.setattr(network_explain, "clock", types.SimpleNamespace(now=lambda: now[0]))
    a = build_network_data(design_scenario(), DESIGN_PARAMS).arrays
    quick = network_explain.QUICK_CHECK_S
    assert network_explain._least(a, 60.0, 8.0, opt_fixed=a.opt_fixed) == 9.0
    assert limits == [quick, 2 * quick]
    # A setting the bound never passes: the solves double until the last one takes all that is left.
    limits.clear()
    bounds = iter([5.0, 9.0, 12.0, 14.0])
    assert network_explain._least(a, 10 * quick, 100.0, opt_fixed=a.opt_fixed) == 12.0
    assert limits == [quick, 2 * quick, 7 * quick]


@pytest.mark.parametrize(("budget", "said"), [
    (20_000.0, r"found no plan within .*\. The limits set leave few plans, or none: max_fixed_cost_cny = 20,000 "
               r"\(every plan needs at least 17,000 CNY/yr of fixed cost\)\. Raise a limit close to the least"),
    (16_500.0, r"found no plan within .*\. No plan exists: the fixed-cost budget max_fixed_cost_cny = 16,500 "
               r"is below the fixed cost every plan needs \(at least 17,000 CNY/yr\)")])
def test_a_solve_without_a_plan_in_time_sets_the_budgets_against_the_least(
        monkeypatch: pytest.MonkeyPatch, budget: float, said: str) -> None:
    # Within 5 km both points open: 17,000 CNY/yr of fixed cost at least (as above).
    params = dataclasses.replace(DESIGN_PARAMS, max_distance_rural_km=5.0, max_fixed_cost_cny=budget)
    sol = solve_design(build_network_data(design_scenario(), params).arrays, time_limit_s=10)
    monkeypatch.setattr(network_design, "solve_design", lambda *args, **kw: dataclasses.replace(
        sol, values=None, status="time_limit", split_objective=math.inf))
    with pytest.raises(SolverError, match=said):
        solve_network(design_scenario(), params=params)


@pytest.mark.parametrize(("closed", "said"), [
    ("c1", r"^分拣中心 sorting centre: no site can open \(of 1 candidates: 1 closed\), and every tonne ends at one"),
    ("s1", r"^中转站 transfer station: no site can open \(of 1 candidates: 1 closed\), and every tonne passes one "
           r"on its way to a sorting centre")])
def test_a_tier_with_no_site_that_can_open_is_named_alone(closed: str, said: str) -> None:
    # Its closing leaves the points no way up: the villages must not be listed as having no point in reach.
    sc = design_scenario()
    sc = dataclasses.replace(sc, sites=tuple(dataclasses.replace(s, status=SiteStatus.CLOSED) if s.site_id == closed
                                             else s for s in sc.sites))
    with pytest.raises(InfeasibleError) as caught:
        solve_network(sc, params=DESIGN_PARAMS)
    assert len(caught.value.reasons) == 1
    assert re.match(said, caught.value.reasons[0])


def test_villages_whose_points_reach_no_station_say_so() -> None:
    # Both points are 5 km from s1: with at most 4 km they are left out, and the villages lose them.
    params = dataclasses.replace(DESIGN_PARAMS, max_distance_point_station_km=4.0)
    with pytest.raises(InfeasibleError, match=r"3 villages have no collection point within the coverage distance "
                                              r"\(urban 5 km, rural 50 km\) \(2 candidate points of the county are "
                                              r"left out: no transfer station within max_distance_point_station_km "
                                              r"= 4 km\)"):
        solve_network(design_scenario(), params=params)
