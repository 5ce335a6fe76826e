"""Escaping, distances and lane paths of the geo package."""
import numpy as np
import pytest
from geopy.distance import geodesic

from geo.distance import distance_matrix_m, haversine_m
from geo.escape import js_safe
from geo.paths import LanePath


@pytest.mark.parametrize("text, forbidden", [
    ("<img src=x onerror=alert(1)>", ["<img", ">"]),
    ("</script><script>alert(1)</script>", ["</script>", "<script>"]),
    ('" onmouseover="alert(1)', ['"']),
    ("it's", ["'"]),
])
def test_js_safe_leaves_no_markup(text, forbidden):
    out = js_safe(text)
    for bad in forbidden:
        assert bad not in out


def test_js_safe_escapes_template_literal_characters():
    assert js_safe("a\\b") == "a\\\\b"
    assert js_safe("`x`") == "\\`x\\`"
    assert js_safe("${alert(1)}") == "\\$&#123;alert(1)&#125;"  # braces: see the next test
    assert js_safe("<b>&") == "&lt;b&gt;&amp;"


def test_js_safe_keeps_jinja_from_running_what_a_name_says():
    """branca renders a map's script a second time as Jinja: braces must not reach it."""
    from geo.maps import household_map
    label = "{{ cycler.__init__.__globals__.os.getcwd() }} {# {% raw %}"
    html = household_map([{"id": 1, "lat": 21.5, "lon": 105.8, "status": "not_visited",
                           "label": label}], [], (21.5, 105.8)).get_root().render()
    assert "&#123;&#123; cycler.__init__.__globals__.os.getcwd() &#125;&#125;" in html
    import os
    assert os.getcwd() not in html and "{{" not in html.split("bindTooltip", 1)[1]


def test_js_safe_keeps_vietnamese_and_handles_none():
    assert js_safe("12 ngõ 5 — Nguyễn Văn An") == "12 ngõ 5 — Nguyễn Văn An"
    assert js_safe(None) == ""
    assert js_safe(42) == "42"


def _unescape_template_literal(text):
    """What JavaScript makes of a template literal's body (for the escapes we emit)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            out.append(text[i + 1])
            i += 2
        else:
            assert text[i] != "`" and text[i:i + 2] != "${"
            out.append(text[i])
            i += 1
    return "".join(out)


def test_js_safe_round_trips_through_template_literal():
    import html
    text = "a\\`${x}`</script>\\"
    assert html.unescape(_unescape_template_literal(js_safe(text))) == text


def test_haversine_matches_geodesic_within_half_a_percent():
    a, b = (21.5928, 105.8442), (21.5951, 105.8489)
    assert haversine_m(a, a) == 0
    assert haversine_m(a, b) == pytest.approx(geodesic(a, b).m, rel=0.005)


def test_distance_matrix_is_symmetric_and_consistent():
    rng = np.random.default_rng(6)
    pts = np.column_stack([21.59 + rng.random(30) / 100, 105.84 + rng.random(30) / 100])
    matrix = distance_matrix_m(pts)
    assert matrix.shape == (30, 30)
    assert np.allclose(matrix, matrix.T)
    assert np.allclose(np.diag(matrix), 0)
    assert matrix[3, 7] == pytest.approx(haversine_m(pts[3], pts[7]))
    assert np.allclose(haversine_m(pts[:5], pts[5:10]), [matrix[i, i + 5] for i in range(5)])


def test_lane_path_length_points_and_projection():
    lane = LanePath([(21.59, 105.84), (21.591, 105.84), (21.591, 105.841)])
    north = haversine_m((21.59, 105.84), (21.591, 105.84))
    east = haversine_m((21.591, 105.84), (21.591, 105.841))
    assert lane.length_m == pytest.approx(north + east, rel=1e-3)
    mid = lane.point_at(north / 2)
    assert mid == pytest.approx((21.5905, 105.84), abs=1e-7)
    left = lane.point_at(north / 2, 5)  # heading north, left is west
    assert left[1] < 105.84 and haversine_m(mid, left) == pytest.approx(5, rel=1e-2)
    along, away = lane.project(left)
    assert along == pytest.approx(north / 2, abs=0.5) and away == pytest.approx(5, rel=1e-2)
    assert lane.between(north + 10, 10)[-1] == pytest.approx(lane.point_at(10))


def test_single_point_lane_and_empty_lane():
    lane = LanePath([(21.59, 105.84)])
    assert lane.length_m == 0 and lane.point_at(3, 5) == (21.59, 105.84)
    with pytest.raises(ValueError):
        LanePath([])
