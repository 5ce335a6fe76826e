"""The walk planner and lane balancing, as a leader and a volunteer would notice them."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from planner import balance_lanes, plan_walk, walk_length_m

LAT0, LON0 = 21.5660, 105.8460
M_LAT = 111_195.0


def ll(x, y):
    """Metres east/north of a fixed point in Thái Nguyên -> (lat, lon)."""
    return (LAT0 + y / M_LAT, LON0 + x / (M_LAT * math.cos(math.radians(LAT0))))


def street_with_lanes(mouths, depth=60.0, gap=6.0):
    """A street along y = 0 with one ngõ going north from each mouth, houses on both sides."""
    lanes, stops = {}, []
    for n, mx in enumerate(mouths, start=1):
        lane = f"ngo-{n}"
        lanes[lane] = [ll(mx, 0), ll(mx, depth)]
        for k, y in enumerate(range(6, int(depth) - 2, int(gap))):
            for side in (-3, 3):
                stops.append({"id": f"{lane}-{k}{'a' if side < 0 else 'b'}", "lat": ll(mx + side, y)[0],
                              "lon": ll(mx + side, y)[1], "lane": lane})
    return stops, lanes


def lane_entries(order, stops):
    lane_of = {s["id"]: s["lane"] for s in stops}
    runs = [lane_of[order[0]]] if order else []
    for sid in order[1:]:
        if lane_of[sid] != runs[-1]:
            runs.append(lane_of[sid])
    return runs


def assert_valid(order, stops):
    assert sorted(order) == sorted(s["id"] for s in stops)
    runs = lane_entries(order, stops)
    laned = [r for r in runs if r]
    assert len(laned) == len(set(laned)), f"a lane is entered twice: {runs}"


def test_empty_walk():
    assert plan_walk([], {}, ll(0, 0)) == []
    assert walk_length_m([], [], {}, ll(0, 0)) == 0.0


def test_single_stop():
    stop = {"id": "h1", "lat": ll(5, 20)[0], "lon": ll(5, 20)[1], "lane": "ngo-1"}
    assert plan_walk([stop], {"ngo-1": [ll(0, 0), ll(0, 40)]}, ll(0, 0)) == ["h1"]


def test_every_stop_once_lane_by_lane_with_a_ngach():
    stops, lanes = street_with_lanes([0, 40, 80, 120, 160])
    lanes["ngo-3/ngach-1"] = [ll(80, 30), ll(130, 30)]
    stops += [{"id": f"n{k}", "lat": ll(x, 33)[0], "lon": ll(x, 33)[1], "lane": "ngo-3/ngach-1"}
              for k, x in enumerate(range(86, 128, 7))]
    order = plan_walk(stops, lanes, ll(70, 0))
    assert_valid(order, stops)
    runs = lane_entries(order, stops)
    # The ngách is walked straight after or before its own ngõ, not from another lane.
    assert abs(runs.index("ngo-3") - runs.index("ngo-3/ngach-1")) == 1


def test_neighbouring_ngo_are_not_interleaved():
    # Two ngõ 8 m apart: straight-line nearest-neighbour would zigzag between them.
    stops, lanes = street_with_lanes([0, 8])
    order = plan_walk(stops, lanes, ll(-30, 0))
    assert_valid(order, stops)
    assert len(lane_entries(order, stops)) == 2
    zigzag = sorted((s["id"] for s in stops), key=lambda sid: (sid.split("-")[2], sid))
    assert walk_length_m(order, stops, lanes, ll(-30, 0)) < 0.6 * walk_length_m(
        zigzag, stops, lanes, ll(-30, 0))


def test_walk_is_measured_along_the_lanes_not_across_yards():
    stops, lanes = street_with_lanes([0, 8], depth=60)
    deep = [s for s in stops if s["id"] in ("ngo-1-8b", "ngo-2-8a")]
    # Two doors a few metres apart across a wall, 54 m up two neighbouring ngõ.
    assert walk_length_m([d["id"] for d in deep], deep, lanes, ll(0, 0)) > 2 * 50


def test_walk_ends_deep_in_a_lane_rather_than_coming_back_out():
    stops, lanes = street_with_lanes([0, 40])
    order = plan_walk(stops, lanes, ll(20, 0))
    last = next(s for s in stops if s["id"] == order[-1])
    assert last["lat"] > ll(0, 45)[0]  # the walk ends at the far end of a lane


def test_lane_without_a_drawn_path_is_still_walked_in_one_go():
    stops, lanes = street_with_lanes([0, 40, 80])
    del lanes["ngo-2"]
    order = plan_walk(stops, lanes, ll(0, 0))
    assert_valid(order, stops)
    ngo2 = [sid for sid in order if sid.startswith("ngo-2")]
    ys = [next(s["lat"] for s in stops if s["id"] == sid) for sid in ngo2]
    # Doors along the lane are walked from one end to the other, not back and forth.
    assert ys == sorted(ys) or ys == sorted(ys, reverse=True)


@pytest.mark.parametrize("no_lane", [None, ""])
def test_stops_without_a_lane_are_visited(no_lane):
    stops, lanes = street_with_lanes([0, 40])
    stops += [{"id": f"loose{k}", "lat": ll(x, -10)[0], "lon": ll(x, -10)[1], "lane": no_lane}
              for k, x in enumerate((5, 25, 45))]
    order = plan_walk(stops, lanes, ll(0, 0))
    assert_valid(order, stops)


def test_only_stops_without_lanes_get_a_short_walk():
    xs = [0, 100, 10, 90, 20, 80]
    stops = [{"id": f"h{k}", "lat": ll(x, 0)[0], "lon": ll(x, 0)[1], "lane": None} for k, x in enumerate(xs)]
    order = plan_walk(stops, {}, ll(-5, 0))
    assert order == ["h0", "h2", "h4", "h5", "h3", "h1"]


def test_walk_length_counts_the_way_in_and_out_of_a_lane():
    stops, lanes = street_with_lanes([0, 40], depth=30)
    order = plan_walk(stops, lanes, ll(20, 0))
    length = walk_length_m(order, stops, lanes, ll(20, 0))
    # 20 m to a mouth, 24 m in and out of one lane, 40 m along the street, 24 m into the
    # other; and 3 m from the lane to each of 16 doors and back, but not back from the last.
    assert length == pytest.approx(20 + 2 * 24 + 40 + 24 + 16 * 6 - 3, abs=2)


def lanes_in_two_clusters():
    lanes = {}
    for k in range(6):
        lanes[f"west-{k}"] = {"minutes": 30, "lat": ll(k * 30, 0)[0], "lon": ll(k * 30, 0)[1],
                              "households": 10}
        lanes[f"east-{k}"] = {"minutes": 30, "lat": ll(2000 + k * 30, 0)[0], "lon": ll(2000 + k * 30, 0)[1],
                              "households": 10}
    return lanes


def test_balance_gives_each_volunteer_the_lanes_near_each_other():
    result = balance_lanes(lanes_in_two_clusters(), ["an", "binh"])
    sides = [{lane.split("-")[0] for lane in result[v]} for v in ("an", "binh")]
    assert sorted(map(sorted, sides)) == [["east"], ["west"]]


def test_balance_evens_out_the_minutes():
    lanes = {f"l{k}": {"minutes": m, "lat": ll(k * 20, 0)[0], "lon": ll(k * 20, 0)[1]}
             for k, m in enumerate([90, 10, 45, 30, 60, 20, 75, 15, 40, 35, 50, 25])}
    result = balance_lanes(lanes, ["an", "binh", "chi"])
    loads = [sum(lanes[lane]["minutes"] for lane in result[v]) for v in ("an", "binh", "chi")]
    assert sum(len(result[v]) for v in ("an", "binh", "chi")) == 12
    assert max(loads) - min(loads) <= 45  # within half the longest lane


def test_balance_keeps_lanes_already_given():
    lanes = lanes_in_two_clusters()
    result = balance_lanes(lanes, ["an", "binh"], fixed={"east-0": "an", "west-0": "an"})
    assert {"east-0", "west-0"} <= set(result["an"])
    assert "east-0" not in result["binh"] and "west-0" not in result["binh"]
    assert sorted(result["an"] + result["binh"]) == sorted(lanes)


def test_balance_follows_the_volunteer_who_already_has_a_lane_there():
    result = balance_lanes(lanes_in_two_clusters(), ["an", "binh"], fixed={"east-3": "binh"})
    assert all(lane.startswith("east") for lane in result["binh"])


def test_balance_respects_caps_and_leaves_the_rest_for_later():
    lanes = lanes_in_two_clusters()
    result = balance_lanes(lanes, {"an": {"max_minutes": 90}, "binh": {"max_households": 20}})
    assert sum(lanes[lane]["minutes"] for lane in result["an"]) <= 90
    assert sum(lanes[lane]["households"] for lane in result["binh"]) <= 20
    assert sorted(result["an"] + result["binh"] + result[None]) == sorted(lanes)


def test_balance_with_no_volunteers_leaves_every_lane_unassigned():
    assert balance_lanes({"l1": {"minutes": 5, "lat": LAT0, "lon": LON0}}, []) == {None: ["l1"]}


def two_lanes_joined_at_their_far_ends(depth=80.0, apart=100.0):
    """Two ngõ off a street along y = 0, `apart` metres apart, doors along each; their far
    ends joined by a through-lane (ngõ thông) as long as the street between their mouths."""
    lanes = {"ngo-a": [ll(0, 0), ll(0, depth)], "ngo-b": [ll(apart, 0), ll(apart, depth)]}
    stops = [{"id": f"{lane[-1]}{y}", "lat": ll(x + 3, y)[0], "lon": ll(x + 3, y)[1], "lane": lane}
             for lane, x in (("ngo-a", 0), ("ngo-b", apart)) for y in range(10, int(depth) + 1, 10)]
    return stops, lanes, [(ll(0, depth), ll(apart, depth))]


def test_a_through_lane_takes_the_walk_out_the_far_end_instead_of_back():
    stops, lanes, links = two_lanes_joined_at_their_far_ends()
    start = ll(-20, 0)
    dead_end = plan_walk(stops, lanes, start)
    through = plan_walk(stops, lanes, start, links=links)
    assert_valid(through, stops)
    # In ngõ a to its end, through to ngõ b's end, and out of b: its doors deepest first.
    assert through == [f"a{y}" for y in range(10, 81, 10)] + [f"b{y}" for y in range(80, 9, -10)]
    metres = walk_length_m(through, stops, lanes, start, links=links)
    # 20 m to a's mouth, 80 m in, 100 m through, 70 m out to b's last door (+3 m to each door).
    assert metres == pytest.approx(20 + 80 + 100 + 70 + 16 * 6 - 3, abs=2)
    # Without the through-lane the walk comes back out of a and goes round by the street.
    assert walk_length_m(dead_end, stops, lanes, start) > metres + 60


def test_a_lane_that_comes_out_on_a_street_is_left_by_its_far_end():
    stops, lanes, _ = two_lanes_joined_at_their_far_ends()
    # Ngõ a comes out at its far end on the street behind; a door stands on that street.
    behind = {"id": "behind", "lat": ll(60, 85)[0], "lon": ll(60, 85)[1], "lane": None}
    a_only = [s for s in stops if s["lane"] == "ngo-a"] + [behind]
    order = plan_walk(a_only, lanes, ll(0, 0), links=[(ll(0, 80), None)])
    assert order[-1] == "behind" and order[0] == "a10"
    assert walk_length_m(order, a_only, lanes, ll(0, 0), links=[(ll(0, 80), None)]) < \
        walk_length_m(order, a_only, lanes, ll(0, 0)) - 100


def test_a_through_lane_to_a_lane_the_planner_is_not_given_is_left_out():
    stops, lanes, links = two_lanes_joined_at_their_far_ends()
    a_only = [s for s in stops if s["lane"] == "ngo-a"]
    only_a = {"ngo-a": lanes["ngo-a"]}
    order = plan_walk(a_only, only_a, ll(-20, 0), links=links)
    assert walk_length_m(order, a_only, only_a, ll(-20, 0), links=links) == \
        pytest.approx(walk_length_m(order, a_only, only_a, ll(-20, 0)))


def two_streets_back_to_back(lanes_each=12, gap=40.0, apart=150.0, depth=60.0):
    """Phố A along y = 0 with ngõ going north, Phố B along y = apart with ngõ going south:
    the lanes' far ends almost meet across the block, but on foot the streets meet only
    the way round."""
    lanes = {}
    for street, y0, way in (("A", 0.0, 1), ("B", apart, -1)):
        for k in range(lanes_each):
            path = [ll(k * gap, y0), ll(k * gap, y0 + way * depth)]
            middle = ll(k * gap, y0 + way * depth / 2)
            lanes[f"{street}-{k}"] = {"minutes": 60, "households": 8, "lat": middle[0], "lon": middle[1],
                                      "path": path, "street": f"Phố {street}", "parent": None}
    return lanes


def test_balance_keeps_each_volunteer_on_one_street():
    lanes = two_streets_back_to_back()
    result = balance_lanes(lanes, ["an", "binh"])
    streets = [{lane.split("-")[0] for lane in result[v]} for v in ("an", "binh")]
    assert sorted(map(sorted, streets)) == [["A"], ["B"]]


def test_balance_keeps_a_ngach_with_its_ngo():
    lanes = two_streets_back_to_back(lanes_each=6)
    # A ngách off ngõ A-2 (at 30 m in, going east) and one off B-3, worth as much as a ngõ.
    for parent, key in (("A-2", "A-2/1"), ("B-3", "B-3/1")):
        (lat0, lon0), (lat1, lon1) = lanes[parent]["path"]
        mid = ((lat0 + lat1) / 2, (lon0 + lon1) / 2)
        end = (mid[0], mid[1] + 40 / (M_LAT * math.cos(math.radians(LAT0))))
        lanes[key] = {**lanes[parent], "path": [mid, end], "parent": parent,
                      "lat": mid[0], "lon": (mid[1] + end[1]) / 2}
    result = balance_lanes(lanes, ["an", "binh", "chi", "dung"])
    owner = {lane: v for v, mine in result.items() for lane in mine}
    assert owner["A-2/1"] == owner["A-2"] and owner["B-3/1"] == owner["B-3"]
    assert all(len({lane[0] for lane in result[v]}) == 1 for v in ("an", "binh", "chi", "dung"))
    loads = [sum(lanes[lane]["minutes"] for lane in result[v]) for v in ("an", "binh", "chi", "dung")]
    assert max(loads) - min(loads) <= 60  # within one lane


@st.composite
def neighbourhoods(draw):
    """Lanes (some drawn, some not; ngõ on a few streets, some ngách), volunteers with or
    without caps, some lanes already given, and through-lanes between drawn lanes' ends."""
    lanes = {}
    for k in range(draw(st.integers(1, 30))):
        x, y = draw(st.floats(0, 900)), draw(st.floats(0, 700))
        lane = {"minutes": draw(st.sampled_from([0, 4, 30, 95, 240])),
                "households": draw(st.integers(0, 30)), "lat": ll(x, y)[0], "lon": ll(x, y)[1]}
        if draw(st.booleans()):
            lane["path"] = [ll(x, y), ll(x + draw(st.floats(-60, 60)), y + draw(st.floats(10, 150)))]
            lane["street"] = draw(st.sampled_from(["", "Phố A", "Phố B"]))
            drawn = [j for j in lanes if "path" in lanes[j]]
            if drawn and draw(st.booleans()):
                parent = draw(st.sampled_from(drawn))
                (la, lo), (lb, lob) = lanes[parent]["path"]
                lane["path"][0], lane["parent"] = ((la + lb) / 2, (lo + lob) / 2), parent
        lanes[f"l{k}"] = lane
    names = [f"v{k}" for k in range(draw(st.integers(0, 6)))]
    volunteers = {v: {"max_households": draw(st.sampled_from([None, 12, 40])),
                      "max_minutes": draw(st.sampled_from([None, 120, 600]))} for v in names}
    fixed = {lane: draw(st.sampled_from(names)) for lane in lanes if names and draw(st.booleans())
             and draw(st.booleans())}
    drawn = [lane["path"] for lane in lanes.values() if "path" in lane]
    pairs = draw(st.lists(st.tuples(st.sampled_from(drawn), st.sampled_from(drawn + [None])),
                          max_size=3)) if drawn else []
    links = [(a[-1], b[-1] if b else None) for a, b in pairs]  # None: out onto a street
    return lanes, volunteers, fixed, links


