"""Maps: offline page, layers, GCJ-02 display shift, symbols, panels (no browser needed)."""

from __future__ import annotations

import json
import math
import re

import folium
import prcoords
import pytest

from maps.coords import DisplayFrame
from maps.jslayer import DataLayer
from maps.layers_extra import _screen_angle_deg, route_items
from maps.layers_network import coverage_limit_km, village_items
from maps.lookup import place_index
from maps.offline import VENDORED_ASSETS, save_map
from maps.plan_map import CLUSTER_THRESHOLD, build_map
from network import InputError, SettlementType, Village
from tests.maps.fixtures import bases_plan, network_plan, routes_plan, scenario

RESOURCE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(https?:)?//""", re.I)


def _layers(fmap) -> list[DataLayer]:
    return [c for c in fmap._children.values() if isinstance(c, DataLayer)]


def _items_of_kind(fmap, kind: str) -> list[dict]:
    return [item for layer in _layers(fmap) for item in layer.items if item.get("kind") == kind]


def _metres(a: list[float], b: list[float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians(a[0]))
    return 6_371_000 * math.hypot(dlat, dlon)


def test_offline_map_references_no_remote_resource(tmp_path) -> None:
    path = save_map(build_map(scenario(), network_plan()), tmp_path / "map.html")
    html = path.read_text(encoding="utf-8")
    assert RESOURCE.search(html) is None
    assert "cdn.jsdelivr" not in html and "code.jquery" not in html and "bootstrapcdn" not in html
    assert 'version="1.9.4"' in html  # Leaflet inlined
    assert "MarkerClusterGroup" in html
    for name, _licence, _upstream in VENDORED_ASSETS:
        assert f"/* {name} */" in html


def test_gaode_shifts_every_overlay_to_gcj02_and_osm_tianditu_do_not() -> None:
    sc, plan = scenario(), network_plan()
    cp1 = next(s for s in sc.sites if s.site_id == "cp1")
    expected = prcoords.wgs_gcj((cp1.lat, cp1.lon), check_china=True)  # reference implementation

    def cp1_position(fmap) -> list[float]:
        (item,) = [i for i in _items_of_kind(fmap, "site") if "cp1" in i["popup"]]
        return item["ll"]

    gaode = build_map(sc, plan, basemap="gaode")
    shifted = cp1_position(gaode)
    assert shifted == pytest.approx([expected.lat, expected.lon], abs=2e-6)
    assert 100 < _metres([cp1.lat, cp1.lon], shifted) < 1000  # the GCJ-02 offset in Xinjiang is a few hundred m
    html = gaode.get_root().render()
    assert f"[{shifted[0]},{shifted[1]}]" in html
    assert f"[{round(cp1.lat, 6)},{round(cp1.lon, 6)}]" not in html
    for basemap, key in (("osm", None), ("tianditu", "test-key")):
        assert cp1_position(build_map(sc, plan, basemap=basemap, tianditu_key=key)) == [cp1.lat, cp1.lon]
    # villages, lines and circles move too
    village = sc.villages[0]
    vll = next(i["ll"] for i in _items_of_kind(gaode, "village") if village.village_id in i["popup"])
    ref = prcoords.wgs_gcj((village.lat, village.lon), check_china=True)
    assert vll == pytest.approx([ref.lat, ref.lon], abs=2e-6)
    segments = [seg for item in _items_of_kind(gaode, "assignment") for seg in item["ll"]]
    assert [vll, shifted] in segments


def test_display_frame_rejects_unknown_basemap_and_tianditu_needs_a_key() -> None:
    with pytest.raises(InputError, match="'basemap': expected one of none, osm, gaode, tianditu, got 'google'"):
        DisplayFrame("google")
    with pytest.raises(InputError, match="tianditu_key"):
        build_map(scenario(), network_plan(), basemap="tianditu")


def test_network_map_has_tier_layers_legend_kpis_and_one_marker_per_site_and_village() -> None:
    sc, plan = scenario(), network_plan()
    fmap = build_map(sc, plan)
    html = fmap.get_root().render()
    groups = {c.layer_name for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)}
    assert {"回收点 Collection points", "中转站 Transfer stations", "分拣中心 Sorting centres",
            "分配连线 Assignments", "村 Villages", "服务半径 Coverage circles",
            "县域示意 County sketch (示意图)"} <= groups
    assert 'id="hs-legend"' in html and 'id="hs-kpi"' in html and "L.control.scale" in html
    assert "2,082,461" in html  # total cost in the KPI panel
    assert "100.0 %" in html  # coverage share as percent
    assert "示意图" in html
    assert len(_items_of_kind(fmap, "site")) == len(plan.sites)
    assert len(_items_of_kind(fmap, "village")) == len(sc.villages)
    # three tiers have three distinct shapes
    shapes = {re.search(r"<(circle|rect|polygon)", i["icon"]).group(1) + i["cls"] for i in _items_of_kind(fmap, "site")}
    assert len({s.split("hs-site")[0] for s in shapes}) == 3
    # coverage radius is the plan's coverage limit (params max_village_km = 20 km)
    assert coverage_limit_km(plan) == 20.0
    assert {c["m"] for c in _items_of_kind(fmap, "coverage")} == {20_000}


