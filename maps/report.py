"""Planner reports: ``map.html``, ``report.html`` and ``report.xlsx`` for one run, and a batch comparison.

``report.html`` is one self-contained page: the checker's verdict, the map
(embedded from ``map.html`` beside it, with a link to open it full-screen),
KPI and cost tables, a cost-breakdown chart, a per-tier utilisation chart and,
for base runs given a forecast, the retirement forecast chart. Charts are PNG
data URIs (matplotlib); the page loads no JavaScript at all. ``report.xlsx``
holds the same tables, one sheet each, named in Chinese and English. Every
file is written through a temporary file and ``os.replace``.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from maps.charts import cost_chart, forecast_chart, tidy_forecast, utilisation_chart
from maps.labels import KIND_LABELS
from maps.offline import save_map
from maps.plan_map import build_map
from maps.tables import SHEETS, report_tables
from network.errors import InputError
from network.plan import Plan
from network.scenario import Scenario
from network.serialize import write_text_atomic

_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif;
  margin: 24px auto; max-width: 1200px; color: #212121; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.sub { color: #616161; }
.verdict { padding: 10px 14px; border-radius: 6px; margin: 14px 0; }
.ok { background: #e8f5e9; border: 1px solid #66bb6a; } .bad { background: #ffebee; border: 1px solid #e57373; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #e0e0e0; padding: 3px 8px; } th { background: #f5f5f5; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
iframe { width: 100%; height: 640px; border: 1px solid #ccc; border-radius: 6px; }
.charts img { max-width: 100%; margin: 6px 0; }
"""


