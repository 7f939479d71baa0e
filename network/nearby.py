"""Sparse arcs between two point sets: the pairs within a road distance, and each origin's nearest.

A dense origin × destination matrix grows with the product of the sets: a
province's 22,000 villages × 13,000 candidate sites are 290 million pairs,
about 4.6 GB for distances and times alone, where a village within a 30 km
coverage radius reaches about a hundred sites. The design model needs only
the pairs a plan may use, so the arcs are found without the matrix:

1. Candidates from a k-d tree (``scipy.spatial.cKDTree``) on unit vectors of
   the sphere. The chord between two unit vectors grows with their great-circle
   distance, so a ball of chord ``2·sin(d / 2R)`` holds exactly the points
   within great-circle distance ``d``, anywhere in China, without a projection.
2. Road distances only for those candidates (``TravelModel.pairs``). A travel
   model whose road distance is never shorter than the great circle
   (``at_least_great_circle``: the circuity model, road graphs) loses no pair
   by step 1. Any other model (distance tables of tests) is read as a dense
   matrix in row blocks of bounded size.

With ``most``, each origin keeps at most its ``most`` nearest destinations
within the limit by great circle (the k-d tree's k-nearest query), ranked
again by road distance: exact for the circuity model, whose road distance is
the great circle's times a constant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from network.geo import GeoPoint
from network.matrix import TravelModel

#: Mean earth radius (km) of every great-circle distance in the project.
EARTH_RADIUS_KM = 6371.0088
#: Pairs per block when a travel model must be read as a dense matrix.
BLOCK_PAIRS = 1_000_000


@dataclass(frozen=True, slots=True)
class Arcs:
    """Origin–destination pairs (indices into the two sets) with road km, ordered by origin, then km.

    ``near`` marks the pairs among their origin's ``k`` nearest (ties kept).
    """

    rows: np.ndarray
    cols: np.ndarray
    km: np.ndarray
    near: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


def unit_vectors(points: Sequence[GeoPoint]) -> np.ndarray:
    """(n, 3) unit vectors of WGS-84 lon/lat on the sphere."""
    lon = np.radians(np.array([p.lon for p in points], dtype=float))
    lat = np.radians(np.array([p.lat for p in points], dtype=float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]).reshape(-1, 3)


def chord(km: np.ndarray | float) -> np.ndarray:
    """Chord length on the unit sphere of a great-circle distance in km (capped at the antipode)."""
    return 2.0 * np.sin(np.minimum(np.asarray(km, dtype=float), math.pi * EARTH_RADIUS_KM) / (2 * EARTH_RADIUS_KM))


def great_circle_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle km between unit vectors ``a`` and ``b`` (broadcast against each other).

    The chord ``c`` between two unit vectors has ``c² = 2 − 2·p·q`` and the
    arc is ``2R·asin(c/2)``; the dot product is summed in one fixed order, so a
    pair's distance is the same number whether it is computed alone or in a
    matrix. Identical points are exactly 0 km apart.
    """
    dot = a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]
    km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(2.0 - 2.0 * dot, 0.0, 4.0)) / 2.0)
    same = (a[..., 0] == b[..., 0]) & (a[..., 1] == b[..., 1]) & (a[..., 2] == b[..., 2])
    return np.where(same, 0.0, km)


def _floored(travel: TravelModel) -> bool:
    return bool(getattr(travel, "at_least_great_circle", False)) and hasattr(travel, "pairs")


def count_nearby(travel: TravelModel, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
                 limit_km: float | np.ndarray, most: int = 0) -> int:
    """How many candidate pairs :func:`nearby_arcs` will measure (an upper bound on its arcs), cheaply.

    Used to estimate memory before any distance is computed.
    """
    n_o, n_d = len(origins), len(destinations)
    if not n_o or not n_d:
        return 0
    limit = np.broadcast_to(np.asarray(limit_km, dtype=float), (n_o,))
    finite = np.isfinite(limit)
    per_row = min(most, n_d) if most > 0 else n_d
    if not _floored(travel) or not finite.any():
        return n_o * per_row
    if most > 0:
        return len(_candidates(unit_vectors(origins), unit_vectors(destinations), np.asarray(limit), most)[0])
    tree = cKDTree(unit_vectors(destinations))
    ov = unit_vectors(origins)
    counted = int((~finite).sum()) * per_row
    for value in np.unique(limit[finite]):
        counted += int(cKDTree(ov[limit == value]).count_neighbors(tree, float(chord(value)) + 1e-12))
    return counted