def test_popups_are_bilingual_with_throughput_capacity_and_assignment() -> None:
    sc, plan = scenario(), network_plan()
    fmap = build_map(sc, plan)
    cp2 = next(i for i in _items_of_kind(fmap, "site") if "cp2" in i["popup"])["popup"]
    assert "处理量/能力 Throughput / capacity: 41 / 500 t/yr (8 %)" in cp2
    assert "服务对象 Serves: 4" in cp2 and "两网融合" in cp2
    v12 = next(i for i in _items_of_kind(fmap, "village") if ">v12<" in i["popup"])["popup"]
    assert "以车代库 mobile" in v12 and "伊州中转站" in v12 and "16.0 km" in v12


def test_generated_locations_look_generated() -> None:
    sc = scenario()
    items = village_items(sc, network_plan(), DisplayFrame(), place_index(sc))
    flat = [i for group in items.values() for i in group]
    generated = {v.village_id for v in sc.villages if "lon" in v.generated_fields}
    for item in flat:
        vid = re.search(r"<small>(v\d+)</small>", item["popup"]).group(1)
        assert (item["style"]["fo"] == 0.0 and item["style"].get("d")) if vid in generated else item["style"]["fo"] > 0
    fmap = build_map(sc, network_plan())
    cp3 = next(i for i in _items_of_kind(fmap, "site") if "cp3" in i["popup"])
    assert 'stroke-dasharray="3 2"' in cp3["icon"] and 'fill-opacity="0.3"' in cp3["icon"]
    assert "Generated location" in fmap.get_root().render()


def test_routes_have_one_colour_each_arrows_per_leg_and_marked_unloads() -> None:
    sc, plan = scenario(), routes_plan()
    parts = route_items(plan, DisplayFrame(), place_index(sc))
    assert len(parts["lines"]) == 2 and len({line["style"]["c"] for line in parts["lines"]}) == 2
    legs = sum(len(r.stops) - 1 for r in plan.routes)
    assert len(parts["arrows"]) == legs
    assert len(parts["stops"]) == sum(1 for r in plan.routes for s in r.stops if s.kind == "collect")
    assert len(parts["unloads"]) == 1 and "卸" in parts["unloads"][0]["icon"]
    assert len(parts["depots"]) == 1
    # screen angle: east = 0°, north = -90° (CSS rotation is clockwise)
    assert _screen_angle_deg([42.0, 93.0], [42.0, 94.0]) == pytest.approx(0.0)
    assert _screen_angle_deg([42.0, 93.0], [43.0, 93.0]) == pytest.approx(-90.0)


def test_bases_map_draws_plants_by_mw_bases_with_year_and_rail() -> None:
    sc, plan = scenario(), bases_plan()
    fmap = build_map(sc, plan)
    plants = _items_of_kind(fmap, "plant")
    assert len(plants) == len(sc.plants)
    radius = {p["tip"].split()[0]: p["style"]["r"] for p in plants}
    assert radius["三塘湖风电"] > radius["烟墩风电"] > radius["哈密光伏"]  # 200 > 49.5 > 20 MW
    (base,) = _items_of_kind(fmap, "site")
    assert ">2030<" in base["icon"] and "开放年份 Opens: 2030" in base["popup"]
    assert len(_items_of_kind(fmap, "rail")) == len(sc.rail_stations)
    flows = _items_of_kind(fmap, "flow")
    assert {("rail" if f["style"]["d"] else "road") for f in flows} == {"road", "rail"}


