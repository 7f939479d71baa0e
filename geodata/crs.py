"""Declared coordinate systems → WGS-84, once, at the reader.

Supported declarations (case and dashes ignored):

``wgs84`` (``EPSG:4326``)
    Kept as is.
``cgcs2000`` (``EPSG:4490``)
    China Geodetic Coordinate System 2000, through pyproj. CGCS2000 and
    WGS-84 (G1762) agree to a few centimetres, far below any planning
    distance; pyproj applies no datum shift between them (a null
    transformation), so the numbers pass through unchanged.
``gcj02``
    The obfuscated "Mars" coordinates of 高德 Amap, 腾讯 Tencent and most
    Chinese POI exports (offsets of 100–700 m). Not an EPSG transform: the
    forward function is the ``prcoords`` package's (CC0); the inverse is the
    fixed-point iteration of Caijun (2014), run here to 1e-9° (~0.1 mm).
``bd09``
    Baidu's coordinates: GCJ-02 plus Baidu's own rotation and shift
    (``prcoords``' closed-form BD→GCJ inverse refined by the same fixed-point
    iteration, then the GCJ inverse above).
``EPSG:<code>``
    Any other CRS pyproj knows, e.g. ``EPSG:4547`` (CGCS2000 / 3-degree
    Gauss-Kruger CM 114E, metres).

The GCJ-02 offset applies only inside mainland China. The inside-China test
uses a polygon, not a rectangle: the "China" outline of Natural Earth
1:110m Admin 0 (public domain; bundled as
``geodata/data/boundaries/china_outline_ne110m.geojson``, taken from the
copy that the pyogrio package ships as a test fixture), buffered by 0.1°
(~10 km) so that the coarse 1:110m coastline does not cut off coastal
towns. Points outside it are left unchanged by every GCJ/BD function here,
as the Chinese map services do.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

import numpy as np
import prcoords
import shapely
from shapely.geometry import shape

from geodata._data import data_path
from network.errors import InputError

KNOWN_CRS = ("wgs84", "cgcs2000", "gcj02", "bd09", "EPSG:<code>")
_ALIASES = {"wgs84": "wgs84", "epsg4326": "wgs84", "4326": "wgs84", "cgcs2000": "cgcs2000",
            "epsg4490": "cgcs2000", "4490": "cgcs2000", "gcj02": "gcj02", "gcj": "gcj02", "mars": "gcj02",
            "bd09": "bd09", "bd09ll": "bd09", "baidu": "bd09"}
CHINA_BUFFER_DEG = 0.1
_INVERSE_TOL_DEG = 1e-9


def normalise_crs(crs: str, *, source: str = "input") -> str:
    """Canonical name of a declared CRS: ``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09`` or ``EPSG:<code>``.

    Raises
    ------
    InputError
        If the CRS is not one of these or pyproj does not know the EPSG code.
    """
    key = re.sub(r"[\s_\-:]", "", str(crs)).lower()
    if key in _ALIASES:
        return _ALIASES[key]
    match = re.fullmatch(r"epsg(\d{4,6})", key)
    if match:
        import pyproj

        code = f"EPSG:{match.group(1)}"
        try:
            pyproj.CRS.from_user_input(code)
        except pyproj.exceptions.CRSError:
            raise InputError(f"{source}, field 'crs': unknown EPSG code {code!r}") from None
        return code
    raise InputError(f"{source}, field 'crs': expected one of {', '.join(KNOWN_CRS)}, got {crs!r}")


@cache
def _china() -> shapely.Geometry:
    data = json.loads(data_path("boundaries/china_outline_ne110m.geojson").read_text(encoding="utf-8"))
    geom = shape(data["features"][0]["geometry"]).buffer(CHINA_BUFFER_DEG)
    shapely.prepare(geom)
    return geom


def in_china(lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
    """True where a point lies inside the (buffered) outline of mainland China.

    Parameters
    ----------
    lon, lat
        Degrees (WGS-84 or GCJ-02; the offset is far below the buffer).
    """
    return np.asarray(shapely.contains_xy(_china(), np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)))


def _gcj_forward(lon: float, lat: float) -> tuple[float, float]:
    out = prcoords.wgs_gcj(prcoords.Coords(lat, lon), check_china=False)
    return out.lon, out.lat


def _gcj_inverse(lon: float, lat: float) -> tuple[float, float]:
    wlon, wlat = lon, lat
    for _ in range(30):
        flon, flat = _gcj_forward(wlon, wlat)
        dlon, dlat = flon - lon, flat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < _INVERSE_TOL_DEG and abs(dlat) < _INVERSE_TOL_DEG:
            break
    return wlon, wlat


def _bd_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    out = prcoords.bd_gcj(prcoords.Coords(lat, lon))
    glon, glat = out.lon, out.lat
    for _ in range(10):  # refine the closed-form inverse to 1e-9° by fixed-point iteration
        blon, blat = _gcj_to_bd(glon, glat)
        dlon, dlat = blon - lon, blat - lat
        glon, glat = glon - dlon, glat - dlat
        if abs(dlon) < _INVERSE_TOL_DEG and abs(dlat) < _INVERSE_TOL_DEG:
            break
    return glon, glat


def _gcj_to_bd(lon: float, lat: float) -> tuple[float, float]:
    out = prcoords.gcj_bd(prcoords.Coords(lat, lon))
    return out.lon, out.lat


def _apply(func, lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    lons = np.atleast_1d(np.asarray(lon, dtype=float)).copy()
    lats = np.atleast_1d(np.asarray(lat, dtype=float)).copy()
    finite = np.isfinite(lons) & np.isfinite(lats)
    inside = np.zeros_like(finite)
    inside[finite] = in_china(lons[finite], lats[finite])
    for i in np.flatnonzero(inside):
        lons[i], lats[i] = func(float(lons[i]), float(lats[i]))
    return lons, lats


def wgs84_to_gcj02(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 → GCJ-02 (for Gaode/Amap tiles); points outside China unchanged.

    Returns
    -------
    tuple of ndarray
        ``(lon, lat)`` arrays in degrees.
    """
    return _apply(_gcj_forward, lon, lat)


