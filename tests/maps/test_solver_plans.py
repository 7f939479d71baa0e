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
    InputError,
    MaterialStream,
)
from network.admin import County
from network.routing_params import RoutingParams
from network.serialize import write_plan
from solver.bases.solve import solve_bases
from solver.check.bases import check_bases_plan
from solver.check.route_plan import check_route_plan
from solver.routing import solve_routes
from tests.maps.fixtures import scenario as fixture_scenario
from tests.scenarios import BASES_PARAMS, bases_forecast, bases_scenario, route_network_plan, route_scenario

GR, STEEL = MaterialStream.GENERAL_RECYCLABLES, MaterialStream.TOWERS_STEEL
YZ = "650502"


def test_solved_routes_are_drawn_stop_for_stop_with_unloads(tmp_path) -> None:
    sc, network = route_scenario(), route_network_plan()
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


def test_solved_bases_are_drawn_with_opening_years_and_flows_from_plant_centroids(tmp_path) -> None:
    sc, forecast, params = bases_scenario(), bases_forecast(), BASES_PARAMS
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
    sc = route_scenario().with_changes(counties=(county,))
    assert (place_index(sc)[YZ].lon, place_index(sc)[YZ].lat) == (93.51, 42.83)
