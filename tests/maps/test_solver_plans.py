"""Maps of real solver output: routes (solve_routes) and bases (solve_bases), checked first, then drawn."""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from cli.app import app
from geodata.write import write_scenario_file
from maps.coords import DisplayFrame
from maps.layers_extra import route_items
from maps.lookup import place_index
from maps.plan_map import build_map
from maps.report import write_report
from network import (
    Assignment,
    CandidateSite,
    InputError,
    MaterialStream,
    OpenSite,
    Plan,
    Scenario,
    SettlementType,
    SolveInfo,
    TableTravelModel,
    Tier,
    Village,
)
from network.admin import County, Plant
from network.bases_params import BasesParams, ForecastParams
from network.params import CostParams
from network.routing_params import RoutingParams
from network.serialize import write_plan
from network.sites import SizeLevel
from solver.bases.forecast import Forecast, ForecastRow
from solver.bases.solve import solve_bases
from solver.check.bases import check_bases_plan
from solver.check.route_plan import check_route_plan
from solver.routing.solve import solve_routes
from tests.maps.fixtures import scenario as fixture_scenario

GR, STEEL = MaterialStream.GENERAL_RECYCLABLES, MaterialStream.TOWERS_STEEL
YZ = "650502"


def _route_scenario() -> Scenario:
    sites = (CandidateSite("ST", "中转站", Tier.TRANSFER_STATION, 93.50, 42.80, YZ),
             CandidateSite("cp1", "供销社1", Tier.COLLECTION_POINT, 93.55, 42.80, YZ),
             CandidateSite("cp2", "供销社2", Tier.COLLECTION_POINT, 93.45, 42.80, YZ),
             CandidateSite("cp3", "供销社3", Tier.COLLECTION_POINT, 93.50, 42.85, YZ))
    village = Village("v1", "甲村", YZ, YZ + "100", 93.50, 42.75, SettlementType.RURAL, 100, 300, {GR: 52.0})
    km = {("ST", "cp1"): 10, ("ST", "cp2"): 12, ("ST", "cp3"): 8, ("ST", "v1"): 15, ("cp1", "cp2"): 20,
          ("cp1", "cp3"): 9, ("cp2", "cp3"): 11, ("cp1", "v1"): 18, ("cp2", "v1"): 19, ("cp3", "v1"): 22}
    return Scenario("tiny", (village,), sites, TableTravelModel(km, speed_kmh=40.0))


def _network_plan() -> Plan:
    sites = (OpenSite("ST", Tier.TRANSFER_STATION, "small", 3000, 500, 250_000),
             OpenSite("cp1", Tier.COLLECTION_POINT, "kiosk", 150, 104.0, 15_000),
             OpenSite("cp2", Tier.COLLECTION_POINT, "kiosk", 500, 270.4, 40_000),
             OpenSite("cp3", Tier.COLLECTION_POINT, "kiosk", 150, 26.0, 15_000))
    assignments = (Assignment("cp1", "ST", 1.0, "site", 10), Assignment("cp2", "ST", 1.0, "site", 12),
                   Assignment("cp3", "ST", 1.0, "site", 8), Assignment("v1", "ST", 1.0, "mobile", 15))
    return Plan("network", "tiny", SolveInfo("network_design", "highs", "optimal", 0.0), sites=sites,
                assignments=assignments)


def test_solved_routes_are_drawn_stop_for_stop_with_unloads(tmp_path) -> None:
    sc, network = _route_scenario(), _network_plan()
    params = RoutingParams(time_limit_s_per_station=0.3, vehicle_types=("tricycle",), unload_h=0.25)
    plan = solve_routes(sc, network, params=params)
    checks = check_route_plan(sc, network, plan, params)
    assert checks == []
    parts = route_items(plan, DisplayFrame(), place_index(sc))
    kinds = Counter(s.kind for r in plan.routes for s in r.stops)
    assert len(parts["stops"]) == kinds["collect"] and len(parts["unloads"]) == kinds["unload"] >= 3
    assert len(parts["lines"]) == len(plan.routes)
    fmap = build_map(sc, network, extra_plans=(plan,))
    html = fmap.get_root().render()
    names = [getattr(c, "layer_name", "") for c in fmap._children.values()]
    assert "[收运线路] 收运线路 Vehicle routes" in names and "中转站 Transfer stations" in names
    assert f"{plan.costs_cny['total']:,.0f}" in html
    out = write_report(sc, plan, tmp_path, checks=checks)
    assert "校验通过 Checker: clean" in out["report_html"].read_text(encoding="utf-8")


