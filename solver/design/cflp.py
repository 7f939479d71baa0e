"""Array-level entry point: single-echelon facility location (CFLP, UFLP, p-median).

The OR-Library benchmarks (cap41–cap134, their uncapacitated variants and
pmed1–pmed40) call :func:`solve_facility_location`. It fills the same
:class:`~solver.design.arrays.DesignArrays` the three-tier network model
fills, and runs the same build, heuristic and MIP code (``solve_design``), so
the benchmarks measure the network model's code path, not a textbook copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from network.errors import InputError
from solver.design.arrays import DesignArrays
from solver.design.search import solve_design
from solver.design.solution import DesignSolution


@dataclass(frozen=True, slots=True)
class FacilityResult:
    """Result of :func:`solve_facility_location`.

    Attributes
    ----------
    open
        Boolean array, one per facility: open or not.
    assign
        ``assign[i, j]``: share of customer j's demand served by facility i
        (0/1 under single sourcing).
    objective
        Fixed + assignment cost of the solution (in the input's unit).
    bound
        Proven lower bound on the optimum.
    gap
        ``(objective − bound) / |objective|``.
    time_s
        Wall time, seconds, including model building and the heuristic.
    status
        ``optimal``, ``feasible``, ``time_limit``, ``interrupted`` or ``heuristic``.
    """

    open: np.ndarray
    assign: np.ndarray
    objective: float
    bound: float
    gap: float
    time_s: float
    status: str


def solve_facility_location(fixed_cost: np.ndarray, capacity: np.ndarray | None, demand: np.ndarray,
                            assign_cost: np.ndarray, *, single_source: bool = False, p: int | None = None,
                            capacitated: bool = True, time_limit_s: float = 60.0, backend: str = "highs",
                            relative_gap: float = 1e-6, threads: int = 1, seed: int = 0,
                            use_heuristic: bool | None = None, heuristic_only: bool = False,
                            on_progress: Callable[[float, float], None] | None = None) -> FacilityResult:
    """Solve a capacitated / uncapacitated facility location or p-median problem.

    Parameters
    ----------
    fixed_cost
        Shape (m,): cost of opening each facility (0 for p-median).
    capacity
        Shape (m,): capacity in demand units; ignored (may be None) when
        ``capacitated`` is False.
    demand
        Shape (n,): demand of each customer.
    assign_cost
        Shape (m, n): cost of serving *all* of customer j from facility i
        (OR-Library convention); ``inf`` forbids the pair.
    single_source
        Each customer served by one facility (binary assignment).
    p
        If given, exactly ``p`` facilities open (p-median).
    capacitated
        Enforce capacities.
    time_limit_s
        Wall-clock limit, seconds.
    backend
        ``"highs"`` or ``"scip"``.
    relative_gap
        Stop at this proven relative gap.
    threads, seed
        Solver threads and random seed.
    use_heuristic
        Run the heuristic before the MIP; None (default): on for capacitated
        instances (no ``p``) with ≥ 20,000 assignment pairs.
    heuristic_only
        Only the heuristic (with the whole time limit), no full MIP.
    on_progress
        Called with ``(objective, bound)`` at each new best solution.

    Returns
    -------
    FacilityResult

    Raises
    ------
    InputError
        If the array shapes disagree or values are negative / not finite.
    network.errors.InfeasibleError
        If no solution exists (e.g. total capacity below demand).
    """
    fixed = np.asarray(fixed_cost, dtype=float)
    dem = np.asarray(demand, dtype=float)
    cost = np.asarray(assign_cost, dtype=float)
    m, n = len(fixed), len(dem)
    problems = []
    if cost.shape != (m, n):
        problems.append(f"assign_cost: expected shape ({m}, {n}), got {cost.shape}")
    if capacitated and (capacity is None or np.shape(capacity) != (m,)):
        problems.append(f"capacity: expected shape ({m},), got {None if capacity is None else np.shape(capacity)}")
    if np.any(~np.isfinite(fixed)) or np.any(fixed < 0):
        problems.append("fixed_cost: expected finite non-negative numbers")
    if np.any(~np.isfinite(dem)) or np.any(dem < 0):
        problems.append("demand: expected finite non-negative numbers")
    if p is not None and not 1 <= p <= m:
        problems.append(f"p: expected a whole number in 1..{m}, got {p!r}")
    if problems:
        raise InputError(problems)
    cap = np.asarray(capacity, dtype=float) if capacitated else np.full(m, np.inf)
    fac_i, cli_j = np.nonzero(np.isfinite(cost))
    order = np.lexsort((fac_i, cli_j))
    fac_i, cli_j = fac_i[order], cli_j[order]
    arrays = DesignArrays(
        fac_tier=np.zeros(m, dtype=np.int64), fac_forced=np.zeros(m, dtype=bool),
        fac_shared=np.zeros(m, dtype=bool), opt_fac=np.arange(m, dtype=np.int64), opt_fixed=fixed,
        opt_cap=cap, opt_handling=np.zeros(m), demand=dem, arc_cli=cli_j.astype(np.int64),
        arc_fac=fac_i.astype(np.int64), arc_cost=cost[fac_i, cli_j], arc_co2=np.zeros(len(fac_i)),
        single_source=single_source, exact_open={0: p} if p is not None else {})
    if use_heuristic is None:  # HiGHS alone is fast on uncapacitated and p-median instances
        use_heuristic = capacitated and p is None and len(fac_i) >= 20_000
    sol = solve_design(arrays, backend=backend, time_limit_s=time_limit_s, relative_gap=relative_gap,
                       threads=threads, seed=seed, use_heuristic=use_heuristic,
                       heuristic_only=heuristic_only,
                       on_best=(lambda s: on_progress(s.objective, s.bound)) if on_progress else None)
    return _facility_result(sol, m, n)


def _facility_result(sol: DesignSolution, m: int, n: int) -> FacilityResult:
    a = sol.arrays
    assign = np.zeros((m, n))
    assign[a.arc_fac, a.arc_cli] = sol.x
    is_open = np.zeros(m, dtype=bool)
    is_open[a.opt_fac[sol.y > 0.5]] = True
    return FacilityResult(is_open, assign, sol.objective, sol.bound, sol.gap, sol.time_s, sol.status)
