"""Writers: plan files for network and route plans, atomic writes, scenario JSON round trip."""

import csv
import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from geodata.regions import load_region
from geodata.write import load_scenario_file, write_plan_files, write_scenario_file
from network import (
    Assignment,
    Flow,
    MaterialStream,
    OpenSite,
    Plan,
    Route,
    RouteStop,
    SolveInfo,
    Tier,
)
from network.errors import InputError
from network.serialize import read_plan, scenario_content_id


@pytest.fixture(scope="module")
def hami():
    return load_region("hami", travel="circuity")


def _network_plan(scenario) -> Plan:
    v = scenario.villages[0]
    cp = scenario.sites_of(Tier.COLLECTION_POINT)[0]
    ts = scenario.sites_of(Tier.TRANSFER_STATION)[0]
    return Plan("network", scenario.name, SolveInfo("test", "highs", "optimal", 1000.0),
                sites=(OpenSite(cp.site_id, cp.tier, "kiosk", 150, 12.5, 15_000),
                       OpenSite(ts.site_id, ts.tier, "small", 3000, 12.5, 250_000)),
                assignments=(Assignment(v.village_id, cp.site_id, 1.0, "site", 3.2),
                             Assignment(cp.site_id, ts.site_id, 1.0, "site", 11.0)),
                flows=(Flow(v.village_id, cp.site_id, MaterialStream.APPLIANCES, 12.5, 3.2, "village_to_point"),
                       Flow(cp.site_id, ts.site_id, MaterialStream.APPLIANCES, 12.5, 11.0, "point_to_station")),
                costs_cny={"fixed": 265_000.0, "total": 265_000.0})


def _routes_plan(scenario) -> Plan:
    depot = scenario.sites_of(Tier.TRANSFER_STATION)[0].site_id
    a, b = scenario.villages[0].village_id, scenario.villages[1].village_id
    stops = (RouteStop(depot, "depot", 0.0, 0.0), RouteStop(a, "collect", 0.5, 0.3, 2.0, 0.3),
             RouteStop(b, "collect", 0.9, 0.7, 4.0, 0.4), RouteStop(depot, "unload", 1.5, 0.0),
             RouteStop(depot, "depot", 1.5, 0.0))
    return Plan("routes", scenario.name, SolveInfo("test", "pyvrp", "heuristic", 300.0),
                routes=(Route("r1", depot, "light_truck", stops, 42.0, 1.5, 300.0, day=1),))


def test_network_plan_files(hami, tmp_path: Path) -> None:
    plan = _network_plan(hami)
    files = write_plan_files(hami, plan, tmp_path)
    assert set(files) == {"plan.json", "plan.gpkg", "sites.csv", "assignments.csv"}
    assert read_plan(files["plan.json"]) == plan
    rows = list(csv.DictReader(files["sites.csv"].open(encoding="utf-8")))
    assert [r["site_id"] for r in rows] == [s.site_id for s in plan.sites]
    assert rows[0]["tier_zh"] == "回收点" and float(rows[0]["utilisation"]) == round(12.5 / 150, 4)
    assignments = list(csv.DictReader(files["assignments.csv"].open(encoding="utf-8")))
    assert assignments[0]["client_name"] == hami.villages[0].name and assignments[1]["distance_km"] == "11.0"
    layers = dict(pyogrio.list_layers(files["plan.gpkg"]))
    assert layers == {"sites": "Point", "villages": "Point", "assignments": "LineString", "flows": "LineString"}
    villages = gpd.read_file(files["plan.gpkg"], layer="villages")
    assert len(villages) == len(hami.villages) and villages.crs.to_epsg() == 4326
    assert villages.loc[0, "served_by"] == plan.sites[0].site_id
    flows = gpd.read_file(files["plan.gpkg"], layer="flows")
    assert flows["amount_t"].tolist() == [12.5, 12.5]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_route_plan_files(hami, tmp_path: Path) -> None:
    files = write_plan_files(hami, _routes_plan(hami), tmp_path)
    assert "routes.csv" in files
    rows = list(csv.DictReader(files["routes.csv"].open(encoding="utf-8")))
    assert [r["kind"] for r in rows] == ["depot", "collect", "collect", "unload", "depot"]
    assert float(rows[2]["load_after_t"]) == pytest.approx(0.7)
    routes = gpd.read_file(files["plan.gpkg"], layer="routes")
    assert len(routes) == 1 and len(routes.geometry[0].coords) == 5


def test_plan_of_another_scenario_writes_nothing(hami, tmp_path: Path) -> None:
    plan = _network_plan(hami)
    other = hami.with_changes(name="other")
    with pytest.raises(InputError, match="plan for scenario 'hami'"):
        write_plan_files(other, plan, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_failed_geopackage_write_keeps_the_old_file(hami, tmp_path: Path, monkeypatch) -> None:
    files = write_plan_files(hami, _network_plan(hami), tmp_path)
    before = files["plan.gpkg"].read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", broken)
    with pytest.raises(OSError, match="disk full"):
        write_plan_files(hami, _network_plan(hami), tmp_path)
    assert files["plan.gpkg"].read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_scenario_json_round_trip(hami, tmp_path: Path) -> None:
    path = write_scenario_file(hami, tmp_path / "hami.json")
    again = load_scenario_file(path)
    assert again.villages == hami.villages and again.sites == hami.sites
    assert scenario_content_id(again) == scenario_content_id(hami)
    assert again.travel.spec == hami.travel.spec
    assert json.loads(path.read_text(encoding="utf-8"))["travel"]["source"] == "circuity"


def test_bad_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="bad.json: cannot read scenario JSON"):
        load_scenario_file(path)
