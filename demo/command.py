"""`flask demo`: load the demo neighbourhood, team, campaign, shifts and two weeks of visits.

The reference group: Tổ dân phố số 6 of phường Tân Thành, Thái Nguyên city, which the 2025
reform of local government merged into phường Tích Lương (two tiers since 1 July 2025: the
province, then the ward). The ward is Tích Lương; Tân Thành stays as its former name, for
search and on the pages. Its people, lanes and figures are made up.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta, timezone

import click
from flask import current_app
from flask.cli import with_appcontext

from demo import layout
from extensions import db
from models import (Availability, Campaign, Household, Lane, Neighbourhood, Resident, Shift,
                    User, Ward)
from models.base import utcnow
from models.campaign import give_ward_campaign
from models.user import hash_secret
from models.visit import VisitInput, record_visit
from models.review import place_appointments
from models.walkplan import assign, rebuild_walks
from models.rules import LOCAL_TZ, slot_of
from models.rules import local_today

PASSWORD, PIN = "gocua2026", "482916"
PROVINCE, WARD, FORMER_WARD = "Thái Nguyên", "Phường Tích Lương", "Phường Tân Thành"
ABOUT = ("Tổ dân phố số 6, phường Tân Thành, Thái Nguyên — từ năm 2025 thuộc phường Tích "
         "Lương (sáp nhập). Người, ngõ và số liệu là dữ liệu mẫu.")
SLOT_HOURS = {"sang": 8, "chieu": 15, "toi": 19}
OUTCOME_WEIGHTS = [("met", 56), ("not_home", 22), ("come_back", 7), ("declined", 5),
                   ("moved", 3), ("vacant", 3), ("not_found", 4)]
SIGN_INS = [("admin", "Quản trị"), ("canbophuong", "Cán bộ phường"),
            ("totruong", "Tổ trưởng tổ 6"), ("totruong7", "Tổ trưởng tổ 7")]


def _utc(day, slot: str, minute: int) -> datetime:
    local = datetime.combine(day, time(SLOT_HOURS[slot], 0), LOCAL_TZ) + timedelta(minutes=minute)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def make_place(name: str, ward: Ward, seed: int, shift_m: float, lane_rows: list[dict],
               houses: list[layout.DemoHouse]) -> Neighbourhood:
    lat, lon = layout.to_latlon(*layout.MEETING_POINT[1])
    place = Neighbourhood(ward=ward, name=name, meeting_point=layout.MEETING_POINT[0],
                          meeting_lat=lat, meeting_lon=lon + shift_m)
    db.session.add(place)
    lanes: dict[str, Lane] = {}
    for position, row in enumerate(lane_rows):
        lane = Lane(neighbourhood=place, name=row["name"], street=row["street"],
                    position=position, parent=lanes.get(row["parent"]),
                    path=[[p[0], p[1] + shift_m] for p in row["path"]])
        lanes[row["name"]] = lane
    db.session.add_all(lanes.values())
    db.session.flush()
    for k, house in enumerate(houses):
        if house.lane not in lanes:
            continue
        lane = lanes[house.lane]
        household = Household(neighbourhood_id=place.id, lane_id=lane.id, street=lane.street,
                               house_number=house.number, members=len(house.residents),
                               phone=house.phone, lat=house.latlon[0],
                               lon=house.latlon[1] + shift_m, position_source="import",
                               # a third have not yet agreed: the walk asks at their door
                               consent_at=utcnow() if k % 3 else None)
        household.set_head_name(house.head)
        household.residents = [Resident(label=label, birth_year=year)
                               for label, year in house.residents]
        db.session.add(household)
    db.session.flush()
    return place


def make_users(ward: Ward, home: Neighbourhood, other: Neighbourhood) -> list[User]:
    password, pin = hash_secret(PASSWORD), hash_secret(PIN)  # one hash each: argon2 is slow
    scopes = {"admin": ("admin", None), "canbophuong": ("ward_officer", None),
              "totruong": ("leader", home), "totruong7": ("leader", other)}
    for username, name in SIGN_INS:
        role, place = scopes[username]
        db.session.add(User(username=username, name=name, role=role, password_hash=password,
                            ward_id=ward.id, neighbourhood_id=place.id if place else None))
    rng = random.Random(16)
    volunteers = []
    for k, (name, phone) in enumerate(layout.VOLUNTEERS):
        user = User(name=name, phone=phone, role="volunteer", pin_hash=pin, ward_id=ward.id,
                    neighbourhood_id=home.id, capacity=rng.choice([20, 25, 30]))
        user.availability = [Availability(weekday=d, slot=s) for d in range(7)
                             for s in ("sang", "chieu", "toi") if rng.random() < 0.55 or k == 0]
        volunteers.append(user)
    db.session.add_all(volunteers)
    db.session.flush()
    return volunteers


def _services_for(rng: random.Random, household: Household, services: dict, year: int):
    chosen = []
    for service in services.values():
        if service.per == "household":
            chosen.append((service.id, None, "yes" if rng.random() < 0.85 else "no"))
            continue
        for resident in household.residents:
            if (resident.age_in(year) or 0) < 15:
                continue
            if service.code == "vneid":
                state = rng.choices(service.states, [5, 8, 40, 47])[0]
            else:
                state = "yes" if rng.random() < 0.8 else "no"
            chosen.append((service.id, resident.id, state))
    return chosen


def past_visits(place: Neighbourhood, campaign: Campaign, volunteers: list[User]) -> None:
    """Two weeks of outings with every outcome, some households not home twice in daytime."""
    rng, today = random.Random(60), local_today()
    services = {s.id: s for s in campaign.services}
    households = db.session.scalars(db.select(Household).where(
        Household.neighbourhood_id == place.id).order_by(Household.id)).all()
    plan = [(13, "sang"), (11, "chieu"), (9, "toi"), (6, "sang"), (4, "chieu"), (2, "sang")]
    pool = households[: int(len(households) * 0.8)]
    for days_ago, slot in plan:
        day = today - timedelta(days=days_ago)
        shift = Shift(neighbourhood_id=place.id, campaign_id=campaign.id, day=day, slot=slot,
                      meeting_point=place.meeting_point)
        db.session.add(shift)
        db.session.flush()
        batch = [h for h in rng.sample(pool, 45) if h.status in ("not_visited", "not_home",
                                                                  "appointment")]
        for minute, household in enumerate(batch):
            outcome = rng.choices(*zip(*OUTCOME_WEIGHTS))[0]
            if slot != "toi" and household.id % 9 == 0:
                outcome = "not_home"  # out at work in the daytime: try the evening
            data = VisitInput(client_id=str(uuid.UUID(int=rng.getrandbits(128))), outcome=outcome,
                              happened_at=_utc(day, slot, minute * 3))
            if outcome == "met":
                data.services = _services_for(rng, household, services, today.year)
            if outcome == "come_back":
                data.come_back_day, data.come_back_slot = today + timedelta(days=3), "toi"
            if outcome == "declined":
                data.note = "Gia đình chưa muốn, hẹn dịp khác"
            record_visit(household.id, rng.choice(volunteers).id, data, services,
                         shift_id=shift.id, recorded_at=data.happened_at)


def todays_shift(place: Neighbourhood, campaign: Campaign, volunteers: list[User]) -> Shift:
    """Today's shift in the current slot, most lanes already given, a few left for Suggest."""
    shift = Shift(neighbourhood_id=place.id, campaign_id=campaign.id, day=local_today(),
                  slot=slot_of(utcnow()), meeting_point=place.meeting_point,
                  meeting_lat=place.meeting_lat, meeting_lon=place.meeting_lon)
    db.session.add(shift)
    lanes = [lane for lane in place.lanes]
    for k, lane in enumerate(lanes[:10]):
        assign(shift, lane.id, volunteers[k % 5].id)
    db.session.flush()
    rebuild_walks(shift)
    return shift


