"""Solve a :class:`~solver.design.model.DesignArrays` instance: heuristic, then MIP.

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
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from ortools.util.python.solve_interrupter import SolveInterrupter

from solver.design.bounds.collapse import collapse_lowest_tier
from solver.design.bounds.lagrange import lagrangian_bound
from solver.design.heuristic.greedy import cheapest_level, greedy_open, path_bound
from solver.design.heuristic.moves import drop_add
from solver.design.heuristic.repair import assign_to_open
from solver.design.heuristic.shift import shift_moves
from solver.design.heuristic.swap import swap_applicable, swap_search
from solver.design.model import DesignArrays, DesignModel, build_design
from solver.mip import ABANDON_AFTER_S, MipResult, solve_mip

log = logging.getLogger("huishou.solver.design.search")

#: Share of the heuristic budget for the split-sourcing stage of a single-sourcing solve.
SPLIT_SHARE = 0.9
#: Share of that stage for the split solve itself; the rest single-sources its plan
#: (Datong 60 s: 72.48 M CNY/yr with 0.75, 71.38–71.46 M with 0.5; Hami 19.47 / 19.46 M).
SPLIT_SOLVE_SHARE = 0.5
#: Share of the heuristic's time left that the relaxation-induced sub-MIP may take.
RINS_SHARE = 0.6
#: Share of the time limit, and most seconds, for the swap search on p-median / UFL instances.
SWAP_SHARE = 0.35
SWAP_MAX_S = 20.0
#: Swap-search seconds per client arc (pmed40, 810,000 arcs: 20 s; its optimum came at 1.2–9.3 s over three seeds).
SWAP_S_PER_ARC = 2.5e-5
#: Most of the time left that one round of numpy drop/add moves may take.
NUMPY_MOVES_SHARE = 0.3
#: Share of the bound's time for the MIP of the relaxation without the lowest tier
#: (``solver.design.bounds.collapse``): Hami's proof of it takes ~30 s of a 60 s limit
#: beside the heuristic, and at half the limit it ended unproven once.
COLLAPSED_SHARE = 0.6
#: Share of that relaxation's time its Lagrangian bound (``solver.design.bounds.lagrange``) may take first.
LAGRANGE_SHARE = 0.2
#: Share of the bound core's time left after that for the sub-MIP on the relaxation's
#: higher-tier sites; the full MIP, started from the best plan, gets the rest.
UPPER_SITES_SHARE = 0.5


@dataclass(slots=True)
class DesignSolution:
    """A solution of a design instance with its proof quality.

    ``status`` is ``optimal``, ``feasible``, ``time_limit``, ``interrupted``,
    ``heuristic`` or ``infeasible`` (then ``values`` is None).
    """

    arrays: DesignArrays
    model: DesignModel
    values: np.ndarray | None
    objective: float
    bound: float
    time_s: float
    status: str
    backend: str
    message: str = ""
    #: Under single sourcing, the best plan found with shares split (the split stage), CNY/yr; inf if none.
    split_objective: float = math.inf

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)

    @property
    def y(self) -> np.ndarray:
        return np.round(self.values[self.model.y]) if self.values is not None else np.zeros(0)

    @property
    def x(self) -> np.ndarray:
        x = self.values[self.model.x] if self.values is not None else np.zeros(0)
        return np.round(x) if self.arrays.single_source else np.clip(x, 0.0, 1.0)

    @property
    def f(self) -> np.ndarray:
        return np.maximum(self.values[self.model.f], 0.0) if self.values is not None else np.zeros(0)


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, 0 when both are 0, inf without a bound."""
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else math.inf
    return max(0.0, (objective - bound) / abs(objective))


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
    start = time.perf_counter()
    model = build_design(arrays)
    log.info("design model: %d variables, %d rows, built in %.2f s", model.builder.n_vars,
             model.builder.n_rows, time.perf_counter() - start)
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


