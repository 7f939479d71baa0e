"""OSM road graphs: download (osmnx, opt-in), cache as GraphML, shortest-path matrices.

Scale decides the filter, as in practice a prefecture-wide plan needs only the
trunk network and a county plan the full drivable network:

* ``"prefecture"``: ``["highway"~"motorway|trunk|primary|secondary"]`` (and their links);
* ``"county"``: osmnx ``network_type="drive"`` (every road a car may use).

Distances are shortest paths by length on the graph (``scipy.sparse.csgraph``
Dijkstra from each distinct origin node) plus the straight-line access
distance from each point to the node it snaps to (nearest node). Times are
the fastest-path times with edge speeds capped by the profile's top speed,
plus access at ``access_speed_kmh``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geodata.settings import Settings, get_settings
from network.errors import HuishouError, InputError

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger("huishou.roads")

SCALES = ("prefecture", "county")
PREFECTURE_FILTER = ('["highway"~"motorway|motorway_link|trunk|trunk_link|primary|primary_link|'
                     'secondary|secondary_link"]')
EARTH_RADIUS_KM = 6371.0088


def graph_path(region_id: str, scale: str = "prefecture", *, settings: Settings | None = None) -> Path:
    """Where the cached GraphML of a region at a scale lives (it may not exist)."""
    settings = settings or get_settings()
    return settings.graph_dir / f"{region_id}_{scale}.graphml"


def cached_graph(region_id: str, scale: str = "prefecture", *, settings: Settings | None = None) -> Path | None:
    """The cached GraphML path if a graph for the region exists, else None."""
    path = graph_path(region_id, scale, settings=settings)
    return path if path.exists() else None


def download_graph(region_id: str, bbox: tuple[float, float, float, float], *, scale: str = "prefecture",
                   settings: Settings | None = None) -> Path:
    """Download the region's road graph with osmnx and cache it as GraphML.

    Parameters
    ----------
    region_id
        Name of the cache file.
    bbox
        ``(west, south, east, north)`` in WGS-84 degrees.
    scale
        ``"prefecture"`` (trunk to secondary roads) or ``"county"`` (all drivable roads).
    settings
        Cache folder and network permission (default: from the environment).

    Returns
    -------
    Path
        The cached GraphML file.

    Raises
    ------
    InputError
        On an unknown scale, or when network use is not allowed
        (set ``HUISHOU_ALLOW_NETWORK=1`` to allow it).
    HuishouError
        When the download fails.
    """
    settings = settings or get_settings()
    if scale not in SCALES:
        raise InputError(f"road graph scale: expected one of {', '.join(SCALES)}, got {scale!r}")
    if not settings.allow_network:
        raise InputError(f"road graph for '{region_id}' ({scale}) is not cached at "
                         f"{graph_path(region_id, scale, settings=settings)} and network use is off; "
                         "set HUISHOU_ALLOW_NETWORK=1 to download it from OpenStreetMap, or use travel='circuity'")
    import osmnx as ox

    ox.settings.use_cache = True
    ox.settings.cache_folder = str(settings.cache_dir / "osmnx_http")
    try:
        if scale == "prefecture":
            graph = ox.graph_from_bbox(bbox, network_type="drive", custom_filter=PREFECTURE_FILTER)
        else:
            graph = ox.graph_from_bbox(bbox, network_type="drive")
        graph = ox.add_edge_speeds(graph)
        graph = ox.add_edge_travel_times(graph)
    except Exception as exc:  # osmnx/requests errors become ours
        raise HuishouError(f"downloading the OSM road graph for '{region_id}' failed: {exc}") from exc
    path = graph_path(region_id, scale, settings=settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        ox.save_graphml(graph, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("cached road graph %s (%d nodes, %d edges)", path, graph.number_of_nodes(), graph.number_of_edges())
    return path


@dataclass(frozen=True, slots=True, eq=False)
class RoadArrays:
    """A road graph as arrays: node lon/lat, CSR length (m) and free-flow time (s) matrices."""

    node_lon: np.ndarray
    node_lat: np.ndarray
    length_m: csr_matrix
    time_s: csr_matrix | None
    lat0: float
    tree: cKDTree


def load_graph(path: Path) -> nx.MultiDiGraph:
    """Read a GraphML road graph written by osmnx (``ox.save_graphml``).

    Read with networkx alone (osmnx is slow to import and only needed to
    download); ``graph_arrays`` converts the text attributes it uses.

    Raises
    ------
    InputError
        If the file is missing or is not a GraphML graph.
    """
    import networkx as nx

    if not Path(path).exists():
        raise InputError(f"{Path(path).name}: road graph file not found at {path}")
    try:
        graph = nx.read_graphml(path, force_multigraph=True)
    except Exception as exc:
        raise InputError(f"{Path(path).name}: cannot read as a GraphML road graph: {exc}") from exc
    return graph if graph.is_directed() else graph.to_directed()


def graph_arrays(graph: nx.MultiDiGraph, *, max_speed_kmh: float | None = None) -> RoadArrays:
    """Turn a graph with node ``x``/``y`` (lon/lat) and edge ``length`` (m) into arrays.

    Parallel edges keep the shortest. If edges carry ``speed_kph``, the
    time matrix uses ``length / min(speed_kph, max_speed_kmh)``.

    Raises
    ------
    InputError
        If the graph is empty or nodes/edges lack coordinates or lengths.
    """
    nodes = list(graph.nodes)
    if not nodes:
        raise InputError("road graph: expected at least one node, got none")
    index = {n: i for i, n in enumerate(nodes)}
    try:
        lon = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        lat = np.array([float(graph.nodes[n]["y"]) for n in nodes])
    except KeyError as exc:
        raise InputError(f"road graph: every node needs 'x' (lon) and 'y' (lat); missing {exc}") from None
    best_len: dict[tuple[int, int], float] = {}
    best_time: dict[tuple[int, int], float] = {}
    has_speed = True
    for u, v, data in graph.edges(data=True):
        if "length" not in data:
            raise InputError(f"road graph: edge {u}->{v} has no 'length' (m)")
        key = (index[u], index[v])
        length = float(data["length"])
        if length < 0:
            raise InputError(f"road graph: edge {u}->{v} has negative length {length}")
        best_len[key] = min(best_len.get(key, np.inf), length)
        speed = data.get("speed_kph")
        if speed is None:
            has_speed = False
            continue
        try:
            speed = float(speed)
        except (TypeError, ValueError):
            has_speed = False
            continue
        if max_speed_kmh is not None:
            speed = min(speed, max_speed_kmh)
        best_time[key] = min(best_time.get(key, np.inf), length / 1000.0 / max(speed, 1e-6) * 3600.0)
    n = len(nodes)
    # csgraph treats explicit zeros as missing edges: store zero lengths as a tiny positive number.
    length_m = _csr(best_len, n)
    time_s = _csr(best_time, n) if has_speed and best_time else None
    lat0 = float(np.mean(lat))
    tree = cKDTree(np.column_stack([lon * np.cos(np.radians(lat0)), lat]))
    return RoadArrays(lon, lat, length_m, time_s, lat0, tree)


def _csr(weights: dict[tuple[int, int], float], n: int) -> csr_matrix:
    if not weights:
        return csr_matrix((n, n))
    rows, cols = zip(*weights.keys(), strict=True)
    vals = np.maximum(np.fromiter(weights.values(), dtype=float), 1e-9)
    return csr_matrix((vals, (rows, cols)), shape=(n, n))


def snap(arrays: RoadArrays, lons: Sequence[float], lats: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Nearest graph node of each point and the straight-line access distance (km)."""
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    _, idx = arrays.tree.query(np.column_stack([lons * np.cos(np.radians(arrays.lat0)), lats]))
    idx = np.asarray(idx, dtype=np.int64)
    return idx, haversine_km(lons, lats, arrays.node_lon[idx], arrays.node_lat[idx])


