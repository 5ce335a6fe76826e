"""The volunteer's walk on a phone, through the Flask client: cards, visits, undo, access."""
from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from extensions import db
from models import AuditEntry, Household, Service, ServiceState, Visit, Walk
from models.base import utcnow
from models.rules import local_today
from tests import helpers

HX = {"HX-Request": "true"}


def _walk(user) -> Walk:
    return db.session.scalar(db.select(Walk).where(Walk.volunteer_id == user.id))


def _token(client) -> str:
    page = client.get("/walk").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def _post(client, household, headers=HX, **fields):
    fields.setdefault("client_id", str(uuid.uuid4()))
    fields.setdefault("outcome", "met")
    return client.post(f"/walk/stops/{household.id}/visits", data=fields,
                       headers={**headers, "X-CSRFToken": _token(client)})


def _service(code: str) -> Service:
    return db.session.scalar(db.select(Service).where(Service.code == code))


def _visits() -> int:
    return db.session.scalar(db.select(db.func.count(Visit.id)))


def test_the_walk_shows_each_stop_in_order_with_people_and_what_is_missing(client, auth, day):
    auth.sign_in(day.volunteer)
    page = client.get("/walk").get_data(as_text=True)
    positions = [page.index(f'id="stop-{h.id}"') for h in day.mine]
    assert positions == sorted(positions)
    numbers = re.findall(r'<span class="stop-no">(\d+)</span>', page)
    assert numbers == [str(k) for k in range(1, len(day.mine) + 1)]
    last = day.mine[-1]  # a card swapped in after a save keeps its number on the walk
    card = _post(client, last).get_data(as_text=True)
    assert f'<span class="stop-no">{len(day.mine)}</span>' in card
    assert "Ngõ 10" in page and "chủ hộ (1970)" in page and "con (2000)" in page
    assert "Còn thiếu" in page and "Đã gõ cửa 0/3 nhà" in page
    assert f'id="stop-{day.theirs[0].id}"' not in page  # someone else's lane


def test_the_walk_speaks_the_volunteers_language_and_switches_back(client, auth, day):
    auth.sign_in(day.volunteer)
    token = _token(client)

    def walk_in(lang: str) -> str:
        client.post("/language", data={"lang": lang, "csrf_token": token})
        return client.get("/walk").get_data(as_text=True)

    english = walk_in("en")
    assert "Visited 0/3 doors" in english and "Next door" in english
    assert ">Save</button>" in english and "Morning</option>" in english  # a translated label
    assert "Đã gõ cửa" not in english and "Sáng</option>" not in english
    vietnamese = walk_in("vi")
    assert "Đã gõ cửa 0/3 nhà" in vietnamese and ">Lưu</button>" in vietnamese
    assert "Sáng</option>" in vietnamese and "Morning" not in vietnamese


def test_a_child_is_not_asked_for_adult_services(client, auth, day):
    household = day.mine[0]
    household.residents[1].birth_year = local_today().year - 10
    db.session.commit()
    auth.sign_in(day.volunteer)
    page = client.get(f"/walk/stops/{household.id}", headers=HX).get_data(as_text=True)
    child = household.residents[1].id
    assert f'name="s-{_service("payment").id}-{child}"' not in page
    assert f'name="s-{_service("payment").id}-{household.residents[0].id}"' in page


def test_saving_a_visit_swaps_the_card_and_the_progress_out_of_band(client, auth, day):
    auth.sign_in(day.volunteer)
    household, resident = day.mine[0], day.mine[0].residents[0]
    vneid, broadband = _service("vneid"), _service("broadband")
    response = _post(client, household, note="Cài VNeID cho bác",
                     **{f"s-{vneid.id}-{resident.id}": "activated", f"s-{broadband.id}": "yes"})
    assert response.status_code == 201
    text = response.get_data(as_text=True)
    assert "<html" not in text and f'id="stop-{household.id}"' in text
    assert 'hx-swap-oob="true"' in text and "Đã gõ cửa 1/3 nhà" in text
    assert "Đã gặp" in text and "Cài VNeID cho bác" in text
    db.session.expire_all()
    assert db.session.get(Household, household.id).status == "reached"
    states = {(s.service_id, s.resident_id): s.state for s in db.session.scalars(
        db.select(ServiceState).where(ServiceState.household_id == household.id))}
    assert states == {(vneid.id, resident.id): "activated", (broadband.id, None): "yes"}


