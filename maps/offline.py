"""A folium map that opens offline: Leaflet and its plugin inlined, no CDN.

folium's default page template links Leaflet, jQuery, Bootstrap, Font Awesome
and Leaflet.awesome-markers from CDNs; a planner's offline machine cannot load
them, and the map then shows nothing. :class:`OfflineMap` drops every default
link and inlines the vendored files of ``maps/assets/`` instead:

- Leaflet 1.9.4 (BSD-2-Clause, ``LICENSE-leaflet.txt``), CSS images inlined
  as data URIs;
- Leaflet.markercluster 1.5.3 (MIT, ``LICENSE-leaflet.markercluster.txt``);
- ``huishou-map.js``, huishou's own helpers for data-driven layers.

Only folium elements that need no external JS or CSS may be added to an
OfflineMap (FeatureGroup, LayerControl, Element, MacroElement, TileLayer).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import folium
from branca.element import Element

from network.serialize import write_text_atomic

#: Vendored asset files, in load order: (file name, licence, upstream).
VENDORED_ASSETS: tuple[tuple[str, str, str], ...] = (
    ("leaflet-1.9.4.css", "BSD-2-Clause", "https://www.npmjs.com/package/leaflet/v/1.9.4"),
    ("MarkerCluster-1.5.3.css", "MIT", "https://www.npmjs.com/package/leaflet.markercluster/v/1.5.3"),
    ("leaflet-1.9.4.js", "BSD-2-Clause", "https://www.npmjs.com/package/leaflet/v/1.9.4"),
    ("leaflet.markercluster-1.5.3.js", "MIT", "https://www.npmjs.com/package/leaflet.markercluster/v/1.5.3"),
    ("huishou-map.js", "Apache-2.0", "huishou"),
)


@cache
def asset_text(name: str) -> str:
    """The text of one file in ``maps/assets/``.

    Raises
    ------
    FileNotFoundError
        If the file is not bundled (a broken installation).
    """
    return resources.files("maps").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def inline_assets_html() -> str:
    """``<style>`` and ``<script>`` blocks with every vendored asset, in load order."""
    parts = []
    for name, _licence, _upstream in VENDORED_ASSETS:
        text = asset_text(name)
        if name.endswith(".css"):
            parts.append(f"<style>/* {name} */\n{text}\n</style>")
        else:
            # A literal "</script" inside the code would close the tag early.
            safe = text.replace("</script", "<\\/script")
            parts.append(f"<script>/* {name} */\n{safe}\n</script>")
    return "\n".join(parts)


class OfflineMap(folium.Map):
    """``folium.Map`` without CDN links, with Leaflet and helpers inlined.

    Takes the same arguments as ``folium.Map``; pass ``tiles=None`` for a map
    with no online tiles.
    """

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.get_root().header.add_child(Element(inline_assets_html()), name="huishou_assets", index=0)


def save_map(fmap: folium.Map, path: Path) -> Path:
    """Render a map to a self-contained HTML file, atomically.

    Parameters
    ----------
    fmap
        The map, e.g. from :func:`maps.plan_map.build_map`.
    path
        Where to write the ``.html`` file; parent folders are created.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    write_text_atomic(Path(path), fmap.get_root().render())
    return Path(path)
