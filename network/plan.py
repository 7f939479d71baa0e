"""``Plan``: what every model returns, and what maps, reports and checkers read.

One type serves the three-tier network design, the collection routes and the
recycling-base siting; each fills the parts it decides. Amounts are per year
unless a ``year`` is given (multi-period plans).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from network.sites import Tier
from network.streams import MaterialStream


@dataclass(frozen=True, slots=True)
class SizeStep:
    """From ``year`` on, a site runs at ``size_level`` (multi-period plans)."""

    year: int
    size_level: str
    capacity_t_per_year: float


@dataclass(frozen=True, slots=True)
class OpenSite:
    """A site the plan opens (or keeps open), with its size and load."""

    site_id: str
    tier: Tier
    size_level: str
    capacity_t_per_year: float
    throughput_t_per_year: float
    fixed_cost_cny_per_year: float
    open_year: int | None = None
    steps: tuple[SizeStep, ...] = ()

    @property
    def utilisation(self) -> float:
        return self.throughput_t_per_year / self.capacity_t_per_year if self.capacity_t_per_year else 0.0


@dataclass(frozen=True, slots=True)
class Assignment:
    """``client_id`` (a village or lower-tier site) is served by ``server_id``.

    ``mode`` is ``"site"`` for delivery to a site, ``"mobile"`` for a village
    served by a mobile collection vehicle based at ``server_id`` (以车代库).
    ``share`` is the fraction of the client's material (1.0 when single-sourced).
    """

    client_id: str
    server_id: str
    share: float = 1.0
    mode: str = "site"
    distance_km: float = 0.0


@dataclass(frozen=True, slots=True)
class Flow:
    """Tonnes of one stream moved from one place to another."""

    origin_id: str
    destination_id: str
    stream: MaterialStream
    amount_t: float
    distance_km: float
    leg: str
    year: int | None = None
    mode: str = "road"


@dataclass(frozen=True, slots=True)
class RouteStop:
    """A stop of a vehicle route: ``kind`` is depot, collect or unload."""

    location_id: str
    kind: str
    arrival_h: float
    load_after_t: float
    load_after_m3: float = 0.0
    collected_t: float = 0.0


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's shift: depot → stops (with unloads) → depot."""

    route_id: str
    depot_id: str
    vehicle_type: str
    stops: tuple[RouteStop, ...]
    distance_km: float
    duration_h: float
    cost_cny: float
    day: int | None = None


@dataclass(frozen=True, slots=True)
class Unserved:
    """A demand point or site the plan does not serve, and why."""

    location_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class SolveInfo:
    """How the plan was found.

    ``status`` is one of ``optimal``, ``feasible``, ``time_limit``,
    ``interrupted`` or ``heuristic``. ``gap`` is the proven relative gap
    (objective − bound) / |objective|, or None when no bound is known.
    """

    model: str
    backend: str
    status: str
    objective: float
    bound: float | None = None
    gap: float | None = None
    time_s: float = 0.0
    message: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A model's answer to a scenario."""

    kind: str
    scenario_name: str
    solve: SolveInfo
    sites: tuple[OpenSite, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    flows: tuple[Flow, ...] = ()
    routes: tuple[Route, ...] = ()
    unserved: tuple[Unserved, ...] = ()
    costs_cny: Mapping[str, float] = field(default_factory=dict)
    kpis: Mapping[str, float] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    travel: Mapping[str, Any] = field(default_factory=dict)

    def sites_of(self, tier: Tier) -> tuple[OpenSite, ...]:
        return tuple(s for s in self.sites if s.tier is tier)

    @property
    def total_cost_cny(self) -> float:
        return float(self.costs_cny.get("total", sum(v for k, v in self.costs_cny.items() if k != "total")))

    def summary(self) -> str:
        """A short plain-text summary for people."""
        lines = [f"Plan 方案 ({self.kind}) for scenario '{self.scenario_name}'",
                 f"  solver: {self.solve.model} / {self.solve.backend}, status {self.solve.status}, "
                 f"{self.solve.time_s:.1f} s"
                 + (f", gap {100 * self.solve.gap:.2f} %" if self.solve.gap is not None else "")]
        for tier in Tier:
            opened = self.sites_of(tier)
            if opened:
                sizes: dict[str, int] = {}
                for s in opened:
                    sizes[s.size_level] = sizes.get(s.size_level, 0) + 1
                detail = ", ".join(f"{n} {lvl}" for lvl, n in sorted(sizes.items()))
                lines.append(f"  {tier.label}: {len(opened)} open ({detail})")
        if self.routes:
            lines.append(f"  routes 线路: {len(self.routes)}")
        if self.unserved:
            lines.append(f"  unserved 未服务: {len(self.unserved)}")
        for name, value in self.costs_cny.items():
            lines.append(f"  cost 成本 {name}: {value:,.0f} CNY")
        for name, value in self.kpis.items():
            lines.append(f"  {name}: {value:,.3f}")
        return "\n".join(lines)
