"""Folium maps: local assets only, escaped text, status colours, walk numbering."""
import json
import re
import shutil
import subprocess

import folium
import pytest
from folium.plugins import MarkerCluster

from geo.mapkit import OSM_TILES, render_parts
from geo.maps import household_map, walk_line, walk_map
from vocabulary import STATUS_COLOURS

CENTER = (21.5928, 105.8442)
LANES = [{"name": "Ngõ 5 <b>", "path": [(21.5928, 105.8442), (21.5936, 105.8451)]}]
EVIL = ["<img src=x onerror=alert(1)>", "${alert(1)}", "a\\b", "`tick`", "</script>"]


def asset_url(path):
    return f"/static/vendor/{path}"


def households(**extra):
    return [
        {"id": i + 1, "lat": CENTER[0] + i / 10000, "lon": CENTER[1] + i / 10000,
         "label": f"{i + 1} ngõ 5 — {name}", "status": status, "approximate": i % 2 == 1,
         **extra}
        for i, (name, status) in enumerate(zip(EVIL + ["Nguyễn Văn An"], STATUS_COLOURS))
    ]


def html_of(m, nonce=None):
    parts = render_parts(m, nonce=nonce)
    return parts, "\n".join(parts.values())


def _outside_links(text):
    """Every http(s) URL except the tile template and the attribution's link."""
    allowed = {OSM_TILES}
    urls = re.findall(r"https?://[^\s\"'\\<>]+", text)
    return [u for u in urls if u not in allowed]


@pytest.mark.parametrize("draggable", [False, True])
def test_no_cdn_and_only_the_vendor_assets(draggable):
    m = household_map(households(), LANES, CENTER, asset_url=asset_url, draggable=draggable,
                      card_url="/households/__ID__/card")
    parts, text = html_of(m)
    assert _outside_links(text) == []
    links = re.findall(r'(?:src|href)="([^"]+)"', parts["head"])
    assert sorted(links) == sorted(asset_url(p) for p in [
        "leaflet/leaflet.js", "leaflet/leaflet.css",
        "leaflet.markercluster/leaflet.markercluster.js",
        "leaflet.markercluster/MarkerCluster.css",
        "leaflet.markercluster/MarkerCluster.Default.css"])
    for unwanted in ("jquery", "bootstrap", "fontawesome", "awesome", "glyphicons"):
        assert unwanted not in text.lower()
    assert "$(" not in text  # no jQuery call either


def test_class_wide_asset_lists_stay_untouched():
    before = (list(folium.Map.default_js), list(MarkerCluster.default_js))
    household_map(households(), LANES, CENTER, asset_url=asset_url)
    _, second = html_of(household_map(households(), LANES, CENTER, asset_url=asset_url))
    assert _outside_links(second) == []
    assert (folium.Map.default_js, MarkerCluster.default_js) == before
    _, plain = html_of(folium.Map())  # other folium users in the process still get theirs
    assert "cdn.jsdelivr.net" in plain


