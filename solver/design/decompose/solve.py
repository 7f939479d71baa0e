"""Solve a design instance by parts, in worker processes (or on a Dask cluster), with a global bound.

Each plan part and each bound part (:mod:`solver.design.decompose.parts`) is
an instance of its own, solved by :func:`solver.design.search.solve_design`
in a worker: the parts share nothing at run time, so they run side by side on
the machine's cores, or on any ``concurrent.futures`` executor, e.g. a Dask
cluster's (``distributed.Client(address).get_executor()``). The parts' plans
put together are a plan of the whole instance, checked row by row against the
whole model; the parts' proven bounds add up to a proven bound of the whole.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from solver import clock
from solver.design.arrays import DesignArrays
from solver.design.bounds.collapse import collapse_lowest_tier
from solver.design.bounds.lagrange import lagrangian_bound
from solver.design.bounds.path import path_bound
from solver.design.decompose.parts import Part, bound_parts, part_labels, plan_parts
from solver.design.heuristic.repair import satisfies_rows
from solver.design.model import build_design
from solver.design.solution import DesignSolution

log = logging.getLogger("huishou.solver.design.decompose")

#: Fewest seconds a part is given, however small.
MIN_PART_S = 3.0
#: Share of the time limit for the whole instance's Lagrangian bound, computed while the parts run.
WHOLE_BOUND_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class PartResult:
    """What a worker sends back: the part's values by variable family, objective, bound, status."""

    y: np.ndarray | None
    x: np.ndarray | None
    f: np.ndarray | None
    z: np.ndarray | None
    objective: float
    bound: float
    status: str


def splittable(a: DesignArrays) -> bool:
    """Whether the instance's side constraints split by part (no CO₂ cap, budget or site limits)."""
    return a.co2_cap is None and a.max_fixed is None and not a.max_open and not a.exact_open


def solve_part(arrays: DesignArrays, time_limit_s: float, backend: str, relative_gap: float, seed: int,
               use_heuristic: bool, deterministic: bool = False) -> PartResult:
    """Solve one part on one thread (runs in a worker process; on its own work clock if ``deterministic``)."""
    from solver.design.search import solve_design

    with clock.work_clock(deterministic):
        sol = solve_design(arrays, backend=backend, time_limit_s=time_limit_s, relative_gap=relative_gap,
                           threads=1, seed=seed, use_heuristic=use_heuristic)
    if sol.values is None:
        return PartResult(None, None, None, None, math.inf, sol.bound, sol.status)
    v, m = sol.values, sol.model
    return PartResult(v[m.y], v[m.x], v[m.f], v[m.z] if m.z is not None else None, sol.objective, sol.bound,
                      sol.status)


def whole_bound(a: DesignArrays, *, seconds: float) -> float:
    """The best of the path bound and the Lagrangian of the relaxation without the lowest tier, of the whole."""
    best = path_bound(a)
    collapsed = collapse_lowest_tier(a)
    if collapsed is not None:
        split = replace(collapsed.arrays, single_source=False, single_source_upper=False)
        lag = lagrangian_bound(split, deadline=clock.now() + seconds)
        if math.isfinite(lag.bound):
            best = max(best, lag.bound + collapsed.offset)
    return best


def _budgets(parts: list[Part], seconds: float, workers: int) -> list[float]:
    """Seconds per part: the workers' time shared by part size (arcs), at least ``MIN_PART_S``."""
    sizes = np.array([max(p.size, 1) for p in parts], dtype=float)
    return [max(MIN_PART_S, seconds * workers * s / sizes.sum()) for s in sizes]


