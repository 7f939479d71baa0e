"""Maps in headless Chromium: render with no errors, no network, layers, legend, one marker per plan item."""

from __future__ import annotations

from collections import Counter

import pytest

from maps.report import write_report
from tests.maps.browser import CHROMIUM, FIND_MAP_JS, chromium_context, feature_counts, new_page, open_map
from tests.maps.fixtures import bases_plan, forecast_table, network_plan, routes_plan, scenario

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing: run tests/run.sh to install chromium"),
]

@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for this module; each test opens its own page."""
    with chromium_context() as context:
        yield context


@pytest.fixture
def page_log(browser):
    page, log = new_page(browser)
    yield page, log
    page.close()


LAYER_LABELS_JS = ("Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
                   ".map(e => e.textContent.trim())")


def _expected(plan) -> dict[str, int]:
    sc = scenario()
    if plan.kind == "routes":
        kinds = Counter(s.kind for r in plan.routes for s in r.stops)
        return {"village": len(sc.villages), "route": len(plan.routes), "stop": kinds["collect"],
                "unload": kinds["unload"], "depot": len({r.depot_id for r in plan.routes}),
                "arrow": sum(len(r.stops) - 1 for r in plan.routes)}
    out = {"village": len(sc.villages), "site": len(plan.sites)}
    if plan.kind == "bases":
        out |= {"plant": len(sc.plants), "rail": len(sc.rail_stations)}
    return out


@pytest.mark.parametrize(("plan_fn", "layers"), [
    (network_plan, {"回收点 Collection points", "中转站 Transfer stations", "分拣中心 Sorting centres",
                    "分配连线 Assignments", "服务半径 Coverage circles"}),
    (routes_plan, {"收运线路 Vehicle routes", "收集站点 Collection stops", "卸货点 Unload stops", "车场 Depots"}),
    (bases_plan, {"循环利用基地 Recycling bases", "风电/光伏电站 Wind/PV plants (MW)", "铁路站点 Rail stations",
                  "运输流向 Flows to bases"}),
])
def test_map_renders_offline_with_layers_legend_and_all_markers(tmp_path, page_log, plan_fn, layers) -> None:
    plan = plan_fn()
    forecast = forecast_table() if plan.kind == "bases" else None
    files = write_report(scenario(), plan, tmp_path / plan.kind, checks=[], forecast=forecast)
    page, log = page_log
    open_map(page, files["map"])
    counts = feature_counts(page)
    labels = set(page.evaluate(LAYER_LABELS_JS))
    legend = page.inner_text("#hs-legend")
    kpi = page.inner_text("#hs-kpi")
    page.screenshot(path=str(tmp_path / f"{plan.kind}.png"))
    assert page.locator(".leaflet-control-scale").count() == 1
    page.goto(files["report_html"].resolve().as_uri(), wait_until="load")
    assert page.locator("#verdict").inner_text().startswith("✓")
    assert page.locator("img").count() >= 2
    assert log.console_errors == [] and log.page_errors == [] and log.failed == []
    assert log.network_requests == []
    assert layers <= labels
    assert "村 Villages" in labels and "县域示意 County sketch (示意图)" in labels
    assert "图例 Legend" in legend
    assert ("总成本 Total" in kpi) and f"{plan.costs_cny['total']:,.0f}" in kpi
    for kind, n in _expected(plan).items():
        assert counts.get(kind, 0) == n, (kind, counts)
    assert (tmp_path / f"{plan.kind}.png").stat().st_size > 10_000


def test_clustered_prefecture_map_counts_every_village(tmp_path, page_log) -> None:
    from maps.offline import save_map
    from maps.plan_map import CLUSTER_THRESHOLD, build_map
    from network import SettlementType, Village

    sc = scenario()
    base = sc.villages[0]
    n = CLUSTER_THRESHOLD * 3
    villages = tuple(Village(f"x{i}", f"村{i}", base.county_code, base.township_code, 93.0 + (i % 60) * 0.01,
                             42.5 + (i // 60) * 0.01, SettlementType.RURAL, 50, 150,
                             dict(base.generation_t_per_year)) for i in range(n))
    path = save_map(build_map(sc.with_changes(villages=villages), None), tmp_path / "many.html")
    page, log = page_log
    open_map(page, path)
    page.wait_for_function(f"HS.count({FIND_MAP_JS}).village === {n}",
                           timeout=20_000)
    clusters = page.locator(".marker-cluster").count()
    assert clusters > 0
    assert log.console_errors == [] and log.page_errors == [] and log.network_requests == []


def test_solved_network_plan_map_shows_three_tiers_assignments_and_kpis(tmp_path, page_log) -> None:
    from geodata.travel import CircuityTravelModel
    from network import Tier
    from network.network_params import NetworkParams
    from solver.check.design import check_network_plan
    from solver.design.solve import solve_network

    sc = scenario()
    sc = sc.with_changes(travel=CircuityTravelModel(), sites=tuple(s for s in sc.sites if s.tier.value != "recycling_base"))
    params = NetworkParams()
    plan = solve_network(sc, params=params, time_limit_s=10)
    checks = check_network_plan(sc, plan, params)
    assert checks == []
    files = write_report(sc, plan, tmp_path, checks=checks)
    page, log = page_log
    open_map(page, files["map"])
    counts = feature_counts(page)
    tiers = page.evaluate("['collection_point', 'transfer_station', 'sorting_centre']"
                          ".map(t => document.querySelectorAll('.hs-' + t).length)")
    page.screenshot(path=str(tmp_path / "network.png"))
    kpi = page.inner_text("#hs-kpi")
    assert log.console_errors == [] and log.page_errors == [] and log.network_requests == []
    assert counts["site"] == len(plan.sites) and counts["village"] == len(sc.villages)
    assert tiers == [len(plan.sites_of(Tier(t))) for t in ("collection_point", "transfer_station", "sorting_centre")]
    assert all(n >= 1 for n in tiers)
    assert counts["assignment"] >= 3  # village→point, point→station, station→centre legs
    assert f"{plan.costs_cny['total']:,.0f}" in kpi