def _bases_scenario() -> tuple[Scenario, Forecast, BasesParams]:
    level = SizeLevel("only", Tier.RECYCLING_BASE, 50_000.0, 1_000_000.0, 0.0, 10_000.0)
    b = "652301"
    sites = (CandidateSite("base-A", "哈密基地", Tier.RECYCLING_BASE, 93.5, 42.8, YZ),
             CandidateSite("base-B", "昌吉基地", Tier.RECYCLING_BASE, 87.3, 44.0, b))
    plants = (Plant("pA", "哈密风电", "wind", 100.0, 2005, "operating", 93.4, 42.9, YZ, "6505", "test"),
              Plant("pB", "昌吉风电", "wind", 100.0, 2010, "operating", 87.2, 44.1, b, "6523", "test"))
    km = {(YZ, "base-A"): 10, (YZ, "base-B"): 300, (b, "base-A"): 300, (b, "base-B"): 10}
    sc = Scenario("two-period", (), sites, TableTravelModel(km), size_levels=(level,), plants=plants,
                  costs=CostParams(discount_rate=0.0))
    rows = [ForecastRow(y, YZ, "6505", STEEL, 10_000.0) for y in range(2025, 2035)]
    rows += [ForecastRow(y, b, "6523", STEEL, 10_000.0) for y in range(2030, 2035)]
    forecast = Forecast(tuple(rows), 2025, 2034, 150_000.0, 0.0, ForecastParams())
    params = BasesParams(period_starts=(2025, 2030), end_year=2034,
                         road_rate_cny_per_t_km={"pv_modules": 1.0, "wind_blades": 1.0, "towers_steel": 1.0},
                         processing_cny_per_t={"pv_modules": 0.0, "wind_blades": 0.0, "towers_steel": 0.0},
                         revenue_cny_per_t={"pv_modules": 0.0, "wind_blades": 0.0, "towers_steel": 0.0},
                         relative_gap=0.0, time_limit_s=20.0)
    return sc, forecast, params


def test_solved_bases_are_drawn_with_opening_years_and_flows_from_plant_centroids(tmp_path) -> None:
    sc, forecast, params = _bases_scenario()
    plan = solve_bases(sc, forecast, params=params)
    checks = check_bases_plan(sc, plan, forecast)
    assert checks == []
    fmap = build_map(sc, plan)
    layers = [c for c in fmap._children.values() if hasattr(c, "items") and hasattr(c, "cluster")]
    bases = [i for lay in layers for i in lay.items if i["kind"] == "site"]
    assert len(bases) == len(plan.sites) == 2
    years = sorted(s.open_year for s in plan.sites)
    assert years == [2025, 2030]  # the second base waits for its county's retirements
    assert all(f">{s.open_year}<" in next(b["icon"] for b in bases if s.site_id in b["popup"]) for s in plan.sites)
    flows = [i for lay in layers for i in lay.items if i["kind"] == "flow"]
    assert len(flows) == len({(f.origin_id, f.destination_id, f.mode) for f in plan.flows})
    # county sources sit at their plants (one plant each here)
    starts = {tuple(f["ll"][0]) for f in flows}
    assert starts == {(42.9, 93.4), (44.1, 87.2)}
    records = [{"year": r.year, "county": r.county_code, "class": r.stream.value, "t": r.t} for r in forecast.rows]
    out = write_report(sc, plan, tmp_path, checks=checks, forecast=records)
    assert out["report_html"].read_text(encoding="utf-8").count("data:image/png;base64,") == 3


runner = CliRunner()


def test_map_command_draws_a_saved_plan_with_its_scenario(tmp_path) -> None:
    from tests.maps.fixtures import network_plan, routes_plan

    sc = fixture_scenario()
    write_scenario_file(sc, tmp_path / "scenario.json")
    write_plan(network_plan(), tmp_path / "plan.json")
    write_plan(routes_plan(), tmp_path / "routes.json")
    result = runner.invoke(app, ["map", "--plan", str(tmp_path / "plan.json"), "--also", str(tmp_path / "routes.json"),
                                 "--basemap", "gaode", "--out", str(tmp_path / "out")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    assert "autonavi" in html and "HS.points" in html and "Map 地图 written" in result.output


def test_map_command_refuses_a_plan_from_another_scenario(tmp_path) -> None:
    from tests.maps.fixtures import network_plan

    write_plan(network_plan(), tmp_path / "plan.json")
    result = runner.invoke(app, ["map", "--plan", str(tmp_path / "plan.json"), "--region", "hami"])
    assert isinstance(result.exception, InputError)
    assert "ids in the plan are not in scenario 'hami'" in str(result.exception)
    result = runner.invoke(app, ["map", "--plan", str(tmp_path / "plan.json")])
    assert isinstance(result.exception, InputError) and "pass --region" in str(result.exception)


@pytest.mark.parametrize("county", [County(YZ, "伊州区", "650500", "哈密市", 93.51, 42.83, seat_generated=False,
                                           population=1, households=1, urban_population=1, rural_population=0)])
def test_county_without_plants_sits_at_its_seat(county) -> None:
    sc = _route_scenario().with_changes(counties=(county,))
    assert (place_index(sc)[YZ].lon, place_index(sc)[YZ].lat) == (93.51, 42.83)
