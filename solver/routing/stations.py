"""From a network plan to one ``RoutingProblem`` per station and day.

The visit-frequency rule (documented in ``docs/routing.md``): a collection
point (or mobile-collection village) assigned to a station generates
``w = share × t/yr ÷ 52`` tonnes a week; with a bin of ``b`` tonnes it needs
``f = ⌈w / b⌉`` visits a week (``network.routing_params.visits_per_week``:
at least ``min_visits_per_week``, at most ``days_per_week``), each collecting
``w / f`` tonnes (and the matching m³ from the stream densities). The ``f``
visit days are spread evenly over the ``days_per_week`` working days, with
the phase chosen greedily (largest clients first) to level the tonnes per
day. Each day of each station is then one routing instance. A visit that
holds more than the largest vehicle is split into equal pickups at the same
place (each with the stop time), so a small vehicle shuttles to the station.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from network.errors import InputError
from network.fleet import VehicleType
from network.geo import GeoPoint
from network.plan import Plan
from network.routing_params import RoutingParams, visits_per_week
from network.scenario import Scenario
from network.sites import Tier
from network.streams import MaterialStream
from solver.routing.problem import (
    DriverBreak,
    RoutingClient,
    RoutingDepot,
    RoutingProblem,
    RoutingVehicleType,
    UnloadFacility,
)

WEEKS_PER_YEAR = 52.0
SERVER_TIERS = (Tier.TRANSFER_STATION, Tier.SORTING_CENTRE)


@dataclass(frozen=True, slots=True)
class StationClient:
    """A point or village a station collects from, with its weekly amount and visit days."""

    client_id: str
    point: GeoPoint
    weekly_t: float
    weekly_m3: float
    visits: int
    days: tuple[int, ...]
    kind: str  # "point" or "mobile_village"

    @property
    def per_visit_t(self) -> float:
        return self.weekly_t / self.visits

    @property
    def per_visit_m3(self) -> float:
        return self.weekly_m3 / self.visits


def _m3_per_t(amounts: dict[MaterialStream, float]) -> float:
    total = sum(amounts.values())
    if total <= 0:
        return 1.0 / MaterialStream.GENERAL_RECYCLABLES.bulk_density_t_per_m3
    return sum(a / s.bulk_density_t_per_m3 for s, a in amounts.items()) / total


def station_clients(scenario: Scenario, network_plan: Plan, params: RoutingParams) -> dict[str, list[StationClient]]:
    """Clients of each open station or sorting centre, with visit frequencies and days.

    Raises
    ------
    InputError
        If the plan is not a network plan or names sites or villages the
        scenario does not have.
    """
    if network_plan.kind != "network":
        raise InputError(f"routing: expected a network plan (kind 'network'), got kind '{network_plan.kind}'")
    sites = {s.site_id: s for s in scenario.sites}
    villages = {v.village_id: v for v in scenario.villages}
    open_sites = {s.site_id: s for s in network_plan.sites}
    servers = [s.site_id for s in network_plan.sites if s.tier in SERVER_TIERS]
    streams_in: dict[str, dict[MaterialStream, float]] = {}
    for flow in network_plan.flows:
        bucket = streams_in.setdefault(flow.destination_id, {})
        bucket[flow.stream] = bucket.get(flow.stream, 0.0) + flow.amount_t
    problems: list[str] = []
    raw: dict[str, list[tuple[str, GeoPoint, float, float, str]]] = {sid: [] for sid in servers}
    for a in network_plan.assignments:
        if a.server_id not in raw:
            continue
        if a.mode == "mobile":
            if not params.include_mobile_villages:
                continue
            village = villages.get(a.client_id)
            if village is None:
                problems.append(f"network plan, assignment {a.client_id} → {a.server_id}: "
                                f"village '{a.client_id}' is not in scenario '{scenario.name}'")
                continue
            amounts = {s: x * a.share for s, x in village.generation_t_per_year.items()}
            t = sum(amounts.values())
            raw[a.server_id].append((a.client_id, village.point, t, t * _m3_per_t(amounts), "mobile_village"))
        else:
            opened = open_sites.get(a.client_id)
            if opened is None or opened.tier is not Tier.COLLECTION_POINT:
                continue  # station → centre legs are trunk haulage, not collection routes
            site = sites.get(a.client_id)
            if site is None:
                problems.append(f"network plan, assignment {a.client_id} → {a.server_id}: "
                                f"site '{a.client_id}' is not in scenario '{scenario.name}'")
                continue
            t = opened.throughput_t_per_year * a.share
            raw[a.server_id].append((a.client_id, site.point, t, t * _m3_per_t(streams_in.get(a.client_id, {})),
                                     "point"))
    if problems:
        raise InputError(problems)
    return {sid: _spread_days(items, params) for sid, items in raw.items() if items}


def _spread_days(items: list[tuple[str, GeoPoint, float, float, str]],
                 params: RoutingParams) -> list[StationClient]:
    d = params.days_per_week
    load = [0.0] * d
    out: list[StationClient] = []
    for cid, point, t_year, m3_year, kind in sorted(items, key=lambda x: (-x[2], x[0])):
        weekly_t, weekly_m3 = t_year / WEEKS_PER_YEAR, m3_year / WEEKS_PER_YEAR
        f = visits_per_week(weekly_t, params)
        options = [tuple(sorted({(o + (k * d) // f) % d for k in range(f)})) for o in range(d)]
        days = min(options, key=lambda ds: (sum(load[x] for x in ds), ds))
        for x in days:
            load[x] += weekly_t / f
        out.append(StationClient(cid, point, weekly_t, weekly_m3, f, days, kind))
    return out


def busiest_day(clients: Sequence[StationClient], days_per_week: int) -> int:
    """The day (0-based) with the most tonnes to collect (the design day)."""
    totals = [sum(c.per_visit_t for c in clients if day in c.days) for day in range(days_per_week)]
    return max(range(days_per_week), key=lambda x: (totals[x], -x))


def vehicle_fleet(scenario: Scenario, params: RoutingParams) -> list[tuple[VehicleType, int]]:
    """The vehicle types each station may use, with their counts.

    Raises
    ------
    InputError
        If ``params.vehicle_types`` names a type the scenario does not have.
    """
    by_name = {vt.name: vt for vt in scenario.vehicle_types}
    unknown = [n for n in params.vehicle_types if n not in by_name]
    if unknown:
        raise InputError(f"routing parameter 'vehicle_types': unknown vehicle type(s) {', '.join(unknown)}; "
                         f"expected names from {', '.join(by_name)}")
    fleet = []
    for name in params.vehicle_types:
        vt = by_name[name]
        count = params.vehicle_counts.get(name, vt.count if vt.count is not None else params.default_vehicle_count)
        fleet.append((vt, count))
    return fleet


def station_problem(scenario: Scenario, station_id: str, clients: Sequence[StationClient], day: int,
                    params: RoutingParams) -> RoutingProblem:
    """The routing instance of one station on one day (0-based).

    Raises
    ------
    InputError
        If the station or an extra unload site is not in the scenario.
    """
    sites = {s.site_id: s for s in scenario.sites}
    missing = [sid for sid in (station_id, *params.extra_unload_site_ids) if sid not in sites]
    if missing:
        raise InputError(f"routing: site(s) {', '.join(missing)} not in scenario '{scenario.name}'")
    todays = [c for c in clients if day in c.days]
    extra = [sid for sid in params.extra_unload_site_ids if sid != station_id]
    points = [sites[station_id].point, *(sites[s].point for s in extra), *(c.point for c in todays)]
    matrix = scenario.travel.matrix(points, points, profile="truck")
    facilities = (UnloadFacility(station_id, 0, params.unload_h),
                  *(UnloadFacility(sid, 1 + i, params.unload_h) for i, sid in enumerate(extra)))
    offset = 1 + len(extra)
    fleet = vehicle_fleet(scenario, params)
    max_t = max((vt.capacity_t for vt, count in fleet if count > 0), default=math.inf)
    max_m3 = max((vt.capacity_m3 for vt, count in fleet if count > 0), default=math.inf)
    routing_clients = []
    site_ids = []
    for i, c in enumerate(todays):
        early, late = 0.0, math.inf
        if params.time_windows and c.client_id in params.point_windows_h:
            early, late = params.point_windows_h[c.client_id]
        # A visit bigger than the largest vehicle is split into equal pickups
        # at the same place (the vehicle comes back after unloading).
        parts = max(1, math.ceil(c.per_visit_t / max_t - 1e-9), math.ceil(c.per_visit_m3 / max_m3 - 1e-9))
        for part in range(parts):
            q_t, q_m3 = c.per_visit_t / parts, c.per_visit_m3 / parts
            routing_clients.append(RoutingClient(
                c.client_id if parts == 1 else f"{c.client_id}#{part + 1}", offset + i, q_t, q_m3,
                params.service_h_per_stop + params.service_h_per_t * q_t, early, late,
                required=False, penalty_cny=params.skip_penalty_cny))
            site_ids.append(c.client_id)
    breaks = ((DriverBreak(params.break_h, *params.break_window_h),) if params.break_h > 0 else ())
    vehicle_types = tuple(RoutingVehicleType(
        vt.name, count, vt.capacity_t, vt.capacity_m3, vt.fixed_cost_cny_per_day, vt.cost_cny_per_km,
        vt.cost_cny_per_hour, params.shift_h if params.shift_h is not None else vt.shift_h,
        max_unloads=params.max_unloads, breaks=breaks, vehicle_class=vt.vehicle_class)
        for vt, count in fleet)
    ids = tuple(p.point_id for p in points)
    return RoutingProblem(f"{station_id} day {day + 1}", ids, matrix.distance_km, matrix.duration_h,
                          (RoutingDepot(station_id, 0),), tuple(routing_clients), vehicle_types, facilities,
                          meta={"station_id": station_id, "day": day, "class": "mtvrp",
                                "client_site_ids": tuple(site_ids)})
