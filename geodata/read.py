"""Read and validate the user's villages, candidate sites and size levels.

``read_villages(path, crs=...)`` is ``parse_villages(read_table(path), source=path.name, crs=...)``,
so tests feed inline tables. Every problem in a file is collected (file, row,
field, what was expected, what was found) and raised once as ``InputError``.
Coordinates are converted from the declared CRS to WGS-84 here and nowhere
else, then checked (inside China, not swapped).

Villages columns
    required ``village_id, name, county_code, township_code, lon, lat, settlement, households``
    (``settlement``: ``urban``/``rural``/``farm_unit`` or 社区/村/连队);
    optional ``population`` (default households × 2.62, the 2020 national mean
    household size, marked generated), ``car_households`` (default 30 % of
    households, marked generated), and ``<stream>_t_per_year`` for
    ``general_recyclables``, ``appliances``, ``scrap_vehicles`` (default:
    ``geodata.generation`` rates, marked generated).
Sites columns
    required ``site_id, name, tier, lon, lat, county_code``; optional
    ``township_code``, ``status`` (candidate/existing/required/closed),
    ``outlet_kind``, ``shared_with_garbage_sorting`` (yes/no), ``size_levels``
    (names separated by ``;``).
Size levels columns
    ``name, tier, capacity_t_per_year, fixed_cost_cny_per_year, handling_cost_cny_per_t,
    floor_area_m2``; optional ``name_zh, source``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.crs import normalise_crs, to_wgs84
from geodata.generation import village_generation
from geodata.table import Rows, read_table
from network.demand import SettlementType, Village
from network.errors import InputError
from network.geo import coordinate_problem
from network.sites import DEFAULT_SIZE_LEVELS, CandidateSite, OutletKind, SiteStatus, SizeLevel, Tier
from network.streams import COLLECTION_STREAMS

VILLAGE_COLUMNS = ("village_id", "name", "county_code", "township_code", "lon", "lat", "settlement", "households")
SITE_COLUMNS = ("site_id", "name", "tier", "lon", "lat", "county_code")
LEVEL_COLUMNS = ("name", "tier", "capacity_t_per_year", "fixed_cost_cny_per_year", "handling_cost_cny_per_t",
                 "floor_area_m2")
DEFAULT_HOUSEHOLD_SIZE = 2.62
DEFAULT_CAR_SHARE = 0.30

_SETTLEMENT = {"urban": SettlementType.URBAN, "社区": SettlementType.URBAN, "community": SettlementType.URBAN,
               "rural": SettlementType.RURAL, "村": SettlementType.RURAL, "village": SettlementType.RURAL,
               "farm_unit": SettlementType.FARM_UNIT, "连队": SettlementType.FARM_UNIT}
_TIER = {**{t.value: t for t in Tier}, **{t.name_zh: t for t in Tier}, "交投点": Tier.COLLECTION_POINT}


def _coordinates(rows: Rows, records: list[tuple[int, dict[str, str]]], crs: str) -> dict[int, tuple[float, float]]:
    """Converted, checked WGS-84 coordinates per row (rows with problems left out)."""
    raw: dict[int, tuple[float, float]] = {}
    for row, rec in records:
        lon = rows.number(rec, row, "lon")
        lat = rows.number(rec, row, "lat")
        if lon is not None and lat is not None:
            raw[row] = (lon, lat)
    if not raw:
        return {}
    keys = list(raw)
    lons, lats = to_wgs84(np.array([raw[k][0] for k in keys]), np.array([raw[k][1] for k in keys]), crs,
                          source=rows.source)
    out = {}
    for key, lon, lat in zip(keys, lons, lats, strict=True):
        problem = coordinate_problem(float(lon), float(lat))
        if problem:
            rows.add(key, "lon/lat", f"{problem} (after converting from declared CRS {crs})"
                     if crs != "wgs84" else problem)
        else:
            out[key] = (round(float(lon), 7), round(float(lat), 7))
    return out


def _check_crs(crs: str, source: str) -> str:
    return normalise_crs(crs, source=source)


def parse_villages(table: pd.DataFrame, *, source: str = "villages", crs: str = "wgs84",
                   township_codes: Collection[str] | None = None,
                   county_codes: Collection[str] | None = None) -> tuple[Village, ...]:
    """Validate a villages table and build ``Village`` objects (WGS-84).

    Parameters
    ----------
    table
        Text columns as described in the module docstring.
    source
        File name for messages.
    crs
        Declared CRS of ``lon``/``lat``.
    township_codes, county_codes
        Known codes (from the region); a village naming another is an error.

    Raises
    ------
    InputError
        With every problem found, one per line.
    """
    crs = _check_crs(crs, source)
    rows = Rows(table, source)
    if not rows.require_columns(VILLAGE_COLUMNS):
        rows.problems.raise_if_any()
    records = list(rows.records())
    rows.duplicates("village_id", [(row, rec.get("village_id", "")) for row, rec in records])
    coords = _coordinates(rows, records, crs)
    villages = []
    for row, rec in records:
        vid = rows.text(rec, row, "village_id")
        name = rows.text(rec, row, "name", required=False) or vid
        county = rows.text(rec, row, "county_code")
        town = rows.text(rec, row, "township_code")
        if county and county_codes is not None and county not in county_codes:
            rows.add(row, "county_code", f"unknown county '{county}'; expected one of {_few(county_codes)}")
        if town and township_codes is not None and town not in township_codes:
            rows.add(row, "township_code", f"unknown township '{town}'; expected a township code of the region "
                                           f"such as {_few(township_codes)}")
        settlement_text = rec.get("settlement", "")
        settlement = _SETTLEMENT.get(settlement_text.lower()) or _SETTLEMENT.get(settlement_text)
        if settlement is None:
            rows.add(row, "settlement", f"expected urban, rural or farm_unit (社区/村/连队), got '{settlement_text}'")
        households = rows.number(rec, row, "households", minimum=0)
        generated: set[str] = set()
        population = rows.number(rec, row, "population", required=False, minimum=0)
        cars = rows.number(rec, row, "car_households", required=False, minimum=0)
        amounts = {s: rows.number(rec, row, f"{s.value}_t_per_year", required=False, minimum=0)
                   for s in COLLECTION_STREAMS}
        if households is None or settlement is None or row not in coords or not vid:
            continue
        if population is None:
            population = round(households * DEFAULT_HOUSEHOLD_SIZE, 1)
            generated.add("population")
        if cars is None:
            cars = households * DEFAULT_CAR_SHARE
        if any(v is None for v in amounts.values()):
            rates = village_generation(settlement, population=population, households=households, car_households=cars)
            for stream, value in amounts.items():
                if value is None:
                    amounts[stream] = round(rates[stream], 4)
            generated.add("generation_t_per_year")
        try:
            villages.append(Village(vid, name, county, town, *coords[row], settlement, households, population,
                                    amounts, frozenset(generated)))
        except InputError as exc:
            for problem in exc.problems:
                rows.add(row, None, problem)
    rows.problems.raise_if_any()
    return tuple(villages)


def parse_sites(table: pd.DataFrame, *, source: str = "sites", crs: str = "wgs84",
                county_codes: Collection[str] | None = None,
                size_levels: Iterable[SizeLevel] = DEFAULT_SIZE_LEVELS) -> tuple[CandidateSite, ...]:
    """Validate a candidate-sites table and build ``CandidateSite`` objects (WGS-84).

    Parameters
    ----------
    table
        Text columns as described in the module docstring.
    source
        File name for messages.
    crs
        Declared CRS of ``lon``/``lat``.
    county_codes
        Known county codes; a site naming another is an error.
    size_levels
        Levels a site's ``size_levels`` may name (per tier).

    Raises
    ------
    InputError
        With every problem found, one per line.
    """
    crs = _check_crs(crs, source)
    rows = Rows(table, source)
    if not rows.require_columns(SITE_COLUMNS):
        rows.problems.raise_if_any()
    records = list(rows.records())
    rows.duplicates("site_id", [(row, rec.get("site_id", "")) for row, rec in records])
    coords = _coordinates(rows, records, crs)
    levels = {(lv.tier, lv.name) for lv in size_levels}
    sites = []
    for row, rec in records:
        sid = rows.text(rec, row, "site_id")
        name = rows.text(rec, row, "name", required=False) or sid
        county = rows.text(rec, row, "county_code")
        if county and county_codes is not None and county not in county_codes:
            rows.add(row, "county_code", f"unknown county '{county}'; expected one of {_few(county_codes)}")
        tier = _TIER.get(rec.get("tier", ""))
        if tier is None:
            rows.add(row, "tier", f"expected one of {', '.join(t.value for t in Tier)} (or 回收点/中转站/分拣中心), "
                                  f"got '{rec.get('tier', '')}'")
        status_text = rec.get("status", "") or "candidate"
        try:
            status = SiteStatus(status_text.lower())
        except ValueError:
            rows.add(row, "status", f"expected one of {', '.join(s.value for s in SiteStatus)}, got '{status_text}'")
            status = None
        outlet_text = rec.get("outlet_kind", "") or "new"
        try:
            outlet = OutletKind(outlet_text.lower())
        except ValueError:
            rows.add(row, "outlet_kind", f"expected one of {', '.join(k.value for k in OutletKind)}, "
                                         f"got '{outlet_text}'")
            outlet = None
        shared = rows.boolean(rec, row, "shared_with_garbage_sorting")
        names = tuple(n.strip() for n in rec.get("size_levels", "").replace(",", ";").split(";") if n.strip())
        if tier is not None:
            for level in names:
                if (tier, level) not in levels:
                    known = sorted(n for t, n in levels if t is tier)
                    rows.add(row, "size_levels", f"unknown size level '{level}' for tier {tier.value}; expected "
                                                 f"one of {', '.join(known) or '(none defined)'}")
        if not sid or tier is None or status is None or outlet is None or row not in coords:
            continue
        try:
            sites.append(CandidateSite(sid, name, tier, *coords[row], county,
                                       rec.get("township_code") or None, status, outlet, shared, names))
        except InputError as exc:
            for problem in exc.problems:
                rows.add(row, None, problem)
    rows.problems.raise_if_any()
    return tuple(sites)


def parse_size_levels(table: pd.DataFrame, *, source: str = "size_levels") -> tuple[SizeLevel, ...]:
    """Validate a size-levels table (capacities and costs per tier).

    Raises
    ------
    InputError
        With every problem found (e.g. a negative capacity), one per line.
    """
    rows = Rows(table, source)
    if not rows.require_columns(LEVEL_COLUMNS):
        rows.problems.raise_if_any()
    records = list(rows.records())
    rows.duplicates("name", [(row, f"{rec.get('tier', '')}/{rec.get('name', '')}") for row, rec in records])
    out = []
    for row, rec in records:
        name = rows.text(rec, row, "name")
        tier = _TIER.get(rec.get("tier", ""))
        if tier is None:
            rows.add(row, "tier", f"expected one of {', '.join(t.value for t in Tier)}, got '{rec.get('tier', '')}'")
        capacity = rows.number(rec, row, "capacity_t_per_year", positive=True)
        numbers = [rows.number(rec, row, f, minimum=0) for f in LEVEL_COLUMNS[3:]]
        if not name or tier is None or capacity is None or any(v is None for v in numbers):
            continue
        out.append(SizeLevel(name, tier, capacity, *numbers, rec.get("name_zh", ""), rec.get("source", "")))
    rows.problems.raise_if_any()
    return tuple(out)


def read_villages(path: Path, *, crs: str = "wgs84", township_codes: Collection[str] | None = None,
                  county_codes: Collection[str] | None = None) -> tuple[Village, ...]:
    """Read villages from CSV, Excel or GeoPackage: ``parse_villages(read_table(path), source=path.name, ...)``.

    Raises
    ------
    InputError
        If the file cannot be read or any row is invalid (all problems at once).
    """
    path = Path(path)
    canonical = _check_crs(crs, path.name)
    return parse_villages(read_table(path, declared_crs=canonical), source=path.name, crs=crs,
                          township_codes=township_codes,
                          county_codes=county_codes)


def read_sites(path: Path, *, crs: str = "wgs84", county_codes: Collection[str] | None = None,
               size_levels: Iterable[SizeLevel] = DEFAULT_SIZE_LEVELS) -> tuple[CandidateSite, ...]:
    """Read candidate sites from CSV, Excel or GeoPackage: ``parse_sites(read_table(path), ...)``.

    Raises
    ------
    InputError
        If the file cannot be read or any row is invalid (all problems at once).
    """
    path = Path(path)
    canonical = _check_crs(crs, path.name)
    return parse_sites(read_table(path, declared_crs=canonical), source=path.name, crs=crs,
                       county_codes=county_codes,
                       size_levels=size_levels)


def read_size_levels(path: Path) -> tuple[SizeLevel, ...]:
    """Read size levels from CSV, Excel or GeoPackage.

    Raises
    ------
    InputError
        If the file cannot be read or any row is invalid.
    """
    path = Path(path)
    return parse_size_levels(read_table(path), source=path.name)


def _few(codes: Collection[str]) -> str:
    shown = sorted(codes)[:3]
    return ", ".join(shown) + (", …" if len(codes) > 3 else "")
