"""Position sources, fix replacement and spreading households along a lane."""
import math

import pytest

from geo.distance import haversine_m
from geo.paths import LanePath
from geo.placement import Fix, better_fix, lane_fixes, spread_along_lane

LANE = [(21.5900, 105.8400), (21.5905, 105.8410)]


def fix(source, accuracy=None, approximate=None):
    return Fix(21.59, 105.84, source, accuracy, approximate)


def test_approximate_follows_the_source():
    assert fix("lane").approximate and fix("geocoder_street").approximate
    assert not fix("door").approximate and not fix("geocoder_house").approximate
    with pytest.raises(ValueError):
        fix("gps")


@pytest.mark.parametrize("current, new, replaces", [
    (None, "lane", True),
    ("lane", "geocoder_street", True),
    ("geocoder_street", "geocoder_house", True),
    ("geocoder_house", "geocoder_street", False),
    ("geocoder_house", "lane", False),
    ("lane", "door", True),
    ("geocoder_house", "door", True),
    ("door", "geocoder_house", False),
    ("door", "lane", False),
    ("import", "door", False),
    ("lane", "import", True),
    ("lane", "lane", True),
    ("import", "pin", True),
    ("door", "pin", True),
    ("pin", "pin", True),
    ("pin", "import", False),
    ("pin", "door", False),
    ("pin", "geocoder_house", False),
    ("pin", "lane", False),
])
def test_better_fix_order(current, new, replaces):
    assert better_fix(fix(current) if current else None, fix(new)) is replaces


def test_door_fixes_compare_accuracy():
    assert better_fix(fix("door", 30), fix("door", 8))
    assert not better_fix(fix("door", 8), fix("door", 30))
    assert not better_fix(fix("door", 8), fix("door"))
    assert better_fix(fix("door"), fix("door", 50))


def test_exact_beats_approximate_whatever_the_source():
    assert better_fix(fix("import", approximate=True), fix("geocoder_house"))
    assert not better_fix(fix("geocoder_house"), fix("door", approximate=True))
    assert better_fix(Fix(0, 0, None), fix("lane"))
    assert not better_fix(fix("lane"), Fix(0, 0, None))


def _side(path, point):
    """Positive when point is left of the path's direction (x east, y north)."""
    (lat1, lon1), (lat2, lon2) = path[0], path[-1]
    cos = math.cos(math.radians(lat1))
    dx, dy = (lon2 - lon1) * cos, lat2 - lat1
    px, py = (point[1] - lon1) * cos, point[0] - lat1
    return dx * py - dy * px


def test_spread_orders_by_number_from_the_mouth():
    numbers = ["10", "2", "12A", "1", "5/3", "3", "", "9"]
    spread = spread_along_lane(LANE, numbers)
    assert set(spread) == set(numbers)
    lane = LanePath(LANE)
    along = {n: lane.project(p)[0] for n, p in spread.items()}
    order = sorted(numbers, key=along.get)
    assert order == ["1", "2", "3", "5/3", "9", "10", "12A", ""]
    assert all(0 < a < lane.length_m for a in along.values())


def test_odd_left_even_right_about_five_metres_off():
    spread = spread_along_lane(LANE, ["1", "2", "3", "4", "5/3", "12A"])
    lane = LanePath(LANE)
    for number, point in spread.items():
        odd = int(number.split("/")[0].rstrip("A")) % 2 == 1
        assert (_side(LANE, point) > 0) is odd, number
        assert lane.project(point)[1] == pytest.approx(5, abs=0.2)


def test_spread_on_a_bent_path_stays_near_it():
    path = [(21.59, 105.84), (21.5905, 105.84), (21.5905, 105.8406), (21.5911, 105.8408)]
    numbers = [str(n) for n in range(1, 41)]
    spread = spread_along_lane(path, numbers)
    lane = LanePath(path)
    assert all(lane.project(p)[1] < 5.5 for p in spread.values())
    first, last = spread["1"], spread["40"]
    assert haversine_m(first, path[0]) < haversine_m(last, path[0])


def test_a_whole_neighbourhood_is_placed_with_no_network():
    lanes = {f"ngõ {i}": [(21.59 + i / 2000, 105.84), (21.59 + i / 2000, 105.8415)]
             for i in range(1, 12)}
    fixes = {name: lane_fixes(path, [str(n) for n in range(1, 21)])
             for name, path in lanes.items()}
    assert sum(len(f) for f in fixes.values()) == 220
    assert all(f.source == "lane" and f.approximate for fs in fixes.values() for f in fs.values())


def test_spread_edge_cases():
    assert spread_along_lane(LANE, []) == {}
    single = spread_along_lane([(21.59, 105.84)], ["1", "2"])
    assert single == {"1": (21.59, 105.84), "2": (21.59, 105.84)}
    assert len(spread_along_lane(LANE, ["7", "7", "7"])) == 1
