"""Multi-period siting of recycling bases for retired wind and PV equipment (循环利用基地).

Formulation (a multi-period capacitated facility location MIP with modular
capacity expansion, after Melo, Nickel & Saldanha da Gama (2006), "Dynamic
multi-commodity capacitated facility location: a mathematical modeling
framework for strategic supply chain planning", *Computers & OR* 33(1):181–208):

Sets: sources i (counties, from the forecast), candidate bases j, size levels l
(increasing capacity K_l, annual fixed cost F_l, handling h_l per t), streams s,
periods p (years y ∈ p), arcs a = (i, j, s) with the cheaper of road and rail.
D_isy are the tonnes of stream s retiring in county i in year y.

Variables: z_jlp ∈ {0,1} base j runs at level l in period p; x_ap ∈ [0,1] the share
of D_isy sent along arc a in every year of period p (a county keeps its shipping
pattern for a period); w_jly ≥ 0 throughput of j counted at level l; u_isp ∈ [0,1]
the unserved share.

    min Σ_ap (c_a + g_s) x_ap Σ_{y∈p} δ_y D_isy + Σ_jly h_l δ_y w_jly
        + Σ_isp (P + r_s) u_isp Σ_{y∈p} δ_y D_isy + Σ_jlp F_l z_jlp Σ_{y∈p} δ_y
    s.t. Σ_j x_(ijs)p + u_isp = 1                          (every retired tonne goes somewhere)
         Σ_{a into j} D_isy x_ap(y) = Σ_l w_jly,  w_jly ≤ K_l z_jlp(y)   (capacity, every year)
         x_ap ≤ Σ_l z_jlp                                   (ship only to an open base)
         Σ_l z_jlp ≤ 1;  Σ_{l≥k} z_jlp ≥ Σ_{l≥k} z_jl(p−1) ∀k  (open stays open; sizes only grow)
         Σ_jl K_l z_jlp(y) + Σ_is D_isy u_isp(y) ≥ Σ_is D_isy  (capacity cover, a valid cut)
         policy: Σ_{j∈q,l} z_jlp* ≥ 1 for each listed prefecture q (optional)

δ_y = (1 + ρ)^−(y − y₀) discounts to the first year; c_a is transport (and blade
cutting) per t, g_s processing, r_s revenue per t. Revenue of served tonnes,
−Σ r_s x D, equals −Σ r_s D + Σ r_s u D; the constant is left out of the MIP
(objective, bound and gap are of the cost before revenue) and added back in
``costs_cny``. Solved with HiGHS through OR-Tools MathOpt; the start solution is the MIP
restricted to the candidates the LP relaxation opens (Σ z > 0.05), solved for a quarter of
the time (``solver.bases.policy`` starts the free solve from the policy plan instead).

Arcs link each source to its ``k_nearest`` candidates and the nearest of each prefecture
(``solver.bases.costs.build_arcs``), not to all: linking all is too big a MIP. So a source
left unserved may have an open base within ``max_distance_km`` it cannot ship to. Arc
generation closes that gap: after a solve, such (source, open base) pairs are linked and
the MIP is re-solved from the previous solution in the time left, until no pair is added
(at most ``MAX_ARC_ROUNDS`` re-solves).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from network.bases_params import BASE_SIZE_LEVELS, BasesParams
from network.errors import InfeasibleError, InputError, SolverError
from network.params import params_to_mapping
from network.plan import Flow, OpenSite, Plan, SizeStep, SolveInfo, Unserved
from network.scenario import Scenario
from network.sites import CandidateSite, SiteStatus, SizeLevel, Tier
from network.streams import EQUIPMENT_STREAMS, MaterialStream
from solver.bases.costs import Arc, build_arcs
from solver.bases.forecast import Forecast
from solver.bases.sites import Source, county_sources, source_id
from solver.mip import MipBuilder, MipResult, solve_mip

LEG = "source_to_base"
MAX_ARC_ROUNDS = 3  # re-solves after linking unserved sources to open bases
_SCALE = 1e-6  # objective in million CNY


@dataclass(frozen=True, slots=True)
class BasesProgress:
    """A progress event: ``stage`` is ``built`` or ``solved``."""

    stage: str
    elapsed_s: float
    message: str


@dataclass(frozen=True, slots=True)
class _Start:
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


@dataclass(frozen=True, slots=True)
class _Model:
    """A built MIP and what is needed to read its solution (see ``_build_model``)."""

    mb: MipBuilder
    arcs: list[Arc]
    road_km: np.ndarray
    extra: frozenset[tuple[int, int]]
    n_added: int
    bases: list[CandidateSite]
    site_levels: list[tuple[SizeLevel, ...]]
    levels_all: tuple[SizeLevel, ...]
    level_index: dict[str, int]
    periods: tuple[tuple[int, int], ...]
    years: list[int]
    period_of: dict[int, int]
    delta: np.ndarray
    streams: list[MaterialStream]
    stream_pos: dict[MaterialStream, int]
    demand: dict[tuple[str, MaterialStream, int], float]
    sources: tuple[Source, ...]
    dem: np.ndarray
    fixed_pv: np.ndarray
    z: np.ndarray
    w: np.ndarray
    u: np.ndarray
    x: np.ndarray
    policy_prefs: tuple[str, ...]


def discount(year: int, first_year: int, rate: float) -> float:
    """Discount factor (1 + rate)^−(year − first_year)."""
    return (1.0 + rate) ** -(year - first_year)


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
    return _solve_bases(scenario, forecast, params=params, time_limit_s=time_limit_s,
                        on_progress=on_progress, hint=None)[0]


def _solve_bases(scenario: Scenario, forecast: Forecast, *, params: BasesParams, time_limit_s: float | None,
                 on_progress: Callable[[BasesProgress], None] | None,
                 hint: _Start | None) -> tuple[Plan, _Start]:
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
    best: tuple[_Model, MipResult] | None = None
    note = ""
    for round_ in range(MAX_ARC_ROUNDS + 1):
        model = _build_model(scenario, forecast, params, extra)
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
    return _read_plan(scenario, forecast, params, model, result, time.perf_counter() - start, note), hint


def _build_model(scenario: Scenario, forecast: Forecast, params: BasesParams,
                 extra: frozenset[tuple[int, int]]) -> _Model:
    """The MIP of the module docstring, with ``extra`` (source, base) pairs linked as well."""
    bases = [s for s in scenario.sites_of(Tier.RECYCLING_BASE) if s.status is not SiteStatus.CLOSED]
    if not bases:
        raise InputError(f"scenario '{scenario.name}': no candidate recycling-base sites; "
                         "add sites of tier recycling_base")
    levels_all = scenario.levels_of(Tier.RECYCLING_BASE) or BASE_SIZE_LEVELS
    site_levels = []
    for site in bases:
        allowed = tuple(lv for lv in levels_all if not site.size_levels or lv.name in site.size_levels)
        site_levels.append(allowed)
    n_levels = len(levels_all)
    level_index = {lv.name: k for k, lv in enumerate(levels_all)}
    periods = params.periods()
    years = list(range(periods[0][0], periods[-1][1] + 1))
    period_of = {y: p for p, (a, b) in enumerate(periods) for y in range(a, b + 1)}
    y0 = years[0]
    rate = scenario.costs.discount_rate
    delta = np.array([discount(y, y0, rate) for y in years])
    streams = list(EQUIPMENT_STREAMS)

    demand: dict[tuple[str, MaterialStream, int], float] = defaultdict(float)
    pref_of: dict[str, str] = {}
    for row in forecast.rows:
        if row.year in period_of:
            demand[(row.county_code, row.stream, row.year)] += row.t
            pref_of[row.county_code] = row.prefecture_code
    counties = sorted({c for c, _, _ in demand})
    sources = county_sources(counties, scenario.plants, scenario.counties, prefecture_of=pref_of)
    arcs, road = build_arcs(scenario, [s.point for s in sources], [b.point for b in bases], streams, params,
                            groups=[b.county_code[:4] for b in bases], extra=extra)

    scale = _SCALE
    mb = MipBuilder()
    J, P, Y, S = len(bases), len(periods), len(years), len(streams)
    fixed_pv = np.array([sum(delta[years.index(y)] for y in range(a, b + 1)) for a, b in periods])
    z = np.full((J, n_levels, P), -1, dtype=np.int64)
    for j in range(J):
        for lv in site_levels[j]:
            k = level_index[lv.name]
            z[j, k, :] = mb.add_vars(P, lb=0, ub=1, integer=True,
                                     cost=scale * lv.fixed_cost_cny_per_year * fixed_pv)
    w = np.full((J, n_levels, Y), -1, dtype=np.int64)
    for j in range(J):
        for lv in site_levels[j]:
            k = level_index[lv.name]
            w[j, k, :] = mb.add_vars(Y, lb=0, ub=math.inf, cost=scale * lv.handling_cost_cny_per_t * delta)
    stream_pos = {s: k for k, s in enumerate(streams)}
    dem = np.zeros((len(sources), S, Y))
    for i, src in enumerate(sources):
        for s in streams:
            for t, y in enumerate(years):
                dem[i, stream_pos[s], t] = demand.get((src.county_code, s, y), 0.0)
    # Share of a source's yearly tonnes of a stream sent along an arc in a period.
    in_p = [np.array([period_of[y] == p for y in years]) for p in range(P)]
    x = np.full((len(arcs), P), -1, dtype=np.int64)
    for a, arc in enumerate(arcs):
        per_t = arc.cost_cny_per_t + params.processing_cny_per_t[arc.stream.value]
        d = dem[arc.i, stream_pos[arc.stream]]
        for p in range(P):
            weight = float((delta * d)[in_p[p]].sum())
            if d[in_p[p]].sum() > 0:
                x[a, p] = mb.add_vars(1, lb=0, ub=1, cost=scale * per_t * weight)[0]
    u = np.full((len(sources), S, P), -1, dtype=np.int64)
    for i in range(len(sources)):
        for s in streams:
            k = stream_pos[s]
            pen = params.unserved_penalty_cny_per_t + params.revenue_cny_per_t[s.value]
            for p in range(P):
                if dem[i, k][in_p[p]].sum() > 0:
                    u[i, k, p] = mb.add_vars(1, lb=0, ub=1,
                                             cost=scale * pen * float((delta * dem[i, k])[in_p[p]].sum()))[0]

    # Shares sum to 1: Σ_j x + u = 1 per source, stream and period with tonnes.
    by_is: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_j: dict[int, list[int]] = defaultdict(list)
    for a, arc in enumerate(arcs):
        by_is[(arc.i, stream_pos[arc.stream])].append(a)
        by_j[arc.j].append(a)
    for i in range(len(sources)):
        for k in range(S):
            for p in range(P):
                if u[i, k, p] >= 0:
                    cols = [int(x[a, p]) for a in by_is[(i, k)] if x[a, p] >= 0] + [int(u[i, k, p])]
                    mb.add_row(np.array(cols), 1.0, lb=1.0, ub=1.0)
    for j in range(J):
        ks = [level_index[lv.name] for lv in site_levels[j]]
        for t, y in enumerate(years):
            p = period_of[y]
            arcs_j = [a for a in by_j[j] if x[a, p] >= 0 and dem[arcs[a].i, stream_pos[arcs[a].stream], t] > 0]
            cols = [int(x[a, p]) for a in arcs_j] + [int(w[j, k, t]) for k in ks]
            vals = [dem[arcs[a].i, stream_pos[arcs[a].stream], t] for a in arcs_j] + [-1.0] * len(ks)
            mb.add_row(np.array(cols), np.array(vals), lb=0.0, ub=0.0)
            for k in ks:
                cap = levels_all[k].capacity_t_per_year
                mb.add_row(np.array([w[j, k, t], z[j, k, p]]), np.array([1.0, -cap]), ub=0.0)
        for p in range(P):
            mb.add_row(z[j, ks, p], 1.0, ub=1.0)
            if p > 0:
                for m in range(len(ks)):
                    upper = ks[m:]
                    mb.add_row(np.concatenate([z[j, upper, p], z[j, upper, p - 1]]),
                               np.array([1.0] * len(upper) + [-1.0] * len(upper)), lb=0.0)
        if bases[j].status.forced_open:
            mb.add_row(z[j, ks, 0], 1.0, lb=1.0)
    # Strong linking (tightens the LP): x_ap ≤ Σ_l z_jlp.
    for a, arc in enumerate(arcs):
        ks = [level_index[lv.name] for lv in site_levels[arc.j]]
        for p in range(P):
            if x[a, p] >= 0:
                mb.add_row(np.concatenate([[x[a, p]], z[arc.j, ks, p]]), np.array([1.0] + [-1.0] * len(ks)),
                           ub=0.0)
    # Capacity cover per year (valid, helps the bound): Σ_jl K_l z_jlp(y) + Σ_is D_isy u_isp ≥ D_y.
    zc = [(j, k) for j in range(J) for k in range(n_levels) if z[j, k, 0] >= 0]
    for t, y in enumerate(years):
        p = period_of[y]
        d_y = float(dem[:, :, t].sum())
        if d_y > 0:
            us = [(int(u[i, k, p]), dem[i, k, t]) for i in range(len(sources)) for k in range(S)
                  if u[i, k, p] >= 0 and dem[i, k, t] > 0]
            cols = np.array([int(z[j, k, p]) for j, k in zc] + [c for c, _ in us])
            vals = np.array([levels_all[k].capacity_t_per_year for _, k in zc] + [d for _, d in us])
            mb.add_row(cols, vals, lb=d_y)
    policy_prefs: tuple[str, ...] = ()
    if params.one_base_per_prefecture:
        policy_prefs = params.policy_prefectures or tuple(sorted({s.prefecture_code for s in sources}))
        p_pol = period_of.get(params.policy_year, 0) if params.policy_year is not None else 0
        missing = []
        for q in policy_prefs:
            js = [j for j in range(J) if bases[j].county_code[:4] == q]
            if not js:
                missing.append(f"prefecture {q}: the policy asks for a base there but it has no candidate "
                               "recycling-base site; add candidates or drop it from policy_prefectures")
                continue
            cols = np.concatenate([z[j, [level_index[lv.name] for lv in site_levels[j]], p_pol] for j in js])
            mb.add_row(cols, 1.0, lb=1.0)
        if missing:
            raise InfeasibleError(missing)
    return _Model(mb, arcs, road, extra, sum((a.i, a.j) in extra for a in arcs), bases, site_levels, levels_all,
                  level_index, periods, years, period_of, delta, streams, stream_pos, demand, sources, dem,
                  fixed_pv, z, w, u, x, policy_prefs)


def _read_plan(scenario: Scenario, forecast: Forecast, params: BasesParams, model: _Model, result: MipResult,
               elapsed_s: float, note: str) -> Plan:
    """The plan of a solved model: sites with their steps, yearly flows, costs and KPIs."""
    bases, arcs, sources, streams, stream_pos = model.bases, model.arcs, model.sources, model.streams, model.stream_pos
    periods, years, period_of, delta, dem = model.periods, model.years, model.period_of, model.delta, model.dem
    site_levels, level_index, levels_all = model.site_levels, model.level_index, model.levels_all
    z, x, fixed_pv, demand, policy_prefs = model.z, model.x, model.fixed_pv, model.demand, model.policy_prefs
    J, P, Y = len(bases), len(periods), len(years)
    scale = _SCALE
    y0, rate = years[0], scenario.costs.discount_rate
    v = result.values
    levels_run = [[None] * P for _ in range(J)]
    for j in range(J):
        for p in range(P):
            for lv in site_levels[j]:
                if v[z[j, level_index[lv.name], p]] > 0.5:
                    levels_run[j][p] = lv
    flows: list[Flow] = []
    through = np.zeros((J, Y))
    fixed = processing = transport = revenue = penalty = t_km = co2 = served = 0.0
    for a, arc in enumerate(arcs):
        k = stream_pos[arc.stream]
        for t, y in enumerate(years):
            col = x[a, period_of[y]]
            amount = float(v[col]) * dem[arc.i, k, t] if col >= 0 else 0.0
            if amount <= 1e-6:
                continue
            flows.append(Flow(source_id(sources[arc.i].county_code), bases[arc.j].site_id, arc.stream,
                              amount, arc.km, LEG, y, arc.mode))
            through[arc.j, t] += amount
            transport += delta[t] * amount * arc.cost_cny_per_t
            processing += delta[t] * amount * params.processing_cny_per_t[arc.stream.value]
            revenue -= delta[t] * amount * params.revenue_cny_per_t[arc.stream.value]
            t_km += amount * arc.km
            co2 += amount * arc.co2_kg_per_t / 1000.0
            served += amount
    sites: list[OpenSite] = []
    for j in range(J):
        if all(lv is None for lv in levels_run[j]):
            continue
        steps: list[SizeStep] = []
        for p, lv in enumerate(levels_run[j]):
            if lv is not None and (not steps or steps[-1].size_level != lv.name):
                steps.append(SizeStep(periods[p][0], lv.name, lv.capacity_t_per_year))
            if lv is not None:
                fixed += lv.fixed_cost_cny_per_year * fixed_pv[p]
        for t, y in enumerate(years):
            lv = levels_run[j][period_of[y]]
            if lv is not None:
                processing += delta[t] * through[j, t] * lv.handling_cost_cny_per_t
        last = levels_run[j][-1]
        sites.append(OpenSite(bases[j].site_id, Tier.RECYCLING_BASE, last.name, last.capacity_t_per_year,
                              float(through[j].max()), last.fixed_cost_cny_per_year,
                              open_year=steps[0].year, steps=tuple(steps)))
    # Unserved = retired − shipped (so tiny shares dropped from the flows count too).
    shipped: dict[tuple[str, MaterialStream, int], float] = defaultdict(float)
    for f in flows:
        shipped[(f.origin_id, f.stream, f.year)] += f.amount_t
    unserved_by: dict[str, float] = defaultdict(float)
    for i, src in enumerate(sources):
        for s in streams:
            for t, y in enumerate(years):
                amount = dem[i, stream_pos[s], t] - shipped.get((source_id(src.county_code), s, y), 0.0)
                if amount > 0:
                    unserved_by[src.county_code] += amount
                    penalty += delta[t] * amount * params.unserved_penalty_cny_per_t
    unserved = tuple(Unserved(source_id(c), f"{t:,.0f} t of retired equipment unserved 未服务 "
                                            f"(no base within reach or capacity)")
                     for c, t in sorted(unserved_by.items()) if t > 1e-3)
    retired = sum(demand.values())
    revenue_constant = sum(delta[years.index(y)] * t * params.revenue_cny_per_t[s.value]
                           for (_, s, y), t in demand.items())
    costs = {"fixed": fixed, "processing": processing, "transport": transport, "revenue": revenue,
             "unserved_penalty": penalty}
    costs["total"] = sum(costs.values())
    objective = result.objective / scale
    bound = result.bound / scale if math.isfinite(result.bound) else None
    gap = (objective - bound) / abs(objective) if bound is not None and objective else None
    if gap is not None:
        gap = max(0.0, gap)
    info = SolveInfo("bases_multiperiod_cflp", params.backend, result.status, objective, bound, gap, elapsed_s,
                     f"objective and bound are discounted cost before revenue (revenue of all retired "
                     f"tonnes, -{revenue_constant:,.0f} CNY, is a constant); {len(arcs)} arcs "
                     f"({model.n_added} added from unserved sources to open bases), "
                     f"{len(sources)} sources, {J} candidates"
                     + (f"; policy: one base in each of {', '.join(policy_prefs)}" if policy_prefs else "") + note)
    kpis = {"retired_t": retired, "served_t": served, "unserved_t": sum(unserved_by.values()),
            "t_km": t_km, "co2_t": co2, "bases": float(len(sites))}
    return Plan("bases", scenario.name, info, sites=tuple(sites), flows=tuple(flows), unserved=unserved,
                costs_cny=costs, kpis=kpis,
                params={"bases": params_to_mapping(params), "forecast": params_to_mapping(forecast.params),
                        "first_year": y0, "discount_rate": rate,
                        "size_levels": [params_to_mapping(lv) for lv in levels_all]},
                travel=dict(scenario.travel.spec))


def _start_of(model: _Model, v: np.ndarray) -> _Start:
    """The solution ``v`` of ``model`` by name."""
    def at(index: np.ndarray) -> np.ndarray:
        return np.where(index >= 0, v[np.maximum(index, 0)], 0.0)

    x = {(arc.i, arc.j, arc.stream, p): float(v[model.x[a, p]])
         for a, arc in enumerate(model.arcs) for p in range(model.x.shape[1]) if model.x[a, p] >= 0}
    return _Start(model.extra, at(model.z), at(model.w), at(model.u), x)


def _hint_vector(model: _Model, start: _Start) -> np.ndarray | None:
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


def _unlinked_open_bases(model: _Model, v: np.ndarray, params: BasesParams) -> frozenset[tuple[int, int]]:
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
