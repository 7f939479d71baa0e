"""Readers: one table-driven test per kind of bad input, each naming file, row and field."""

from pathlib import Path

import pandas as pd
import pytest

from geodata.read import parse_sites, parse_size_levels, parse_villages, read_sites, read_villages
from network.demand import SettlementType
from network.errors import InputError
from network.sites import SiteStatus, Tier

V_HEADER = ["village_id", "name", "county_code", "township_code", "lon", "lat", "settlement", "households"]
GOOD_V = [["v1", "甲村", "650502", "650502100", "93.50", "42.80", "rural", "120"],
          ["v2", "乙社区", "650502", "650502100", "93.51", "42.81", "urban", "300"]]
S_HEADER = ["site_id", "name", "tier", "lon", "lat", "county_code", "status", "size_levels"]
GOOD_S = [["cp1", "供销社", "collection_point", "93.50", "42.80", "650502", "existing", "kiosk"],
          ["ts1", "中转站", "中转站", "93.52", "42.82", "650502", "", ""]]
L_HEADER = ["name", "tier", "capacity_t_per_year", "fixed_cost_cny_per_year", "handling_cost_cny_per_t",
            "floor_area_m2"]
TOWNS, COUNTIES = {"650502100"}, {"650502"}


def _villages(rows: list[list[str]], header: list[str] = V_HEADER, **kw) -> tuple:
    return parse_villages(pd.DataFrame(rows, columns=header), source="villages.csv",
                          township_codes=TOWNS, county_codes=COUNTIES, **kw)


def _sites(rows: list[list[str]], header: list[str] = S_HEADER, **kw) -> tuple:
    return parse_sites(pd.DataFrame(rows, columns=header), source="sites.csv", county_codes=COUNTIES, **kw)


def _with(rows: list[list[str]], row: int, col: int, value: str) -> list[list[str]]:
    out = [list(r) for r in rows]
    out[row][col] = value
    return out


# (case, parse call, expected text in the message: file, row, field)
BAD = [
    ("missing id", lambda: _villages(_with(GOOD_V, 1, 0, "")), "villages.csv row 3, field 'village_id'"),
    ("duplicate id", lambda: _villages(_with(GOOD_V, 1, 0, "v1")),
     "villages.csv row 3, field 'village_id': duplicate id 'v1' (also on row 2)"),
    ("unknown township", lambda: _villages(_with(GOOD_V, 0, 3, "650502999")),
     "villages.csv row 2, field 'township_code': unknown township '650502999'"),
    ("unknown county", lambda: _villages(_with(GOOD_V, 1, 2, "140213")),
     "villages.csv row 3, field 'county_code': unknown county '140213'"),
    ("outside China", lambda: _villages(_with(_with(GOOD_V, 0, 4, "2.35"), 0, 5, "48.86")),
     "villages.csv row 2, field 'lon/lat': lon=2.35, lat=48.86 is outside China"),
    ("swapped lon/lat", lambda: _villages(_with(_with(GOOD_V, 1, 4, "42.81"), 1, 5, "93.51")),
     "villages.csv row 3, field 'lon/lat': lon=42.81, lat=93.51 looks swapped"),
    ("unknown CRS", lambda: _villages(GOOD_V, crs="mars-2"), "villages.csv, field 'crs'"),
    ("non-numeric field", lambda: _villages(_with(GOOD_V, 0, 7, "many")),
     "villages.csv row 2, field 'households': expected a number, got 'many'"),
    ("negative households", lambda: _villages(_with(GOOD_V, 1, 7, "-3")),
     "villages.csv row 3, field 'households': expected a number >= 0, got '-3'"),
    ("bad settlement", lambda: _villages(_with(GOOD_V, 0, 6, "city")),
     "villages.csv row 2, field 'settlement': expected urban, rural or farm_unit"),
    ("missing column", lambda: _villages([r[:-1] for r in GOOD_V], header=V_HEADER[:-1]),
     "villages.csv row 1, field 'households': missing column"),
    ("empty table", lambda: _villages([], header=V_HEADER), "villages.csv row 2: expected at least one data row"),
    ("empty coordinate", lambda: _villages(_with(GOOD_V, 0, 5, "")),
     "villages.csv row 2, field 'lat': expected a number, got an empty cell"),
    ("unknown tier", lambda: _sites(_with(GOOD_S, 1, 2, "warehouse")),
     "sites.csv row 3, field 'tier': expected one of collection_point"),
    ("unknown status", lambda: _sites(_with(GOOD_S, 0, 6, "planned")),
     "sites.csv row 2, field 'status': expected one of candidate, existing, required, closed, got 'planned'"),
    ("bad size level", lambda: _sites(_with(GOOD_S, 0, 7, "huge")),
     "sites.csv row 2, field 'size_levels': unknown size level 'huge' for tier collection_point"),
    ("duplicate site id", lambda: _sites(_with(GOOD_S, 1, 0, "cp1")),
     "sites.csv row 3, field 'site_id': duplicate id 'cp1'"),
    ("bad boolean", lambda: _sites([r + ["maybe"] for r in GOOD_S], header=[*S_HEADER, "shared_with_garbage_sorting"]),
     "sites.csv row 2, field 'shared_with_garbage_sorting': expected yes/no"),
    ("negative capacity", lambda: parse_size_levels(pd.DataFrame(
        [["kiosk", "collection_point", "-5", "15000", "30", "20"]], columns=L_HEADER), source="levels.csv"),
     "levels.csv row 2, field 'capacity_t_per_year': expected a positive number, got '-5'"),
    ("negative cost", lambda: parse_size_levels(pd.DataFrame(
        [["kiosk", "collection_point", "150", "-1", "30", "20"]], columns=L_HEADER), source="levels.csv"),
     "levels.csv row 2, field 'fixed_cost_cny_per_year': expected a number >= 0, got '-1'"),
]


