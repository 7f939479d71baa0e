"""``solve.py plan``: design the three-tier collection network (县乡村三级回收体系)."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from network.errors import InputError
from network.network_params import MIP_BACKENDS, NetworkParams
from network.params import CostParams, params_from_mapping
from network.plan import Plan
from network.scenario import Scenario
from network.serialize import write_plan
from network.sites import Tier

_KNOWN_TABLES = ("network", "costs")


def read_scenario_file(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``[network]`` and ``[costs]`` tables of a TOML or YAML scenario file.

    Raises
    ------
    InputError
        If the file cannot be read or has a table other than ``network`` / ``costs``.
    """
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text) or {}
        else:
            data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the scenario file: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected tables [network] and [costs], got {type(data).__name__}")
    unknown = [k for k in data if k not in _KNOWN_TABLES]
    if unknown:
        raise InputError(f"{path}: unknown table(s) {', '.join(unknown)}; expected {', '.join(_KNOWN_TABLES)}")
    return dict(data.get("network", {})), dict(data.get("costs", {}))


def kpi_table(plan: Plan, verdict: str, peak_gb: float | None = None) -> Table:
    """Sites per tier and size, costs, t·km, CO₂, coverage, distances, shared share, gap and time."""
    table = Table(title=f"三级网络方案 network plan — {plan.scenario_name}", title_justify="left")
    table.add_column("指标 item", overflow="fold")
    table.add_column("值 value", justify="right")
    for tier in (Tier.COLLECTION_POINT, Tier.TRANSFER_STATION, Tier.SORTING_CENTRE):
        sites = plan.sites_of(tier)
        sizes: dict[str, int] = {}
        for s in sites:
            sizes[s.size_level] = sizes.get(s.size_level, 0) + 1
        detail = ", ".join(f"{n} {lvl}" for lvl, n in sorted(sizes.items()))
        table.add_row(f"{tier.label} (open 开放)", f"{len(sites)}" + (f" ({detail})" if detail else ""))
    names = {"fixed": "固定成本 fixed", "handling": "处理成本 handling", "transport": "运输成本 transport",
             "mobile_collection": "流动收运 mobile collection", "total": "总成本 total"}
    for key, label in names.items():
        table.add_row(f"{label} (CNY/yr)", f"{plan.costs_cny.get(key, 0.0):,.0f}")
    k = plan.kpis
    rows = (("回收量 demand (t/yr)", f"{k.get('demand_t', 0):,.1f}"),
            ("周转量 t·km /yr", f"{k.get('t_km', 0):,.0f}"),
            ("碳排放 CO₂ (t/yr)", f"{k.get('co2_t', 0):,.1f}"),
            ("覆盖率 coverage", f"{100 * k.get('coverage_share', 0):.1f} %"),
            ("村→服务点 平均距离 mean village→server km", f"{k.get('mean_village_km', 0):.2f}"),
            ("村→服务点 最大距离 max village→server km", f"{k.get('max_village_km', 0):.2f}"),
            ("两网融合占比 shared points", f"{100 * k.get('shared_site_share', 0):.1f} %"),
            ("流动收运村 mobile villages", f"{k.get('mobile_villages', 0):.0f}"),
            ("状态 status", f"{plan.solve.status} ({plan.solve.backend})"),
            ("间隙 proven gap", "—" if plan.solve.gap is None else f"{100 * plan.solve.gap:.3f} %"),
            ("用时 time", f"{plan.solve.time_s:.1f} s"),
            *((("峰值内存 peak memory", f"{peak_gb:.2f} GB"),) if peak_gb is not None else ()),
            ("校验 checker", verdict))
    for label, value in rows:
        table.add_row(label, value)
    return table


def progress_line(p: Plan, elapsed_s: float, limit_s: float) -> str:
    """Best plan, proven bound and gap, elapsed of the limit: the live line of a long solve."""
    bound = p.solve.bound
    gap = p.solve.gap
    parts = [f"best 当前最优 {p.total_cost_cny:,.0f} CNY/yr"]
    if bound is not None:
        parts.append(f"bound 下界 {bound:,.0f}")
    if gap is not None:
        parts.append(f"gap 间隙 {100 * gap:.2f} %")
    return f"Solving 求解中 … {' · '.join(parts)} · {elapsed_s:.0f} / {limit_s:g} s"


def _load_scenario(region: str | None, villages: Path | None, sites: Path | None, crs: str, seed: int,
                   travel: str, costs: dict[str, Any], source: str, counties: str | None = None) -> Scenario:
    from geodata.regions import load_region

    if region is None:
        raise InputError("give --region (a bundled region; --villages/--sites replace its villages/sites)")
    wanted = [c for c in (counties or "").replace("，", ",").split(",") if c.strip()] if counties else None
    scenario = load_region(region, travel=travel, seed=seed, villages_file=villages, sites_file=sites, crs=crs,
                           counties=wanted)
    if costs:
        from network.params import params_to_mapping

        merged = {**params_to_mapping(scenario.costs), **costs}
        scenario = scenario.with_changes(costs=params_from_mapping(CostParams, merged, source=f"{source} [costs]"))
    return scenario


def _check(scenario: Scenario, plan: Plan, params: NetworkParams) -> list[str] | None:
    try:
        from solver.check import check_network_plan
    except ImportError:
        return None
    return check_network_plan(scenario, plan, params)


