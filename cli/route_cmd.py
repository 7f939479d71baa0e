"""``solve.py route``: collection routes from every station of a network plan (收运线路)."""

from __future__ import annotations

import json
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from geodata.regions import load_region
from geodata.write import write_plan_files
from maps.report import write_report
from network.errors import InputError
from network.params import params_from_mapping
from network.plan import Plan, Route
from network.routing_params import RoutingParams
from network.serialize import plan_from_dict
from solver.check import check_route_plan, check_routing_solution
from solver.routing import RoutingProblem, RoutingSolution, solve_routes


def _read_network_plan(path: Path) -> Plan:
    try:
        plan = plan_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: cannot read a plan JSON: {exc}") from None
    if plan.kind != "network":
        raise InputError(f"{path}: expected a network plan (kind 'network', from solve.py plan), "
                         f"got kind '{plan.kind}'")
    return plan


def _read_tables(path: Path | None) -> tuple[dict, dict | None]:
    """The ``[routing]`` table (or the whole file) and the ``[network]`` table, if any."""
    if path is None:
        return {}, None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read TOML: {exc}") from None
    if "routing" in data or "network" in data:
        return dict(data.get("routing", {})), data.get("network")
    return dict(data), None


def _sequence(route: Route) -> str:
    parts = []
    for stop in route.stops[1:-1]:
        if stop.kind == "collect":
            parts.append(f"{stop.location_id}({stop.load_after_t:.2f}t)")
        elif stop.kind == "unload":
            parts.append(f"[卸 unload {stop.location_id}]")
        else:
            parts.append(f"[{stop.kind}]")
    return " → ".join([route.depot_id, *parts, route.depot_id])


def station_table(station_id: str, routes: list[Route], seconds: float, verdict: str) -> Table:
    """One station's routes: sequence with the load after each stop, unloads, km, h, CNY."""
    table = Table(title=f"中转站 station {station_id} — {len(routes)} routes 线路, {seconds:.1f} s, "
                        f"checker 校验: {verdict}", title_justify="left")
    for header, justify in (("线路\nroute", "left"), ("日\nday", "right"), ("车型\nvehicle", "left"),
                            ("顺序 (装载后 load after stop)\nsequence", "left"), ("卸货\nunloads", "right"),
                            ("km", "right"), ("小时\nhours", "right"), ("成本\nCNY", "right")):
        table.add_column(header, justify=justify, overflow="fold")
    for r in routes:
        table.add_row(r.route_id, str(r.day or ""), r.vehicle_type, _sequence(r),
                      str(sum(s.kind == "unload" for s in r.stops)), f"{r.distance_km:,.1f}", f"{r.duration_h:.2f}",
                      f"{r.cost_cny:,.0f}")
    return table