def test_without_htmx_a_save_redirects_back_to_the_walk(client, auth, day):
    auth.sign_in(day.volunteer)
    response = _post(client, day.mine[1], headers={}, outcome="not_home")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/walk#stop-{day.mine[1].id}")


def test_the_offline_queue_may_send_json(client, auth, day):
    auth.sign_in(day.volunteer)
    response = client.post(f"/walk/stops/{day.mine[0].id}/visits",
                           json={"client_id": str(uuid.uuid4()), "outcome": "vacant"},
                           headers={"X-CSRFToken": _token(client)})
    assert response.status_code == 201 and response.get_json()["ok"] is True
    assert db.session.get(Household, day.mine[0].id).status == "vacant"


def test_a_visit_sent_twice_is_stored_once(client, auth, day):
    auth.sign_in(day.volunteer)
    client_id = str(uuid.uuid4())
    first = _post(client, day.mine[0], client_id=client_id, outcome="declined")
    again = _post(client, day.mine[0], client_id=client_id, outcome="declined")
    assert (first.status_code, again.status_code) == (201, 200)
    assert _visits() == 1


def test_a_visit_sent_by_four_requests_at_once_is_stored_once(app, auth, day):
    clients = [app.test_client() for _ in range(4)]
    for c in clients:
        type(auth)(c).sign_in(day.volunteer)
    tokens = [_token(c) for c in clients]
    client_id, household_id = str(uuid.uuid4()), day.mine[0].id
    db.session.commit()  # SQLite: this thread must not hold the write lock meanwhile

    def send(pair):
        c, token = pair
        with app.app_context():
            return c.post(f"/walk/stops/{household_id}/visits", headers={**HX, "X-CSRFToken": token},
                          data={"client_id": client_id, "outcome": "met"}).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(send, zip(clients, tokens)))
    assert codes == [200, 200, 200, 201]
    assert _visits() == 1


def test_the_phone_clock_is_trusted_only_when_plausible(client, auth, day):
    auth.sign_in(day.volunteer)
    earlier = (utcnow() - timedelta(minutes=40)).replace(microsecond=0)
    _post(client, day.mine[0], happened_at=earlier.isoformat() + "Z")
    _post(client, day.mine[1], happened_at="2099-01-01T00:00:00Z")
    times = {v.household_id: v.happened_at for v in db.session.scalars(db.select(Visit))}
    assert times[day.mine[0].id] == earlier
    assert abs(times[day.mine[1].id] - utcnow()) < timedelta(minutes=1)


