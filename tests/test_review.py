"""Not yet reached: filters, attempts, slots, flags, and putting households into a shift."""
from __future__ import annotations

import itertools
import re
from datetime import datetime, time, timedelta, timezone

import pytest

from extensions import db
from models import AuditEntry, Household, ShiftHousehold, Walk, WalkStop
from models.campaign import current_campaign
from models.review import Filters, add_to_shift, not_reached, suggest_slot
from models.visit import VisitInput, record_visit, undo_visit
from models.walkplan import rebuild_walks
from models.rules import LOCAL_TZ, local_today
from tests import helpers

HOURS = {"sang": 8, "chieu": 15, "toi": 19}
_ids = itertools.count(1)


def knock(household, outcome, slot="sang", days_ago=3, **extra):
    """A visit at a local time in that slot, a few days ago."""
    day = local_today() - timedelta(days=days_ago)
    local = datetime.combine(day, time(HOURS[slot], 30), LOCAL_TZ)
    at = local.astimezone(timezone.utc).replace(tzinfo=None)
    data = VisitInput(client_id=f"t-{next(_ids)}", outcome=outcome, happened_at=at, **extra)
    visit, _ = record_visit(household.id, None, data, {}, recorded_at=at)
    db.session.commit()
    return visit


def houses(place):
    return db.session.scalars(db.select(Household).where(Household.neighbourhood_id == place.id)
                              .order_by(Household.id)).all()


def ticked(text) -> set[int]:
    """The households listed, by their checkboxes."""
    return {int(i) for i in re.findall(r'name="household" value="(\d+)"', text)}


def page(client, **query):
    return client.get("/review", query_string=query).get_data(as_text=True)


def test_the_list_holds_open_households_only(client, auth, world):
    a, b, c, *_ = houses(world.home)
    knock(a, "met")
    knock(b, "not_home")
    knock(c, "moved")
    auth.sign_in(world.leader)
    text = page(client)
    assert ticked(text) == {h.id for h in houses(world.home)} - {a.id, c.id}
    assert "4 hộ khớp bộ lọc" in text  # 6 houses, minus met and moved


def test_not_home_twice_evenings_never_tried(client, auth, world):
    a, b, c, d, *_ = houses(world.home)
    knock(a, "not_home", "sang", 5)
    knock(a, "not_home", "chieu", 3)
    knock(b, "not_home", "sang", 5)
    knock(b, "not_home", "toi", 3)      # tried in the evening: out
    knock(c, "not_home", "chieu", 3)    # only once: out
    auth.sign_in(world.leader)
    text = client.get("/review?not_home=2&never=toi").get_data(as_text=True)
    assert ticked(text) == {a.id}
    assert "Nên quay lại: Tối" in text


def test_the_slot_is_read_in_vietnam_time(app, world):
    """19:30 in Hà Nội is 12:30 UTC: an evening, not an afternoon."""
    a, *_ = houses(world.home)
    knock(a, "not_home", "toi", 2)
    rows, _ = not_reached(world.home.id, Filters(last_slot="toi"), 2026)
    assert [r.household.id for r in rows] == [a.id]
    rows, _ = not_reached(world.home.id, Filters(last_slot="chieu"), 2026)
    assert rows == []


def test_an_undone_visit_is_no_attempt(app, world):
    a, *_ = houses(world.home)
    visit = knock(a, "not_home", "sang", 0)
    visit.recorded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    undo_visit(visit, None, "undo-1")
    db.session.commit()
    rows, _ = not_reached(world.home.id, Filters(min_attempts=1), 2026)
    assert rows == []


def test_three_times_not_home_is_flagged_for_a_call(client, auth, world):
    a, *_ = houses(world.home)
    for days_ago, slot in ((7, "sang"), (5, "chieu"), (3, "toi")):
        knock(a, "not_home", slot, days_ago)
    auth.sign_in(world.leader)
    assert "Vắng 3 lần: gọi điện hoặc nhờ hàng xóm" in page(client)


def test_suggested_slot_follows_who_was_home():
    assert suggest_slot({"toi": 1}, {"sang": 2}) == "toi"
    assert suggest_slot({"sang": 1}, {"toi": 1, "chieu": 1}) == "sang"
    assert suggest_slot({}, {"sang": 2, "chieu": 1}) == "toi"       # untried beats failed
    assert suggest_slot({}, {}, appointment_slot="chieu") == "chieu"  # the appointment wins


def test_filter_by_lane_and_count_per_lane(client, auth, world):
    lane = world.home.lanes[1]
    auth.sign_in(world.leader)
    text = page(client, lane=lane.id)
    assert ticked(text) == {h.id for h in houses(world.home) if h.lane_id == lane.id}
    assert re.search(r"Ngõ 20, Đường Thử</td><td class=\"num\">3<", text)


def test_filter_by_a_service_still_missing(client, auth, world):
    a, b, *_ = houses(world.home)
    services = {s.code: s for s in current_campaign(world.home.id).services}
    vneid = services["vneid"]
    head, child = a.residents
    data = VisitInput(client_id="vneid-a", outcome="not_home",
                      services=[(vneid.id, head.id, "activated"), (vneid.id, child.id, "in_use")])
    record_visit(a.id, None, data, {vneid.id: vneid})
    db.session.commit()
    rows, _ = not_reached(world.home.id, Filters(missing="vneid"), 2026)
    ids = {r.household.id for r in rows}
    assert a.id not in ids and b.id in ids


