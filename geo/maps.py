"""The app's maps: households of a neighbourhood, and a volunteer's walk.

Households are coloured by status from ``vocabulary.STATUS_COLOURS`` (the same palette as
the pages' ``st-<status>`` classes).

Exact positions are filled circles; approximate ones (geocoded street, spread on the
lane) are hollow with a dashed outline, so a leader sees which pins to check.
"""
from __future__ import annotations

import json
from typing import Iterable, Mapping, Sequence

import folium
from folium.template import Template

from vocabulary import NOT_VISITED, PROGRESS_ORDER, STATUS_COLOURS

from .escape import html_safe, js_safe, title_safe
from .mapkit import (GEOMAN_CSS, GEOMAN_JS, OSM_ATTRIBUTION, OSM_TILES, AssetUrl, MarkerHooks,
                     PageStyle, Verbatim, _local, js_value, new_cluster, new_map, render_parts,
                     static_vendor_url)
from .paths import LanePath

__all__ = ["lane_editor_map", "household_map", "status_layer_map", "walk_map", "walk_line",
           "point_map",
           "render_parts", "status_colour"]

LANE_COLOUR = "#0f766e"
WALK_COLOUR = "#1d4ed8"
ON_LANE_M = 30.0  # a stop this close to a lane's path is walked along that path


def _css() -> str:
    """Classes for DivIcon markers: drawn by CSS, so no inline styles or images."""
    statuses = "".join(
        f".gc-pin--{status}{{background:{colour};border-color:{colour}}}"
        f".gc-pin--{status}.gc-pin--approx{{background:transparent}}"
        for status, colour in STATUS_COLOURS.items())
    return (".gc-icon{background:none;border:none}"
            ".gc-pin{display:block;width:14px;height:14px;border-radius:50%;"
            "border:2px solid;box-sizing:border-box}"
            ".gc-pin--approx{border-style:dashed}" + statuses +
            ".gc-stop{display:flex;align-items:center;justify-content:center;width:24px;"
            f"height:24px;border-radius:50%;background:{WALK_COLOUR};color:#fff;"
            "font:bold 12px/1 sans-serif;border:2px solid #fff;box-sizing:border-box}"
            ".gc-stop--next{background:#fff;color:" + WALK_COLOUR + ";border:3px solid "
            + WALK_COLOUR + ";box-shadow:0 0 0 3px #fde047}"
            ".gc-lane-label{font-size:11px;padding:0 4px}"
            ".gc-cluster-icon{background:none;border:none}"
            ".gc-cluster{width:100%;height:100%;border-radius:50%;display:flex;"
            "align-items:center;justify-content:center;box-shadow:0 0 0 2px #fff}"
            ".gc-cluster span{background:#fff;color:#111827;border-radius:50%;width:62%;"
            "height:62%;display:flex;align-items:center;justify-content:center;"
            "font:bold 12px/1 sans-serif}"
            ".gc-locate{width:44px;height:44px;background:#fff;border:2px solid rgba(0,0,0,.2);"
            "border-radius:4px;font-size:22px;line-height:1;cursor:pointer}")


def status_colour(status: str | None) -> str:
    """The palette colour for a status (unknown statuses count as not visited)."""
    return STATUS_COLOURS.get(status or "", STATUS_COLOURS[NOT_VISITED])


class _Circle(folium.CircleMarker, Verbatim):
    """A household's circle, rendered without a template compiled per marker."""


class _Pin(folium.Marker, Verbatim):
    """A household's draggable pin, rendered without a template compiled per marker."""


def _circle(h: Mapping, colour: str) -> folium.CircleMarker:
    """An exact household is a filled circle, an approximate one hollow and dashed."""
    approximate = bool(h.get("approximate"))
    return _Circle(
        location=(h["lat"], h["lon"]), radius=7, color=colour, weight=2,
        fill=True, fill_color=colour, fill_opacity=0.1 if approximate else 0.85,
        dash_array="3 3" if approximate else None)


