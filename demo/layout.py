"""The demo neighbourhood's streets, lanes, houses and people (pure, no database)."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

ORIGIN = (21.5530, 105.8620)  # south of Thái Nguyên city
M_PER_DEG_LAT = 110_600.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(ORIGIN[0]))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương",
          "Lý", "Hà", "Đào", "Lương", "Ma", "Triệu", "Nông"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Hữu", "Quang", "Xuân", "Công", "Thành"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Khánh", "Long", "Nam",
           "Phong", "Quân", "Sơn", "Thắng", "Toàn", "Tuấn", "Việt", "Vinh"]
GIVEN_F = ["Anh", "Chi", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương", "Quế",
           "Thảo", "Trang", "Tuyết", "Vân", "Yến", "Hằng", "Nhung"]

# (street, lane name, parent lane name or None, mouth (east m, north m), bearing deg, length m,
#  houses) — bearing 0 = north, 90 = east.
LANES = [
    ("Đường Lương Ngọc Quyến", "Ngõ 12", None, (-320, 0), 0, 150, 22),
    ("Đường Lương Ngọc Quyến", "Ngõ 48", None, (-200, 0), 0, 130, 20),
    ("Đường Lương Ngọc Quyến", "Ngõ 86", None, (-80, 0), 5, 140, 24),
    ("Đường Lương Ngọc Quyến", "Ngõ 120", None, (40, 0), 0, 120, 22),
    ("Đường Lương Ngọc Quyến", "Ngõ 55", None, (-260, 0), 180, 110, 16),
    ("Đường Lương Ngọc Quyến", "Ngõ 97", None, (-120, 0), 180, 100, 14),
    ("Đường Lương Ngọc Quyến", "Ngách 12/9", "Ngõ 12", (-320, 70), 270, 70, 12),
    ("Đường Lương Ngọc Quyến", "Ngách 48/15", "Ngõ 48", (-200, 90), 90, 60, 10),
    ("Phố Phan Đình Phùng", "Ngõ 7", None, (120, -60), 90, 110, 22),
    ("Phố Phan Đình Phùng", "Ngõ 31", None, (120, -160), 90, 120, 20),
    ("Phố Phan Đình Phùng", "Ngõ 44", None, (120, -110), 270, 90, 14),
    ("Phố Phan Đình Phùng", "Ngách 31/6", "Ngõ 31", (180, -160), 180, 60, 10),
    ("Phố Phan Đình Phùng", "Ngõ 62", None, (120, -240), 270, 80, 14),
]
MEETING_POINT = ("Nhà văn hoá tổ 6", (-20, 25))


def to_latlon(east_m: float, north_m: float) -> tuple[float, float]:
    return (round(ORIGIN[0] + north_m / M_PER_DEG_LAT, 7),
            round(ORIGIN[1] + east_m / M_PER_DEG_LON, 7))


@dataclass
class DemoHouse:
    lane: str
    number: str
    latlon: tuple[float, float]
    head: str
    residents: list[tuple[str, int]] = field(default_factory=list)  # (label, birth year)
    phone: str | None = None


def lane_path(mouth, bearing, length):
    """A slightly bent path of five points from the mouth."""
    points, (east, north) = [], mouth
    for k in range(5):
        wobble = math.radians(bearing + (6 if k % 2 else -4))
        step = length / 4 if k else 0
        east, north = east + step * math.sin(wobble), north + step * math.cos(wobble)
        points.append((east, north))
    return points


def _along(path, distance):
    for (x1, y1), (x2, y2) in zip(path, path[1:]):
        seg = math.hypot(x2 - x1, y2 - y1)
        if distance <= seg or (x2, y2) == path[-1]:
            t = min(distance / seg, 1.0) if seg else 0
            return (x1 + t * (x2 - x1), y1 + t * (y2 - y1)), (x2 - x1, y2 - y1)
        distance -= seg
    return path[-1], (1, 0)


def _person(rng: random.Random, male: bool) -> str:
    if male:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _residents(rng: random.Random, year: int) -> list[tuple[str, int]]:
    head_year = rng.randint(1948, 1995)
    people = [("chủ hộ", head_year)]
    if rng.random() < 0.8:
        people.append(("vợ/chồng", head_year + rng.randint(-4, 6)))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        people.append(("con", min(year - 1, head_year + rng.randint(20, 34))))
    if rng.random() < 0.15:
        people.append(("bố/mẹ", head_year - rng.randint(22, 30)))
    return people


def houses(year: int, seed: int = 6) -> list[DemoHouse]:
    """About 220 households with ~700 residents along the lanes, odd and even sides."""
    rng = random.Random(seed)
    result = []
    for street, name, _parent, mouth, bearing, length, count in LANES:
        path = lane_path(mouth, bearing, length)
        for k in range(count):
            number = k + 1
            (x, y), (dx, dy) = _along(path, 8 + (length - 12) * (k // 2) / max(1, count // 2))
            norm = math.hypot(dx, dy) or 1
            side = 6 if number % 2 else -6
            east, north = x - dy / norm * side, y + dx / norm * side
            head = _person(rng, rng.random() < 0.6)
            phone = f"09{rng.randint(10000000, 99999999)}" if rng.random() < 0.7 else None
            result.append(DemoHouse(name, str(number), to_latlon(east, north), head,
                                    _residents(rng, year), phone))
    # Names the search is shown with.
    result[3].head, result[40].head = "Đặng Văn Đức", "Lê Thị Quế"
    return result


def lanes() -> list[dict]:
    """Lane rows with their drawn paths in lat/lon."""
    return [{"street": street, "name": name, "parent": parent,
             "path": [to_latlon(*p) for p in lane_path(mouth, bearing, length)]}
            for street, name, parent, mouth, bearing, length, _ in LANES]


VOLUNTEERS = [("Hoàng Thị Mai", "0912000001"), ("Nguyễn Văn Nam", "0912000002"),
              ("Trần Thu Hà", "0912000003"), ("Lê Đức Long", "0912000004"),
              ("Phạm Ngọc Anh", "0912000005"), ("Vũ Minh Tuấn", "0912000006"),
              ("Đỗ Thị Lan", "0912000007")]
