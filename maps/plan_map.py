"""Interactive map of a scenario and its plan(s): one self-contained HTML page.

``build_map`` draws what a planner toggles in the layer control: villages by
settlement type (sized by generation; generated locations hollow and dashed),
open collection points / transfer stations / sorting centres / recycling bases
(one shape and colour per tier, size by size level), unopened candidates,
assignment lines per leg, coverage circles, vehicle routes (one colour per
vehicle, direction arrows, unload stops), wind/PV plants sized by MW, base
flows, rail stations, and a schematic county layer (示意图) that serves as the
offline basemap. A title, a legend, a KPI panel, a scale bar and the layer
control sit on top. The page inlines Leaflet (see :mod:`maps.offline`), so
with ``basemap="none"`` it requests nothing from the network.

Coordinates: data are WGS-84; on the Gaode basemap every overlay is drawn in
GCJ-02 (:mod:`maps.coords`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

import folium

from maps.basemaps import add_basemap
from maps.coords import DisplayFrame
from maps.jslayer import DataLayer
from maps.labels import KIND_LABELS, LEG_LABELS, LEG_STYLE, ROUTE_COLOURS, TIER_STYLE
from maps.layers_extra import PLANT_COLOURS, county_items, flow_items, plant_items, rail_items, route_items
from maps.layers_network import (
    SETTLEMENT_COLOURS,
    UNSERVED_COLOUR,
    assignment_items,
    candidate_items,
    coverage_items,
    site_items,
    village_items,
)
from maps.lookup import place_index
from maps.offline import OfflineMap
from maps.panels import (
    PANEL_CSS,
    HtmlPanel,
    circle_swatch,
    kpi_html,
    legend_html,
    line_swatch,
    shape_swatch,
    title_html,
)
from network.plan import Plan
from network.scenario import Scenario
from network.sites import Tier

logger = logging.getLogger("huishou.maps")

#: Villages are clustered when a map has more than this many.
CLUSTER_THRESHOLD = 400

#: The layer control starts collapsed (an icon to hover) above this many layers.
COLLAPSE_LAYERS = 14

_TIER_LAYER = {
    Tier.COLLECTION_POINT: "回收点 Collection points",
    Tier.TRANSFER_STATION: "中转站 Transfer stations",
    Tier.SORTING_CENTRE: "分拣中心 Sorting centres",
    Tier.RECYCLING_BASE: "循环利用基地 Recycling bases",
}
_SETTLEMENT_LAYER = {"rural": "村 Villages", "urban": "社区 Urban communities", "farm_unit": "连队 Farm units"}


class _Layers:
    """Adds feature groups with data layers to a map and remembers the legend."""

    def __init__(self, fmap: folium.Map) -> None:
        self.fmap = fmap
        self.legend: list[tuple[str, str]] = []
        self.names: list[str] = []

    def add(self, name: str, kind: str, items: Sequence[dict[str, Any]], *, show: bool = True,
            cluster: bool = False, group: folium.FeatureGroup | None = None) -> folium.FeatureGroup | None:
        if not items:
            return group
        if group is None:
            group = folium.FeatureGroup(name=name, show=show, control=True)
            group.add_to(self.fmap)
            self.names.append(name)
        DataLayer(group, kind, items, cluster=cluster, register=f"{name}|{kind}|{len(self.names)}"
                  ).add_to(self.fmap)
        return group


def build_map(scenario: Scenario, plan: Plan | None = None, *, basemap: str = "none",
              tianditu_key: str | None = None, extra_plans: Sequence[Plan] = ()) -> folium.Map:
    """Build the interactive map of a scenario and (optionally) its plans.

    Parameters
    ----------
    scenario
        The scenario the plan answers; gives every location (WGS-84).
    plan
        The plan to draw (kind ``network``, ``routes`` or ``bases``), or None
        for a map of the scenario's inputs only.
    basemap
        ``none`` (default, offline, schematic county layer), ``osm``,
        ``gaode`` (overlays shifted to GCJ-02 for display) or ``tianditu``.
    tianditu_key
        The user's Tianditu key; required for ``basemap="tianditu"``.
    extra_plans
        More plans drawn on the same map (e.g. routes over a network design);
        their KPIs join the panel.

    Returns
    -------
    folium.Map
        Save it with :func:`maps.offline.save_map`.

    Raises
    ------
    InputError
        For an unknown basemap or Tianditu without a key.
    """
    frame = DisplayFrame(basemap)
    places = place_index(scenario)
    plans = [p for p in (plan, *extra_plans) if p is not None]
    fmap = OfflineMap(location=_centre(scenario, frame), zoom_start=8, tiles=None, control_scale=True,
                      prefer_canvas=True)
    fmap.options["max_zoom"] = 18  # marker clustering needs the map's own maxZoom when there are no tiles
    basemap_note = add_basemap(fmap, basemap, tianditu_key=tianditu_key)
    layers = _Layers(fmap)
    notes: list[str] = []

    extents, seats = county_items(scenario, frame)
    county_name = "县域示意 County sketch (示意图)"
    group = layers.add(county_name, "lines", extents, show=basemap == "none")
    layers.add(county_name, "points", seats, show=basemap == "none", group=group)
    schematic = bool(extents) and basemap == "none"
    if any(c.seat_generated for c in scenario.counties):
        notes.append("≈ 县城位置推定 county seat position approximate")
    if extents:
        notes.append("虚线灰框为县域示意范围(村点凸包), 非官方界线 Dashed grey outlines sketch county extents "
                     "(hull of villages), not official boundaries — 示意图")

    by_type = village_items(scenario, plan, frame, places)
    cluster = len(scenario.villages) > CLUSTER_THRESHOLD
    generated_villages = any({"lon", "lat"} & set(v.generated_fields) for v in scenario.villages)
    for settlement, items in by_type.items():
        layers.add(_SETTLEMENT_LAYER[settlement.value], "points", items, cluster=cluster)
        layers.legend.append((circle_swatch(SETTLEMENT_COLOURS[settlement]),
                              f"{_SETTLEMENT_LAYER[settlement.value]} (大小=产生量 size = t/yr)"))
    if plan is not None and {u.location_id for u in plan.unserved} & {v.village_id for v in scenario.villages}:
        layers.legend.append((circle_swatch(UNSERVED_COLOUR, hollow=True), "未服务村 Unserved village (红圈 red ring)"))
    if generated_villages:
        layers.legend.append((circle_swatch("#8d6e63", hollow=True), "位置为生成数据 Generated location"))
    if cluster:
        notes.append(f"{len(scenario.villages):,} 个村点已聚合, 放大查看 villages clustered; zoom in")

    for p in plans:
        missing = _unplaced_ids(p, places)
        if missing:
            logger.warning("map: %d id(s) of the %s plan are not in scenario '%s' and are not drawn (e.g. %s)",
                           len(missing), p.kind, scenario.name, ", ".join(missing[:5]))
    for index, p in enumerate(plans):
        prefix = "" if index == 0 else f"[{KIND_LABELS.get(p.kind, p.kind).split()[0]}] "
        _draw_plan(scenario, p, frame, places, layers, prefix)

    has_bases = any(p.kind == "bases" for p in plans)
    plants = plant_items(scenario, frame)
    layers.add("风电/光伏电站 Wind/PV plants (MW)", "points", plants, show=has_bases or not plans)
    if plants:
        layers.legend.append((circle_swatch(PLANT_COLOURS["wind"]), "风电场 Wind farm (大小=MW)"))
        layers.legend.append((circle_swatch(PLANT_COLOURS["solar"]), "光伏电站 PV plant (大小=MW)"))
    rails = rail_items(scenario, frame)
    layers.add("铁路站点 Rail stations", "points", rails, show=has_bases)
    if rails:
        layers.legend.append((circle_swatch("#ffffff", radius=4, fill="#212121"), "铁路站 Rail station"))

    folium.LayerControl(collapsed=len(layers.names) > COLLAPSE_LAYERS, position="topright").add_to(fmap)
    fmap.add_child(HtmlPanel(title_html(scenario.name, plan, basemap_note=basemap_note,
                                                        schematic=schematic), css=PANEL_CSS))
    if plans:
        fmap.add_child(HtmlPanel(kpi_html(plans)))
    if frame.shifted:
        notes.append("高德底图: 叠加要素按 GCJ-02 偏移显示, 数据仍为 WGS-84 Gaode tiles: overlays shifted to GCJ-02 "
                     "for display; data stay WGS-84")
    fmap.add_child(HtmlPanel(legend_html(list(dict.fromkeys(layers.legend)), notes)))
    bounds = _bounds(scenario, plans, frame)
    if bounds:
        fmap.fit_bounds(bounds, padding=(20, 20))
    return fmap


def _draw_plan(scenario: Scenario, plan: Plan, frame: DisplayFrame, places: dict, layers: _Layers,
               prefix: str) -> None:
    """Draw the layers of one plan into the map."""
    if plan.assignments:
        items = assignment_items(scenario, plan, frame, places)
        layers.add(f"{prefix}分配连线 Assignments", "lines", items)
        for item in items:
            style = item["style"]
            legs = [leg for leg, s in LEG_STYLE.items() if s == style]
            layers.legend.append((line_swatch(str(style["c"]), width=float(style["w"]), dash=style.get("d")),
                                  LEG_LABELS[legs[0]] if legs else "分配 Assignment"))
        layers.add(f"{prefix}服务半径 Coverage circles", "circles", coverage_items(scenario, plan, frame),
                   show=False)
    if plan.flows and plan.kind == "bases":
        layers.add(f"{prefix}运输流向 Flows to bases", "lines", flow_items(plan, frame, places))
        layers.legend.append((line_swatch("#8e24aa", width=2), "公路运输 Road flow (宽度=吨 width = t)"))
        layers.legend.append((line_swatch("#6a1b9a", width=2, dash="8 4"), "铁路运输 Rail flow"))
    drawn_tiers = []
    for tier, items in site_items(scenario, plan, frame, places).items():
        layers.add(f"{prefix}{_TIER_LAYER[tier]}", "points", items)
        drawn_tiers.append(tier)
    if drawn_tiers:
        layers.add(f"{prefix}未选候选点 Unopened candidates", "points",
                   candidate_items(scenario, plan, frame, tuple(drawn_tiers)), show=False)
    for tier in drawn_tiers:
        colour, shape = TIER_STYLE[tier]
        extra = " (标注=开放年份 label = opening year)" if tier is Tier.RECYCLING_BASE else " (大小=规模 size = level)"
        layers.legend.append((shape_swatch(shape, colour), tier.label + extra))
    if any({"lon", "lat"} & set(s.generated_fields) for s in scenario.sites):
        layers.legend.append((shape_swatch("circle", "#616161", hollow=True), "虚线空心=生成位置 generated location"))
    if plan.routes:
        _draw_routes(plan, frame, places, layers, prefix)


def _draw_routes(plan: Plan, frame: DisplayFrame, places: dict, layers: _Layers, prefix: str) -> None:
    """Route layers; a weekly plan (``Route.day``, 1-based) gets one layer per day, day 1 shown."""
    days = sorted({r.day for r in plan.routes if r.day is not None})
    undated = tuple(r for r in plan.routes if r.day is None)
    if not days:
        parts = route_items(plan, frame, places)
        group = layers.add(f"{prefix}收运线路 Vehicle routes", "lines", parts["lines"])
        layers.add(f"{prefix}收运线路 Vehicle routes", "points", parts["arrows"], group=group)
        layers.add(f"{prefix}收集站点 Collection stops", "points", parts["stops"])
        layers.add(f"{prefix}卸货点 Unload stops", "points", parts["unloads"])
    else:
        batches = [(f"第{d}天 day {d}", tuple(r for r in plan.routes if r.day == d)) for d in days]
        if undated:
            batches.insert(0, ("无日期 undated", undated))
        for index, (label, routes) in enumerate(batches):
            parts = route_items(dataclasses.replace(plan, routes=routes), frame, places)
            name = f"{prefix}收运线路 Routes {label}"
            group = layers.add(name, "lines", parts["lines"], show=index == 0)
            for key in ("arrows", "stops", "unloads"):
                group = layers.add(name, "points", parts[key], group=group, show=index == 0)
    layers.add(f"{prefix}车场 Depots", "points", route_items(plan, frame, places)["depots"])
    swatch = "".join(line_swatch(c, width=3) for c in ROUTE_COLOURS[:3])
    layers.legend.append((swatch, f"收运线路 {len(plan.routes)} routes: 每车一色, 箭头=方向 one colour per "
                                  "vehicle, arrows = direction; 圆点=收集站点 dots = stops"))
    if len(days) > 1:
        layers.legend.append(("", "每天一个图层, 默认显示第一天 one layer per day; the first day is shown"))
    layers.legend.append((shape_swatch("triangle", "#455a64", label="卸"), "卸货点 Unload stop"))
    layers.legend.append((shape_swatch("square", "#263238", label="D"), "车场 Depot"))


def _unplaced_ids(plan: Plan, places: dict) -> list[str]:
    ids = {s.site_id for s in plan.sites} | {a.client_id for a in plan.assignments}
    ids |= {a.server_id for a in plan.assignments} | {st.location_id for r in plan.routes for st in r.stops}
    ids |= {f.origin_id for f in plan.flows} | {f.destination_id for f in plan.flows}
    return sorted(i for i in ids if i not in places)


def _centre(scenario: Scenario, frame: DisplayFrame) -> list[float]:
    pts = [(v.lon, v.lat) for v in scenario.villages] or [(s.lon, s.lat) for s in scenario.sites]
    pts = pts or [(c.seat_lon, c.seat_lat) for c in scenario.counties] or [(104.0, 35.0)]
    lon = sum(p[0] for p in pts) / len(pts)
    lat = sum(p[1] for p in pts) / len(pts)
    return frame.latlon(lon, lat)


def _bounds(scenario: Scenario, plans: Sequence[Plan], frame: DisplayFrame) -> list[list[float]] | None:
    pts = [(v.lon, v.lat) for v in scenario.villages]
    opened = {s.site_id for p in plans for s in p.sites}
    pts += [(s.lon, s.lat) for s in scenario.sites if s.site_id in opened or not scenario.villages]
    if any(p.kind == "bases" for p in plans) or not pts:
        pts += [(p.lon, p.lat) for p in scenario.plants]
    if not pts:
        return None
    lls = [frame.latlon(lon, lat) for lon, lat in pts]
    return [[min(p[0] for p in lls), min(p[1] for p in lls)], [max(p[0] for p in lls), max(p[1] for p in lls)]]