def _draggable(h: Mapping) -> folium.Marker:
    """A draggable household pin (a CircleMarker cannot be dragged)."""
    status = h.get("status") if h.get("status") in STATUS_COLOURS else NOT_VISITED
    approx = " gc-pin--approx" if h.get("approximate") else ""
    icon = folium.DivIcon(html=f'<span class="gc-pin gc-pin--{status}{approx}"></span>',
                          icon_size=(14, 14), icon_anchor=(7, 7), class_name="gc-icon")
    # title: the pin's name for a screen reader and a keyboard (Leaflet makes it a button)
    return _Pin(location=(h["lat"], h["lon"]), icon=icon, draggable=True,
                title=title_safe(h.get("label")), gc_status=status)


# Cluster icons show their households' statuses: a ring cut in the palette's colours in
# proportion, the count in the middle (not the plugin's yellow/green by size). A marker
# says its status in options.gcStatus (a pin) or by its colour (a circle).
CLUSTER_ICON = """function (cluster) {
    var colours = __COLOURS__, order = __ORDER__, byColour = {}, counts = {}, total = 0;
    order.forEach(function (s) { byColour[colours[s]] = s; });
    cluster.getAllChildMarkers().forEach(function (m) {
        var s = m.options.gcStatus || byColour[m.options.color] || "not_visited";
        counts[s] = (counts[s] || 0) + 1; total += 1;
    });
    var at = 0, stops = [], said = [];
    order.forEach(function (s) {
        if (!counts[s]) return;
        var to = at + 100 * counts[s] / total;
        stops.push(colours[s] + " " + at.toFixed(1) + "% " + to.toFixed(1) + "%");
        said.push(s + ":" + counts[s]);
        at = to;
    });
    var size = total < 10 ? 34 : total < 100 ? 40 : 46;
    return L.divIcon({
        html: '<div class="gc-cluster" data-statuses="' + said.join(" ") +
              '" style="background:conic-gradient(' + stops.join(",") + ')"><span>' +
              total + '</span></div>',
        className: "gc-cluster-icon", iconSize: L.point(size, size)});
}"""


def cluster_icon_js() -> str:
    """The iconCreateFunction for household clusters, with the vocabulary's colours."""
    return (CLUSTER_ICON.replace("__COLOURS__", js_value(dict(STATUS_COLOURS)))
            .replace("__ORDER__", js_value(list(PROGRESS_ORDER))))


def _draw_lanes(m: folium.Map, lanes: Iterable[Mapping]) -> None:
    """Lanes as polylines, each labelled with its name."""
    for lane in lanes:
        if len(lane.get("path") or []) < 2:
            continue
        line = folium.PolyLine(lane["path"], color=LANE_COLOUR, weight=4, opacity=0.6)
        if lane.get("name"):
            folium.Tooltip(js_safe(lane["name"]), sticky=True,
                           class_name="gc-lane-label").add_to(line)
        line.add_to(m)


def household_map(households: Iterable[Mapping], lanes: Iterable[Mapping], center,
                  tiles: str = OSM_TILES, attribution: str = OSM_ATTRIBUTION,
                  asset_url: AssetUrl = static_vendor_url, card_url: str | None = None,
                  draggable: bool = False, height: str = "60vh", zoom: int = 17) -> folium.Map:
    """The leader's map: households coloured by status, clustered when zoomed out.

    households: dicts {id, lat, lon, label, status, approximate} (a sequence: it is read
    twice, for the markers and for the bounds); those without a
    position are left out. lanes: dicts {name, path: [(lat, lon), ...]}.
    card_url: e.g. "/households/__ID__/card"; a click loads it into #household-card.
    draggable: pins can be moved; each move fires `household-moved` on document, and a
    click on the map fires `map-click` (placing a household by hand).
    """
    m = new_map(center, tiles, attribution, asset_url, height=height, zoom=zoom)
    PageStyle(_css()).add_to(m)
    _draw_lanes(m, lanes)
    cluster = new_cluster(asset_url, disable_clustering_at_zoom=18,
                          show_coverage_on_hover=False, icon_create_function=cluster_icon_js())
    cluster.add_to(m)
    hooks = MarkerHooks(card_url)
    for h in households:
        if h.get("lat") is None or h.get("lon") is None:
            continue
        marker = _draggable(h) if draggable else _circle(h, status_colour(h.get("status")))
        folium.Tooltip(js_safe(h.get("label"))).add_to(marker)
        marker.add_to(cluster)
        if h.get("id") is not None:
            hooks.watch(marker, h["id"])
    hooks.add_to(m)  # last, so every marker variable exists when its script runs
    if draggable:
        ClickReporter().add_to(m)
    _fit(m, [(h["lat"], h["lon"]) for h in households
             if h.get("lat") is not None and h.get("lon") is not None])
    return m


