"""Road-graph matrices on the bundled hand-made graph, against hand-computed shortest paths.

tests/data/tiny_roads.graphml (made by hand, not OSM data), lengths in m:
1–2 2000 (and a parallel 2600 track), 2–3 2000, 1–4 3500, 4–3 2500 (two-way,
50 km/h), 1→3 3900 one-way at 20 km/h; node 5 is isolated.
"""

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from geodata import roads
from geodata.settings import Settings
from geodata.travel import CircuityTravelModel, RoadGraphTravelModel, build_travel_model
from network.errors import InputError
from network.geo import GeoPoint
from network.scenario import travel_model_from_spec

GRAPH = Path(__file__).parents[1] / "data" / "tiny_roads.graphml"
NODES = {1: (93.50, 42.80), 2: (93.52, 42.80), 3: (93.54, 42.80), 4: (93.52, 42.82), 5: (93.60, 42.90)}
INF = math.inf
# Hand-computed shortest distances (km), rows/columns nodes 1..5.
EXPECTED_KM = np.array([
    [0.0, 2.0, 3.9, 3.5, INF],   # 1→3 by the one-way track (3.9 < 2.0 + 2.0)
    [2.0, 0.0, 2.0, 4.5, INF],   # 2→4 via 3 (2.0 + 2.5) beats via 1 (2.0 + 3.5)
    [4.0, 2.0, 0.0, 2.5, INF],   # 3→1 has no track back: 3→2→1
    [3.5, 4.5, 2.5, 0.0, INF],
    [INF, INF, INF, INF, 0.0],
])


def _points() -> list[GeoPoint]:
    return [GeoPoint(f"n{n}", lon, lat) for n, (lon, lat) in NODES.items()]


def test_distances_match_hand_computed_shortest_paths() -> None:
    matrix = RoadGraphTravelModel(GRAPH).matrix(_points(), _points(), profile="car")
    assert matrix.source == "osm"
    np.testing.assert_allclose(matrix.distance_km, EXPECTED_KM, atol=1e-9)


def test_times_are_fastest_paths_with_speeds_capped_by_profile() -> None:
    model = RoadGraphTravelModel(GRAPH)
    car = model.matrix(_points()[:1], _points()[2:3], profile="car")
    # 1→3: the 3.9 km track at 20 km/h takes 0.195 h; 1→2→3 (4 km at 50 km/h) takes 0.08 h.
    assert car.duration("n1", "n3") == pytest.approx(4.0 / 50.0)
    assert car.distance("n1", "n3") == pytest.approx(3.9)
    truck = model.matrix(_points()[:1], _points()[2:3], profile="truck")
    assert truck.duration("n1", "n3") == pytest.approx(4.0 / 45.0)  # truck top speed 45 km/h


def test_points_off_the_graph_add_straight_access_legs() -> None:
    near_2 = GeoPoint("p", 93.52, 42.801)  # 0.001° north of node 2
    access_km = float(roads.haversine_km(93.52, 42.80, 93.52, 42.801))
    assert access_km == pytest.approx(0.1112, abs=1e-3)
    matrix = RoadGraphTravelModel(GRAPH).matrix([near_2], _points()[2:3], profile="car")
    assert matrix.distance("p", "n3") == pytest.approx(2.0 + access_km)
    assert matrix.duration("p", "n3") == pytest.approx(2.0 / 50.0 + access_km / 15.0)


def test_spec_round_trips_through_the_factory_registry() -> None:
    model = RoadGraphTravelModel(GRAPH)
    again = travel_model_from_spec(model.spec)
    assert isinstance(again, RoadGraphTravelModel)
    np.testing.assert_allclose(again.matrix(_points(), _points(), profile="car").distance_km, EXPECTED_KM)
    circuity = travel_model_from_spec(CircuityTravelModel(1.3, region_id="hami").spec)
    assert isinstance(circuity, CircuityTravelModel) and circuity.circuity == 1.3


def test_auto_uses_a_cached_graph_and_falls_back_to_circuity(tmp_path: Path) -> None:
    settings = Settings(tmp_path)
    model, note = build_travel_model("hami", settings=settings)
    assert isinstance(model, CircuityTravelModel) and "circuity 1.35" in note and "no cached road graph" in note
    with pytest.raises(InputError, match="needs a cached road graph"):
        build_travel_model("hami", travel="osm", settings=settings)
    settings.graph_dir.mkdir(parents=True)
    shutil.copy(GRAPH, roads.graph_path("hami", settings=settings))
    model, note = build_travel_model("hami", settings=settings)
    assert isinstance(model, RoadGraphTravelModel) and "OSM road graph" in note
    assert model.graphml.name == "hami_prefecture.graphml"
    shutil.copy(GRAPH, roads.graph_path("hami", "county", settings=settings))
    model, _ = build_travel_model("hami", settings=settings)
    assert model.graphml.name == "hami_county.graphml"  # the finer graph wins


def test_download_is_refused_without_permission(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="HUISHOU_ALLOW_NETWORK=1"):
        roads.download_graph("hami", (93.0, 42.5, 94.0, 43.0), settings=Settings(tmp_path, allow_network=False))
    with pytest.raises(InputError, match="scale"):
        roads.download_graph("hami", (93.0, 42.5, 94.0, 43.0), scale="city", settings=Settings(tmp_path))


def test_unknown_profile_and_missing_graph_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="travel profile"):
        RoadGraphTravelModel(GRAPH).matrix(_points(), _points(), profile="rocket")
    with pytest.raises(InputError, match="not found"):
        RoadGraphTravelModel(tmp_path / "none.graphml").matrix(_points(), _points())


def test_circuity_model_matches_a_hand_computed_meridian_arc() -> None:
    model = CircuityTravelModel(1.25)
    a, b = GeoPoint("a", 113.0, 40.0), GeoPoint("b", 113.0, 41.0)
    matrix = model.matrix([a], [b])
    arc_km = 6371.0088 * math.pi / 180.0  # one degree of a great circle
    assert matrix.distance("a", "b") == pytest.approx(1.25 * arc_km)
    assert matrix.duration("a", "b") == pytest.approx(1.25 * arc_km / 45.0)
    with pytest.raises(InputError, match="expected a number >= 1"):
        CircuityTravelModel(0.9)


def test_all_pairs_great_circle_matches_haversine_and_zero_on_the_diagonal() -> None:
    from geodata.travel import great_circle_km

    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(73, 135, 200), rng.uniform(18, 53, 200)
    fast = great_circle_km(lon, lat, lon, lat)
    slow = roads.haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.testing.assert_allclose(fast, slow, atol=1e-4)  # 0.1 m
    assert np.all(np.diag(fast) == 0.0)
