"""Travel models: great-circle × circuity (offline default) and OSM road graphs.

Importing this module registers both in ``network.scenario.TRAVEL_MODEL_FACTORIES``
under ``"circuity"`` and ``"osm"``, so scenarios and plans that name them
round-trip through JSON.

Circuity factor
    Road distance ≈ great-circle distance × a factor ≥ 1. Ballou, Rahardja
    and Sakai (2002), "Selected country circuity factors for road travel
    distance estimation", Transportation Research Part A 36(9):843–848,
    report national factors of about 1.12–1.65 (most 1.2–1.4). The per-region
    factors below are planning assumptions inside that range: 1.25 for the
    dense plains road networks of northern Shanxi and the Urumqi–Changji
    corridor, 1.35 for oasis and desert regions of Xinjiang and Inner
    Mongolia where roads follow the oases (whole Xinjiang and Inner Mongolia
    too, whole Shanxi 1.25), 1.30 otherwise. Replace them with
    a factor measured on a cached road graph where one exists.
Speeds
    Mean door-to-door speeds per profile (km/h) for rural China, planning
    assumptions: ``truck`` 45, ``car`` 60, ``tricycle`` 20, and the
    ``network.fleet`` vehicle names (``light_truck`` 45, ``medium_truck`` 50,
    ``heavy_truck`` 55).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from geodata import roads
from geodata.settings import Settings
from network import nearby
from network.errors import InputError
from network.geo import GeoPoint
from network.matrix import TravelMatrix
from network.scenario import TRAVEL_MODEL_FACTORIES

DEFAULT_CIRCUITY = 1.30
REGION_CIRCUITY: Mapping[str, float] = {
    "datong": 1.25, "xinzhou": 1.25, "shuozhou": 1.25, "yuncheng": 1.25, "urumqi": 1.25, "changji": 1.25,
    "hami": 1.35, "kashgar": 1.35, "alar": 1.35, "wuhai": 1.35, "alxa": 1.35,
    "shanxi": 1.25, "xinjiang": 1.35, "innermongolia": 1.35,
}
DEFAULT_SPEEDS_KMH: Mapping[str, float] = {
    "truck": 45.0, "car": 60.0, "tricycle": 20.0,
    "light_truck": 45.0, "medium_truck": 50.0, "heavy_truck": 55.0,
}


def _speed(speeds: Mapping[str, float], profile: str) -> float:
    if profile not in speeds:
        raise InputError(f"travel profile: expected one of {', '.join(sorted(speeds))}, got {profile!r}")
    return float(speeds[profile])


def _lonlat(points: Sequence[GeoPoint]) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([p.lon for p in points], dtype=float), np.array([p.lat for p in points], dtype=float))


def _units(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]).reshape(-1, 3)


def great_circle_km(olon: np.ndarray, olat: np.ndarray, dlon: np.ndarray, dlat: np.ndarray) -> np.ndarray:
    """All-pairs great-circle distances (km) on a sphere of radius 6371.0088 km.

    The chord formula of ``network.nearby.great_circle_km`` (equal to the
    haversine formula to below 0.1 m), so a pair measured alone
    (``CircuityTravelModel.pairs``) gets the same number as in a matrix.
    """
    return nearby.great_circle_km(_units(olon, olat)[:, None, :], _units(dlon, dlat)[None, :, :])


class CircuityTravelModel:
    """Great-circle distance × circuity factor; time at a speed per profile.

    Parameters
    ----------
    circuity
        Road km per great-circle km (≥ 1), see the module docstring for sources.
    speeds_kmh
        Mean speed per profile (km/h).
    region_id
        Which region the factor belongs to (for the record).

    Raises
    ------
    InputError
        If the factor is below 1 or a speed is not positive.
    """

    def __init__(self, circuity: float = DEFAULT_CIRCUITY, *, speeds_kmh: Mapping[str, float] | None = None,
                 region_id: str = "") -> None:
        if not (np.isfinite(circuity) and circuity >= 1.0):
            raise InputError(f"travel model 'circuity', field 'circuity': expected a number >= 1, got {circuity!r}")
        self.circuity = float(circuity)
        self.speeds_kmh = dict(speeds_kmh or DEFAULT_SPEEDS_KMH)
        for name, speed in self.speeds_kmh.items():
            if not (np.isfinite(speed) and speed > 0):
                raise InputError(f"travel model 'circuity', field 'speeds_kmh.{name}': "
                                 f"expected a positive number, got {speed!r}")
        self.region_id = region_id

    @property
    def spec(self) -> Mapping[str, Any]:
        return {"source": "circuity", "circuity": self.circuity, "speeds_kmh": dict(self.speeds_kmh),
                "region_id": self.region_id, "distance": "haversine, sphere R = 6371.0088 km"}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> CircuityTravelModel:
        return cls(spec["circuity"], speeds_kmh=spec.get("speeds_kmh"), region_id=spec.get("region_id", ""))

    def matrix(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
               profile: str = "truck") -> TravelMatrix:
        """Distance (km) and time (h) for every origin–destination pair.

        Raises
        ------
        InputError
            For an unknown profile.
        """
        speed = _speed(self.speeds_kmh, profile)
        km = great_circle_km(*_lonlat(origins), *_lonlat(destinations)) * self.circuity
        return TravelMatrix(tuple(p.point_id for p in origins), tuple(p.point_id for p in destinations),
                            km, km / speed, "circuity", profile)

    #: Road km = great-circle km × a factor ≥ 1: never shorter (``network.nearby`` may prune by great circle).
    at_least_great_circle = True

    def pairs(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
              profile: str = "truck") -> tuple[np.ndarray, np.ndarray]:
        """Distance (km) and time (h) from ``origins[i]`` to ``destinations[i]``: the matrix's numbers, pairwise.

        Raises
        ------
        InputError
            For an unknown profile or sets of different lengths.
        """
        speed = _speed(self.speeds_kmh, profile)
        if len(origins) != len(destinations):
            raise InputError(f"travel pairs: expected as many origins as destinations, got {len(origins)} "
                             f"and {len(destinations)}")
        km = nearby.great_circle_km(_units(*_lonlat(origins)), _units(*_lonlat(destinations))) * self.circuity
        return km, km / speed

    def pairs_by_index(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], rows: np.ndarray,
                       cols: np.ndarray, *, profile: str = "truck") -> tuple[np.ndarray, np.ndarray]:
        """``pairs`` of ``origins[rows[i]]`` → ``destinations[cols[i]]``, without a list of points per pair."""
        speed = _speed(self.speeds_kmh, profile)
        ou, du = _units(*_lonlat(origins)), _units(*_lonlat(destinations))
        km = np.empty(len(rows))
        step = 2_000_000  # bounded temporaries however many pairs
        for lo in range(0, len(rows), step):
            km[lo:lo + step] = nearby.great_circle_km(ou[rows[lo:lo + step]], du[cols[lo:lo + step]])
        km *= self.circuity
        return km, km / speed


class RoadGraphTravelModel:
    """Shortest paths on an OSM road graph (GraphML), see ``geodata.roads``.

    Parameters
    ----------
    graphml
        Path of the cached GraphML file.
    speeds_kmh
        Top speed per profile (km/h); caps edge speeds, or sets the speed
        when edges carry none.
    access_speed_kmh
        Speed on the straight-line legs between a point and its nearest node.

    Raises
    ------
    InputError
        If the graph file cannot be read (on first use).
    """

    def __init__(self, graphml: str | Path, *, speeds_kmh: Mapping[str, float] | None = None,
                 access_speed_kmh: float = 15.0) -> None:
        self.graphml = Path(graphml)
        self.speeds_kmh = dict(speeds_kmh or DEFAULT_SPEEDS_KMH)
        self.access_speed_kmh = float(access_speed_kmh)
        self._graph = None
        self._arrays: dict[str, roads.RoadArrays] = {}

    @property
    def spec(self) -> Mapping[str, Any]:
        return {"source": "osm", "graphml": str(self.graphml), "speeds_kmh": dict(self.speeds_kmh),
                "access_speed_kmh": self.access_speed_kmh}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> RoadGraphTravelModel:
        return cls(spec["graphml"], speeds_kmh=spec.get("speeds_kmh"),
                   access_speed_kmh=spec.get("access_speed_kmh", 15.0))

    def _arrays_for(self, profile: str) -> roads.RoadArrays:
        if profile not in self._arrays:
            if self._graph is None:
                self._graph = roads.load_graph(self.graphml)
            self._arrays[profile] = roads.graph_arrays(self._graph, max_speed_kmh=self.speeds_kmh[profile])
        return self._arrays[profile]

    def matrix(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
               profile: str = "truck") -> TravelMatrix:
        """Distance (km) and time (h) over the road graph; ``inf`` where unreachable.

        Raises
        ------
        InputError
            For an unknown profile or an unreadable graph.
        """
        speed = _speed(self.speeds_kmh, profile)
        arrays = self._arrays_for(profile)
        if not origins or not destinations:
            empty = np.zeros((len(origins), len(destinations)))
            return TravelMatrix(tuple(p.point_id for p in origins), tuple(p.point_id for p in destinations),
                                empty, empty.copy(), "osm", profile)
        km, hours = roads.road_matrices(arrays, _lonlat(origins), _lonlat(destinations), speed_kmh=speed,
                                        access_speed_kmh=self.access_speed_kmh)
        return TravelMatrix(tuple(p.point_id for p in origins), tuple(p.point_id for p in destinations),
                            km, hours, "osm", profile)

    #: Paths over edges of real length plus straight access legs: never shorter than the great circle.
    at_least_great_circle = True

    def pairs(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
              profile: str = "truck", block: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """Distance (km) and time (h) from ``origins[i]`` to ``destinations[i]`` over the road graph.

        Shortest paths are searched from ``block`` distinct origins at a
        time, to the destinations those origins need only, so memory stays
        at ``block`` × graph nodes whatever the number of pairs.

        Raises
        ------
        InputError
            For an unknown profile, an unreadable graph or sets of different lengths.
        """
        if len(origins) != len(destinations):
            raise InputError(f"travel pairs: expected as many origins as destinations, got {len(origins)} "
                             f"and {len(destinations)}")
        km, hours = np.full(len(origins), np.inf), np.full(len(origins), np.inf)
        keys = np.unique([p.point_id for p in origins], return_inverse=True)[1].reshape(-1)
        order = np.argsort(keys, kind="stable")
        bounds = np.searchsorted(keys[order], np.arange(0, int(keys.max(initial=-1)) + 1 + block, block))
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            chosen = order[lo:hi]
            if not len(chosen):
                continue
            o_first = {origins[i].point_id: i for i in chosen}
            d_first = {destinations[i].point_id: i for i in chosen}
            o_list, d_list = list(o_first), list(d_first)
            o_at, d_at = {o: n for n, o in enumerate(o_list)}, {d: n for n, d in enumerate(d_list)}
            matrix = self.matrix([origins[o_first[o]] for o in o_list], [destinations[d_first[d]] for d in d_list],
                                 profile=profile)
            r = np.array([o_at[origins[i].point_id] for i in chosen])
            c = np.array([d_at[destinations[i].point_id] for i in chosen])
            km[chosen], hours[chosen] = matrix.distance_km[r, c], matrix.duration_h[r, c]
        return km, hours


def build_travel_model(region_id: str = "", *, travel: str = "auto", circuity: float | None = None,
                       scale: str | None = None, settings: Settings | None = None,
                       ) -> tuple[CircuityTravelModel | RoadGraphTravelModel, str]:
    """Choose and build the travel model for a region, and say which was chosen.

    Parameters
    ----------
    region_id
        Bundled region id (for the circuity factor and the graph cache name).
    travel
        ``"auto"`` (road graph if cached, else circuity), ``"circuity"`` or ``"osm"``.
    circuity
        Override the region's circuity factor.
    scale
        Road graph scale, ``"prefecture"`` or ``"county"``; None (default)
        takes the county-scale graph if cached, else the prefecture-scale one.
    settings
        Cache folder (default: from the environment).

    Returns
    -------
    tuple
        The model and a one-line note for people (the CLI prints it).

    Raises
    ------
    InputError
        For an unknown ``travel`` value, or ``"osm"`` without a cached graph.
    """
    factor = circuity if circuity is not None else REGION_CIRCUITY.get(region_id, DEFAULT_CIRCUITY)
    if travel not in ("auto", "circuity", "osm"):
        raise InputError(f"option 'travel': expected auto, circuity or osm, got {travel!r}")
    scales = (scale,) if scale is not None else ("county", "prefecture")
    found = [roads.cached_graph(region_id, s, settings=settings) for s in scales] if region_id else []
    path = next((p for p in found if p is not None), None)
    if travel == "osm" or (travel == "auto" and path is not None):
        if path is None:
            where = " or ".join(str(roads.graph_path(region_id or "<region>", s, settings=settings)) for s in scales)
            raise InputError(f"option 'travel': 'osm' needs a cached road graph at {where}; download it with "
                             "solve.py inspect --download-roads (HUISHOU_ALLOW_NETWORK=1) or use 'circuity'")
        return RoadGraphTravelModel(path), f"travel model 出行距离: OSM road graph 路网 {path}"
    note = (f"travel model 出行距离: great-circle × circuity {factor:.2f} (no cached road graph"
            f"{' for ' + region_id if region_id else ''}; 未找到路网缓存, 用大圆距离×绕行系数)")
    return CircuityTravelModel(factor, region_id=region_id), note


TRAVEL_MODEL_FACTORIES["circuity"] = CircuityTravelModel.from_spec
TRAVEL_MODEL_FACTORIES["osm"] = RoadGraphTravelModel.from_spec