@pytest.mark.parametrize("fields, message", [
    ({"outcome": ""}, "Hãy chọn kết quả"),
    ({"outcome": "come_back"}, "cần chọn ngày"),
    ({"outcome": "come_back", "come_back_day": "2030-01-02"}, "cần chọn buổi"),
    ({"outcome": "come_back", "come_back_day": "2030-01-02", "come_back_slot": "dem"},
     "Buổi hẹn không hợp lệ"),
    ({"outcome": "flew_away"}, "không hợp lệ"),
    ({"outcome": "not_home", "s-1": "yes"}, "Chỉ ghi dịch vụ khi đã gặp"),
    ({"outcome": "not_home", "consent": "yes"}, "Chỉ ghi nhận đồng ý khi đã gặp"),
    ({"client_id": "x"}, "Thiếu mã lượt"),
])
def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(client, auth, day, fields, message):
    auth.sign_in(day.volunteer)
    response = _post(client, day.mine[0], **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _visits() == 0 and db.session.get(Household, day.mine[0].id).status == "not_visited"


@pytest.mark.parametrize("fields, message", [
    ({"outcome": ""}, "Choose the outcome of the visit"),
    ({"outcome": "come_back"}, "Come back later: choose a day"),
    ({"outcome": "come_back", "come_back_day": "2030-01-02"}, "Come back later: choose the slot"),
    ({"outcome": "not_home", "s-1": "yes"}, "Services are recorded only when the household was met"),
    ({"client_id": "x"}, "The visit id is missing"),
])
def test_an_english_volunteer_is_refused_in_english(client, auth, day, fields, message):
    auth.sign_in(day.volunteer)
    client.post("/language", data={"lang": "en", "csrf_token": _token(client)})
    response = _post(client, day.mine[0], **fields)  # htmx, from the card
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    queued = client.post(f"/walk/stops/{day.mine[0].id}/visits",  # the offline queue's JSON
                         json={"client_id": str(uuid.uuid4()), "outcome": "met", **fields},
                         headers={"X-CSRFToken": _token(client)})
    assert queued.status_code == 400 and message in queued.get_json()["error"]
    assert _visits() == 0


def test_consent_given_at_the_door_is_recorded_once_and_the_box_goes_away(client, auth, day):
    door = day.mine[0]
    assert door.consent_at is None
    auth.sign_in(day.volunteer)
    card = client.get(f"/walk/stops/{door.id}", headers=HX).get_data(as_text=True)
    assert 'name="consent"' in card
    assert _post(client, door, outcome="not_home").status_code == 201  # no box ticked
    db.session.expire_all()
    assert db.session.get(Household, door.id).consent_at is None
    answer = _post(client, door, outcome="met", consent="yes")
    assert answer.status_code == 201 and 'name="consent"' not in answer.get_data(as_text=True)
    db.session.expire_all()
    given = db.session.get(Household, door.id).consent_at
    assert given is not None
    assert _post(client, door, outcome="met", consent="yes",
                 happened_at=(utcnow() + timedelta(minutes=1)).isoformat()).status_code == 201
    db.session.expire_all()
    assert db.session.get(Household, door.id).consent_at == given  # kept as first given
    told = db.session.scalars(db.select(AuditEntry.detail).where(
        AuditEntry.action == "visit_recorded").order_by(AuditEntry.id)).all()
    assert [d["consent"] for d in told] == [False, True, True]


def test_come_back_keeps_the_day_and_slot(client, auth, day):
    auth.sign_in(day.volunteer)
    when = local_today() + timedelta(days=2)
    text = _post(client, day.mine[0], outcome="come_back", come_back_day=when.isoformat(),
                 come_back_slot="toi").get_data(as_text=True)
    assert when.strftime("%d/%m/%Y") in text and "Tối" in text


def test_a_volunteer_cannot_post_a_visit_outside_their_walk(client, auth, day):
    outsider = helpers.gen_household(day.other, None, "99")
    db.session.commit()
    auth.sign_in(day.volunteer)
    for household in (day.theirs[0], outsider):
        assert _post(client, household).status_code == 404
    assert _visits() == 0
    refused = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "access_refused")).all()
    assert {e.object_id for e in refused} >= {day.theirs[0].id, outsider.id}


def test_a_volunteer_cannot_open_another_volunteers_walk(client, auth, day):
    auth.sign_in(day.volunteer)
    assert client.get(f"/walk/{_walk(day.volunteer).id}").status_code == 200
    assert client.get(f"/walk/{_walk(day.volunteer2).id}").status_code == 404
    assert client.get(f"/walk/{_walk(day.volunteer2).id}/map").status_code == 404
    assert client.get(f"/walk/stops/{day.theirs[0].id}").status_code == 404


def test_a_leader_does_not_record_visits_on_the_walk(client, auth, day):
    auth.sign_in(day.leader)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    response = client.post(f"/walk/stops/{day.mine[0].id}/visits", headers={"X-CSRFToken": token},
                           data={"client_id": str(uuid.uuid4()), "outcome": "met"})
    assert response.status_code == 403 and _visits() == 0


def test_a_wrong_tap_is_undone_by_a_new_record(client, auth, day):
    auth.sign_in(day.volunteer)
    text = _post(client, day.mine[0], outcome="moved").get_data(as_text=True)
    undo_url = re.search(r'hx-post="(/walk/visits/\d+/undo)"', text).group(1)
    response = client.post(undo_url, headers={**HX, "X-CSRFToken": _token(client)})
    assert response.status_code == 200 and "Đã gõ cửa 0/3 nhà" in response.get_data(as_text=True)
    assert db.session.get(Household, day.mine[0].id).status == "not_visited"
    assert [v.outcome for v in db.session.scalars(db.select(Visit).order_by(Visit.id))] == \
        ["moved", "undo"]


def test_undo_is_refused_after_a_few_minutes(client, auth, day):
    auth.sign_in(day.volunteer)
    _post(client, day.mine[0], outcome="moved")
    visit = db.session.scalar(db.select(Visit))
    visit.recorded_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    response = client.post(f"/walk/visits/{visit.id}/undo",
                           headers={**HX, "X-CSRFToken": _token(client)})
    assert response.status_code == 400 and "hoàn tác" in response.get_data(as_text=True)
    assert db.session.get(Household, day.mine[0].id).status == "moved"


