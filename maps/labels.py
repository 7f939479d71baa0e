"""Bilingual labels (Chinese and English side by side) for maps and reports.

One table for every name a planner reads: KPI and cost keys of the Plan
contract (``docs/plan_contract.md``), plan kinds, legs and colours per tier.
A key without a label is shown as the key itself, so a model that adds a KPI
still appears in maps and reports.
"""

from __future__ import annotations

import math

from network.sites import Tier

#: Cost keys (CNY) of the three plan kinds.
COST_LABELS: dict[str, str] = {
    "fixed": "固定成本 Fixed",
    "handling": "处理成本 Handling",
    "transport": "运输成本 Transport",
    "mobile_collection": "流动收集 Mobile collection",
    "vehicles_fixed": "车辆固定 Vehicles (fixed)",
    "distance": "里程成本 Distance",
    "time": "时间成本 Time",
    "processing": "加工成本 Processing",
    "revenue": "再生收入 Revenue",
    "unserved_penalty": "未服务罚金 Unserved penalty",
    "total": "总成本 Total",
}

#: KPI keys with their unit in the label.
KPI_LABELS: dict[str, str] = {
    "demand_t": "产生量 Generated (t/yr)",
    "served_t": "收集量 Served (t/yr)",
    "coverage_share": "覆盖率 Coverage",
    "t_km": "周转量 Transport work (t·km)",
    "co2_t": "碳排放 CO₂e (t)",
    "mean_village_km": "平均服务距离 Mean village distance (km)",
    "max_village_km": "最大服务距离 Max village distance (km)",
    "shared_site_share": "两网融合占比 Shared-site share",
    "mobile_villages": "以车代库村数 Mobile-served villages",
    "open_collection_point": "回收点数 Collection points",
    "open_transfer_station": "中转站数 Transfer stations",
    "open_sorting_centre": "分拣中心数 Sorting centres",
    "open_recycling_base": "基地数 Recycling bases",
    "total_km": "总里程 Total distance (km)",
    "vehicle_hours": "车辆工时 Vehicle hours (h)",
    "utilisation": "装载率 Utilisation",
    "routes": "线路数 Routes",
    "unloads": "卸货次数 Unloads",
    "retired_t": "退役量 Retired (t)",
    "unserved_t": "未服务量 Unserved (t)",
    "bases": "基地数 Bases",
}

#: KPI keys shown as percentages.
SHARE_KPIS: frozenset[str] = frozenset({"coverage_share", "shared_site_share", "utilisation"})

KIND_LABELS: dict[str, str] = {
    "network": "三级回收网络 Three-tier network",
    "routes": "收运线路 Collection routes",
    "bases": "循环利用基地 Recycling bases",
}

LEG_LABELS: dict[str, str] = {
    "village_to_point": "村→回收点 village → point",
    "mobile_collection": "以车代库 mobile collection",
    "point_to_station": "回收点→中转站 point → station",
    "station_to_centre": "中转站→分拣中心 station → centre",
}

#: Colour and SVG shape per tier; shapes differ so the map reads in greyscale.
TIER_STYLE: dict[Tier, tuple[str, str]] = {
    Tier.COLLECTION_POINT: ("#2e7d32", "circle"),
    Tier.TRANSFER_STATION: ("#1565c0", "square"),
    Tier.SORTING_CENTRE: ("#c62828", "diamond"),
    Tier.RECYCLING_BASE: ("#6a1b9a", "hexagon"),
}

LEG_STYLE: dict[str, dict[str, object]] = {
    "village_to_point": {"c": "#78909c", "w": 1, "o": 0.6},
    "mobile_collection": {"c": "#ef6c00", "w": 1.5, "o": 0.8, "d": "4 4"},
    "point_to_station": {"c": "#1565c0", "w": 2, "o": 0.8},
    "station_to_centre": {"c": "#c62828", "w": 3, "o": 0.85},
}

#: One colour per vehicle route (cycled), readable on white and on tiles.
ROUTE_COLOURS: tuple[str, ...] = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#393b79", "#ad494a",
)


def cost_label(key: str) -> str:
    """Bilingual label of a ``costs_cny`` key, with the unit."""
    return f"{COST_LABELS.get(key, key)} (CNY)"


#: Labels that differ for base-siting plans (amounts over the horizon, not per year).
BASES_KPI_LABELS: dict[str, str] = {
    "served_t": "处理量 Served (t, horizon)",
    "t_km": "周转量 Transport work (t·km, horizon)",
    "co2_t": "碳排放 CO₂e (t, horizon)",
}


def kpi_label(key: str, kind: str = "network") -> str:
    """Bilingual label of a ``kpis`` key for a plan kind (the key itself when unknown)."""
    if kind == "bases" and key in BASES_KPI_LABELS:
        return BASES_KPI_LABELS[key]
    return KPI_LABELS.get(key, key)


def format_number(value: float, *, digits: int = 0) -> str:
    """``12,345`` style, or ``–`` for None/NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:,.{digits}f}"


def format_kpi(key: str, value: float) -> str:
    """A KPI value as a planner reads it: shares in %, small numbers with decimals."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if key in SHARE_KPIS:
        return f"{100 * value:.1f} %"
    if float(value).is_integer():
        return format_number(value)
    return format_number(value, digits=1 if abs(value) >= 10 else 2)