@settings(max_examples=150, deadline=None)
@given(neighbourhoods())
def test_balance_gives_every_lane_once_keeps_what_is_given_and_respects_caps(case):
    lanes, volunteers, fixed, links = case
    result = balance_lanes(lanes, volunteers, fixed, links=links)
    assert sorted(lane for mine in result.values() for lane in mine) == sorted(lanes)
    assert all(lane in result[v] for lane, v in fixed.items())
    for v, caps in volunteers.items():
        given = [lane for lane in result[v] if lane not in fixed]
        for cap, key in ((caps["max_households"], "households"), (caps["max_minutes"], "minutes")):
            if cap is not None and given:
                assert sum(lanes[lane][key] for lane in result[v]) <= cap + 1e-6


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 6), st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=4),
       st.floats(-50, 300))
def test_through_lanes_never_lengthen_a_walk(n_lanes, pairs, start_x):
    stops, lanes = street_with_lanes([45 * k for k in range(n_lanes)], depth=70)
    ends = [path[-1] for path in lanes.values()]
    links = [(ends[a % n_lanes], ends[b % n_lanes]) for a, b in pairs]
    start = ll(start_x, 0)
    order = plan_walk(stops, lanes, start, links=links)
    assert_valid(order, stops)
    with_links = walk_length_m(order, stops, lanes, start, links=links)
    assert with_links <= walk_length_m(order, stops, lanes, start) + 1e-6
    assert with_links <= walk_length_m(plan_walk(stops, lanes, start), stops, lanes, start,
                                       links=links) + 1e-6
