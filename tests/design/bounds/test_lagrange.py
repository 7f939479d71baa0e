"""The Lagrangian bound: by hand, and never above the optimum on random three-tier instances."""

import math
import time
from dataclasses import replace

import numpy as np
import pytest

from solver.design.arrays import DesignArrays
from solver.design.bounds.collapse import collapse_lowest_tier
from solver.design.bounds.lagrange import lagrangian_bound
from solver.design.bounds.path import path_bound
from solver.design.model import build_design
from solver.mip import solve_mip
from tests.design.instances import random_three_tier


def hand_chain(forced_third: bool = False) -> DesignArrays:
    """v1 (1 t) reaches f1 at 0; v2 (9 t) reaches f1 at 900 and f2 at 0; both sites fixed 10, capacity 10.

    Path bound: f1 is charged 10 / 10 per tonne (10 t can reach it), f2 10 / 9;
    v1 1 + v2 10 = 11. Optimum (and LP, by x ≤ y): both sites open, 20. An
    optional third site f3 (fixed 50, no arcs) may be forced open: 70.
    """
    n = 3 if forced_third else 2
    return DesignArrays(
        fac_tier=np.zeros(n, dtype=np.int64), fac_forced=np.arange(n) == 2, fac_shared=np.zeros(n, dtype=bool),
        opt_fac=np.arange(n), opt_fixed=np.array([10.0, 10.0, 50.0])[:n], opt_cap=np.full(n, 10.0),
        opt_handling=np.zeros(n), demand=np.array([1.0, 9.0]), arc_cli=np.array([0, 1, 1]),
        arc_fac=np.array([0, 0, 1]), arc_cost=np.array([0.0, 900.0, 0.0]), arc_co2=np.zeros(3),
        single_source=False, single_source_upper=False)


@pytest.mark.parametrize("known_plan", [20.0, math.inf])
def test_the_bound_climbs_from_the_path_bound_to_the_optimum(known_plan: float) -> None:
    res = lagrangian_bound(hand_chain(), deadline=time.perf_counter() + 10, best_plan=lambda: known_plan)
    assert res.path_bound == pytest.approx(11.0)
    assert path_bound(hand_chain()) == pytest.approx(11.0)
    assert 19.9 <= res.bound <= 20.0 + 1e-9
    assert res.iterations > 0


def test_a_forced_site_pays_its_fixed_cost() -> None:
    res = lagrangian_bound(hand_chain(forced_third=True), deadline=time.perf_counter() + 10, best_plan=lambda: 70.0)
    assert 69.9 <= res.bound <= 70.0 + 1e-9


def test_a_stopped_search_answers_the_path_bound() -> None:
    res = lagrangian_bound(hand_chain(), deadline=time.perf_counter() + 10, stopped=lambda: True)
    assert res.iterations == 0 and res.bound == pytest.approx(11.0)


@pytest.mark.parametrize("single", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_the_bound_never_exceeds_the_optimum(seed: int, single: bool) -> None:
    a = random_three_tier(seed, single=single, max_demand=100.0)
    optimum = solve_mip(build_design(a).builder, time_limit_s=30, relative_gap=1e-9)
    assert optimum.status == "optimal"
    collapsed = collapse_lowest_tier(a)
    assert collapsed is not None
    # As the solver runs it: on the relaxation without the lowest tier, shares split.
    split = replace(collapsed.arrays, single_source=False, single_source_upper=False)
    for arrays in (a, split):
        res = lagrangian_bound(arrays, deadline=time.perf_counter() + 5, best_plan=lambda: optimum.objective)
        assert res.path_bound - 1e-6 <= res.bound <= optimum.objective * (1 + 1e-9)
        assert res.path_bound == pytest.approx(path_bound(arrays), rel=1e-9)
    # And it closes most of the way from the path bound to its relaxation's LP.
    lp = solve_mip(build_design(split).builder, relax=True, time_limit_s=30)
    res = lagrangian_bound(split, deadline=time.perf_counter() + 5, best_plan=lambda: optimum.objective)
    assert res.bound >= res.path_bound + 0.9 * (lp.objective - res.path_bound) - 1e-6
