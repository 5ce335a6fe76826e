"""The review map draws hundreds of households as one GeoJSON layer from one data array:
the same few elements however many households, and their text only as inert data."""
from __future__ import annotations

import json
import os
import re

from geo.maps import render_parts, status_layer_map

HOSTILE = "{{ cycler.__init__.__globals__.os.getcwd() }} {# {% raw %} </script><img src=x " \
          "onerror=alert(1)> ${alert(1)} `tick` a\\b Nguyễn"


def houses(n):
    return [{"id": k, "lat": 21.5 + k * 1e-5, "lon": 105.8, "status": "reached" if k % 2 else
             "not_home", "approximate": k % 3 == 0, "label": f"{k} {HOSTILE}"} for k in range(n)]


def script_of(n):
    m = status_layer_map(houses(n), [], (21.5, 105.8), card_url="/households/__ID__/card")
    return m, render_parts(m, nonce="n0nce")


def test_one_layer_however_many_households():
    small, (big, parts) = script_of(3)[0], script_of(400)
    assert len(small._children) == len(big._children)  # no element per marker
    assert parts["script"].count("L.circleMarker(") == 1 and "L.geoJSON(" in parts["script"]
    rows = json.loads(re.search(r"var rows = (\[.*?\]\]),", parts["script"]).group(1))
    assert len(rows) == 400 and rows[1][:5] == [1, 21.50001, 105.8, "reached", 0]
    assert rows[0][4] == 1 and rows[1][5] == f"1 {HOSTILE}"  # the text, as data


def test_the_text_is_inert_in_the_page():
    _, parts = script_of(5)
    script = parts["script"]
    assert os.getcwd() not in script
    for unwanted in ("{{", "{#", "{%", "<img", "${", "`tick`"):
        assert unwanted not in script.split("var rows", 1)[1].split(";", 1)[0], unwanted
    assert script.count("</script>") == 1 and 'nonce="n0nce"' in script
    assert "textContent = p.label" in script and ".bindTooltip(text)" in script
    assert '"/households/__ID__/card"' in script and "#household-card" in script


def test_households_without_a_position_and_unknown_statuses():
    data = houses(2) + [{"id": 9, "lat": None, "lon": None, "status": "reached", "label": "x"}]
    data[0]["status"] = "bogus"
    _, parts = script_of(0)
    m = status_layer_map(data, [], (21.5, 105.8))
    rows = json.loads(re.search(r"var rows = (\[.*?\]\]),", render_parts(m)["script"]).group(1))
    assert [r[0] for r in rows] == [0, 1] and rows[0][3] == "not_visited"


def test_the_households_map_compiles_no_template_per_marker(monkeypatch):
    """The leader's map keeps a marker per household (pins are dragged), but its markers,
    icons and tooltips render without a Jinja template compiled for each: as many compiles
    for 400 households as for 4, and the page holds every pin."""
    import jinja2

    from geo.maps import household_map
    compiled = [0]
    original = jinja2.Environment.compile

    def counting(self, *args, **kwargs):
        compiled[0] += 1
        return original(self, *args, **kwargs)
    monkeypatch.setattr(jinja2.Environment, "compile", counting)

    def compiles(n, draggable):
        compiled[0] = 0
        parts = render_parts(household_map(houses(n), [], (21.5, 105.8), draggable=draggable,
                                           card_url="/households/__ID__/card"))
        return compiled[0], parts["script"]
    for draggable in (False, True):
        few, _ = compiles(4, draggable)
        many, script = compiles(400, draggable)
        assert many == few, (many, few)
        assert script.count(".bindTooltip(") == 400
        assert ('"draggable": true' in script) == draggable
