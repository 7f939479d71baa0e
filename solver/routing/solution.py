"""Backend-neutral routing solutions: routes as ordered visits, unserved clients, stats.

Indices point into the ``RoutingProblem`` the solution answers (see
``solver.routing.problem`` for the instance types, ``solver.routing.units`` for units and rounding).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

VisitKind = Literal["client", "unload", "break"]


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop of a route: a client, an unload facility or a driver break.

    ``index`` points into ``problem.clients`` (kind ``client``) or
    ``problem.unload_facilities`` (kind ``unload``); for a ``break`` it is the
    index of the break in the vehicle type's ``breaks``. ``start_h`` is when
    service (or the unload, or the break) starts, hours from shift start, as
    the backend scheduled it (informative; ``solver.routing.engine.schedule_route``
    recomputes schedules from the sequence).
    """

    kind: VisitKind
    index: int
    start_h: float | None = None


@dataclass(frozen=True, slots=True)
class RoutingRoute:
    """One vehicle's shift: start depot → ``visits`` → end depot.

    The start and end depots are those of ``problem.vehicle_types[vehicle_type]``.
    """

    vehicle_type: int
    visits: tuple[Visit, ...]
    departure_h: float | None = None

    def client_indices(self) -> tuple[int, ...]:
        return tuple(v.index for v in self.visits if v.kind == "client")

    @property
    def num_unloads(self) -> int:
        return sum(v.kind == "unload" for v in self.visits)


@dataclass(frozen=True, slots=True)
class UnservedClient:
    """A client no route visits, with the reason in words (Chinese and English)."""

    client: int
    reason: str


@dataclass(frozen=True, slots=True)
class RoutingSolution:
    """A backend's answer.

    ``objective_cny`` is the backend's objective converted back to CNY
    (rounded unit costs, see the module docstring); ``status`` is
    ``feasible``, ``time_limit``, ``interrupted`` or ``infeasible``;
    ``stats`` holds backend-specific numbers (iterations, time, seed).
    """

    routes: tuple[RoutingRoute, ...]
    unserved: tuple[UnservedClient, ...]
    objective_cny: float
    backend: str
    status: str
    time_s: float
    stats: Mapping[str, Any] = field(default_factory=dict)

    @property
    def num_routes(self) -> int:
        return len(self.routes)


@dataclass(frozen=True, slots=True)
class RoutingProgress:
    """A progress event for ``on_progress`` callbacks.

    ``objective_cny`` is the best feasible objective so far (``inf`` before the
    first feasible solution); ``label`` names the instance (e.g. the station).
    """

    label: str
    elapsed_s: float
    objective_cny: float
    message: str = ""
