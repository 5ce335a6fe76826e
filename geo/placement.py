"""Where a household's position came from, how good it is, and which fix wins.

Sources, best first:

1. ``"import"``          coordinates given in the imported household file
2. ``"door"``            a volunteer's phone GPS at the door (with its accuracy in m)
3. ``"pin"``             the leader dragged the household's pin on the map
   ``"hand"``            the leader placed an unplaced household with a click on the map
4. ``"geocoder_house"``  the geocoder matched the house itself
5. ``"geocoder_street"`` the geocoder matched only the lane or street (approximate)
6. ``"lane"``            spread along the drawn lane by house number (approximate)

Replacement rules (``better_fix``), checked in this order:

a. anything replaces no fix;
b. a leader's own fix (a pin, or a placing by hand) always wins: it replaces any fix, and
   only another of the leader's replaces it (a person looked at the map and decided; no
   automated source, and no volunteer's phone, overrides that);
c. exact beats approximate, whatever the sources;
d. door against door: the more accurate reading wins (unknown accuracy counts as worst;
   on a tie the newer reading wins);
e. the same source again (a re-import, a fresh geocode, a re-spread lane) replaces itself;
f. otherwise the better-ranked source wins, so a door fix replaces geocoder and lane
   fixes but not imported coordinates.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from vietnamese import house_number_key, nfc

from .paths import LanePath

SOURCES = ("import", "door", "pin", "hand", "geocoder_house", "geocoder_street", "lane")
LEADER_SOURCES = frozenset({"pin", "hand"})
APPROXIMATE_SOURCES = frozenset({"geocoder_street", "lane"})
SIDE_OFFSET_M = 5.0  # odd and even houses face each other across a narrow lane

_RANK = {source: rank for rank, source in enumerate(SOURCES)}


@dataclass(frozen=True)
class Fix:
    """A household's position and where it came from.

    ``approximate`` defaults from the source: geocoder_street and lane fixes are
    approximate, the others exact.
    """

    lat: float
    lon: float
    source: str | None
    accuracy_m: float | None = None
    approximate: bool | None = None

    def __post_init__(self) -> None:
        if self.source is not None and self.source not in _RANK:
            raise ValueError(f"unknown position source: {self.source!r}")
        if self.approximate is None:
            object.__setattr__(self, "approximate", self.source in APPROXIMATE_SOURCES)


def _accuracy(fix: Fix) -> float:
    return math.inf if fix.accuracy_m is None else float(fix.accuracy_m)


def better_fix(current: Fix | None, new: Fix) -> bool:
    """True when `new` should replace `current` (see the module docstring for the order)."""
    if current is None or current.source is None:
        return new.source is not None
    if new.source is None:
        return False
    if new.source in LEADER_SOURCES or current.source in LEADER_SOURCES:
        return new.source in LEADER_SOURCES
    if current.approximate != new.approximate:
        return current.approximate
    if new.source == current.source == "door":
        return _accuracy(new) <= _accuracy(current)
    if new.source == current.source:
        return True
    return _RANK[new.source] < _RANK[current.source]


def _is_odd(house_number: str) -> bool | None:
    """Parity of the number's leading digits ("5/3" is odd, "12A" even); None if none."""
    match = re.match(r"\d+", nfc(house_number))
    return None if match is None else int(match.group()) % 2 == 1


def spread_along_lane(
    path: Sequence[Sequence[float]], house_numbers: Sequence[str]
) -> dict[str, tuple[float, float]]:
    """Approximate positions for houses along a lane path, with no network at all.

    Houses are ordered by number (2 < 10 < 10A < 12/3; no number goes last) and spread
    evenly from the mouth (first point) to the far end. As in Vietnamese street numbering,
    walking in from the mouth odd numbers stand on the left and even numbers on the right,
    ``SIDE_OFFSET_M`` off the path; houses without a number alternate sides.
    """
    lane = LanePath(path)
    ordered = sorted(dict.fromkeys(house_numbers), key=house_number_key)
    spread: dict[str, tuple[float, float]] = {}
    for index, number in enumerate(ordered):
        along = lane.length_m * (index + 0.5) / len(ordered)
        odd = _is_odd(number)
        left = odd if odd is not None else index % 2 == 0
        spread[number] = lane.point_at(along, SIDE_OFFSET_M if left else -SIDE_OFFSET_M)
    return spread


def lane_fixes(path: Sequence[Sequence[float]], house_numbers: Sequence[str]) -> dict[str, Fix]:
    """``spread_along_lane`` as approximate ``"lane"`` fixes, ready for ``better_fix``."""
    return {number: Fix(lat, lon, "lane")
            for number, (lat, lon) in spread_along_lane(path, house_numbers).items()}
