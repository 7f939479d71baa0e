"""Reports: report.html, report.xlsx, charts, verdict, forecast and the comparison page."""

from __future__ import annotations

import json
import os
import re

import openpyxl
import pandas as pd
import pytest

from maps.charts import tidy_forecast, utilisation_frame
from maps.report import write_comparison_report, write_report
from network import InputError
from tests.maps.fixtures import bases_plan, forecast_table, network_plan, routes_plan, scenario


def _sheets(path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_network_report_writes_three_files_with_same_tables(tmp_path) -> None:
    sc, plan = scenario(), network_plan()
    out = write_report(sc, plan, tmp_path / "run", checks=[])
    assert set(out) == {"map", "report_html", "report_xlsx"}
    assert all(p.exists() and p.stat().st_size > 0 for p in out.values())
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["map.html", "report.html", "report.xlsx"]
    sheets = _sheets(out["report_xlsx"])
    assert list(sheets)[:4] == ["概况 Summary", "指标 KPIs", "成本 Costs", "站点 Sites"]
    assert "校验 Checks" in sheets and "线路 Routes" not in sheets
    kpis = {row[1]: row[2] for row in sheets["指标 KPIs"][1:]}
    assert kpis == pytest.approx(dict(plan.kpis))
    costs = {row[1]: row[2] for row in sheets["成本 Costs"][1:]}
    assert costs["total"] == plan.costs_cny["total"]
    sites = sheets["站点 Sites"]
    assert len(sites) == 1 + len(plan.sites)
    util = dict(zip([r[0] for r in sites[1:]], [r[sites[0].index("利用率 Utilisation")] for r in sites[1:]],
                    strict=True))
    assert util["cp2"] == pytest.approx(41 / 500)
    html = out["report_html"].read_text(encoding="utf-8")
    assert "校验通过 Checker: clean" in html
    assert '<iframe src="map.html"' in html
    assert html.count("data:image/png;base64,") == 2  # cost + utilisation, no forecast for a network run
    assert "2,082,461" in html
    assert re.search(r"<script|https?://", html) is None  # no JavaScript, nothing remote


def test_checker_problems_are_listed_in_both_reports(tmp_path) -> None:
    problems = ["route r1: peak load 2.1 t exceeds light_truck capacity 2.0 t", "village v9 visited twice"]
    out = write_report(scenario(), routes_plan(), tmp_path, checks=problems, extra_plans=(network_plan(),))
    layer = json.dumps("[三级回收网络] 回收点 Collection points")  # as the layer control writes it
    assert layer in out["map"].read_text(encoding="utf-8")
    html = out["report_html"].read_text(encoding="utf-8")
    assert "Checker found 2 problem(s)" in html and "village v9 visited twice" in html
    sheets = _sheets(out["report_xlsx"])
    assert [r[1] for r in sheets["校验 Checks"][1:]] == problems
    routes = sheets["线路 Routes"]
    header = routes[0]
    r1 = dict(zip(header, routes[1], strict=True))
    assert r1["收集点数 Stops"] == 3 and r1["卸货次数 Unloads"] == 1
    assert r1["收集量 Collected (t)"] == pytest.approx(2.1)
    assert r1["峰值装载率 Peak load share"] == pytest.approx(1.5 / 2.0)  # light truck 2 t


def test_bases_report_has_forecast_chart_and_sheet(tmp_path) -> None:
    out = write_report(scenario(), bases_plan(), tmp_path, checks=[], forecast=pd.DataFrame(forecast_table()))
    html = out["report_html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3
    assert "退役设备预测 Retirement forecast" in html
    sheet = _sheets(out["report_xlsx"])["退役预测 Forecast"]
    assert sheet[0] == ("year", "county", "class", "t") and len(sheet) == 1 + len(forecast_table())


def test_forecast_accepts_bilingual_record_columns_and_rejects_missing_ones(tmp_path) -> None:
    records = [{"year 年份": 2030, "county_code 县代码": "650502", "county 县": "伊州区", "prefecture 地市": "哈密",
                "class 类别": "退役光伏组件 pv modules", "t 吨": 12.5}]
    tidy = tidy_forecast(records)
    assert list(tidy.columns) == ["year", "county", "class", "t"] and tidy.loc[0, "county"] == "伊州区"
    with pytest.raises(InputError, match="missing column\\(s\\) t; expected year, county, class, t"):
        write_report(scenario(), bases_plan(), tmp_path, checks=[], forecast=[{"year": 1, "county": "a", "class": "b"}])


def test_utilisation_per_tier_and_per_route() -> None:
    sc = scenario()
    frame = utilisation_frame(sc, network_plan())
    assert set(frame["group"]) == {"回收点 collection point", "中转站 transfer station", "分拣中心 sorting centre"}
    routes = utilisation_frame(sc, routes_plan()).set_index("id")["utilisation"]
    assert routes["r1"] == pytest.approx(0.75) and routes["r2"] == pytest.approx(0.45 / 0.5)


def test_comparison_report_links_each_scenario_to_its_map(tmp_path) -> None:
    rows = [{"scenario": "base", "total_cny": 2.0e6, "coverage_share": 0.98},
            {"scenario": "shared", "total_cny": 1.8e6, "coverage_share": 0.97}]
    out = write_comparison_report(rows, tmp_path, links={"base": "base/map.html", "shared": "shared/map.html"},
                                  title="哈密 sweep")
    html = out["report_html"].read_text(encoding="utf-8")
    assert '<a href="base/map.html">base</a>' in html and '<a href="shared/map.html">shared</a>' in html
    assert "98.0 %" in html and "2,000,000" in html
    sheet = _sheets(out["report_xlsx"])["比较 Comparison"]
    assert sheet[0][:2] == ("scenario", "地图 Map") and sheet[2][1] == "shared/map.html"
    with pytest.raises(InputError, match="rows 1: missing the scenario column 'scenario'"):
        write_comparison_report([{"name": "x"}], tmp_path, links={})


def test_extra_tables_join_both_reports_and_files_are_readable(tmp_path) -> None:
    extra = pd.DataFrame({"说明 Note": ["敏感性 sensitivity"], "值 Value": [0.25]})
    out = write_report(scenario(), network_plan(), tmp_path, checks=[], extra_tables={"附加 Extra": extra})
    assert _sheets(out["report_xlsx"])["附加 Extra"] == [("说明 Note", "值 Value"), ("敏感性 sensitivity", 0.25)]
    assert "敏感性 sensitivity" in out["report_html"].read_text(encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    assert {p.stat().st_mode & 0o777 for p in out.values()} == {0o666 & ~umask}  # as any new file, not 0600
