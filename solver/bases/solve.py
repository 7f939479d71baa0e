"""Solve the recycling-base MIP of :mod:`solver.bases.model`: a start, the solve, arc generation, the plan.

1. build the MIP on the arcs of :func:`solver.bases.costs.build_arcs`;
2. a start: the solution of another solve (``solve_bases_from``), else the
   MIP restricted to the candidates the LP relaxation opens (Σ z > 0.05),
   solved for a quarter of the time (:mod:`solver.bases.policy` starts the
   free solve from the policy plan);
3. solve with HiGHS through OR-Tools MathOpt;
4. arc generation: the arcs link each source to its ``k_nearest`` candidates
   and the nearest of each prefecture, not to all (linking all is too big a
   MIP), so a source left unserved may have an open base within
   ``max_distance_km`` it cannot ship to. Such (source, open base) pairs are
   linked and the MIP is re-solved from the previous solution in the time
   left, until no pair is added (at most ``MAX_ARC_ROUNDS`` re-solves);
5. the plan of the best round (:func:`solver.bases.plan.read_plan`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from network.bases_params import BasesParams
from network.errors import SolverError
from network.plan import Plan
from network.scenario import Scenario
from network.streams import MaterialStream
from solver.bases.forecast import Forecast
from solver.bases.model import BasesModel, build_model
from solver.bases.plan import read_plan
from solver.mip import MipBuilder, MipResult, solve_mip

MAX_ARC_ROUNDS = 3  # re-solves after linking unserved sources to open bases


@dataclass(frozen=True, slots=True)
class BasesProgress:
    """A progress event: ``stage`` is ``built`` or ``solved``."""

    stage: str
    elapsed_s: float
    message: str


@dataclass(frozen=True, slots=True)
class BasesStart:
    """A solution by name rather than column, so it carries over to a model with more arcs.

    ``z``, ``w``, ``u`` hold the values at the model's index arrays of the same name (0 where
    there is no column); ``x`` the share per (source, base, stream, period); ``extra`` the
    (source, base) pairs the model linked beyond ``build_arcs``' own choice.
    """

    extra: frozenset[tuple[int, int]]
    z: np.ndarray
    w: np.ndarray
    u: np.ndarray
    x: dict[tuple[int, int, MaterialStream, int], float]


def solve_bases(scenario: Scenario, forecast: Forecast, *, params: BasesParams = BasesParams(),
                time_limit_s: float | None = None,
                on_progress: Callable[[BasesProgress], None] | None = None) -> Plan:
    """Open recycling bases period by period, at which size, and route every retired tonne.

    Parameters
    ----------
    scenario
        Plants, candidate sites of tier ``recycling_base``, size levels (``BASE_SIZE_LEVELS``
        when the scenario has none for the tier), rail stations, travel model and
        ``costs.discount_rate``.
    forecast
        Tonnes retiring per year, county and class (``solver.bases.forecast``).
    params
        Siting options; ``time_limit_s`` overrides ``params.time_limit_s`` (seconds).
    on_progress
        Called when the model is built and when it is solved.

    Returns
    -------
    Plan
        ``kind="bases"``: sites with ``open_year`` and ``steps``, flows per
        (county, base, stream, year) with ``mode``, discounted ``costs_cny`` and KPIs.

    Raises
    ------
    InputError
        If there are no candidate bases or a forecast county has no location.
    InfeasibleError
        If the policy lists a prefecture with no candidate base.
    SolverError
        If the MIP backend fails or finds no solution in the time limit.
    """
    return solve_bases_from(scenario, forecast, params=params, time_limit_s=time_limit_s,
                        on_progress=on_progress, hint=None)[0]


def solve_bases_from(scenario: Scenario, forecast: Forecast, *, params: BasesParams, time_limit_s: float | None,
                 on_progress: Callable[[BasesProgress], None] | None,
                 hint: BasesStart | None) -> tuple[Plan, BasesStart]:
    """``solve_bases`` with an optional start solution; also returns the solution found.

    Arc generation: after each solve, a source with unserved tonnes is linked to every base
    the solution opens (in any period) within ``max_distance_km`` that it is not linked to
    yet (``build_arcs(extra=...)``), and the model is re-solved from the previous solution
    (still feasible: the new arcs carry nothing) in the time left, at most
    ``MAX_ARC_ROUNDS`` times. A start from another solve (``hint``) brings its added
    arcs along.
    """
    start = time.perf_counter()
    limit = params.time_limit_s if time_limit_s is None else time_limit_s
    extra = hint.extra if hint is not None else frozenset()
    best: tuple[BasesModel, MipResult] | None = None
    note = ""
    for round_ in range(MAX_ARC_ROUNDS + 1):
        model = build_model(scenario, forecast, params, extra)
        if on_progress:
            added = f", {model.n_added} arcs added" if model.n_added else ""
            on_progress(BasesProgress("built", time.perf_counter() - start,
                                      f"{model.mb.n_vars} variables ({int((model.z >= 0).sum())} binary), "
                                      f"{model.mb.n_rows} rows{added}"))
        remaining = max(1.0, limit - (time.perf_counter() - start))
        vector = _hint_vector(model, hint) if hint is not None else None
        if vector is None:
            vector = _restricted_start(model.mb, model.z, model.bases, params, remaining)
            remaining = max(1.0, limit - (time.perf_counter() - start))
        result = solve_mip(model.mb, backend=params.backend, time_limit_s=remaining,
                           relative_gap=params.relative_gap, hint=vector)
        values = result.values
        if values is None or (best is not None and result.objective > best[1].objective + 1e-9):
            if best is None:
                raise SolverError(f"{params.backend}: no base plan found in {remaining:.0f} s ({result.status}); "
                                  "raise the time limit")
            # The previous solution is feasible here too: the re-solve was cut short before taking it up.
            note = (f"; the re-solve with {model.n_added} added arcs found no better solution in "
                    f"{remaining:.0f} s, so the plan is the previous round's")
            break
        best = (model, result)
        hint = _start_of(model, values)
        if on_progress:
            on_progress(BasesProgress("solved", time.perf_counter() - start,
                                      f"{result.status}: {result.objective:.6g} M CNY"))
        pairs = _unlinked_open_bases(model, values, params)
        if pairs and round_ == MAX_ARC_ROUNDS:
            note = f"; arc generation stopped after {MAX_ARC_ROUNDS} rounds with {len(pairs)} pairs still unlinked"
        if not pairs or round_ == MAX_ARC_ROUNDS:
            break
        extra = extra | pairs
    assert best is not None  # the first round raises instead of finding nothing
    model, result = best
    return read_plan(scenario, forecast, params, model, result, time.perf_counter() - start, note), hint


def _start_of(model: BasesModel, v: np.ndarray) -> BasesStart:
    """The solution ``v`` of ``model`` by name."""
    def at(index: np.ndarray) -> np.ndarray:
        return np.where(index >= 0, v[np.maximum(index, 0)], 0.0)

    x = {(arc.i, arc.j, arc.stream, p): float(v[model.x[a, p]])
         for a, arc in enumerate(model.arcs) for p in range(model.x.shape[1]) if model.x[a, p] >= 0}
    return BasesStart(model.extra, at(model.z), at(model.w), at(model.u), x)


def _hint_vector(model: BasesModel, start: BasesStart) -> np.ndarray | None:
    """``start`` as a solution vector of ``model`` (arcs it does not know carry 0), or None
    when the two models differ in more than arcs."""
    v = np.zeros(model.mb.n_vars)
    for index, values in ((model.z, start.z), (model.w, start.w), (model.u, start.u)):
        if index.shape != values.shape:
            return None
        v[index[index >= 0]] = values[index >= 0]
    for a, arc in enumerate(model.arcs):
        for p in range(model.x.shape[1]):
            if model.x[a, p] >= 0:
                v[model.x[a, p]] = start.x.get((arc.i, arc.j, arc.stream, p), 0.0)
    return v


def _unlinked_open_bases(model: BasesModel, v: np.ndarray, params: BasesParams) -> frozenset[tuple[int, int]]:
    """(source, base) pairs where the source leaves tonnes unserved and the base is open in
    some period, within ``max_distance_km`` and not linked to the source."""
    in_p = np.array([[model.period_of[y] == p for y in model.years] for p in range(model.x.shape[1])])
    short = set()
    for (i, k, p), col in np.ndenumerate(model.u):
        if col >= 0 and v[col] * model.dem[i, k][in_p[p]].sum() > 1e-3:
            short.add(i)
    opened = [j for j in range(len(model.bases)) if v[model.z[j][model.z[j] >= 0]].sum() > 0.5]
    linked = {(arc.i, arc.j) for arc in model.arcs}
    road = model.road_km
    return frozenset((i, j) for i in sorted(short) for j in opened
                     if (i, j) not in linked and np.isfinite(road[i, j]) and road[i, j] <= params.max_distance_km)


def _restricted_start(mb: MipBuilder, z: np.ndarray, bases: Sequence[Any], params: BasesParams,
                      time_s: float) -> np.ndarray | None:
    """A start solution: solve the LP relaxation, keep the candidates it opens at all
    (Σ z > 0.05, plus forced ones), and solve the MIP on those alone for a quarter of the time."""
    relaxed = solve_mip(mb, backend=params.backend, time_limit_s=max(1.0, 0.1 * time_s), relax=True)
    if relaxed.values is None:
        return None
    col_lb, col_ub, _, _ = mb.arrays()
    ub = col_ub.copy()
    for j in range(z.shape[0]):
        cols = z[j][z[j] >= 0]
        if not bases[j].status.forced_open and relaxed.values[cols].sum() <= 0.05:
            ub[cols] = 0.0
    sub = solve_mip(mb, backend=params.backend, time_limit_s=max(1.0, 0.25 * time_s),
                    relative_gap=params.relative_gap, ub=ub)
    return sub.values
