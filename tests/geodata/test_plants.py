"""Plant inventory: bundled GEM/WRI/OSM rules and user plant lists."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata.plants import PV_MW_PER_KM2, load_plants, parse_output_mw, plant_inventory
from geodata.user_plants import merge_plants, parse_plants, read_plants
from network.errors import InputError


def test_hami_inventory_matches_the_bundled_counts() -> None:
    inv = plant_inventory(["6505"], statuses=("operating",))
    wind = [p for p in inv.plants if p.technology == "wind"]
    # SOURCES.md: Hami has 95 operating GEM phases = 9.95 GW.
    assert len(wind) == 95
    assert sum(p.capacity_mw for p in wind) == pytest.approx(9950, rel=0.01)
    assert all(p.prefecture_code == "6505" and p.county_code.startswith("6505") for p in inv.plants)
    assert {p.technology for p in inv.plants} == {"wind", "solar"}


def test_six_digit_codes_equal_four_digit_codes() -> None:
    assert load_plants(["650500"]) == load_plants(["6505"])


def test_bad_prefecture_code_and_status_are_rejected() -> None:
    with pytest.raises(InputError, match="expected 4 digits"):
        load_plants(["65"])
    with pytest.raises(InputError, match="expected some of"):
        load_plants(["6505"], statuses=("running",))
    with pytest.raises(InputError, match="no bundled plant data"):
        load_plants(["4401"])


def test_wolongdong_row_in_guangdong_is_excluded_and_listed() -> None:
    inv = plant_inventory(["1406"])
    names = [e.name for e in inv.excluded if e.reason == "coord_outside_labelled_province"]
    assert any("卧龙洞" in n or "Wolongdong" in n for n in names)
    assert all(p.lat > 34 for p in inv.plants)
    # SOURCES.md: 5 Shanxi rows have coordinates outside Shanxi; all are listed.
    assert len(names) == 5


def test_wri_wind_duplicates_keep_gem_and_flag_it() -> None:
    inv = plant_inventory(["6505", "6501", "6523"])
    assert all(p.source != "wri" or p.technology == "solar" for p in inv.plants)
    dups = [e for e in inv.excluded if e.reason.startswith("duplicate_of_gem:")]
    assert dups
    gem_ids = {p.plant_id for p in inv.plants if any(f.startswith("wri_match:") for f in p.flags)}
    assert {e.reason.split(":", 1)[1] for e in dups} <= gem_ids


def test_missing_years_are_imputed_and_marked() -> None:
    inv = plant_inventory(["1501", "1525"], statuses=("operating", "construction", "announced"))
    for plant in inv.plants:
        if plant.source == "gem" and plant.status == "announced":
            assert plant.commissioning_year_imputed and plant.commissioning_year == 2027
        if plant.source in ("wri", "osm"):
            assert plant.commissioning_year_imputed
    # The operating Wuchuan phase has no start year in GEM: median of Hohhot's operating phases.
    imputed_operating = [p for p in inv.plants if p.status == "operating" and p.source == "gem"
                         and p.commissioning_year_imputed]
    assert imputed_operating
    assert all(2005 <= p.commissioning_year <= 2023 for p in imputed_operating)


def test_osm_capacity_from_tag_or_area() -> None:
    assert parse_output_mw("100 MW") == 100.0
    assert parse_output_mw("3.5 GW") == 3500.0
    assert parse_output_mw("yes") is None
    assert parse_output_mw(None) is None
    osm = [p for p in load_plants(["1402"]) if p.source == "osm"]
    panda = [p for p in osm if p.name == "熊猫电站"]
    assert panda and panda[0].capacity_mw == 100.0
    from_area = [p for p in osm if "capacity_from_area" in p.flags]
    assert from_area and all(p.capacity_mw > 0 for p in from_area)
    assert PV_MW_PER_KM2 == 34.0


def test_read_plants_csv_and_merge(tmp_path) -> None:
    path = tmp_path / "plants.csv"
    path.write_text("plant_id,name,technology,capacity_mw,commissioning_year,status,lon,lat,county_code\n"
                    "P1,一号风场,wind,99,2012,operating,93.5,42.8,650502\n"
                    "P2,,solar,20,,construction,93.6,42.9,650502\n", encoding="utf-8")
    plants = read_plants(path)
    assert [p.plant_id for p in plants] == ["P1", "P2"]
    assert plants[0].prefecture_code == "6505" and plants[0].commissioning_year == 2012
    assert plants[1].commissioning_year_imputed and plants[1].commissioning_year == 2024
    bundled = load_plants(["6505"])
    merged = merge_plants(bundled, plants)
    assert len(merged) == len(bundled) + 2
    assert merge_plants(bundled, plants, replace=True) == plants


def test_parse_plants_reports_every_bad_field_with_row() -> None:
    table = pd.DataFrame({
        "plant_id": ["A", "A", ""], "technology": ["wind", "coal", "solar"],
        "capacity_mw": ["10", "-5", "x"], "commissioning_year": ["2010", "1850", ""],
        "lon": ["93.5", "42.8", "93.5"], "lat": ["42.8", "93.5", "42.8"],
        "county_code": ["650502", "6505", "650502"]})
    with pytest.raises(InputError) as info:
        parse_plants(table, source="mine.csv")
    text = str(info.value)
    for expected in ("mine.csv row 3, field 'plant_id': duplicate id 'A'",
                     "mine.csv row 3, field 'technology': expected wind or solar, got 'coal'",
                     "mine.csv row 3, field 'capacity_mw'",
                     "mine.csv row 3, field 'commissioning_year'",
                     "mine.csv row 3, field 'lon/lat'",
                     "looks swapped",
                     "mine.csv row 3, field 'county_code'",
                     "mine.csv row 4, field 'plant_id'",
                     "mine.csv row 4, field 'capacity_mw'",
                     "mine.csv row 4, field 'commissioning_year'"):
        assert expected in text


def test_parse_plants_missing_column() -> None:
    with pytest.raises(InputError, match="missing columns capacity_mw"):
        parse_plants(pd.DataFrame({"plant_id": ["A"], "technology": ["wind"], "lon": [93.0],
                                   "lat": [42.0], "county_code": ["650502"]}), source="x.csv")


def test_read_base_sites_and_errors(tmp_path) -> None:
    from geodata.user_plants import parse_base_sites, read_base_sites
    from network.sites import SiteStatus, Tier

    path = tmp_path / "bases.csv"
    path.write_text("site_id,name,lon,lat,county_code,status,outlet_kind,size_levels\n"
                    "my1,哈密园区,93.6,42.9,650502,required,industrial_park,small;medium\n", encoding="utf-8")
    (site,) = read_base_sites(path)
    assert site.tier is Tier.RECYCLING_BASE and site.status is SiteStatus.REQUIRED
    assert site.size_levels == ("small", "medium")
    table = pd.DataFrame({"site_id": ["a", "a"], "lon": ["93.6", "200"], "lat": ["42.9", "42.9"],
                          "county_code": ["650502", "x"], "status": ["open", ""]})
    with pytest.raises(InputError) as info:
        parse_base_sites(table, source="b.csv")
    text = str(info.value)
    assert "b.csv row 2, field 'status': expected one of" in text
    assert "b.csv row 3, field 'site_id': duplicate id 'a'" in text
    assert "b.csv row 3, field 'lon/lat'" in text
    assert "b.csv row 3, field 'county_code'" in text