def _cell(column: str, value: Any) -> tuple[str, bool]:
    """Format one table cell; returns (text, is_number)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, bool):
        return ("是 yes" if value else "否 no"), False
    if isinstance(value, (int, float)):
        if any(k in column for k in ("Share", "Utilisation", "share", "utilisation", "coverage")):
            return f"{100 * value:.1f} %", True
        if isinstance(value, int) or float(value).is_integer():
            return f"{value:,.0f}", True
        return (f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.3f}"), True
    return escape(str(value)), False


def table_html(frame: pd.DataFrame, *, links: Mapping[int, str] | None = None) -> str:
    """An HTML table of a DataFrame with numbers formatted; ``links`` maps row index → href for the first cell."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for j, (col, value) in enumerate(zip(frame.columns, row, strict=True)):
            text, numeric = _cell(str(col), value)
            if j == 0 and links and i in links:
                text = f'<a href="{escape(links[i])}">{text}</a>'
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _write_excel(tables: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write sheets atomically (temporary file in the same folder, then ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".xlsx")
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
            for name, frame in tables.items():
                frame.to_excel(writer, sheet_name=name[:31], index=False)
                sheet = writer.sheets[name[:31]]
                for k, col in enumerate(frame.columns):
                    width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
                    sheet.set_column(k, k, min(60, max(8, width + 2)))
                sheet.freeze_panes(1, 0)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def write_report(scenario: Scenario, plan: Plan, out_dir: Path, *, checks: list[str], forecast: Any = None,
                 extra_tables: Mapping[str, pd.DataFrame] | None = None, basemap: str = "none",
                 tianditu_key: str | None = None, extra_plans: Sequence[Plan] = ()) -> dict[str, Path]:
    """Write ``map.html``, ``report.html`` and ``report.xlsx`` for one run.

    Parameters
    ----------
    scenario, plan
        The scenario and the plan that answers it.
    out_dir
        The run folder (created if missing), e.g. ``out/hami``.
    checks
        The independent checker's findings; empty means the plan is clean.
    forecast
        For base runs: the retirement forecast as a tidy table (DataFrame or
        records) with columns year, county, class, t (tonnes).
    extra_tables
        More tables (sheet name → DataFrame) appended to both reports.
    basemap, tianditu_key
        Basemap of ``map.html`` (see :func:`maps.plan_map.build_map`).
    extra_plans
        Plans drawn on the same map for context, e.g. the network plan
        under a routes plan; their KPIs join the map's panel, not the tables.

    Returns
    -------
    dict
        ``{"map": …, "report_html": …, "report_xlsx": …}`` paths.

    Raises
    ------
    InputError
        If the forecast table lacks a column, or for a bad basemap choice.
    OSError
        If a file cannot be written.
    """
    out_dir = Path(out_dir)
    tidy = None
    if forecast is not None:
        try:
            tidy = tidy_forecast(forecast)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    fmap = build_map(scenario, plan, basemap=basemap, tianditu_key=tianditu_key, extra_plans=extra_plans)
    map_path = save_map(fmap, out_dir / "map.html")
    tables = report_tables(scenario, plan, checks=checks, forecast=tidy, extra_tables=extra_tables)
    charts = [(c, alt) for c, alt in ((cost_chart(plan), "成本构成 Cost breakdown"),
                                      (utilisation_chart(scenario, plan), "各层级利用率 Utilisation by tier"),
                                      (forecast_chart(tidy) if tidy is not None else None,
                                       "退役设备预测 Retirement forecast")) if c]
    html_path = out_dir / "report.html"
    write_text_atomic(html_path, _report_html(scenario, plan, checks, tables, charts, map_path.name))
    xlsx_path = _write_excel(tables, out_dir / "report.xlsx")
    written = {"map": map_path, "report_html": html_path, "report_xlsx": xlsx_path}
    for path in written.values():
        _readable(path)
    return written


def _readable(path: Path) -> None:
    """Give a file written through ``mkstemp`` (mode 0600) the usual mode for new files (0666 & ~umask)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _report_html(scenario: Scenario, plan: Plan, checks: Sequence[str], tables: Mapping[str, pd.DataFrame],
                 charts: Sequence[tuple[str, str]], map_name: str) -> str:
    kind = KIND_LABELS.get(plan.kind, plan.kind)
    if checks:
        items = "".join(f"<li>{escape(c)}</li>" for c in checks)
        verdict = (f'<div class="verdict bad" id="verdict"><b>校验未通过 Checker found {len(checks)} problem(s)</b>'
                   f"<ul>{items}</ul></div>")
    else:
        verdict = ('<div class="verdict ok" id="verdict"><b>✓ 校验通过 Checker: clean</b> — 独立校验器复算成本与约束, '
                   "未发现问题 the independent checker recomputed costs and constraints and found no problem.</div>")
    parts = [f"<h1>{escape(scenario.name)} · {escape(kind)}</h1>",
             f'<div class="sub">方案报告 Plan report · {escape(plan.solve.model)} / {escape(plan.solve.backend)} · '
             f"{escape(plan.solve.status)}</div>", verdict,
             f'<h2>地图 Map</h2><p><a href="{escape(map_name)}">全屏打开地图 Open the map full screen</a> '
             "(示意图 schematic where county extents are shown)</p>"
             f'<iframe src="{escape(map_name)}" title="map 地图"></iframe>']
    if charts:
        imgs = "".join(f'<img src="{uri}" alt="{escape(alt)}" title="{escape(alt)}">' for uri, alt in charts)
        parts.append(f'<h2>图表 Charts</h2><div class="charts">{imgs}</div>')
    for name, frame in tables.items():
        anchor = "checks" if name == SHEETS["checks"] else ""
        parts.append(f'<h2{f" id={anchor!r}" if anchor else ""}>{escape(name)}</h2>{table_html(frame)}')
    parts.append('<p class="sub">同一表格见 report.xlsx · The same tables are in report.xlsx.</p>')
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(scenario.name)} '
            f"— huishou report</title><style>{_CSS}</style></head><body>{''.join(parts)}</body></html>")


def write_comparison_report(rows: Sequence[Mapping[str, Any]], out_dir: Path, *, links: Mapping[str, str],
                            title: str = "", key: str = "scenario") -> dict[str, Path]:
    """A batch-level comparison: one KPI row per scenario, each linked to its map.

    Parameters
    ----------
    rows
        One mapping per scenario; ``rows[i][key]`` names the scenario, the
        other entries are shown as columns (their keys as headings).
    out_dir
        Folder for ``comparison_report.html`` and ``comparison_report.xlsx``.
    links
        Scenario name → relative link to its map (e.g. ``"s1/map.html"``).
    title
        Heading of the page.
    key
        The column naming the scenario.

    Returns
    -------
    dict
        ``{"report_html": …, "report_xlsx": …}`` paths.

    Raises
    ------
    InputError
        If a row lacks ``key``.
    """
    missing = [i + 1 for i, r in enumerate(rows) if key not in r]
    if missing:
        raise InputError(f"comparison rows {', '.join(map(str, missing))}: missing the scenario column '{key}'")
    frame = pd.DataFrame(list(rows))
    if not frame.empty:
        frame = frame[[key, *[c for c in frame.columns if c != key]]]
    frame.insert(1, "地图 Map", [links.get(str(r[key]), "") for r in rows])
    row_links = {i: links[str(r[key])] for i, r in enumerate(rows) if str(r[key]) in links}
    out_dir = Path(out_dir)
    html = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title or "comparison")}'
            f"</title><style>{_CSS}</style></head><body><h1>{escape(title or '情景比较 Scenario comparison')}</h1>"
            f'<p class="sub">每行一个情景, 点击名称打开其地图 One row per scenario; click a name to open its map.</p>'
            f"{table_html(frame, links=row_links)}</body></html>")
    html_path = out_dir / "comparison_report.html"
    write_text_atomic(html_path, html)
    xlsx_path = _write_excel({"比较 Comparison": frame}, out_dir / "comparison_report.xlsx")
    for path in (html_path, xlsx_path):
        _readable(path)
    return {"report_html": html_path, "report_xlsx": xlsx_path}
