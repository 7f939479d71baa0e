"""The relaxation without the lowest tier: its arcs by hand, and its optimum below the full one."""

from dataclasses import replace

import numpy as np
import pytest

from solver.design.bounds.collapse import collapse_lowest_tier
from solver.design.model import build_design
from solver.design.search import solve_design
from solver.mip import solve_mip
from tests.design.instances import hand_chain, random_three_tier


def test_paths_through_the_lowest_tier_become_arcs_priced_per_tonne() -> None:
    collapsed = collapse_lowest_tier(hand_chain())
    assert collapsed is not None
    r = collapsed.arrays
    assert list(r.fac_tier) == [1, 2] and list(collapsed.options) == [2, 3]
    assert list(r.up_from) == [0] and list(r.up_to) == [1]
    # Point 0 can receive only 10 t: 100/10 + 1 = 11 per t; point 1 receives at most 30 t: 100/30 + 1.
    via_0 = 5 + 10 * (11 + 2)
    via_1 = 8 + 10 * (100 / 30 + 1 + 3)
    assert list(r.arc_cli) == [0, 1] and list(r.arc_fac) == [0, 0]
    assert r.arc_cost[0] == pytest.approx(min(via_0, via_1))
    assert r.arc_cost[1] == pytest.approx(4 + 20 * (100 / 30 + 1 + 3))


def test_a_village_is_charged_only_the_sizes_that_can_hold_it_under_single_sourcing() -> None:
    # Point 1 gets a small size (cap 15, fixed 30): 3 per t, but the 20 t village does not fit in it.
    a = hand_chain()
    a.opt_fac = np.array([0, 1, 1, 2, 3])
    a.opt_fixed, a.opt_cap = np.array([100.0, 30.0, 100.0, 1000.0, 2000.0]), np.array([50.0, 15.0, 50.0, 100.0, 100.0])
    a.opt_handling = np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    single = collapse_lowest_tier(a)
    split = collapse_lowest_tier(replace(a, single_source=False))
    assert single is not None and split is not None
    assert single.arrays.arc_cost[1] == pytest.approx(4 + 20 * (100 / 30 + 1 + 3))
    assert split.arrays.arc_cost[1] == pytest.approx(4 + 20 * (30 / 15 + 1 + 3))
    # The 10 t village fits the small size either way.
    assert single.arrays.arc_cost[0] == pytest.approx(min(5 + 10 * (11 + 2), 8 + 10 * (30 / 15 + 1 + 3)))


def test_a_single_tier_has_nothing_to_collapse() -> None:
    a = hand_chain()
    a.up_from, a.up_to, a.up_cost, a.up_co2 = (np.zeros(0, dtype=np.int64),) * 2 + (np.zeros(0),) * 2
    a.fac_tier = np.zeros(4, dtype=np.int64)
    assert collapse_lowest_tier(a) is None


