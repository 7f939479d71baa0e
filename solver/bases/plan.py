"""The plan of a solved recycling-base model: sites with their size steps, yearly flows, discounted costs, KPIs."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from network.bases_params import BasesParams
from network.params import params_to_mapping
from network.plan import Flow, OpenSite, Plan, SizeStep, SolveInfo, Unserved
from network.scenario import Scenario
from network.sites import Tier
from network.streams import MaterialStream
from solver.bases.forecast import Forecast
from solver.bases.model import LEG, OBJECTIVE_SCALE, BasesModel
from solver.bases.sites import source_id
from solver.mip import MipResult


def read_plan(scenario: Scenario, forecast: Forecast, params: BasesParams, model: BasesModel, result: MipResult,
               elapsed_s: float, note: str) -> Plan:
    """The plan of a solved model: sites with their steps, yearly flows, costs and KPIs."""
    bases, arcs, sources, streams, stream_pos = model.bases, model.arcs, model.sources, model.streams, model.stream_pos
    periods, years, period_of, delta, dem = model.periods, model.years, model.period_of, model.delta, model.dem
    site_levels, level_index, levels_all = model.site_levels, model.level_index, model.levels_all
    z, x, fixed_pv, demand, policy_prefs = model.z, model.x, model.fixed_pv, model.demand, model.policy_prefs
    J, P, Y = len(bases), len(periods), len(years)
    scale = OBJECTIVE_SCALE
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
