"""Points on the earth, and the checks every coordinate passes on load."""

from __future__ import annotations

from dataclasses import dataclass

# China's extent with a margin (mainland, Hainan, Taiwan; islands of the South
# China Sea excluded). Used only to catch swapped or foreign coordinates on
# input; the GCJ-02 inside-China test lives in geodata.crs and uses a polygon.
CHINA_LON_RANGE = (73.0, 135.5)
CHINA_LAT_RANGE = (17.5, 54.0)


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A located thing as travel models see it: an id and WGS-84 lon/lat."""

    point_id: str
    lon: float
    lat: float


def coordinate_problem(lon: float, lat: float) -> str | None:
    """Say what is wrong with a WGS-84 lon/lat pair for a site in China, or None.

    Swapped lon/lat is recognised and reported as such.
    """
    import math

    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"expected finite coordinates, got lon={lon!r}, lat={lat!r}"
    in_lon = CHINA_LON_RANGE[0] <= lon <= CHINA_LON_RANGE[1]
    in_lat = CHINA_LAT_RANGE[0] <= lat <= CHINA_LAT_RANGE[1]
    if in_lon and in_lat:
        return None
    swapped_ok = (
        CHINA_LON_RANGE[0] <= lat <= CHINA_LON_RANGE[1]
        and CHINA_LAT_RANGE[0] <= lon <= CHINA_LAT_RANGE[1]
    )
    if swapped_ok:
        return (
            f"lon={lon}, lat={lat} looks swapped (lat is in China's longitude range); "
            "expected lon first, e.g. lon=93.5, lat=42.8"
        )
    return (
        f"lon={lon}, lat={lat} is outside China "
        f"(expected lon {CHINA_LON_RANGE[0]}–{CHINA_LON_RANGE[1]}, "
        f"lat {CHINA_LAT_RANGE[0]}–{CHINA_LAT_RANGE[1]})"
    )