@pytest.mark.parametrize(("case", "call", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_file_row_and_field(case: str, call, expected: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert expected in str(info.value), f"{case}: {info.value}"


def test_all_problems_are_collected_and_raised_once() -> None:
    rows = _with(_with(_with(GOOD_V, 0, 7, "x"), 1, 3, "999"), 1, 6, "town")
    with pytest.raises(InputError) as info:
        _villages(rows)
    assert len(info.value.problems) == 3
    assert {p.split(",")[0] for p in info.value.problems} == {"villages.csv row 2", "villages.csv row 3"}


def test_good_villages_parse_with_defaults_marked_generated() -> None:
    v1, v2 = _villages(GOOD_V)
    assert v1.settlement is SettlementType.RURAL and v2.settlement is SettlementType.URBAN
    assert v1.population == pytest.approx(120 * 2.62)
    assert {"population", "generation_t_per_year"} <= v1.generated_fields
    # rural 36 kg/person/yr of general recyclables
    assert v1.generation_t_per_year["general_recyclables"] == pytest.approx(120 * 2.62 * 36 / 1000, rel=1e-3)


def test_given_generation_is_kept_and_not_marked() -> None:
    header = [*V_HEADER, "population", "general_recyclables_t_per_year", "appliances_t_per_year",
              "scrap_vehicles_t_per_year"]
    (v,) = _villages([GOOD_V[0] + ["300", "10", "1.5", "0.2"]], header=header)
    assert v.total_t_per_year == pytest.approx(11.7)
    assert v.generated_fields == frozenset()


def test_good_sites_parse() -> None:
    cp, ts = _sites(GOOD_S)
    assert cp.status is SiteStatus.EXISTING and cp.size_levels == ("kiosk",)
    assert ts.tier is Tier.TRANSFER_STATION and ts.status is SiteStatus.CANDIDATE


def test_gcj02_file_is_converted_to_wgs84(tmp_path: Path) -> None:
    path = tmp_path / "villages.csv"
    pd.DataFrame(GOOD_V, columns=V_HEADER).to_csv(path, index=False)
    wgs = read_villages(path)
    gcj = read_villages(path, crs="gcj02")
    assert wgs[0].lon == pytest.approx(93.50) and gcj[0].lon != pytest.approx(93.50, abs=1e-4)


def test_excel_and_geopackage_read_with_row_numbers(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    frame = pd.DataFrame(_with(GOOD_S, 1, 6, "planned"), columns=S_HEADER)
    xlsx = tmp_path / "sites.xlsx"
    frame.to_excel(xlsx, index=False)
    with pytest.raises(InputError, match=r"sites\.xlsx row 3, field 'status'"):
        read_sites(xlsx)
    gdf = gpd.GeoDataFrame(pd.DataFrame(GOOD_S, columns=S_HEADER).drop(columns=["lon", "lat"]),
                           geometry=[Point(93.50, 42.80), Point(93.52, 42.82)], crs="EPSG:4326")
    gpkg = tmp_path / "sites.gpkg"
    gdf.to_file(gpkg, driver="GPKG")
    sites = read_sites(gpkg)
    assert [s.site_id for s in sites] == ["cp1", "ts1"] and sites[1].lat == pytest.approx(42.82)


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("empty.csv", "", "empty.csv row 1: the file is empty"),
    ("header_only.csv", ",".join(V_HEADER) + "\n", "header_only.csv row 2: expected at least one data row"),
    ("villages.json", "{}", "villages.json: expected a file ending in"),
])
def test_unreadable_files(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_villages(path)
    assert expected in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.csv: file not found"):
        read_villages(tmp_path / "nope.csv")


def test_geopackage_in_a_projected_crs_is_reprojected(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame(pd.DataFrame(GOOD_S, columns=S_HEADER).drop(columns=["lon", "lat"]),
                           geometry=[Point(113.30, 40.09), Point(113.32, 40.10)], crs="EPSG:4326").to_crs(4547)
    path = tmp_path / "sites_gk.gpkg"
    gdf.to_file(path, driver="GPKG")
    sites = read_sites(path)  # default declaration: use the layer's own CRS
    assert sites[0].lon == pytest.approx(113.30, abs=1e-7) and sites[0].lat == pytest.approx(40.09, abs=1e-7)
