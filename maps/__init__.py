"""Folium maps and planner reports (HTML, Excel).

- :mod:`maps.plan_map` — ``build_map(scenario, plan, *, basemap, tianditu_key, extra_plans)``;
- :mod:`maps.offline` — ``save_map`` and the offline page (vendored Leaflet, no CDN);
- :mod:`maps.report` — ``write_report`` (map.html, report.html, report.xlsx) and
  ``write_comparison_report`` for batches;
- :mod:`maps.coords` — where a WGS-84 point is drawn on each basemap (GCJ-02 for Gaode).

See docs/maps.md.
"""
