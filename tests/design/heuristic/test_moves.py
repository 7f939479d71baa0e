"""Whole-client assignment on given sites (numpy repair) and drop/add moves."""

import time

import numpy as np
import pytest

from geodata.regions import load_region
from network.network_params import NetworkParams
from solver.design.arrays import DesignArrays
from solver.design.data import build_network_data
from solver.design.heuristic.greedy import greedy_open
from solver.design.heuristic.moves import drop_add
from solver.design.heuristic.repair import assign_to_open, satisfies_rows
from solver.design.model import build_design
from tests.design.instances import random_three_tier, two_sites


def test_clients_go_whole_to_the_cheapest_open_site_and_idle_sites_close() -> None:
    model = build_design(two_sites())
    values = assign_to_open(model, np.array([1.0, 1.0]))
    assert values is not None and satisfies_rows(model, values)
    assert model.objective_of(values) == 10 + 3  # B idle: closed
    assert list(values[model.y]) == [1.0, 0.0]
    broken = values.copy()
    broken[model.x[1]] = 1.0  # client 0 served twice
    assert not satisfies_rows(model, broken)


def test_kept_levels_stay_open_and_drop_closes_the_idle_site() -> None:
    model = build_design(two_sites())
    kept = assign_to_open(model, np.array([1.0, 1.0]), keep_levels=True)
    assert kept is not None and model.objective_of(kept) == 10 + 10 + 3
    better = drop_add(model, kept, time.perf_counter() + 5)
    assert satisfies_rows(model, better)
    assert model.objective_of(better) == 13


def test_a_client_without_room_opens_a_closed_site_unless_levels_are_kept() -> None:
    model = build_design(two_sites(cap_a=2.0))
    values = assign_to_open(model, np.array([1.0, 0.0]))
    assert values is not None and satisfies_rows(model, values)
    assert model.objective_of(values) == 10 + 10 + 2 * 1 + 2  # the third client on B
    assert assign_to_open(model, np.array([1.0, 0.0]), keep_levels=True) is None


def test_idle_sites_stay_open_where_a_group_needs_them() -> None:
    # The density rule as a group minimum: two of the three sites open, though A holds every client.
    a = DesignArrays(
        fac_tier=np.zeros(3, dtype=np.int64), fac_forced=np.zeros(3, dtype=bool), fac_shared=np.zeros(3, dtype=bool),
        opt_fac=np.arange(3), opt_fixed=np.array([10.0, 10.0, 4.0]), opt_cap=np.full(3, 5.0),
        opt_handling=np.zeros(3), demand=np.ones(3), arc_cli=np.repeat(np.arange(3), 3),
        arc_fac=np.tile(np.arange(3), 3), arc_cost=np.tile([1.0, 2.0, 3.0], 3), arc_co2=np.zeros(9),
        min_open_groups=[(np.arange(3), 2)])
    model = build_design(a)
    values = assign_to_open(model, np.array([1.0, 1.0, 0.0]))
    assert values is not None and satisfies_rows(model, values)
    assert list(values[model.y]) == [1.0, 0.0, 1.0]  # the idle site kept is the cheapest to keep
    assert model.objective_of(values) == 10 + 4 + 3
    moved = drop_add(model, values, time.perf_counter() + 5)
    assert satisfies_rows(model, moved) and model.objective_of(moved) == 17


def test_add_move_opens_a_site_that_pays_for_itself() -> None:
    a = two_sites()
    a.arc_cost = np.array([1.0, 30.0, 30.0, 1.0, 30.0, 1.0])  # clients 1 and 2 are far from A, near B
    model = build_design(a)
    only_a = assign_to_open(model, np.array([1.0, 0.0]))
    assert only_a is not None and model.objective_of(only_a) == 10 + 1 + 30 + 30
    better = drop_add(model, only_a, time.perf_counter() + 5)
    assert satisfies_rows(model, better)
    assert model.objective_of(better) == 10 + 10 + 3


def test_prefecture_greedy_sites_give_a_feasible_three_tier_plan_at_once() -> None:
    a = build_network_data(load_region("hami"), NetworkParams()).arrays
    model = build_design(a)
    values = assign_to_open(model, greedy_open(a))
    assert values is not None and satisfies_rows(model, values)
    x = values[model.x]
    assert np.all(np.bincount(a.arc_cli, weights=x, minlength=a.n_cli) == 1.0)
    moved = drop_add(model, values, time.perf_counter() + 2)
    assert satisfies_rows(model, moved) and model.objective_of(moved) <= model.objective_of(values)


