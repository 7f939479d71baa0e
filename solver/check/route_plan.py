"""Independent checker of a routes ``Plan`` against its scenario and network plan.

``check_route_plan(scenario, network_plan, route_plan, params)`` recomputes,
from the scenario (sites, villages, vehicle types, travel model, CO₂
factors), the network plan (which points and mobile-collection villages each
station serves) and the routes' stop sequences alone, everything
``docs/plan_contract.md`` says a ``kind = "routes"`` plan states. It shares no
code with ``solver.routing.engine*``; only the documented rules are re-derived:

* what a visit collects: a point assigned to a station with share s
  generates w = s × t/yr ÷ 52 t/week (a collection point: its throughput; a
  mobile village: its generation); it needs f = ``visits_per_week(w)``
  visits (``network.routing_params``), each collecting w / f t and the
  matching m³ at the stream mix's bulk densities (``MaterialStream``); a
  visit larger than the largest available vehicle (t or m³) is made as p
  equal pickups, p = max(⌈t / largest t⌉, ⌈m³ / largest m³⌉);
* times: a route departs its station at its first stop's ``arrival_h``;
  arrival = previous end + driving time from ``scenario.travel`` (profile
  ``truck``); a collection starts at max(arrival, window opening) and takes
  ``service_h_per_stop + service_h_per_t × t``; an unload takes ``unload_h``;
  a break (``break_h``) starts in ``break_window_h`` where the vehicle is;
  the return must be within the shift (``params.shift_h`` or the vehicle
  type's), and so must the duration (return − departure);
* loads: t and m³ since the last unload ≤ the vehicle type's capacities; the
  load after each stop must be the stated one;
* coverage: with ``horizon = "week"`` each point appears f times a week
  × p (pickups on f distinct days, or listed unserved for the day with a
  reason); with ``horizon = "day"`` (the busiest day only) each point
  appears at most p times, exactly p times if it needs a visit every day
  (summed over the stations of a point split between stations);
* fleet: per station, day and vehicle type at most the available count;
* costs (CNY per day or week): ``vehicles_fixed`` = Σ fixed cost per day of
  the vehicles used, ``distance`` = Σ km × CNY/km, ``time`` = Σ h × CNY/h,
  ``total``; KPIs ``total_km``, ``vehicle_hours``, ``utilisation`` (mean over
  routes of max(peak t / capacity t, peak m³ / capacity m³)), ``co2_t``
  (Σ legs t on board × km × ``co2_kg_per_t_km`` of the vehicle class — the
  mobile vehicle class's factor if the class has none — ÷ 1000),
  ``routes``, ``unloads``.

Formulation of the routes themselves: ``solver.check.routing`` (MT-VRP-IF,
Crevier, Cordeau & Laporte 2007, EJOR 176(2): 756-773).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from network.geo import GeoPoint
from network.matrix import TravelMatrix
from network.params import params_to_mapping
from network.plan import Plan, Route
from network.routing_params import RoutingParams, visits_per_week
from network.scenario import Scenario
from network.sites import Tier
from network.streams import MaterialStream

WEEKS_PER_YEAR = 52.0
#: Tolerances for numbers a plan states rounded to 1e-6: hours, t / m³, km, CNY.
TIME_TOL_H = 1e-5
LOAD_TOL = 1e-5
KM_TOL = 1e-4
REL_TOL = 1e-6


@dataclass(frozen=True, slots=True)
class Need:
    """What one point needs from one station: visits a week and what each visit collects."""

    client_id: str
    point: GeoPoint
    visits_per_week: int
    pickups: int
    pickup_t: float
    pickup_m3: float


def _m3_per_t(amounts: dict[MaterialStream, float]) -> float:
    total = sum(amounts.values())
    if total <= 0:
        return 1.0 / MaterialStream.GENERAL_RECYCLABLES.bulk_density_t_per_m3
    return sum(a / s.bulk_density_t_per_m3 for s, a in amounts.items()) / total


def station_needs(scenario: Scenario, network_plan: Plan, params: RoutingParams,
                  out: list[str]) -> dict[str, dict[str, Need]]:
    """Per open station (or sorting centre), the points it collects from; problems go to ``out``."""
    fleet = [vt for vt in scenario.vehicle_types if _fleet(scenario, params).get(vt.name, 0) > 0]
    max_t = max((vt.capacity_t for vt in fleet), default=math.inf)
    max_m3 = max((vt.capacity_m3 for vt in fleet), default=math.inf)
    sites = {s.site_id: s for s in scenario.sites}
    villages = {v.village_id: v for v in scenario.villages}
    opened = {s.site_id: s for s in network_plan.sites}
    mix: dict[str, dict[MaterialStream, float]] = {}
    for flow in network_plan.flows:
        bucket = mix.setdefault(flow.destination_id, {})
        bucket[flow.stream] = bucket.get(flow.stream, 0.0) + flow.amount_t
    needs: dict[str, dict[str, Need]] = {s.site_id: {} for s in network_plan.sites
                                         if s.tier in (Tier.TRANSFER_STATION, Tier.SORTING_CENTRE)}
    for a in network_plan.assignments:
        if a.server_id not in needs:
            continue
        if a.mode == "mobile":
            village = villages.get(a.client_id)
            if not params.include_mobile_villages:
                continue
            if village is None:
                out.append(f"network plan: mobile village {a.client_id} is not in the scenario")
                continue
            amounts = {s: x * a.share for s, x in village.generation_t_per_year.items()}
            t_year, point = sum(amounts.values()), village.point
        else:
            site, open_site = sites.get(a.client_id), opened.get(a.client_id)
            if open_site is None or open_site.tier is not Tier.COLLECTION_POINT:
                continue
            if site is None:
                out.append(f"network plan: collection point {a.client_id} is not in the scenario")
                continue
            t_year, point = open_site.throughput_t_per_year * a.share, site.point
            amounts = mix.get(a.client_id, {})
        weekly_t = t_year / WEEKS_PER_YEAR
        f = visits_per_week(weekly_t, params)
        visit_t, visit_m3 = weekly_t / f, weekly_t * _m3_per_t(amounts) / f
        p = max(1, math.ceil(visit_t / max_t - 1e-9), math.ceil(visit_m3 / max_m3 - 1e-9))
        needs[a.server_id][a.client_id] = Need(a.client_id, point, f, p, visit_t / p, visit_m3 / p)
    return needs


def _fleet(scenario: Scenario, params: RoutingParams) -> dict[str, int]:
    by_name = {vt.name: vt for vt in scenario.vehicle_types}
    return {name: params.vehicle_counts.get(name, by_name[name].count if by_name[name].count is not None
                                            else params.default_vehicle_count)
            for name in params.vehicle_types if name in by_name}


@dataclass
class _Totals:
    fixed: float = 0.0
    distance: float = 0.0
    time: float = 0.0
    km: float = 0.0
    hours: float = 0.0
    utilisation: float = 0.0
    co2_kg: float = 0.0
    unloads: int = 0


def _check_route(scenario: Scenario, params: RoutingParams, route: Route, needs: dict[str, Need],
                 matrix: TravelMatrix, totals: _Totals, out: list[str]) -> list[str]:
    """Check one route's stops, times, loads and figures; return the client ids it collects from."""
    vt = next(v for v in scenario.vehicle_types if v.name == route.vehicle_type)
    shift = params.shift_h if params.shift_h is not None else vt.shift_h
    label = f"route {route.route_id} ({vt.name}, station {route.depot_id})"
    stops = route.stops
    if len(stops) < 2 or stops[0].kind != "depot" or stops[-1].kind != "depot" or any(
            s.location_id != route.depot_id for s in (stops[0], stops[-1])):
        out.append(f"{label}: must start and end at its depot {route.depot_id} (kind 'depot'), got "
                   f"{stops[0].kind if stops else '-'} {stops[0].location_id if stops else ''} … "
                   f"{stops[-1].kind if stops else '-'} {stops[-1].location_id if stops else ''}")
        return []
    factors = scenario.costs.co2_kg_per_t_km
    co2 = float(factors.get(vt.vehicle_class, factors[scenario.costs.mobile_vehicle_class]))
    unload_ids = {route.depot_id, *params.extra_unload_site_ids}
    dep = t = stops[0].arrival_h
    if dep < -TIME_TOL_H:
        out.append(f"{label}: departs at {dep:.3f} h, before the shift starts (0 h)")
    here = route.depot_id
    km = load_t = load_m3 = peak_t = peak_m3 = tkm = 0.0
    visited: list[str] = []
    breaks = 0
    for s, stop in enumerate(stops[1:], start=2):
        where = f"{label}, stop {s} {stop.kind} {stop.location_id}"
        tol = TIME_TOL_H * s
        if stop.kind == "break":
            arrival, loc = t, here
        else:
            loc = stop.location_id
            if (stop.kind == "collect" and loc not in needs) or (stop.kind == "unload" and loc not in unload_ids) \
                    or (stop.kind == "depot" and s != len(stops)) or stop.kind not in (
                    "collect", "unload", "depot"):
                out.append(f"{where}: not a stop this route may make (collect from the station's points, "
                           f"unload at {', '.join(sorted(unload_ids))}, depot only at the ends)")
                return visited
            leg_km, leg_h = matrix.distance(here, loc), matrix.duration(here, loc)
            if math.isinf(leg_km) or math.isinf(leg_h):
                out.append(f"{where}: no road from {here}")
            km += leg_km
            tkm += load_t * leg_km
            arrival = t + leg_h
        if abs(stop.arrival_h - arrival) > tol:
            out.append(f"{where}: stated arrival {stop.arrival_h:.4f} h, recomputed {arrival:.4f} h")
        if stop.kind == "collect":
            need = needs[loc]
            visited.append(loc)
            if abs(stop.collected_t - need.pickup_t) > LOAD_TOL:
                out.append(f"{where}: collects {stop.collected_t:.4f} t, the point needs {need.pickup_t:.4f} t "
                           f"per pickup ({need.visits_per_week} visits a week, {need.pickups} pickups each)")
            load_t += need.pickup_t
            load_m3 += need.pickup_m3
            early, late = (params.point_windows_h.get(loc, (0.0, math.inf)) if params.time_windows
                           else (0.0, math.inf))
            start = max(arrival, early)
            if start > late + tol:
                out.append(f"{where}: service starts at {start:.3f} h, after its window "
                           f"[{early:.3f}, {late:.3f}] h closes")
            t = start + params.service_h_per_stop + params.service_h_per_t * need.pickup_t
        elif stop.kind == "unload":
            load_t = load_m3 = 0.0
            totals.unloads += 1
            t = arrival + params.unload_h
        elif stop.kind == "break":
            breaks += 1
            start = max(arrival, params.break_window_h[0])
            if start > params.break_window_h[1] + tol:
                out.append(f"{where}: break starts at {start:.3f} h, after its latest start "
                           f"{params.break_window_h[1]:.3f} h")
            t = start + params.break_h
        here = loc
        peak_t, peak_m3 = max(peak_t, load_t), max(peak_m3, load_m3)
        if stop.kind == "collect" and load_t > vt.capacity_t + LOAD_TOL:
            out.append(f"{where}: load {load_t:.3f} t since the last unload exceeds the capacity "
                       f"{vt.capacity_t:.3f} t of {vt.name}")
        if stop.kind == "collect" and load_m3 > vt.capacity_m3 + LOAD_TOL:
            out.append(f"{where}: load {load_m3:.3f} m³ since the last unload exceeds the capacity "
                       f"{vt.capacity_m3:.3f} m³ of {vt.name}")
        if abs(stop.load_after_t - load_t) > LOAD_TOL or abs(stop.load_after_m3 - load_m3) > LOAD_TOL:
            out.append(f"{where}: stated load after the stop {stop.load_after_t:.4f} t / "
                       f"{stop.load_after_m3:.4f} m³, recomputed {load_t:.4f} t / {load_m3:.4f} m³")
    back = stops[-1].arrival_h
    tol = TIME_TOL_H * len(stops)
    if back > shift + tol:
        out.append(f"{label}: returns at {back:.3f} h, after the {shift:.3f} h shift ends")
    elif back - dep > shift + tol:
        out.append(f"{label}: lasts {back - dep:.3f} h, longer than the {shift:.3f} h shift")
    if params.break_h > 0 and breaks == 0 and back > params.break_window_h[1] + tol:
        out.append(f"{label}: no {params.break_h:.2f} h break although the route lasts until {back:.3f} h")
    unloads = sum(s.kind == "unload" for s in stops)
    if params.max_unloads is not None and unloads > params.max_unloads:
        out.append(f"{label}: {unloads} unloads, more than max_unloads {params.max_unloads}")
    duration = back - dep
    cost = vt.fixed_cost_cny_per_day + km * vt.cost_cny_per_km + duration * vt.cost_cny_per_hour
    for name, stated, real, slack in (("distance_km", route.distance_km, km, KM_TOL * len(stops)),
                                      ("duration_h", route.duration_h, duration, tol),
                                      ("cost_cny", route.cost_cny, cost, 1e-3 + REL_TOL * cost)):
        if abs(stated - real) > slack:
            out.append(f"{label}: stated {name} {stated:,.4f}, recomputed {real:,.4f}")
    totals.fixed += vt.fixed_cost_cny_per_day
    totals.distance += km * vt.cost_cny_per_km
    totals.time += duration * vt.cost_cny_per_hour
    totals.km += km
    totals.hours += duration
    totals.utilisation += max(peak_t / vt.capacity_t, peak_m3 / vt.capacity_m3)
    totals.co2_kg += tkm * co2
    return visited


