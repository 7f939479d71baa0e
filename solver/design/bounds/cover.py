"""Cover knapsacks: the sites of a tier every tonne crosses must hold all the demand.

Every tonne enters exactly one site of such a tier (``tiers_all_flow_crosses``)
and no site takes in more than its capacity, so the open sizes of the tier
satisfy ``Σ_o Q'_o y_o ≥ D`` (D the total demand, Q'_o the capacity cut to what
can reach the site). Kept in the Lagrangian subproblem, this constraint ties
the site choices of a tier together: instead of each site opening on its own
when its value is negative, the tier opens the cheapest set of sizes (at most
one per site) that covers D — a multiple-choice knapsack, solved exactly here
by dynamic programming over capacity in ``GRID`` steps of D / ``GRID``.
Capacities are rounded up to whole steps, which only relaxes the constraint,
so the bound stays valid. When capacity is loose and fixed costs have economies of
scale (a few large sites open), this lifts the bound well above the LP of the
strong formulation, which the plain Lagrangian only approaches (generated CFLP
100 × 1,000, capacity/demand 10: LP 69,699; see ``benchmarks/large_cflp.py``).
"""

from __future__ import annotations

import math

import numpy as np

#: Capacity steps of the dynamic programme (the demand is this many steps).
GRID = 2000


class CoverKnapsack:
    """The multiple-choice cover knapsack of one tier's sites, for option values that change per step."""

    def __init__(self, sites: np.ndarray, options: np.ndarray, capacity: np.ndarray, forced: np.ndarray,
                 demand: float) -> None:
        """``options[k]``: option ids of ``sites[k]`` (−1 padded); ``capacity`` per option id."""
        self.sites = sites
        self.options = options
        self.forced = forced
        step = demand / GRID
        units = np.where(options >= 0, np.ceil(capacity[np.maximum(options, 0)] / step - 1e-9), 0)
        self.units = np.minimum(units, GRID).astype(np.int64)
        self.binding = demand > 0 and bool(np.all(np.isfinite(capacity[options[options >= 0]])))

    def choose(self, option_value: np.ndarray) -> tuple[float, np.ndarray]:
        """Least total value of a cover and the option each site opens there (−1 closed).

        ``option_value[k, r]``: value of site k opening its r-th option (fixed cost
        plus its knapsack of items); ``inf`` for padding.
        """
        n, width = self.options.shape
        best = np.full(GRID + 1, np.inf)
        best[0] = 0.0
        pick = np.full((n, GRID + 1), -1, dtype=np.int8)
        cover = np.arange(GRID + 1)
        for k in range(n):
            nxt = np.full(GRID + 1, np.inf) if self.forced[k] else best.copy()
            for r in range(width):
                if self.options[k, r] < 0 or not math.isfinite(option_value[k, r]):
                    continue
                take = best[np.maximum(cover - self.units[k, r], 0)] + option_value[k, r]
                better = take < nxt
                nxt[better] = take[better]
                pick[k, better] = r
            best = nxt
        chosen = np.full(n, -1, dtype=np.int64)
        c = GRID
        if not math.isfinite(best[c]):
            return math.inf, chosen
        for k in range(n - 1, -1, -1):
            r = int(pick[k, c])
            if r >= 0:
                chosen[k] = self.options[k, r]
                c = max(0, c - int(self.units[k, r]))
        return float(best[GRID]), chosen
