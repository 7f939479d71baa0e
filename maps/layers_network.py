"""Items of the network layers: villages, open sites, candidates, assignments, coverage.

Every function returns plain JSON-able items in display coordinates (see
:class:`maps.coords.DisplayFrame`) for :class:`maps.jslayer.DataLayer`.
Popups are Chinese with English beside.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

from maps.coords import DisplayFrame
from maps.jslayer import svg_symbol
from maps.labels import LEG_LABELS, LEG_STYLE, TIER_STYLE, format_number
from maps.lookup import Place, assignments_by_client, assignments_by_server, leg_of, site_index
from network.demand import SettlementType
from network.plan import Plan
from network.scenario import Scenario
from network.sites import SiteStatus, Tier

Item = dict[str, Any]

#: Village marker colour per settlement type.
SETTLEMENT_COLOURS: dict[SettlementType, str] = {
    SettlementType.RURAL: "#8d6e63",
    SettlementType.URBAN: "#546e7a",
    SettlementType.FARM_UNIT: "#9e9d24",
}

#: Outline of villages the plan leaves unserved.
UNSERVED_COLOUR = "#d50000"

#: Keys of ``plan.params`` read as the coverage limit (km), first match wins.
COVERAGE_KEYS: tuple[str, ...] = ("coverage_km", "coverage_radius_km", "max_village_km", "max_distance_km")


def village_radius_px(t_per_year: float) -> float:
    """Marker radius in pixels for a village generating ``t_per_year`` tonnes a year."""
    return round(min(12.0, 2.5 + 0.9 * math.sqrt(max(t_per_year, 0.0))), 1)


def village_items(scenario: Scenario, plan: Plan | None, frame: DisplayFrame,
                  places: Mapping[str, Place]) -> dict[SettlementType, list[Item]]:
    """Village markers grouped by settlement type, sized by generation.

    Villages with generated coordinates are hollow and dashed.
    """
    clients = assignments_by_client(plan) if plan else {}
    unserved = {u.location_id: u.reason for u in plan.unserved} if plan else {}
    out: dict[SettlementType, list[Item]] = {}
    for v in scenario.villages:
        generated = bool({"lon", "lat"} & set(v.generated_fields))
        colour = SETTLEMENT_COLOURS[v.settlement]
        total = v.total_t_per_year
        rows = [f"<b>{escape(v.name)}</b> <small>{escape(v.village_id)}</small>",
                f"类型 Type: {v.settlement.name_zh} {v.settlement.value.replace('_', ' ')}",
                f"户数 Households: {format_number(v.households)}; 人口 Population: {format_number(v.population)}",
                f"产生量 Generated: {total:,.1f} t/yr"]
        for stream, amount in v.generation_t_per_year.items():
            if amount > 0:
                rows.append(f"&nbsp;· {escape(stream.label)}: {amount:,.1f} t/yr")
        for a in clients.get(v.village_id, ()):
            server = places.get(a.server_id)
            name = escape(server.name) if server else escape(a.server_id)
            how = "以车代库 mobile" if a.mode == "mobile" else "送至 delivered to"
            share = f" ({100 * a.share:.0f} %)" if a.share < 0.999 else ""
            rows.append(f"分配 Assigned ({how}): {name}{share}, {a.distance_km:,.1f} km")
        if plan is not None and plan.kind == "network" and v.village_id not in clients:
            rows.append("<i>未分配 Not assigned</i>")
        if generated:
            rows.append("<i>位置为生成数据 Location generated (synthetic)</i>")
        style = {"r": village_radius_px(total), "c": colour, "w": 1.2 if generated else 0.8,
                 "fo": 0.0 if generated else 0.65}
        if generated:
            style["d"] = "2 2"
        if v.village_id in unserved:
            rows.append(f"<b>未服务 Unserved</b>: {escape(unserved[v.village_id])}")
            style |= {"c": UNSERVED_COLOUR, "w": 2.5}
        out.setdefault(v.settlement, []).append({
            "ll": frame.latlon(v.lon, v.lat), "kind": "village", "style": style,
            "tip": f"{v.name} {total:,.1f} t/yr", "popup": "<br>".join(rows)})
    return out


def _level_rank(scenario: Scenario, tier: Tier, level_name: str) -> tuple[int, str]:
    levels = scenario.levels_of(tier)
    for rank, level in enumerate(levels):
        if level.name == level_name:
            return rank, level.name_zh
    return 0, ""


def site_symbol_size(rank: int, tier: Tier = Tier.COLLECTION_POINT) -> int:
    """Icon size in pixels for the ``rank``-th size level of a tier (0 = smallest).

    Recycling bases start larger: they carry their opening year as a label.
    """
    return (26 if tier is Tier.RECYCLING_BASE else 16) + 5 * min(rank, 4)


def site_items(scenario: Scenario, plan: Plan, frame: DisplayFrame,
               places: Mapping[str, Place]) -> dict[Tier, list[Item]]:
    """Open-site markers per tier: shape and colour by tier, size by size level."""
    sites = site_index(scenario)
    served = assignments_by_server(plan)
    out: dict[Tier, list[Item]] = {}
    for s in plan.sites:
        cand = sites.get(s.site_id)
        if cand is None:
            continue
        colour, shape = TIER_STYLE[s.tier]
        generated = bool({"lon", "lat"} & set(cand.generated_fields))
        rank, level_zh = _level_rank(scenario, s.tier, s.size_level)
        size = site_symbol_size(rank, s.tier)
        label = str(s.open_year) if s.open_year is not None and s.tier is Tier.RECYCLING_BASE else ""
        clients = served.get(s.site_id, [])
        client_names = [places[a.client_id].name if a.client_id in places else a.client_id for a in clients]
        util = f" ({100 * s.utilisation:.0f} %)" if s.capacity_t_per_year else ""
        rows = [f"<b>{escape(cand.name)}</b> <small>{escape(s.site_id)}</small>",
                f"层级 Tier: {escape(s.tier.label)}",
                f"规模 Size: {escape(level_zh)} {escape(s.size_level)}",
                f"处理量/能力 Throughput / capacity: {s.throughput_t_per_year:,.0f} / "
                f"{s.capacity_t_per_year:,.0f} t/yr{util}",
                f"固定成本 Fixed cost: {s.fixed_cost_cny_per_year:,.0f} CNY/yr",
                f"网点类型 Outlet: {cand.outlet_kind.name_zh} {cand.outlet_kind.value.replace('_', ' ')}"
                + ("; 两网融合 shared with garbage sorting" if cand.shared_with_garbage_sorting else ""),
                f"状态 Status: {cand.status.value}"]
        if s.open_year is not None:
            rows.append(f"开放年份 Opens: {s.open_year}")
        for step in s.steps:
            rows.append(f"&nbsp;· {step.year}: {escape(step.size_level)} {step.capacity_t_per_year:,.0f} t/yr")
        if clients:
            shown = ", ".join(escape(n) for n in client_names[:12])
            more = f" … (+{len(clients) - 12})" if len(clients) > 12 else ""
            rows.append(f"服务对象 Serves: {len(clients)} — {shown}{more}")
        if generated:
            rows.append("<i>位置为生成数据 Location generated (synthetic)</i>")
        out.setdefault(s.tier, []).append({
            "ll": frame.latlon(cand.lon, cand.lat), "kind": "site",
            "icon": svg_symbol(shape, colour, size, hollow=generated, label=label),
            "size": size, "cls": f"hs-site hs-{s.tier.value}", "z": 100 * (list(Tier).index(s.tier) + 1),
            "tip": f"{cand.name} · {s.tier.name_zh} {level_zh or s.size_level}" + (f" · {label}" if label else ""),
            "popup": "<br>".join(rows)})
    return out


def candidate_items(scenario: Scenario, plan: Plan, frame: DisplayFrame,
                    tiers: tuple[Tier, ...]) -> list[Item]:
    """Candidates of ``tiers`` the plan leaves closed: small grey outlines."""
    opened = {s.site_id for s in plan.sites}
    items = []
    for cand in scenario.sites:
        if cand.tier not in tiers or cand.site_id in opened or cand.status is SiteStatus.CLOSED:
            continue
        _colour, shape = TIER_STYLE[cand.tier]
        items.append({"ll": frame.latlon(cand.lon, cand.lat), "kind": "candidate",
                      "icon": svg_symbol(shape, "#9e9e9e", 12, hollow=True), "size": 12,
                      "tip": f"未选候选 Unopened candidate: {cand.name} ({cand.tier.name_zh})"})
    return items


def assignment_items(scenario: Scenario, plan: Plan, frame: DisplayFrame,
                     places: Mapping[str, Place]) -> list[Item]:
    """One multi-line item per leg, joining each client to its server."""
    sites = site_index(scenario)
    segments: dict[str, list[list[list[float]]]] = {}
    for a in plan.assignments:
        client, server = places.get(a.client_id), places.get(a.server_id)
        if client is None or server is None:
            continue
        leg = leg_of(a, sites)
        segments.setdefault(leg, []).append([frame.latlon(client.lon, client.lat),
                                             frame.latlon(server.lon, server.lat)])
    order = list(LEG_STYLE)
    return [{"ll": segs, "kind": "assignment", "style": LEG_STYLE[leg],
             "tip": f"{LEG_LABELS.get(leg, leg)}: {len(segs)}"}
            for leg, segs in sorted(segments.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 9)]


def coverage_limit_km(plan: Plan) -> float | None:
    """The coverage limit (km) stated in ``plan.params``, searched one level deep, or None."""
    groups: list[Mapping[str, Any]] = [plan.params]
    groups += [v for v in plan.params.values() if isinstance(v, Mapping)]
    for key in COVERAGE_KEYS:
        for group in groups:
            value = group.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                return float(value)
    return None


def coverage_items(scenario: Scenario, plan: Plan, frame: DisplayFrame) -> list[Item]:
    """Circles round collection points and mobile-collection stations.

    The radius is the plan's coverage limit when ``plan.params`` states one,
    otherwise the road distance to the farthest village the site serves; a
    circle is a straight-line sketch of a road-distance limit.
    """
    sites = site_index(scenario)
    limit = coverage_limit_km(plan)
    farthest: dict[str, float] = {}
    for a in plan.assignments:
        if a.client_id in sites:
            continue
        farthest[a.server_id] = max(farthest.get(a.server_id, 0.0), a.distance_km)
    items = []
    for s in plan.sites:
        cand = sites.get(s.site_id)
        if cand is None or s.site_id not in farthest:
            continue
        radius = limit if limit is not None else farthest[s.site_id]
        if radius <= 0:
            continue
        colour = TIER_STYLE[s.tier][0]
        what = "覆盖限值 coverage limit" if limit is not None else "最远服务村 farthest served village"
        items.append({"ll": frame.latlon(cand.lon, cand.lat), "m": round(1000 * radius), "kind": "coverage",
                      "style": {"c": colour, "w": 1, "fo": 0.04, "d": "6 4"},
                      "tip": f"{cand.name}: {radius:,.1f} km ({what}; 直线示意 straight-line sketch)"})
    return items
