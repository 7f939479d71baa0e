"""Candidate recycling-base sites and forecast sources for ``solver.bases.solve``.

Candidates (rule, documented in ``docs/bases.md``): every county seat (县城) of the
region (generated candidates closer than ``min_separation_km`` to a kept one are dropped); for each county, the railway station nearest its seat if it is within
``station_radius_km`` (great-circle) of the seat and more than 2 km from it (铁路站点:
rail access for the base); and every development zone or industrial park (开发区/园区)
township (工业园区; its seat is usually a generated point, marked in ``generated_fields``). A user's own
candidates (``geodata.user_plants.read_base_sites``) are added to these.

Sources: the retirements of a county are shipped from the capacity-weighted centroid
of its plants (the county seat when the scenario has none of its plants).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from network.admin import County, Plant, RailStation, Township
from network.errors import InputError
from network.geo import GeoPoint
from network.sites import CandidateSite, OutletKind, Tier

_PARK_KINDS = ("zone_开发区园区", "开发区园区", "industrial_park")


def _gc_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def base_candidates(counties: Sequence[County], rail_stations: Sequence[RailStation] = (),
                    townships: Sequence[Township] = (), *, station_radius_km: float = 30.0,
                    min_separation_km: float = 10.0,
                    extra: Iterable[CandidateSite] = ()) -> tuple[CandidateSite, ...]:
    """Candidate recycling-base sites near county seats, rail stations and industrial parks.

    Parameters
    ----------
    counties
        Counties of the region (their seats are candidates).
    rail_stations
        Railway stations; per county the one nearest the seat within ``station_radius_km``.
    townships
        Townships; development zones / industrial parks with a real seat are candidates.
    station_radius_km
        Great-circle radius around a county seat in which a station is taken, km.
    min_separation_km
        Generated candidates closer than this (great-circle km) to one kept before are
        dropped, keeping rail stations first, then county seats, then parks (near-duplicate
        sites only slow the solver). The user's own candidates are always kept.
    extra
        The user's own candidates (any tier other than recycling_base is rejected).

    Raises
    ------
    InputError
        If an extra candidate is not of tier recycling_base or repeats an id.
    """
    sites: list[CandidateSite] = []
    for county in counties:
        sites.append(CandidateSite(
            f"base-seat-{county.code}", f"{county.name}县城 county seat", Tier.RECYCLING_BASE,
            county.seat_lon, county.seat_lat, county.code, outlet_kind=OutletKind.COUNTY_SEAT,
            generated_fields=frozenset({"lon", "lat"}) if county.seat_generated else frozenset()))
        best: tuple[float, RailStation] | None = None
        for station in rail_stations:
            if station.county_code != county.code:
                continue
            km = _gc_km(county.seat_lon, county.seat_lat, station.lon, station.lat)
            if km <= station_radius_km and (best is None or km < best[0]):
                best = (km, station)
        if best is not None and best[0] > 2.0:
            st = best[1]
            label = (f"{county.name}火车站 rail station" if st.name.startswith("未命名") or not st.name
                     else f"{st.name}站 station")
            sites.append(CandidateSite(
                f"base-rail-{st.station_id}", label, Tier.RECYCLING_BASE, st.lon, st.lat,
                county.code, outlet_kind=OutletKind.RAIL_STATION))
    county_codes = {c.code for c in counties}
    for town in townships:
        if town.kind in _PARK_KINDS and town.county_code in county_codes:
            sites.append(CandidateSite(
                f"base-park-{town.code}", f"{town.name} industrial park", Tier.RECYCLING_BASE,
                town.seat_lon, town.seat_lat, town.county_code, township_code=town.code,
                outlet_kind=OutletKind.INDUSTRIAL_PARK,
                generated_fields=frozenset({"lon", "lat"}) if town.seat_generated else frozenset()))
    sites = _thin(sites, min_separation_km)
    ids = {s.site_id for s in sites}
    problems = []
    for site in extra:
        if site.tier is not Tier.RECYCLING_BASE:
            problems.append(f"base candidate {site.site_id}, field 'tier': expected recycling_base, got {site.tier}")
        elif site.site_id in ids:
            problems.append(f"base candidate {site.site_id}, field 'site_id': duplicate id")
        else:
            ids.add(site.site_id)
            sites.append(site)
    if problems:
        raise InputError(problems)
    return tuple(sites)


_PRIORITY = {OutletKind.RAIL_STATION: 0, OutletKind.COUNTY_SEAT: 1, OutletKind.INDUSTRIAL_PARK: 2}


def _thin(sites: list[CandidateSite], min_km: float) -> list[CandidateSite]:
    kept: list[CandidateSite] = []
    order = sorted(range(len(sites)), key=lambda k: (_PRIORITY.get(sites[k].outlet_kind, 3), k))
    for k in order:
        site = sites[k]
        if all(_gc_km(site.lon, site.lat, o.lon, o.lat) >= min_km for o in kept):
            kept.append(site)
    rank = {id(s): n for n, s in enumerate(sites)}
    return sorted(kept, key=lambda s: rank[id(s)])


@dataclass(frozen=True, slots=True)
class Source:
    """Where one county's retired equipment is shipped from."""

    county_code: str
    prefecture_code: str
    lon: float
    lat: float
    capacity_mw: float

    @property
    def point(self) -> GeoPoint:
        return GeoPoint(source_id(self.county_code), self.lon, self.lat)


def source_id(county_code: str) -> str:
    """Flow origin id of a county source: the county code itself (maps place it at the seat)."""
    return county_code


def county_sources(county_codes: Iterable[str], plants: Sequence[Plant], counties: Sequence[County],
                   *, prefecture_of: dict[str, str] | None = None) -> tuple[Source, ...]:
    """One source per county: the capacity-weighted centroid of its plants, else its seat.

    Raises
    ------
    InputError
        If a county has neither plants nor a seat in the scenario.
    """
    by_county: dict[str, list[Plant]] = {}
    for plant in plants:
        by_county.setdefault(plant.county_code, []).append(plant)
    seats = {c.code: c for c in counties}
    out = []
    problems = []
    for code in county_codes:
        group = by_county.get(code, [])
        cap = sum(p.capacity_mw for p in group)
        if group and cap > 0:
            lon = sum(p.lon * p.capacity_mw for p in group) / cap
            lat = sum(p.lat * p.capacity_mw for p in group) / cap
            pref = group[0].prefecture_code
        elif code in seats:
            lon, lat, pref = seats[code].seat_lon, seats[code].seat_lat, seats[code].prefecture_code
        else:
            problems.append(f"forecast county {code}: no plant and no county seat in the scenario; "
                            "add the county or its plants")
            continue
        if prefecture_of and code in prefecture_of:
            pref = prefecture_of[code]
        out.append(Source(code, pref, lon, lat, cap))
    if problems:
        raise InputError(problems)
    return tuple(out)
