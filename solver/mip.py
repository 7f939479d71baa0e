"""Array-level MIP assembly and solving through OR-Tools MathOpt.

Columns and rows are collected as numpy arrays and turned into one MathOpt
``ModelProto`` at once, so a model with 10^5 assignment variables builds in a
fraction of a second instead of through 10^5 Python expression objects. The
solve runs in a worker thread with a ``SolveInterrupter``, so Ctrl-C (or the
caller) stops it and the best solution found so far is kept.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from ortools.math_opt import model_parameters_pb2, model_pb2, result_pb2, solution_pb2
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.python import callback, init_arguments, mathopt
from ortools.util.python.solve_interrupter import SolveInterrupter

from network.errors import SolverError
from solver import clock

log = logging.getLogger("huishou.solver.mip")

#: Seconds a backend may run past its time limit before the watchdog stops it.
WATCHDOG_GRACE_S = 0.3
#: Seconds after that before the caller stops waiting for a backend that did not stop.
ABANDON_AFTER_S = 1.0

_SOLVER_TYPES = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}
#: SCIP solves in this process take turns. With ortools 9.15, two at once crashed the
#: process (SIGSEGV: Wuhai with ``backend = "scip"`` and two threads, the heuristic's LP
#: beside the bound core's sub-MIP, every run), and SCIP does not react to the
#: interrupter (its event handler fails to attach: the ``SCIPcatchEvent`` error line),
#: so a solve the caller stopped waiting for may still be running when the next starts.
_SCIP_TURN = threading.Lock()
#: Done-flags of backend solves this process stopped waiting for (see ``backends_running``).
_LEFT_RUNNING: list[threading.Event] = []


def backends_running() -> bool:
    """Whether a backend solve that ``solve_mip`` stopped waiting for is still running.

    Such a solve is inside the backend's C++ code, which no Python call can
    stop; exiting the interpreter around it (Python's shutdown tearing down
    the solver's static state under the running thread) aborts the process
    (``terminate called without an active exception``, SIGABRT). A program
    that ends while this is true should leave with ``os._exit`` after
    flushing its output, as ``solve.py`` does.
    """
    _LEFT_RUNNING[:] = [done for done in _LEFT_RUNNING if not done.is_set()]
    return bool(_LEFT_RUNNING)


class MipBuilder:
    """Collects variables and sparse rows as arrays; emits one MathOpt model."""

    def __init__(self) -> None:
        self._lb: list[np.ndarray] = []
        self._ub: list[np.ndarray] = []
        self._int: list[np.ndarray] = []
        self._cost: list[np.ndarray] = []
        self.n_vars = 0
        self._rows_i: list[np.ndarray] = []
        self._rows_j: list[np.ndarray] = []
        self._rows_v: list[np.ndarray] = []
        self._row_lb: list[np.ndarray] = []
        self._row_ub: list[np.ndarray] = []
        self.n_rows = 0

    def add_vars(self, n: int, *, lb: float | np.ndarray = 0.0, ub: float | np.ndarray = 1.0,
                 integer: bool = False, cost: float | np.ndarray = 0.0) -> np.ndarray:
        """Add ``n`` variables; return their column ids (int64 array)."""
        ids = np.arange(self.n_vars, self.n_vars + n, dtype=np.int64)
        self._lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n,)).copy())
        self._ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy())
        self._int.append(np.full(n, integer))
        self._cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy())
        self.n_vars += n
        return ids

    def add_rows(self, n: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray | float, *,
                 lb: float | np.ndarray = -math.inf, ub: float | np.ndarray = math.inf) -> np.ndarray:
        """Add ``n`` rows ``lb <= Σ vals · x[cols] <= ub``; ``rows`` are local (0..n-1)."""
        ids = np.arange(self.n_rows, self.n_rows + n, dtype=np.int64)
        rows = np.asarray(rows, dtype=np.int64)
        self._rows_i.append(rows + self.n_rows)
        self._rows_j.append(np.asarray(cols, dtype=np.int64))
        self._rows_v.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape).copy())
        self._row_lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n,)).copy())
        self._row_ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy())
        self.n_rows += n
        return ids

    def add_row(self, cols: np.ndarray, vals: np.ndarray | float, *, lb: float = -math.inf,
                ub: float = math.inf) -> int:
        """Add one row; return its id."""
        cols = np.asarray(cols, dtype=np.int64)
        return int(self.add_rows(1, np.zeros(cols.shape, dtype=np.int64), cols, vals, lb=lb, ub=ub)[0])

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column bounds, integrality and cost as flat arrays."""
        def cat(parts: list[np.ndarray], dt: type) -> np.ndarray:
            return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt)

        return (cat(self._lb, float), cat(self._ub, float), cat(self._int, bool), cat(self._cost, float))

    def row_activity(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per row: Σ coefficient · value, its lower and upper bound, and Σ |coefficient · value|."""
        if not self.n_rows:
            empty = np.zeros(0)
            return empty, empty, empty, empty
        r = np.concatenate(self._rows_i)
        terms = np.concatenate(self._rows_v) * values[np.concatenate(self._rows_j)]
        activity = np.bincount(r, weights=terms, minlength=self.n_rows)
        scale = np.bincount(r, weights=np.abs(terms), minlength=self.n_rows)
        return activity, np.concatenate(self._row_lb), np.concatenate(self._row_ub), scale

    def to_proto(self, *, lb: np.ndarray | None = None, ub: np.ndarray | None = None,
                 relax: bool = False) -> model_pb2.ModelProto:
        """The MathOpt ``ModelProto``; ``lb``/``ub`` override column bounds, ``relax`` drops integrality.

        The matrix part is built once and copied for each later solve (the
        heuristic solves the same model many times with other bounds).
        """
        key = (self.n_vars, self.n_rows)
        if getattr(self, "_cache_key", None) != key:
            self._cache = self._full_proto()
            self._cache_key = key
        proto = model_pb2.ModelProto()
        proto.CopyFrom(self._cache)
        if lb is not None:
            del proto.variables.lower_bounds[:]
            proto.variables.lower_bounds.extend(np.asarray(lb, dtype=float).tolist())
        if ub is not None:
            del proto.variables.upper_bounds[:]
            proto.variables.upper_bounds.extend(np.asarray(ub, dtype=float).tolist())
        if relax:
            del proto.variables.integers[:]
            proto.variables.integers.extend([False] * self.n_vars)
        return proto

    def _full_proto(self) -> model_pb2.ModelProto:
        col_lb, col_ub, integer, cost = self.arrays()
        proto = model_pb2.ModelProto(name="huishou")
        proto.variables.ids.extend(range(self.n_vars))
        proto.variables.lower_bounds.extend(col_lb.tolist())
        proto.variables.upper_bounds.extend(col_ub.tolist())
        proto.variables.integers.extend(integer.tolist())
        nz = np.flatnonzero(cost)
        proto.objective.linear_coefficients.ids.extend(nz.tolist())
        proto.objective.linear_coefficients.values.extend(cost[nz].tolist())
        proto.linear_constraints.ids.extend(range(self.n_rows))
        if self.n_rows:
            proto.linear_constraints.lower_bounds.extend(np.concatenate(self._row_lb).tolist())
            proto.linear_constraints.upper_bounds.extend(np.concatenate(self._row_ub).tolist())
            r = np.concatenate(self._rows_i)
            c = np.concatenate(self._rows_j)
            v = np.concatenate(self._rows_v)
            keep = v != 0
            r, c, v = r[keep], c[keep], v[keep]
            order = np.lexsort((c, r))
            r, c, v = r[order], c[order], v[order]
            # Sum duplicate (row, column) entries: the proto requires unique sorted pairs.
            if len(r):
                new = np.ones(len(r), dtype=bool)
                new[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
                groups = np.cumsum(new) - 1
                v = np.bincount(groups, weights=v)
                r, c = r[new], c[new]
            proto.linear_constraint_matrix.row_ids.extend(r.tolist())
            proto.linear_constraint_matrix.column_ids.extend(c.tolist())
            proto.linear_constraint_matrix.coefficients.extend(v.tolist())
        return proto


@dataclass(frozen=True, slots=True)
class MipResult:
    """Outcome of one MIP/LP solve: ``values`` is None when no solution was found."""

    status: str
    values: np.ndarray | None
    objective: float
    bound: float
    time_s: float
    interrupted: bool = False


def solve_mip(builder: MipBuilder, *, backend: str = "highs", time_limit_s: float = 60.0,
              relative_gap: float = 1e-4, threads: int = 1, seed: int = 0,
              hint: np.ndarray | None = None, lb: np.ndarray | None = None,
              ub: np.ndarray | None = None, relax: bool = False,
              interrupter: SolveInterrupter | None = None, abandon_after_s: float = ABANDON_AFTER_S) -> MipResult:
    """Solve the builder's model (minimisation) with a time limit.

    Parameters
    ----------
    builder
        The model.
    backend
        ``"highs"`` or ``"scip"`` (MathOpt ``HIGHS`` / ``GSCIP``).
    time_limit_s
        Wall-clock limit, seconds.
    relative_gap
        Stop when (objective − bound)/|objective| is below this.
    threads, seed
        Passed to the backend.
    hint
        A full solution vector given as a MathOpt solution hint (warm start).
    lb, ub
        Column bounds overriding the builder's (e.g. to fix open sites).
    relax
        Solve the LP relaxation.
    interrupter
        Stops the solve when interrupted; a KeyboardInterrupt in the calling
        thread interrupts it too.
    abandon_after_s
        Seconds past the limit (and the watchdog's stop) after which the
        caller stops waiting for a backend that has not stopped; its result,
        bound included, is then lost. A stage that only wants the bound waits
        longer.

    Returns
    -------
    MipResult
        ``status`` is ``optimal``, ``feasible``, ``time_limit``,
        ``interrupted``, ``infeasible`` or ``no_solution``.

    Raises
    ------
    SolverError
        If the backend is unknown or fails.
    """
    if backend not in _SOLVER_TYPES:
        raise SolverError(f"unknown MIP backend {backend!r}; expected one of {', '.join(_SOLVER_TYPES)}")
    start = time.perf_counter()
    proto = builder.to_proto(lb=lb, ub=ub, relax=relax)
    # The model is handed to MathOpt's core as the proto we built: no Python
    # Variable objects, hint and solution as flat arrays (pmed40 has 810,000
    # variables; the Python model layer cost seconds per solve there).
    # MathOpt's HiGHS interface rejects the ``threads`` parameter (ortools 9.15):
    # HiGHS then picks its own thread count.
    # The time limit is set when the backend's turn comes (``run``).
    params = mathopt.SolveParameters(relative_gap_tolerance=relative_gap, random_seed=seed,
                                     threads=None if backend == "highs" else threads)
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    for skipped in (model_params.dual_values_filter, model_params.reduced_costs_filter):
        skipped.filter_by_ids = True  # primal values only
    if hint is not None and not relax:
        values = model_params.solution_hints.add().variable_values
        values.ids.extend(range(builder.n_vars))
        values.values.extend(np.asarray(hint, dtype=float).tolist())
    # The backend gets its own interrupter: the caller's (or Ctrl-C) stops it as an
    # interruption, and a watchdog stops it as a time limit when the backend runs
    # past its limit (HiGHS checks the clock only between LP iterations and in its
    # own phases, which overran by seconds on large models).
    stop = SolveInterrupter()
    steady = clock.deterministic()
    if steady:
        # Work limits, not seconds: the same solve whatever the load; the wall clock only as a safety net.
        if relax:
            params.iteration_limit = max(1, int(time_limit_s * clock.ITERATIONS_PER_S))
        else:
            params.node_limit = max(1, int(time_limit_s * clock.NODES_PER_S))
        clock.spend(time_limit_s)
    wall_limit_s = clock.SAFETY_FACTOR * time_limit_s + 10.0 if steady else time_limit_s
    hard_deadline = start + wall_limit_s + WATCHDOG_GRACE_S
    box: dict[str, object] = {}
    # Finished-flag of the solve: after Ctrl-C lands in ``Thread.join``, Python 3.11
    # may report a running thread as stopped (it did here: the result was missing).
    done = threading.Event()

    def run() -> None:
        try:
            with _SCIP_TURN if backend == "scip" else contextlib.nullcontext():
                # The limit counts from the call, not from this backend's turn.
                left = start + wall_limit_s - time.perf_counter()
                if left <= 0.01 or stop.interrupted:
                    return
                params.time_limit = _timedelta(left)
                box["result"] = core_solver.solve(
                    proto, _SOLVER_TYPES[backend].value, init_arguments.StreamableSolverInitArguments().to_proto(),
                    params.to_proto(), model_params, None, callback.CallbackRegistration().to_proto(), None,
                    stop.pybind_interrupter)
        except Exception as exc:  # re-raised below as SolverError
            box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=run, name="huishou-mip", daemon=True)
    worker.start()
    interrupted = False
    while not done.is_set():
        try:
            done.wait(0.05)
        except KeyboardInterrupt:
            interrupted = True
            stop.interrupt()
            if interrupter is not None:
                interrupter.interrupt()
        if interrupter is not None and interrupter.interrupted and not stop.interrupted:
            interrupted = True
            stop.interrupt()
        if time.perf_counter() > hard_deadline and not stop.interrupted:
            log.info("%s ran past its %.1f s limit: stopped by the watchdog", backend, time_limit_s)
            stop.interrupt()
        # HiGHS through MathOpt (ortools 9.15) does not react to the interrupter once
        # it is solving: leave it to finish in its daemon thread and answer now.
        if interrupted or time.perf_counter() > hard_deadline + abandon_after_s:
            break
    if not done.is_set():
        _LEFT_RUNNING.append(done)
        log.info("%s left running in the background after %s", backend,
                 "the interruption" if interrupted else "its time limit")
        return MipResult("interrupted" if interrupted else "time_limit", None, math.inf, -math.inf,
                         time.perf_counter() - start, interrupted)
    if "error" in box:
        raise SolverError(f"{backend} failed: {box['error']}") from None
    if "result" not in box:  # stopped, or out of time, before its turn came
        return MipResult("interrupted" if interrupted else "time_limit", None, math.inf, -math.inf,
                         time.perf_counter() - start, interrupted)
    return _read_result(box["result"], builder.n_vars, time_limit_s if steady else time.perf_counter() - start,
                        interrupted=interrupted, timed_out=stop.interrupted and not interrupted)


def _timedelta(seconds: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=seconds)


def _read_result(result: result_pb2.SolveResultProto, n_vars: int, time_s: float, *,
                 interrupted: bool, timed_out: bool = False) -> MipResult:
    reason = result.termination.reason
    R = result_pb2
    if reason in (R.TERMINATION_REASON_INFEASIBLE, R.TERMINATION_REASON_INFEASIBLE_OR_UNBOUNDED):
        return MipResult("infeasible", None, math.inf, math.inf, time_s, interrupted)
    if reason == R.TERMINATION_REASON_UNBOUNDED:
        raise SolverError("the model is unbounded (a cost is negative); check the cost parameters")
    if reason in (R.TERMINATION_REASON_NUMERICAL_ERROR, R.TERMINATION_REASON_OTHER_ERROR):
        raise SolverError(f"the backend stopped with an error: {result.termination.detail}")
    bound = result.termination.objective_bounds.dual_bound
    if not math.isfinite(bound):
        bound = -math.inf
    primal = next((s.primal_solution for s in result.solutions if s.HasField("primal_solution")
                   and s.primal_solution.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE), None)
    if primal is None:
        status = "interrupted" if interrupted else "no_solution"
        return MipResult(status, None, math.inf, bound, time_s, interrupted)
    values = np.zeros(n_vars)
    sparse = primal.variable_values
    values[np.asarray(sparse.ids, dtype=np.int64)] = np.asarray(sparse.values, dtype=float)
    objective = float(primal.objective_value)
    if reason == R.TERMINATION_REASON_OPTIMAL:
        status = "optimal"
    elif interrupted:
        status = "interrupted"
    elif timed_out or result.termination.limit == R.LIMIT_TIME:
        status = "time_limit"
    else:
        status = "feasible"
    log.info("MIP %s: objective %.6g, bound %.6g, %.2f s", status, objective, bound, time_s)
    return MipResult(status, values, objective, float(bound), time_s, interrupted)
