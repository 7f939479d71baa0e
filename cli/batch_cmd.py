"""``solve.py batch``: run a batch of scenarios (sweeps, variants) on Dask, resumably."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from batch.compare import NOT_SIGNIFICANT, kpi_table, ranking_notes, write_comparison
from batch.excel import write_template
from batch.read import read_batch
from batch.run import BatchProgress, run_batch
from network.errors import InputError


def batch(
    batch_file: Annotated[Path | None, typer.Argument(
        help="Batch file 批次文件 (.toml, .yaml or the Excel template .xlsx).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder 输出目录 (default out/<batch name>).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Address of an existing Dask scheduler 已有集群地址, e.g. tcp://10.0.0.5:8786.")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes of the local cluster 本机进程数 (default: one per core).")] = None,
    sequential: Annotated[bool, typer.Option(
        "--sequential", help="Run in this process, one scenario at a time 顺序运行 (no Dask).")] = False,
    keep_failed: Annotated[bool, typer.Option(
        "--keep-failed", help="Do not retry scenarios that failed in an earlier run 不重试失败情景.")] = False,
    template: Annotated[Path | None, typer.Option(
        help="Write the Excel batch template to this path and stop 生成Excel模板.")] = None,
) -> None:
    """Run many scenarios and compare them 批量情景: grid sweeps, policy variants, resumable.

    Finished scenarios (out/<batch>/<id>/manifest.json) are skipped when the
    same batch runs again, so a killed run resumes where it stopped. Writes
    comparison.html, comparison.xlsx, comparison.csv and pareto.png.
    """
    from cli.app import console

    if logging.getLogger().getEffectiveLevel() > logging.INFO:  # quiet Dask unless --verbose
        import distributed  # noqa: F401 - its import sets its loggers' levels; override after

        logging.getLogger("distributed").setLevel(logging.ERROR)
    if template is not None:
        path = write_template(template)
        console.print(f"Template 模板 written: {path}")
        return
    if batch_file is None:
        raise InputError("solve.py batch: give a batch file (e.g. batch/examples/hami_sweep.toml) "
                         "or --template PATH")
    spec = read_batch(batch_file)
    batch_dir = out or Path("out") / spec.name
    console.print(f"Batch 批次 [bold]{spec.name}[/]: {len(spec.scenarios)} scenarios 情景 → {batch_dir}")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("ok {task.fields[done]} · failed 失败 {task.fields[failed]} · "
                          "skipped 跳过 {task.fields[skipped]} · left 剩余 {task.fields[remaining]}"),
               TimeElapsedColumn(), TextColumn("ETA {task.fields[eta]}"))
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("情景 scenarios", total=len(spec.scenarios), done=0, failed=0, skipped=0,
                            remaining=len(spec.scenarios), eta="?")

        def on_progress(p: BatchProgress) -> None:
            eta = "?" if p.eta_s is None else f"{p.eta_s:,.0f} s"
            bar.update(task, completed=p.done + p.failed + p.skipped, done=p.done, failed=p.failed,
                       skipped=p.skipped, remaining=p.remaining, eta=eta)
            if p.last_status == "failed":
                bar.console.print(f"[red]failed 失败[/] {p.last_name} ({p.last_id})")

        try:
            result = run_batch(spec, batch_dir, scheduler=scheduler, workers=workers, sequential=sequential,
                               retry_failed=not keep_failed, on_progress=on_progress)
        except KeyboardInterrupt:
            bar.stop()
            console.print("[yellow]Interrupted 已中断[/]: finished scenarios are kept in "
                          f"{batch_dir}; run the same command again to resume 重新运行即可续跑.")
            raise typer.Exit(130) from None
    files = write_comparison(batch_dir, result.manifests, title=spec.name)
    frame = kpi_table(result.manifests)
    table = Table(title="Batch 批次 " + spec.name + " (sorted by cost 按成本排序)")
    table.add_column("情景\nscenario", overflow="fold", min_width=16)
    for heading in ("状态\nstatus", "总成本 cost\n万元/yr", "覆盖\ncoverage", "CO₂\nt/yr", "差距\ngap",
                    "与上一行\nvs above", "校验\nchecker"):
        table.add_column(heading, justify="right", no_wrap=True)
    for _, row in frame.iterrows():
        m = result.manifests[row["scenario_id"]]
        ok = m["status"] == "ok"
        check = m.get("check", {})

        def number(value: float, text: str, ok: bool = ok) -> str:
            return text.format(value) if ok and pd.notna(value) else "—"

        table.add_row(str(row["name"]), m["status"] if ok else f"[red]{m['status']}[/]",
                      number(row["total_cny"] / 1e4, "{:,.1f}"), number(100 * row["coverage_share"], "{:.1f}%"),
                      number(row["co2_t"], "{:,.1f}"), number(100 * row["gap"], "{:.2f}%"),
                      row["vs_above"] if row["vs_above"] != NOT_SIGNIFICANT else f"[yellow]{row['vs_above']}[/]",
                      ("passed" if check.get("passed") else f"[red]{len(check.get('violations', []))} ✗[/]")
                      if ok else m.get("error", {}).get("type", ""))
    console.print(table)
    for note in ranking_notes(frame):
        console.print(f"[yellow]{note}[/]", highlight=False)
    console.print(f"ran 运行 {len(result.ran)}, skipped 跳过 {len(result.skipped)}, failed 失败 {len(result.failed)}, "
                  f"{result.elapsed_s:.1f} s")
    console.print(f"Comparison 对比: {files['html']}  {files['excel']}  {files['chart']}")
    if any(m["status"] != "ok" for m in result.manifests.values()) or result.check_failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``batch`` to the application."""
    app.command("batch")(batch)
