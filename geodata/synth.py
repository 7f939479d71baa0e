"""Seeded, documented generation of what open data does not give.

Everything here is reproducible: each county draws from its own generator
``numpy.random.default_rng([seed, county_code])``, so a county's result
depends only on the seed and that county's data. The rules (also in
``docs/data.md``):

Township seats (unmatched in GeoNames)
    街道 subdistricts: uniformly in a disc around the county seat of radius
    ``clamp(0.15·R, 1, 4)`` km, ``R = sqrt(area/π)``. Towns, townships, farms
    and zones: the k-th (in code order) at bearing ``k·137.5° ± 17°`` and at
    ``U(0.25, 0.8)`` of the distance from the seat to the county's bounding
    box in that direction, so every seat stays inside the county's extent.
Village coordinates
    Around their township seat: communities uniformly in a disc of radius
    ``clamp(0.35·r, 0.5, 3)`` km, villages and farm units in a disc of
    radius ``r = clamp(sqrt(area/(π·n_townships)), 2, 15)`` km; clipped to the
    county's bounding box.
Households
    County family households (census 2020) split into urban
    ``H·U/(U+R)`` and rural; urban households go to communities, rural to
    villages and farm units (all to the units there are if a county lacks one
    kind), with log-normal weights ``exp(0.5·z)``, rounded by largest
    remainder so each county's sum equals the census. Population =
    households × county household size (户规模).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from network.admin import County, Township

KM_PER_DEG_LAT = 110.574
GOLDEN_ANGLE_RAD = math.radians(137.50776)


def county_rng(seed: int, code: str) -> np.random.Generator:
    """The generator one county (or other unit) draws from: ``default_rng([seed, int(code)])``."""
    digits = "".join(ch for ch in code if ch.isdigit()) or "0"
    return np.random.default_rng([int(seed), int(digits[:15])])


def km_per_deg_lon(lat: float) -> float:
    """Kilometres per degree of longitude at a latitude (spherical approximation)."""
    return 111.320 * math.cos(math.radians(lat))


def offset(lon: float, lat: float, east_km: float, north_km: float) -> tuple[float, float]:
    """Move a WGS-84 point by east/north kilometres (local flat approximation, < 0.1 % at 30 km)."""
    return lon + east_km / km_per_deg_lon(lat), lat + north_km / KM_PER_DEG_LAT


def jitter(lon: float, lat: float, distance_km: float, rng: np.random.Generator) -> tuple[float, float]:
    """A point ``distance_km`` from (lon, lat) in a random direction."""
    angle = rng.uniform(0, 2 * math.pi)
    return offset(lon, lat, distance_km * math.cos(angle), distance_km * math.sin(angle))


def county_radius_km(county: County) -> float:
    """Radius of a disc of the county's area (km); 18 km when the area is unknown."""
    area = county.area_km2 if county.area_km2 and county.area_km2 > 0 else 1000.0
    return math.sqrt(area / math.pi)


def clip_to_bbox(lon: float, lat: float, county: County) -> tuple[float, float]:
    """Clip a point to the county's bounding box (unchanged when the box is unknown)."""
    if county.bbox is None:
        return lon, lat
    minx, miny, maxx, maxy = county.bbox
    return min(max(lon, minx), maxx), min(max(lat, miny), maxy)


def place_township_seats(county: County, rows: Sequence[tuple[str, str, str]],
                         matched: dict[str, tuple[float, float]], *, seed: int) -> list[Township]:
    """Townships of one county with real (matched) or generated seats.

    Parameters
    ----------
    county
        The county, with its seat, area and bounding box.
    rows
        ``(township_code, name, kind)`` in code order; ``kind`` is the NBS
        file's ``township_type`` (e.g. ``subdistrict_街道``).
    matched
        ``{township_code: (lon, lat)}`` of GeoNames-matched seats.
    seed
        Random seed.

    Returns
    -------
    list of Township
        ``seat_generated`` is True for every generated seat.
    """
    rng = county_rng(seed, county.code + "1")
    radius = county_radius_km(county)
    urban_radius = min(max(0.15 * radius, 1.0), 4.0)
    townships = []
    k = 0
    for code, name, kind in rows:
        # Draw for every township in the same order, matched or not, so a new
        # GeoNames match changes no other township's seat.
        u_angle, u_dist, u_r = rng.uniform(size=3)
        if code in matched:
            lon, lat = matched[code]
            townships.append(Township(code, name, county.code, kind, lon, lat, seat_generated=False))
            if not kind.startswith("subdistrict"):
                k += 1
            continue
        if kind.startswith("subdistrict"):
            r = urban_radius * math.sqrt(u_r)
            angle = 2 * math.pi * u_angle
            lon, lat = offset(county.seat_lon, county.seat_lat, r * math.cos(angle), r * math.sin(angle))
        else:
            angle = k * GOLDEN_ANGLE_RAD + math.radians(17.0) * (2 * u_angle - 1)
            fraction = 0.25 + 0.55 * u_dist
            lon, lat = _toward_bbox(county, angle, fraction, radius)
            k += 1
        lon, lat = clip_to_bbox(lon, lat, county)
        townships.append(Township(code, name, county.code, kind, round(lon, 6), round(lat, 6),
                                  seat_generated=True))
    return townships


