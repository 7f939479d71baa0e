"""Solve a :class:`~solver.design.arrays.DesignArrays` instance: heuristic, then MIP.

The MIP alone stalls on large, tightly capacitated instances (HiGHS keeps a
bad incumbent at the root while its LP bound is already close), so the solve
runs a relaxation-induced primal heuristic first (Danna, Rothberg & Le Pape
2005, *Exploring relaxation induced neighborhoods to improve MIP solutions*,
Math. Prog. 102(1)):

0. a greedy construction (``solver.design.heuristic.greedy``), re-optimised with its
   sites fixed, gives a first plan fast even when the LP is slow;
1. under single sourcing, solve the split-sourcing relaxation first (its
   bound holds here too) and single-source its open sites (numpy repair,
   drop/add and shift moves, then a sub-MIP on its open sites);
1b. solve the LP relaxation of the strong formulation — its value is a proven
   lower bound of its own;
2. fix the size options the LP leaves closed (y = 0) and opens fully
   (y = 1), and solve the much smaller remaining MIP with a share of the
   time limit (if that neighbourhood is infeasible, only the closed ones are
   fixed, then nothing);
3. close-moves local search: try closing each open, not forced site with the
   lowest load per fixed cost, re-optimising the assignment with the sites
   fixed, keeping any improvement;
4. the bound stages: on models with more than one tier, the MIP of the
   relaxation without the lowest tier (``solver.design.bounds.collapse``) and a
   sub-MIP with its stations and centres fixed; then the full MIP, started
   from the best plan (a MathOpt solution hint). The answer is the best plan,
   with the best bound.

With two or more threads the bound stages run on one core beside the
heuristic for the whole limit (``_Search.portfolio``); with one they follow
it. An interrupted solve (Ctrl-C) returns the best solution found so far.

This module puts the stages in order; the moves of steps 0–3 are in
:mod:`solver.design.heuristic.stages`, step 4's bounds in
:mod:`solver.design.bounds.stages`, and the best plan, bound and clock they
share in :mod:`solver.design.state`.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from ortools.util.python.solve_interrupter import SolveInterrupter

from solver import clock
from solver.design.arrays import DesignArrays, tiers_all_flow_crosses
from solver.design.bounds.lagrange import lagrangian_bound
from solver.design.bounds.path import path_bound
from solver.design.bounds.stages import BoundStages
from solver.design.heuristic.greedy import greedy_open
from solver.design.heuristic.repair import assign_to_open
from solver.design.heuristic.stages import HeuristicStages
from solver.design.heuristic.swap import swap_applicable, swap_search
from solver.design.model import build_design
from solver.design.solution import DesignSolution
from solver.mip import MipResult

log = logging.getLogger("huishou.solver.design.search")

#: Share of the heuristic budget for the split-sourcing stage of a single-sourcing solve.
SPLIT_SHARE = 0.9
#: Share of that stage for the split solve itself; the rest single-sources its plan
#: (Datong 60 s: 72.48 M CNY/yr with 0.75, 71.38–71.46 M with 0.5; Hami 19.47 / 19.46 M).
SPLIT_SOLVE_SHARE = 0.5
#: Share of the heuristic's time left that the relaxation-induced sub-MIP may take.
RINS_SHARE = 0.6
#: Client arcs from which the Lagrangian guides the heuristic before the LP (``_Search.lagrangian_guide``);
#: its share of the heuristic's time, at most ``GUIDE_MAX_S``; the option shares at which an option
#: opens in the guide's plan, and below which it stays closed in its sub-MIP.
GUIDE_MIN_ARCS = 20_000
GUIDE_SHARE = 0.15
GUIDE_MAX_S = 10.0
GUIDE_OPEN_SHARE = 0.5
GUIDE_CLOSED_SHARE = 0.02
#: Share of the time limit, and most seconds, for the swap search on p-median / UFL instances.
SWAP_SHARE = 0.35
SWAP_MAX_S = 20.0
#: Swap-search seconds per client arc (pmed40, 810,000 arcs: 20 s; its optimum came at 1.2–9.3 s over three seeds).
SWAP_S_PER_ARC = 2.5e-5


def solve_design(arrays: DesignArrays, *, backend: str = "highs", time_limit_s: float = 60.0,
                 relative_gap: float = 1e-4, threads: int = 1, seed: int = 0, use_heuristic: bool = True,
                 heuristic_share: float = 0.75, heuristic_only: bool = False, on_best: Callable[[DesignSolution], None] | None = None,
                 interrupter: SolveInterrupter | None = None) -> DesignSolution:
    """Heuristic (optional) then MIP on one instance, within ``time_limit_s`` seconds.

    Parameters
    ----------
    arrays
        The instance.
    backend
        ``"highs"`` or ``"scip"``.
    time_limit_s
        Wall-clock limit of the whole solve, seconds.
    relative_gap
        Target proven gap; the solve stops once it is reached.
    threads, seed
        Backend threads and seed.
    use_heuristic
        Run the relaxation-induced heuristic and warm-start the MIP with it.
    heuristic_share
        Share of the time limit given to the heuristic.
    heuristic_only
        Run the heuristic with the whole time limit and skip the full MIP.
    on_best
        Called with each new best solution.
    interrupter
        Interrupts the solve from outside; Ctrl-C does too.

    Returns
    -------
    DesignSolution
        Status ``infeasible`` (values None) when the instance has no solution.

    Raises
    ------
    network.errors.SolverError
        If the backend fails.
    """
    start = clock.now()
    model = build_design(arrays)
    log.info("design model: %d variables, %d rows, built in %.2f s", model.builder.n_vars,
             model.builder.n_rows, clock.now() - start)
    interrupter = interrupter or SolveInterrupter()
    ctx = _Search(model, backend, threads, seed, relative_gap, start, time_limit_s, on_best, interrupter)
    ctx.heuristic_only = heuristic_only
    ctx.bound = path_bound(arrays)
    try:
        if swap_applicable(arrays):
            ctx.swap_start(min(SWAP_MAX_S, SWAP_SHARE * time_limit_s, SWAP_S_PER_ARC * len(arrays.arc_cli)))
        if use_heuristic and not heuristic_only and threads >= 2:
            ctx.portfolio()
            return ctx.result("infeasible" if ctx.infeasible else None)
        if use_heuristic or heuristic_only:
            ctx.heuristic(time_limit_s if heuristic_only else heuristic_share * time_limit_s)
        if ctx.infeasible:
            return ctx.result("infeasible")
        if not heuristic_only and not ctx.done() and ctx.remaining() > 0.05:
            ctx.relaxation_stages(ctx.interrupter)
        if not heuristic_only and not ctx.done() and ctx.remaining() > 0.05:
            res = ctx.run(hint=ctx.best_values, time_limit_s=ctx.remaining(), gap=relative_gap)
            if res.status == "infeasible" and ctx.best_values is None:
                return ctx.result("infeasible")
            ctx.offer(res, "mip")
            if res.status != "infeasible" and math.isfinite(res.bound):
                ctx.bound = max(ctx.bound, res.bound)
            ctx.last_status = res.status
    except KeyboardInterrupt:
        # Ctrl-C outside a backend solve (in numpy moves, say): stop every search sharing
        # the interrupter too — a nested solve (the split stage) must not swallow it.
        ctx.interrupter.interrupt()
        ctx.last_status = "interrupted"
    return ctx.result(None)


class _Search(HeuristicStages, BoundStages):
    """One solve: its state, heuristic and bound stages, and the order they run in."""

    def swap_start(self, budget_s: float) -> None:
        """p-median / uncapacitated single-tier instances: vertex-substitution search first.

        HiGHS started without an incumbent stalled on p-median instances with
        hundreds of sites and few medians; the swap search finds their optima
        in seconds, and the MIP then only has to prove them.
        """
        found = swap_search(self.model.arrays, deadline=clock.now() + budget_s, seed=self.seed)
        if found is None:
            return
        is_open, _ = found
        values = assign_to_open(self.model, is_open[self.model.arrays.opt_fac].astype(float), keep_levels=True)
        if values is not None:
            self.offer(MipResult("feasible", values, self.model.objective_of(values), -math.inf, 0.0), "heuristic")

    def portfolio(self) -> None:
        """Full MIP on one core and the heuristic on the other, both until the deadline.

        The MIP's proven bound is what a gap needs, and it grows only with the
        MIP's own time; the heuristic's moves find good plans faster. Running
        them side by side (HiGHS releases the GIL) gives each the whole limit
        instead of splitting it. The answer is the better plan with the best bound.
        """
        mip_stop = SolveInterrupter()
        box: dict[str, MipResult | BaseException] = {}
        finished = threading.Event()  # not Thread.is_alive: see solver.mip.solve_mip

        def full_mip() -> None:
            try:
                self.relaxation_stages(mip_stop)
                box["mip"] = self.run(time_limit_s=max(0.05, self.remaining()), gap=self.gap, interrupter=mip_stop,
                                      hint=self.best_values)
            except BaseException as exc:  # re-raised in the calling thread
                box["error"] = exc
            finally:
                finished.set()

        threading.Thread(target=full_mip, name="huishou-full-mip", daemon=True).start()
        try:
            self.heuristic(self.remaining())
            while not finished.wait(0.05):
                if self.interrupter.interrupted or self.infeasible or self.done():
                    mip_stop.interrupt()
        finally:
            if not finished.is_set():
                mip_stop.interrupt()  # its solve answers at once when interrupted
                finished.wait()
        if "error" in box:
            raise box["error"]
        res = box["mip"]
        if res.status == "infeasible":
            self.infeasible = self.infeasible or self.best_values is None
            return
        self.offer(res, "mip")
        if math.isfinite(res.bound):  # a dual bound holds however the solve ended
            self.bound = max(self.bound, res.bound)
        if self.last_status != "interrupted":
            self.last_status = res.status if res.status != "interrupted" else "time_limit"


    # -- the heuristic ------------------------------------------------------
    def split_stage(self, budget_s: float) -> None:
        """Solve the split-sourcing relaxation, then single-source its sites.

        Letting shares split is a relaxation of single sourcing, so its proven
        bound is a bound here too; its open sites, with the assignment
        re-optimised under single sourcing, make a far better start than the
        single-sourcing greedy (Hami: 19.9 M vs 22.2 M CNY/yr).
        """
        began = clock.now()
        if budget_s < 0.2:
            return
        a = self.model.arrays
        split = replace(a, single_source=False, single_source_upper=False)
        # One thread: in a portfolio solve the other core runs the full MIP.
        sol = solve_design(split, backend=self.backend, time_limit_s=SPLIT_SOLVE_SHARE * budget_s, relative_gap=self.gap,
                           threads=1, seed=self.seed, interrupter=self.interrupter,
                           heuristic_only=self.threads >= 2)
        if sol.status == "infeasible":
            self.infeasible = True
        if sol.values is None:
            return
        self.split_objective = sol.objective
        self.bound = max(self.bound, sol.bound)
        deadline = began + budget_s
        self.fixed_sites(np.round(sol.values[sol.model.y]), deadline, move=True,
                         x_pref=sol.values[sol.model.x], f_pref=sol.values[sol.model.f])
        self.numpy_moves(deadline)
        self.open_sites_mip(deadline)

    def lagrangian_guide(self, h_deadline: float) -> None:
        """The Lagrangian's bound, and its open options in place of an LP solution the LP gives too late.

        On large instances HiGHS needs most of a short limit for the LP alone
        (generated CFLP 100 × 1,000, capacity/demand 10: 52 s), and the
        relaxation-induced sub-MIP then starts too late: 78,627 after 120 s
        where 69,964 came at 139 s of a 600 s solve. The subgradient steps of
        ``solver.design.bounds.lagrange`` come near the LP bound in seconds,
        and how often each size option opened in their last steps estimates
        the LP's y: options that (almost) never opened stay closed in a
        sub-MIP over the rest, and those opened in most steps, at their
        largest used size, make a plan of their own.
        """
        a = self.model.arrays
        split = replace(a, single_source=False, single_source_upper=False)
        budget = min(GUIDE_MAX_S, GUIDE_SHARE * (h_deadline - clock.now()))
        lag = lagrangian_bound(split, deadline=clock.now() + budget, best_plan=lambda: self.best_obj,
                               stopped=self.stopped)
        if not math.isfinite(lag.bound) or lag.option_share is None:
            return
        self.bound = max(self.bound, lag.bound)
        log.info("Lagrangian bound %.6g (%d steps, %.1f s)", lag.bound, lag.iterations, lag.time_s)
        share = lag.option_share
        self.fixed_sites(self._round_up(_cover_rounding(a, share)), h_deadline)
        self.numpy_moves(h_deadline)
        self.relaxation_neighbourhood(share < GUIDE_CLOSED_SHARE, h_deadline)

    def relaxation_neighbourhood(self, closed: np.ndarray, h_deadline: float) -> None:
        """Sub-MIP with the ``closed`` size options kept closed, for ``RINS_SHARE`` of the heuristic's time left."""
        left = h_deadline - clock.now()
        if left <= 0.05 or self.done():
            return
        ub = self.ub0.copy()
        ub[self.model.y[closed]] = 0.0
        res = self.run(time_limit_s=left * RINS_SHARE, gap=self.gap / 2, lb=self.lb0, ub=ub,
                       hint=self._hint(self.lb0, ub))
        self.offer(res, "heuristic")

    def heuristic(self, budget_s: float) -> None:
        h_deadline = min(self.deadline, clock.now() + budget_s)
        a = self.model.arrays
        if a.single_source or (a.single_source_upper and len(a.up_from)):
            self.greedy_safety()
            # The split relaxation first: with fixed sites, single sourcing is a
            # generalised assignment MIP that took a whole minute on Datong from
            # the greedy sites, while split-sourcing sub-problems are near-LPs.
            self.split_stage(SPLIT_SHARE * (h_deadline - clock.now()))
        if self.best_values is None and clock.now() < h_deadline - 0.1:
            # 0. Greedy construction (no LP), re-optimised with its sites fixed, then resized.
            self.fixed_sites(greedy_open(self.model.arrays), h_deadline)
            if self.best_values is not None:
                self.numpy_moves(h_deadline)
        if self.infeasible or clock.now() >= h_deadline - 0.1:
            return
        if len(a.arc_cli) >= GUIDE_MIN_ARCS and not self.done():
            self.lagrangian_guide(h_deadline)
        if self.infeasible or self.done() or clock.now() >= h_deadline - 0.1:
            return
        # The LP gets at most 40 % of the heuristic's time: on large instances local moves pay more.
        lp_limit = max(0.05, 0.4 * (h_deadline - clock.now()))
        lp = self.run(time_limit_s=lp_limit, gap=0.0, relax=True)
        if lp.status == "infeasible":
            self.infeasible = True
            return
        y_ids = self.model.y
        if lp.values is not None and lp.status == "optimal":
            self.bound = max(self.bound, lp.objective)
            ylp = lp.values[y_ids]
            # 1. Round up: every facility the LP uses opens at its largest used level.
            self.fixed_sites(self._round_up(ylp), h_deadline)
            # 2. Relaxation-induced neighbourhood: LP-closed options stay closed.
            self.relaxation_neighbourhood(ylp <= 1e-6, h_deadline)
        if self.best_values is None:
            # 3. Everything open at its largest level: feasible whenever the instance is.
            a = self.model.arrays
            self.fixed_sites(self._round_up(np.ones(len(y_ids)) * (a.opt_cap > 0)), self.deadline)
        self.local_search(h_deadline)


def _cover_rounding(a: DesignArrays, share: np.ndarray) -> np.ndarray:
    """Options opened in at least ``GUIDE_OPEN_SHARE`` of the steps, then, on each tier every tonne
    crosses, the next most often opened (one per site) until the tier holds all demand."""
    y = np.where(share >= GUIDE_OPEN_SHARE, share, 0.0)
    demand = float(a.demand.sum())
    for tier in tiers_all_flow_crosses(a):
        in_tier = a.fac_tier[a.opt_fac] == tier
        site_open = np.zeros(a.n_fac, dtype=bool)
        site_open[a.opt_fac[(y > 0) & in_tier]] = True
        held = float(a.opt_cap[(y > 0) & in_tier].sum())
        for o in np.argsort(-share, kind="stable"):
            if held >= demand:
                break
            if in_tier[o] and share[o] > 0 and not site_open[a.opt_fac[o]]:
                y[o] = share[o]
                site_open[a.opt_fac[o]] = True
                held += float(a.opt_cap[o])
    return y