def load_demo() -> None:
    year = local_today().year
    ward = Ward(name=WARD, province=PROVINCE, aliases=FORMER_WARD)
    db.session.add(ward)
    home = make_place("Tổ dân phố số 6", ward, 6, 0.0, layout.lanes(), layout.houses(year))
    other_lanes = layout.lanes()[:3]
    other = make_place("Tổ dân phố số 7", ward, 7, 0.006, other_lanes, layout.houses(year, 7))
    volunteers = make_users(ward, home, other)
    # The ward's campaign, set by its officer; each group runs its copy.
    ward_campaign = Campaign(ward_id=ward.id, name="Chuyển đổi số cộng đồng 2026",
                             starts_on=local_today() - timedelta(days=30))
    ward_campaign.add_default_services()
    db.session.add(ward_campaign)
    db.session.flush()
    for place in (home, other):
        campaign = give_ward_campaign(place)
        if place is home:
            past_visits(place, campaign, volunteers)
            todays_shift(place, campaign, volunteers)
            db.session.add(Shift(neighbourhood_id=place.id, campaign_id=campaign.id,
                                 day=local_today() + timedelta(days=3), slot="toi",
                                 meeting_point=place.meeting_point,
                                 meeting_lat=place.meeting_lat, meeting_lon=place.meeting_lon))
            db.session.flush()
            place_appointments(place.id)  # the come-backs agreed at the door, each in its shift
    db.session.commit()


def print_sign_ins() -> None:
    click.echo(ABOUT)
    click.echo("Đăng nhập thử (demo sign-ins):")
    for username, name in SIGN_INS:
        click.echo(f"  {name:<16} {username:<14} mật khẩu {PASSWORD}")
    name, phone = layout.VOLUNTEERS[0]
    click.echo(f"  Thành viên       {phone:<14} mã PIN {PIN}   ({name}; 0912000002…7 cũng vậy)")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only when the database has no ward yet.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo data (Tổ dân phố số 6, Thái Nguyên) and print the demo sign-ins."""
    if db.session.scalar(db.select(db.func.count(Ward.id))):
        if not if_empty:
            raise click.ClickException("Cơ sở dữ liệu đã có dữ liệu; demo chỉ nạp vào CSDL trống.")
    else:
        load_demo()
        click.echo(f"Đã nạp dữ liệu mẫu vào {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    print_sign_ins()
