"""``solve.py bases``: retirement forecast and phased recycling-base plan for a prefecture set."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from geodata.plants import plant_inventory
from geodata.regions import REGIONS, RegionInfo, load_counties, load_rail_stations, load_townships
from geodata.travel import build_travel_model
from geodata.user_plants import merge_plants, read_base_sites, read_plants
from network.bases_params import BASE_SIZE_LEVELS, BasesParams, ForecastParams
from network.errors import InputError
from network.params import params_from_mapping
from network.scenario import Scenario
from network.sites import DEFAULT_SIZE_LEVELS
from solver.bases import (
    Forecast,
    PolicyComparison,
    base_candidates,
    compare_policy,
    forecast_retirements,
    solve_bases,
)
from solver.bases.forecast import forecast_records, write_forecast_chart
from solver.check import check_bases_plan

#: Prefecture sets of the planning documents: (region ids, circuity factor, label).
SETS: dict[str, tuple[tuple[str, ...], float, str]] = {
    "xinjiang": (("hami", "changji", "urumqi", "kashgar"), 1.30, "新疆 Xinjiang (§26)"),
    "shanxi": (("datong", "xinzhou", "shuozhou", "yuncheng"), 1.25, "山西 Shanxi (§32)"),
    "innermongolia": ((), 1.35, "内蒙古 Inner Mongolia"),
}
_IM_COUNTIES = "admin/nbs2023_counties_innermongolia.csv"


def innermongolia_regions(top: int) -> tuple[RegionInfo, ...]:
    """The ``top`` Inner Mongolia leagues/cities by operating wind MW in the bundled GEM file."""
    from geodata._data import read_bundled_csv

    table = read_bundled_csv(_IM_COUNTIES)
    inventory = plant_inventory(sorted(set(table["prefecture_code"])), statuses=("operating",))
    mw: dict[str, float] = {}
    for p in inventory.plants:
        if p.technology == "wind":
            mw[p.prefecture_code] = mw.get(p.prefecture_code, 0.0) + p.capacity_mw
    leagues = {r.area_code: r for r in REGIONS.values() if len(r.area_code) == 4 and r.area_code.startswith("15")}
    return tuple(leagues[c] for c in sorted(mw, key=lambda c: -mw[c])[:top])


def build_bases_scenario(set_name: str, *, top: int = 4, plants_file: Path | None = None,
                         replace_plants: bool = False, sites_file: Path | None = None,
                         statuses: tuple[str, ...] = ("operating", "construction")) -> tuple[Scenario, Any]:
    """Scenario of a prefecture set: plants, counties, rail stations, candidate bases, travel model.

    Raises
    ------
    InputError
        For an unknown set or a bad user file.
    """
    if set_name not in SETS:
        raise InputError(f"option '--set': unknown set {set_name!r}; expected one of {', '.join(SETS)}")
    region_ids, circuity, label = SETS[set_name]
    infos = innermongolia_regions(top) if set_name == "innermongolia" else tuple(REGIONS[r] for r in region_ids)
    counties, stations, townships = [], [], []
    for info in infos:
        found = load_counties(info)
        counties += found
        stations += load_rail_stations(info, {c.code for c in found})
        townships += load_townships(info, found, seed=0)
    inventory = plant_inventory([i.area_code for i in infos], statuses=statuses)
    plants = inventory.plants
    if plants_file is not None:
        plants = merge_plants(plants, read_plants(plants_file), replace=replace_plants)
    extra = read_base_sites(sites_file) if sites_file is not None else ()
    sites = base_candidates(counties, stations, townships, extra=extra)
    travel, note = build_travel_model("", travel="circuity", circuity=circuity)
    notes = {"set": label, "travel": note, "plants": "; ".join(inventory.attribution),
             "prefectures": ", ".join(f"{i.name_zh} {i.area_code}" for i in infos)}
    scenario = Scenario(f"bases-{set_name}", (), sites, travel, size_levels=DEFAULT_SIZE_LEVELS + BASE_SIZE_LEVELS,
                        counties=tuple(counties), townships=tuple(townships), plants=plants,
                        rail_stations=tuple(stations), region_id="", notes=notes)
    return scenario, inventory


def _load_params(path: Path | None) -> tuple[ForecastParams, BasesParams]:
    if path is None:
        return ForecastParams(), BasesParams()
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read TOML: {exc}") from None
    unknown = [k for k in data if k not in ("forecast", "bases")]
    if unknown:
        raise InputError(f"{path.name}: unknown tables {', '.join(unknown)}; expected [forecast] and [bases]")
    return (params_from_mapping(ForecastParams, data.get("forecast", {}), source=f"{path.name} [forecast]"),
            params_from_mapping(BasesParams, data.get("bases", {}), source=f"{path.name} [bases]"))


def _write_excel(path: Path, sheets: dict[str, Any]) -> None:
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".xlsx")
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=name[:31], index=False)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp leaves 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def bases(
    set_name: Annotated[str, typer.Option("--set", help="Prefecture set 地区组: xinjiang, shanxi, innermongolia.")],
    out: Annotated[Path | None, typer.Option(help="Output folder 输出目录 (default out/bases-<set>).")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Solver time limit, s 求解时限(秒); "
                                              "split between free and policy plans.")] = 60.0,
    policy: Annotated[bool, typer.Option(help="Also solve with one base per prefecture 每个地市至少一个基地 "
                                         "and report the policy's cost.")] = True,
    top: Annotated[int, typer.Option(help="Inner Mongolia: number of leagues/cities by operating wind MW.")] = 4,
    design_life: Annotated[float | None, typer.Option(help="Wind design life, yr 风机设计寿命 (20–25).")] = None,
    repower_share: Annotated[float | None, typer.Option(help="Share of wind repowered at end of life 以大代小比例.")
                             ] = None,
    pv_loss: Annotated[str | None, typer.Option(help="PV loss scenario 光伏损耗情景: regular or early.")] = None,
    blade_transport: Annotated[str | None, typer.Option(help="Blades 叶片运输: cut (segments) or whole (oversize).")
                               ] = None,
    params_file: Annotated[Path | None, typer.Option("--params", help="TOML file 参数文件 with tables named forecast and bases (any ForecastParams / BasesParams field).")
                           ] = None,
    plants_file: Annotated[Path | None, typer.Option("--plants", help="Your plant list 电站清单 (CSV/Excel).")] = None,
    replace_plants: Annotated[bool, typer.Option(help="Your plant list replaces the bundled one 替换内置清单.")
                              ] = False,
    sites_file: Annotated[Path | None, typer.Option("--sites", help="Your candidate base sites 候选基地 (CSV/Excel).")
                          ] = None,
) -> None:
    """Recycling bases for retired wind/PV equipment 退役风电光伏设备循环利用基地: forecast and phased plan.

    Example: solve.py bases --set xinjiang --out out/bases-xinjiang --time-limit 60
    """
    from cli.app import console

    started = time.perf_counter()
    fparams, bparams = _load_params(params_file)
    changes = {k: v for k, v in (("wind_design_life_yr", design_life), ("wind_repower_share", repower_share),
                                  ("pv_loss_scenario", pv_loss)) if v is not None}
    fparams = dataclasses.replace(fparams, **changes) if changes else fparams
    if blade_transport is not None:
        bparams = dataclasses.replace(bparams, blade_transport=blade_transport)
    bparams = dataclasses.replace(bparams, time_limit_s=time_limit)
    out_dir = out or Path("out") / f"bases-{set_name}"
    with console.status("Loading plants and sites 加载电站与候选基地…"):
        scenario, inventory = build_bases_scenario(set_name, top=top, plants_file=plants_file,
                                                   replace_plants=replace_plants, sites_file=sites_file)
    forecast = forecast_retirements(scenario.plants, params=fparams)
    names = {c.prefecture_code: c.prefecture for c in scenario.counties}
    county_names = {c.code: c.name for c in scenario.counties}
    console.print(f"[bold]{scenario.notes['set']}[/]: {scenario.notes['prefectures']}", highlight=False)
    console.print(f"Plants 电站: {len(scenario.plants)} "
                  f"(wind 风电 {inventory.capacity_mw('wind'):,.0f} MW, solar 光伏 {inventory.capacity_mw('solar'):,.0f} MW"
                  f"; {len(inventory.excluded)} source rows excluded 剔除); candidate bases 候选基地: "
                  f"{len(scenario.sites)}", highlight=False)
    console.print(_forecast_table(forecast, names))

    def progress(event: Any) -> None:
        console.print(f"[dim]  {event.stage} {event.elapsed_s:.1f} s: {event.message}[/]", highlight=False)

    if policy:
        prefs = tuple(sorted({c.prefecture_code for c in scenario.counties}))
        result = compare_policy(scenario, forecast, params=bparams, prefectures=prefs, on_progress=progress)
        plan = result.free
    else:
        result = None
        plan = solve_bases(scenario, forecast, params=bparams, on_progress=progress)
    checks = check_bases_plan(scenario, plan, forecast)
    console.print(_plan_table(scenario, plan, "Phased plan 分期方案 (free choice 自由选址)"))
    _print_costs(console, plan, checks)
    if result is not None:
        pchecks = check_bases_plan(scenario, result.policy, forecast)
        console.print(_plan_table(scenario, result.policy, "Policy plan 政策方案 (one base per prefecture 每市一基地)"))
        _print_costs(console, result.policy, pchecks)
        span = result.policy_cost_range_cny
        within = f" (within the proven gaps 间隙范围内: {span[0] / 1e6:,.1f} – {span[1] / 1e6:,.1f} M)" if span else ""
        console.print(f"[bold]Cost of the policy 政策成本[/]: {result.policy_cost_cny / 1e6:,.1f} M CNY "
                      f"(discounted 折现){within}", highlight=False)
    records = forecast_records(forecast, prefecture_names=names, county_names=county_names)
    written = _write_outputs(out_dir, scenario, plan, result, forecast, records, names, inventory, checks)
    console.print(f"Wrote 已写出 {', '.join(sorted(written))} to {out_dir} in {time.perf_counter() - started:.1f} s",
                  highlight=False)


def _forecast_table(forecast: Forecast, names: dict[str, str]) -> Table:
    years = [y for y in (2030, 2040, 2050) if forecast.start_year <= y <= forecast.end_year]
    table = Table(title="Retirements 退役量 (t/yr 吨/年)")
    table.add_column("prefecture 地市")
    for y in years:
        table.add_column(str(y), justify="right")
    per = forecast.by_prefecture(years)
    for code in sorted(per):
        table.add_row(f"{names.get(code, code)} {code}", *(f"{per[code][y]:,.0f}" for y in years))
    table.add_row("total 合计", *(f"{forecast.total_t(year=y):,.0f}" for y in years))
    return table


def _plan_table(scenario: Scenario, plan: Any, title: str) -> Table:
    by_id = {s.site_id: s for s in scenario.sites}
    table = Table(title=title)
    for col in ("base 基地", "county 县", "opens 启用", "sizes 规模 (year→level)", "peak t/yr 峰值"):
        table.add_column(col)
    for site in sorted(plan.sites, key=lambda s: (s.open_year or 0, s.site_id)):
        cand = by_id[site.site_id]
        steps = ", ".join(f"{st.year}→{st.size_level} ({st.capacity_t_per_year:,.0f})" for st in site.steps)
        table.add_row(cand.name, scenario.county_name(cand.county_code), str(site.open_year), steps,
                      f"{site.throughput_t_per_year:,.0f}")
    return table


def _print_costs(console: Any, plan: Any, checks: list[str]) -> None:
    s = plan.solve
    gap = f"{100 * s.gap:.2f} %" if s.gap is not None else "n/a"
    costs = ", ".join(f"{k} {v / 1e6:,.1f}" for k, v in plan.costs_cny.items())
    console.print(f"Costs 成本 (M CNY, discounted 折现): {costs}", highlight=False)
    k = plan.kpis
    console.print(f"retired 退役 {k['retired_t']:,.0f} t, unserved 未服务 {k['unserved_t']:,.0f} t, "
                  f"{k['t_km'] / 1e6:,.1f} M t·km, CO2 {k['co2_t']:,.0f} t, bases 基地 {k['bases']:.0f}",
                  highlight=False)
    verdict = "[green]clean 通过[/]" if not checks else f"[red]{len(checks)} problems 问题[/]: " + "; ".join(checks[:5])
    console.print(f"checker 校验: {verdict}; {s.status}, proven gap 已证间隙 {gap}, {s.time_s:.1f} s",
                  highlight=False)


def _write_outputs(out_dir: Path, scenario: Scenario, plan: Any, result: PolicyComparison | None,
                   forecast: Forecast, records: list[dict[str, Any]], names: dict[str, str], inventory: Any,
                   checks: list[str]) -> dict[str, Path]:
    import pandas as pd

    from geodata.write import write_plan_files
    from network.serialize import write_plan, write_text_atomic

    written = dict(write_plan_files(scenario, plan, out_dir))
    frame = pd.DataFrame(records)
    write_text_atomic(out_dir / "forecast.csv", frame.to_csv(index=False))
    written["forecast.csv"] = out_dir / "forecast.csv"
    write_forecast_chart(forecast, out_dir / "forecast.png", prefecture_names=names)
    written["forecast.png"] = out_dir / "forecast.png"
    plans = {"free 自由": plan}
    if result is not None:
        write_plan(result.policy, out_dir / "plan_policy.json")
        written["plan_policy.json"] = out_dir / "plan_policy.json"
        plans["policy 政策"] = result.policy
    by_id = {s.site_id: s for s in scenario.sites}
    plan_rows, flow_rows, cost_rows = [], [], []
    for label, p in plans.items():
        for site in p.sites:
            for st in site.steps:
                plan_rows.append({"plan 方案": label, "base_id 基地": site.site_id, "name 名称": by_id[site.site_id].name,
                                  "county 县": scenario.county_name(by_id[site.site_id].county_code),
                                  "year 年份": st.year, "size 规模": st.size_level,
                                  "capacity t/yr 能力": st.capacity_t_per_year,
                                  "lon": by_id[site.site_id].lon, "lat": by_id[site.site_id].lat})
        for f in p.flows:
            flow_rows.append({"plan 方案": label, "county 县": scenario.county_name(f.origin_id),
                              "base_id 基地": f.destination_id, "class 类别": f.stream.label, "year 年份": f.year,
                              "t 吨": f.amount_t, "km 公里": f.distance_km, "mode 方式": f.mode})
        for key, value in p.costs_cny.items():
            cost_rows.append({"plan 方案": label, "item 项目": key, "CNY 元 (discounted 折现)": value})
        cost_rows.append({"plan 方案": label, "item 项目": "gap 间隙", "CNY 元 (discounted 折现)": p.solve.gap})
    if result is not None:
        cost_rows.append({"plan 方案": "policy − free 政策成本", "item 项目": "total",
                          "CNY 元 (discounted 折现)": result.policy_cost_cny})
    plants = pd.DataFrame([{"plant_id": p.plant_id, "name": p.name, "technology": p.technology, "MW": p.capacity_mw,
                            "year": p.commissioning_year, "year_imputed": p.commissioning_year_imputed,
                            "status": p.status, "county_code": p.county_code, "source": p.source,
                            "flags": ";".join(p.flags)} for p in scenario.plants])
    excluded = pd.DataFrame([dataclasses.asdict(e) for e in inventory.excluded])
    _write_excel(out_dir / "bases.xlsx", {"预测 Forecast": frame, "方案 Plan": pd.DataFrame(plan_rows),
                                          "流向 Flows": pd.DataFrame(flow_rows), "成本 Costs": pd.DataFrame(cost_rows),
                                          "电站 Plants": plants, "剔除 Excluded": excluded})
    written["bases.xlsx"] = out_dir / "bases.xlsx"
    try:
        from maps.report import write_report
    except ImportError:
        return written
    written.update({p.name: p for p in write_report(scenario, plan, out_dir, checks=checks,
                                                    forecast=records).values()})
    return written


def register(app: typer.Typer) -> None:
    """Add the ``bases`` subcommand to the app."""
    app.command("bases")(bases)