def route(
    region: Annotated[str, typer.Option("--region", "-r", help="Bundled region 内置区域, e.g. hami.")],
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="Network plan 网络方案 plan.json from solve.py plan; without it the network is planned first."
    )] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder 输出目录 (default out/<region>-routes).")] = None,
    time_limit_per_station: Annotated[float, typer.Option(
        "--time-limit-per-station", help="Search seconds per station (per day with --horizon week) 每站求解秒数."
    )] = 5.0,
    backend: Annotated[str, typer.Option(
        help="Routing backend 求解器: auto (PyVRP; OR-Tools when breaks), pyvrp, ortools.")] = "auto",
    horizon: Annotated[str, typer.Option(
        help="day (the busiest day 设计日) or week (every working day 全周).")] = "day",
    params_file: Annotated[Path | None, typer.Option(
        "--params", help="TOML file with \\[routing] (and \\[network], used without --plan) tables 参数文件 (docs/routing.md).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the region's generated parts and of the search 随机种子.")] = 0,
    travel: Annotated[str, typer.Option(help="Travel model 距离模型: auto, circuity, osm.")] = "auto",
    network_time_limit: Annotated[float, typer.Option(
        help="Seconds for planning the network when no --plan is given 网络规划秒数.")] = 60.0,
) -> None:
    """Collection routes 收运线路: vehicles collect from points, unload at the station when full.

    Per station it prints each route (sequence, load after each stop, unloads,
    km, hours, cost), the fleet used, totals and KPIs (km, vehicle-hours,
    utilisation, CO₂) and the independent checker's verdict; it writes
    plan.json, plan.gpkg (route lines) and routes.csv.
    Example: python solve.py route --region hami --plan out/hami/plan.json --time-limit-per-station 5
    """
    from cli.app import console

    routing_table, network_table = _read_tables(params_file)
    network_plan = _read_network_plan(plan) if plan is not None else None
    scenario = load_region(region, travel=travel, seed=seed)
    if network_plan is not None:
        if network_plan.scenario_name != scenario.name:
            raise InputError(f"{plan}: the plan is for scenario '{network_plan.scenario_name}', not "
                             f"'{scenario.name}'; use the same --region (and --seed) as solve.py plan")
    else:
        from network.network_params import NetworkParams
        from solver.design import solve_network

        network_params = (NetworkParams() if network_table is None else
                          params_from_mapping(NetworkParams, network_table, source=f"{params_file} [network]"))
        with console.status("No --plan given: planning the network first 先规划三级网络 …"):
            network_plan = solve_network(scenario, params=network_params, time_limit_s=network_time_limit)
        console.print(f"Network plan 网络方案: {network_plan.solve.status}, "
                      f"{len(network_plan.sites)} open sites 开放站点")
    values = {"backend": backend, "time_limit_s_per_station": time_limit_per_station, "horizon": horizon,
              "seed": seed, **routing_table}
    params = params_from_mapping(RoutingParams, values, source=str(params_file or "command line"))

    verdicts: dict[str, list[str]] = defaultdict(list)
    seconds: dict[str, float] = defaultdict(float)
    clock = [time.perf_counter()]

    def on_station_day(problem: RoutingProblem, solution: RoutingSolution) -> None:
        station = problem.meta["station_id"]
        now = time.perf_counter()
        seconds[station] += now - clock[0]
        clock[0] = now
        verdicts[station] += check_routing_solution(problem, solution)
        status.update(f"Routing 规划线路: {station} day {problem.meta['day'] + 1} done, "
                      f"{len(solution.routes)} routes ({solution.backend})")

    with console.status("Routing 规划线路 …") as status:
        routes_plan = solve_routes(scenario, network_plan, params=params, on_station_day=on_station_day)
    plan_problems = check_route_plan(scenario, network_plan, routes_plan, params)

    by_station: dict[str, list[Route]] = defaultdict(list)
    for r in routes_plan.routes:
        by_station[r.depot_id].append(r)
    for station in sorted(set(by_station) | set(seconds)):
        problems = verdicts.get(station, [])
        verdict = "[green]OK 通过[/]" if not problems else f"[red]{len(problems)} problems 问题[/]"
        console.print(station_table(station, by_station.get(station, []), seconds.get(station, 0.0), verdict))
        fleet = Counter(r.vehicle_type for r in by_station.get(station, []))
        console.print("  fleet used 车辆使用: " + (", ".join(f"{n} × {vt}" for vt, n in sorted(fleet.items()))
                                               or "none 无"), highlight=False)
        for p in problems[:10]:
            console.print(f"  [red]✗[/] {p}", highlight=False)
    if routes_plan.unserved:
        table = Table(title="Unserved 未服务", title_justify="left")
        table.add_column("point 点")
        table.add_column("reason 原因", overflow="fold")
        for u in routes_plan.unserved:
            table.add_row(u.location_id, u.reason)
        console.print(table)
    k, c = routes_plan.kpis, routes_plan.costs_cny
    unit = "week 周" if params.horizon == "week" else "day 日"
    console.print(f"Totals 合计 (per {unit}): {int(k['routes'])} routes 线路, {int(k['unloads'])} unloads 卸货, "
                  f"{k['total_km']:,.1f} km, {k['vehicle_hours']:,.1f} vehicle-hours 车辆小时, "
                  f"utilisation 装载率 {100 * k['utilisation']:.0f} %, CO₂ {k['co2_t']:,.3f} t", highlight=False)
    console.print(f"Cost 成本 (CNY per {unit}): fixed 车辆固定 {c['vehicles_fixed']:,.0f} + distance 里程 "
                  f"{c['distance']:,.0f} + time 工时 {c['time']:,.0f} = total 合计 {c['total']:,.0f}",
                  highlight=False)
    console.print(f"Solver 求解: {routes_plan.solve.backend}, {routes_plan.solve.status}, "
                  f"{routes_plan.solve.time_s:.1f} s", highlight=False)
    all_engine = sum(len(v) for v in verdicts.values())
    if plan_problems or all_engine:
        console.print(f"[red]Checker 校验: {all_engine} route problems, {len(plan_problems)} plan problems[/]")
        for p in plan_problems[:20]:
            console.print(f"  [red]✗[/] {p}", highlight=False)
    else:
        console.print("[green]Checker 校验: OK 通过[/] (routes and plan recomputed independently 独立复核)")
    folder = out or Path("out") / f"{region}-routes"
    written = write_plan_files(scenario, routes_plan, folder)
    checks = [*plan_problems, *(p for v in verdicts.values() for p in v)]
    # The map draws the routes over the network they serve.
    written.update(write_report(scenario, routes_plan, folder, checks=checks, extra_plans=(network_plan,)))
    console.print("Wrote 已写出: " + ", ".join(str(p) for p in written.values()), highlight=False)
    if plan_problems or all_engine:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``route`` subcommand to the app."""
    app.command("route")(route)