def test_two_volunteers_at_one_door_both_kept_and_the_latest_counts(app, client, auth, day):
    # A door is on one walk of a shift: the second volunteer has it in the day's other shift.
    evening = "toi" if day.shift.slot != "toi" else "sang"
    helpers.gen_shift(day.home, day.shift.day, evening, give={day.volunteer2: [day.home.lanes[0]]})
    db.session.commit()
    door = day.mine[0]
    auth.sign_in(day.volunteer)
    later = utcnow().replace(microsecond=0)
    _post(client, door, outcome="met", happened_at=later.isoformat() + "Z")
    other = app.test_client()
    type(auth)(other).sign_in(day.volunteer2)
    earlier = later - timedelta(minutes=3)  # sent late, from a phone that was offline
    assert _post(other, door, outcome="not_home",
                 happened_at=earlier.isoformat() + "Z").status_code == 201
    visits = db.session.scalars(db.select(Visit).order_by(Visit.happened_at)).all()
    assert [(v.user_id, v.outcome) for v in visits] == [(day.volunteer2.id, "not_home"),
                                                        (day.volunteer.id, "met")]
    assert db.session.get(Household, door.id).status == "reached"


def test_every_visit_is_audited_without_personal_data(client, auth, day):
    auth.sign_in(day.volunteer)
    _post(client, day.mine[0], note="SĐT 0987654321 con gái")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "visit_recorded"))
    assert entry.object_id == day.mine[0].id and entry.user_id == day.volunteer.id
    assert "0987654321" not in str(entry.detail) and "note" not in entry.detail


def test_pinning_the_house_keeps_the_better_position(client, auth, day):
    rough, exact = day.mine[0], day.mine[1]
    rough.position_source, rough.position_approximate = "lane", True
    db.session.commit()
    auth.sign_in(day.volunteer)
    headers = {**HX, "X-CSRFToken": _token(client)}
    where = {"lat": "21.5541", "lon": "105.8625", "accuracy": "8", "confirm": "1"}
    text = client.post(f"/walk/stops/{rough.id}/position", data=where,
                       headers=headers).get_data(as_text=True)
    assert "Đã ghim vị trí nhà (±8 m)" in text
    db.session.expire_all()
    assert (rough.lat, rough.position_source, rough.position_accuracy_m) == (21.5541, "door", 8)
    text = client.post(f"/walk/stops/{exact.id}/position", data=where,
                       headers=headers).get_data(as_text=True)
    assert "giữ nguyên" in text and exact.position_source == "import"
    vague = client.post(f"/walk/stops/{rough.id}/position", headers=headers,
                        data={**where, "accuracy": "900"})
    assert vague.status_code == 400 and "chưa đủ chính xác" in vague.get_data(as_text=True)


def test_each_stop_links_to_directions_in_the_phones_maps_app(client, auth, day):
    auth.sign_in(day.volunteer)
    page = client.get("/walk").get_data(as_text=True)
    h = day.mine[0]
    assert f'href="geo:{h.lat},{h.lon}?q={h.lat},{h.lon}"' in page


def test_stop_card_is_a_fragment_for_htmx_and_a_page_otherwise(client, auth, day):
    auth.sign_in(day.volunteer)
    fragment = client.get(f"/walk/stops/{day.mine[0].id}", headers=HX).get_data(as_text=True)
    page = client.get(f"/walk/stops/{day.mine[0].id}").get_data(as_text=True)
    assert "<html" not in fragment and f'id="stop-{day.mine[0].id}"' in fragment
    assert "<html" in page and f'id="stop-{day.mine[0].id}"' in page


def test_the_map_is_a_page_of_its_own_in_a_frame_or_whole(client, auth, day):
    auth.sign_in(day.volunteer)
    walk = _walk(day.volunteer)
    today = client.get("/walk").get_data(as_text=True)
    assert f'data-map-url="/walk/{walk.id}/map?frame=1"' in today
    framed = client.get(f"/walk/{walk.id}/map?frame=1").get_data(as_text=True)
    page = client.get(f"/walk/{walk.id}/map").get_data(as_text=True)
    assert "<html" in framed and "L.map(" in framed and "gc-stop" in framed
    assert "/static/vendor/leaflet/leaflet.js" in framed and 'class="bar"' not in framed
    assert "<html" in page and "/static/vendor/leaflet/leaflet.js" in page
    assert "cdn" not in page.lower() and "unpkg" not in page


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "application/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert b"/walk" in response.data


