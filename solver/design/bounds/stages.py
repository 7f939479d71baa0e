"""The bound stages of a design solve, run before the full MIP (on its own core in a portfolio solve).

1. The Lagrangian bound of the relaxation without the lowest tier
   (:mod:`solver.design.bounds.lagrange`), seconds of numpy;
2. that relaxation's MIP (:mod:`solver.design.bounds.collapse`), shares split
   and capacity cuts on every tier: the bound, and a station/centre choice;
3. a sub-MIP of the full model with that choice fixed: a plan.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace

import numpy as np
from ortools.util.python.solve_interrupter import SolveInterrupter

from solver import clock
from solver.design.bounds.collapse import collapse_lowest_tier
from solver.design.bounds.lagrange import lagrangian_bound
from solver.design.model import build_design
from solver.design.state import SearchState
from solver.mip import ABANDON_AFTER_S, solve_mip

log = logging.getLogger("huishou.solver.design.bounds.stages")

#: Share of the bound's time for the MIP of the relaxation without the lowest tier
#: (``solver.design.bounds.collapse``): Hami's proof of it takes ~30 s of a 60 s limit
#: beside the heuristic, and at half the limit it ended unproven once.
COLLAPSED_SHARE = 0.6
#: Share of that relaxation's time its Lagrangian bound (``solver.design.bounds.lagrange``) may take first.
LAGRANGE_SHARE = 0.2
#: Share of the bound core's time left after that for the sub-MIP on the relaxation's
#: higher-tier sites; the full MIP, started from the best plan, gets the rest.
UPPER_SITES_SHARE = 0.5


class BoundStages(SearchState):
    """The search's bound stages (see the module docstring)."""

    def relaxation_stages(self, interrupter: SolveInterrupter) -> None:
        """Before the full MIP: the relaxation without the lowest tier, then a sub-MIP on its higher-tier sites."""
        higher_open = self.collapsed_bound(COLLAPSED_SHARE * self.remaining(), interrupter)
        if higher_open is not None and not self.done():
            self.higher_sites_mip(higher_open, UPPER_SITES_SHARE * self.remaining(), interrupter)

    def collapsed_bound(self, budget_s: float, interrupter: SolveInterrupter) -> np.ndarray | None:
        """Raise the bound with the MIP of the relaxation without the lowest tier (``solver.design.bounds.collapse``).

        Returns the higher-tier options its best solution opens (0/1 over the
        full instance's options), or None.
        """
        collapsed = collapse_lowest_tier(self.model.arrays)
        if collapsed is None or budget_s < 0.05 or self.done():
            return None
        # Shares split as well: a relaxation still, and far easier for HiGHS (Hami, before
        # villages were charged only point sizes that hold them: proven optimal at 19.01 M
        # CNY/yr in 29 s, where the single-sourcing version held 18.85 M after 30 s and its
        # optimum is 19.00–19.02 M, so nothing is lost). The every-tier capacity cuts lift
        # Datong's LP from 64.20 to 64.58 M.
        split = replace(collapsed.arrays, single_source=False, single_source_upper=False)
        # Its Lagrangian bound first: seconds of numpy near its LP's value, which HiGHS does not reach in
        # time on the largest regions (Kashgar: 73.31 M CNY/yr in a 60 s solve; the LP, 74.57 M, takes
        # HiGHS 30–50 s alone).
        lag = lagrangian_bound(split, deadline=clock.now() + LAGRANGE_SHARE * budget_s,
                               best_plan=lambda: self.best_obj - collapsed.offset, stopped=lambda: interrupter.interrupted or self.done())
        if math.isfinite(lag.bound):
            log.info("bound %.6g from the Lagrangian of the relaxation without the lowest tier (%d steps, %.1f s)",
                     lag.bound + collapsed.offset, lag.iterations, lag.time_s)
            self.bound = max(self.bound, lag.bound + collapsed.offset)
        budget_s -= lag.time_s
        if budget_s < 0.05 or self.done():
            return None
        relaxed = build_design(split, every_tier_cuts=True)
        # HiGHS may overrun its limit by seconds on Datong-sized models; the bound is
        # all this stage is for, so it waits for it up to the overall deadline.
        res = solve_mip(relaxed.builder, backend=self.backend, time_limit_s=budget_s,
                        relative_gap=1e-4, threads=1, seed=self.seed, interrupter=interrupter,
                        abandon_after_s=max(ABANDON_AFTER_S, self.remaining() - budget_s))
        if res.status != "infeasible" and math.isfinite(res.bound):
            log.info("bound %.6g from the relaxation without the lowest tier (%s, %.1f s)", res.bound + collapsed.offset,
                     res.status, res.time_s)
            self.bound = max(self.bound, res.bound + collapsed.offset)
        if res.values is None:
            return None
        higher_open = np.zeros(len(self.model.arrays.opt_fac))
        higher_open[collapsed.options] = np.round(res.values[relaxed.y])
        return higher_open

    def higher_sites_mip(self, higher_open: np.ndarray, budget_s: float, interrupter: SolveInterrupter) -> None:
        """Sub-MIP of the full model with the higher tiers' sites and sizes fixed to the relaxation's.

        The relaxation prices the station and centre choice with a strong link,
        so its choice is a good neighbourhood for the full problem: Hami, with
        the relaxation's optimal sites, 19.456 M CNY/yr after 15 s and 19.415 M
        after 60 s, where the heuristic alone stays at 19.46 M even given 300 s.
        Points, their sizes and the assignment stay free. (Letting the sizes
        float as well, started from a numpy repair, ended at 19.74 M in 15 s.)
        """
        if budget_s < 0.05:
            return
        a = self.model.arrays
        higher = a.fac_tier[a.opt_fac] > a.fac_tier.min()
        lb, ub = self.lb0.copy(), self.ub0.copy()
        lb[self.model.y[higher]] = ub[self.model.y[higher]] = higher_open[higher]
        res = self.run(time_limit_s=budget_s, gap=self.gap / 2, lb=lb, ub=ub, interrupter=interrupter)
        self.offer(res, "heuristic")
