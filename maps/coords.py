"""Display coordinates: where a WGS-84 point is drawn on the chosen basemap.

Data stay WGS-84 everywhere in huishou. Only the map changes the numbers it
draws, and only for basemaps whose tiles are themselves shifted: Gaode (高德)
tiles use GCJ-02 (国测局坐标, the "Mars" datum China's GB 20263-2006 rules
require for published maps), so every overlay drawn on them is shifted to
GCJ-02 for display. OpenStreetMap and Tianditu (天地图, CGCS2000, which differs
from WGS-84 by centimetres) take WGS-84 unchanged. Outside China the GCJ-02
shift is the identity.

The GCJ-02 formula is geodata's (:func:`geodata.crs.wgs84_to_gcj02`, the
published algorithm as implemented by ``prcoords``; identity outside China's
buffered outline), so data readers and maps shift identically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geodata.crs import wgs84_to_gcj02
from network.errors import InputError

#: Basemaps a map can be drawn on. ``none`` draws no tiles (fully offline).
BASEMAPS: tuple[str, ...] = ("none", "osm", "gaode", "tianditu")

#: Basemaps whose tiles are in GCJ-02; overlays are shifted for them.
GCJ02_BASEMAPS: frozenset[str] = frozenset({"gaode"})


def _to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 ``(lon, lat)`` in degrees via :func:`geodata.crs.wgs84_to_gcj02`."""
    out_lon, out_lat = wgs84_to_gcj02(lon, lat)
    return float(np.ravel(out_lon)[0]), float(np.ravel(out_lat)[0])


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
            lon, lat = _to_gcj02(lon, lat)
        return [round(lat, 6), round(lon, 6)]

