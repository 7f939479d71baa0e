"""Sparse arcs (network.nearby) against the dense matrices they replace, and pairwise travel distances."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.travel import CircuityTravelModel, RoadGraphTravelModel
from network.geo import GeoPoint
from network.matrix import TableTravelModel
from network.nearby import count_nearby, nearby_arcs

GRAPH = Path(__file__).parents[1] / "data" / "tiny_roads.graphml"


def _points(rng: np.random.Generator, n: int, prefix: str, spread: float = 0.6) -> list[GeoPoint]:
    lon, lat = 93.5 + rng.uniform(-spread, spread, n), 42.8 + rng.uniform(-spread, spread, n)
    return [GeoPoint(f"{prefix}{i}", float(x), float(y)) for i, (x, y) in enumerate(zip(lon, lat, strict=True))]


def _dense(model, origins, destinations, limit, k):
    """What the design data did before: every pair measured, then filtered."""
    km = model.matrix(origins, destinations).distance_km
    lim = np.broadcast_to(np.asarray(limit, dtype=float), (len(origins),))
    ok = np.isfinite(km) & (km <= lim[:, None] + 1e-9)
    rows, cols = np.nonzero(ok)
    masked = np.where(ok, km, np.inf)
    kth = np.partition(masked, k - 1, axis=1)[:, k - 1] if 0 < k < km.shape[1] else np.full(len(origins), np.inf)
    return rows, cols, km[rows, cols], (masked <= kth[:, None])[rows, cols]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_o=st.integers(1, 60), n_d=st.integers(1, 40),
       limit=st.sampled_from([5.0, 20.0, 45.0, np.inf]), k=st.integers(0, 6))
def test_sparse_arcs_equal_the_dense_matrix_filtered(seed: int, n_o: int, n_d: int, limit: float, k: int) -> None:
    rng = np.random.default_rng(seed)
    origins, destinations = _points(rng, n_o, "o"), _points(rng, n_d, "d")
    model = CircuityTravelModel(1.3)
    arcs = nearby_arcs(model, origins, destinations, limit_km=limit, k=k)
    rows, cols, km, near = _dense(model, origins, destinations, limit, k)
    assert np.array_equal(arcs.rows, rows) and np.array_equal(arcs.cols, cols)
    assert np.array_equal(arcs.km, km)  # the same numbers, not merely close
    assert np.array_equal(arcs.near, near)
    assert count_nearby(model, origins, destinations, limit_km=limit) >= len(arcs)


def test_per_origin_limits_and_most_nearest_without_a_limit() -> None:
    rng = np.random.default_rng(3)
    origins, destinations = _points(rng, 30, "o"), _points(rng, 50, "d")
    model = CircuityTravelModel(1.25)
    limits = np.where(np.arange(30) % 2 == 0, 10.0, 40.0)
    arcs = nearby_arcs(model, origins, destinations, limit_km=limits)
    rows, cols, _, _ = _dense(model, origins, destinations, limits, 0)
    assert np.array_equal(arcs.rows, rows) and np.array_equal(arcs.cols, cols)
    capped = nearby_arcs(model, origins, destinations, most=7, k=2)
    km = model.matrix(origins, destinations).distance_km
    for i in range(30):
        mine = capped.cols[capped.rows == i]
        assert sorted(mine) == sorted(np.argsort(km[i], kind="stable")[:7])
        assert capped.near[capped.rows == i].sum() == 2


def test_a_table_model_without_a_great_circle_floor_is_read_densely() -> None:
    # The table says a and b are 1 km apart although they lie 100 km apart: no pruning may lose that pair.
    a, b, c = GeoPoint("a", 93.0, 42.0), GeoPoint("b", 94.2, 42.0), GeoPoint("c", 93.01, 42.0)
    model = TableTravelModel({("a", "b"): 1.0, ("a", "c"): 50.0})
    arcs = nearby_arcs(model, [a], [b, c], limit_km=10.0)
    assert list(arcs.cols) == [0] and list(arcs.km) == [1.0]


def test_pairs_give_the_matrix_numbers() -> None:
    rng = np.random.default_rng(5)
    origins, destinations = _points(rng, 20, "o"), _points(rng, 20, "d")
    origins[3] = destinations[3]
    for model in (CircuityTravelModel(1.35), TableTravelModel({("o1", "d1"): 4.0, ("o2", "d5"): 7.5})):
        km, hours = model.pairs(origins, destinations)
        matrix = model.matrix(origins, destinations)
        assert np.array_equal(km, np.diag(matrix.distance_km)) and np.array_equal(hours, np.diag(matrix.duration_h))
    assert CircuityTravelModel(1.35).pairs(origins, destinations)[0][3] == 0.0


def test_road_graph_pairs_match_its_matrix_in_blocks() -> None:
    model = RoadGraphTravelModel(GRAPH)
    rng = np.random.default_rng(8)
    points = _points(rng, 12, "p", spread=0.05)
    origins = [points[i] for i in rng.integers(0, 12, 40)]
    destinations = [points[i] for i in rng.integers(0, 12, 40)]
    km, hours = model.pairs(origins, destinations, profile="car", block=3)
    matrix = model.matrix(origins, destinations, profile="car")
    assert np.allclose(km, np.diag(matrix.distance_km)) and np.allclose(hours, np.diag(matrix.duration_h))
    with pytest.raises(Exception, match="as many origins as destinations"):
        model.pairs(origins, destinations[:3])
