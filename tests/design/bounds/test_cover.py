"""Cover knapsacks: exact against enumeration, and the bound they lift above the strong LP."""

import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.design.arrays import DesignArrays
from solver.design.bounds.cover import GRID, CoverKnapsack
from solver.design.bounds.lagrange import lagrangian_bound
from solver.design.model import build_design
from solver.mip import solve_mip


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_the_cover_is_the_cheapest_by_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, width = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    n_opt = n * width
    options = np.arange(n_opt).reshape(n, width)
    options[rng.random((n, width)) < 0.2] = -1
    options[:, 0] = np.arange(n) * width  # every site has an option
    demand = float(rng.uniform(10, 100))
    # Whole grid steps, so the rounded capacities are exact and enumeration is the reference.
    capacity = rng.integers(1, GRID, n_opt) * (demand / GRID)
    forced = rng.random(n) < 0.2
    values = np.where(options >= 0, rng.uniform(-20, 50, (n, width)), np.inf)
    cover = CoverKnapsack(np.arange(n), options, capacity, forced, demand)
    value, chosen = cover.choose(values)
    best = np.inf
    for pick in itertools.product(*[[-1, *range(width)] for _ in range(n)]):
        if any(r < 0 and forced[k] or r >= 0 and options[k, r] < 0 for k, r in enumerate(pick)):
            continue
        held = sum(capacity[options[k, r]] for k, r in enumerate(pick) if r >= 0)
        if held >= demand * (1 - 1e-9):
            best = min(best, sum(values[k, r] for k, r in enumerate(pick) if r >= 0))
    assert value == pytest.approx(best, abs=1e-9)
    if np.isfinite(best):
        chosen_value = sum(values[k, list(options[k]).index(o)] for k, o in enumerate(chosen) if o >= 0)
        assert chosen_value == pytest.approx(best, abs=1e-9)
        assert capacity[chosen[chosen >= 0]].sum() >= demand * (1 - 1e-9)
        assert not np.any(forced & (chosen < 0))


def two_small_sites() -> DesignArrays:
    """One client of 10 t; two sites of 6 t, fixed cost 6 each, no transport cost.

    The strong LP opens each site 5/6 (cost 10); a plan needs both (12).
    """
    return DesignArrays(
        fac_tier=np.zeros(2, dtype=np.int64), fac_forced=np.zeros(2, dtype=bool), fac_shared=np.zeros(2, dtype=bool),
        opt_fac=np.arange(2), opt_fixed=np.full(2, 6.0), opt_cap=np.full(2, 6.0), opt_handling=np.zeros(2),
        demand=np.array([10.0]), arc_cli=np.array([0, 0]), arc_fac=np.array([0, 1]), arc_cost=np.zeros(2),
        arc_co2=np.zeros(2), single_source=False, single_source_upper=False)


def test_the_cover_lifts_the_bound_above_the_strong_lp() -> None:
    a = two_small_sites()
    lp = solve_mip(build_design(a).builder, relax=True, time_limit_s=10)
    assert lp.objective == pytest.approx(10.0)
    res = lagrangian_bound(a, deadline=time.perf_counter() + 10, best_plan=lambda: 12.0)
    assert 11.99 <= res.bound <= 12.0 + 1e-9
    # Both sites open in (nearly) every step: the guide's plan opens both.
    assert res.option_share is not None and np.all(res.option_share > 0.9)
    assert np.all((res.option_share >= 0) & (res.option_share <= 1 + 1e-12))
