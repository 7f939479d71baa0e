"""``solve.py inspect``: load a bundled region or the user's files, validate, summarise."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from geodata.read import read_sites, read_villages
from geodata.regions import graph_key, load_region, region_bbox
from geodata.roads import download_graph
from geodata.travel import build_travel_model
from network.errors import InputError
from network.scenario import Scenario
from network.sites import COLLECTION_TIERS, Tier
from network.streams import COLLECTION_STREAMS


def inspect(
    region: Annotated[str | None, typer.Option(
        "--region", "-r", help="Bundled region 内置区域, e.g. hami, datong (see: solve.py regions).")] = None,
    villages: Annotated[Path | None, typer.Option(
        "--villages", help="Your villages file 村庄文件 (CSV, Excel or GeoPackage); replaces generated villages.")] = None,
    sites: Annotated[Path | None, typer.Option(
        "--sites", help="Your candidate sites file 候选站点文件 (CSV, Excel or GeoPackage).")] = None,
    crs: Annotated[str, typer.Option(
        help="Coordinate system of your files 坐标系: wgs84, cgcs2000, gcj02 (高德/腾讯), bd09 (百度), EPSG:<code>."
    )] = "wgs84",
    county: Annotated[list[str] | None, typer.Option(
        "--county", "-c", metavar="CODE", help="Only this county of the region 只看某县 (code, repeatable), e.g. -c 140221.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated parts 生成数据的随机种子.")] = 0,
    travel: Annotated[str, typer.Option(
        help="Travel model 距离模型: auto (road graph if cached, else circuity), circuity, osm.")] = "auto",
    download_roads: Annotated[str | None, typer.Option(
        "--download-roads", help="Download and cache the region's OSM road graph 下载路网 first: 'prefecture' "
        "(trunk–secondary roads) or 'county' (all drivable roads); needs HUISHOU_ALLOW_NETWORK=1.")] = None,
) -> None:
    """Check inputs 检查数据: load a region or your files, validate every row, print counts.

    Problems are reported together, each with file, row and field.
    Examples: solve.py inspect --region datong;
    solve.py inspect --villages villages.csv --sites sites.xlsx --crs gcj02
    """
    from cli.app import console

    if download_roads is not None:
        if region is None:
            raise InputError("option '--download-roads': give --region too, e.g. --region hami")
        with console.status(f"Downloading the OSM road graph 下载路网 for {region} ({download_roads})…"):
            path = download_graph(graph_key(region, county), region_bbox(region, counties=county),
                                  scale=download_roads)
        console.print(f"Road graph cached 路网已缓存: {path}")
    if region is not None:
        scenario = load_region(region, travel=travel, seed=seed, villages_file=villages, sites_file=sites, crs=crs,
                               counties=county)
    elif villages is not None or sites is not None:
        scenario = _user_scenario(villages, sites, crs=crs, travel=travel)
    else:
        raise InputError("solve.py inspect: give --region (e.g. --region hami) or --villages/--sites files")
    console.print(county_table(scenario))
    console.print(tier_table(scenario))
    for key, note in scenario.notes.items():
        console.print(f"[dim]{key}[/]: {note}", highlight=False)
    console.print(f"[green]OK 数据有效[/]: {len(scenario.villages):,} villages 村/社区, {len(scenario.sites):,} "
                  f"candidate sites 候选站点 validated.")


def _user_scenario(villages: Path | None, sites: Path | None, *, crs: str, travel: str) -> Scenario:
    problems: list[str] = []
    found_villages, found_sites = (), ()
    for path, reader in ((villages, read_villages), (sites, read_sites)):
        if path is None:
            continue
        try:
            items = reader(path, crs=crs)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if reader is read_villages:
            found_villages = items
        else:
            found_sites = items
    if problems:
        raise InputError(problems)
    model, note = build_travel_model("", travel=travel)
    notes = {"travel": note, "crs": f"coordinates converted from {crs} to WGS-84 on load"}
    return Scenario("user", found_villages, found_sites, model, notes=notes)


def county_table(scenario: Scenario) -> Table:
    """Per-county counts: townships, villages by type, households, tonnes, candidates per tier."""
    table = Table(title=f"{scenario.name}: per county 分县统计")
    for header in ("code\n代码", "county\n县区", "townships\n乡镇", "urban\n社区", "rural\n村", "farm\n连队",
                   "households\n户数", *(f"{s.name_zh}\n{s.value.replace('_', ' ')}\nt/yr" for s in COLLECTION_STREAMS),
                   *(f"{t.name_zh}\n{t.value.replace('_', ' ')}" for t in COLLECTION_TIERS)):
        table.add_column(header, justify="left" if header.startswith(("code", "county")) else "right")
    towns = Counter(t.county_code for t in scenario.townships)
    kinds: dict[str, Counter] = defaultdict(Counter)
    households: Counter = Counter()
    tonnes: dict[str, Counter] = defaultdict(Counter)
    for v in scenario.villages:
        kinds[v.county_code][v.settlement.value] += 1
        households[v.county_code] += v.households
        for stream, amount in v.generation_t_per_year.items():
            tonnes[v.county_code][stream] += amount
    tiers: dict[str, Counter] = defaultdict(Counter)
    for s in scenario.sites:
        tiers[s.county_code][s.tier] += 1
    codes = [c.code for c in scenario.counties] or sorted({*kinds, *tiers})
    totals: Counter = Counter()
    for code in codes:
        row = [towns[code], kinds[code]["urban"], kinds[code]["rural"], kinds[code]["farm_unit"], households[code],
               *(tonnes[code][s] for s in COLLECTION_STREAMS), *(tiers[code][t] for t in COLLECTION_TIERS)]
        for i, value in enumerate(row):
            totals[i] += value
        table.add_row(code, scenario.county_name(code), *_fmt(row))
    table.add_row("", "total 合计", *_fmt([totals[i] for i in range(len(totals))]), style="bold")
    return table


def tier_table(scenario: Scenario) -> Table:
    """Candidate sites per tier and status."""
    table = Table(title=f"{scenario.name}: region summary 区域概况 — candidate sites 候选站点 by tier and status")
    for header in ("tier 层级", "candidate 候选", "existing 现有", "required 必建", "closed 关闭", "shared 两网融合"):
        table.add_column(header, justify="left" if header.startswith("tier") else "right")
    for tier in Tier:
        group = scenario.sites_of(tier)
        if not group:
            continue
        status = Counter(s.status.value for s in group)
        table.add_row(tier.label, *(f"{status[k]:,}" for k in ("candidate", "existing", "required", "closed")),
                      f"{sum(s.shared_with_garbage_sorting for s in group):,}")
    table.add_row("villages 村/社区", f"{len(scenario.villages):,}", "", "", "", "")
    table.add_row("counties 县区 / townships 乡镇", f"{len(scenario.counties):,} / {len(scenario.townships):,}",
                  "", "", "", "")
    table.add_row("plants 风光电站 / rail stations 火车站",
                  f"{len(scenario.plants):,} / {len(scenario.rail_stations):,}", "", "", "", "")
    return table


def _fmt(values: list[float]) -> list[str]:
    return [f"{v:,.0f}" if float(v) == int(v) or abs(v) >= 100 else f"{v:,.1f}" for v in values]


def register(app: typer.Typer) -> None:
    """Add the ``inspect`` subcommand to the app."""
    app.command("inspect")(inspect)