def _inert_json(value) -> str:
    """JSON of arrays and strings, inert in a <script> and in branca's second Jinja pass:
    no `</script>`, no `{{`, `{%` or `{#` (every brace is escaped: there are no objects),
    no backtick or `${` for a reader looking for template literals."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("{", "\\u007b"), ("}", "\\u007d"), ("`", "\\u0060"),
                          ("$", "\\u0024"), ("\u2028", "\\u2028"),
                          ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


class HouseholdLayer(folium.MacroElement):
    """Every household as one GeoJSON layer built in the browser from one data array: no
    Jinja template per marker (Folium compiled two per marker: 650 for 308 households).

    Rows are [id, lat, lon, status, approximate (0/1), label]; the label is set as text
    (textContent), never as HTML. A click loads the household's card with htmx; markers
    go into the cluster `cluster` names.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var rows = {{ this.rows }}, colours = {{ this.colours }}, cardUrl = {{ this.card_url }};
            var features = rows.map(function (r) {
                return {type: "Feature", geometry: {type: "Point", coordinates: [r[2], r[1]]},
                        properties: {id: r[0], status: r[3], approx: r[4], label: r[5]}};
            });
            var layer = L.geoJSON({type: "FeatureCollection", features: features}, {
                pointToLayer: function (feature, at) {
                    var p = feature.properties, colour = colours[p.status];
                    return L.circleMarker(at, {radius: 7, color: colour, weight: 2, fill: true,
                        fillColor: colour, fillOpacity: p.approx ? 0.1 : 0.85,
                        dashArray: p.approx ? "3 3" : null});
                },
                onEachFeature: function (feature, marker) {
                    var p = feature.properties, text = document.createElement("span");
                    text.textContent = p.label;
                    marker.bindTooltip(text);
                    if (cardUrl) marker.on("click", function () {
                        if (!window.htmx) return;
                        htmx.ajax("GET", cardUrl.replace("__ID__", encodeURIComponent(p.id)),
                                  {target: "#household-card"});
                    });
                }
            });
            {{ this.cluster }}.addLayer(layer);
        })();
        {% endmacro %}
    """)

    def __init__(self, households: Iterable[Mapping], cluster: folium.MacroElement,
                 card_url: str | None = None):
        super().__init__()
        self._name = "HouseholdLayer"
        self.cluster = cluster.get_name()
        self.card_url = _inert_json(card_url)
        self.colours = _inert_json([[k, v] for k, v in STATUS_COLOURS.items()])
        self.colours = "Object.fromEntries(" + self.colours + ")"
        self.rows = _inert_json([
            [h.get("id"), h["lat"], h["lon"],
             h.get("status") if h.get("status") in STATUS_COLOURS else NOT_VISITED,
             1 if h.get("approximate") else 0, str(h.get("label") or "")]
            for h in households if h.get("lat") is not None and h.get("lon") is not None])


def status_layer_map(households: Sequence[Mapping], lanes: Iterable[Mapping], center,
                     tiles: str = OSM_TILES, attribution: str = OSM_ATTRIBUTION,
                     asset_url: AssetUrl = static_vendor_url, card_url: str | None = None,
                     height: str = "60vh", zoom: int = 17) -> folium.Map:
    """household_map's read-only twin for hundreds of households: coloured by status,
    clustered when zoomed out, drawn as one GeoJSON layer (HouseholdLayer)."""
    m = new_map(center, tiles, attribution, asset_url, height=height, zoom=zoom)
    PageStyle(_css()).add_to(m)
    _draw_lanes(m, lanes)
    cluster = new_cluster(asset_url, disable_clustering_at_zoom=18,
                          show_coverage_on_hover=False)
    cluster.add_to(m)
    HouseholdLayer(households, cluster, card_url).add_to(m)  # after the cluster it fills
    _fit(m, [(h["lat"], h["lon"]) for h in households
             if h.get("lat") is not None and h.get("lon") is not None])
    return m


def _fit(m: folium.Map, points: list) -> None:
    """Open on every household, however far the neighbourhood spreads."""
    if len(points) >= 2:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        m.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(12, 12),
                     max_zoom=18)


def _walk_leg(a, b, lane_key, paths: Mapping[object, LanePath]) -> list:
    """From a to b: along a lane's path when both lie on it, else straight."""
    candidates = [paths[lane_key]] if lane_key in paths else list(paths.values())
    for lane in candidates:
        (along_a, off_a), (along_b, off_b) = lane.project(a), lane.project(b)
        if off_a <= ON_LANE_M and off_b <= ON_LANE_M:
            return [tuple(a), *lane.between(along_a, along_b), tuple(b)]
    return [tuple(a), tuple(b)]


