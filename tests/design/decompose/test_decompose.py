"""Decomposition by area: its plan is a plan, its bound a bound, against exact optima of small instances."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from geodata.travel import CircuityTravelModel
from network import CandidateSite, County, MaterialStream, Scenario, SettlementType, SizeLevel, Tier, Village
from network.network_params import NetworkParams
from solver.check import check_network_plan
from solver.design import solve_network
from solver.design.decompose import bound_parts, part_labels, plan_parts
from tests.design.instances import random_three_tier

#: Three counties in three prefectures, 25 km apart: villages near a border reach the other side's points.
COUNTIES = (("650502", 93.50), ("652301", 93.80), ("653101", 94.10))
LEVELS = (
    SizeLevel("pt-s", Tier.COLLECTION_POINT, 60.0, 900.0, 2.0, 10.0),
    SizeLevel("pt-l", Tier.COLLECTION_POINT, 150.0, 1_600.0, 1.0, 20.0),
    SizeLevel("st", Tier.TRANSFER_STATION, 400.0, 6_000.0, 1.0, 100.0),
    SizeLevel("ce", Tier.SORTING_CENTRE, 900.0, 15_000.0, 0.5, 1_000.0),
)
EXACT = NetworkParams(max_distance_rural_km=30.0, time_limit_s=60.0, relative_gap=1e-7, threads=1,
                      decompose="off")


def multi_county(seed: int, counties_at: tuple[tuple[str, float], ...] = COUNTIES) -> Scenario:
    rng = np.random.default_rng(seed)
    villages, sites, counties = [], [], []
    for code, lon in counties_at:
        counties.append(County(code, f"县{code}", code[:4], f"地区{code[:4]}", lon, 42.8, seat_generated=False,
                               population=1000, households=300, urban_population=500, rural_population=500))
        for i in range(int(rng.integers(3, 6))):
            villages.append(Village(f"v{code}{i}", f"村{i}", code, code + "100", lon + rng.uniform(-0.15, 0.15),
                                    42.8 + rng.uniform(-0.1, 0.1), SettlementType.RURAL, 100.0, 300.0,
                                    {MaterialStream.GENERAL_RECYCLABLES: float(round(rng.uniform(5, 40)))}))
        for i in range(int(rng.integers(2, 4))):
            sites.append(CandidateSite(f"p{code}{i}", f"点{i}", Tier.COLLECTION_POINT,
                                       lon + rng.uniform(-0.15, 0.15), 42.8 + rng.uniform(-0.1, 0.1), code))
        sites.append(CandidateSite(f"s{code}", "站", Tier.TRANSFER_STATION, lon + rng.uniform(-0.1, 0.1), 42.85,
                                   code))
        if rng.uniform() < 0.7 or code == COUNTIES[0][0]:
            sites.append(CandidateSite(f"c{code}", "中心", Tier.SORTING_CENTRE, lon, 42.9, code))
    return Scenario(f"multi{seed}", tuple(villages), tuple(sites), CircuityTravelModel(1.3),
                    size_levels=LEVELS, counties=tuple(counties))


@pytest.mark.parametrize("seed", range(10))
def test_decomposed_bound_and_plan_bracket_the_exact_optimum(seed: int) -> None:
    scenario = multi_county(seed)
    exact = solve_network(scenario, params=EXACT)
    assert exact.solve.status == "optimal" and check_network_plan(scenario, exact, EXACT) == []
    optimum = exact.solve.objective
    params = dataclasses.replace(EXACT, decompose="prefecture", threads=2, time_limit_s=30.0)
    parts = solve_network(scenario, params=params)
    assert check_network_plan(scenario, parts, params) == []
    # A county without a sorting centre of its own joins the area its stations send to: 2 or 3 parts.
    assert parts.solve.message in ("decomposed into 2 parts", "decomposed into 3 parts")
    assert parts.solve.objective >= optimum * (1 - 1e-7)
    assert parts.solve.bound <= optimum * (1 + 1e-7)


def test_bound_parts_add_up_to_at_most_the_optimum_and_plan_parts_cover_every_client() -> None:
    # Array level, by hand-made areas on a random three-tier instance: split the fixed costs, keep every arc.
    from solver.design import solve_design

    for seed in range(5):
        a = random_three_tier(seed, single=True)
        client_area = np.arange(a.n_cli) % 2
        fac_area = np.arange(a.n_fac) % 2
        cli, fac = part_labels(a, client_area, fac_area)
        plans = plan_parts(a, cli, fac)
        assert sorted(np.concatenate([p.clients for p in plans]).tolist()) == list(range(a.n_cli))
        bounds = bound_parts(a, cli, fac)
        # Each site's fixed cost is split over the parts holding a copy: the shares add up to the whole.
        paid = np.zeros(len(a.opt_fixed))
        for p in bounds:
            np.add.at(paid, p.options, p.arrays.opt_fixed)
        assert np.allclose(paid, a.opt_fixed)
        optimum = solve_design(a, time_limit_s=20, relative_gap=1e-9).objective
        total = sum(solve_design(p.arrays, time_limit_s=20, relative_gap=1e-9).objective for p in bounds)
        assert total <= optimum * (1 + 1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_solve_by_parts_with_bound_parts_brackets_the_optimum(seed: int) -> None:
    from solver.design import solve_design
    from solver.design.decompose import solve_by_parts
    from solver.design.heuristic.repair import satisfies_rows

    a = random_three_tier(seed, single=True)
    optimum = solve_design(a, time_limit_s=20, relative_gap=1e-9).objective
    sol = solve_by_parts(a, np.arange(a.n_cli) % 2, np.arange(a.n_fac) % 2, time_limit_s=10, workers=2,
                         relative_gap=1e-9, with_bound_parts=True)
    assert satisfies_rows(sol.model, sol.values)
    assert sol.objective >= optimum * (1 - 1e-9) and sol.bound <= optimum * (1 + 1e-9)


def test_a_directly_administered_county_joins_the_nearest_prefecture() -> None:
    # 659002 (阿拉尔, prefecture code 6590: administered by the region directly) lies next to 652301.
    from solver.design import build_network_data
    from solver.design.solve import decomposition_areas

    scenario = multi_county(1, (("650502", 93.50), ("652301", 93.80), ("659002", 94.10)))
    params = dataclasses.replace(EXACT, decompose="prefecture")
    data = build_network_data(scenario, params)
    clients, _ = decomposition_areas(scenario, params, data)
    area = dict(zip((v.county_code for v in data.clients), clients.tolist(), strict=True))
    assert area["659002"] == area["652301"] != area["650502"]
