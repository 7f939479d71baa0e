"""The report's tables as DataFrames, shared by ``report.html`` and ``report.xlsx``.

Column headings are Chinese and English side by side. Sheet names (≤ 31
characters, Excel's limit) are in :data:`SHEETS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from maps.labels import COST_LABELS, KIND_LABELS, kpi_label
from maps.lookup import assignments_by_server, place_index, site_index
from network.plan import Plan
from network.scenario import Scenario

#: Table key → sheet name (Chinese and English).
SHEETS: dict[str, str] = {
    "summary": "概况 Summary",
    "kpis": "指标 KPIs",
    "costs": "成本 Costs",
    "sites": "站点 Sites",
    "routes": "线路 Routes",
    "unserved": "未服务 Unserved",
    "checks": "校验 Checks",
    "forecast": "退役预测 Forecast",
}


def summary_table(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Scenario, plan kind and solver facts, one row each."""
    s = plan.solve
    rows = [("情景 Scenario", scenario.name), ("方案类型 Plan kind", KIND_LABELS.get(plan.kind, plan.kind)),
            ("模型 Model", s.model), ("求解器 Backend", s.backend), ("状态 Status", s.status),
            ("目标值 Objective (CNY)", round(s.objective, 2)),
            ("下界 Bound (CNY)", None if s.bound is None else round(s.bound, 2)),
            ("最优性差距 Gap", "–" if s.gap is None else f"{100 * s.gap:.2f} %"),
            ("求解时间 Time (s)", round(s.time_s, 2)),
            ("距离模型 Travel model", str(plan.travel.get("source", "")) if plan.travel else "")]
    if s.message:
        rows.append(("说明 Message", s.message))
    for key, note in scenario.notes.items():
        rows.append((f"数据说明 Note: {key}", note))
    return pd.DataFrame(rows, columns=["项目 Item", "值 Value"])


def kpi_table(plan: Plan) -> pd.DataFrame:
    """Every KPI of the plan with its bilingual label and key."""
    return pd.DataFrame([(kpi_label(k, plan.kind), k, v) for k, v in plan.kpis.items()],
                        columns=["指标 KPI", "键 Key", "值 Value"])


def cost_table(plan: Plan) -> pd.DataFrame:
    """Every cost component (CNY) with its share of the total."""
    total = plan.total_cost_cny
    rows = [(COST_LABELS.get(k, k), k, v, (v / total) if total and k != "total" else None)
            for k, v in plan.costs_cny.items()]
    return pd.DataFrame(rows, columns=["成本项 Cost", "键 Key", "金额 CNY", "占比 Share"])


def sites_table(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Open sites: tier, size, capacity, throughput, utilisation, fixed cost, clients."""
    sites = site_index(scenario)
    served = assignments_by_server(plan)
    rows = []
    for s in plan.sites:
        cand = sites.get(s.site_id)
        rows.append({
            "站点 Site id": s.site_id, "名称 Name": cand.name if cand else "",
            "层级 Tier": s.tier.label, "规模 Size": s.size_level,
            "能力 Capacity (t/yr)": s.capacity_t_per_year, "处理量 Throughput (t/yr)": s.throughput_t_per_year,
            "利用率 Utilisation": s.utilisation, "固定成本 Fixed (CNY/yr)": s.fixed_cost_cny_per_year,
            "开放年份 Open year": s.open_year, "服务对象数 Clients": len(served.get(s.site_id, [])),
            "县 County": scenario.county_name(cand.county_code) if cand else "",
            "经度 Lon (WGS-84)": cand.lon if cand else None, "纬度 Lat (WGS-84)": cand.lat if cand else None,
            "生成位置 Generated location": bool(cand and {"lon", "lat"} & set(cand.generated_fields))})
    return pd.DataFrame(rows)


def routes_table(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """One row per route: vehicle, depot, stops, unloads, tonnes, km, hours, cost, peak load."""
    places = place_index(scenario)
    capacity = {v.name: v.capacity_t for v in scenario.vehicle_types}
    rows = []
    for r in plan.routes:
        peak = max((st.load_after_t for st in r.stops), default=0.0)
        cap = capacity.get(r.vehicle_type)
        rows.append({
            "线路 Route": r.route_id, "车型 Vehicle": r.vehicle_type,
            "车场 Depot": places[r.depot_id].name if r.depot_id in places else r.depot_id, "日 Day": r.day,
            "收集点数 Stops": sum(1 for st in r.stops if st.kind == "collect"),
            "卸货次数 Unloads": sum(1 for st in r.stops if st.kind == "unload"),
            "收集量 Collected (t)": sum(st.collected_t for st in r.stops),
            "里程 Distance (km)": r.distance_km, "时长 Duration (h)": r.duration_h, "成本 Cost (CNY)": r.cost_cny,
            "峰值装载率 Peak load share": peak / cap if cap else None})
    return pd.DataFrame(rows)


def unserved_table(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Locations the plan does not serve, with the reason."""
    places = place_index(scenario)
    return pd.DataFrame([(u.location_id, places[u.location_id].name if u.location_id in places else "", u.reason)
                         for u in plan.unserved], columns=["编号 Id", "名称 Name", "原因 Reason"])


def checks_table(checks: Sequence[str]) -> pd.DataFrame:
    """The independent checker's findings (empty list: the plan is clean)."""
    if not checks:
        return pd.DataFrame([("✓", "校验通过, 无问题 Checker: no problems found")], columns=["#", "问题 Finding"])
    return pd.DataFrame([(i + 1, c) for i, c in enumerate(checks)], columns=["#", "问题 Finding"])


def report_tables(scenario: Scenario, plan: Plan, *, checks: Sequence[str], forecast: pd.DataFrame | None = None,
                  extra_tables: Mapping[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """All report tables by sheet name, in sheet order; empty tables are left out (checks always kept)."""
    tables = {
        SHEETS["summary"]: summary_table(scenario, plan),
        SHEETS["kpis"]: kpi_table(plan),
        SHEETS["costs"]: cost_table(plan),
        SHEETS["sites"]: sites_table(scenario, plan),
        SHEETS["routes"]: routes_table(scenario, plan),
        SHEETS["unserved"]: unserved_table(scenario, plan),
        SHEETS["checks"]: checks_table(checks),
    }
    if forecast is not None:
        tables[SHEETS["forecast"]] = forecast
    for name, frame in (extra_tables or {}).items():
        tables[name[:31]] = frame
    return {name: frame for name, frame in tables.items() if not frame.empty or name == SHEETS["checks"]}
