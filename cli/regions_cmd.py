"""``solve.py regions``: list the bundled regions with their counts."""

from __future__ import annotations

import typer
from rich.table import Table

from geodata.regions import list_regions, load_region
from network.sites import Tier


def regions() -> None:
    """List the bundled regions 内置区域: counties, townships, villages, plants, rail stations.

    Each region loads from the files in geodata/data (NBS 2023, census 2020,
    GeoNames, OSM); generated parts are seeded (seed 0 here).
    """
    from cli.app import console

    table = Table(title="Bundled regions 内置区域")
    table.add_column("id", no_wrap=True)
    table.add_column("中文名\nname")
    table.add_column("省\nprovince")
    for header in ("县\ncounties", "乡镇\ntownships", "村/社区\nvillages", "回收点\ncollection\npoints",
                   "风光电站\nplants", "火车站\nrail\nstations"):
        table.add_column(header, justify="right")
    for info in list_regions():
        scenario = load_region(info.region_id, travel="circuity")
        table.add_row(info.region_id, f"{info.name_zh} {info.name_en}", info.province,
                      f"{len(scenario.counties):,}", f"{len(scenario.townships):,}", f"{len(scenario.villages):,}",
                      f"{len(scenario.sites_of(Tier.COLLECTION_POINT)):,}", f"{len(scenario.plants):,}",
                      f"{len(scenario.rail_stations):,}")
    console.print(table)
    console.print("Load one with 查看: python solve.py inspect --region hami")


def register(app: typer.Typer) -> None:
    """Add the ``regions`` subcommand to the app."""
    app.command("regions")(regions)
