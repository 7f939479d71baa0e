"""Write a plan's files (JSON, GeoPackage, CSV) and scenario JSON, each atomically.

Every file is written to a temporary file in the same folder and renamed
into place (``os.replace``), so a reader sees the old file or the new one,
never half of one; on an error nothing partial is left behind.

``plan.gpkg`` layers (WGS-84, EPSG:4326), those that have rows:
``sites`` (points of open sites), ``villages`` (points of all demand points,
with the site serving each), ``assignments`` (lines client → server),
``routes`` (one line per route through its stops), ``flows`` (lines origin →
destination per stream).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from geodata import travel as _travel  # noqa: F401  (registers the travel models for reading)
from network.errors import InputError
from network.plan import Plan
from network.scenario import Scenario
from network.serialize import plan_to_json, scenario_from_dict, scenario_to_dict, write_text_atomic


def _locations(scenario: Scenario) -> dict[str, tuple[float, float, str]]:
    """Every located id of a scenario → (lon, lat, name)."""
    loc: dict[str, tuple[float, float, str]] = {}
    for c in scenario.counties:
        loc[c.code] = (c.seat_lon, c.seat_lat, c.name)
    for t in scenario.townships:
        loc[t.code] = (t.seat_lon, t.seat_lat, t.name)
    for r in scenario.rail_stations:
        loc[r.station_id] = (r.lon, r.lat, r.name)
    for p in scenario.plants:
        loc[p.plant_id] = (p.lon, p.lat, p.name)
    for v in scenario.villages:
        loc[v.village_id] = (v.lon, v.lat, v.name)
    for s in scenario.sites:
        loc[s.site_id] = (s.lon, s.lat, s.name)
    return loc


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def sites_rows(scenario: Scenario, plan: Plan) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of ``sites.csv``: one row per open site."""
    by_id = {s.site_id: s for s in scenario.sites}
    header = ["site_id", "name", "tier", "tier_zh", "size_level", "capacity_t_per_year", "throughput_t_per_year",
              "utilisation", "fixed_cost_cny_per_year", "open_year", "status", "outlet_kind", "county_code",
              "county", "lon", "lat", "generated_fields"]
    rows = []
    for o in plan.sites:
        s = by_id.get(o.site_id)
        rows.append([o.site_id, s.name if s else "", o.tier.value, o.tier.name_zh, o.size_level,
                     round(o.capacity_t_per_year, 3), round(o.throughput_t_per_year, 3), round(o.utilisation, 4),
                     round(o.fixed_cost_cny_per_year, 2), o.open_year if o.open_year is not None else "",
                     s.status.value if s else "", s.outlet_kind.value if s else "", s.county_code if s else "",
                     scenario.county_name(s.county_code) if s else "", s.lon if s else "", s.lat if s else "",
                     ";".join(sorted(s.generated_fields)) if s else ""])
    return header, rows


def assignments_rows(scenario: Scenario, plan: Plan) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of ``assignments.csv``."""
    loc = _locations(scenario)
    header = ["client_id", "client_name", "server_id", "server_name", "share", "mode", "distance_km"]
    rows = [[a.client_id, loc.get(a.client_id, (0, 0, ""))[2], a.server_id, loc.get(a.server_id, (0, 0, ""))[2],
             round(a.share, 6), a.mode, round(a.distance_km, 3)] for a in plan.assignments]
    return header, rows


def routes_rows(plan: Plan) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of ``routes.csv``: one row per stop of each route."""
    header = ["route_id", "day", "depot_id", "vehicle_type", "route_distance_km", "route_duration_h",
              "route_cost_cny", "stop", "location_id", "kind", "arrival_h", "collected_t", "load_after_t",
              "load_after_m3"]
    rows = []
    for r in plan.routes:
        for i, stop in enumerate(r.stops):
            rows.append([r.route_id, r.day if r.day is not None else "", r.depot_id, r.vehicle_type,
                         round(r.distance_km, 3), round(r.duration_h, 3), round(r.cost_cny, 2), i, stop.location_id,
                         stop.kind, round(stop.arrival_h, 3), round(stop.collected_t, 4), round(stop.load_after_t, 4),
                         round(stop.load_after_m3, 4)])
    return header, rows