def nearby_arcs(travel: TravelModel, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint], *,
                limit_km: float | np.ndarray = math.inf, k: int = 0, most: int = 0,
                profile: str = "truck") -> Arcs:
    """The pairs with road distance ≤ ``limit_km`` (one limit, or one per origin), and which are near.

    Parameters
    ----------
    travel
        The scenario's travel model.
    origins, destinations
        The two point sets.
    limit_km
        Largest road distance of an arc; ``inf`` for none.
    k
        ``near`` marks each origin's ``k`` nearest arcs (0: all).
    most
        Keep at most each origin's ``most`` nearest within the limit (0: all).
    profile
        Vehicle profile of the distances.

    Returns
    -------
    Arcs
        Ordered by origin, then road km; unreachable pairs (``inf``) are left out.
    """
    n_o, n_d = len(origins), len(destinations)
    limit = np.broadcast_to(np.asarray(limit_km, dtype=float), (n_o,)).copy()
    if not n_o or not n_d:
        empty = np.zeros(0, dtype=np.int64)
        return Arcs(empty, empty, np.zeros(0), np.zeros(0, dtype=bool))
    if _floored(travel):
        ov, dv = unit_vectors(origins), unit_vectors(destinations)
        rows, cols = _candidates(ov, dv, limit, most)
        if not len(rows):
            km = np.zeros(0)
        elif hasattr(travel, "pairs_by_index"):
            km = travel.pairs_by_index(origins, destinations, rows, cols, profile=profile)[0]
        else:
            km = travel.pairs([origins[i] for i in rows], [destinations[j] for j in cols], profile=profile)[0]
    else:
        rows, cols, km = _dense_blocks(travel, origins, destinations, profile)
    keep = np.isfinite(km) & (km <= limit[rows] + 1e-9)
    rows, cols, km = rows[keep], cols[keep], km[keep]
    if most > 0:
        keep = _rank_in_row(rows, km) < most
        rows, cols, km = rows[keep], cols[keep], km[keep]
    order = np.argsort(rows * n_d + cols, kind="stable")
    rows, cols, km = rows[order].astype(np.int64), cols[order].astype(np.int64), km[order]
    near = np.ones(len(rows), dtype=bool)
    if k > 0 and len(km):
        # The k-th smallest km of each row; every arc no longer than it is near (ties kept).
        by_km = km[np.lexsort((km, rows))]  # each row's block stays in place, sorted by km
        starts = np.searchsorted(rows, np.arange(n_o))
        counts = np.searchsorted(rows, np.arange(n_o), side="right") - starts
        kth = np.full(n_o, np.inf)
        full = counts >= k
        kth[full] = by_km[starts[full] + k - 1]
        near = km <= kth[rows]
    return Arcs(rows, cols, km, near)


def _rank_in_row(rows: np.ndarray, km: np.ndarray) -> np.ndarray:
    order = np.lexsort((km, rows))
    rank = np.empty(len(rows), dtype=np.int64)
    sorted_rows = rows[order]
    starts = np.searchsorted(sorted_rows, sorted_rows)
    rank[order] = np.arange(len(rows)) - starts
    return rank


def _nearest_within(tree: cKDTree, ov: np.ndarray, radius: float, take: int) -> tuple[np.ndarray, np.ndarray]:
    """(origin, destination) of each origin's ``take`` nearest within chord ``radius`` (inf: no radius)."""
    if take == 1:
        dist, idx = tree.query(ov, k=[1], distance_upper_bound=radius)
    else:
        dist, idx = tree.query(ov, k=take, distance_upper_bound=radius)
    dist, idx = dist.reshape(len(ov), -1), idx.reshape(len(ov), -1)
    found = np.isfinite(dist)
    return np.nonzero(found)[0].astype(np.int64), idx[found].astype(np.int64)


def _candidates(ov: np.ndarray, dv: np.ndarray, limit: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs within great-circle ``limit``, at most each origin's ``most`` nearest (0: all); one k-d tree
    query per distinct limit, numpy arrays throughout, no per-pair Python object."""
    tree = cKDTree(dv)
    n_d = len(dv)
    take = n_d if most <= 0 or most >= n_d else most
    rows: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    cols: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for value in np.unique(limit):
        group = np.flatnonzero(limit == value) if np.isfinite(value) else np.flatnonzero(~np.isfinite(limit))
        radius = float(chord(value)) + 1e-12 if np.isfinite(value) else np.inf
        if take == n_d and np.isfinite(value):
            found = cKDTree(ov[group]).sparse_distance_matrix(tree, radius, output_type="ndarray")
            r, c = found["i"].astype(np.int64), found["j"].astype(np.int64)
        elif take == n_d:
            r, c = np.repeat(np.arange(len(group)), n_d), np.tile(np.arange(n_d), len(group))
        else:
            r, c = _nearest_within(tree, ov[group], radius, take)
        rows.append(group[r])
        cols.append(c)
        if not np.isfinite(value):
            break  # every unbounded origin is done
    return np.concatenate(rows), np.concatenate(cols)


def _dense_blocks(travel: TravelModel, origins: Sequence[GeoPoint], destinations: Sequence[GeoPoint],
                  profile: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair, read from the model's dense matrix a block of origins at a time."""
    step = max(1, BLOCK_PAIRS // len(destinations))
    rows, cols, kms = [], [], []
    for start in range(0, len(origins), step):
        block = travel.matrix(origins[start:start + step], destinations, profile=profile).distance_km
        r, c = np.nonzero(np.isfinite(block))
        rows.append(r + start)
        cols.append(c)
        kms.append(block[r, c])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(kms)