@pytest.mark.parametrize("max_demand", [40.0, 100.0])
@pytest.mark.parametrize("single", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_the_relaxation_never_exceeds_the_full_optimum(seed: int, single: bool, max_demand: float) -> None:
    # Up to 100 t some villages outgrow a point's small size (60 t), which single sourcing then may not charge.
    a = random_three_tier(seed, single=single, max_demand=max_demand)
    full = solve_mip(build_design(a).builder, time_limit_s=30, relative_gap=1e-9)
    collapsed = collapse_lowest_tier(a)
    assert collapsed is not None
    relaxed_model = build_design(collapsed.arrays)
    relaxed = solve_mip(relaxed_model.builder, time_limit_s=30, relative_gap=1e-9)
    assert full.status == relaxed.status == "optimal"
    assert relaxed.objective <= full.objective * (1 + 1e-7)
    # With shares split too (as the solver runs it for its bound) it stays below.
    split_arrays = replace(collapsed.arrays, single_source=False, single_source_upper=False)
    split = solve_mip(build_design(split_arrays).builder, time_limit_s=30, relative_gap=1e-9)
    assert split.status == "optimal" and split.objective <= relaxed.objective * (1 + 1e-7)
    # The capacity cuts on every tier (the bound stage's model) cut off no solution.
    cut = solve_mip(build_design(split_arrays, every_tier_cuts=True).builder, time_limit_s=30, relative_gap=1e-9)
    assert cut.status == "optimal" and cut.objective == pytest.approx(split.objective, rel=1e-7)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("seed", range(3))
def test_the_solve_with_its_relaxation_stages_ends_at_the_proven_optimum(seed: int, threads: int) -> None:
    a = random_three_tier(seed, single=True)
    optimum = solve_mip(build_design(a).builder, time_limit_s=30, relative_gap=1e-9).objective
    sol = solve_design(a, time_limit_s=20, relative_gap=1e-6, threads=threads)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(optimum, rel=1e-6)
    assert sol.bound <= optimum * (1 + 1e-6)


def test_a_density_minimum_enters_as_the_fixed_cost_it_forces() -> None:
    # Both points must open: 200 of fixed cost, where per tonne the villages carry only 100·30/30 of it.
    a = hand_chain()
    a.min_open_groups = [(np.array([0, 1]), 2)]
    collapsed = collapse_lowest_tier(a)
    assert collapsed is not None and collapsed.offset == pytest.approx(200.0)
    # The points now charge handling only: 5 + 10 · (1 + 2) for village 0 via point 0.
    assert collapsed.arrays.arc_cost[0] == pytest.approx(min(5 + 10 * 3, 8 + 10 * 4))
    assert collapsed.arrays.arc_cost[1] == pytest.approx(4 + 20 * 4)
    # A minimum of one point: its 100 is worth less than the per-tonne charge, which stays.
    a.min_open_groups = [(np.array([0, 1]), 1)]
    plain = collapse_lowest_tier(a)
    assert plain is not None and plain.offset == 0.0
    assert plain.arrays.arc_cost[1] == pytest.approx(4 + 20 * (100 / 30 + 1 + 3))


@pytest.mark.parametrize("single", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_with_density_minimums_the_relaxation_plus_its_offset_stays_below_the_optimum(seed: int, single: bool) -> None:
    a = random_three_tier(seed, single=single)
    a.min_open_groups = [(np.array([0, 1]), 2), (np.array([2, 3]), 1)]
    full = solve_mip(build_design(a).builder, time_limit_s=30, relative_gap=1e-9)
    collapsed = collapse_lowest_tier(a)
    assert collapsed is not None and collapsed.offset > 0  # 3 points at 300 each: worth more than per tonne
    split = replace(collapsed.arrays, single_source=False, single_source_upper=False)
    relaxed = solve_mip(build_design(split, every_tier_cuts=True).builder, time_limit_s=30, relative_gap=1e-9)
    assert full.status == relaxed.status == "optimal"
    assert relaxed.objective + collapsed.offset <= full.objective * (1 + 1e-7)
    # and above the relaxation that ignores the minimums
    a.min_open_groups = []
    plain = collapse_lowest_tier(a)
    plain_split = replace(plain.arrays, single_source=False, single_source_upper=False)
    weaker = solve_mip(build_design(plain_split, every_tier_cuts=True).builder, time_limit_s=30, relative_gap=1e-9)
    assert relaxed.objective + collapsed.offset >= weaker.objective - 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_with_a_co2_cap_the_relaxation_keeps_it_and_stays_below_the_optimum(seed: int) -> None:
    a = random_three_tier(seed, single=True)
    rng = np.random.default_rng(seed)
    a.arc_co2 = rng.uniform(0.5, 2.0, len(a.arc_cli)) * a.demand[a.arc_cli]
    a.up_co2 = rng.uniform(0.5, 2.0, len(a.up_from))
    free = build_design(a)
    free_plan = solve_mip(free.builder, time_limit_s=30, relative_gap=1e-9)
    emitted = float(np.concatenate([a.arc_co2, a.up_co2]) @ free_plan.values[np.concatenate([free.x, free.f])])
    a.co2_cap = 0.9 * emitted
    full = solve_mip(build_design(a).builder, time_limit_s=30, relative_gap=1e-9)
    collapsed = collapse_lowest_tier(a)
    assert collapsed is not None and collapsed.arrays.co2_cap == a.co2_cap
    split = replace(collapsed.arrays, single_source=False, single_source_upper=False)
    relaxed = solve_mip(build_design(split, every_tier_cuts=True).builder, time_limit_s=30, relative_gap=1e-9)
    assert full.status == relaxed.status == "optimal"
    assert relaxed.objective <= full.objective * (1 + 1e-7)
    # Seed 5: 15,596 with the cap against 10,525 without (the full optimum 15,881).
    uncapped = solve_mip(build_design(replace(split, co2_cap=None), every_tier_cuts=True).builder,
                         time_limit_s=30, relative_gap=1e-9)
    assert relaxed.objective >= uncapped.objective - 1e-6
