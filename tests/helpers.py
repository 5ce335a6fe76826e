"""Factories for test data (like CTFd's gen_user): small worlds, not the whole demo."""
from __future__ import annotations

import itertools
import math
from datetime import date

from extensions import db
from models import (Campaign, Household, Lane, Neighbourhood, Resident, Shift, User, Ward)
from models.user import hash_secret
from models.walkplan import assign, rebuild_walks

PASSWORD, PIN = "test-pass-123", "4321"
_counter = itertools.count(1)
_hashes: dict[str, str] = {}


def _hash(secret: str) -> str:
    if secret not in _hashes:  # argon2 is slow on purpose: hash each secret once per run
        _hashes[secret] = hash_secret(secret)
    return _hashes[secret]


def gen_ward(name="Phường Thử") -> Ward:
    ward = Ward(name=name, province="Thái Nguyên")
    db.session.add(ward)
    db.session.flush()
    return ward


def gen_neighbourhood(ward: Ward, name="Tổ 1", lanes=2, houses=3) -> Neighbourhood:
    """A neighbourhood with drawn lanes, houses in each lane and a default campaign."""
    place = Neighbourhood(ward=ward, name=name, meeting_lat=21.553, meeting_lon=105.862)
    db.session.add(place)
    for k in range(lanes):
        lane = Lane(neighbourhood=place, name=f"Ngõ {10 * (k + 1)}", street="Đường Thử",
                    position=k, path=[[21.553 + 0.0002 * k, 105.862 + 0.0003 * k],
                                      [21.5545 + 0.0002 * k, 105.862 + 0.0003 * k]])
        db.session.add(lane)
        db.session.flush()
        for n in range(houses):
            gen_household(place, lane, str(n + 1))
    campaign = Campaign(neighbourhood_id=place.id, name="Đợt thử", starts_on=date(2026, 1, 1))
    campaign.add_default_services()
    db.session.add(campaign)
    db.session.flush()
    return place


def at_metres(place: Neighbourhood, x: float, y: float) -> list[float]:
    """[lat, lon] x metres east and y metres north of the place's meeting point."""
    lat0, lon0 = place.meeting_lat, place.meeting_lon
    return [lat0 + y / 111_195.0, lon0 + x / (111_195.0 * math.cos(math.radians(lat0)))]


def gen_lane(place: Neighbourhood, name: str, street: str, path_m: list, houses=4) -> Lane:
    """A drawn lane (path in metres from the meeting point) with houses spread along it."""
    lane = Lane(neighbourhood=place, name=name, street=street,
                path=[at_metres(place, x, y) for x, y in path_m])
    db.session.add(lane)
    db.session.flush()
    (x0, y0), (x1, y1) = path_m[0], path_m[-1]
    for n in range(houses):
        t = (n + 1) / (houses + 1)
        household = gen_household(place, lane, str(n + 1))
        household.lat, household.lon = at_metres(place, x0 + t * (x1 - x0) + 3, y0 + t * (y1 - y0))
    db.session.flush()
    return lane


def gen_household(place: Neighbourhood, lane: Lane | None, number: str,
                  head="Nguyễn Văn An", **fields) -> Household:
    household = Household(neighbourhood_id=place.id, lane_id=lane.id if lane else None,
                          street=lane.street if lane else "Đường Thử", house_number=number,
                          lat=21.553 + 0.0001 * int(next(_counter) % 50), lon=105.862,
                          position_source="import", **fields)
    household.set_head_name(head)
    household.residents = [Resident(label="chủ hộ", birth_year=1970),
                           Resident(label="con", birth_year=2000)]
    household.members = 2
    db.session.add(household)
    db.session.flush()
    return household


def gen_user(role: str, place: Neighbourhood | None = None, ward: Ward | None = None,
             **fields) -> User:
    n = next(_counter)
    user = User(name=fields.pop("name", f"Người dùng {n}"), role=role,
                neighbourhood_id=place.id if place else None,
                ward_id=(ward.id if ward else place.ward_id if place else None), **fields)
    if role == "volunteer":
        user.phone = user.phone or f"0987{n:06d}"
        user.pin_hash = _hash(PIN)
    else:
        user.username = user.username or f"user{n}"
        user.password_hash = _hash(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def gen_shift(place: Neighbourhood, day: date, slot="chieu", give: dict | None = None) -> Shift:
    """A shift; `give` maps volunteer -> lanes, and the walks are built."""
    campaign = db.session.scalar(db.select(Campaign).where(Campaign.neighbourhood_id == place.id))
    shift = Shift(neighbourhood_id=place.id, campaign_id=campaign.id if campaign else None,
                  day=day, slot=slot, meeting_lat=place.meeting_lat, meeting_lon=place.meeting_lon)
    db.session.add(shift)
    db.session.flush()
    for volunteer, lanes in (give or {}).items():
        for lane in lanes:
            assign(shift, lane.id, volunteer.id)
    db.session.flush()
    rebuild_walks(shift)
    return shift