def solve_by_parts(a: DesignArrays, client_area: np.ndarray, fac_area: np.ndarray, *, time_limit_s: float,
                   workers: int = 2, backend: str = "highs", relative_gap: float = 1e-4, seed: int = 0,
                   use_heuristic: bool = True, executor: Executor | None = None,
                   with_bound_parts: bool = False, deterministic: bool = False) -> DesignSolution:
    """Plan parts and bound parts in parallel; the whole plan and the sum of the parts' bounds.

    Parameters
    ----------
    a
        The whole instance (side constraints must split: :func:`splittable`).
    client_area, fac_area
        Area label per client and per facility (e.g. the prefecture of its county).
    time_limit_s
        Wall-clock seconds for all parts together.
    workers
        Worker processes when no ``executor`` is given.
    executor
        Where the parts run (a Dask cluster's executor, say); default a process pool.
    deterministic
        Each part on its own work clock (``solver.clock``): the same parts, the same plans.
    with_bound_parts
        Also solve the bound parts and take the larger of their sum and the
        whole instance's Lagrangian bound. Off by default: on Shanxi (480 s,
        two workers) their sum, 510 M CNY/yr, stayed below the whole
        Lagrangian's 657 M while taking half the workers' time from the plan parts.

    Returns
    -------
    DesignSolution
        Of the whole instance; status ``infeasible`` (no values) when a plan part has no plan.
    """
    start = clock.now()
    cli_part, fac_part = part_labels(a, client_area, fac_area)
    plans = plan_parts(a, cli_part, fac_part)
    bounds = bound_parts(a, cli_part, fac_part) if with_bound_parts else []
    parts = plans + bounds
    budget = _budgets(parts, 0.92 * time_limit_s, workers)
    log.info("decomposition: %d parts, %d bound parts, %d workers", len(plans), len(bounds), workers)
    own = executor is None
    pool = ProcessPoolExecutor(max_workers=workers) if own else executor
    try:
        # Largest first, so the pool is not left waiting for one big part at the end.
        order = sorted(range(len(parts)), key=lambda i: -parts[i].size)
        futures = {i: pool.submit(solve_part, parts[i].arrays, budget[i], backend, relative_gap, seed,
                                  use_heuristic, deterministic) for i in order}
        # The main process waits anyway: a bound of the whole instance meanwhile.
        whole = whole_bound(a, seconds=WHOLE_BOUND_SHARE * time_limit_s)
        results = [futures[i].result() for i in range(len(parts))]
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
    model = build_design(a)
    by_parts = float(sum(r.bound for r in results[len(plans):])) if bounds else -math.inf
    log.info("bound: parts %.6g, whole instance %.6g", by_parts, whole)
    bound = max(by_parts, whole)
    elapsed = clock.now() - start
    if any(r.y is None for r in results[:len(plans)]):
        status = next(r.status for r in results[:len(plans)] if r.y is None)
        return DesignSolution(a, model, None, math.inf, bound, elapsed, status, backend,
                              message=f"a part ended {status} without a plan")
    values = _assemble(model, plans, results[:len(plans)])
    if not satisfies_rows(model, values):
        raise RuntimeError("the parts' plans put together break a row of the whole model")
    objective = model.objective_of(values)
    status = "optimal" if objective - bound <= relative_gap * abs(objective) else "time_limit"
    return DesignSolution(a, model, values, objective, min(bound, objective), elapsed, status, backend,
                          message=f"decomposed into {len(plans)} parts")


def _assemble(model, plans: list[Part], results: list[PartResult]) -> np.ndarray:
    """The whole model's solution vector from the plan parts' values (throughputs recomputed)."""
    a = model.arrays
    values = np.zeros(model.builder.n_vars)
    for part, r in zip(plans, results, strict=True):
        values[model.y[part.options]] = np.round(r.y)
        values[model.x[part.arcs]] = np.round(r.x) if a.single_source else np.clip(r.x, 0.0, 1.0)
        values[model.f[part.ups]] = np.maximum(r.f, 0.0)
        if model.z is not None and r.z is not None:
            values[model.z[part.ups]] = np.round(r.z)
    load = model.site_loads(values)
    opened = values[model.y] > 0.5
    chosen = opened[model.t_opt]
    values[model.t[chosen]] = load[a.opt_fac[model.t_opt[chosen]]]
    return values