def _toward_bbox(county: County, angle: float, fraction: float, radius_km: float) -> tuple[float, float]:
    """Point at ``fraction`` of the way from the seat to the bbox edge along ``angle``."""
    c, s = math.cos(angle), math.sin(angle)
    if county.bbox is None:
        return offset(county.seat_lon, county.seat_lat, fraction * radius_km * c, fraction * radius_km * s)
    minx, miny, maxx, maxy = county.bbox
    reach_x = (maxx - county.seat_lon) if c >= 0 else (county.seat_lon - minx)
    reach_y = (maxy - county.seat_lat) if s >= 0 else (county.seat_lat - miny)
    return (county.seat_lon + fraction * max(reach_x, 0.0) * c,
            county.seat_lat + fraction * max(reach_y, 0.0) * s)


@dataclass(frozen=True, slots=True)
class VillageDraw:
    """Generated location and size of one village."""

    lon: float
    lat: float
    households: int
    population: float


def draw_villages(county: County, townships: dict[str, Township],
                  units: Sequence[tuple[str, str, bool]], *, household_size: float,
                  seed: int) -> list[VillageDraw]:
    """Coordinates and households of one county's villages.

    Parameters
    ----------
    county
        The county (census households and urban/rural population).
    townships
        The county's townships by code (seats already placed).
    units
        ``(village_code, township_code, is_urban)`` per village, in file order.
    household_size
        Mean household size (persons per household, census 户规模).
    seed
        Random seed.
    """
    rng = county_rng(seed, county.code + "2")
    n_town = max(len(townships), 1)
    area = county.area_km2 if county.area_km2 and county.area_km2 > 0 else 1000.0
    r_rural = min(max(math.sqrt(area / (math.pi * n_town)), 2.0), 15.0)
    r_urban = min(max(0.35 * r_rural, 0.5), 3.0)
    n = len(units)
    u = rng.uniform(size=(n, 2))
    z = rng.standard_normal(n)
    urban = np.array([is_urban for _, _, is_urban in units], dtype=bool)
    households = apportion_households(county, urban, np.exp(0.5 * z))
    draws = []
    for i, (_, tcode, is_urban) in enumerate(units):
        seat = townships[tcode]
        radius = r_urban if is_urban else r_rural
        r = radius * math.sqrt(u[i, 0])
        angle = 2 * math.pi * u[i, 1]
        lon, lat = clip_to_bbox(*offset(seat.seat_lon, seat.seat_lat, r * math.cos(angle), r * math.sin(angle)),
                                county)
        draws.append(VillageDraw(round(lon, 6), round(lat, 6), int(households[i]),
                                 round(float(households[i]) * household_size, 1)))
    return draws


def apportion_households(county: County, urban: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split the county's census households over its villages (integers, exact sums).

    Urban households ``H·U/(U+R)`` go to urban units, the rest to rural
    units, each group in proportion to ``weights``; when a county has only
    one kind of unit, all households go to it.
    """
    total = county.households
    people = county.urban_population + county.rural_population
    urban_total = round(total * county.urban_population / people) if people > 0 else 0
    if not urban.any():
        urban_total = 0
    elif urban.all():
        urban_total = total
    result = np.zeros(len(urban), dtype=np.int64)
    for mask, amount in ((urban, urban_total), (~urban, total - urban_total)):
        if mask.any():
            result[mask] = largest_remainder(weights[mask], amount)
    return result


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total``."""
    share = weights / weights.sum() * total
    base = np.floor(share).astype(np.int64)
    left = int(total - base.sum())
    if left > 0:
        order = np.argsort(-(share - base), kind="stable")
        base[order[:left]] += 1
    return base
