"""Data-driven Leaflet layers and the SVG symbols drawn on them.

A map of a whole prefecture has thousands of villages; one folium object per
village would write thousands of JavaScript variables. Here a layer is one
JSON array of plain items drawn by ``HS.points`` / ``HS.lines`` /
``HS.circles`` (``maps/assets/huishou-map.js``) into a folium ``FeatureGroup``,
so the page stays small and loads fast, and the layer control still works.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template


class DataLayer(MacroElement):
    """Items drawn into a folium ``FeatureGroup`` by the inlined helpers.

    Parameters
    ----------
    group
        The feature group (one entry of the layer control) the items go into.
    kind
        ``"points"``, ``"lines"`` or ``"circles"``.
    items
        Plain JSON-able dicts as ``huishou-map.js`` reads them (``ll`` is
        ``[lat, lon]`` in display coordinates).
    cluster
        Points only: group the markers in a marker-cluster layer.
    register
        Name under which the group is listed in ``HS.groups`` (for counting).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        HS.groups[{{ this.register|tojson }}] = {{ this.group_name }};
        {%- if this.kind == "points" %}
        HS.points({{ this.group_name }}, {{ this.payload }}, {{ this.cluster|tojson }});
        {%- elif this.kind == "lines" %}
        HS.lines({{ this.group_name }}, {{ this.payload }});
        {%- else %}
        HS.circles({{ this.group_name }}, {{ this.payload }});
        {%- endif %}
        {% endmacro %}
    """)

    def __init__(self, group: folium.FeatureGroup, kind: str, items: Sequence[dict[str, Any]], *,
                 cluster: bool = False, register: str = "") -> None:
        super().__init__()
        if kind not in ("points", "lines", "circles"):
            raise ValueError(f"DataLayer kind: expected points, lines or circles, got {kind!r}")
        self._name = "HuishouDataLayer"
        self.group_name = group.get_name()
        self.kind = kind
        self.items = list(items)
        self.cluster = cluster
        self.register = register or group.get_name()
        # "</" would end the surrounding <script> element early.
        self.payload = json.dumps(self.items, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def svg_symbol(shape: str, colour: str, size: int, *, hollow: bool = False, label: str = "") -> str:
    """An inline SVG marker symbol.

    Parameters
    ----------
    shape
        ``circle``, ``square``, ``diamond``, ``hexagon``, ``triangle`` or ``star``.
    colour
        CSS colour of fill and outline.
    size
        Width and height in pixels.
    hollow
        Pale fill inside a dashed outline: the look of generated (synthetic) locations.
    label
        Short text drawn in the middle (e.g. a sequence number).
    """
    # Generated: pale fill (tier colour at 30 %) inside a dashed outline; real: solid with a white rim.
    fill = f'{colour}" fill-opacity="0.3' if hollow else colour
    dash = ' stroke-dasharray="3 2"' if hollow else ""
    stroke = f'stroke="{"#ffffff" if not hollow else colour}" stroke-width="{2 if hollow else 1.5}"{dash}'
    s = 20
    shapes = {
        "circle": f'<circle cx="10" cy="10" r="8" fill="{fill}" {stroke}/>',
        "square": f'<rect x="2.5" y="2.5" width="15" height="15" fill="{fill}" {stroke}/>',
        "diamond": f'<polygon points="10,1 19,10 10,19 1,10" fill="{fill}" {stroke}/>',
        "hexagon": f'<polygon points="10,1 18,5.5 18,14.5 10,19 2,14.5 2,5.5" fill="{fill}" {stroke}/>',
        "triangle": f'<polygon points="10,2 19,18 1,18" fill="{fill}" {stroke}/>',
        "star": (f'<polygon points="10,1 12.4,7.2 19,7.2 13.7,11.2 15.6,18 10,14 4.4,18 6.3,11.2 1,7.2 '
                 f'7.6,7.2" fill="{fill}" {stroke}/>'),
    }
    if shape not in shapes:
        raise ValueError(f"svg_symbol shape: expected one of {', '.join(shapes)}, got {shape!r}")
    text = ""
    if label:
        ink = colour if hollow else "#ffffff"
        font = 9 if len(label) <= 2 else 6.5
        text = (f'<text x="10" y="{10 + font / 2.6:.1f}" text-anchor="middle" font-size="{font}" font-weight="bold" '
                f'font-family="sans-serif" fill="{ink}">{label}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {s} {s}">{shapes[shape]}{text}</svg>')


def arrow_symbol(colour: str, angle_deg: float, size: int = 14) -> str:
    """A direction arrow rotated ``angle_deg`` clockwise from east (screen coordinates)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 20 20" '
            f'style="transform: rotate({angle_deg:.0f}deg)"><polygon points="18,10 4,3 8,10 4,17" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1"/></svg>')
