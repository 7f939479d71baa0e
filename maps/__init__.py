"""Folium maps and planner reports (HTML, Excel)."""
