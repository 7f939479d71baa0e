"""Fixed panels on the map: title, legend and KPI panel (HTML overlaid on Leaflet)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from branca.element import MacroElement
from jinja2 import Template

from maps.jslayer import svg_symbol
from maps.labels import KIND_LABELS, cost_label, format_kpi, format_number, kpi_label
from network.plan import Plan

PANEL_CSS = """
.hs-panel { position: absolute; z-index: 1000; background: rgba(255,255,255,0.93); border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font: 12px/1.35 "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
  "PingFang SC", sans-serif; color: #212121; padding: 8px 10px; max-height: 45vh; overflow-y: auto; }
#hs-title { top: 10px; left: 55px; font-size: 14px; max-width: 45vw; }
#hs-title small { color: #616161; font-size: 11px; }
#hs-kpi { bottom: 48px; left: 10px; min-width: 230px; }
#hs-legend { bottom: 30px; right: 10px; max-width: 280px; }
.hs-panel h4 { margin: 0 0 4px 0; font-size: 12.5px; }
.hs-panel table { border-collapse: collapse; }
.hs-panel td { padding: 1px 4px; vertical-align: middle; }
.hs-panel td.num { text-align: right; font-variant-numeric: tabular-nums; }
.hs-panel .note { color: #616161; font-size: 11px; margin-top: 4px; }
.hs-icon { background: none; border: none; }
.hs-label { background: rgba(255,255,255,0.75); border: none; box-shadow: none; font-size: 11px;
  padding: 0 3px; color: #424242; }
.hs-label:before { display: none; }
.leaflet-container { background: #f3f1ea; }
.marker-cluster-small, .marker-cluster-medium, .marker-cluster-large { background-color: rgba(141,110,99,0.3); }
.marker-cluster-small div, .marker-cluster-medium div, .marker-cluster-large div {
  background-color: rgba(121,85,72,0.75); color: #ffffff; }
"""


class HtmlPanel(MacroElement):
    """A fixed HTML block inside the page (title, legend, KPI panel)."""

    _template = Template("""
        {% macro header(this, kwargs) %}{% if this.css %}<style>{{ this.css }}</style>{% endif %}{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.body }}{% endmacro %}
    """)

    def __init__(self, body: str, *, css: str = "") -> None:
        super().__init__()
        self._name = "HtmlPanel"
        self.body = body
        self.css = css


def title_html(scenario_name: str, plan: Plan | None, *, basemap_note: str, schematic: bool) -> str:
    """The title panel: scenario, plan kind, solver status and the basemap note."""
    kind = KIND_LABELS.get(plan.kind, plan.kind) if plan else "情景 Scenario"
    lines = [f"<b>{escape(scenario_name)}</b> · {escape(kind)}"]
    if plan is not None:
        s = plan.solve
        gap = f", gap {100 * s.gap:.2f} %" if s.gap is not None else ""
        lines.append(f"<small>{escape(s.model)} / {escape(s.backend)}: {escape(s.status)}{gap}, "
                     f"{s.time_s:.1f} s</small>")
    note = escape(basemap_note)
    if schematic:
        note += " · <b>示意图</b> schematic map: county extents are sketches, not official boundaries"
    lines.append(f"<small>{note}</small>")
    return f'<div id="hs-title" class="hs-panel">{"<br>".join(lines)}</div>'


def kpi_html(plans: Sequence[Plan]) -> str:
    """The KPI panel: every cost and KPI of each plan, labelled in both languages."""
    sections = []
    for plan in plans:
        rows = []
        for key, value in plan.costs_cny.items():
            b0, b1 = ("<b>", "</b>") if key == "total" else ("", "")
            rows.append(f'<tr><td>{b0}{escape(cost_label(key))}{b1}</td><td class="num">{b0}'
                        f"{format_number(value)}{b1}</td></tr>")
        for key, value in plan.kpis.items():
            rows.append(f'<tr><td>{escape(kpi_label(key, plan.kind))}</td><td class="num">{format_kpi(key, value)}</td></tr>')
        if plan.unserved:
            rows.append(f'<tr><td>未服务 Unserved</td><td class="num">{len(plan.unserved)}</td></tr>')
        unit = {"network": "CNY/年 per year", "bases": "CNY, 折现 discounted"}.get(plan.kind, "CNY")
        head = f"<h4>{escape(KIND_LABELS.get(plan.kind, plan.kind))}</h4>" if len(plans) > 1 else ""
        sections.append(f'{head}<table>{"".join(rows)}</table><div class="note">成本单位 Costs in {unit}</div>')
    return (f'<div id="hs-kpi" class="hs-panel"><details open><summary><b>指标 KPIs</b></summary>'
            f'{"".join(sections)}</details></div>')


def legend_html(entries: Sequence[tuple[str, str]], notes: Sequence[str]) -> str:
    """The legend: ``entries`` are (symbol HTML, label) pairs; ``notes`` are lines below."""
    rows = "".join(f"<tr><td>{sym}</td><td>{escape(label)}</td></tr>" for sym, label in entries)
    extra = "".join(f'<div class="note">{escape(n)}</div>' for n in notes)
    return (f'<div id="hs-legend" class="hs-panel"><details open><summary><b>图例 Legend</b></summary>'
            f"<table>{rows}</table>{extra}</details></div>")


def circle_swatch(colour: str, *, radius: int = 6, hollow: bool = False, fill: str | None = None) -> str:
    """A small circle symbol for the legend (matches a circle marker)."""
    size = 2 * radius + 4
    dash = ' stroke-dasharray="2 2"' if hollow else ""
    inner = "#ffffff" if hollow else (fill or colour)
    return (f'<svg width="{size}" height="{size}"><circle cx="{size / 2}" cy="{size / 2}" r="{radius}" '
            f'fill="{inner}" fill-opacity="{0 if hollow else 0.75}" stroke="{colour}" stroke-width="1.3"{dash}/></svg>')


def line_swatch(colour: str, *, width: float = 2, dash: str | None = None) -> str:
    """A short line symbol for the legend."""
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg width="28" height="10"><line x1="1" y1="5" x2="27" y2="5" stroke="{colour}" '
            f'stroke-width="{width}"{d}/></svg>')


def shape_swatch(shape: str, colour: str, *, hollow: bool = False, label: str = "") -> str:
    """A tier symbol for the legend."""
    return svg_symbol(shape, colour, 16, hollow=hollow, label=label)