def test_user_text_appears_only_escaped():
    _, text = html_of(household_map(households(), LANES, CENTER, asset_url=asset_url,
                                    draggable=True))
    assert "<img" not in text and "onerror=alert(1)>" not in text
    assert "${alert(1)}" not in text.replace("\\${alert(1)}", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "a\\\\b" in text and "\\`tick\\`" in text
    assert text.count("</script>") == text.count("<script")
    assert "Ngõ 5 &lt;b&gt;" in text and "Nguyễn Văn An" in text


def test_colours_per_status_and_approximate_drawn_differently():
    m = household_map(households(), [], CENTER, asset_url=asset_url)
    markers = [c for c in m._children.values() if isinstance(c, MarkerCluster)][0]
    drawn = list(markers._children.values())
    for house, marker in zip(households(), drawn):
        assert marker.options["color"] == STATUS_COLOURS[house["status"]]
        if house["approximate"]:
            assert marker.options["dashArray"] and marker.options["fillOpacity"] < 0.5
        else:
            assert not marker.options["dashArray"] and marker.options["fillOpacity"] > 0.5


def test_draggable_pins_use_status_classes_and_report_moves():
    _, text = html_of(household_map(households(), [], CENTER, asset_url=asset_url,
                                    draggable=True, card_url="/households/__ID__/card"))
    assert text.count('"draggable": true') == len(households())
    assert "gc-pin--reached gc-pin--approx" in text.replace('\\"', '"')
    assert '"household-moved"' in text and "new CustomEvent" in text
    assert 'htmx.ajax("GET", cardUrl.replace("__ID__"' in text
    assert '"/households/__ID__/card"' in text and "#household-card" in text


def test_no_inline_event_attributes_and_nonce_everywhere():
    parts, text = html_of(household_map(households(), LANES, CENTER, asset_url=asset_url),
                          nonce="n0nce")
    assert not re.search(r"\son[a-z]+=", text.replace("onerror=alert(1)", ""))
    tags = re.findall(r"<(?:script|style)\b[^>]*>", text)
    assert tags and all('nonce="n0nce"' in tag for tag in tags)


def test_map_div_fills_the_width_with_the_given_height():
    parts, _ = html_of(household_map([], [], CENTER, asset_url=asset_url, height="45vh"))
    assert "width: 100.0%" in parts["body"] and "height: 45.0vh" in parts["body"]
    assert "html, body" not in parts["body"] + parts["head"]
    assert re.search(r'<div class="folium-map gc-map" id="map_\w+"></div>', parts["body"])
    assert parts["script"].startswith("<script>") and "L.map(" in parts["script"]


def test_tiles_and_attribution_are_settings():
    m = household_map([], [], CENTER, tiles="https://tiles.example.vn/{z}/{x}/{y}.png",
                      attribution="© Bản đồ phường", asset_url=asset_url)
    _, text = html_of(m)
    assert '"https://tiles.example.vn/{z}/{x}/{y}.png"' in text
    assert json.dumps("© Bản đồ phường") in text
    assert OSM_TILES not in text


STOPS = [{"lat": 21.59290, "lon": 105.84435, "label": "3 ngõ 5", "lane": "n5", "id": 30},
         {"lat": 21.59330, "lon": 105.84470, "label": "${alert(1)}", "lane": "n5"},
         {"lat": 21.59310, "lon": 105.84450, "label": "7 ngõ 5", "lane": "n5", "id": 7}]


def test_walk_map_numbers_stops_in_order():
    m = walk_map(STOPS, {"n5": LANES[0]["path"]}, CENTER, asset_url=asset_url,
                 card_url="/households/__ID__/card")
    parts, text = html_of(m)
    numbers = re.findall(r'gc-stop\\"\\u003e(\d+)\\u003c', text)
    assert numbers == ["1", "2", "3"]
    assert text.index("3 ngõ 5") < text.index("\\$&#123;alert(1)") < text.index("7 ngõ 5")
    assert _outside_links(text) == []
    assert "markercluster" not in parts["head"]  # a walk is small: no clustering


def test_walk_line_follows_the_lane_from_the_start():
    path = [(21.5928, 105.8442), (21.5932, 105.8442), (21.5932, 105.8448)]
    stops = [{"lat": 21.59321, "lon": 105.84470, "lane": "n5"}]
    line = walk_line((21.5928, 105.8442), stops, {"n5": path})
    assert line[0] == (21.5928, 105.8442) and line[-1] == (21.59321, 105.84470)
    assert (21.5932, 105.8442) in line  # turns the corner rather than cutting across
    far = walk_line((21.60, 105.85), stops, [path])
    assert far[0] == (21.60, 105.85) and len(far) == 2  # off the lanes: straight


FAKE_LEAFLET = r"""
const created = [];
function layer(kind) {
  const handlers = {};
  const self = new Proxy({kind, handlers}, {get(target, prop) {
    if (prop in target) return target[prop];
    if (prop === "on") return (name, fn) => { (handlers[name] ||= []).push(fn); return self; };
    return () => self;
  }});
  created.push(self);
  return self;
}
globalThis.L = new Proxy({}, {get: (t, prop) => prop === "CRS" ? {} : () => layer(prop)});
globalThis.window = globalThis;
globalThis.alert = () => { throw new Error("user text ran as code"); };
const ajax = [], events = [];
globalThis.htmx = {ajax: (...args) => ajax.push(args)};
globalThis.document = {dispatchEvent: (event) => events.push(event)};
globalThis.CustomEvent = class { constructor(type, init) { this.type = type; this.detail = init.detail; } };
eval(require("fs").readFileSync(process.argv[2], "utf8"));
const pins = created.filter((l) => l.kind === "marker" || l.kind === "circleMarker");
pins[1].handlers.click[0]();
pins[1].handlers.dragend[0]({target: {getLatLng: () => ({lat: 21.5, lng: 105.8})}});
console.log(JSON.stringify({pins: pins.length, ajax, events}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
@pytest.mark.parametrize("draggable", [False, True])
def test_map_script_runs_and_wires_card_and_moves(tmp_path, draggable):
    """The emitted script is valid JS; a click loads the card, a drag fires the event."""
    m = household_map(households(), LANES, CENTER, asset_url=asset_url, draggable=draggable,
                      card_url="/households/__ID__/card")
    script = render_parts(m)["script"].removeprefix("<script>").removesuffix("</script>")
    (tmp_path / "map.js").write_text(script)
    (tmp_path / "run.js").write_text(FAKE_LEAFLET)
    out = subprocess.run(["node", str(tmp_path / "run.js"), str(tmp_path / "map.js")],
                         capture_output=True, text=True, timeout=30, check=True)
    seen = json.loads(out.stdout)
    assert seen["pins"] == len(households())
    assert seen["ajax"] == [["GET", "/households/2/card", {"target": "#household-card"}]]
    assert seen["events"] == [{"type": "household-moved",
                               "detail": {"id": 2, "lat": 21.5, "lon": 105.8}}]


def test_the_household_map_opens_on_every_household():
    houses = [{"id": 1, "lat": 21.550, "lon": 105.860, "label": "a", "status": "reached"},
              {"id": 2, "lat": 21.556, "lon": 105.866, "label": "b", "status": "not_home"}]
    html = household_map(houses, [], (21.553, 105.862)).get_root().render()
    assert "fitBounds" in html and "21.55" in html.split("fitBounds", 1)[1][:200]


def test_draggable_pins_are_named_for_a_screen_reader_without_user_markup():
    """Leaflet makes each pin a keyboard button: its title (the household) is its name."""
    m = household_map(households(), [], CENTER, asset_url=asset_url, draggable=True)
    cluster = [c for c in m._children.values() if isinstance(c, MarkerCluster)][0]
    titles = [marker.options.get("title") for marker in cluster._children.values()]
    assert "Nguyễn Văn An" in " ".join(titles) and all(titles)
    assert not any(ch in t for t in titles for ch in "<>{}$`")
