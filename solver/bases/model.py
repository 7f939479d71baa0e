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
``costs_cny``. Solved with HiGHS through OR-Tools MathOpt (:mod:`solver.bases.solve`).

Arcs link each source to its ``k_nearest`` candidates and the nearest of each
prefecture (:func:`solver.bases.costs.build_arcs`); :mod:`solver.bases.solve` adds
the arcs a solution needs (arc generation).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from network.bases_params import BASE_SIZE_LEVELS, BasesParams
from network.errors import InfeasibleError, InputError
from network.scenario import Scenario
from network.sites import CandidateSite, SiteStatus, SizeLevel, Tier
from network.streams import EQUIPMENT_STREAMS, MaterialStream
from solver.bases.costs import Arc, build_arcs
from solver.bases.forecast import Forecast
from solver.bases.sites import Source, county_sources
from solver.mip import MipBuilder

LEG = "source_to_base"
OBJECTIVE_SCALE = 1e-6  # objective in million CNY


@dataclass(frozen=True, slots=True)
class BasesModel:
    """A built MIP and what is needed to read its solution (see ``build_model``)."""

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


def build_model(scenario: Scenario, forecast: Forecast, params: BasesParams,
                 extra: frozenset[tuple[int, int]]) -> BasesModel:
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

    scale = OBJECTIVE_SCALE
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
    return BasesModel(mb, arcs, road, extra, sum((a.i, a.j) in extra for a in arcs), bases, site_levels, levels_all,
                  level_index, periods, years, period_of, delta, streams, stream_pos, demand, sources, dem,
                  fixed_pv, z, w, u, x, policy_prefs)
