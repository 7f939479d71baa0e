"""Items of the routing and base-siting layers, and the schematic county basemap.

Vehicle routes get one colour each, a direction arrow on every leg and marked
unload stops; wind/PV plants are sized by MW; base flows by tonnes; the
bundled basemap draws county seats and a schematic extent (the convex hull of
the county's villages and sites, labelled 示意图) — not an official boundary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

from shapely.geometry import MultiPoint

from maps.coords import DisplayFrame
from maps.jslayer import arrow_symbol, svg_symbol
from maps.labels import ROUTE_COLOURS
from maps.lookup import Place
from network.plan import Plan
from network.scenario import Scenario

Item = dict[str, Any]

PLANT_COLOURS: dict[str, str] = {"wind": "#00897b", "solar": "#f9a825"}


def _screen_angle_deg(a: list[float], b: list[float]) -> float:
    """Direction from display point ``a`` to ``b`` ([lat, lon]) on a Web-Mercator screen, clockwise from east."""
    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    dx = math.radians(b[1] - a[1])
    dy = merc_y(b[0]) - merc_y(a[0])
    return math.degrees(math.atan2(-dy, dx))


def route_items(plan: Plan, frame: DisplayFrame, places: Mapping[str, Place]) -> dict[str, list[Item]]:
    """Route lines, direction arrows, collect stops, unload stops and depots.

    Returns a dict with keys ``lines``, ``arrows``, ``stops`` (one marker per
    collect stop), ``unloads`` (one per unload stop) and ``depots`` (one per
    distinct depot). Stops whose location is unknown are skipped.
    """
    out: dict[str, list[Item]] = {"lines": [], "arrows": [], "stops": [], "unloads": [], "depots": []}
    depots: dict[str, list[str]] = {}
    for i, route in enumerate(plan.routes):
        colour = ROUTE_COLOURS[i % len(ROUTE_COLOURS)]
        path: list[list[float]] = []
        seq = 0
        for stop in route.stops:
            place = places.get(stop.location_id)
            if place is None:
                continue
            ll = frame.latlon(place.lon, place.lat)
            path.append(ll)
            name = escape(place.name)
            if stop.kind == "collect":
                seq += 1
                out["stops"].append({
                    "ll": ll, "kind": "stop", "style": {"r": 5, "c": "#ffffff", "f": colour, "w": 1.5, "fo": 0.95},
                    "tip": f"{route.route_id} #{seq} {place.name}",
                    "popup": (f"<b>{name}</b><br>线路 Route: {escape(route.route_id)}, 第 {seq} 站 stop {seq}<br>"
                              f"收集 Collected: {stop.collected_t:,.2f} t<br>到达 Arrival: {stop.arrival_h:.2f} h<br>"
                              f"车上 Load after: {stop.load_after_t:,.2f} t, {stop.load_after_m3:,.1f} m³")})
            elif stop.kind == "unload":
                out["unloads"].append({
                    "ll": ll, "kind": "unload", "icon": svg_symbol("triangle", colour, 18, label="卸"),
                    "size": 18, "z": 500, "tip": f"卸货 Unload: {place.name} ({route.route_id})",
                    "popup": (f"<b>卸货 Unload</b> {name}<br>线路 Route: {escape(route.route_id)}<br>"
                              f"到达 Arrival: {stop.arrival_h:.2f} h")})
        depots.setdefault(route.depot_id, []).append(route.route_id)
        if len(path) >= 2:
            out["lines"].append({
                "ll": path, "kind": "route", "style": {"c": colour, "w": 3, "o": 0.85},
                "tip": (f"线路 Route {route.route_id} · {route.vehicle_type} · {route.distance_km:,.1f} km · "
                        f"{route.duration_h:.1f} h · {route.cost_cny:,.0f} CNY"
                        + (f" · 第{route.day}天 day {route.day}" if route.day is not None else ""))})
        for a, b in zip(path, path[1:], strict=False):
            if a == b:
                continue
            mid = [round((a[0] + b[0]) / 2, 6), round((a[1] + b[1]) / 2, 6)]
            out["arrows"].append({"ll": mid, "kind": "arrow", "size": 14,
                                  "icon": arrow_symbol(colour, _screen_angle_deg(a, b))})
    for depot_id, route_ids in depots.items():
        place = places.get(depot_id)
        if place is None:
            continue
        out["depots"].append({
            "ll": frame.latlon(place.lon, place.lat), "kind": "depot", "size": 24, "z": 1000,
            "icon": svg_symbol("square", "#263238", 24, label="D"),
            "tip": f"车场 Depot: {place.name}",
            "popup": f"<b>车场 Depot</b> {escape(place.name)}<br>线路 Routes: {', '.join(map(escape, route_ids))}"})
    return out


def plant_radius_px(capacity_mw: float) -> float:
    """Marker radius in pixels for a plant of ``capacity_mw`` MW."""
    return round(min(22.0, 3.0 + 1.1 * math.sqrt(max(capacity_mw, 0.0))), 1)


def plant_items(scenario: Scenario, frame: DisplayFrame) -> list[Item]:
    """Wind and PV plants, sized by MW, coloured by technology."""
    items = []
    for p in scenario.plants:
        colour = PLANT_COLOURS.get(p.technology, "#757575")
        tech = {"wind": "风电 wind", "solar": "光伏 solar"}.get(p.technology, p.technology)
        year = f"{p.commissioning_year}" + (" (推定 imputed)" if p.commissioning_year_imputed else "")
        rows = [f"<b>{escape(p.name)}</b>", f"类型 Technology: {tech}",
                f"装机 Capacity: {p.capacity_mw:,.1f} MW", f"投运 Commissioned: {year}",
                f"状态 Status: {escape(p.status)}", f"来源 Source: {escape(p.source)}"]
        rows += [f"<i>{escape(flag)}</i>" for flag in p.flags]
        items.append({"ll": frame.latlon(p.lon, p.lat), "kind": "plant",
                      "style": {"r": plant_radius_px(p.capacity_mw), "c": colour, "w": 1, "fo": 0.45},
                      "tip": f"{p.name} {p.capacity_mw:,.0f} MW", "popup": "<br>".join(rows)})
    return items


def rail_items(scenario: Scenario, frame: DisplayFrame) -> list[Item]:
    """Railway stations as small dark markers."""
    return [{"ll": frame.latlon(r.lon, r.lat), "kind": "rail",
             "style": {"r": 2.5, "c": "#ffffff", "f": "#424242", "w": 0.8, "fo": 0.9},
             "tip": f"铁路站 Rail station: {r.name}"} for r in scenario.rail_stations]


def flow_items(plan: Plan, frame: DisplayFrame, places: Mapping[str, Place]) -> list[Item]:
    """Base-run flows summed over years and streams per (origin, destination, mode); width by tonnes."""
    totals: dict[tuple[str, str, str], float] = {}
    for f in plan.flows:
        key = (f.origin_id, f.destination_id, f.mode)
        totals[key] = totals.get(key, 0.0) + f.amount_t
    items = []
    for (origin, destination, mode), amount in sorted(totals.items()):
        a, b = places.get(origin), places.get(destination)
        if a is None or b is None or amount <= 0:
            continue
        rail = mode == "rail"
        items.append({"ll": [frame.latlon(a.lon, a.lat), frame.latlon(b.lon, b.lat)], "kind": "flow",
                      "style": {"c": "#6a1b9a" if rail else "#8e24aa", "w": round(1 + math.log10(1 + amount), 1),
                                "o": 0.6, "d": "8 4" if rail else None},
                      "tip": f"{a.name} → {b.name}: {amount:,.0f} t ({'铁路 rail' if rail else '公路 road'})"})
    return items


def county_items(scenario: Scenario, frame: DisplayFrame) -> tuple[list[Item], list[Item]]:
    """Schematic county extents (convex hulls, dashed) and county-seat markers.

    Returns ``(extents, seats)``; only counties with a village or site in the
    scenario get an extent.
    """
    points: dict[str, list[tuple[float, float]]] = {}
    for item in (*scenario.villages, *scenario.sites):
        points.setdefault(item.county_code, []).append((item.lon, item.lat))
    extents, seats = [], []
    for c in scenario.counties:
        pts = points.get(c.code, [])
        if len(pts) >= 3:
            hull = MultiPoint(pts).convex_hull.buffer(0.02, quad_segs=2)
            if hasattr(hull, "exterior"):
                ring = [frame.latlon(x, y) for x, y in hull.exterior.coords]
                extents.append({"ll": ring, "kind": "county",
                                "style": {"c": "#9e9e9e", "w": 1.2, "o": 0.9, "d": "5 5"},
                                "tip": f"{c.name} 县域示意范围 schematic extent (示意图, not an official boundary)"})
        seats.append({"ll": frame.latlon(c.seat_lon, c.seat_lat), "kind": "seat",
                      "style": {"r": 3, "c": "#424242", "f": "#ffffff", "w": 1.5, "fo": 1.0},
                      "tip": c.name + (" ≈" if c.seat_generated else ""), "perm": True})
    return extents, seats
