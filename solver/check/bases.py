"""Independent checker of a recycling-base plan (``Plan.kind == "bases"``).

Written apart from the model code (``solver/bases/``): it re-derives source
locations, distances, modes and every cost from the scenario, the forecast and
the parameters recorded in the plan, and reports each violation as one line.

Checks: bases are recycling-base candidates that are not closed; each base's size
steps start at its ``open_year``, rise in time and only grow (expansion only), and
name known size levels at their capacity; no flow reaches a base before it opens
(or outside the horizon); each base's yearly inflow is within the capacity in force;
every retired tonne of the forecast goes to a base or is reported unserved; flow
distances match the travel model; ``costs_cny`` (fixed, processing, transport,
revenue, unserved penalty, total) and the KPIs recompute.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from network.errors import InputError
from network.geo import GeoPoint
from network.params import params_from_mapping
from network.plan import Plan
from network.scenario import Scenario
from network.sites import SiteStatus, Tier
from network.streams import MaterialStream

_TOL_T = 1e-3


def _close(a: float, b: float, *, rel: float = 1e-6, abs_: float = 1.0) -> bool:
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


def _source_points(scenario: Scenario, codes: set[str]) -> dict[str, GeoPoint]:
    points = {}
    for code in codes:
        plants = [p for p in scenario.plants if p.county_code == code and p.capacity_mw > 0]
        if plants:
            mw = sum(p.capacity_mw for p in plants)
            lon = sum(p.lon * p.capacity_mw for p in plants) / mw
            lat = sum(p.lat * p.capacity_mw for p in plants) / mw
        else:
            county = next((c for c in scenario.counties if c.code == code), None)
            if county is None:
                continue
            lon, lat = county.seat_lon, county.seat_lat
        points[code] = GeoPoint(code, lon, lat)
    return points


def check_bases_plan(scenario: Scenario, plan: Plan, forecast: Any) -> list[str]:
    """Every problem found in a base plan, one line each; an empty list means the plan is valid.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    plan
        A ``kind="bases"`` plan.
    forecast
        The forecast the plan serves (anything with ``rows`` of year, county_code, stream, t).

    Raises
    ------
    InputError
        If the plan does not record its parameters (``plan.params["bases"]``).
    """
    from network.bases_params import BasesParams  # parameters, not model code

    problems: list[str] = []
    if plan.kind != "bases":
        return [f"plan kind is {plan.kind!r}, expected 'bases'"]
    if "bases" not in plan.params:
        raise InputError("plan params: missing 'bases' (the parameters used)")
    params = params_from_mapping(BasesParams, plan.params["bases"], source="plan params bases")
    first, last = params.period_starts[0], params.end_year
    rate = float(plan.params.get("discount_rate", scenario.costs.discount_rate))

    def delta(y: int) -> float:
        return (1.0 + rate) ** -(y - first)

    levels = {}
    for lv in plan.params.get("size_levels", []):
        levels[lv["name"]] = (float(lv["capacity_t_per_year"]), float(lv["fixed_cost_cny_per_year"]),
                              float(lv["handling_cost_cny_per_t"]))
    for lv in scenario.levels_of(Tier.RECYCLING_BASE):
        levels.setdefault(lv.name, (lv.capacity_t_per_year, lv.fixed_cost_cny_per_year, lv.handling_cost_cny_per_t))
    candidates = {s.site_id: s for s in scenario.sites_of(Tier.RECYCLING_BASE)}

    # -- sites: opening, sizes -----------------------------------------------------
    level_in_force: dict[str, dict[int, str]] = {}
    fixed = 0.0
    for site in plan.sites:
        cand = candidates.get(site.site_id)
        if cand is None:
            problems.append(f"base {site.site_id}: not a recycling-base candidate of the scenario")
            continue
        if cand.status is SiteStatus.CLOSED:
            problems.append(f"base {site.site_id}: the candidate is closed but the plan opens it")
        steps = list(site.steps)
        if not steps:
            problems.append(f"base {site.site_id}: no size steps")
            continue
        if site.open_year != steps[0].year:
            problems.append(f"base {site.site_id}: open_year {site.open_year} but first step in {steps[0].year}")
        if steps[0].year not in params.period_starts:
            problems.append(f"base {site.site_id}: opens in {steps[0].year}, not at a period start")
        for a, b in zip(steps, steps[1:], strict=False):
            if b.year <= a.year:
                problems.append(f"base {site.site_id}: size steps not in increasing years ({a.year}, {b.year})")
            if b.capacity_t_per_year < a.capacity_t_per_year:
                problems.append(f"base {site.site_id}: shrinks from {a.size_level} to {b.size_level} in "
                                f"{b.year}; expected expansion only")
        for st in steps:
            if st.size_level not in levels:
                problems.append(f"base {site.site_id}: unknown size level {st.size_level!r}")
            elif not _close(levels[st.size_level][0], st.capacity_t_per_year, abs_=1e-6):
                problems.append(f"base {site.site_id}: step {st.year} capacity {st.capacity_t_per_year} ≠ "
                                f"level {st.size_level} capacity {levels[st.size_level][0]}")
        if site.size_level != steps[-1].size_level:
            problems.append(f"base {site.site_id}: size_level {site.size_level} ≠ last step {steps[-1].size_level}")
        if cand.size_levels and any(st.size_level not in cand.size_levels for st in steps):
            problems.append(f"base {site.site_id}: uses a size level the candidate does not allow")
        by_year = {}
        for y in range(first, last + 1):
            current = [st for st in steps if st.year <= y]
            if current:
                by_year[y] = current[-1].size_level
                if current[-1].size_level in levels:
                    fixed += levels[current[-1].size_level][1] * delta(y)
        level_in_force[site.site_id] = by_year
    for cand in candidates.values():
        if cand.status.forced_open and cand.site_id not in level_in_force:
            problems.append(f"base {cand.site_id}: status {cand.status} but the plan does not open it")

    # -- flows: use before opening, capacity, distances, costs ---------------------
    demand: dict[tuple[str, MaterialStream, int], float] = defaultdict(float)
    for row in forecast.rows:
        if first <= row.year <= last:
            demand[(row.county_code, row.stream, row.year)] += row.t
    codes = {c for c, _, _ in demand} | {f.origin_id for f in plan.flows}
    src = _source_points(scenario, codes)
    bases = {sid: c.point for sid, c in candidates.items()}
    stations = [s.point for s in scenario.rail_stations]
    travel = scenario.travel
    src_ids = sorted(src)
    base_ids = sorted({f.destination_id for f in plan.flows if f.destination_id in bases})
    road = travel.matrix([src[c] for c in src_ids], [bases[b] for b in base_ids]).distance_km if (
        src_ids and base_ids) else None
    si = {c: k for k, c in enumerate(src_ids)}
    bi = {b: k for k, b in enumerate(base_ids)}
    rail_info: dict[tuple[str, str], tuple[float, float] | None] = {}
    if stations and src_ids and base_ids:
        s_st = travel.matrix([src[c] for c in src_ids], stations).distance_km
        b_st = travel.matrix([bases[b] for b in base_ids], stations).distance_km
        for c in src_ids:
            for b in base_ids:
                ka = int(s_st[si[c]].argmin())
                kb = int(b_st[bi[b]].argmin())
                if (s_st[si[c], ka] <= params.rail_access_km and b_st[bi[b], kb] <= params.rail_access_km
                        and ka != kb):
                    rail_km = travel.matrix([stations[ka]], [stations[kb]]).distance_km[0, 0]
                    rail_info[(c, b)] = (float(s_st[si[c], ka] + b_st[bi[b], kb]), float(rail_km))
                else:
                    rail_info[(c, b)] = None
    inflow: dict[tuple[str, int], float] = defaultdict(float)
    shipped: dict[tuple[str, MaterialStream, int], float] = defaultdict(float)
    processing = transport = revenue = t_km = co2 = 0.0
    co2f = scenario.costs.co2_kg_per_t_km
    for n, f in enumerate(plan.flows, start=1):
        where = f"flow {n} ({f.origin_id} → {f.destination_id}, {f.stream}, {f.year})"
        code = f.origin_id
        if f.year is None or not first <= f.year <= last:
            problems.append(f"{where}: year outside the planning horizon {first}–{last}")
            continue
        if f.amount_t < 0:
            problems.append(f"{where}: negative amount {f.amount_t}")
        force = level_in_force.get(f.destination_id)
        if force is None:
            problems.append(f"{where}: goes to a base the plan does not open")
            continue
        if f.year not in force:
            problems.append(f"{where}: uses base {f.destination_id} before it opens "
                            f"({min(force) if force else 'never'})")
            continue
        inflow[(f.destination_id, f.year)] += f.amount_t
        shipped[(code, f.stream, f.year)] += f.amount_t
        if road is None or code not in si:
            problems.append(f"{where}: unknown origin")
            continue
        d = delta(f.year)
        km = float(road[si[code], bi[f.destination_id]])
        whole = f.stream is MaterialStream.WIND_BLADES and params.blade_transport == "whole"
        cutting = params.blade_cutting_cny_per_t if (f.stream is MaterialStream.WIND_BLADES and not whole) else 0.0
        if f.mode == "road":
            if whole:
                per_t = km * params.whole_blade_rate_cny_per_t_km + params.whole_blade_permit_cny_per_t
                kg = km * co2f.get("oversize_truck", 0.0)
            else:
                per_t = km * params.road_rate_cny_per_t_km[f.stream.value] + cutting
                kg = km * co2f.get("heavy_truck", 0.0)
            dist = km
        elif f.mode == "rail":
            info = rail_info.get((code, f.destination_id))
            if info is None or whole:
                problems.append(f"{where}: mode rail but no station within {params.rail_access_km} km of both ends")
                continue
            drayage, rail_km = info
            per_t = (drayage * params.road_rate_cny_per_t_km[f.stream.value] + rail_km * params.rail_rate_cny_per_t_km
                     + params.rail_handling_cny_per_t + cutting)
            kg = drayage * co2f.get("heavy_truck", 0.0) + rail_km * co2f.get("rail", 0.0)
            dist = drayage + rail_km
        else:
            problems.append(f"{where}: mode {f.mode!r}, expected road or rail")
            continue
        if not _close(dist, f.distance_km, rel=1e-6, abs_=1e-3):
            problems.append(f"{where}: distance {f.distance_km:.3f} km, travel model gives {dist:.3f} km")
        handling = levels[force[f.year]][2] if force[f.year] in levels else 0.0
        transport += d * f.amount_t * per_t
        processing += d * f.amount_t * (params.processing_cny_per_t[f.stream.value] + handling)
        revenue -= d * f.amount_t * params.revenue_cny_per_t[f.stream.value]
        t_km += f.amount_t * dist
        co2 += f.amount_t * kg / 1000.0
    for (sid, y), amount in sorted(inflow.items()):
        cap = levels.get(level_in_force[sid][y], (math.inf,))[0]
        if amount > cap + _TOL_T:
            problems.append(f"base {sid}, year {y}: inflow {amount:,.1f} t exceeds capacity {cap:,.0f} t/yr")

    # -- balance: every retired tonne goes to a base or is reported unserved -------
    unserved_t = penalty = 0.0
    short_counties = set()
    for key in set(demand) | set(shipped):
        code, stream, y = key
        gap = demand.get(key, 0.0) - shipped.get(key, 0.0)
        if gap < -_TOL_T:
            problems.append(f"county {code}, {stream}, {y}: ships {shipped[key]:,.3f} t but only "
                            f"{demand.get(key, 0.0):,.3f} t retire")
        elif gap > 0:
            unserved_t += gap
            penalty += delta(y) * gap * params.unserved_penalty_cny_per_t
            if gap > _TOL_T:
                short_counties.add(code)
    reported = {u.location_id for u in plan.unserved}
    for c in sorted(short_counties - reported):
        problems.append(f"county {c}: retired tonnes neither shipped nor reported unserved")

    # -- costs and KPIs ------------------------------------------------------------
    expected = {"fixed": fixed, "processing": processing, "transport": transport, "revenue": revenue,
                "unserved_penalty": penalty}
    expected["total"] = sum(expected.values())
    for key, value in expected.items():
        got = plan.costs_cny.get(key)
        if got is None:
            if key != "unserved_penalty" or value > 1.0:
                problems.append(f"costs_cny: missing '{key}' (expected {value:,.0f})")
        elif not _close(float(got), value, rel=1e-6, abs_=10.0):
            problems.append(f"costs_cny['{key}'] = {got:,.0f}, recomputed {value:,.0f}")
    kpis = {"retired_t": sum(demand.values()), "t_km": t_km, "co2_t": co2, "bases": float(len(plan.sites)),
            "unserved_t": unserved_t}
    for key, value in kpis.items():
        got = plan.kpis.get(key)
        if got is None:
            problems.append(f"kpis: missing '{key}'")
        elif not _close(float(got), value, rel=1e-6, abs_=0.01):
            problems.append(f"kpis['{key}'] = {got:,.3f}, recomputed {value:,.3f}")
    return problems
