// Gõ Cửa, the leader's live board: the shift's households on a map, recoloured as
// visits arrive. Polls a small JSON answer; 204 means nothing changed since the last one.
(function () {
  "use strict";

  function start() {
    var box = document.getElementById("live-map");
    if (!box || !window.L) { return; }
    var center = (box.getAttribute("data-center") || "21.553,105.862").split(",").map(Number);
    var map = L.map(box).setView(center, 17);
    L.tileLayer(box.getAttribute("data-tiles"), {
      maxZoom: 19, attribution: box.getAttribute("data-attribution") }).addTo(map);
    var markers = {}, fp = "", fitted = false;
    var every = 1000 * Number(box.getAttribute("data-poll") || 3);

    function label(text) {            // text, never HTML: addresses are user data
      var span = document.createElement("span");
      span.textContent = text;
      return span;
    }

    function draw(points) {
      var bounds = [];
      points.forEach(function (p) {
        var marker = markers[p.id];
        if (!marker) {
          marker = markers[p.id] = L.circleMarker([p.lat, p.lon], { radius: 7, weight: 2 })
            .bindTooltip(label(p.label)).addTo(map);
        }
        marker.setLatLng([p.lat, p.lon]);
        marker.setStyle({ color: p.colour, fillColor: p.colour, fillOpacity: 0.85 });
        marker.getElement && marker.getElement() &&
          marker.getElement().setAttribute("data-status", p.status);
        bounds.push([p.lat, p.lon]);
      });
      if (!fitted && bounds.length) { map.fitBounds(bounds, { maxZoom: 18 }); fitted = true; }
    }

    function poll() {
      var url = box.getAttribute("data-points") + (fp ? "?fp=" + encodeURIComponent(fp) : "");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.status === 200 ? response.json() : null; })
        .then(function (data) {
          if (data) { fp = data.fp; draw(data.points); box.setAttribute("data-fp", fp); }
        })
        .catch(function () { /* the next poll tries again */ })
        .then(function () { setTimeout(poll, every); });
    }
    poll();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
