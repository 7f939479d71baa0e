"""Backend-neutral collection-routing instances and solutions.

A ``RoutingProblem`` is one station's routing day (or week) stated in floats
and plain units: locations with distance (km) and duration (h) matrices, the
depots vehicles start and end at, the unloading facilities (卸货点: the
transfer station itself, others optional) where a vehicle empties mid-shift,
the clients (collection points, mobile-collection villages) with demand in
tonnes *and* cubic metres, and the vehicle types. A ``RoutingSolution`` is the
answer: one ``RoutingRoute`` per vehicle used, each an ordered tuple of
``Visit`` (client visits, unload visits and, on the OR-Tools backend, driver
breaks), plus the clients left unserved with the reason.

The model is the multi-trip vehicle routing problem with intermediate
facilities (MT-VRP-IF) and time windows:

    minimise   Σ_routes [fixed_k + c_km,k · km(r) + c_h,k · (return − departure)]
             + Σ_optional clients not visited  penalty_i
    subject to  load (t and m³) between two unloads ≤ capacity of the vehicle type,
                departure ≥ 0, return − departure ≤ shift_h, return ≤ shift_h,
                service of client i starts in [tw_early_i, tw_late_i],
                at most ``count`` vehicles of each type, every required client
                visited exactly once.

Formulation after Crevier, Cordeau & Laporte (2007), "The multi-depot vehicle
routing problem with inter-depot routes", EJOR 176(2): 756-773, and the
reload formulation of PyVRP (Wouda, Lan & Kool 2024, "PyVRP: a high-performance
VRP solver package", INFORMS J. Computing 36(4): 943-955).

Time conventions
----------------
Hours count from the start of the shift (``0.0``). A vehicle departs its
start depot at some time ≥ 0 (backends choose the latest departure that does
not lengthen the route), travels, waits if it arrives before a client's
``tw_early_h``, serves the client for ``service_h``; at an unload visit it
spends the facility's ``unload_h``. The final unload on return to the end
depot is the station's receiving work and not part of the route's duration.

Integer scaling and rounding: see :mod:`solver.routing.units`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from network.errors import InputError


def _nonneg(problems: list[str], label: str, name: str, value: float, *, allow_inf: bool = False) -> None:
    if math.isnan(value) or value < 0 or (math.isinf(value) and not allow_inf):
        problems.append(f"{label}, field '{name}': expected a non-negative "
                        f"{'number or inf' if allow_inf else 'finite number'}, got {value!r}")


@dataclass(frozen=True, slots=True)
class RoutingDepot:
    """Where vehicles start or end their shift (usually the transfer station).

    ``location`` indexes ``RoutingProblem.location_ids``.
    """

    depot_id: str
    location: int


@dataclass(frozen=True, slots=True)
class UnloadFacility:
    """A place where a vehicle empties mid-shift (卸货点), taking ``unload_h`` hours."""

    facility_id: str
    location: int
    unload_h: float = 0.0

    def __post_init__(self) -> None:
        problems: list[str] = []
        _nonneg(problems, f"unload facility {self.facility_id}", "unload_h", self.unload_h)
        if problems:
            raise InputError(problems)


@dataclass(frozen=True, slots=True)
class RoutingClient:
    """A place to collect from (collection point, or a village served by mobile collection).

    Parameters
    ----------
    client_id
        The point's or village's id.
    location
        Index into ``RoutingProblem.location_ids``.
    demand_t, demand_m3
        What is collected on the visit, tonnes and cubic metres.
    service_h
        Time on site, hours.
    tw_early_h, tw_late_h
        Service must start in this window, hours from shift start
        (``0`` and ``inf``: no window).
    required
        A required client must be visited; an optional one may be skipped at
        ``penalty_cny``.
    penalty_cny
        Cost of skipping an optional client, CNY.

    Raises
    ------
    InputError
        On negative amounts or an empty time window.
    """

    client_id: str
    location: int
    demand_t: float
    demand_m3: float = 0.0
    service_h: float = 0.0
    tw_early_h: float = 0.0
    tw_late_h: float = math.inf
    required: bool = True
    penalty_cny: float = 0.0

    def __post_init__(self) -> None:
        problems: list[str] = []
        label = f"client {self.client_id}"
        for name in ("demand_t", "demand_m3", "service_h", "tw_early_h", "penalty_cny"):
            _nonneg(problems, label, name, getattr(self, name))
        _nonneg(problems, label, "tw_late_h", self.tw_late_h, allow_inf=True)
        if self.tw_late_h < self.tw_early_h:
            problems.append(f"{label}, fields 'tw_early_h'/'tw_late_h': expected early <= late, "
                            f"got {self.tw_early_h} > {self.tw_late_h}")
        if problems:
            raise InputError(problems)


@dataclass(frozen=True, slots=True)
class DriverBreak:
    """A driver break of ``duration_h`` starting between ``earliest_h`` and ``latest_h``.

    Only the OR-Tools backend models breaks (``backend="auto"`` picks it when
    any vehicle type has one).
    """

    duration_h: float
    earliest_h: float
    latest_h: float

    def __post_init__(self) -> None:
        problems: list[str] = []
        for name in ("duration_h", "earliest_h", "latest_h"):
            _nonneg(problems, "driver break", name, getattr(self, name))
        if self.latest_h < self.earliest_h:
            problems.append(f"driver break: expected earliest_h <= latest_h, got "
                            f"{self.earliest_h} > {self.latest_h}")
        if problems:
            raise InputError(problems)


@dataclass(frozen=True, slots=True)
class RoutingVehicleType:
    """A kind of vehicle at one depot.

    Parameters
    ----------
    name
        Vehicle type name (e.g. ``"light_truck"``).
    count
        Vehicles of this type available (at most this many are used).
    capacity_t, capacity_m3
        Load limits between two unloads, tonnes and m³ (``inf``: unbounded).
    fixed_cost_cny
        Cost of using one vehicle for the shift, CNY.
    cost_per_km_cny, cost_per_h_cny
        Running cost per km driven and per hour on the route (return − departure).
    shift_h
        Latest return and longest route, hours from shift start (``inf``: none).
    start_depot, end_depot
        Indices into ``RoutingProblem.depots``.
    unload_facilities
        Indices into ``RoutingProblem.unload_facilities`` this type may
        unload at; ``None`` means all of them, ``()`` none (single trip).
    max_unloads
        Most mid-route unloads per route, or ``None`` for no limit (the
        OR-Tools backend needs a bound and derives one from the demand).
    breaks
        Driver breaks (OR-Tools backend only).
    vehicle_class
        Key into ``CostParams.co2_kg_per_t_km`` for CO₂ reporting.

    Raises
    ------
    InputError
        On non-positive capacity or count < 0, or negative costs.
    """

    name: str
    count: int
    capacity_t: float
    capacity_m3: float = math.inf
    fixed_cost_cny: float = 0.0
    cost_per_km_cny: float = 1.0
    cost_per_h_cny: float = 0.0
    shift_h: float = math.inf
    start_depot: int = 0
    end_depot: int = 0
    unload_facilities: tuple[int, ...] | None = None
    max_unloads: int | None = None
    breaks: tuple[DriverBreak, ...] = ()
    vehicle_class: str = ""

    def __post_init__(self) -> None:
        problems: list[str] = []
        label = f"vehicle type {self.name}"
        if self.count < 0:
            problems.append(f"{label}, field 'count': expected >= 0, got {self.count}")
        for name in ("capacity_t", "capacity_m3", "shift_h"):
            value = getattr(self, name)
            if math.isnan(value) or value <= 0:
                problems.append(f"{label}, field '{name}': expected a positive number, got {value!r}")
        for name in ("fixed_cost_cny", "cost_per_km_cny", "cost_per_h_cny"):
            _nonneg(problems, label, name, getattr(self, name))
        if self.max_unloads is not None and self.max_unloads < 0:
            problems.append(f"{label}, field 'max_unloads': expected >= 0, got {self.max_unloads}")
        if problems:
            raise InputError(problems)


@dataclass(frozen=True, slots=True, eq=False)
class RoutingProblem:
    """One routing instance: locations, matrices, depots, facilities, clients, fleet.

    ``distance_km[i, j]`` and ``duration_h[i, j]`` are over ``location_ids``
    (any order; depots, facilities and clients point into it, and may share
    a location: the station is usually both depot and unload facility).
    ``inf`` marks an unreachable pair. ``name`` labels messages.

    Raises
    ------
    InputError
        On mismatched matrix shapes, negative or NaN entries, indices out of
        range, or duplicate client ids; all problems are reported together.
    """

    name: str
    location_ids: tuple[str, ...]
    distance_km: np.ndarray
    duration_h: np.ndarray
    depots: tuple[RoutingDepot, ...]
    clients: tuple[RoutingClient, ...]
    vehicle_types: tuple[RoutingVehicleType, ...]
    unload_facilities: tuple[UnloadFacility, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[str] = []
        n = len(self.location_ids)
        dist = np.array(self.distance_km, dtype=float)
        dur = np.array(self.duration_h, dtype=float)
        for label, array in (("distance_km", dist), ("duration_h", dur)):
            if array.shape != (n, n):
                problems.append(f"routing problem {self.name}, '{label}': expected shape {(n, n)}, "
                                f"got {array.shape}")
            elif np.isnan(array).any() or (array < 0).any():
                problems.append(f"routing problem {self.name}, '{label}': expected non-negative "
                                "numbers (inf for unreachable), found NaN or negative entries")
        dist.setflags(write=False)
        dur.setflags(write=False)
        object.__setattr__(self, "distance_km", dist)
        object.__setattr__(self, "duration_h", dur)
        if not self.depots:
            problems.append(f"routing problem {self.name}: expected at least one depot")
        for kind, items in (("depot", self.depots), ("client", self.clients),
                            ("unload facility", self.unload_facilities)):
            for item in items:
                if not 0 <= item.location < n:
                    problems.append(f"routing problem {self.name}, {kind} "
                                    f"{getattr(item, kind.split()[-1] + '_id', '?')}: location "
                                    f"{item.location} out of range 0..{n - 1}")
        seen: set[str] = set()
        for client in self.clients:
            if client.client_id in seen:
                problems.append(f"routing problem {self.name}: duplicate client id '{client.client_id}'")
            seen.add(client.client_id)
        for vt in self.vehicle_types:
            for name in ("start_depot", "end_depot"):
                if not 0 <= getattr(vt, name) < len(self.depots):
                    problems.append(f"vehicle type {vt.name}, field '{name}': depot index "
                                    f"{getattr(vt, name)} out of range")
            for f in vt.unload_facilities or ():
                if not 0 <= f < len(self.unload_facilities):
                    problems.append(f"vehicle type {vt.name}, field 'unload_facilities': index {f} "
                                    "out of range")
        if problems:
            raise InputError(problems)

    # -- convenience ------------------------------------------------------
    def facilities_of(self, vehicle_type: int) -> tuple[int, ...]:
        """Indices of the unload facilities vehicle type ``vehicle_type`` may use."""
        allowed = self.vehicle_types[vehicle_type].unload_facilities
        return tuple(range(len(self.unload_facilities))) if allowed is None else allowed

    @property
    def has_breaks(self) -> bool:
        return any(vt.breaks for vt in self.vehicle_types)

    @property
    def has_time_windows(self) -> bool:
        return any(c.tw_early_h > 0 or not math.isinf(c.tw_late_h) for c in self.clients)

    @classmethod
    def cvrp(cls, coords: Sequence[tuple[float, float]], demands: Sequence[float], capacity: float, *,
             num_vehicles: int | None = None, name: str = "cvrp",
             distance: Literal["nint", "exact"] = "nint") -> RoutingProblem:
        """The capacitated VRP special case (CVRPLIB A, B, P, X sets).

        Location 0 is the depot; the others are clients with ``demands[i]``
        (``demands[0]`` is ignored). Distances are Euclidean between
        ``coords`` taken as km, rounded to the nearest integer (``"nint"``,
        TSPLIB ``EUC_2D``) or exact; durations are zero, no shift limit, no
        unloading, cost 1 per km.

        Parameters
        ----------
        coords
            (x, y) per location, depot first.
        demands
            Demand per location, same units as ``capacity`` (taken as tonnes).
        capacity
            Vehicle capacity.
        num_vehicles
            At most this many routes (CVRPLIB's K); ``None``: a free fleet
            (as many vehicles as clients). The A/B/P optima use exactly K;
            a free fleet may find cheaper solutions with fewer or more routes.
        name
            Instance name.
        distance
            ``"nint"`` (default) or ``"exact"`` Euclidean distances.

        Raises
        ------
        InputError
            If lengths differ or there is no client.
        """
        xy = np.asarray(coords, dtype=float)
        if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) != len(demands) or len(xy) < 2:
            raise InputError(f"cvrp {name}: expected matching coords (n × 2) and demands with n >= 2, "
                             f"got {xy.shape} coords and {len(demands)} demands")
        diff = xy[:, None, :] - xy[None, :, :]
        km = np.sqrt((diff ** 2).sum(axis=2))
        if distance == "nint":
            km = np.floor(km + 0.5)
        ids = tuple(str(i) for i in range(len(xy)))
        clients = tuple(RoutingClient(ids[i], i, float(demands[i])) for i in range(1, len(xy)))
        count = num_vehicles if num_vehicles is not None else len(clients)
        fleet = (RoutingVehicleType("vehicle", count, float(capacity), unload_facilities=()),)
        return cls(name, ids, km, np.zeros_like(km), (RoutingDepot(ids[0], 0),), clients, fleet,
                   meta={"class": "cvrp", "num_vehicles": num_vehicles})
