"""The heuristic's moves on the best plan of a design solve: sub-MIPs on fixed sites, numpy moves, closing and resizing.

Each stage offers what it finds to the search state
(:class:`solver.design.state.SearchState`); :mod:`solver.design.search`
calls them in order.
"""

from __future__ import annotations

import math

import numpy as np

from solver import clock
from solver.design.arrays import cheapest_level
from solver.design.heuristic.greedy import greedy_open
from solver.design.heuristic.moves import drop_add
from solver.design.heuristic.repair import assign_to_open
from solver.design.heuristic.shift import shift_moves
from solver.design.state import SearchState
from solver.mip import MipResult

#: Most of the time left that one round of numpy drop/add moves may take.
NUMPY_MOVES_SHARE = 0.3


class HeuristicStages(SearchState):
    """The search's heuristic moves (see the module docstring)."""

    def open_sites_mip(self, deadline: float) -> None:
        """Sub-MIP on the best plan's open sites, sizes and assignment free (closed sites stay closed).

        Under single sourcing the split plan's sizes are often too small for
        whole villages, so fixing them leaves no plan; letting each open site
        take any size (or close) keeps a neighbourhood the best plan is in.
        """
        left = min(deadline, self.deadline) - clock.now()
        if self.best_values is None or left < 0.05 or self.done():
            return
        a = self.model.arrays
        site_open = np.zeros(a.n_fac, dtype=bool)
        site_open[a.opt_fac[np.round(self.best_values[self.model.y]) > 0.5]] = True
        ub = self.ub0.copy()
        ub[self.model.y[~site_open[a.opt_fac]]] = 0.0
        res = self.run(time_limit_s=left, gap=self.gap / 2, lb=self.lb0, ub=ub, hint=self.best_values)
        self.offer(res, "heuristic")

    def greedy_safety(self) -> None:
        """A plan within a second, answered while the search has found nothing else.

        Under single sourcing the first plan of the split stage takes ~25 s on
        Datong; a solve stopped before that still answers with this one. It
        does not steer the search: started from it, Kashgar's 60 s plan was
        5 % dearer.
        """
        if self.best_values is not None or self.safety is not None:
            return
        quick = assign_to_open(self.model, greedy_open(self.model.arrays))
        if quick is not None:
            self.safety = quick
            if self.on_best is not None:
                with self.report_lock:
                    self.on_best(self.result(None))

    def _round_up(self, ylp: np.ndarray) -> np.ndarray:
        a = self.model.arrays
        y = np.zeros(len(ylp))
        used = np.bincount(a.opt_fac, weights=ylp, minlength=a.n_fac) > 1e-6
        used |= a.fac_forced.astype(bool)
        cap_used = np.where((ylp > 1e-6) | a.fac_forced[a.opt_fac].astype(bool), a.opt_cap, -1.0)
        best = np.full(a.n_fac, -1, dtype=np.int64)
        for o in np.argsort(cap_used, kind="stable"):
            if cap_used[o] >= 0:
                best[a.opt_fac[o]] = o
        y[best[used & (best >= 0)]] = 1.0
        return y

    def _hint(self, lb: np.ndarray, ub: np.ndarray) -> np.ndarray | None:
        if self.best_values is None:
            return None
        v = self.best_values
        return v if np.all(v >= lb - 1e-9) and np.all(v <= ub + 1e-9) else None

    def fixed_sites(self, y: np.ndarray, deadline: float, *, move: bool = False,
                    x_pref: np.ndarray | None = None, f_pref: np.ndarray | None = None) -> MipResult | None:
        """Re-optimise assignments and flows with the open options fixed to ``y``.

        Whole-client assignments built in numpy (``assign_to_open``; clients
        keep their server in ``x_pref``/``f_pref``, by default the best plan's)
        come first: one with each site at its cheapest level is offered as a
        plan, one on exactly ``y`` starts the sub-MIP. A local move (``move``)
        gets at most ``self.move_s`` seconds, so one hard assignment sub-MIP
        cannot eat the whole budget.
        """
        if self.interrupter.interrupted:  # stopped: start nothing new
            return None
        if x_pref is None and self.best_values is not None:
            x_pref, f_pref = self.best_values[self.model.x], self.best_values[self.model.f]
        resized = assign_to_open(self.model, y, x_pref=x_pref, f_pref=f_pref)
        if resized is not None:
            resized = shift_moves(self.model, resized, min(deadline, self.deadline), self.stopped)
            self.offer(MipResult("feasible", resized, self.model.objective_of(resized), -math.inf, 0.0), "heuristic")
        left = min(deadline, self.deadline) - clock.now()
        if left < 0.05:
            return None
        if move:
            left = min(left, self.move_s)
        lb, ub = self.lb0.copy(), self.ub0.copy()
        lb[self.model.y] = y
        ub[self.model.y] = y
        start = assign_to_open(self.model, y, x_pref=x_pref, f_pref=f_pref, keep_levels=True)
        res = self.run(time_limit_s=left, gap=self.gap / 2, lb=lb, ub=ub, hint=start)
        self.offer(res, "heuristic")
        return res

    def local_search(self, h_deadline: float) -> None:
        """Close-moves: drop one open, not forced site and re-optimise the assignment."""
        if self.best_values is None:
            return
        a = self.model.arrays
        y_ids = self.model.y
        tried: set[int] = set()
        resized_at = math.inf
        while clock.now() < h_deadline - 0.05 and not self.done():
            if self.best_obj < resized_at:
                resized_at = self.best_obj
                self.numpy_moves(h_deadline)
                self.resize(h_deadline)
                self.batch_close(h_deadline)
            y = np.round(self.best_values[y_ids])
            open_opts = np.flatnonzero(y > 0.5)
            candidates = [int(o) for o in open_opts
                          if not a.fac_forced[a.opt_fac[o]] and int(o) not in tried and a.opt_fixed[o] > 0]
            if not candidates:
                return
            load = self.model.site_loads(self.best_values)
            # Most fixed cost on spare capacity first: big, idle upper-tier sites go first.
            o = max(candidates, key=lambda k: a.opt_fixed[k] * (1.0 - min(1.0, load[a.opt_fac[k]]
                                                                           / max(a.opt_cap[k], 1e-9))))
            tried.add(o)
            y[o] = 0.0
            self.fixed_sites(y, h_deadline, move=True)

    def numpy_moves(self, deadline: float) -> None:
        """Drop/add moves priced in numpy, then a sub-MIP polishing the assignment on the sites they keep."""
        before = self.best_values
        if before is None or self.interrupter.interrupted:
            return
        moved = drop_add(self.model, before, min(deadline, clock.now() + NUMPY_MOVES_SHARE
                                                  * max(0.0, deadline - clock.now())),
                         self.stopped)
        moved = shift_moves(self.model, moved, deadline, self.stopped)
        if moved is before or self.interrupter.interrupted:
            return
        self.offer(MipResult("feasible", moved, self.model.objective_of(moved), -math.inf, 0.0), "heuristic")
        self.fixed_sites(np.round(moved[self.model.y]), deadline, move=True)

    def batch_close(self, deadline: float) -> None:
        """Close, tier by tier from the top, every site loaded below a share of its capacity at once."""
        a = self.model.arrays
        for tier in sorted(set(a.fac_tier.tolist()), reverse=True):
            for share in (0.5, 0.25):
                if clock.now() >= deadline - 0.05 or self.done():
                    return
                y = np.round(self.best_values[self.model.y])
                load = self.model.site_loads(self.best_values)
                idle = ((y > 0.5) & (a.fac_tier[a.opt_fac] == tier) & ~a.fac_forced[a.opt_fac].astype(bool)
                        & (load[a.opt_fac] < share * a.opt_cap))
                if idle.sum() >= 2:
                    before = self.best_obj
                    self.fixed_sites(np.where(idle, 0.0, y), deadline, move=True)
                    if self.best_obj < before:
                        break

    def resize(self, deadline: float) -> None:
        """Move every open site to its cheapest level that still holds its present load."""
        a = self.model.arrays
        y = np.round(self.best_values[self.model.y])
        load = self.model.site_loads(self.best_values)
        new = y.copy()
        for o in np.flatnonzero(y > 0.5):
            j = a.opt_fac[o]
            k = cheapest_level(a, j, load[j])
            if k >= 0:
                new[o], new[k] = 0.0, 1.0
        if np.any(new != y):
            self.fixed_sites(new, deadline, move=True)
