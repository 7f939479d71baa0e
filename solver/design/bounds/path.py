"""The path bound: a lower bound of a design instance without any solve.

Each client goes up its cheapest path and every site is charged per tonne at
its cheapest size; instant at any size, weaker than the LP relaxation. The
Lagrangian bound (:mod:`solver.design.bounds.lagrange`) and the relaxation
without the lowest tier (:mod:`solver.design.bounds.collapse`) start from it.
"""

from __future__ import annotations

import numpy as np

from solver.design.arrays import DesignArrays, reachable_inflow, unit_costs


def path_bound(a: DesignArrays) -> float:
    """A lower bound without any solve: each client on its cheapest path, sites charged per tonne.

    Every option o satisfies F_o y_o ≥ (F_o / Q'_o) t_o with Q'_o = min(Q_o, what can reach
    the site) (``reachable_inflow``), so fixed + handling ≥ Σ_j inflow_j · min_o (F_o / Q'_o + h_o);
    dropping capacities and side constraints leaves a shortest-path problem per client.
    Weaker than the LP relaxation, but instant at any size.
    """
    cap_eff = np.minimum(a.opt_cap, reachable_inflow(a)[a.opt_fac])
    unit = unit_costs(a, np.zeros(a.n_fac, dtype=bool), cap_eff)
    value = a.arc_cost + a.demand[a.arc_cli] * unit[a.arc_fac]
    best = np.full(a.n_cli, np.inf)
    np.minimum.at(best, a.arc_cli, value)
    return float(best.sum()) if np.all(np.isfinite(best)) else -np.inf
