"""Report charts drawn with matplotlib and embedded as PNG data URIs (no JavaScript).

Labels are Chinese and English when a CJK font is installed (Noto Sans CJK,
WenQuanYi, SimHei, Source Han, Microsoft YaHei); otherwise English only, so a
chart never shows empty boxes. The report's captions carry both languages.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from functools import cache
from typing import Any

import pandas as pd

from maps.labels import COST_LABELS, TIER_STYLE
from network.plan import Plan
from network.scenario import Scenario
from network.sites import Tier

_CJK_KEYS = ("Noto Sans CJK", "Noto Sans SC", "WenQuanYi", "SimHei", "Source Han", "Microsoft YaHei", "AR PL")


@cache
def cjk_font() -> str | None:
    """Name of an installed CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    for font in font_manager.fontManager.ttflist:
        if any(key in font.name for key in _CJK_KEYS):
            return font.name
    return None


def _label(zh_en: str) -> str:
    """``"中文 English"`` → as is with a CJK font, else the English part."""
    if cjk_font():
        return zh_en
    english = "".join(ch for ch in zh_en if ord(ch) < 0x2E80).strip()
    return english or zh_en


def _png_data_uri(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt.subplots(figsize=(width, height))


def cost_chart(plan: Plan) -> str | None:
    """Horizontal bars of the cost components (CNY), as a PNG data URI; None without costs."""
    parts = [(k, v) for k, v in plan.costs_cny.items() if k != "total"]
    if not parts:
        return None
    fig, ax = _figure(7.0, 0.45 * len(parts) + 1.4)
    labels = [_label(COST_LABELS.get(k, k)) for k, _ in parts]
    values = [v for _, v in parts]
    colours = ["#2e7d32" if v < 0 else "#1565c0" for v in values]
    ax.barh(labels, values, color=colours)
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:,.0f}", va="center", ha="left" if v >= 0 else "right", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(_label("成本 CNY"))
    total = plan.costs_cny.get("total")
    title = _label("成本构成 Cost breakdown") + (f" — total {total:,.0f} CNY" if total is not None else "")
    ax.set_title(title, fontsize=10)
    ax.margins(x=0.25)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.0f}"))
    ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    return _png_data_uri(fig)


def utilisation_frame(scenario: Scenario, plan: Plan) -> pd.DataFrame:
    """Utilisation per site (network, bases) or per route (peak load / vehicle capacity).

    Columns: ``group`` (tier label or vehicle type), ``id``, ``utilisation`` (0–1+).
    """
    rows = []
    for s in plan.sites:
        rows.append({"group": s.tier.label, "id": s.site_id, "utilisation": s.utilisation})
    capacity = {v.name: v.capacity_t for v in scenario.vehicle_types}
    for r in plan.routes:
        peak = max((st.load_after_t for st in r.stops), default=0.0)
        cap = capacity.get(r.vehicle_type)
        if cap:
            rows.append({"group": f"车辆 vehicle {r.vehicle_type}", "id": r.route_id, "utilisation": peak / cap})
    return pd.DataFrame(rows, columns=["group", "id", "utilisation"])


def utilisation_chart(scenario: Scenario, plan: Plan) -> str | None:
    """Per-tier (or per-vehicle-type) utilisation: every site as a dot, the mean as a bar."""
    frame = utilisation_frame(scenario, plan)
    if frame.empty:
        return None
    groups = list(dict.fromkeys(frame["group"]))
    fig, ax = _figure(7.0, 3.2)
    tier_colour = {t.label: TIER_STYLE[t][0] for t in Tier}
    for i, group in enumerate(groups):
        values = frame.loc[frame["group"] == group, "utilisation"].to_numpy() * 100
        colour = tier_colour.get(group, "#546e7a")
        ax.bar(i, values.mean(), color=colour, alpha=0.35, width=0.6)
        jitter = [(k % 7 - 3) * 0.05 for k in range(len(values))]
        ax.scatter([i + j for j in jitter], values, color=colour, s=14, zorder=3)
        ax.text(i, values.mean(), f"{values.mean():.0f}%", ha="center", va="bottom", fontsize=8)
    ax.axhline(100, color="#c62828", lw=1, ls="--")
    ax.set_xticks(range(len(groups)), [_label(g) for g in groups], fontsize=8)
    ax.set_ylabel(_label("利用率 Utilisation (%)"))
    ax.set_title(_label("各层级利用率 Utilisation by tier (bar = mean, dots = sites/routes)"), fontsize=10)
    fig.tight_layout()
    return _png_data_uri(fig)


def tidy_forecast(forecast: object) -> pd.DataFrame:
    """A retirement forecast as a DataFrame with columns ``year``, ``county``, ``class``, ``t``.

    Accepts a DataFrame or a sequence of mappings whose column names start
    with those words (e.g. ``"year 年份"``, ``"t 吨"`` from
    ``solver.bases.forecast.forecast_records``).

    Raises
    ------
    ValueError
        If a column is missing.
    """
    frame = forecast if isinstance(forecast, pd.DataFrame) else pd.DataFrame(list(forecast))
    rename = {}
    for col in frame.columns:
        head = str(col).split(" ")[0].strip().lower()
        if head in ("year", "county", "class", "t") and head not in rename.values():
            rename[col] = head
    missing = [c for c in ("year", "county", "class", "t") if c not in rename.values()]
    if missing:
        raise ValueError(f"forecast table: missing column(s) {', '.join(missing)}; "
                         f"expected year, county, class, t; got {', '.join(map(str, frame.columns))}")
    return frame.rename(columns=rename)[["year", "county", "class", "t"]]


def forecast_chart(forecast: pd.DataFrame) -> str | None:
    """Stacked bars of tonnes retired per year by class, as a PNG data URI."""
    if forecast.empty:
        return None
    pivot = forecast.pivot_table(index="year", columns="class", values="t", aggfunc="sum", fill_value=0.0)
    fig, ax = _figure(7.5, 3.4)
    bottom = None
    palette: Sequence[str] = ("#7f7f7f", "#3969ac", "#f2b701", "#11a579", "#e73f74", "#80ba5a")
    for i, col in enumerate(pivot.columns):
        ax.bar(pivot.index, pivot[col], bottom=bottom, label=_label(str(col)),
               color=palette[i % len(palette)])
        bottom = pivot[col] if bottom is None else bottom + pivot[col]
    ax.set_xlabel(_label("年份 year"))
    ax.set_ylabel(_label("退役量 t retired"))
    ax.set_title(_label("退役设备预测 Retirement forecast by class"), fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _png_data_uri(fig)