def walk_line(start, stops: Sequence[Mapping], lanes_paths) -> list[tuple[float, float]]:
    """The walk as one line: start, then each stop in order, following lane paths."""
    items = lanes_paths.items() if isinstance(lanes_paths, Mapping) else enumerate(lanes_paths)
    paths = {key: LanePath(path) for key, path in items if path}
    points = [tuple(start)]
    for stop in stops:
        here = (stop["lat"], stop["lon"])
        points.extend(_walk_leg(points[-1], here, stop.get("lane"), paths)[1:])
    return points


def walk_map(stops: Sequence[Mapping], lanes_paths, start,
             tiles: str = OSM_TILES, attribution: str = OSM_ATTRIBUTION,
             asset_url: AssetUrl = static_vendor_url, card_url: str | None = None,
             height: str = "50vh", zoom: int = 18, locate_label: str | None = None) -> folium.Map:
    """A volunteer's walk on a phone: numbered stops in visiting order and the path.

    stops: dicts {lat, lon, label, id?, lane?, next?} in order (`next`: the door to knock at
    next, marked); lanes_paths: {lane: path} or a list of paths; start: (lat, lon) where the
    volunteer sets off; locate_label: a button of that name shows the phone's own position
    (asked only when tapped).
    """
    m = new_map(start, tiles, attribution, asset_url, height=height, zoom=zoom)
    PageStyle(_css()).add_to(m)
    line = walk_line(start, stops, lanes_paths)
    folium.PolyLine(line, color=WALK_COLOUR, weight=4, opacity=0.8).add_to(m)
    folium.CircleMarker(tuple(start), radius=6, color=WALK_COLOUR, fill=True,
                        fill_color="#fff", fill_opacity=1).add_to(m)
    hooks, spread = MarkerHooks(card_url), Spread()
    for number, stop in enumerate(stops, start=1):
        nxt = " gc-stop--next" if stop.get("next") else ""
        icon = folium.DivIcon(html=f'<span class="gc-stop{nxt}">{number}</span>',
                              icon_size=(24, 24), icon_anchor=(12, 12), class_name="gc-icon")
        marker = folium.Marker((stop["lat"], stop["lon"]), icon=icon,
                               title=title_safe(f"{number}. {stop.get('label') or ''}"),
                               z_index_offset=1000 if nxt else 0)
        folium.Tooltip(js_safe(f"{number}. {stop.get('label') or ''}")).add_to(marker)
        marker.add_to(m)
        spread.watch(marker)
        if stop.get("id") is not None:
            hooks.watch(marker, stop["id"])
    hooks.add_to(m)
    spread.add_to(m)
    if locate_label:
        MyPosition(locate_label).add_to(m)
    if len(line) > 1:
        m.fit_bounds(_bounds(line), max_zoom=19)
    return m


