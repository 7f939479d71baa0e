"""Generated candidate sites of the three tiers, at existing outlets.

No open register of recycling outlets exists, so candidates are placed where
the planning guidance puts them (县乡村三级回收体系: reuse co-op shops, service
stations, bus stations, property centres and garbage-sorting points), by
these seeded rules (each county draws from its own generator):

回收点 collection points
    * a co-op shop 基层供销社 at every township seat (0.3 km off the seat);
    * a township bus station 乡镇客运站 at every 镇 seat (0.8 km off);
    * in Xinjiang, a 石榴籽 service station in a seeded 50 % of the villages
      and farm units; elsewhere a village co-op store (村级综合服务社) in 40 %;
    * in urban communities, a property centre 物业服务中心 in a seeded third and
      a garbage-sorting point in another third (``shared_with_garbage_sorting``);
    * repair: a village with fewer than two candidates within 10 km (urban)
      / 30 km (rural) gets a new point at the village (``outlet_kind=new``).
      Guarantee: **every village has at least two candidate collection points
      within 10 km (community) or 30 km (village, farm unit)**.
中转站 transfer stations
    at every township seat except 街道 (1 km off), and at every county seat (2 km off).
分拣中心 sorting centres
    at every county seat (4 km off, the outskirts), at the railway station
    nearest the county seat if within 30 km (real station coordinates), and
    at every development-zone township (开发区/园区) seat.
Existing (forced open)
    the county-seat sorting centre of the prefecture's seat county (a co-op
    sorting centre) and the co-op shops of that county's first two townships.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np
from scipy.spatial import cKDTree

from geodata.synth import county_rng, jitter, km_per_deg_lon
from network.admin import County, RailStation, Township
from network.demand import Village
from network.sites import CandidateSite, OutletKind, SiteStatus, Tier

COVERAGE_KM = {True: 10.0, False: 30.0}  # key: urban community?
MIN_CANDIDATES_IN_REACH = 2
RAIL_MAX_KM = 30.0

_POS = frozenset({"lon", "lat"})
_GEN = frozenset({"lon", "lat", "outlet_kind"})


def local_km(lons: np.ndarray, lats: np.ndarray, lat0: float) -> np.ndarray:
    """Project lon/lat to a local east/north km plane around ``lat0`` (for neighbour counts)."""
    return np.column_stack([np.asarray(lons) * km_per_deg_lon(lat0), np.asarray(lats) * 110.574])


def generate_sites(villages: Sequence[Village], townships: Sequence[Township], counties: Sequence[County],
                   rail_stations: Sequence[RailStation], *, seat_counties: Collection[str], xinjiang: bool,
                   seed: int) -> tuple[CandidateSite, ...]:
    """Candidate sites for a region, by the rules in the module docstring.

    Parameters
    ----------
    villages, townships, counties, rail_stations
        The region's units (villages may be the user's own).
    seat_counties
        Codes of the counties holding existing sites (a prefecture's seat, one per prefecture).
    xinjiang
        Use 石榴籽 service stations in villages (Xinjiang) instead of co-op stores.
    seed
        Random seed.
    """
    sites: list[CandidateSite] = []
    by_county: dict[str, list[Township]] = {}
    for t in townships:
        by_county.setdefault(t.county_code, []).append(t)
    villages_by_county: dict[str, list[Village]] = {}
    for v in villages:
        villages_by_county.setdefault(v.county_code, []).append(v)
    for county in counties:
        rng = county_rng(seed, county.code + "3")
        towns = sorted(by_county.get(county.code, []), key=lambda t: t.code)
        existing_shops = {t.code for t in towns[:2]} if county.code in seat_counties else set()
        for t in towns:
            lon, lat = jitter(t.seat_lon, t.seat_lat, 0.3, rng)
            sites.append(CandidateSite(
                f"cp-{t.code}-coop", f"{t.name}供销社回收点", Tier.COLLECTION_POINT, lon, lat, county.code,
                t.code, SiteStatus.EXISTING if t.code in existing_shops else SiteStatus.CANDIDATE,
                OutletKind.COOP_SHOP, generated_fields=_GEN | ({"status"} if t.code in existing_shops else set())))
            if "镇" in t.kind:
                lon, lat = jitter(t.seat_lon, t.seat_lat, 0.8, rng)
                sites.append(CandidateSite(f"cp-{t.code}-bus", f"{t.name}客运站回收点", Tier.COLLECTION_POINT,
                                           lon, lat, county.code, t.code, outlet_kind=OutletKind.BUS_STATION,
                                           generated_fields=_GEN))
            if not t.kind.startswith("subdistrict"):
                lon, lat = jitter(t.seat_lon, t.seat_lat, 1.0, rng)
                sites.append(CandidateSite(f"ts-{t.code}", f"{t.name}中转站", Tier.TRANSFER_STATION, lon, lat,
                                           county.code, t.code, generated_fields=_POS))
            if t.kind.startswith("zone"):
                lon, lat = jitter(t.seat_lon, t.seat_lat, 1.0, rng)
                sites.append(CandidateSite(f"sc-{t.code}-park", f"{t.name}分拣中心", Tier.SORTING_CENTRE, lon, lat,
                                           county.code, t.code, outlet_kind=OutletKind.INDUSTRIAL_PARK,
                                           generated_fields=_POS))
        for v in villages_by_county.get(county.code, []):
            draw = rng.uniform()
            lon, lat = jitter(v.lon, v.lat, 0.2, rng)
            if v.settlement.is_urban:
                if draw < 1 / 3:
                    sites.append(CandidateSite(f"cp-{v.village_id}-pc", f"{v.name}物业服务中心回收点",
                                               Tier.COLLECTION_POINT, lon, lat, county.code, v.township_code,
                                               outlet_kind=OutletKind.PROPERTY_CENTRE, generated_fields=_GEN))
                elif draw < 2 / 3:
                    sites.append(CandidateSite(f"cp-{v.village_id}-gs", f"{v.name}垃圾分类点(两网融合)",
                                               Tier.COLLECTION_POINT, lon, lat, county.code, v.township_code,
                                               outlet_kind=OutletKind.GARBAGE_SORTING_POINT,
                                               shared_with_garbage_sorting=True, generated_fields=_GEN))
            elif xinjiang and draw < 0.5:
                sites.append(CandidateSite(f"cp-{v.village_id}-sls", f"{v.name}石榴籽服务站", Tier.COLLECTION_POINT,
                                           lon, lat, county.code, v.township_code,
                                           outlet_kind=OutletKind.SHILIUZI_STATION, generated_fields=_GEN))
            elif not xinjiang and draw < 0.4:
                sites.append(CandidateSite(f"cp-{v.village_id}-coop", f"{v.name}综合服务社回收点",
                                           Tier.COLLECTION_POINT, lon, lat, county.code, v.township_code,
                                           outlet_kind=OutletKind.COOP_SHOP, generated_fields=_GEN))
        existing_centre = county.code in seat_counties
        lon, lat = jitter(county.seat_lon, county.seat_lat, 2.0, rng)
        sites.append(CandidateSite(f"ts-{county.code}", f"{county.name}县城中转站", Tier.TRANSFER_STATION, lon, lat,
                                   county.code, outlet_kind=OutletKind.COUNTY_SEAT, generated_fields=_POS))
        lon, lat = jitter(county.seat_lon, county.seat_lat, 4.0, rng)
        sites.append(CandidateSite(
            f"sc-{county.code}-seat", f"{county.name}{'供销社' if existing_centre else ''}分拣中心",
            Tier.SORTING_CENTRE, lon, lat, county.code,
            status=SiteStatus.EXISTING if existing_centre else SiteStatus.CANDIDATE,
            outlet_kind=OutletKind.COUNTY_SEAT, generated_fields=_POS | ({"status"} if existing_centre else set())))
        station = _nearest_station(county, rail_stations)
        if station is not None:
            sites.append(CandidateSite(f"sc-{county.code}-rail", f"{station.name or county.name}站分拣中心",
                                       Tier.SORTING_CENTRE, station.lon, station.lat, county.code,
                                       outlet_kind=OutletKind.RAIL_STATION, generated_fields=frozenset()))
    sites.extend(_repair_coverage(villages, sites))
    return tuple(sites)


def _nearest_station(county: County, stations: Sequence[RailStation]) -> RailStation | None:
    best, best_km = None, RAIL_MAX_KM
    for s in stations:
        km = haversine_km(county.seat_lon, county.seat_lat, s.lon, s.lat)
        if km <= best_km:
            best, best_km = s, km
    return best


def _repair_coverage(villages: Sequence[Village], sites: Sequence[CandidateSite]) -> list[CandidateSite]:
    """New points at villages with fewer than two candidates in reach."""
    points = [s for s in sites if s.tier is Tier.COLLECTION_POINT]
    if not villages:
        return []
    lat0 = float(np.mean([v.lat for v in villages]))
    site_xy = local_km(np.array([s.lon for s in points]), np.array([s.lat for s in points]), lat0)
    village_xy = local_km(np.array([v.lon for v in villages]), np.array([v.lat for v in villages]), lat0)
    tree = cKDTree(site_xy) if len(points) else None
    added = []
    for v, xy in zip(villages, village_xy, strict=True):
        reach = COVERAGE_KM[v.settlement.is_urban] * 0.98  # margin for the flat projection
        count = len(tree.query_ball_point(xy, reach)) if tree is not None else 0
        if count < MIN_CANDIDATES_IN_REACH:
            for k in range(MIN_CANDIDATES_IN_REACH - count):
                added.append(CandidateSite(f"cp-{v.village_id}-new{k or ''}", f"{v.name}新建回收点",
                                           Tier.COLLECTION_POINT, v.lon, v.lat, v.county_code, v.township_code,
                                           generated_fields=_POS | {"outlet_kind"}))
    return added


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6371.0088 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(a, 1.0)))