def _write_outputs(scenario: Scenario, plan: Plan, out: Path, checks: list[str] | None) -> list[str]:
    written = []
    try:
        from geodata.write import write_plan_files
    except ImportError:
        write_plan(plan, out / "plan.json")
        written.append("plan.json")
    else:
        written += [Path(p).name for p in write_plan_files(scenario, plan, out).values()]
    try:
        from maps.report import write_report
    except ImportError:
        return written
    written += [Path(p).name for p in write_report(scenario, plan, out, checks=checks or []).values()]
    return written


def plan(
    region: Annotated[str | None, typer.Option(
        "--region", "-r", help="Bundled region 内置区域, e.g. hami, datong, shanxi (solve.py regions).")] = None,
    counties: Annotated[str | None, typer.Option(
        help="Only these counties of the region 县: codes or names, comma-separated (e.g. 伊州区,巴里坤).")] = None,
    scenario_file: Annotated[Path | None, typer.Option(
        "--scenario", "-s", help="TOML/YAML file with \\[network] and \\[costs] tables 情景参数文件 "
                                 "(docs/examples/plan_hami.toml).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder 输出目录 (default out/<region>).")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="Seconds for the solve 求解时限 (default: \\[network] time_limit_s, 60).")] = None,
    backend: Annotated[str | None, typer.Option(
        help=f"MIP backend 求解器: {' | '.join(MIP_BACKENDS)} (default highs).")] = None,
    villages: Annotated[Path | None, typer.Option(help="Your villages file 村庄文件 (CSV/Excel/GeoPackage).")] = None,
    sites: Annotated[Path | None, typer.Option(help="Your candidate sites file 候选站点文件.")] = None,
    crs: Annotated[str, typer.Option(help="CRS of your files 坐标系: wgs84, cgcs2000, gcj02, bd09, EPSG:<code>.")] = "wgs84",
    seed: Annotated[int, typer.Option(help="Seed of the region's generated parts 随机种子.")] = 0,
    travel: Annotated[str, typer.Option(help="Travel model 距离模型: auto, circuity, osm.")] = "auto",
    deterministic: Annotated[bool, typer.Option(
        "--deterministic", help="Reproducible 可复现: stages stop after a count of work, not of seconds, so the "
                                "same inputs and seed give the same plan.json on any machine; --time-limit then "
                                "counts work seconds (wall time several times longer).")] = False,
) -> None:
    """Three-tier network 三级回收网络: choose and size collection points, transfer stations, sorting centres.

    Prints a KPI table (sites per tier and size, cost breakdown, t·km, CO₂,
    coverage, village distances, shared-site share, gap, time) and the
    independent checker's verdict; writes plan.json, plan.gpkg, sites.csv,
    assignments.csv and the report. Ctrl-C stops the solve and keeps the best
    plan so far (saved as it is found).
    Example: python solve.py plan --region hami --scenario docs/examples/plan_hami.toml --time-limit 60
    """
    from cli.app import console
    from cli.inspect_cmd import tier_table
    from solver.design import solve_network

    network_table, costs_table = read_scenario_file(scenario_file) if scenario_file else ({}, {})
    source = str(scenario_file or "command line")
    if time_limit is not None:
        network_table["time_limit_s"] = time_limit
    if backend is not None:
        network_table["backend"] = backend
    if deterministic:
        network_table["deterministic"] = True
    params = params_from_mapping(NetworkParams, network_table, source=f"{source} [network]")
    with console.status("Loading the region 读取区域数据 …"):
        scenario = _load_scenario(region, villages, sites, crs, seed, travel, costs_table, source, counties)
    # What is being planned: the region's counts and which distances are used.
    console.print(tier_table(scenario))
    if "travel" in scenario.notes:
        console.print(f"[dim]{scenario.notes['travel']}[/]", highlight=False)
    out_dir = out or Path("out") / (region or scenario.name)
    start = time.perf_counter()
    best: list[Plan] = []

    limit_s = params.time_limit_s
    with console.status(f"Solving 求解中 … (time limit 时限 {limit_s:g} s)") as status:
        def on_progress(p: Plan) -> None:
            best.append(p)
            write_plan(p, out_dir / "plan.json")  # the best plan so far survives a crash or Ctrl-C
            status.update(progress_line(p, time.perf_counter() - start, limit_s))

        result = solve_network(scenario, params=params, on_progress=on_progress)
    checks = _check(scenario, result, params)
    verdict = ("not available 不可用" if checks is None else "OK 通过" if not checks
               else f"{len(checks)} problems 问题")
    from solver.design.size import peak_rss_gb

    console.print(kpi_table(result, verdict, peak_rss_gb()))
    for problem in (checks or [])[:20]:
        console.print(f"  [red]✗[/] {problem}", highlight=False)
    written = _write_outputs(scenario, result, out_dir, checks)
    console.print(f"Wrote 已写入 {out_dir}: {', '.join(sorted(set(written)))}")
    if result.solve.status == "interrupted":
        console.print("[yellow]Interrupted 已中断: this is the best plan found so far 当前最优方案.[/]")
    if checks:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add ``plan`` to the app."""
    app.command("plan")(plan)