class Spread(folium.MacroElement):
    """Numbered doors that stand on one another move apart on the screen (a spiral around
    the door, at every zoom), each keeping its number and its address in the tooltip."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var markers = [{% for name in this.markers %}{{ name }},{% endfor %}];
            var homes = markers.map(function (m) { return m.getLatLng(); });
            function spread() {
                var placed = [];
                homes.forEach(function (home, i) {
                    var at = map.latLngToLayerPoint(home), spot = at, k = 0;
                    while (k < 60 && placed.some(function (p) { return p.distanceTo(spot) < 26; })) {
                        k += 1;  // a golden-angle spiral: the next free place nearby
                        spot = L.point(at.x + (10 + 4 * k) * Math.cos(2.4 * k),
                                       at.y + (10 + 4 * k) * Math.sin(2.4 * k));
                    }
                    placed.push(spot);
                    markers[i].setLatLng(k ? map.layerPointToLatLng(spot) : home);
                });
            }
            map.whenReady(spread);
            map.on("zoomend", spread);
        })();
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "Spread"
        self.markers: list[str] = []

    def watch(self, marker: folium.MacroElement) -> None:
        self.markers.append(marker.get_name())


class MyPosition(folium.MacroElement):
    """A 44-px map button that shows where the phone is (a dot and its accuracy), following
    it while the walk goes on; the browser asks the volunteer on the first tap only."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, label = {{ this.label }};
            if (!navigator.geolocation) return;
            var dot = null, ring = null, watching = null;
            function show(position) {
                var at = [position.coords.latitude, position.coords.longitude];
                var accuracy = position.coords.accuracy;
                if (dot) { dot.setLatLng(at); ring.setLatLng(at).setRadius(accuracy); return; }
                ring = L.circle(at, {radius: accuracy, weight: 1, color: "#2563eb",
                                     fillOpacity: 0.1, interactive: false}).addTo(map);
                dot = L.circleMarker(at, {radius: 7, color: "#fff", weight: 2, fillColor: "#2563eb",
                                          fillOpacity: 1, className: "gc-me"}).addTo(map);
                map.panTo(at);
            }
            function locate() {
                if (watching !== null) { if (dot) map.panTo(dot.getLatLng()); return; }
                watching = navigator.geolocation.watchPosition(show, function () {
                    if (watching !== null) navigator.geolocation.clearWatch(watching);
                    watching = null;
                }, {enableHighAccuracy: true, maximumAge: 10000, timeout: 30000});
            }
            var Locate = L.Control.extend({options: {position: "topleft"}, onAdd: function () {
                var button = L.DomUtil.create("button", "gc-locate");
                button.type = "button";
                button.title = label;
                button.setAttribute("aria-label", label);
                button.textContent = "◎";
                L.DomEvent.disableClickPropagation(button);
                L.DomEvent.on(button, "click", locate);
                return button;
            }});
            new Locate().addTo(map);
        })();
        {% endmacro %}
    """)

    def __init__(self, label: str):
        super().__init__()
        self._name = "MyPosition"
        self.label = js_value(label)


def _bounds(points) -> list[list[float]]:
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


class ClickReporter(folium.MacroElement):
    """A click on the map fires `map-click` on document with detail {lat, lon} (the page
    decides what it means: households.js places the household the leader chose)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.on("click", function (event) {
            document.dispatchEvent(new CustomEvent("map-click",
                {detail: {lat: event.latlng.lat, lon: event.latlng.lng}}));
        });
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "ClickReporter"