def road_matrices(arrays: RoadArrays, origins: tuple[np.ndarray, np.ndarray],
                  destinations: tuple[np.ndarray, np.ndarray], *, speed_kmh: float,
                  access_speed_kmh: float) -> tuple[np.ndarray, np.ndarray]:
    """Distance (km) and time (h) from each origin to each destination over the graph.

    Parameters
    ----------
    arrays
        The graph as arrays.
    origins, destinations
        ``(lons, lats)`` arrays.
    speed_kmh
        Speed used for time when the graph has no edge speeds.
    access_speed_kmh
        Speed on the straight-line access legs to and from the snapped nodes.

    Returns
    -------
    tuple of ndarray
        ``(distance_km, duration_h)``, shape (n_origins, n_destinations); ``inf`` where unreachable.
    """
    o_idx, o_access = snap(arrays, *origins)
    d_idx, d_access = snap(arrays, *destinations)
    unique_o, inverse = np.unique(o_idx, return_inverse=True)
    dist_m = dijkstra(arrays.length_m, directed=True, indices=unique_o)[:, d_idx]
    access_km = o_access[:, None] + d_access[None, :]
    km = dist_m[inverse] / 1000.0 + access_km
    if arrays.time_s is not None:
        time_h = dijkstra(arrays.time_s, directed=True, indices=unique_o)[:, d_idx][inverse] / 3600.0
    else:
        time_h = dist_m[inverse] / 1000.0 / speed_kmh
    return km, time_h + access_km / access_speed_kmh


def haversine_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Great-circle distance (km) on a sphere of radius 6371.0088 km, elementwise/broadcast."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.asarray(lon2) - np.asarray(lon1)) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
