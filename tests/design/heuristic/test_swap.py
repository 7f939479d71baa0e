"""Swap-based local search (solver.design.heuristic.swap) against brute force on tiny p-median and UFL instances."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

from solver.design.arrays import DesignArrays
from solver.design.heuristic.interchange import prepare_instance
from solver.design.heuristic.swap import _Search, swap_applicable, swap_search


def _arrays(cost: np.ndarray, *, fixed: np.ndarray | None = None, p: int | None = None,
            max_open: int | None = None, forced: tuple[int, ...] = (), handling: np.ndarray | None = None,
            demand: np.ndarray | None = None) -> DesignArrays:
    """Single-tier uncapacitated arrays from a (facility × client) cost matrix; inf = no arc."""
    m, n = cost.shape
    fac, cli = np.nonzero(np.isfinite(cost))
    order = np.lexsort((fac, cli))
    fac, cli = fac[order], cli[order]
    fac_forced = np.zeros(m, dtype=bool)
    fac_forced[list(forced)] = True
    return DesignArrays(
        fac_tier=np.zeros(m, dtype=np.int64), fac_forced=fac_forced, fac_shared=np.zeros(m, dtype=bool),
        opt_fac=np.arange(m, dtype=np.int64), opt_fixed=np.zeros(m) if fixed is None else fixed,
        opt_cap=np.full(m, np.inf), opt_handling=np.zeros(m) if handling is None else handling,
        demand=np.ones(n) if demand is None else demand, arc_cli=cli.astype(np.int64),
        arc_fac=fac.astype(np.int64), arc_cost=cost[fac, cli], arc_co2=np.zeros(len(fac)),
        exact_open={0: p} if p is not None else {}, max_open={0: max_open} if max_open is not None else {})


def _brute_force(cost: np.ndarray, fixed: np.ndarray, counts: range, forced: tuple[int, ...] = ()) -> float:
    """Optimum over every open set whose size is in ``counts`` and that contains ``forced``."""
    m = cost.shape[0]
    best = math.inf
    for k in counts:
        for subset in itertools.combinations(range(m), k):
            if not set(forced) <= set(subset):
                continue
            value = fixed[list(subset)].sum() + cost[list(subset)].min(axis=0).sum()
            best = min(best, value)
    return float(best)


def _soon(seconds: float = 0.05) -> float:
    return time.perf_counter() + seconds


def _random_costs(rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    sites, clients = rng.uniform(0, 100, (m, 2)), rng.uniform(0, 100, (n, 2))
    return np.round(np.linalg.norm(sites[:, None] - clients[None], axis=2), 1)


def test_two_clusters_on_a_line_open_one_median_each() -> None:
    position = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    cost = np.abs(position[:, None] - position[None, :])
    is_open, objective = swap_search(_arrays(cost, p=2), deadline=_soon())
    assert set(np.flatnonzero(is_open)) == {1, 4}
    assert objective == 4.0


@pytest.mark.parametrize("seed", range(4))
def test_p_median_matches_brute_force_for_every_p(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cost = _random_costs(rng, 8, 12)
    for p in range(1, 9):
        is_open, objective = swap_search(_arrays(cost, p=p), deadline=_soon(0.02), seed=seed)
        assert is_open.sum() == p
        assert objective == pytest.approx(_brute_force(cost, np.zeros(8), range(p, p + 1)))
        assert objective == pytest.approx(cost[is_open].min(axis=0).sum())


@pytest.mark.parametrize("seed", range(4))
def test_ufl_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cost = _random_costs(rng, 8, 15)
    fixed = np.round(rng.uniform(20, 150, 8), 1)
    is_open, objective = swap_search(_arrays(cost, fixed=fixed), deadline=_soon(), seed=seed)
    assert objective == pytest.approx(_brute_force(cost, fixed, range(1, 9)))
    assert objective == pytest.approx(fixed[is_open].sum() + cost[is_open].min(axis=0).sum())


def test_ufl_with_an_open_limit_and_forced_sites() -> None:
    rng = np.random.default_rng(7)
    cost = _random_costs(rng, 8, 15)
    fixed = np.full(8, 5.0)  # cheap sites: without the limit many would open
    unlimited, _ = swap_search(_arrays(cost, fixed=fixed), deadline=_soon())
    assert unlimited.sum() > 3
    is_open, objective = swap_search(_arrays(cost, fixed=fixed, max_open=3, forced=(0,)), deadline=_soon())
    assert is_open[0] and is_open.sum() <= 3
    assert objective == pytest.approx(_brute_force(cost, fixed, range(1, 4), forced=(0,)))


def test_forced_sites_stay_open_in_a_p_median() -> None:
    rng = np.random.default_rng(3)
    cost = _random_costs(rng, 8, 12)
    is_open, objective = swap_search(_arrays(cost, p=3, forced=(2, 5)), deadline=_soon())
    assert is_open[2] and is_open[5] and is_open.sum() == 3
    assert objective == pytest.approx(_brute_force(cost, np.zeros(8), range(3, 4), forced=(2, 5)))


def test_sparse_arcs_serve_every_client() -> None:
    rng = np.random.default_rng(11)
    cost = _random_costs(rng, 7, 10)
    cost[rng.random(cost.shape) < 0.5] = np.inf
    cost[rng.integers(7, size=10), np.arange(10)] = 50.0  # every client keeps at least one arc
    for p in (3, 5):
        result = swap_search(_arrays(cost, p=p), deadline=_soon(), seed=1)
        known = _brute_force(cost, np.zeros(7), range(p, p + 1))
        if math.isinf(known):
            assert result is None
        else:
            assert result is not None and result[1] == pytest.approx(known)


def test_handling_cost_is_charged_per_unit_of_demand() -> None:
    cost = np.array([[1.0, 1.0], [2.0, 2.0]])
    a = _arrays(cost, p=1, handling=np.array([5.0, 0.0]), demand=np.array([1.0, 2.0]))
    is_open, objective = swap_search(a, deadline=_soon())
    assert list(is_open) == [False, True]  # site 0: 2 + 5 * 3 = 17 > site 1: 4
    assert objective == 4.0


def test_start_is_repaired_to_p_sites() -> None:
    rng = np.random.default_rng(5)
    cost = _random_costs(rng, 8, 12)
    is_open, objective = swap_search(_arrays(cost, p=2), deadline=_soon(), start=np.ones(8, dtype=bool))
    assert is_open.sum() == 2
    assert objective == pytest.approx(_brute_force(cost, np.zeros(8), range(2, 3)))


def test_infeasible_instances_give_none() -> None:
    cost = np.array([[1.0, np.inf, 2.0], [3.0, np.inf, 1.0]])
    assert swap_search(_arrays(cost, p=1), deadline=_soon()) is None  # client 1 has no arc
    cost = np.array([[1.0, np.inf], [np.inf, 1.0]])
    assert swap_search(_arrays(cost, p=1), deadline=_soon()) is None  # one site reaches one client
    assert swap_search(_arrays(cost, p=1, forced=(0, 1)), deadline=_soon()) is None  # 2 forced, p = 1
    assert swap_search(_arrays(cost, p=2), deadline=_soon()) is not None


def test_applicability() -> None:
    cost = np.ones((3, 4))
    assert swap_applicable(_arrays(cost, p=2))
    capacitated = _arrays(cost)
    capacitated.opt_cap = np.full(3, 10.0)
    two_tiers = _arrays(cost)
    two_tiers.fac_tier = np.array([0, 0, 1])
    upper = _arrays(cost)
    upper.up_from, upper.up_to = np.array([0]), np.array([1])
    two_options = _arrays(cost)
    two_options.opt_fac = np.array([0, 0, 1])
    co2 = _arrays(cost)
    co2.co2_cap = 1.0
    other_tier_limit = _arrays(cost)
    other_tier_limit.max_open = {1: 1}
    groups = _arrays(cost)
    groups.min_open_groups = [(np.array([0, 1]), 1)]
    for a in (capacitated, two_tiers, upper, two_options, co2, other_tier_limit, groups):
        assert not swap_applicable(a)
    with pytest.raises(ValueError, match="single-tier"):
        swap_search(capacitated, deadline=_soon())


def test_incremental_bookkeeping_equals_a_rebuild() -> None:
    rng = np.random.default_rng(2)
    cost = _random_costs(rng, 30, 60)
    cost[rng.random(cost.shape) < 0.3] = np.inf
    inst = prepare_instance(_arrays(cost, fixed=rng.uniform(0, 50, 30), max_open=12))
    search = _Search(inst)
    search.greedy()
    for _ in range(200):
        opened, closed = np.flatnonzero(search.is_open), np.flatnonzero(~search.is_open)
        kind = rng.integers(3)
        if kind == 0 or (kind == 1 and search.n_open >= 12) or (kind == 2 and search.n_open <= 1):
            search.move(int(rng.choice(closed)), int(rng.choice(opened)))
        elif kind == 1:
            search.move(int(rng.choice(closed)), -1)
        else:
            search.move(-1, int(rng.choice(opened)))
    fresh = _Search(inst)
    fresh.rebuild(search.is_open.copy())
    for name in ("d1", "d2", "gain", "loss"):
        np.testing.assert_allclose(getattr(search, name), getattr(fresh, name), atol=1e-6)
    by_site = np.zeros((30, 30)), np.zeros((30, 30))
    for table, state in zip(by_site, (search, fresh), strict=True):
        table[:, state.site_in_slot[:state.n_open]] = state.extra[:, :state.n_open]
    np.testing.assert_allclose(by_site[0], by_site[1], atol=1e-6)
    # The best move's profit is the objective's actual decrease.
    profit, insert, remove = search.best_move()
    before = search.cost()
    search.move(insert, remove)
    assert before - search.cost() == pytest.approx(profit)
