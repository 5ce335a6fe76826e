"""The walk planner and lane balancing, as a leader and a volunteer would notice them."""
import math

import pytest

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
