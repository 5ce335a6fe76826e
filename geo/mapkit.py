"""Folium plumbing for the app's maps: local assets, an embeddable map, page parts.

Folium's defaults load Leaflet, jQuery, Bootstrap and Font Awesome from five CDNs and
write page-wide styles (html, body, #map). Gõ Cửa serves every script from static/ and
embeds maps in its own pages, so this module replaces both, per map instance only:
folium's class-wide lists stay untouched for anyone else in the process.
"""
from __future__ import annotations

import html
import re
from typing import Callable

import folium
from folium.plugins import MarkerCluster
from branca.element import Element, MacroElement
from folium.template import Template

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# Plain text: a page names no third-party host but the tile server.
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors (openstreetmap.org/copyright)"

# Files the app provides under static/vendor/ (from the npm registry at set-up).
LEAFLET_JS = [("leaflet", "leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", "leaflet.markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", "leaflet.markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", "leaflet.markercluster/MarkerCluster.Default.css"),
]

GEOMAN_JS = [("leaflet_geoman", "leaflet-geoman/leaflet-geoman.js")]
GEOMAN_CSS = [("leaflet_geoman_css", "leaflet-geoman/leaflet-geoman.css")]

AssetUrl = Callable[[str], str]


def static_vendor_url(path: str) -> str:
    """Default asset_url: the app's static/vendor/ folder."""
    return f"/static/vendor/{path}"


def _local(links: list[tuple[str, str]], asset_url: AssetUrl) -> list[tuple[str, str]]:
    return [(name, asset_url(path)) for name, path in links]


class EmbeddedMap(folium.Map):
    """A folium Map that sits inside a page: no page-wide styles, no jQuery, no meta tag.

    Its size style is part of its html so it survives an hx-boost or htmx swap, which
    keep the old <head>.
    """

    _template = Template("""
        {% macro html(this, kwargs) %}
            <style>
                #{{ this.get_name() }} {
                    position: relative; width: {{ this.width[0] }}{{ this.width[1] }};
                    height: {{ this.height[0] }}{{ this.height[1] }};
                }
                #{{ this.get_name() }}.leaflet-container { font-size: {{ this.font_size }}; }
            </style>
            <div class="folium-map gc-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
            {%- if this.zoom_control_position %}
            L.control.zoom({ position: {{ this.zoom_control|tojson }} }).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
    """)


class PageStyle(folium.MacroElement):
    """A <style> block in the map's html (classes for DivIcon markers and labels)."""

    _template = Template("""
        {% macro html(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
    """)

    def __init__(self, css: str):
        super().__init__()
        self._name = "PageStyle"
        self.css = css


def new_map(center, tiles: str, attribution: str, asset_url: AssetUrl,
            height: str = "60vh", zoom: int = 17, **options) -> EmbeddedMap:
    """An embeddable map loading Leaflet from local assets, with the given tile server."""
    m = EmbeddedMap(location=center, zoom_start=zoom, tiles=None, width="100%",
                    height=height, **options)
    # Instance attributes shadow folium's class-wide CDN lists (never add_js_link:
    # it edits the class list for every later map in the process).
    m.default_js = _local(LEAFLET_JS, asset_url)
    m.default_css = _local(LEAFLET_CSS, asset_url)
    folium.TileLayer(tiles=tiles, attr=attribution, max_zoom=19).add_to(m)
    return m


def new_cluster(asset_url: AssetUrl, **options) -> MarkerCluster:
    """A MarkerCluster loading its plugin from local assets instead of cdnjs."""
    cluster = MarkerCluster(**options)
    cluster.default_js = _local(CLUSTER_JS, asset_url)
    cluster.default_css = _local(CLUSTER_CSS, asset_url)
    return cluster


def js_value(value) -> str:
    """A JSON value safe inside a <script> (no `</script>` or `<!--` can close it)."""
    return folium.template._to_escaped_json(value)


class MarkerHooks(folium.MacroElement):
    """Script wiring markers to the page: card loading with htmx, drag reporting.

    A click calls htmx.ajax('GET', card_url with __ID__ replaced, {target:
    '#household-card'}); a dragend dispatches a `household-moved` CustomEvent on
    document with detail {id, lat, lon}. Listeners, not inline attributes, so a
    strict CSP holds.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var cardUrl = {{ this.card_url }};
            var pairs = [{% for marker, id in this.pairs %}[{{ marker }}, {{ id }}],{% endfor %}];
            pairs.forEach(function (pair) {
                var marker = pair[0], id = pair[1];
                if (cardUrl) marker.on("click", function () {
                    if (!window.htmx) return;
                    htmx.ajax("GET", cardUrl.replace("__ID__", encodeURIComponent(id)),
                              {target: "#household-card"});
                });
                marker.on("dragend", function (event) {
                    var at = event.target.getLatLng();
                    document.dispatchEvent(new CustomEvent("household-moved",
                        {detail: {id: id, lat: at.lat, lon: at.lng}}));
                });
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, card_url: str | None):
        super().__init__()
        self._name = "MarkerHooks"
        self.card_url = js_value(card_url)
        self.pairs: list[tuple[str, str]] = []

    def watch(self, marker: folium.MacroElement, household_id) -> None:
        """Wire one marker for the household with this id."""
        self.pairs.append((marker.get_name(), js_value(household_id)))


class Text(Element):
    """Rendered output kept as it is: branca wraps each element's output in an Element of
    its own, which compiles it as a new Jinja template (two per household marker: 650
    compiles, most of a 300-household map's time)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def _render_verbatim(element: MacroElement, kwargs: dict) -> None:
    """MacroElement.render, with each part added as Text (no second Jinja pass); children
    that keep MacroElement's own render are rendered the same way."""
    figure = element.get_root()
    macros = element._template.module.__dict__
    for part, target in (("header", figure.header), ("html", figure.html),
                         ("script", figure.script)):
        macro = macros.get(part)
        if macro is not None:
            target.add_child(Text(macro(element, kwargs)), name=element.get_name())
    for child in element._children.values():
        if type(child).render is MacroElement.render:
            _render_verbatim(child, kwargs)
        else:
            child.render(**kwargs)


class Verbatim(MacroElement):
    """Mixed into a marker class (after it: `class Pin(folium.Marker, Verbatim)`): the marker,
    its icon and its tooltip render without a template compiled per marker. The text they
    hold is already inert for Jinja (geo.escape.js_safe), so the output is the same."""

    def render(self, **kwargs) -> None:
        _render_verbatim(self, kwargs)


_OPENING_TAG = re.compile(r"<(script|style)\b")


def _with_nonce(text: str, nonce: str | None) -> str:
    if not nonce:
        return text
    return _OPENING_TAG.sub(lambda t: f'<{t.group(1)} nonce="{html.escape(nonce)}"', text)


def render_parts(m: folium.Map, nonce: str | None = None) -> dict[str, str]:
    """The map as page parts: head (asset links), body (styles and div), script.

    With hx-boost the layout should load the head's assets itself (a boosted page keeps
    its old <head>); body and script go where the map stands. With `nonce`, every
    <script> and <style> tag carries it, for a Content-Security-Policy.
    """
    figure = m.get_root()
    figure.render()  # fills figure.header, .html and .script
    head = "\n".join(child.render() for name, child in figure.header._children.items()
                     if name != "meta_http")
    return {
        "head": _with_nonce(head, nonce),
        "body": _with_nonce(figure.html.render(), nonce),
        "script": _with_nonce(f"<script>\n{figure.script.render()}\n</script>", nonce),
    }