class _Search:
    """State of one solve: best solution, best bound, the clock."""

    def __init__(self, model: DesignModel, backend: str, threads: int, seed: int, gap: float,
                 start: float, time_limit_s: float, on_best: Callable[[DesignSolution], None] | None,
                 interrupter: SolveInterrupter) -> None:
        self.model = model
        self.backend = backend
        self.threads = threads
        self.seed = seed
        self.gap = gap
        self.start = start
        self.deadline = start + time_limit_s
        self.on_best = on_best
        self.interrupter = interrupter
        self.best_values: np.ndarray | None = None
        self.safety: np.ndarray | None = None  # the greedy start: answered only while nothing else is found
        self.best_obj = math.inf
        self.best_source = ""
        self.bound = -math.inf
        self.infeasible = False
        self.split_objective = math.inf
        self.last_status = ""
        self.heuristic_only = False
        self.move_s = max(1.0, 0.15 * time_limit_s)
        self.lb0, self.ub0 = model.builder.arrays()[:2]
        self.lock = threading.Lock()
        self.report_lock = threading.Lock()

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def stopped(self) -> bool:
        return self.interrupter.interrupted

    def done(self) -> bool:
        return self.interrupter.interrupted or (
            self.best_values is not None and relative_gap(self.best_obj, self.bound) <= self.gap)

    def run(self, *, time_limit_s: float, gap: float, hint: np.ndarray | None = None,
            lb: np.ndarray | None = None, ub: np.ndarray | None = None, relax: bool = False,
            interrupter: SolveInterrupter | None = None) -> MipResult:
        if self.interrupter.interrupted:  # stopped: start nothing new
            self.last_status = "interrupted"
            return MipResult("interrupted", None, math.inf, -math.inf, 0.0, interrupted=True)
        res = solve_mip(self.model.builder, backend=self.backend, time_limit_s=time_limit_s,
                        relative_gap=gap, threads=self.threads, seed=self.seed, hint=hint, lb=lb, ub=ub,
                        relax=relax, interrupter=interrupter or self.interrupter)
        if res.interrupted and self.interrupter.interrupted:
            self.last_status = "interrupted"
        return res

    def swap_start(self, budget_s: float) -> None:
        """p-median / uncapacitated single-tier instances: vertex-substitution search first.

        HiGHS started without an incumbent stalled on p-median instances with
        hundreds of sites and few medians; the swap search finds their optima
        in seconds, and the MIP then only has to prove them.
        """
        found = swap_search(self.model.arrays, deadline=time.perf_counter() + budget_s, seed=self.seed)
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
        lag = lagrangian_bound(split, deadline=time.perf_counter() + LAGRANGE_SHARE * budget_s,
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

    def offer(self, res: MipResult, source: str) -> None:
        if res.values is None:
            return
        obj = self.model.objective_of(res.values)
        with self.lock:  # the bound core offers plans too
            if obj >= self.best_obj - 1e-9 * max(1.0, abs(obj)):
                return
            self.best_obj, self.best_values, self.best_source = obj, res.values, source
        log.info("new best %.6g from %s (bound %.6g) at %.1f s", obj, source, self.bound,
                 time.perf_counter() - self.start)
        if self.on_best is not None:
            with self.report_lock:  # one progress report at a time (it may write the plan)
                self.on_best(self.result(None))

    def result(self, status: str | None) -> DesignSolution:
        elapsed = time.perf_counter() - self.start
        if status == "infeasible":
            return DesignSolution(self.model.arrays, self.model, None, math.inf, math.inf, elapsed,
                                  "infeasible", self.backend, split_objective=self.split_objective)
        values, obj, source = self.best_values, self.best_obj, self.best_source
        if values is None and self.safety is not None:
            values, obj, source = self.safety, self.model.objective_of(self.safety), "the greedy start"
        bound = min(self.bound, obj)
        if status is None:
            proven = values is not None and relative_gap(obj, bound) <= self.gap
            if self.last_status == "interrupted":
                status = "interrupted"
            elif proven:
                status = "optimal"
            elif self.heuristic_only:
                status = "heuristic"
            elif self.last_status in ("time_limit", "no_solution") or self.remaining() <= 0.05:
                status = "time_limit"
            else:
                status = "feasible"
        backend = self.backend if source == "mip" else "heuristic"
        return DesignSolution(self.model.arrays, self.model, values, obj, bound, elapsed,
                              status, backend, f"best from {source or 'none'}", self.split_objective)

    # -- the heuristic ------------------------------------------------------
    def split_stage(self, budget_s: float) -> None:
        """Solve the split-sourcing relaxation, then single-source its sites.

        Letting shares split is a relaxation of single sourcing, so its proven
        bound is a bound here too; its open sites, with the assignment
        re-optimised under single sourcing, make a far better start than the
        single-sourcing greedy (Hami: 19.9 M vs 22.2 M CNY/yr).
        """
        began = time.perf_counter()
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

    def open_sites_mip(self, deadline: float) -> None:
        """Sub-MIP on the best plan's open sites, sizes and assignment free (closed sites stay closed).

        Under single sourcing the split plan's sizes are often too small for
        whole villages, so fixing them leaves no plan; letting each open site
        take any size (or close) keeps a neighbourhood the best plan is in.
        """
        left = min(deadline, self.deadline) - time.perf_counter()
        if self.best_values is None or left < 0.05 or self.done():
            return
        a = self.model.arrays
        site_open = np.zeros(a.n_fac, dtype=bool)
        site_open[a.opt_fac[np.round(self.best_values[self.model.y]) > 0.5]] = True
        ub = self.ub0.copy()
        ub[self.model.y[~site_open[a.opt_fac]]] = 0.0
        res = self.run(time_limit_s=left, gap=self.gap / 2, lb=self.lb0, ub=ub, hint=self.best_values)
        self.offer(res, "heuristic")

    def heuristic(self, budget_s: float) -> None:
        h_deadline = min(self.deadline, time.perf_counter() + budget_s)
        a = self.model.arrays
        if a.single_source or a.single_source_upper:
            self.greedy_safety()
            # The split relaxation first: with fixed sites, single sourcing is a
            # generalised assignment MIP that took a whole minute on Datong from
            # the greedy sites, while split-sourcing sub-problems are near-LPs.
            self.split_stage(SPLIT_SHARE * (h_deadline - time.perf_counter()))
        if self.best_values is None and time.perf_counter() < h_deadline - 0.1:
            # 0. Greedy construction (no LP), re-optimised with its sites fixed, then resized.
            self.fixed_sites(greedy_open(self.model.arrays), h_deadline)
            if self.best_values is not None:
                self.numpy_moves(h_deadline)
        if self.infeasible or time.perf_counter() >= h_deadline - 0.1:
            return
        # The LP gets at most 40 % of the heuristic's time: on large instances local moves pay more.
        lp_limit = max(0.05, 0.4 * (h_deadline - time.perf_counter()))
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
            left = h_deadline - time.perf_counter()
            if left > 0.05 and not self.done():
                lb, ub = self.lb0.copy(), self.ub0.copy()
                ub[y_ids[ylp <= 1e-6]] = 0.0
                res = self.run(time_limit_s=left * RINS_SHARE, gap=self.gap / 2, lb=lb, ub=ub, hint=self._hint(lb, ub))
                self.offer(res, "heuristic")
        if self.best_values is None:
            # 3. Everything open at its largest level: feasible whenever the instance is.
            a = self.model.arrays
            self.fixed_sites(self._round_up(np.ones(len(y_ids)) * (a.opt_cap > 0)), self.deadline)
        self.local_search(h_deadline)

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
        left = min(deadline, self.deadline) - time.perf_counter()
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
        while time.perf_counter() < h_deadline - 0.05 and not self.done():
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
        moved = drop_add(self.model, before, min(deadline, time.perf_counter() + NUMPY_MOVES_SHARE
                                                  * max(0.0, deadline - time.perf_counter())),
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
                if time.perf_counter() >= deadline - 0.05 or self.done():
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
