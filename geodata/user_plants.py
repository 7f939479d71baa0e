"""A user's own wind/PV plant list and candidate recycling-base sites, from CSV or Excel.

``read_plants`` / ``parse_plants`` read a plant list (columns ``USER_COLUMNS``)
with the bundled inventory's rules for missing commissioning years
(:mod:`geodata.plants`); ``merge_plants`` adds it to, or puts it in place of,
the bundled inventory. ``read_base_sites`` / ``parse_base_sites`` read
candidate base sites (columns ``BASE_SITE_COLUMNS``). Every bad cell is
reported with file, row and field, all at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from geodata.plants import STATUS_IMPUTED_YEAR, STATUSES, TECHNOLOGIES, WRI_IMPUTED_YEAR
from geodata.table import Rows, number_or_nan, read_table
from network.admin import Plant
from network.errors import InputError, ProblemCollector
from network.geo import coordinate_problem
from network.sites import CandidateSite, OutletKind, SiteStatus, Tier

# -- user plant lists -------------------------------------------------------------
USER_COLUMNS = ("plant_id", "name", "technology", "capacity_mw", "commissioning_year", "status",
                "lon", "lat", "county_code", "prefecture_code")
_REQUIRED = ("plant_id", "technology", "capacity_mw", "lon", "lat", "county_code")


def read_plants(path: Path) -> tuple[Plant, ...]:
    """Read a user's plant list from CSV or Excel (first sheet).

    Columns: ``plant_id``, ``technology`` (wind/solar), ``capacity_mw``, ``lon``, ``lat``
    (WGS-84), ``county_code`` (6 digits) are required; ``name``, ``commissioning_year``
    (blank: imputed by status as for GEM), ``status`` (default operating),
    ``prefecture_code`` (default the county code's first 4 digits) are optional.

    Raises
    ------
    InputError
        Naming file, row and field for every bad value, all at once.
    """
    path = Path(path)
    return parse_plants(read_table(path).drop(columns="_row"), source=path.name)


def parse_plants(table: pd.DataFrame, *, source: str) -> tuple[Plant, ...]:
    """Validate a plant table (see ``read_plants``); rows are numbered as a spreadsheet shows them.

    Raises
    ------
    InputError
        Naming ``source``, row and field for every bad value, all at once.
    """
    problems = ProblemCollector()
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise InputError(f"{source}: missing columns {', '.join(missing)}; expected columns "
                         f"{', '.join(USER_COLUMNS)}")
    unknown = [c for c in table.columns if c not in USER_COLUMNS]
    if unknown:
        problems.add(source, None, None, f"unknown columns {', '.join(map(str, unknown))}; expected "
                     f"some of {', '.join(USER_COLUMNS)}")
    plants: list[Plant] = []
    seen: dict[str, int] = {}
    for row, rec in Rows(table, source).records():

        def text(col: str, rec: dict[str, str] = rec) -> str:
            return rec.get(col, "")

        pid = text("plant_id")
        if not pid:
            problems.add(source, row, "plant_id", "expected a non-empty id, got ''")
        elif pid in seen:
            problems.add(source, row, "plant_id", f"duplicate id '{pid}' (first on row {seen[pid]})")
        else:
            seen[pid] = row
        tech = text("technology").lower()
        if tech not in TECHNOLOGIES:
            problems.add(source, row, "technology", f"expected wind or solar, got '{text('technology')}'")
        cap = number_or_nan(text("capacity_mw"))
        if not (math.isfinite(cap) and cap > 0):
            problems.add(source, row, "capacity_mw", f"expected a positive number of MW, got '{text('capacity_mw')}'")
        status = text("status").lower() or "operating"
        if status not in STATUSES:
            problems.add(source, row, "status", f"expected one of {', '.join(STATUSES)}, got '{status}'")
        year_text = text("commissioning_year")
        imputed = not year_text
        year = STATUS_IMPUTED_YEAR.get(status, WRI_IMPUTED_YEAR) if imputed else number_or_nan(year_text)
        if not imputed and not (math.isfinite(year) and year == int(year) and 1980 <= year <= 2060):
            problems.add(source, row, "commissioning_year", f"expected a year 1980–2060, got '{year_text}'")
        if imputed and status == "operating":
            problems.add(source, row, "commissioning_year",
                         "expected a year for an operating plant (only planned plants may leave it blank), got ''")
        lon, lat = number_or_nan(text("lon")), number_or_nan(text("lat"))
        coord = coordinate_problem(lon, lat)
        if coord:
            problems.add(source, row, "lon/lat", coord)
        county = text("county_code")
        if not re.fullmatch(r"\d{6}", county):
            problems.add(source, row, "county_code", f"expected a 6-digit county code, got '{county}'")
        pref = text("prefecture_code") or county[:4]
        if not re.fullmatch(r"\d{4}(\d{2})?", pref):
            problems.add(source, row, "prefecture_code", f"expected a 4-digit prefecture code, got '{pref}'")
        if problems:
            continue
        plants.append(Plant(plant_id=pid, name=text("name") or pid, technology=tech, capacity_mw=cap,
                            commissioning_year=int(year), status=status, lon=lon, lat=lat,
                            county_code=county, prefecture_code=pref[:4], source=f"user:{source}",
                            commissioning_year_imputed=imputed))
    problems.raise_if_any()
    return tuple(plants)


def merge_plants(bundled: Iterable[Plant], user: Iterable[Plant], *, replace: bool = False) -> tuple[Plant, ...]:
    """Combine the bundled inventory with a user's list.

    With ``replace`` the user's list is the whole inventory; otherwise it extends the
    bundled one, and a user row whose ``plant_id`` equals a bundled id replaces that row.
    """
    user = tuple(user)
    if replace:
        return user
    ids = {p.plant_id for p in user}
    return (*(p for p in bundled if p.plant_id not in ids), *user)


# -- user candidate base sites ------------------------------------------------------
BASE_SITE_COLUMNS = ("site_id", "name", "lon", "lat", "county_code", "status", "outlet_kind", "size_levels")


def read_base_sites(path: Path) -> tuple[CandidateSite, ...]:
    """Read a user's candidate recycling-base sites from CSV or Excel (first sheet).

    Columns: ``site_id``, ``lon``, ``lat`` (WGS-84), ``county_code`` are required;
    ``name``, ``status`` (candidate / existing / required / closed, default candidate),
    ``outlet_kind`` (e.g. industrial_park, rail_station; default new) and ``size_levels``
    (allowed level names separated by ``;``, empty = all) are optional.

    Raises
    ------
    InputError
        Naming file, row and field for every bad value, all at once.
    """
    path = Path(path)
    return parse_base_sites(read_table(path).drop(columns="_row"), source=path.name)


def parse_base_sites(table: pd.DataFrame, *, source: str) -> tuple[CandidateSite, ...]:
    """Validate a table of candidate base sites (see ``read_base_sites``).

    Raises
    ------
    InputError
        Naming ``source``, row and field for every bad value, all at once.
    """
    problems = ProblemCollector()
    missing = [c for c in ("site_id", "lon", "lat", "county_code") if c not in table.columns]
    if missing:
        raise InputError(f"{source}: missing columns {', '.join(missing)}; expected columns "
                         f"{', '.join(BASE_SITE_COLUMNS)}")
    unknown = [str(c) for c in table.columns if c not in BASE_SITE_COLUMNS]
    if unknown:
        problems.add(source, None, None, f"unknown columns {', '.join(unknown)}; expected some of "
                     f"{', '.join(BASE_SITE_COLUMNS)}")
    sites: list[CandidateSite] = []
    seen: dict[str, int] = {}
    for row, rec in Rows(table, source).records():

        def text(col: str, rec: dict[str, str] = rec) -> str:
            return rec.get(col, "")

        sid = text("site_id")
        if not sid:
            problems.add(source, row, "site_id", "expected a non-empty id, got ''")
        elif sid in seen:
            problems.add(source, row, "site_id", f"duplicate id '{sid}' (first on row {seen[sid]})")
        else:
            seen[sid] = row
        lon, lat = number_or_nan(text("lon")), number_or_nan(text("lat"))
        coord = coordinate_problem(lon, lat)
        if coord:
            problems.add(source, row, "lon/lat", coord)
        county = text("county_code")
        if not re.fullmatch(r"\d{6}", county):
            problems.add(source, row, "county_code", f"expected a 6-digit county code, got '{county}'")
        status_text = text("status").lower() or "candidate"
        try:
            status = SiteStatus(status_text)
        except ValueError:
            problems.add(source, row, "status", f"expected one of {', '.join(s.value for s in SiteStatus)}, "
                         f"got '{status_text}'")
            status = SiteStatus.CANDIDATE
        kind_text = text("outlet_kind").lower() or "new"
        try:
            kind = OutletKind(kind_text)
        except ValueError:
            problems.add(source, row, "outlet_kind", f"expected one of {', '.join(k.value for k in OutletKind)}, "
                         f"got '{kind_text}'")
            kind = OutletKind.NEW
        levels = tuple(x.strip() for x in text("size_levels").split(";") if x.strip())
        if problems:
            continue
        sites.append(CandidateSite(sid, text("name") or sid, Tier.RECYCLING_BASE, lon, lat, county,
                                   status=status, outlet_kind=kind, size_levels=levels))
    problems.raise_if_any()
    return tuple(sites)
