"""``solve.py route`` on the bundled Wuhai region with a small hand-made network plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from network import Assignment, InputError, OpenSite, Plan, SolveInfo, Tier
from network.serialize import plan_from_dict, plan_to_json


def _network_plan(tmp_path: Path, *, kind: str = "network") -> Path:
    points = ["cp-150302001-coop", "cp-150302002-coop", "cp-150302003-coop", "cp-150302004-coop"]
    sites = (OpenSite("ts-150302101", Tier.TRANSFER_STATION, "small", 3000, 400, 250_000),
             *(OpenSite(p, Tier.COLLECTION_POINT, "kiosk", 150, 100.0, 15_000) for p in points))
    plan = Plan(kind, "wuhai", SolveInfo("network_design", "highs", "optimal", 0.0), sites=sites,
                assignments=tuple(Assignment(p, "ts-150302101", 1.0, "site", 0.0) for p in points))
    path = tmp_path / "plan.json"
    path.write_text(plan_to_json(plan), encoding="utf-8")
    return path


def test_route_command_prints_checked_routes_and_writes_files(tmp_path: Path) -> None:
    out = tmp_path / "routes"
    result = CliRunner().invoke(app, ["route", "--region", "wuhai", "--travel", "circuity", "--plan",
                                      str(_network_plan(tmp_path)), "--out", str(out),
                                      "--time-limit-per-station", "0.3", "--horizon", "week"],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "station ts-150302101" in result.output
    assert "Checker 校验: OK" in result.output
    assert "vehicle-hours" in result.output and "CO₂" in result.output
    for name in ("plan.json", "routes.csv", "plan.gpkg"):
        assert (out / name).exists()
    plan = plan_from_dict(json.loads((out / "plan.json").read_text(encoding="utf-8")))
    assert plan.kind == "routes" and plan.unserved == ()
    # 100 t/yr = 1.92 t/week each, one visit a week: all four points collected once.
    collected = sorted(s.location_id for r in plan.routes for s in r.stops if s.kind == "collect")
    assert collected == ["cp-150302001-coop", "cp-150302002-coop", "cp-150302003-coop", "cp-150302004-coop"]


def test_route_command_rejects_a_plan_of_the_wrong_kind(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["route", "--region", "wuhai", "--travel", "circuity", "--plan",
                                      str(_network_plan(tmp_path, kind="routes")), "--out", str(tmp_path / "o")])
    assert isinstance(result.exception, InputError)
    with pytest.raises(InputError, match="expected a network plan"):
        raise result.exception
