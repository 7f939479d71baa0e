"""The capacity network: what the arcs and largest sizes carry, its bottleneck, and the sparse arcs that keep it.

Instance of the data tests (t/yr, road km): the villages and points of
test_network_design (v1 10 t, v2 10 t, v3 20 t; points hold 100 t), a near
station s1 that holds only 20 t (fixed 500 CNY/yr) and a far station s2 that
holds 1,000 t (fixed 5,000): p1-s1 5, p2-s1 5, p1-s2 30, p2-s2 30, s1-c1 10,
s2-c1 10. With each point's one nearest station only, all 40 t would have to
pass s1.

With one nearest point per village too (v1, v2 → p1; v3 → p2), both points
open, 2,000 + 10,000 for the centre; villages → points 20 + 40 + 40 = 100;
s → c1 200. Then either both points → s2 (5,000 + 40·30 = 6,200) or p1 → s1
and p2 → s2 (500 + 100 + 5,000 + 600 = 6,200): 18,500 either way, and s2
open. (With every arc, p2 alone → s2 costs 17,700.)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from geodata.regions import load_region
from network import InfeasibleError, Scenario, SizeLevel, TableTravelModel, Tier
from network.network_params import NetworkParams
from solver.check.design import check_network_plan
from solver.design.data import build_network_data
from solver.design.flow import carried_flow
from solver.design.solve import solve_network
from tests.design.instances import hand_chain
from tests.scenarios import (
    DESIGN_COSTS,
    DESIGN_COUNTY,
    DESIGN_KM,
    DESIGN_LEVELS,
    DESIGN_PARAMS,
    design_site,
    design_village,
)

SMALL_STATION = SizeLevel("st_small", Tier.TRANSFER_STATION, 20.0, 500.0, 0.0, 50.0)
KM_TWO_STATIONS = {**DESIGN_KM, ("p1", "s2"): 30, ("p2", "s2"): 30, ("s2", "c1"): 10}


def _two_stations(*, s2: bool = True) -> Scenario:
    vs = (design_village("v1", 10, 93.50), design_village("v2", 10, 93.51), design_village("v3", 20, 93.52))
    sites = (design_site("p1", Tier.COLLECTION_POINT, 93.50), design_site("p2", Tier.COLLECTION_POINT, 93.52),
             design_site("s1", Tier.TRANSFER_STATION, 93.53, size_levels=("st_small",)),
             *([design_site("s2", Tier.TRANSFER_STATION, 93.90, size_levels=("st",))] if s2 else []),
             design_site("c1", Tier.SORTING_CENTRE, 93.60))
    return Scenario("two-stations", vs, sites, TableTravelModel(KM_TWO_STATIONS),
                    size_levels=(*DESIGN_LEVELS, SMALL_STATION), costs=DESIGN_COSTS, counties=(DESIGN_COUNTY,))


def test_everything_is_carried_when_capacity_suffices() -> None:
    flow = carried_flow(hand_chain())
    assert flow.carried_t == pytest.approx(30) and flow.short_t == 0
    assert len(flow.cut_clients) == 0 and len(flow.cut_sites) == 0


def test_a_small_station_is_the_cut_and_its_villages_are_named() -> None:
    a = hand_chain()
    a.opt_cap = np.array([50.0, 50.0, 25.0, 100.0])  # the one station holds 25 of 30 t
    flow = carried_flow(a)
    assert flow.carried_t == pytest.approx(25) and flow.short_t == pytest.approx(5)
    assert list(flow.cut_clients) == [0, 1] and list(flow.cut_sites) == [2]


def test_arcs_across_the_cut_are_the_ones_to_add() -> None:
    a = hand_chain()
    a.opt_cap = np.array([50.0, 50.0, 25.0, 100.0])
    denser = dataclasses.replace(  # a second station (site 4), reached from point 1
        a, fac_tier=np.append(a.fac_tier, 1), fac_forced=np.append(a.fac_forced, False),
        fac_shared=np.append(a.fac_shared, False), opt_fac=np.append(a.opt_fac, 4),
        opt_fixed=np.append(a.opt_fixed, 10.0), opt_cap=np.append(a.opt_cap, 100.0),
        opt_handling=np.append(a.opt_handling, 0.0), up_from=np.append(a.up_from, [1, 4]),
        up_to=np.append(a.up_to, [4, 3]), up_cost=np.append(a.up_cost, [5.0, 1.0]),
        up_co2=np.append(a.up_co2, [0.0, 0.0]))
    sparse = dataclasses.replace(denser, up_from=denser.up_from[:3], up_to=denser.up_to[:3],
                                 up_cost=denser.up_cost[:3], up_co2=denser.up_co2[:3])
    assert carried_flow(sparse).short_t == pytest.approx(5)
    cross_arcs, cross_up = carried_flow(sparse).crossing_arcs(denser)
    assert not cross_arcs.any()
    assert list(np.flatnonzero(cross_up)) == [3]  # point 1 -> the new station
    assert carried_flow(denser).short_t == 0


def test_sparse_arcs_keep_the_far_station_the_near_one_cannot_replace() -> None:
    sc = _two_stations()
    params = dataclasses.replace(DESIGN_PARAMS, k_nearest=1)
    data = build_network_data(sc, params)
    to_s2 = [data.sites[j].site_id for j, k in zip(data.arrays.up_from, data.arrays.up_to, strict=True)
             if data.sites[k].site_id == "s2"]
    assert sorted(to_s2) == ["p1", "p2"]  # beyond each point's one nearest station, kept for capacity
    assert carried_flow(data.arrays).short_t == 0
    plan = solve_network(sc, params=params)
    assert check_network_plan(sc, plan, params) == []
    assert plan.total_cost_cny == pytest.approx(18_500)
    assert "s2" in {s.site_id for s in plan.sites_of(Tier.TRANSFER_STATION)}
    full = solve_network(sc, params=dataclasses.replace(DESIGN_PARAMS, k_nearest=0))
    assert full.total_cost_cny == pytest.approx(17_700)


def test_too_little_station_capacity_is_explained_by_area_and_site() -> None:
    with pytest.raises(InfeasibleError, match=r"伊州区 \(650502\): 3 villages generate 40 t/yr, but every route of "
                                              r"theirs to a sorting centre passes 中转站 transfer station ×1 "
                                              r"\(20 t/yr: s1\).*20 t/yr cannot be carried"):
        solve_network(_two_stations(s2=False), params=DESIGN_PARAMS)


def test_urumqi_city_core_keeps_the_stations_it_needs() -> None:
    # Its 647 city communities reach 249 kt/yr, and their points' 12 nearest stations hold 170 kt/yr.
    data = build_network_data(load_region("urumqi"), NetworkParams())
    assert carried_flow(data.arrays).short_t == 0
    assert np.bincount(data.arrays.up_from).max() > NetworkParams().k_nearest
