"""The state one design solve shares between its stages: best plan, best bound, the clock, the backend.

The heuristic stages (:mod:`solver.design.heuristic.stages`) and the bound
stages (:mod:`solver.design.bounds.stages`) extend :class:`SearchState`;
:mod:`solver.design.search` puts them in order.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable

import numpy as np
from ortools.util.python.solve_interrupter import SolveInterrupter

from solver import clock
from solver.design.model import DesignModel
from solver.design.solution import DesignSolution, relative_gap
from solver.mip import MipResult, solve_mip

log = logging.getLogger("huishou.solver.design.state")


class SearchState:
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
        return self.deadline - clock.now()

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

    def offer(self, res: MipResult, source: str) -> None:
        if res.values is None:
            return
        obj = self.model.objective_of(res.values)
        with self.lock:  # the bound core offers plans too
            if obj >= self.best_obj - 1e-9 * max(1.0, abs(obj)):
                return
            self.best_obj, self.best_values, self.best_source = obj, res.values, source
        log.info("new best %.6g from %s (bound %.6g) at %.1f s", obj, source, self.bound,
                 clock.now() - self.start)
        if self.on_best is not None:
            with self.report_lock:  # one progress report at a time (it may write the plan)
                self.on_best(self.result(None))

    def result(self, status: str | None) -> DesignSolution:
        elapsed = clock.now() - self.start
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
