"""``solve.py map``: draw a saved plan as an interactive, offline HTML map (地图)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from network.errors import InputError
from network.plan import Plan
from network.scenario import Scenario
from network.serialize import read_plan


def plan_ids(plan: Plan) -> set[str]:
    """Every location id a plan refers to."""
    ids = {s.site_id for s in plan.sites}
    ids |= {a.client_id for a in plan.assignments} | {a.server_id for a in plan.assignments}
    ids |= {st.location_id for r in plan.routes for st in r.stops} | {r.depot_id for r in plan.routes}
    ids |= {f.origin_id for f in plan.flows} | {f.destination_id for f in plan.flows}
    return ids


def check_plan_matches(plan: Plan, scenario: Scenario, *, source: str) -> None:
    """Refuse a plan that refers to ids the scenario lacks, naming examples.

    Raises
    ------
    InputError
        If any id of the plan is not in the scenario (another region, seed or user file).
    """
    known = {v.village_id for v in scenario.villages} | {s.site_id for s in scenario.sites}
    known |= {p.plant_id for p in scenario.plants} | {r.station_id for r in scenario.rail_stations}
    known |= {c.code for c in scenario.counties} | {t.code for t in scenario.townships}
    ids = plan_ids(plan)
    missing = sorted(ids - known)
    if missing:
        raise InputError(f"{source}: {len(missing)} of {len(ids)} ids in the plan are not in scenario "
                         f"'{scenario.name}' (e.g. {', '.join(missing[:5])}); expected the scenario the plan was "
                         "solved on — pass the same --region/--seed, or --scenario with its scenario.json")


def map_command(
    plan: Annotated[Path, typer.Option("--plan", "-p", exists=True, dir_okay=False,
                                       help="Plan JSON 方案文件 (plan.json written by plan/route/bases).")],
    region: Annotated[str | None, typer.Option(
        "--region", "-r", help="Bundled region 内置区域 the plan was solved on, e.g. hami.")] = None,
    scenario_file: Annotated[Path | None, typer.Option(
        "--scenario", exists=True, dir_okay=False,
        help="Scenario JSON 情景文件 instead of --region (default: scenario.json beside the plan, if any).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the region's generated data 生成数据种子 (as when solving).")] = 0,
    basemap: Annotated[str, typer.Option(
        help="Basemap 底图: none (offline 离线, default), osm, gaode (高德, GCJ-02 display), tianditu (天地图).")] = "none",
    tianditu_key: Annotated[str | None, typer.Option(
        "--tianditu-key", envvar="TIANDITU_KEY", help="Your Tianditu key 天地图密钥 (tk) for --basemap tianditu.")] = None,
    also: Annotated[list[Path] | None, typer.Option(
        "--also", exists=True, dir_okay=False,
        help="Another plan drawn on the same map 叠加方案 (e.g. routes over a network design); repeatable.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder 输出目录 (default: the plan's folder); writes map.html.")] = None,
) -> None:
    """Draw a plan as an interactive map 绘制方案地图: map.html, self-contained, opens offline."""
    from cli.app import console
    from maps.offline import save_map
    from maps.plan_map import build_map

    main = read_plan(plan)
    extras = [read_plan(p) for p in (also or [])]
    scenario = _load_scenario(plan, region, scenario_file, seed)
    for path, p in ((plan, main), *zip(also or [], extras, strict=True)):
        check_plan_matches(p, scenario, source=path.name)
    fmap = build_map(scenario, main, basemap=basemap, tianditu_key=tianditu_key, extra_plans=extras)
    target = save_map(fmap, (out or plan.parent) / "map.html")
    console.print(f"Map 地图 written: {target} ({target.stat().st_size / 1e6:.1f} MB, basemap 底图 {basemap})")


def _load_scenario(plan_path: Path, region: str | None, scenario_file: Path | None, seed: int) -> Scenario:
    if scenario_file is None and region is None and (plan_path.parent / "scenario.json").exists():
        scenario_file = plan_path.parent / "scenario.json"
    if scenario_file is not None:
        from geodata.write import load_scenario_file

        return load_scenario_file(scenario_file)
    if region is None:
        raise InputError(f"solve.py map: {plan_path.name} needs its scenario: pass --region (e.g. --region hami) "
                         "or --scenario scenario.json")
    from geodata.regions import load_region

    return load_region(region, travel="circuity", seed=seed)


def register(app: typer.Typer) -> None:
    """Add ``map`` to the CLI."""
    app.command("map", help="Draw a saved plan as an offline interactive map 绘制地图 (map.html).")(map_command)
