"""Per-tonne transport options from each source to each candidate base (road or rail).

Road: ``road km × road_rate[stream]`` (whole blades: ``× whole_blade_rate`` plus
the oversize permit and escort charge per tonne). Cut blades pay the on-site
cutting cost per tonne whatever the mode.

Rail (not for whole blades): when the source and the base each have a railway
station within ``rail_access_km`` road km (the nearest one), and the two stations
differ: drayage ``(source→station + station→base) × road_rate`` + ``rail km ×
rail_rate`` + handling; rail km are the road km between the stations. The cheaper
mode is used. CO2: road legs at ``co2_kg_per_t_km["heavy_truck"]`` (whole blades
``"oversize_truck"``), rail at ``["rail"]`` (``network.params.CostParams``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from network.bases_params import BasesParams
from network.geo import GeoPoint
from network.params import CostParams
from network.scenario import Scenario
from network.streams import MaterialStream


@dataclass(frozen=True, slots=True)
class Arc:
    """Shipping one stream from source ``i`` to base ``j`` by the cheaper mode."""

    i: int
    j: int
    stream: MaterialStream
    mode: str
    cost_cny_per_t: float
    km: float
    co2_kg_per_t: float


def _co2(costs: CostParams, key: str) -> float:
    return float(costs.co2_kg_per_t_km.get(key, 0.0))


def stream_road_cost(stream: MaterialStream, km: float, params: BasesParams) -> tuple[float, str]:
    """Road cost per tonne over ``km`` and the vehicle class used."""
    if stream is MaterialStream.WIND_BLADES and params.blade_transport == "whole":
        return km * params.whole_blade_rate_cny_per_t_km + params.whole_blade_permit_cny_per_t, "oversize_truck"
    cost = km * params.road_rate_cny_per_t_km[stream.value]
    if stream is MaterialStream.WIND_BLADES:
        cost += params.blade_cutting_cny_per_t
    return cost, "heavy_truck"


def nearest_station(matrix_km: np.ndarray, limit_km: float) -> np.ndarray:
    """Index of the nearest station per row within ``limit_km``, or -1."""
    if matrix_km.shape[1] == 0:
        return np.full(matrix_km.shape[0], -1)
    best = np.argmin(matrix_km, axis=1)
    ok = matrix_km[np.arange(len(best)), best] <= limit_km
    return np.where(ok, best, -1)


def build_arcs(scenario: Scenario, sources: Sequence[GeoPoint], bases: Sequence[GeoPoint],
               streams: Sequence[MaterialStream], params: BasesParams,
               groups: Sequence[str] | None = None,
               extra: Collection[tuple[int, int]] = ()) -> tuple[list[Arc], np.ndarray]:
    """Cheapest-mode arcs from each source to its ``k_nearest`` bases within ``max_distance_km``.

    With ``groups`` (e.g. the prefecture of each base), each source is also linked to the
    nearest base of every group within ``max_distance_km``, so a small prefecture's
    tonnes can reach a base elsewhere. ``extra`` (source index, base index) pairs are
    linked too when within ``max_distance_km`` (``solver.bases.solve`` adds open bases near
    unserved sources this way). Returns the arcs and the source × base road-km matrix.
    """
    travel = scenario.travel
    road = travel.matrix(sources, bases).distance_km
    stations = [s.point for s in scenario.rail_stations]
    rail_ok = bool(stations)
    if rail_ok:
        src_st = travel.matrix(sources, stations).distance_km
        base_st = travel.matrix(bases, stations).distance_km
        a = nearest_station(src_st, params.rail_access_km)
        b = nearest_station(base_st, params.rail_access_km)
        used_a = sorted({int(x) for x in a if x >= 0})
        used_b = sorted({int(x) for x in b if x >= 0})
        st_st = (travel.matrix([stations[k] for k in used_a], [stations[k] for k in used_b]).distance_km
                 if used_a and used_b else np.zeros((0, 0)))
        pos_a = {k: n for n, k in enumerate(used_a)}
        pos_b = {k: n for n, k in enumerate(used_b)}
    costs = scenario.costs
    extra_of: dict[int, set[int]] = {}
    for i, j in extra:
        extra_of.setdefault(i, set()).add(j)
    arcs: list[Arc] = []
    for i in range(len(sources)):
        within = np.isfinite(road[i]) & (road[i] <= params.max_distance_km)
        reach = np.flatnonzero(within)
        if params.k_nearest and len(reach) > params.k_nearest:
            ordered = reach[np.argsort(road[i, reach], kind="stable")]
            keep = set(ordered[: params.k_nearest].tolist())
            if groups is not None:
                seen: set[str] = set()
                for j in ordered.tolist():
                    if groups[j] not in seen:
                        seen.add(groups[j])
                        keep.add(j)
            keep.update(j for j in extra_of.get(i, ()) if within[j])
            reach = np.array(sorted(keep), dtype=np.int64)
        for j in sorted(int(x) for x in reach):
            km = float(road[i, j])
            for stream in streams:
                cost, vclass = stream_road_cost(stream, km, params)
                best = Arc(i, j, stream, "road", cost, km, km * _co2(costs, vclass))
                whole = stream is MaterialStream.WIND_BLADES and params.blade_transport == "whole"
                if rail_ok and not whole and a[i] >= 0 and b[j] >= 0 and a[i] != b[j]:
                    drayage = float(src_st[i, a[i]] + base_st[j, b[j]])
                    rail_km = float(st_st[pos_a[int(a[i])], pos_b[int(b[j])]])
                    if math.isfinite(rail_km):
                        rail_cost = (drayage * params.road_rate_cny_per_t_km[stream.value]
                                     + rail_km * params.rail_rate_cny_per_t_km + params.rail_handling_cny_per_t
                                     + (params.blade_cutting_cny_per_t if stream is MaterialStream.WIND_BLADES
                                        else 0.0))
                        if rail_cost < cost - 1e-9:
                            best = Arc(i, j, stream, "rail", rail_cost, drayage + rail_km,
                                       drayage * _co2(costs, "heavy_truck") + rail_km * _co2(costs, "rail"))
                arcs.append(best)
    return arcs, road
