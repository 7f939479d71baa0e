"""Three-tier network design (县乡村三级回收体系): collection points → transfer stations → sorting centres.

Formulation: a multi-echelon capacitated facility location model with size
levels (Melo, Nickel & Saldanha-da-Gama 2009, EJOR 196(2), 401–412; strong
x ≤ y linking after Cornuéjols, Sridharan & Thizy 1991, EJOR 50(3), 280–297),
written out in :mod:`solver.design.model` and ``docs/network_design.md``:

- y_{j,l} ∈ {0,1}: candidate j open at size level l (one level at most;
  existing/required sites forced open, closed candidates absent);
- x_{v,j} ∈ {0,1} (or [0,1] when splittable): share of village v delivered to
  collection point j within its coverage radius, or collected by a mobile
  vehicle based at transfer station j (以车代库, costed per visit);
- f_{j,k} ≥ 0 (t/yr) from point j to station k and station k to centre c,
  single-sourced by binary z_{j,k} by default;
- min Σ fixed·(shared-site factor) + Σ handling·throughput + Σ t·km·rate per
  leg + Σ mobile visits, subject to capacities per level, flow conservation,
  coverage radii, and the options: density rule (SB/T 10719), minimum share of
  shared sites (两网融合), CO₂ cap, budgets on sites per tier or fixed cost.

Material streams share every cost and capacity, so the model works on
tonnes per village; the plan splits each flow back into streams exactly.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from concurrent.futures import Executor

import numpy as np
from ortools.util.python.solve_interrupter import SolveInterrupter

from network.errors import InfeasibleError
from network.network_params import NetworkParams
from network.plan import Plan
from network.scenario import Scenario
from solver import clock
from solver.design.data import NetworkData, build_network_data
from solver.design.decompose import solve_by_parts, splittable
from solver.design.explain import diagnose, precheck, tight_limits
from solver.design.plan import build_plan
from solver.design.search import solve_design
from solver.design.size import ensure_fits, estimate_size
from solver.design.solution import DesignSolution

log = logging.getLogger("huishou.solver.design.solve")

#: Heuristic first from this many village→site arcs on (below, the MIP alone is fast).
HEURISTIC_MIN_ARCS = 500
#: Least seconds between two ``on_progress`` calls.
PROGRESS_EVERY_S = 3.0


def _expected_parts(scenario: Scenario, params: NetworkParams) -> int:
    """How many parts a decomposed solve will have (1: solved whole), from the villages' counties."""
    if params.decompose == "off" or params.co2_cap_t is not None or params.max_fixed_cost_cny is not None \
            or params.max_sites:
        return 1
    width = 6 if params.decompose == "county" else 4
    areas = {v.county_code[:width] for v in scenario.villages}
    if params.decompose == "auto" and len({a[:4] for a in areas}) < 2:
        return 1
    return len(areas)


def decomposition_areas(scenario: Scenario, params: NetworkParams,
                        data: NetworkData) -> tuple[np.ndarray, np.ndarray] | None:
    """Area labels (clients, facilities) of a decomposed solve, or None to solve whole.

    Areas are prefectures (or counties). The county-level units a province
    administers directly (NBS prefecture code ``xx90``, e.g. Xinjiang's 兵团
    cities) lie far apart: each joins the prefecture of the nearest other
    county seat.
    """
    mode = params.decompose
    width = 6 if mode == "county" else 4
    area = {c.code: c.code[:width] for c in scenario.counties}
    if width == 4:
        others = [c for c in scenario.counties if not c.prefecture_code.endswith("90")]
        for c in scenario.counties:
            if c.prefecture_code.endswith("90") and others:
                near = min(others, key=lambda o: (o.seat_lon - c.seat_lon) ** 2
                           + ((o.seat_lat - c.seat_lat) * 1.3) ** 2)
                area[c.code] = near.code[:4]
    client_codes = [area.get(v.county_code, v.county_code[:width]) for v in data.clients]
    site_codes = [area.get(s.county_code, s.county_code[:width]) for s in data.sites]
    names = sorted(set(client_codes) | set(site_codes))
    if mode == "off" or len(names) < 2 or not splittable(data.arrays):
        return None
    if mode == "auto" and len({c[:4] for c in names}) < 2:
        return None
    index = {n: i for i, n in enumerate(names)}
    return (np.array([index[c] for c in client_codes], dtype=np.int64),
            np.array([index[c] for c in site_codes], dtype=np.int64))