def gcj02_to_wgs84(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS-84 by fixed-point iteration to 1e-9°; points outside China unchanged."""
    return _apply(_gcj_inverse, lon, lat)


def bd09_to_wgs84(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → WGS-84 (BD-09 → GCJ-02 → WGS-84); points outside China unchanged."""
    return _apply(lambda x, y: _gcj_inverse(*_bd_to_gcj(x, y)), lon, lat)


def wgs84_to_bd09(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 → BD-09 (for Baidu maps); points outside China unchanged."""
    return _apply(lambda x, y: _gcj_to_bd(*_gcj_forward(x, y)), lon, lat)


def to_wgs84(lon: np.ndarray | float, lat: np.ndarray | float, crs: str, *,
             source: str = "input") -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in a declared CRS to WGS-84 lon/lat degrees.

    Parameters
    ----------
    lon, lat
        x/easting and y/northing in the declared CRS (degrees, or metres for
        a projected EPSG CRS).
    crs
        Declared CRS, see the module docstring.
    source
        File name for error messages.

    Raises
    ------
    InputError
        For an unknown CRS.
    """
    name = normalise_crs(crs, source=source)
    lons = np.atleast_1d(np.asarray(lon, dtype=float))
    lats = np.atleast_1d(np.asarray(lat, dtype=float))
    if name == "wgs84":
        return lons.copy(), lats.copy()
    if name == "gcj02":
        return gcj02_to_wgs84(lons, lats)
    if name == "bd09":
        return bd09_to_wgs84(lons, lats)
    code = "EPSG:4490" if name == "cgcs2000" else name
    return _pyproj_to_wgs84(code, lons, lats)


@cache
def _transformer(code: str):
    import pyproj

    return pyproj.Transformer.from_crs(code, "EPSG:4326", always_xy=True)


def _pyproj_to_wgs84(code: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformer(code).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def offset_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two points (for reporting shifts)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371008.8 * math.asin(math.sqrt(min(a, 1.0)))