def test_thousands_of_villages_are_clustered() -> None:
    sc = scenario()
    base = sc.villages[0]
    many = tuple(Village(f"x{i}", f"村{i}", base.county_code, base.township_code, 93.0 + (i % 50) * 0.01,
                         42.5 + (i // 50) * 0.01, SettlementType.RURAL, 50, 150, dict(base.generation_t_per_year))
                 for i in range(CLUSTER_THRESHOLD + 1))
    fmap = build_map(sc.with_changes(villages=many), None)
    (layer,) = [lay for lay in _layers(fmap) if lay.items and lay.items[0]["kind"] == "village"]
    assert layer.cluster and len(layer.items) == CLUSTER_THRESHOLD + 1
    assert not any(lay.cluster for lay in _layers(build_map(sc, network_plan())))


def test_payload_cannot_close_the_script_tag() -> None:
    sc = scenario()
    v = sc.villages[0]
    evil = Village(v.village_id, "</script><b>x", v.county_code, v.township_code, v.lon, v.lat, v.settlement,
                   v.households, v.population, dict(v.generation_t_per_year))
    html = build_map(sc.with_changes(villages=(evil, *sc.villages[1:])), None).get_root().render()
    assert "</script><b>x" not in html
    payloads = re.findall(r"HS\.points\([^,]+, (\[.*?\]), (?:true|false)\);", html)
    assert all(json.loads(p.replace("<\\/", "</")) for p in payloads)


def test_weekly_routes_get_one_layer_per_day_with_the_first_day_shown() -> None:
    import dataclasses

    plan = routes_plan()
    r1, r2 = plan.routes
    weekly = dataclasses.replace(plan, routes=(dataclasses.replace(r1, day=1), dataclasses.replace(r2, day=4)))
    fmap = build_map(scenario(), weekly)
    groups = {c.layer_name: c.show for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)}
    day1, day4 = "收运线路 Routes 第1天 day 1", "收运线路 Routes 第4天 day 4"
    assert groups[day1] is True and groups[day4] is False
    by_group = {}
    for layer in _layers(fmap):
        by_group.setdefault(layer.group_name, []).extend(i["kind"] for i in layer.items)
    kinds_day1 = next(v for k, v in by_group.items() if fmap._children[k].layer_name == day1)
    assert sorted(set(kinds_day1)) == ["arrow", "route", "stop", "unload"]
    assert len(_items_of_kind(fmap, "route")) == 2 and len(_items_of_kind(fmap, "depot")) == 1
    assert "day 4" in next(i["tip"] for i in _items_of_kind(fmap, "route") if "r2" in i["tip"])


def test_unserved_villages_are_ringed_red_with_the_reason() -> None:
    import dataclasses

    from network import Unserved

    plan = dataclasses.replace(network_plan(), unserved=(Unserved("v7", "no point within 20 km"),))
    fmap = build_map(scenario(), plan)
    v7 = next(i for i in _items_of_kind(fmap, "village") if ">v7<" in i["popup"])
    assert v7["style"]["c"] == "#d50000" and "no point within 20 km" in v7["popup"]
    assert "Unserved village" in fmap.get_root().render()


def test_ids_missing_from_the_scenario_are_logged_not_drawn(caplog) -> None:
    import dataclasses

    from network import Assignment

    plan = network_plan()
    plan = dataclasses.replace(plan, assignments=(*plan.assignments, Assignment("ghost", "cp1", 1.0, "site", 1.0)))
    with caplog.at_level("WARNING", logger="huishou.maps"):
        fmap = build_map(scenario(), plan)
    assert "1 id(s) of the network plan are not in scenario" in caplog.text and "ghost" in caplog.text
    assert len(_items_of_kind(fmap, "site")) == len(plan.sites)