def test_a_client_stranded_by_a_larger_one_gets_room_by_moving_it() -> None:
    # Client 0 (6 t) prefers A but can use B; client 1 (5 t) can use only A; both hold 10 t.
    # Largest first puts client 0 on A, leaving 4 t: client 0 moves to B and client 1 takes A.
    a = DesignArrays(
        fac_tier=np.zeros(2, dtype=np.int64), fac_forced=np.zeros(2, dtype=bool), fac_shared=np.zeros(2, dtype=bool),
        opt_fac=np.array([0, 1]), opt_fixed=np.array([10.0, 10.0]), opt_cap=np.array([10.0, 10.0]),
        opt_handling=np.zeros(2), demand=np.array([6.0, 5.0]), arc_cli=np.array([0, 0, 1]),
        arc_fac=np.array([0, 1, 0]), arc_cost=np.array([1.0, 2.0, 1.0]), arc_co2=np.zeros(3))
    model = build_design(a)
    values = assign_to_open(model, np.array([1.0, 1.0]), keep_levels=True)
    assert values is not None and satisfies_rows(model, values)
    assert list(values[model.x]) == [0.0, 1.0, 1.0]
    assert model.objective_of(values) == 10 + 10 + 2 + 1


def test_a_point_stranded_by_mobile_collection_gets_room_at_its_station() -> None:
    # Village 0 (6 t) is collected by mobile vehicle from station S1 (cheap) or S2; village 1 (5 t)
    # uses point P, which reaches only S1; the stations hold 10 t. Village 0 moves to S2, P goes to S1.
    a = DesignArrays(
        fac_tier=np.array([0, 1, 1, 2]), fac_forced=np.zeros(4, dtype=bool), fac_shared=np.zeros(4, dtype=bool),
        opt_fac=np.arange(4), opt_fixed=np.array([1.0, 10.0, 10.0, 10.0]),
        opt_cap=np.array([100.0, 10.0, 10.0, 100.0]), opt_handling=np.zeros(4), demand=np.array([6.0, 5.0]),
        arc_cli=np.array([0, 0, 1]), arc_fac=np.array([1, 2, 0]), arc_cost=np.array([1.0, 2.0, 1.0]),
        arc_co2=np.zeros(3), up_from=np.array([0, 1, 2]), up_to=np.array([1, 3, 3]), up_cost=np.ones(3),
        up_co2=np.zeros(3))
    model = build_design(a)
    values = assign_to_open(model, np.ones(4), keep_levels=True)
    assert values is not None and satisfies_rows(model, values)
    assert list(values[model.x]) == [0.0, 1.0, 1.0]
    assert list(values[model.f]) == [5.0, 5.0, 6.0]


def _last_server() -> DesignArrays:
    """Client 0 (10 t) reaches only site 0; clients 1, 2 (10 t each) reach site 0 at 50 per client and site 1
    at 1. Both sites: fixed 10, capacity 100, no upper tier."""
    return DesignArrays(
        fac_tier=np.zeros(2, dtype=np.int64), fac_forced=np.zeros(2, dtype=bool), fac_shared=np.zeros(2, dtype=bool),
        opt_fac=np.array([0, 1]), opt_fixed=np.array([10.0, 10.0]), opt_cap=np.array([100.0, 100.0]),
        opt_handling=np.zeros(2), demand=np.full(3, 10.0), arc_cli=np.array([0, 1, 1, 2, 2]),
        arc_fac=np.array([0, 0, 1, 0, 1]), arc_cost=np.array([1.0, 50.0, 1.0, 50.0, 1.0]), arc_co2=np.zeros(5))


def test_the_greedy_keeps_a_site_budget_and_each_villages_last_server() -> None:
    a = _last_server()
    assert list(greedy_open(a)) == [1.0, 1.0]  # unconstrained: both
    # One site allowed: site 1 carries more, but site 0 is client 0's only server, so site 0 stays.
    a.max_open = {0: 1}
    y = greedy_open(a)
    assert list(y) == [1.0, 0.0]
    model = build_design(a)
    values = assign_to_open(model, y)
    assert values is not None and satisfies_rows(model, values)
    assert model.objective_of(values) == 10 + 1 + 50 + 50


@pytest.mark.parametrize("seed", [0, 2, 4, 6, 7, 9])  # those where the unconstrained greedy opens 2 of a tier
def test_greedy_plans_keep_the_site_budgets_of_random_instances(seed: int) -> None:
    a = random_three_tier(seed, single=True, max_demand=100.0)
    free = greedy_open(a)
    opened = np.bincount(a.fac_tier[a.opt_fac[free > 0.5]], minlength=3)
    assert opened[:2].max() >= 2
    a.max_open = {0: max(1, int(opened[0]) - 1), 1: max(1, int(opened[1]) - 1)}
    y = greedy_open(a)
    assert np.all(np.bincount(a.fac_tier[a.opt_fac[y > 0.5]], minlength=3)[:2] <= [a.max_open[0], a.max_open[1]])
    model = build_design(a)
    values = assign_to_open(model, y)
    if values is not None:  # the repair may still find no room; a plan it gives meets every row
        assert satisfies_rows(model, values)
