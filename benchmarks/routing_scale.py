"""Scale run: every station of one whole prefecture routed, timed per station.

Loads a bundled region (``geodata.regions.load_region``, default Datong 大同:
10 counties, ~1,800 villages), designs its three-tier network with
``solver.design.solve.solve_network`` under a time limit (or reads a saved
network plan), then routes the collection vehicles of every open transfer
station and sorting centre with ``solver.routing.solve.solve_routes`` and
prints, per station: points routed, tonnes on the design day (or the week), routes,
reloads, km, vehicle-hours, unserved points, wall time and the verdict of the
independent checker (``check_routing_solution`` on each station-day instance,
``check_route_plan`` on the whole plan). Total time and the per-station time
distribution close the output.

Usage::

    python benchmarks/routing_scale.py [--region datong] [--network-time-limit 60]
        [--route-time-limit 2] [--horizon day|week] [--backend auto|pyvrp|ortools] [--travel circuity|auto]
        [--network-plan saved.json] [--save-network-plan out.json] [--split-sourcing] [--seed 0]

Per-station time is the wall time between one station's last day being
solved and the previous one (it includes building the station's instance and
its travel matrix). Results go to ``benchmarks/results/routing_scale.csv``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from network.errors import HuishouError  # noqa: E402
from network.routing_params import RoutingParams  # noqa: E402
from network.serialize import read_plan, write_plan, write_text_atomic  # noqa: E402
from solver.check.route_plan import check_route_plan  # noqa: E402
from solver.check.routing import check_routing_solution, route_figures  # noqa: E402
from solver.routing.problem import RoutingProblem  # noqa: E402
from solver.routing.solution import RoutingSolution  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "routing_scale.csv"


@dataclasses.dataclass
class StationRow:
    """What one station's routing produced (summed over its days)."""

    station_id: str
    points: int = 0
    tonnes: float = 0.0
    routes: int = 0
    unloads: int = 0
    km: float = 0.0
    hours: float = 0.0
    unserved: int = 0
    time_s: float = 0.0
    violations: list[str] = dataclasses.field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    """Run the scale benchmark; return 0, or 1 if the checker found a violation."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", default="datong")
    parser.add_argument("--travel", default="circuity", help="travel model: circuity, osm or auto")
    parser.add_argument("--network-time-limit", type=float, default=60.0, help="seconds for solve_network")
    parser.add_argument("--route-time-limit", type=float, default=2.0, help="seconds per station and day")
    parser.add_argument("--horizon", default="day", choices=("day", "week"))
    parser.add_argument("--backend", default="auto", choices=("auto", "pyvrp", "ortools"))
    parser.add_argument("--network-plan", type=Path, default=None, help="use this saved network plan")
    parser.add_argument("--save-network-plan", type=Path, default=None)
    parser.add_argument("--split-sourcing", action="store_true",
                        help="network design with single_sourcing = false (shares may split)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from machine import machine_lines

    from geodata.regions import load_region
    from network.network_params import NetworkParams
    from solver.design.solve import solve_network
    from solver.routing.solve import solve_routes

    print("\n".join(machine_lines()))
    t0 = time.perf_counter()
    scenario = load_region(args.region, travel=args.travel, seed=args.seed)
    counts = scenario.summary_counts()
    print(f"region {args.region}: {counts['counties']} counties, {counts['villages']} villages, "
          f"{counts['candidate collection_point']} candidate points, {counts['candidate transfer_station']} "
          f"candidate stations; loaded in {time.perf_counter() - t0:.1f} s; {scenario.notes.get('travel', '')}")
    t1 = time.perf_counter()
    if args.network_plan is not None:
        network_plan = read_plan(args.network_plan)
        print(f"network plan read from {args.network_plan}")
    else:
        network_params = NetworkParams(single_sourcing=not args.split_sourcing, seed=args.seed)
        network_plan = solve_network(scenario, params=network_params, time_limit_s=args.network_time_limit)
        print(f"network plan: {network_plan.solve.backend} {network_plan.solve.status}, "
              f"{network_plan.solve.time_s:.1f} s, gap {network_plan.solve.gap if network_plan.solve.gap is not None else '-'}")
    if args.save_network_plan is not None:
        write_plan(network_plan, args.save_network_plan)
    network_s = time.perf_counter() - t1
    open_counts = {t: len(network_plan.sites_of(t)) for t in {s.tier for s in network_plan.sites}}
    print("open sites: " + ", ".join(f"{t.label} {n}" for t, n in sorted(open_counts.items())))

    params = RoutingParams(horizon=args.horizon, backend=args.backend, time_limit_s_per_station=args.route_time_limit,
                           seed=args.seed)
    rows: dict[str, StationRow] = {}
    clock = [time.perf_counter()]

    def on_station_day(problem: RoutingProblem, solution: RoutingSolution) -> None:
        now = time.perf_counter()
        row = rows.setdefault(str(problem.meta["station_id"]), StationRow(str(problem.meta["station_id"])))
        row.time_s += now - clock[0]
        clock[0] = now
        row.points = max(row.points, len({c.client_id.split("#")[0] for c in problem.clients}))
        row.tonnes += sum(c.demand_t for c in problem.clients)
        row.routes += len(solution.routes)
        row.unloads += sum(r.num_unloads for r in solution.routes)
        figures = [route_figures(problem, r) for r in solution.routes]
        row.km += sum(f.distance_km for f in figures)
        row.hours += sum(f.duration_h for f in figures)
        row.unserved += len(solution.unserved)
        row.violations += check_routing_solution(problem, solution)

    t2 = time.perf_counter()
    clock[0] = t2
    try:
        plan = solve_routes(scenario, network_plan, params=params, on_station_day=on_station_day)
    except HuishouError as exc:
        print(f"solve_routes failed after {time.perf_counter() - t2:.1f} s and {len(rows)} stations: "
              f"{type(exc).__name__}: {exc}")
        return 1
    routing_s = time.perf_counter() - t2
    plan_violations = check_route_plan(scenario, network_plan, plan, params)

    print(f"\n{'station':<22}{'points':>7}{'t/' + args.horizon:>8}{'routes':>7}{'reloads':>8}{'km':>9}{'veh-h':>7}"
          f"{'unserved':>9}{'time s':>8}  checker")
    for row in rows.values():
        verdict = "clean" if not row.violations else f"{len(row.violations)}: {row.violations[0]}"
        print(f"{row.station_id:<22}{row.points:7d}{row.tonnes:8.2f}{row.routes:7d}{row.unloads:8d}"
              f"{row.km:9.1f}{row.hours:7.1f}{row.unserved:9d}{row.time_s:8.2f}  {verdict}")
    times = [r.time_s for r in rows.values()] or [0.0]
    print(f"\nstations routed: {len(rows)}; routes {len(plan.routes)}, total km {plan.kpis.get('total_km', 0):,.1f}, "
          f"vehicle-hours {plan.kpis.get('vehicle_hours', 0):,.1f}, unserved {len(plan.unserved)}, "
          f"cost {plan.costs_cny.get('total', 0):,.0f} CNY per {args.horizon}")
    print(f"per-station time: mean {statistics.mean(times):.2f} s, median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s (limit {args.route_time_limit:g} s per station-day)")
    print(f"total: routing {routing_s:.1f} s, network {network_s:.1f} s, all {time.perf_counter() - t0:.1f} s")
    print("plan checker (check_route_plan): " + ("clean" if not plan_violations
                                                  else f"{len(plan_violations)} violations, first: {plan_violations[0]}"))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["region", "station", "points", f"t_per_{args.horizon}", "routes", "reloads", "km", "vehicle_h",
                     "unserved", "time_s", "checker"])
    for row in rows.values():
        writer.writerow([args.region, row.station_id, row.points, f"{row.tonnes:.3f}", row.routes, row.unloads,
                         f"{row.km:.2f}", f"{row.hours:.2f}", row.unserved, f"{row.time_s:.2f}",
                         "clean" if not row.violations else " | ".join(row.violations)])
    write_text_atomic(RESULTS, buf.getvalue())
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 1 if plan_violations or any(r.violations for r in rows.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