def test_a_visit_queued_by_another_volunteer_is_not_stored_under_mine(client, auth, day):
    """A shared phone: the queue holds the form as the first volunteer filled it, with `by`."""
    auth.sign_in(day.volunteer2)
    page = client.get("/walk").get_data(as_text=True)
    assert f'name="by" value="{day.volunteer2.id}"' in page
    door = day.theirs[0]
    before = _visits()
    response = _post(client, door, by=str(day.volunteer.id), note="Bà Tư dặn tối mới về")
    assert response.status_code == 409
    assert "do một thành viên khác ghi trên máy này" in response.get_data(as_text=True)
    assert _visits() == before
    assert _post(client, door, by=str(day.volunteer2.id)).status_code == 201
    assert _visits() == before + 1


def test_a_resident_is_added_and_corrected_at_the_door_audited(client, auth, day):
    from models import Resident
    door = day.mine[0]
    auth.sign_in(day.volunteer)
    form = client.get(f"/walk/stops/{door.id}/residents", headers=HX).get_data(as_text=True)
    assert form.count('class="person"') == 3  # two to correct, one to add
    added = client.post(f"/walk/stops/{door.id}/residents", headers={**HX, "X-CSRFToken": _token(client)},
                        data={"label": "con dâu", "birth_year": "1998"})
    assert added.status_code == 200 and "con dâu (1998)" in added.get_data(as_text=True)
    child = next(r for r in door.residents if r.label == "con")
    fixed = client.post(f"/walk/stops/{door.id}/residents/{child.id}",
                        headers={**HX, "X-CSRFToken": _token(client)},
                        data={"label": "con trai", "birth_year": "2001"})
    assert fixed.status_code == 200 and "con trai (2001)" in fixed.get_data(as_text=True)
    db.session.expire_all()
    assert sorted((r.label, r.birth_year) for r in db.session.scalars(
        db.select(Resident).where(Resident.household_id == door.id))) == [
        ("chủ hộ", 1970), ("con dâu", 1998), ("con trai", 2001)]
    told = db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.object_id == door.id, AuditEntry.action.like("resident_%"))).all()
    assert sorted(told) == ["resident_added", "resident_corrected"]


@pytest.mark.parametrize("fields, message", [
    ({"label": "", "birth_year": "1990"}, "Cần nhập quan hệ với chủ hộ"),
    ({"label": "vợ", "birth_year": "19x0"}, "Năm sinh không hợp lệ"),
    ({"label": "vợ", "birth_year": "2999"}, "Năm sinh không hợp lệ"),
])
def test_a_bad_resident_at_the_door_is_refused_and_changes_nothing(client, auth, day, fields,
                                                                    message):
    from models import Resident
    door = day.mine[0]
    before = sorted((r.label, r.birth_year) for r in door.residents)
    auth.sign_in(day.volunteer)
    token = {**HX, "X-CSRFToken": _token(client)}
    for url in (f"/walk/stops/{door.id}/residents",
                f"/walk/stops/{door.id}/residents/{door.residents[1].id}"):
        answer = client.post(url, headers=token, data=fields)
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    db.session.expire_all()
    assert sorted((r.label, r.birth_year) for r in db.session.scalars(
        db.select(Resident).where(Resident.household_id == door.id))) == before


def test_residents_of_a_door_outside_the_walk_are_not_touched(client, auth, day):
    other = day.theirs[0]
    auth.sign_in(day.volunteer)
    token = {**HX, "X-CSRFToken": _token(client)}
    assert client.get(f"/walk/stops/{other.id}/residents", headers=HX).status_code == 404
    assert client.post(f"/walk/stops/{other.id}/residents", headers=token,
                       data={"label": "vợ", "birth_year": "1990"}).status_code == 404
    assert client.post(f"/walk/stops/{other.id}/residents/{other.residents[0].id}",
                       headers=token, data={"label": "x", "birth_year": ""}).status_code == 404
    assert client.post(f"/walk/stops/{day.mine[0].id}/residents/{other.residents[0].id}",
                       headers=token, data={"label": "x", "birth_year": ""}).status_code == 400
