"""Array-level design instances the model, heuristic and bound tests share.

``hand_chain`` is small enough to price by hand (its docstring gives it);
``random_three_tier`` draws seeded random three-tier instances small enough
for the MIP to prove optimal; ``two_sites`` is the single-tier instance of
the repair and move tests.
"""

from __future__ import annotations

import numpy as np

from solver.design.arrays import DesignArrays


def hand_chain() -> DesignArrays:
    """Villages of 10 t and 20 t; points 0, 1 (fixed 100, cap 50, handling 1); station 2; centre 3."""
    return DesignArrays(
        fac_tier=np.array([0, 0, 1, 2]), fac_forced=np.zeros(4, dtype=bool), fac_shared=np.zeros(4, dtype=bool),
        opt_fac=np.array([0, 1, 2, 3]), opt_fixed=np.array([100.0, 100.0, 1000.0, 2000.0]),
        opt_cap=np.array([50.0, 50.0, 100.0, 100.0]), opt_handling=np.array([1.0, 1.0, 0.0, 0.0]),
        demand=np.array([10.0, 20.0]), arc_cli=np.array([0, 0, 1]), arc_fac=np.array([0, 1, 1]),
        arc_cost=np.array([5.0, 8.0, 4.0]), arc_co2=np.zeros(3),
        up_from=np.array([0, 1, 2]), up_to=np.array([2, 2, 3]), up_cost=np.array([2.0, 3.0, 1.0]),
        up_co2=np.zeros(3))


def random_three_tier(seed: int, *, single: bool, max_demand: float = 40.0) -> DesignArrays:
    """6 villages, 4 points, 3 stations, 2 centres at random (seeded), two sizes each; ``single``: single sourcing."""
    rng = np.random.default_rng(seed)
    n_v, n_p, n_s, n_c = 6, 4, 3, 2
    xy = {tier: rng.uniform(0, 50, (n, 2)) for tier, n in enumerate((n_v, n_p, n_s, n_c))}
    demand = rng.uniform(5, max_demand, n_v).round()
    tier = np.repeat([0, 1, 2], [n_p, n_s, n_c])
    opt_fac = np.repeat(np.arange(n_p + n_s + n_c), 2)
    size = np.tile([0, 1], n_p + n_s + n_c)
    base_cap = np.repeat([60.0, 150.0, 300.0], [n_p, n_s, n_c])[opt_fac]
    base_fixed = np.repeat([300.0, 2500.0, 6000.0], [n_p, n_s, n_c])[opt_fac]
    servers = np.vstack([xy[1], xy[2]])
    arc_cli, arc_fac, arc_cost = [], [], []
    for v in range(n_v):
        for j in range(n_p + n_s):
            km = float(np.hypot(*(xy[0][v] - servers[j])))
            if j < n_p or km < 30:  # points always; mobile collection only near a station
                arc_cli.append(v)
                arc_fac.append(j)
                arc_cost.append(km * demand[v] * (0.8 if j < n_p else 0.0) + (0.0 if j < n_p else 40.0 + 2 * km))
    up_from, up_to, up_cost = [], [], []
    for lower, upper, (lo, hi) in ((xy[1], xy[2], (0, n_p)), (xy[2], xy[3], (n_p, n_p + n_s))):
        first_upper = hi
        for i in range(len(lower)):
            for k in range(len(upper)):
                up_from.append(lo + i)
                up_to.append(first_upper + k)
                up_cost.append(0.3 * float(np.hypot(*(lower[i] - upper[k]))))
    n_arc, n_up = len(arc_cli), len(up_from)
    return DesignArrays(
        fac_tier=tier, fac_forced=np.zeros(len(tier), dtype=bool), fac_shared=np.zeros(len(tier), dtype=bool),
        opt_fac=opt_fac, opt_fixed=base_fixed * np.where(size == 1, 1.6, 1.0),
        opt_cap=base_cap * np.where(size == 1, 2.5, 1.0), opt_handling=np.where(size == 1, 2.0, 3.0),
        demand=demand, arc_cli=np.array(arc_cli), arc_fac=np.array(arc_fac), arc_cost=np.array(arc_cost),
        arc_co2=np.zeros(n_arc), up_from=np.array(up_from), up_to=np.array(up_to), up_cost=np.array(up_cost),
        up_co2=np.zeros(n_up), single_source=single, single_source_upper=single)


def two_sites(cap_a: float = 5.0) -> DesignArrays:
    """Three clients of 1 t; site A (fixed 10, cap ``cap_a``) costs 1 per client, site B (fixed 10, cap 5) 2."""
    return DesignArrays(
        fac_tier=np.zeros(2, dtype=np.int64), fac_forced=np.zeros(2, dtype=bool), fac_shared=np.zeros(2, dtype=bool),
        opt_fac=np.array([0, 1]), opt_fixed=np.array([10.0, 10.0]), opt_cap=np.array([cap_a, 5.0]),
        opt_handling=np.zeros(2), demand=np.ones(3), arc_cli=np.array([0, 0, 1, 1, 2, 2]),
        arc_fac=np.array([0, 1, 0, 1, 0, 1]), arc_cost=np.array([1.0, 2.0, 1.0, 2.0, 1.0, 2.0]),
        arc_co2=np.zeros(6))