def test_chosen_households_go_into_the_walk_of_whoever_has_their_lane(client, auth, world):
    lane_a, lane_b = world.home.lanes
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=2), "toi",
                              give={world.volunteer: [lane_a]})
    db.session.commit()
    target = houses(world.home)[3]  # in lane B, which nobody has
    auth.sign_in(world.leader)
    response = client.post("/review/add", data={"csrf_token": auth.csrf(), "shift": shift.id,
                                                "household": [target.id],
                                                "volunteer": world.volunteer2.id})
    assert response.status_code == 303
    db.session.expire_all()
    walk = db.session.scalar(db.select(Walk).where(Walk.shift_id == shift.id,
                                                   Walk.volunteer_id == world.volunteer2.id))
    assert [s.household_id for s in walk.stops] == [target.id]
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert target.address in text
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "review_add_to_shift"))
    assert entry.user_id == world.leader.id and entry.detail["households"] == 1


def test_hand_added_households_survive_a_rebuild(app, world):
    lane_a, lane_b = world.home.lanes
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=2), "toi",
                              give={world.volunteer: [lane_a]})
    target = houses(world.home)[4]
    add_to_shift(shift, [target.id], world.volunteer.id, world.leader.id)
    db.session.commit()
    rebuild_walks(shift)
    db.session.commit()
    stops = db.session.scalars(db.select(WalkStop.household_id).join(Walk)
                               .where(Walk.shift_id == shift.id)).all()
    assert target.id in stops and len(stops) == 4  # lane A's three and the added one


def test_whole_lanes_are_added_with_the_current_filters(client, auth, world):
    lane_a, lane_b = world.home.lanes
    in_b = [h for h in houses(world.home) if h.lane_id == lane_b.id]
    knock(in_b[0], "not_home")
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1), "chieu")
    db.session.commit()
    auth.sign_in(world.leader)
    client.post("/review/add?not_home=1", data={"csrf_token": auth.csrf(), "shift": shift.id,
                                                "lane": [lane_b.id],
                                                "volunteer": world.volunteer.id})
    rows = db.session.scalars(db.select(ShiftHousehold.household_id)
                              .where(ShiftHousehold.shift_id == shift.id)).all()
    assert rows == [in_b[0].id]


def test_an_appointment_goes_into_the_first_shift_in_its_slot_and_stays(app, world):
    lane_a, _ = world.home.lanes
    a = houses(world.home)[0]
    day = local_today() + timedelta(days=2)
    early = helpers.gen_shift(world.home, day - timedelta(days=1), "toi",
                              give={world.volunteer: [lane_a]})
    wrong_slot = helpers.gen_shift(world.home, day, "sang", give={world.volunteer: [lane_a]})
    right = helpers.gen_shift(world.home, day + timedelta(days=1), "toi",
                              give={world.volunteer2: [lane_a]})
    knock(a, "come_back", "chieu", 1, come_back_day=day, come_back_slot="toi")
    rebuild_walks(early)
    db.session.commit()
    placed = db.session.scalars(db.select(ShiftHousehold).where(
        ShiftHousehold.household_id == a.id)).all()
    assert [(p.shift_id, p.reason) for p in placed] == [(right.id, "appointment")]
    # A later shift in the same slot does not take it away.
    later = helpers.gen_shift(world.home, day, "toi", give={world.volunteer: [lane_a]})
    rebuild_walks(later)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(ShiftHousehold.id)).where(
        ShiftHousehold.household_id == a.id)) == 1
    assert wrong_slot.id != right.id


def test_bad_input_changes_nothing(client, auth, world):
    past = helpers.gen_shift(world.home, local_today() - timedelta(days=1), "toi")
    theirs = helpers.gen_shift(world.other, local_today() + timedelta(days=1), "toi")
    db.session.commit()
    target = houses(world.home)[0]
    stranger = houses(world.other)[0]
    auth.sign_in(world.leader)
    for form in ({"shift": past.id, "household": [target.id]},
                 {"shift": theirs.id, "household": [target.id]},
                 {"shift": "", "household": [target.id]}):
        response = client.post("/review/add", data={"csrf_token": auth.csrf(), **form})
        assert response.status_code == 303
        assert "buổi sắp tới" in client.get(response.headers["Location"]).get_data(as_text=True)
    coming = helpers.gen_shift(world.home, local_today() + timedelta(days=1), "toi")
    db.session.commit()
    client.post("/review/add", data={"csrf_token": auth.csrf(), "shift": coming.id,
                                     "household": [stranger.id]})
    assert db.session.scalar(db.select(db.func.count(ShiftHousehold.id))) == 0


def test_the_list_alone_answers_an_htmx_request(client, auth, world):
    auth.sign_in(world.leader)
    response = client.get("/review", headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in text and 'name="household"' in text


def test_the_same_set_on_the_map_with_local_assets(client, auth, world):
    a, b, *_ = houses(world.home)
    knock(a, "not_home")
    auth.sign_in(world.leader)
    assert "/review/map?not_home=1" in page(client, not_home=1)
    text = client.get("/review/map?not_home=1").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in text and "cdn" not in text.lower()
    assert "1 hộ khớp bộ lọc" in text and a.address in text and b.address not in text


@pytest.mark.parametrize("who", ["volunteer", "officer"])
def test_others_cannot_open_the_review(client, auth, world, who):
    auth.sign_in(getattr(world, who))
    assert client.get("/review").status_code == 403


def test_a_leader_cannot_review_another_neighbourhood(client, auth, world):
    auth.sign_in(world.leader)
    assert client.get(f"/review?neighbourhood={world.other.id}").status_code == 404
    shift = helpers.gen_shift(world.other, local_today() + timedelta(days=1), "toi")
    db.session.commit()
    assert client.get(f"/review/shifts/{shift.id}").status_code == 404
