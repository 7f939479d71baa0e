"""Coordinate systems: GCJ-02/BD-09 round trips, the inside-China polygon, EPSG via pyproj."""

import numpy as np
import pyproj
import pytest

from geodata.crs import (
    bd09_to_wgs84,
    gcj02_to_wgs84,
    in_china,
    normalise_crs,
    offset_m,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from network.errors import InputError

INSIDE = [(93.51, 42.83), (113.30, 40.09), (75.99, 39.47), (116.40, 39.90), (121.47, 31.23),
          (87.62, 43.82), (106.82, 39.67), (110.35, 20.02), (126.63, 45.75)]
# Inside China's bounding rectangle but outside China (so a rectangle test would get them wrong),
# and plainly abroad.
OUTSIDE = [(106.92, 47.92), (126.98, 37.57), (105.85, 21.03), (127.5, 50.5), (139.69, 35.69), (2.35, 48.86)]


@pytest.mark.parametrize(("lon", "lat"), INSIDE)
def test_gcj02_round_trip_within_a_metre(lon: float, lat: float) -> None:
    glon, glat = wgs84_to_gcj02(lon, lat)
    shift = offset_m(lon, lat, glon[0], glat[0])
    assert 50 < shift < 1000  # GCJ-02 moves points by ~100–700 m
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert offset_m(lon, lat, wlon[0], wlat[0]) < 1.0


@pytest.mark.parametrize(("lon", "lat"), INSIDE)
def test_bd09_round_trip_within_a_metre(lon: float, lat: float) -> None:
    blon, blat = wgs84_to_bd09(lon, lat)
    assert offset_m(lon, lat, blon[0], blat[0]) > 300  # BD-09 adds ~0.0065°/0.006° to GCJ-02
    wlon, wlat = bd09_to_wgs84(blon, blat)
    assert offset_m(lon, lat, wlon[0], wlat[0]) < 1.0


@pytest.mark.parametrize(("lon", "lat"), OUTSIDE)
def test_points_outside_china_are_unchanged(lon: float, lat: float) -> None:
    assert not in_china(lon, lat)
    for func in (wgs84_to_gcj02, gcj02_to_wgs84, wgs84_to_bd09, bd09_to_wgs84):
        out = func(lon, lat)
        assert (out[0][0], out[1][0]) == (lon, lat)


def test_inside_test_is_a_polygon_not_a_rectangle() -> None:
    lons, lats = np.array([p[0] for p in INSIDE + OUTSIDE]), np.array([p[1] for p in INSIDE + OUTSIDE])
    assert in_china(lons, lats).tolist() == [True] * len(INSIDE) + [False] * len(OUTSIDE)


def test_arrays_convert_elementwise_and_mixed() -> None:
    lons, lats = np.array([113.30, 139.69]), np.array([40.09, 35.69])
    glon, glat = wgs84_to_gcj02(lons, lats)
    assert glon[1] == 139.69 and glon[0] != 113.30
    back = to_wgs84(glon, glat, "GCJ-02")
    assert offset_m(113.30, 40.09, back[0][0], back[1][0]) < 1.0


def test_cgcs2000_is_within_centimetres_of_wgs84() -> None:
    lon, lat = to_wgs84(113.30, 40.09, "EPSG:4490")
    assert offset_m(113.30, 40.09, lon[0], lat[0]) < 0.1


def test_projected_epsg_code_via_pyproj() -> None:
    # CGCS2000 / 3-degree Gauss-Kruger CM 114E (metres): project a point and read it back.
    x, y = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True).transform(113.30, 40.09)
    lon, lat = to_wgs84(x, y, "epsg:4547")
    assert offset_m(113.30, 40.09, lon[0], lat[0]) < 0.01


@pytest.mark.parametrize(("given", "canonical"), [("WGS-84", "wgs84"), ("EPSG:4326", "wgs84"), ("gcj02", "gcj02"),
                                                  ("GCJ-02", "gcj02"), ("bd-09", "bd09"), ("CGCS2000", "cgcs2000"),
                                                  ("EPSG:4490", "cgcs2000"), ("epsg:32646", "EPSG:32646")])
def test_crs_names_are_normalised(given: str, canonical: str) -> None:
    assert normalise_crs(given) == canonical


@pytest.mark.parametrize("bad", ["mercator", "EPSG:999999", "baidu-mercator-2"])
def test_unknown_crs_names_the_source_and_field(bad: str) -> None:
    with pytest.raises(InputError, match=r"villages\.csv, field 'crs'"):
        normalise_crs(bad, source="villages.csv")
