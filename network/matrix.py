"""Travel matrices and the travel-model contract.

A ``TravelMatrix`` holds road distance (km) and driving time (h) from each
origin to each destination, for one vehicle profile. Models never compute
distances themselves: they ask the scenario's ``TravelModel`` for a matrix.
geodata makes the real models (great-circle × circuity, OSM road graphs);
``TableTravelModel`` here serves hand-checked tests and benchmarks whose
distances are given explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from network.errors import InputError
from network.geo import GeoPoint


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrix:
    """Distances and times from ``origin_ids`` (rows) to ``destination_ids`` (columns).

    Unreachable pairs hold ``inf``.
    """

    origin_ids: tuple[str, ...]
    destination_ids: tuple[str, ...]
    distance_km: np.ndarray
    duration_h: np.ndarray
    source: str
    profile: str = "truck"
    _origin_index: dict[str, int] = field(init=False, repr=False)
    _destination_index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        shape = (len(self.origin_ids), len(self.destination_ids))
        for name in ("distance_km", "duration_h"):
            array = getattr(self, name)
            if array.shape != shape:
                raise InputError(f"travel matrix '{name}': expected shape {shape}, got {array.shape}")
            if np.any(array < 0):
                raise InputError(f"travel matrix '{name}': expected non-negative values")
        object.__setattr__(self, "_origin_index", {o: i for i, o in enumerate(self.origin_ids)})
        object.__setattr__(self, "_destination_index",
                           {d: j for j, d in enumerate(self.destination_ids)})

    def distance(self, origin_id: str, destination_id: str) -> float:
        """Road distance in km from one origin to one destination."""
        return float(self.distance_km[self._origin_index[origin_id],
                                      self._destination_index[destination_id]])

    def duration(self, origin_id: str, destination_id: str) -> float:
        """Driving time in hours from one origin to one destination."""
        return float(self.duration_h[self._origin_index[origin_id],
                                     self._destination_index[destination_id]])


@runtime_checkable
class TravelModel(Protocol):
    """Anything that turns points into a travel matrix.

    ``spec`` describes the model in plain JSON-able values (written into
    scenarios and plans, so a run says which distances it used).

    ``pairs`` gives distance and time of ``origins[i]`` → ``destinations[i]``
    (the numbers ``matrix`` gives for those pairs) without a dense matrix.
    ``at_least_great_circle`` says that no road distance is shorter than the
    great circle, so ``network.nearby`` may find the pairs within a distance
    from great circles first.
    """

    at_least_great_circle: bool

    @property
    def spec(self) -> Mapping[str, Any]: ...

    def matrix(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
               profile: str = "truck") -> TravelMatrix: ...

    def pairs(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
              profile: str = "truck") -> tuple[np.ndarray, np.ndarray]: ...


class TableTravelModel:
    """Distances given explicitly per pair of ids (symmetric), with one speed.

    Parameters
    ----------
    distances_km
        ``{(a, b): km}``; the reverse pair is implied. A point is 0 km from
        itself. A pair missing from the table is unreachable (``inf``).
    speed_kmh
        Driving speed used to turn km into hours.
    """

    def __init__(self, distances_km: Mapping[tuple[str, str], float], *,
                 speed_kmh: float = 40.0) -> None:
        self._km: dict[tuple[str, str], float] = {}
        for (a, b), km in distances_km.items():
            self._km[(a, b)] = float(km)
            self._km[(b, a)] = float(km)
        self.speed_kmh = speed_kmh

    @property
    def spec(self) -> Mapping[str, Any]:
        return {"source": "table", "speed_kmh": self.speed_kmh,
                "distances_km": [[a, b, km] for (a, b), km in sorted(self._km.items()) if a < b]}

    def matrix(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
               profile: str = "truck") -> TravelMatrix:
        km = np.array([[0.0 if o.point_id == d.point_id else self._km.get((o.point_id, d.point_id), np.inf)
                        for d in destinations] for o in origins], dtype=float).reshape(
                            len(origins), len(destinations))
        return TravelMatrix(tuple(o.point_id for o in origins), tuple(d.point_id for d in destinations),
                            km, km / self.speed_kmh, "table", profile)

    #: Table distances are whatever the table says: no great-circle floor.
    at_least_great_circle = False

    def pairs(self, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
              profile: str = "truck") -> tuple[np.ndarray, np.ndarray]:
        """Distance (km) and time (h) from ``origins[i]`` to ``destinations[i]``."""
        km = np.array([0.0 if o.point_id == d.point_id else self._km.get((o.point_id, d.point_id), np.inf)
                       for o, d in zip(origins, destinations, strict=True)], dtype=float)
        return km, km / self.speed_kmh

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> TableTravelModel:
        return cls({(a, b): km for a, b, km in spec["distances_km"]}, speed_kmh=spec["speed_kmh"])