def solve_network(scenario: Scenario, *, params: NetworkParams = NetworkParams(), time_limit_s: float | None = None,
                  on_progress: Callable[[Plan], None] | None = None,
                  interrupter: SolveInterrupter | None = None, executor: Executor | None = None) -> Plan:
    """Design the three-tier collection network of ``scenario``.

    Parameters
    ----------
    scenario
        Villages, candidate sites of the three tiers, size levels, costs and
        the travel model (distances in road km, profile ``"truck"``).
    params
        Model options (coverage radii in km, sourcing, mobile collection,
        density rule, shared-site share, CO₂ cap in t/yr, budgets, backend,
        time limit in s, gap).
    time_limit_s
        Wall-clock limit in seconds; overrides ``params.time_limit_s``.
    on_progress
        Called with the plan of a new best solution (the CLI saves it), at
        most every ``PROGRESS_EVERY_S`` seconds; the returned plan is the best.
    interrupter
        A ``SolveInterrupter`` to stop the solve from another thread; Ctrl-C
        in the calling thread stops it too. Either way the best plan so far
        is returned with status ``interrupted`` and its gap.
    (``params.deterministic``: every stage runs on the work clock of
    ``solver.clock``, so the same inputs and seed give the same plan.)
    executor
        Where the parts of a decomposed solve run (``params.decompose``), e.g.
        a Dask cluster's ``Client(address).get_executor()``; default a pool
        of ``params.threads`` worker processes.

    Returns
    -------
    Plan
        ``kind="network"``, filled as docs/plan_contract.md says; ``solve``
        gives backend, status, objective (CNY/yr), proven bound and gap.

    Raises
    ------
    network.errors.TooLargeError
        Before anything is built, when the model's estimated peak memory
        exceeds ``params.max_memory_gb`` (default 80 % of the memory free).
    InfeasibleError
        When no plan exists; the reasons name the area (county), e.g. villages
        without a collection point in reach, demand above the reachable
        capacity, forced sites above a budget, a CO₂ cap below the least
        possible emissions, a shared-site share that cannot be met.
    network.errors.SolverError
        If the MIP backend fails, or stops before finding any plan.
    """
    with clock.work_clock(params.deterministic):
        return _solve(scenario, params, time_limit_s, on_progress, interrupter, executor)


def _solve(scenario: Scenario, params: NetworkParams, time_limit_s: float | None,
           on_progress: Callable[[Plan], None] | None, interrupter: SolveInterrupter | None,
           executor: Executor | None) -> Plan:
    start = clock.now()
    limit = params.time_limit_s if time_limit_s is None else time_limit_s
    size = estimate_size(scenario, params, time_limit_s=limit, parts=_expected_parts(scenario, params))
    log.info("model size: %d pairs in reach, about %d arcs, estimated peak %.2f GB of %.2f GB allowed",
             size.pairs, size.arcs, size.peak_gb, size.limit_gb)
    ensure_fits(size)
    data = build_network_data(scenario, params)
    reasons = precheck(scenario, params, data)
    if reasons:
        raise InfeasibleError(reasons)
    log.info("network data: %d villages, %d sites, %d village arcs, %d upper arcs (%.2f s)",
             data.arrays.n_cli, data.arrays.n_fac, len(data.arrays.arc_cli), len(data.arrays.up_from),
             clock.now() - start)

    last = [-PROGRESS_EVERY_S]

    def relay(sol: DesignSolution) -> None:
        # Building a plan takes a moment on large regions: report at most every few seconds.
        now = clock.now()
        if on_progress is not None and sol.values is not None and now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            on_progress(build_plan(scenario, params, data, sol, status="feasible"))

    use_heuristic = params.use_heuristic and len(data.arrays.arc_cli) >= HEURISTIC_MIN_ARCS
    areas = decomposition_areas(scenario, params, data)
    remaining = max(0.1, limit - (clock.now() - start))
    if areas is not None:
        sol = solve_by_parts(data.arrays, *areas, time_limit_s=remaining, workers=params.threads,
                             backend=params.backend, relative_gap=params.relative_gap, seed=params.seed,
                             use_heuristic=use_heuristic, executor=executor, deterministic=params.deterministic)
    else:
        sol = solve_design(data.arrays, backend=params.backend, time_limit_s=remaining,
                           relative_gap=params.relative_gap, seed=params.seed,
                           # One thread in deterministic mode: the bound core beside the heuristic shares state.
                           threads=1 if params.deterministic else params.threads,
                           use_heuristic=use_heuristic, heuristic_share=params.heuristic_share,
                           on_best=relay, interrupter=interrupter)
    if sol.status == "infeasible":
        raise InfeasibleError(diagnose(scenario, params, data))
    if sol.values is None:
        from network.errors import SolverError

        if sol.status == "interrupted":
            raise SolverError(f"the solve was interrupted after {clock.now() - start:.1f} s, before any "
                              "plan was found")
        if math.isfinite(sol.split_objective):
            raise SolverError(f"no plan with whole villages (single sourcing) was found within {limit:g} s, but "
                              f"with shares split there is one ({sol.split_objective:,.0f} CNY/yr): whole villages "
                              "may not pack into the size levels in reach. Set single_sourcing = false, add larger "
                              "size levels, or raise the time limit (--time-limit)")
        limits = tight_limits(data)
        raise SolverError(f"{params.backend} found no plan within {limit:g} s ({sol.status}). "
                          + (limits or "Raise the time limit (--time-limit)."))
    sol.time_s = clock.now() - start
    return build_plan(scenario, params, data, sol)