class PointPicker(folium.MacroElement):
    """A click on the map puts the point there: a circle moves to it and `map-point` fires on
    document with detail {lat, lon} (a listener fills the form; no inline handlers)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, start = {{ this.point }}, dot = null;
            function put(at) {
                if (dot) { dot.setLatLng(at); return; }
                dot = L.circleMarker(at, {radius: 9, color: "#b91c1c", weight: 3,
                                          fillOpacity: 0.6}).addTo(map);
            }
            if (start) put(start);
            map.on("click", function (event) {
                put(event.latlng);
                document.dispatchEvent(new CustomEvent("map-point",
                    {detail: {lat: event.latlng.lat, lon: event.latlng.lng}}));
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, point):
        super().__init__()
        self._name = "PointPicker"
        self.point = js_value(list(point) if point else None)


def point_map(centre, point=None, tiles: str = OSM_TILES, attribution: str = OSM_ATTRIBUTION,
              asset_url: AssetUrl = static_vendor_url, zoom: int = 17,
              height: str = "50vh") -> folium.Map:
    """A map to choose one point on (a group's meeting point): opens on `centre`, shows
    `point` if there is one, and a click moves it (PointPicker)."""
    m = new_map(centre, tiles, attribution, asset_url, height=height, zoom=zoom)
    PointPicker(point).add_to(m)
    return m


class LaneDrawing(folium.MacroElement):
    """The lane editor's drawing tools (Leaflet-Geoman): draw a line from the lane's mouth,
    or edit a drawn lane's points. Fires on document `lane-drawn` {path} and `lane-edited`
    {id, path}, path [[lat, lon], ...] from the mouth (static/lanes.js fills the form)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, lanes = {{ this.lanes }}, drawn = null;
            function points(layer) {
                return layer.getLatLngs().map(function (p) { return [p.lat, p.lng]; });
            }
            function say(name, detail) {
                document.dispatchEvent(new CustomEvent(name, {detail: detail}));
            }
            lanes.forEach(function (lane) {
                if (!lane.path || lane.path.length < 2) return;
                var line = L.polyline(lane.path, {color: "#0f766e", weight: 5, opacity: 0.7})
                    .addTo(map);
                line.bindTooltip(lane.name, {sticky: true});  // HTML-escaped by html_safe
                line.on("pm:edit", function () { say("lane-edited", {id: lane.id, path: points(line)}); });
                line.on("click", function () { say("lane-picked", {id: lane.id}); });
            });
            if (!map.pm) return;
            map.pm.addControls({position: "topleft", drawMarker: false, drawCircleMarker: false,
                drawPolygon: false, drawRectangle: false, drawCircle: false, drawText: false,
                cutPolygon: false, rotateMode: false, dragMode: false, removalMode: false,
                drawPolyline: true, editMode: true});
            // Geoman's buttons are links named only by their box's title: name them too
            map.getContainer().querySelectorAll(".leaflet-buttons-control-button")
                .forEach(function (b) {
                    var title = b.parentNode.getAttribute("title");
                    if (title) b.setAttribute("aria-label", title);
                });
            map.on("pm:create", function (event) {
                if (drawn) map.removeLayer(drawn);
                drawn = event.layer;
                say("lane-drawn", {path: points(drawn)});
            });
            window.gocuaLaneMap = map;  // the browser test draws through Leaflet's own events
        })();
        {% endmacro %}
    """)

    def __init__(self, lanes):
        super().__init__()
        self._name = "LaneDrawing"
        self.lanes = js_value(lanes)


def lane_editor_map(lanes: Sequence[Mapping], center, tiles: str = OSM_TILES,
                    attribution: str = OSM_ATTRIBUTION, asset_url: AssetUrl = static_vendor_url,
                    zoom: int = 17, height: str = "60vh") -> folium.Map:
    """The lane editor's map: the group's lanes ({id, name, path}), editable, and a tool to
    draw a new one. Leaflet-Geoman is loaded here only, from static/vendor/."""
    m = new_map(center, tiles, attribution, asset_url, height=height, zoom=zoom)
    m.default_js = m.default_js + _local(GEOMAN_JS, asset_url)
    m.default_css = m.default_css + _local(GEOMAN_CSS, asset_url)
    LaneDrawing([{"id": lane["id"], "name": html_safe(lane["name"]), "path": lane["path"]}
                 for lane in lanes]).add_to(m)
    points = [p for lane in lanes for p in (lane["path"] or [])]
    if len(points) >= 2:
        m.fit_bounds(_bounds(points), max_zoom=18)
    return m
