"""Compare the scenarios of a batch: KPI table, Pareto sets, chart, HTML and Excel.

The table has one row per scenario (read from the manifests), sorted by total
cost; the cheapest scenario whose plan passes the checker is marked ★.

Pareto sets: scenario *a* dominates *b* on (cost, coverage) if
``cost_a ≤ cost_b`` and ``coverage_a ≥ coverage_b`` with at least one strict;
on (cost, CO₂) if ``cost_a ≤ cost_b`` and ``co2_a ≤ co2_b`` with one strict.
The Pareto set is the scenarios no other scenario dominates (only scenarios
that solved and passed the checker take part).

Significance: a plan's cost is an upper and its proven bound a lower limit of
its scenario's optimum. Scenario *a* is proven cheaper than *b* when
``cost_a < bound_b``: no plan of *b* can cost as little as *a*'s. Otherwise
the difference is within their gaps and is marked not significant; the page
says in words which runs of the cost-sorted table cannot be told apart.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from batch.store import publish, write_text

#: KPI columns: (column id, heading 中文 English, where in the manifest).
COLUMNS: tuple[tuple[str, str, tuple[str, str]], ...] = (
    ("total_cny", "总成本 total cost (CNY/yr)", ("costs_cny", "total")),
    ("fixed_cny", "固定成本 fixed (CNY/yr)", ("costs_cny", "fixed")),
    ("handling_cny", "作业成本 handling (CNY/yr)", ("costs_cny", "handling")),
    ("transport_cny", "运输成本 transport (CNY/yr)", ("costs_cny", "transport")),
    ("mobile_cny", "流动收运 mobile collection (CNY/yr)", ("costs_cny", "mobile_collection")),
    ("open_collection_point", "回收点 collection points", ("kpis", "open_collection_point")),
    ("open_transfer_station", "中转站 transfer stations", ("kpis", "open_transfer_station")),
    ("open_sorting_centre", "分拣中心 sorting centres", ("kpis", "open_sorting_centre")),
    ("coverage_share", "覆盖率 coverage", ("kpis", "coverage_share")),
    ("t_km", "周转量 t·km/yr", ("kpis", "t_km")),
    ("co2_t", "碳排放 CO₂ (t/yr)", ("kpis", "co2_t")),
    ("bound_cny", "下界 proven bound (CNY/yr)", ("solve", "bound")),
    ("gap", "最优性差距 gap", ("solve", "gap")),
    ("solve_status", "求解状态 solver status", ("solve", "status")),
    ("time_s", "用时 time (s)", ("timings_s", "total")),
)
HEADINGS = {"best": "最优 best", "name": "情景 scenario", "scenario_id": "编号 id", "status": "状态 status",
            "check": "校验 checker", "changes": "变化 changes", "pareto_coverage": "帕累托 成本-覆盖 Pareto cost–coverage",
            "pareto_co2": "帕累托 成本-碳 Pareto cost–CO₂",
            "vs_above": "与上一行 vs row above", **{c: h for c, h, _ in COLUMNS}}
SIGNIFICANT, NOT_SIGNIFICANT = "显著 significant", "不显著 not significant"
#: Per-scenario files linked from the HTML report, when present.
LINKED_FILES = (("map.html", "地图 map"), ("report.html", "报告 report"), ("plan.json", "plan.json"))


def kpi_table(manifests: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per scenario, sorted by total cost (failed ones last), best marked.

    Parameters
    ----------
    manifests
        Scenario id → manifest (``batch.store.finished_manifests``).

    Returns
    -------
    pandas.DataFrame
        Columns ``best``, ``name``, ``scenario_id``, ``status``, ``check``,
        ``changes``, the KPI columns of :data:`COLUMNS`, ``pareto_coverage``
        and ``pareto_co2`` (booleans).
    """
    rows = []
    for sid, m in manifests.items():
        ok = m.get("status") == "ok"
        passed = ok and bool(m.get("check", {}).get("passed"))
        row: dict[str, Any] = {
            "best": "", "name": m.get("name", sid), "scenario_id": sid, "status": m.get("status", "?"),
            "check": ("通过 passed" if passed else "未通过 failed") if ok else "—",
            "changes": ", ".join(f"{k.split('.', 1)[-1]}={v}" for k, v in
                                 m.get("parameters", {}).get("overrides", {}).items()),
        }
        for col, _, (part, key) in COLUMNS:
            row[col] = (m.get(part) or {}).get(key) if ok or part == "timings_s" else None
        row["_usable"] = passed
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["best", "name", "scenario_id", "status", "check", "changes",
                                        *[c for c, _, _ in COLUMNS], "_usable"])
    for col, _, (part, _) in COLUMNS:
        if part != "solve" or col in ("gap", "bound_cny"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame = frame.sort_values(["_usable", "total_cny", "name"], ascending=[False, True, True],
                              na_position="last", kind="mergesort").reset_index(drop=True)
    usable = frame["_usable"] & frame["total_cny"].notna()
    if usable.any():
        frame.loc[frame[usable].index[0], "best"] = "★"
    frame["pareto_coverage"] = pareto_mask(frame["total_cny"], -frame["coverage_share"], usable)
    frame["pareto_co2"] = pareto_mask(frame["total_cny"], frame["co2_t"], usable)
    frame["vs_above"] = _vs_above(frame, usable)
    return frame.drop(columns="_usable")


def proven_cheaper(cost_a: float, bound_b: float | None) -> bool:
    """Whether a plan costing ``cost_a`` is cheaper than every plan of a scenario with proven bound ``bound_b``."""
    return bound_b is not None and pd.notna(bound_b) and cost_a < float(bound_b) * (1 - 1e-9)


def _vs_above(frame: pd.DataFrame, usable: pd.Series) -> list[str]:
    """For each usable row after the first: is the row above proven cheaper (significant) or not."""
    out, above = [], None
    for idx, row in frame.iterrows():
        if not usable[idx]:
            out.append("")
            continue
        out.append("" if above is None else
                   SIGNIFICANT if proven_cheaper(above, row["bound_cny"]) else NOT_SIGNIFICANT)
        above = row["total_cny"]
    return out


def ranking_notes(frame: pd.DataFrame) -> list[str]:
    """Sentences naming the runs of rows whose order the bounds do not prove (empty when every step is proven)."""
    notes, run = [], []
    rows = list(frame.iterrows())
    for pos, (idx, row) in enumerate(rows):
        if row["vs_above"] == NOT_SIGNIFICANT:
            run = run or [rows[pos - 1]]
            run.append((idx, row))
        if run and (row["vs_above"] != NOT_SIGNIFICANT or pos == len(rows) - 1):
            first, last = run[0][1], run[-1][1]
            spread = (last["total_cny"] - first["total_cny"]) / 1e4
            names = "、".join(str(r["name"]) for _, r in run)
            notes.append(f"第 {run[0][0] + 1}–{run[-1][0] + 1} 行 ({names}) 的差别小于其最优性差距，排序未被证明。 "
                         f"Rows {run[0][0] + 1}–{run[-1][0] + 1} ({', '.join(str(r['name']) for _, r in run)}) "
                         f"differ by {spread:,.1f} 万元 in all, less than their proven gaps leave open: each one's "
                         "plan is not cheaper than the next one's proven bound, so their order is not significant.")
            run = []
    if not notes and frame["vs_above"].eq(SIGNIFICANT).any():
        notes.append("每一步差别均显著。 Every step of the ranking is significant: each plan costs less than the "
                     "proven bound of the next.")
    return notes


def pareto_mask(cost: Sequence[float], other: Sequence[float], usable: Sequence[bool]) -> list[bool]:
    """True for the points no other usable point dominates (both criteria minimised).

    NaN values make a point unusable.
    """
    pts = [(float(c), float(o)) if u and pd.notna(c) and pd.notna(o) else None
           for c, o, u in zip(cost, other, usable, strict=True)]
    mask = []
    for i, p in enumerate(pts):
        if p is None:
            mask.append(False)
            continue
        dominated = any(q is not None and j != i and q[0] <= p[0] and q[1] <= p[1] and q != p
                        for j, q in enumerate(pts))
        mask.append(not dominated)
    return mask


def write_pareto_chart(frame: pd.DataFrame, path: Path) -> Path:
    """Draw cost vs coverage and cost vs CO₂ with the Pareto sets highlighted (PNG).

    Labels are English only: no CJK font is bundled with matplotlib. Points are
    numbered as the table's rows.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    panels = ((axes[0], "coverage_share", "pareto_coverage", "coverage (share of villages)", 100.0),
              (axes[1], "co2_t", "pareto_co2", "CO2 (t/yr)", 1.0))
    for ax, col, flag, label, scale in panels:
        ok = frame["total_cny"].notna() & frame[col].notna()
        sub = frame[ok]
        ax.scatter(sub["total_cny"] / 1e4, sub[col] * scale, color="#9aa5b1", s=28, label="scenario")
        front = sub[sub[flag]].sort_values("total_cny")
        ax.plot(front["total_cny"] / 1e4, front[col] * scale, "o-", color="#d1495b", ms=7, label="Pareto set")
        for idx, row in sub.iterrows():
            ax.annotate(str(idx + 1), (row["total_cny"] / 1e4, row[col] * scale), fontsize=8,
                        xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel("total cost (10k CNY/yr)")
        ax.set_ylabel(label + (" %" if scale == 100.0 else ""))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_title("cost vs coverage")
    axes[1].set_title("cost vs CO2")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        publish(tmp, path)
    finally:
        plt.close(fig)
        Path(tmp).unlink(missing_ok=True)
    return path


def _fmt(value: Any, col: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return "●" if value else ""
    if col in ("coverage_share", "gap"):
        return f"{100 * value:.2f} %"
    if col in ("time_s",):
        return f"{value:.1f}"
    if col.startswith("open_"):
        return f"{value:.0f}"
    if col == "co2_t":
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return str(value)


def comparison_html(frame: pd.DataFrame, manifests: Mapping[str, Mapping[str, Any]], *, title: str,
                    chart: str | None) -> str:
    """A self-contained HTML page: the KPI table with each scenario's files linked."""
    cols = ["best", "name", *[c for c, _, _ in COLUMNS], "vs_above", "pareto_coverage", "pareto_co2", "check",
            "changes", "scenario_id"]
    head = "".join(f"<th>{html.escape(HEADINGS[c])}</th>" for c in cols) + \
        "<th>文件 files</th>"
    body = []
    for idx, row in frame.iterrows():
        files = {f["path"] for f in manifests.get(row["scenario_id"], {}).get("files", [])}
        links = " · ".join(f'<a href="{html.escape(row["scenario_id"])}/{name}">{label}</a>'
                           for name, label in LINKED_FILES if name in files)
        if row["status"] != "ok":
            err = manifests.get(row["scenario_id"], {}).get("error", {})
            links = f'<span class="err">{html.escape(err.get("type", ""))}: {html.escape(err.get("message", ""))}</span>'
        cells = "".join(f"<td>{html.escape(_fmt(row[c], c))}</td>" for c in cols)
        cls = ' class="best"' if row["best"] else ""
        body.append(f"<tr{cls}><td>{idx + 1}</td>{cells}<td>{links}</td></tr>")
    img = f'<p><img src="{html.escape(chart)}" alt="Pareto chart" style="max-width:100%"></p>' if chart else ""
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in ranking_notes(frame))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:1.5em}}
table{{border-collapse:collapse;font-size:13px}}th,td{{border:1px solid #ccc;padding:3px 6px;text-align:right}}
td:nth-child(3),td:last-child{{text-align:left}}th{{background:#f1f3f5}}tr.best{{background:#fff4d6}}
.err{{color:#b00020}}.note{{max-width:60em;background:#eef3f8;padding:.4em .7em}}</style></head><body>
<h1>情景对比 Scenario comparison — {html.escape(title)}</h1>
<p>{len(frame)} 个情景 scenarios; 按总成本排序 sorted by total cost; ★ 最优（通过校验的最低成本）
cheapest plan that passes the checker; ● 帕累托最优 on the Pareto set.</p>
{notes}
{img}
<table><thead><tr><th>#</th>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""


def write_comparison_excel(frame: pd.DataFrame, manifests: Mapping[str, Mapping[str, Any]], path: Path) -> Path:
    """The KPI table, the Pareto sets and every scenario's parameters as an Excel workbook.

    Sheets: ``指标对比 KPIs``, ``帕累托 Pareto``, ``参数 Parameters``, ``错误 Errors``.
    """
    kpis = frame.rename(columns=HEADINGS)
    pareto = frame[frame["pareto_coverage"] | frame["pareto_co2"]][
        ["name", "scenario_id", "total_cny", "coverage_share", "co2_t", "pareto_coverage", "pareto_co2"]
    ].rename(columns=HEADINGS)
    params_rows, errors = [], []
    for sid, m in manifests.items():
        p = m.get("parameters", {})
        base = {"编号 id": sid, "情景 scenario": m.get("name", sid), "model": p.get("model"),
                "region": p.get("region"), "seed": p.get("seed"), "time_limit_s": p.get("time_limit_s")}
        base.update({f"params.{k}": str(v) if isinstance(v, (dict, list)) else v
                     for k, v in p.get("params", {}).items()})
        base.update({f"costs.{k}": v for k, v in p.get("cost_overrides", {}).items()})
        params_rows.append(base)
        if m.get("status") != "ok":
            err = m.get("error", {})
            errors.append({"编号 id": sid, "情景 scenario": m.get("name", sid), "type": err.get("type"),
                           "message": err.get("message")})
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".xlsx")
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
            kpis.to_excel(writer, sheet_name="指标对比 KPIs", index=False)
            pareto.to_excel(writer, sheet_name="帕累托 Pareto", index=False)
            pd.DataFrame(params_rows).to_excel(writer, sheet_name="参数 Parameters", index=False)
            pd.DataFrame(errors, columns=["编号 id", "情景 scenario", "type", "message"]).to_excel(
                writer, sheet_name="错误 Errors", index=False)
            for sheet in writer.sheets.values():
                sheet.set_column(0, 40, 16)
        publish(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def write_comparison(batch_dir: Path, manifests: Mapping[str, Mapping[str, Any]], *, title: str) -> dict[str, Path]:
    """Write ``comparison.html``, ``comparison.xlsx``, ``comparison.csv`` and ``pareto.png``.

    Parameters
    ----------
    batch_dir
        The batch folder; the files go beside the scenario folders, so the
        report's links to ``<id>/map.html`` work.
    manifests
        Scenario id → manifest.
    title
        Batch name, shown as the title.

    Returns
    -------
    dict
        ``{"html": ..., "excel": ..., "csv": ..., "chart": ...}`` paths.

    Raises
    ------
    OSError
        If a file cannot be written (each is written atomically, so an old
        comparison stays whole).
    """
    frame = kpi_table(manifests)
    chart = write_pareto_chart(frame, batch_dir / "pareto.png")
    out = {"chart": chart}
    page = batch_dir / "comparison.html"
    write_text(page, comparison_html(frame, manifests, title=title, chart=chart.name))
    out["html"] = page
    csv = batch_dir / "comparison.csv"
    write_text(csv, frame.to_csv(index=False))
    out["csv"] = csv
    out["excel"] = write_comparison_excel(frame, manifests, batch_dir / "comparison.xlsx")
    return out
