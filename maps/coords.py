"""Display coordinates: where a WGS-84 point is drawn on the chosen basemap.

Data stay WGS-84 everywhere in huishou. Only the map changes the numbers it
draws, and only for basemaps whose tiles are themselves shifted: Gaode (高德)
tiles use GCJ-02 (国测局坐标, the "Mars" datum China's GB 20263-2006 rules
require for published maps), so every overlay drawn on them is shifted to
GCJ-02 for display. OpenStreetMap and Tianditu (天地图, CGCS2000, which differs
from WGS-84 by centimetres) take WGS-84 unchanged. Outside China the GCJ-02
shift is the identity.

The GCJ-02 formula comes from ``geodata.crs.wgs84_to_gcj02`` when the geodata
package provides it and otherwise from the ``prcoords`` package (the same
published algorithm); both give the same numbers to 1e-9 degrees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from network.errors import InputError

#: Basemaps a map can be drawn on. ``none`` draws no tiles (fully offline).
BASEMAPS: tuple[str, ...] = ("none", "osm", "gaode", "tianditu")

#: Basemaps whose tiles are in GCJ-02; overlays are shifted for them.
GCJ02_BASEMAPS: frozenset[str] = frozenset({"gaode"})


def _gcj02_converter() -> Callable[[float, float], tuple[float, float]]:
    """The WGS-84 → GCJ-02 function ``(lon, lat) -> (lon, lat)``, in degrees."""
    try:
        from geodata.crs import wgs84_to_gcj02  # type: ignore[attr-defined]
    except ImportError:
        wgs84_to_gcj02 = None
    if wgs84_to_gcj02 is not None:
        def via_geodata(lon: float, lat: float) -> tuple[float, float]:
            out_lon, out_lat = wgs84_to_gcj02(lon, lat)
            return float(out_lon), float(out_lat)
        return via_geodata

    import prcoords

    def via_prcoords(lon: float, lat: float) -> tuple[float, float]:
        shifted = prcoords.wgs_gcj((lat, lon), check_china=True)
        return float(shifted.lon), float(shifted.lat)
    return via_prcoords


@dataclass(frozen=True, slots=True)
class DisplayFrame:
    """Turns WGS-84 lon/lat into the ``[lat, lon]`` a map draws for a basemap.

    Parameters
    ----------
    basemap
        One of :data:`BASEMAPS`.

    Raises
    ------
    InputError
        If ``basemap`` is not one of :data:`BASEMAPS`.
    """

    basemap: str = "none"

    def __post_init__(self) -> None:
        if self.basemap not in BASEMAPS:
            raise InputError(f"map option 'basemap': expected one of {', '.join(BASEMAPS)}, "
                             f"got {self.basemap!r}")

    @property
    def shifted(self) -> bool:
        """True when overlays are shifted to GCJ-02 for this basemap."""
        return self.basemap in GCJ02_BASEMAPS

    def latlon(self, lon: float, lat: float) -> list[float]:
        """``[lat, lon]`` in degrees to draw a WGS-84 point at, rounded to 1e-6° (~0.1 m)."""
        if self.shifted:
            lon, lat = _CONVERT[0](lon, lat)
        return [round(lat, 6), round(lon, 6)]


_CONVERT: list[Callable[[float, float], tuple[float, float]]] = [_gcj02_converter()]