def check_route_plan(scenario: Scenario, network_plan: Plan, route_plan: Plan,
                     params: RoutingParams) -> list[str]:
    """Every way ``route_plan`` breaks its constraints or misstates a number; ``[]`` when clean.

    Parameters
    ----------
    scenario
        The scenario both plans were made for.
    network_plan
        The ``kind = "network"`` plan whose stations and assignments were routed.
    route_plan
        The ``kind = "routes"`` plan to check (``solver.routing.solve.solve_routes``).
    params
        The routing parameters the routes were made with.

    Returns
    -------
    list of str
        One line per violation, naming the route, the stop (1-based, the
        depot is stop 1) and the numbers.

    Raises
    ------
    Nothing on bad plans: every problem is reported as a violation.
    """
    out: list[str] = []
    if route_plan.kind != "routes" or network_plan.kind != "network":
        return [f"expected a routes plan and a network plan, got kinds '{route_plan.kind}' and "
                f"'{network_plan.kind}'"]
    if route_plan.params and dict(route_plan.params) != params_to_mapping(params):
        changed = sorted(k for k, v in params_to_mapping(params).items() if route_plan.params.get(k) != v)
        out.append(f"the plan was made with other routing parameters than those checked against: {changed}")
    needs = station_needs(scenario, network_plan, params, out)
    fleet = _fleet(scenario, params)
    week = params.horizon == "week"
    totals = _Totals()
    matrices: dict[str, TravelMatrix] = {}
    visits: dict[tuple[str, str], list[int]] = {}
    used: Counter[tuple[str, int | None, str]] = Counter()
    for route in route_plan.routes:
        label = f"route {route.route_id}"
        if route.depot_id not in needs:
            out.append(f"{label}: depot {route.depot_id} is not an open station or sorting centre of the "
                       "network plan")
            continue
        if route.vehicle_type not in fleet:
            out.append(f"{label}: vehicle type {route.vehicle_type!r} is not one the stations may use "
                       f"({', '.join(fleet)})")
            continue
        if week and not (route.day is not None and 1 <= route.day <= params.days_per_week):
            out.append(f"{label}: day {route.day!r}, expected 1..{params.days_per_week} (horizon week)")
        elif not week and route.day is not None:
            out.append(f"{label}: day {route.day!r}, expected none (horizon day)")
        used[(route.depot_id, route.day, route.vehicle_type)] += 1
        if route.depot_id not in matrices:
            sites = {s.site_id: s for s in scenario.sites}
            points = [sites[route.depot_id].point,
                      *(sites[x].point for x in params.extra_unload_site_ids if x in sites and x != route.depot_id),
                      *(n.point for n in needs[route.depot_id].values())]
            matrices[route.depot_id] = scenario.travel.matrix(points, points, profile="truck")
        for cid in _check_route(scenario, params, route, needs[route.depot_id], matrices[route.depot_id],
                                totals, out):
            visits.setdefault((route.depot_id, cid), []).append(route.day or 0)
    for (station, day, name), n in sorted(used.items(), key=str):
        if n > fleet[name]:
            out.append(f"station {station}{f' day {day}' if day else ''}: {n} routes of {name}, only "
                       f"{fleet[name]} available")
    expected: Counter[str] = Counter()  # pickups a week (week) or at most on the day (day)
    least: Counter[str] = Counter()  # day: pickups due at stations that visit the point daily
    for station_needs_ in needs.values():
        for cid, need in station_needs_.items():
            expected[cid] += need.pickups * (need.visits_per_week if week else 1)
            if need.visits_per_week == params.days_per_week:
                least[cid] += need.pickups
    pickups = {(station, cid): n.pickups for station, s in needs.items() for cid, n in s.items()}
    unserved = Counter(u.location_id for u in route_plan.unserved)
    for u in route_plan.unserved:
        if u.location_id not in expected:
            out.append(f"unserved {u.location_id}: not a point any station of the network plan collects from")
        if not u.reason.strip():
            out.append(f"unserved {u.location_id}: no reason given")
    made = Counter(cid for (_station, cid), days in visits.items() for _ in days)
    for cid, want in sorted(expected.items()):
        got = made[cid] + unserved[cid]
        if week and got != want:
            out.append(f"point {cid}: {made[cid]} pickups + {unserved[cid]} unserved a week, expected {want}")
        elif not week and not least[cid] <= got <= want:
            out.append(f"point {cid}: {made[cid]} pickups + {unserved[cid]} unserved on the day, expected "
                       + (f"{want}" if least[cid] == want else f"{least[cid]} to {want}"))
    for (station, cid), days in sorted(visits.items()):
        most = max(Counter(days).values())
        if most > pickups[(station, cid)]:
            out.append(f"point {cid}: {most} pickups on one day from station {station}, expected at most "
                       f"{pickups[(station, cid)]} (days {sorted(days)})")
    n = len(route_plan.routes)
    costs = {"vehicles_fixed": totals.fixed, "distance": totals.distance, "time": totals.time}
    costs["total"] = sum(costs.values())
    kpis = {"total_km": totals.km, "vehicle_hours": totals.hours, "co2_t": totals.co2_kg / 1000.0,
            "utilisation": totals.utilisation / n if n else 0.0, "routes": float(n), "unloads": float(totals.unloads)}
    for group, stated, real in (("costs_cny", route_plan.costs_cny, costs), ("kpis", route_plan.kpis, kpis)):
        for key, value in real.items():
            if key not in stated:
                out.append(f"{group}: missing '{key}' (recomputed {value:,.4f})")
            elif abs(stated[key] - value) > 1e-3 + 1e-6 * abs(value) + (1e-5 * n if group == "kpis" else 0.0):
                out.append(f"{group}['{key}']: stated {stated[key]:,.4f}, recomputed {value:,.4f}")
    return out
