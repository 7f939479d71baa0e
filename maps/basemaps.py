"""Online tile basemaps (optional) and their attribution.

``none`` (the default) draws no tiles and needs no internet; the schematic
county layer stands in for a basemap. The online choices:

- ``osm``: OpenStreetMap standard tiles, WGS-84 overlays unchanged;
- ``gaode``: 高德 Gaode/AutoNavi road tiles, which are in GCJ-02, so every
  overlay is shifted to GCJ-02 for display (:mod:`maps.coords`);
- ``tianditu``: 天地图 Tianditu vector tiles and Chinese labels (CGCS2000 ≈
  WGS-84, no shift); needs the user's own key (``tianditu_key``).
"""

from __future__ import annotations

import folium

from network.errors import InputError

_TIANDITU = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
             "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
             "&TILECOL={x}&tk={key}")


def add_basemap(fmap: folium.Map, basemap: str, *, tianditu_key: str | None = None) -> str:
    """Add the tile layers of ``basemap`` to ``fmap``; return a one-line note for the title.

    Parameters
    ----------
    fmap
        The map.
    basemap
        ``none``, ``osm``, ``gaode`` or ``tianditu``.
    tianditu_key
        The user's Tianditu browser key (``tk``), required for ``tianditu``.

    Raises
    ------
    InputError
        For an unknown basemap or ``tianditu`` without a key.
    """
    if basemap == "none":
        return "底图 Basemap: 无 none (offline 离线)"
    if basemap == "osm":
        folium.TileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", name="OpenStreetMap",
                         attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                              'contributors', max_zoom=19, overlay=False, control=True).add_to(fmap)
        return "底图 Basemap: OpenStreetMap (WGS-84)"
    if basemap == "gaode":
        folium.TileLayer("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
                         "&x={x}&y={y}&z={z}", name="高德 Gaode", attr="&copy; 高德地图 AutoNavi",
                         subdomains="1234", max_zoom=18, overlay=False, control=True).add_to(fmap)
        return "底图 Basemap: 高德 Gaode (GCJ-02; 叠加要素已偏移显示 overlays shifted for display, data WGS-84)"
    if basemap == "tianditu":
        if not tianditu_key:
            raise InputError("map option 'tianditu_key': the Tianditu basemap needs your own key (tk) from "
                             "https://console.tianditu.gov.cn; got none. Pass --tianditu-key or choose "
                             "another basemap")
        for layer, name, overlay in (("vec", "天地图 Tianditu", False), ("cva", "天地图注记 Tianditu labels", True)):
            folium.TileLayer(_TIANDITU.format(layer=layer, key=tianditu_key, s="{s}", x="{x}", y="{y}", z="{z}"),
                             name=name, attr="&copy; 天地图 Tianditu", subdomains="01234567", max_zoom=18,
                             overlay=overlay, control=True).add_to(fmap)
        return "底图 Basemap: 天地图 Tianditu (CGCS2000 ≈ WGS-84)"
    raise InputError(f"map option 'basemap': expected one of none, osm, gaode, tianditu, got {basemap!r}")