def _gpkg_layers(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    loc = _locations(scenario)
    layers: dict[str, Any] = {}
    header, rows = sites_rows(scenario, plan)
    located = [r for r in rows if r[-3] != ""]
    if located:
        layers["sites"] = gpd.GeoDataFrame([dict(zip(header, r, strict=True)) for r in located],
                                           geometry=[Point(r[-3], r[-2]) for r in located], crs="EPSG:4326")
    served = {}
    for a in plan.assignments:
        served.setdefault(a.client_id, []).append(a.server_id)
    if scenario.villages:
        layers["villages"] = gpd.GeoDataFrame(
            [{"village_id": v.village_id, "name": v.name, "county_code": v.county_code,
              "township_code": v.township_code, "settlement": v.settlement.value, "households": v.households,
              "population": v.population, "total_t_per_year": round(v.total_t_per_year, 4),
              "served_by": ";".join(served.get(v.village_id, [])),
              "generated_fields": ";".join(sorted(v.generated_fields))} for v in scenario.villages],
            geometry=[Point(v.lon, v.lat) for v in scenario.villages], crs="EPSG:4326")
    pairs = [(a, loc.get(a.client_id), loc.get(a.server_id)) for a in plan.assignments]
    pairs = [p for p in pairs if p[1] and p[2]]
    if pairs:
        layers["assignments"] = gpd.GeoDataFrame(
            [{"client_id": a.client_id, "server_id": a.server_id, "share": a.share, "mode": a.mode,
              "distance_km": a.distance_km} for a, _, _ in pairs],
            geometry=[LineString([c[:2], s[:2]]) for _, c, s in pairs], crs="EPSG:4326")
    routes = [(r, [loc[s.location_id][:2] for s in r.stops if s.location_id in loc]) for r in plan.routes]
    routes = [(r, pts) for r, pts in routes if len(pts) >= 2]
    if routes:
        layers["routes"] = gpd.GeoDataFrame(
            [{"route_id": r.route_id, "depot_id": r.depot_id, "vehicle_type": r.vehicle_type, "day": r.day,
              "stops": len(r.stops), "distance_km": r.distance_km, "duration_h": r.duration_h,
              "cost_cny": r.cost_cny} for r, _ in routes],
            geometry=[LineString(pts) for _, pts in routes], crs="EPSG:4326")
    flows = [(f, loc.get(f.origin_id), loc.get(f.destination_id)) for f in plan.flows]
    flows = [x for x in flows if x[1] and x[2]]
    if flows:
        layers["flows"] = gpd.GeoDataFrame(
            [{"origin_id": f.origin_id, "destination_id": f.destination_id, "stream": f.stream.value,
              "stream_zh": f.stream.name_zh, "amount_t": f.amount_t, "distance_km": f.distance_km, "leg": f.leg,
              "year": f.year, "mode": f.mode} for f, _, _ in flows],
            geometry=[LineString([o[:2], d[:2]]) for _, o, d in flows], crs="EPSG:4326")
    return layers


def write_gpkg_atomic(path: Path, layers: Mapping[str, Any]) -> None:
    """Write GeoDataFrames as layers of one GeoPackage, through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.gpkg")
    try:
        tmp.unlink(missing_ok=True)
        for name, frame in layers.items():
            frame.to_file(tmp, layer=name, driver="GPKG")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_plan_files(scenario: Scenario, plan: Plan, out_dir: str | Path) -> dict[str, Path]:
    """Write ``plan.json``, ``plan.gpkg``, ``sites.csv``, ``assignments.csv`` and (route plans) ``routes.csv``.

    Parameters
    ----------
    scenario
        The scenario the plan answers (for coordinates and names).
    plan
        Any plan kind (``network``, ``routes``, ``bases``), see docs/plan_contract.md.
    out_dir
        Folder to write into (created if needed).

    Returns
    -------
    dict
        ``{file name: path}`` of the files written.

    Raises
    ------
    InputError
        If the plan belongs to another scenario.
    """
    if plan.scenario_name != scenario.name:
        raise InputError(f"plan for scenario '{plan.scenario_name}' cannot be written with scenario "
                         f"'{scenario.name}'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = {"plan.json": plan_to_json(plan),
             "sites.csv": _csv_text(*sites_rows(scenario, plan)),
             "assignments.csv": _csv_text(*assignments_rows(scenario, plan))}
    if plan.routes:
        texts["routes.csv"] = _csv_text(*routes_rows(plan))
    layers = _gpkg_layers(scenario, plan)  # build everything before the first write
    written = {}
    for name, text in texts.items():
        write_text_atomic(out / name, text)
        written[name] = out / name
    if layers:
        write_gpkg_atomic(out / "plan.gpkg", layers)
        written["plan.gpkg"] = out / "plan.gpkg"
    return written


def write_scenario_file(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as JSON (atomically); ``load_scenario_file`` reads it back.

    Raises
    ------
    OSError
        If the folder cannot be written.
    """
    path = Path(path)
    write_text_atomic(path, json.dumps(scenario_to_dict(scenario), ensure_ascii=False, indent=1))
    return path


def load_scenario_file(path: str | Path) -> Scenario:
    """Read a scenario JSON written by ``write_scenario_file``.

    Raises
    ------
    InputError
        If the file is missing, not JSON, or not a valid scenario.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read scenario JSON: {exc}") from None
    return scenario_from_dict(data, source=path.name)
