"""``solve.py bases`` end to end on the bundled Shanxi set (small and fast)."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from cli.app import app
from cli.bases_cmd import build_bases_scenario, innermongolia_regions
from geodata.regions import load_counties
from network.errors import InputError
from network.serialize import read_plan
from network.sites import Tier
from solver.bases.forecast import forecast_retirements
from solver.check.bases import check_bases_plan


def test_innermongolia_set_is_picked_by_operating_wind_capacity() -> None:
    infos = innermongolia_regions(4)
    # SOURCES.md: 锡林郭勒 17.2 GW leads, then 乌兰察布 4.6 GW, 通辽 3.8 GW, 巴彦淖尔 3.4 GW (赤峰 3.4 GW).
    assert [i.area_code for i in infos][:3] == ["1525", "1509", "1505"]
    # Statistical zones without a seat (乌拉盖管理区 …) are hosted by a county, not loaded as one.
    assert all(math.isfinite(c.seat_lon) for i in infos for c in load_counties(i))


def test_unknown_set_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown set 'gansu'"):
        build_bases_scenario("gansu")


@pytest.mark.slow
def test_bases_command_on_shanxi_writes_checked_outputs(tmp_path) -> None:
    out = tmp_path / "bases-shanxi"
    result = CliRunner().invoke(app, ["bases", "--set", "shanxi", "--out", str(out), "--time-limit", "30",
                                      "--no-policy"])
    assert result.exit_code == 0, result.output
    assert "clean" in result.output and "2040" in result.output
    for name in ("plan.json", "forecast.csv", "forecast.png", "bases.xlsx", "plan.gpkg"):
        assert (out / name).exists(), name
    plan = read_plan(out / "plan.json")
    assert plan.kind == "bases" and plan.sites and all(s.tier is Tier.RECYCLING_BASE for s in plan.sites)
    scenario, _ = build_bases_scenario("shanxi")
    forecast = forecast_retirements(scenario.plants)
    assert check_bases_plan(scenario, plan, forecast) == []
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["params"]["bases"]["time_limit_s"] == 30
