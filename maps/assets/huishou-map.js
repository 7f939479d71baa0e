/* huishou map helpers: draw data-driven point and line layers into Leaflet groups.
 * Part of huishou (Apache-2.0). Loaded inline after Leaflet and Leaflet.markercluster.
 * Every feature carries options.hsKind ("village", "site", "stop", ...) so tests and
 * users can count what is drawn with HS.count(map).
 */
(function (window) {
  "use strict";
  var L = window.L;
  var HS = { groups: {}, expected: {} };

  function makeMarker(p) {
    var opts;
    if (p.icon) {
      var icon = L.divIcon({
        html: p.icon, className: "hs-icon " + (p.cls || ""),
        iconSize: [p.size, p.size], iconAnchor: [p.size / 2, p.size / 2]
      });
      opts = { icon: icon, hsKind: p.kind, title: p.title || "" , riseOnHover: true};
      if (p.z) { opts.zIndexOffset = p.z; }
      return L.marker(p.ll, opts);
    }
    var s = p.style || {};
    opts = {
      radius: s.r || 4, color: s.c || "#333", weight: s.w === undefined ? 1 : s.w,
      fillColor: s.f || s.c || "#333", fillOpacity: s.fo === undefined ? 0.7 : s.fo,
      opacity: s.o === undefined ? 1 : s.o, dashArray: s.d || null, hsKind: p.kind
    };
    return L.circleMarker(p.ll, opts);
  }

  /* Add points to a group; with cluster=true they go into a marker cluster group inside it. */
  HS.points = function (group, items, cluster) {
    var target = group;
    if (cluster) {
      target = L.markerClusterGroup({
        chunkedLoading: true, showCoverageOnHover: false, disableClusteringAtZoom: 12,
        maxClusterRadius: 50
      });
      group.addLayer(target);
    }
    var markers = [];
    for (var i = 0; i < items.length; i++) {
      var p = items[i];
      var m = makeMarker(p);
      if (p.popup) { m.bindPopup(p.popup, { maxWidth: 360 }); }
      if (p.tip) {
        m.bindTooltip(p.tip, p.perm ? { permanent: true, direction: "right", className: "hs-label", offset: [4, 0] }
                                     : { direction: "top" });
      }
      markers.push(m);
    }
    if (cluster) { target.addLayers(markers); } else { for (var j = 0; j < markers.length; j++) { target.addLayer(markers[j]); } }
    return target;
  };

  /* Add polylines; items: {ll: [[lat, lon], ...] or [[[lat, lon], ...], ...], style, tip, kind} */
  HS.lines = function (group, items) {
    for (var i = 0; i < items.length; i++) {
      var p = items[i], s = p.style || {};
      var line = L.polyline(p.ll, {
        color: s.c || "#555", weight: s.w || 2, opacity: s.o === undefined ? 0.8 : s.o,
        dashArray: s.d || null, hsKind: p.kind || "line", interactive: !!(p.tip || p.popup)
      });
      if (p.tip) { line.bindTooltip(p.tip, { sticky: true }); }
      if (p.popup) { line.bindPopup(p.popup); }
      group.addLayer(line);
    }
  };

  /* Add circles with a radius in metres (coverage). */
  HS.circles = function (group, items) {
    for (var i = 0; i < items.length; i++) {
      var p = items[i], s = p.style || {};
      var c = L.circle(p.ll, {
        radius: p.m, color: s.c || "#555", weight: s.w || 1, fillOpacity: s.fo === undefined ? 0.05 : s.fo,
        dashArray: s.d || null, hsKind: p.kind || "coverage", interactive: !!p.tip
      });
      if (p.tip) { c.bindTooltip(p.tip, { sticky: true }); }
      group.addLayer(c);
    }
  };

  /* Count drawn features by hsKind, descending into groups and marker clusters. */
  HS.count = function (map) {
    var counts = {};
    var seen = {};
    function visit(layer) {
      var id = L.stamp(layer);
      if (seen[id]) { return; }
      seen[id] = true;
      if (layer.options && layer.options.hsKind) {
        counts[layer.options.hsKind] = (counts[layer.options.hsKind] || 0) + 1;
      }
      if (layer.getLayers) { layer.getLayers().forEach(visit); }
    }
    for (var name in HS.groups) { if (Object.prototype.hasOwnProperty.call(HS.groups, name)) { visit(HS.groups[name]); } }
    map.eachLayer(visit);
    return counts;
  };

  window.HS = HS;
})(window);
