"""Shift moves: clients and sites to another open server, priced exactly, rows kept."""

import time
from dataclasses import replace

import numpy as np
import pytest

from solver.design.arrays import DesignArrays
from solver.design.heuristic.repair import assign_to_open, satisfies_rows
from solver.design.heuristic.shift import shift_moves
from solver.design.model import build_design
from solver.mip import solve_mip
from tests.design.instances import random_three_tier, two_sites


def _plan(model, arcs: list[int]) -> np.ndarray:
    """Clients on the given arcs, every site used at its only level."""
    pref = np.zeros(len(model.x))
    pref[arcs] = 2.0
    values = assign_to_open(model, np.ones(len(model.y)), x_pref=pref, keep_levels=True)
    assert values is not None
    return values


def test_clients_shift_to_the_cheaper_site_and_the_emptied_one_closes() -> None:
    model = build_design(two_sites(cap_a=5.0))
    start = _plan(model, [0, 2, 5])  # clients 0 and 1 on A, client 2 on B
    assert model.objective_of(start) == 20 + 1 + 1 + 2
    better = shift_moves(model, start, time.perf_counter() + 5)
    assert satisfies_rows(model, better)
    assert model.objective_of(better) == 10 + 3
    assert list(np.round(better[model.y])) == [1.0, 0.0]


def test_a_full_site_takes_no_more_clients() -> None:
    model = build_design(two_sites(cap_a=2.0))
    start = _plan(model, [0, 2, 5])  # A holds two, the third has to stay on B
    assert shift_moves(model, start, time.perf_counter() + 5) is start


def test_a_point_moves_to_the_cheaper_station_and_the_idle_station_closes() -> None:
    # One village of 10 t at point 0; stations 1 (fixed 50) and 2 (fixed 50), centre 3.
    a = DesignArrays(
        fac_tier=np.array([0, 1, 1, 2]), fac_forced=np.zeros(4, dtype=bool), fac_shared=np.zeros(4, dtype=bool),
        opt_fac=np.arange(4), opt_fixed=np.array([5.0, 50.0, 50.0, 100.0]), opt_cap=np.full(4, 100.0),
        opt_handling=np.zeros(4), demand=np.array([10.0]), arc_cli=np.array([0]), arc_fac=np.array([0]),
        arc_cost=np.array([1.0]), arc_co2=np.zeros(1),
        up_from=np.array([0, 0, 1, 2]), up_to=np.array([1, 2, 3, 3]), up_cost=np.array([4.0, 1.0, 1.0, 2.0]),
        up_co2=np.zeros(4))
    model = build_design(a)
    f_pref = np.array([1.0, 0.0, 1.0, 1.0])  # the point sends to station 1
    start = assign_to_open(model, np.ones(4), f_pref=f_pref, keep_levels=True)
    assert start is not None and model.objective_of(start) == 5 + 50 + 50 + 100 + 1 + 10 * 4 + 10 * 1
    better = shift_moves(model, start, time.perf_counter() + 5)
    assert satisfies_rows(model, better)
    # Via station 2: 1 + 1 per t up, then 2 per t to the centre; station 1 closes.
    assert model.objective_of(better) == 5 + 50 + 100 + 1 + 10 * 1 + 10 * 2
    assert list(np.round(better[model.y])) == [1.0, 0.0, 1.0, 1.0]


def test_split_sourcing_plans_are_left_alone() -> None:
    a = two_sites(cap_a=5.0)
    a.single_source = False
    model = build_design(a)
    start = _plan(model, [0, 3, 5])
    assert shift_moves(model, start, time.perf_counter() + 5) is start


def _with_rule(a: DesignArrays, rule: str) -> DesignArrays:
    """A random instance with a side rule the shift moves must keep: none, the density rule or a shared share."""
    if rule == "density":
        points = np.flatnonzero(a.fac_tier == 0)
        a.min_open_groups = [(points[: len(points) // 2], max(1, len(points) // 3)), (points[len(points) // 2:], 2)]
    elif rule == "shared":
        a.fac_shared = np.isin(np.arange(len(a.fac_tier)), [1, 3])
        a.min_shared_share = 0.5
    return a


@pytest.mark.parametrize(("rule", "seed"), [("none", seed) for seed in range(6)]
                         + [(rule, seed) for rule in ("density", "shared") for seed in range(4)])
def test_shifts_keep_every_row_and_never_cost_more(rule: str, seed: int) -> None:
    a = _with_rule(random_three_tier(seed, single=True), rule)
    model = build_design(a)
    start = assign_to_open(model, np.ones(len(a.opt_fac)) * (np.arange(len(a.opt_fac)) % 2 == 1))
    assert start is not None
    better = shift_moves(model, start, time.perf_counter() + 5)
    assert satisfies_rows(model, better)
    assert model.objective_of(better) <= model.objective_of(start)
    optimum = solve_mip(model.builder, time_limit_s=30, relative_gap=1e-9).objective
    assert model.objective_of(better) >= optimum * (1 - 1e-9)


def _points_a_and_b(**rule: object) -> DesignArrays:
    """Three clients of 1 t; point A (fixed 2, arcs 1.0 each) and point B (fixed 10, arcs 0.9), capacity 5."""
    plain = DesignArrays(
        fac_tier=np.zeros(2, dtype=np.int64), fac_forced=np.zeros(2, dtype=bool), fac_shared=np.zeros(2, dtype=bool),
        opt_fac=np.arange(2), opt_fixed=np.array([2.0, 10.0]), opt_cap=np.full(2, 5.0), opt_handling=np.zeros(2),
        demand=np.ones(3), arc_cli=np.repeat(np.arange(3), 2), arc_fac=np.tile(np.arange(2), 3),
        arc_cost=np.tile([1.0, 0.9], 3), arc_co2=np.zeros(6))
    return replace(plain, **rule)


def test_under_the_density_rule_clients_move_to_the_point_it_keeps_open() -> None:
    # Both points must open (a group of two needing two). The repair sends every client to A,
    # cheaper per tonne with its fixed cost spread (1.0 + 2/5 against 0.9 + 10/5), and keeps B
    # open idle; with both paid for, B's cheaper arcs win: 2 + 10 + 3 × 0.9.
    a = _points_a_and_b(min_open_groups=[(np.arange(2), 2)])
    model = build_design(a)
    start = assign_to_open(model, np.ones(2))
    assert start is not None and model.objective_of(start) == pytest.approx(15.0)
    better = shift_moves(model, start, time.perf_counter() + 5)
    assert satisfies_rows(model, better)
    assert model.objective_of(better) == pytest.approx(14.7)
    assert list(better[model.y]) == [1.0, 1.0]


def test_under_a_shared_share_the_shared_point_stays_and_the_other_closes() -> None:
    # 两网融合 at 50 %: A alone breaks the share. The repair sends every client to A (1.0 + 2/5 per t
    # against 0.9 + 10/5) and keeps B open idle; the shifts then move them to B and A closes: 10 + 3 × 0.9.
    a = _points_a_and_b(fac_shared=np.array([False, True]), min_shared_share=0.5)
    model = build_design(a)
    start = assign_to_open(model, np.ones(2))
    assert start is not None and model.objective_of(start) == pytest.approx(15.0)
    better = shift_moves(model, start, time.perf_counter() + 5)
    assert satisfies_rows(model, better)
    assert model.objective_of(better) == pytest.approx(12.7)
    assert list(better[model.y]) == [0.0, 1.0]

