"""The security checklist, each item a test: cookies, CSRF, who may touch what, headers.

The authorisation matrix is built from `app.url_map`, so a new route is covered the day it
is registered: every route × role × another neighbourhood's (or another volunteer's)
objects must be refused (403/404), logged, leak no household name and write nothing.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from extensions import db
from models import (AuditEntry, AwayDate, Household, ImportDraft, Job, Lane, Shift, User, Visit,
                    Walk)
from models.campaign import current_campaign
from models.placing import JOB_KIND, PositionProposal
from models.visit import VisitInput, record_visit
from models.rules import local_today
from tests import helpers

PUBLIC = {"static", "auth.sign_in", "auth.sign_in_form", "auth.link", "auth.link_page",
          "auth.language", "auth.sign_out",
          "walk.service_worker"}
# Rows that a refused request may still write: the refusal itself, sessions and throttling.
BOOKKEEPING = {"audit_entry", "user_session", "sign_in_attempt"}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


# --- a world with something to steal in every neighbourhood -------------------------------

def _populate(place, volunteers: list[User], leader: User, secret: str) -> SimpleNamespace:
    """Today's shift with walks, a visit on each walk, a draft, a job, a date away."""
    for household in db.session.scalars(db.select(Household).where(
            Household.neighbourhood_id == place.id)):
        household.set_head_name(f"{secret} {household.id}")
    lanes = place.lanes
    shift = helpers.gen_shift(place, local_today(),
                              give={v: [lanes[k % len(lanes)]] for k, v in enumerate(volunteers)})
    found = SimpleNamespace(place=place, shift=shift, lane=lanes[0], walks={}, visits={},
                            households={}, secret=secret)
    for volunteer in volunteers:
        walk = db.session.scalar(db.select(Walk).where(Walk.volunteer_id == volunteer.id,
                                                       Walk.shift_id == shift.id))
        household = walk.stops[0].household
        visit, _created = record_visit(household.id, volunteer.id, VisitInput(
            client_id=str(uuid.uuid4()), outcome="not_home"), services={}, shift_id=shift.id)
        found.walks[volunteer.id], found.visits[volunteer.id] = walk, visit
        found.households[volunteer.id] = household
        volunteer.away_dates.append(AwayDate(day=local_today() + timedelta(days=3)))
    found.campaign = current_campaign(place.id)
    found.draft = ImportDraft(neighbourhood_id=place.id, user_id=leader.id, filename="x.csv",
                              data=b"x")
    found.job = Job(kind=JOB_KIND, neighbourhood_id=place.id, state="done")
    first = found.households[volunteers[0].id]
    found.proposal = PositionProposal(household_id=first.id, user_id=volunteers[0].id,
                                      lat=10.0, lon=106.0, distance_m=500.0, reason="far")
    db.session.add_all([found.draft, found.job, found.proposal])
    db.session.flush()
    return found


@pytest.fixture
def scene(world):
    """Home, the other neighbourhood of the ward and a far one, each with walks and visits."""
    world.other.name, world.far.name = "Tổ Hai Riêng", "Tổ Xa Riêng"
    world.other_volunteer = helpers.gen_user("volunteer", world.other)
    world.far_leader = helpers.gen_user("leader", world.far)
    world.far_volunteer = helpers.gen_user("volunteer", world.far)
    world.at_home = _populate(world.home, [world.volunteer, world.volunteer2], world.leader,
                              "Nhà Mình")
    world.at_other = _populate(world.other, [world.other_volunteer], world.other_leader,
                               "Bí Mật Tổ Hai")
    world.at_far = _populate(world.far, [world.far_volunteer], world.far_leader, "Bí Mật Tổ Xa")
    db.session.commit()
    return world


def _objects(found, volunteer: User) -> dict[str, int]:
    """URL argument -> an id of the neighbourhood `found`, owned by `volunteer`."""
    away = volunteer.away_dates[0]
    resident = found.households[volunteer.id].residents[0]
    return {"household_id": found.households[volunteer.id].id, "resident_id": resident.id,
            "shift_id": found.shift.id, "lane_id": found.lane.id, "user_id": volunteer.id,
            "walk_id": found.walks[volunteer.id].id, "visit_id": found.visits[volunteer.id].id,
            "draft_id": found.draft.id, "job_id": found.job.id, "away_id": away.id,
            "neighbourhood_id": found.place.id, "group_id": found.place.id,
            "ward_id": found.place.ward_id, "campaign_id": found.campaign.id,
            "service_id": found.campaign.services[0].id, "proposal_id": found.proposal.id}


MATE_OBJECTS = {"household_id", "resident_id", "user_id", "walk_id", "visit_id", "away_id"}


def _viewers(scene) -> list[tuple[str, User, dict, list[str]]]:
    """(label, who asks, ids they must not reach, names they must not see).

    For "volunteer×mate" only the second volunteer's own things are foreign; the shift and
    the lanes of their shared neighbourhood are the volunteer's too.
    """
    other = _objects(scene.at_other, scene.other_volunteer)
    far = _objects(scene.at_far, scene.far_volunteer)
    mate = {**_objects(scene.at_home, scene.volunteer),
            **{k: v for k, v in _objects(scene.at_home, scene.volunteer2).items()
               if k in MATE_OBJECTS}}
    hidden_other, hidden_far = [scene.at_other.secret], [scene.at_far.secret]
    mate_name = scene.at_home.households[scene.volunteer2.id].head_name
    return [("leader×other", scene.leader, other, hidden_other + hidden_far),
            ("leader×far", scene.leader, far, hidden_other + hidden_far),
            ("volunteer×other", scene.volunteer, other, hidden_other + hidden_far),
            ("volunteer×mate", scene.volunteer, mate, hidden_other + hidden_far + [mate_name]),
            ("officer×far", scene.officer, far, hidden_far)]


def rules(app, methods):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in PUBLIC and set(methods) & rule.methods:
            yield rule


def build(rule, ids: dict) -> str:
    values = {arg: ids.get(arg, "csv" if arg == "fmt" else 1) for arg in rule.arguments}
    missing = set(rule.arguments) - set(ids) - {"fmt"}
    assert not missing, f"{rule.rule}: the matrix has no foreign object for {missing}"
    return rule.build(values)[1]


def table_fingerprint() -> dict[str, str]:
    """Every table but the bookkeeping ones: a hash of all its rows (counts hide updates)."""
    db.session.expire_all()
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name in BOOKKEEPING:
            continue
        rows = db.session.execute(table.select().order_by(*table.primary_key.columns)).all()
        out[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    db.session.rollback()  # the SQLite read must not hold a lock the next request needs
    return out


def refusals() -> int:
    db.session.expire_all()
    count = db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "access_refused"))
    db.session.rollback()
    return count


def helpers_auth(client):
    """The conftest's Auth (sign in through the real form) for a client of our own."""
    from tests.conftest import Auth
    return Auth(client)


def csrf_token(client) -> str:
    page = client.get("/sign-in").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


# A POST that would change things if it were let through.
TEMPTING = {"name": "Kẻ Lạ", "phone": "0911222333", "pin": "1234", "house_number": "99",
            "head_name": "Kẻ Lạ", "street": "Phố Lạ", "note": "x", "members": "3",
            "lane_id": "", "version": "1", "confirm": "yes", "label": "con",
            "birth_year": "2001", "active": "0", "day": "2099-01-01", "slot": "sang",
            "capacity": "5", "can_come": "0", "volunteer_id": "", "direction": "up",
            "lat": "21.5", "lon": "105.8", "accuracy": "5", "outcome": "met",
            "client_id": "f" * 32, "shift": "", "household": ""}


# --- the matrix ---------------------------------------------------------------------------------

def test_every_route_refuses_another_neighbourhoods_or_volunteers_objects(app, scene):
    problems = []
    for label, user, ids, hidden in _viewers(scene):
        client = app.test_client()
        helpers_auth(client).sign_in(user)
        token = csrf_token(client)
        for rule in rules(app, ("GET",) + WRITES):
            if not set(rule.arguments) - {"fmt"}:
                continue  # routes without an object: the query-string test below
            if label.endswith("mate") and not MATE_OBJECTS & set(rule.arguments):
                continue
            url = build(rule, ids)
            for method in sorted(rule.methods & {"GET", *WRITES}):
                before, logged = table_fingerprint() if method != "GET" else None, refusals()
                data = {**TEMPTING, "csrf_token": token} if method != "GET" else None
                response = client.open(url, method=method, data=data)
                body = response.get_data(as_text=True)
                where = f"{label} {method} {url} -> {response.status_code}"
                sent_home = (response.status_code in (302, 303) and user.role == "volunteer"
                             and response.headers["Location"].endswith("/walk"))
                if response.status_code not in (403, 404) and not sent_home:
                    problems.append(f"{where}: not refused")
                elif not sent_home and refusals() != logged + 1:
                    problems.append(f"{where}: refused but not logged")
                if any(name in body for name in hidden):
                    problems.append(f"{where}: leaks a household name")
                if before is not None and table_fingerprint() != before:
                    problems.append(f"{where}: wrote something")
    assert not problems, "\n".join(problems)


def test_pages_without_an_object_ignore_or_refuse_another_neighbourhood_in_the_query(app, scene):
    """?neighbourhood= and ?ward= pick another place only for those who may read it."""
    problems = []
    for label, user, ids, hidden in _viewers(scene):
        client = app.test_client()
        helpers_auth(client).sign_in(user)
        place = db.session.get(type(scene.home), ids["neighbourhood_id"])
        query = f"?neighbourhood={place.id}&ward={place.ward_id}"
        for rule in rules(app, ("GET",)):
            if set(rule.arguments) - {"fmt"}:
                continue
            url = build(rule, ids) + query
            response = client.get(url)
            body = response.get_data(as_text=True)
            if any(name in body for name in hidden + [place.name]):
                problems.append(f"{label} GET {url} -> {response.status_code}: leaks")
    assert not problems, "\n".join(problems)


# --- state changes: GET, CSRF ----------------------------------------------------------------

def test_every_state_change_refuses_get(app, client, auth, scene):
    auth.sign_in(scene.leader)
    ids = _objects(scene.at_home, scene.volunteer)
    pages = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}
    for rule in rules(app, WRITES):
        if rule.rule in pages:  # the same address also shows a page (a form and its POST)
            continue
        response = client.get(build(rule, ids))
        assert response.status_code == 405, (rule.rule, response.status_code)
        assert "không được phép" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["leader", "volunteer"])
@pytest.mark.parametrize("token", ["missing", "wrong", "another session's"])
def test_every_state_change_refuses_a_missing_or_wrong_csrf_token_and_writes_nothing(
        app, client, auth, scene, who, token):
    user = scene.leader if who == "leader" else scene.volunteer
    ids = _objects(scene.at_home, scene.volunteer)
    stranger = app.test_client()
    helpers_auth(stranger).sign_in(scene.volunteer2)
    tokens = {"missing": None, "wrong": "IjEyMzQ1Njc4OTAi.Zm9vYmFy.YmFkc2lnbmF0dXJl",
              "another session's": csrf_token(stranger)}
    auth.sign_in(user)
    before = table_fingerprint()
    for rule in rules(app, WRITES):
        data = dict(TEMPTING)
        if tokens[token]:
            data["csrf_token"] = tokens[token]
        headers = {"X-CSRFToken": tokens[token]} if tokens[token] else {}
        response = client.post(build(rule, ids), data=data, headers=headers)
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "mã bảo vệ" in response.get_data(as_text=True)
    assert table_fingerprint() == before


# --- the session decides who, where and what role --------------------------------------------

def test_fields_the_session_decides_are_ignored_in_a_post(app, client, auth, scene):
    auth.sign_in(scene.leader)
    token = csrf_token(client)
    smuggled = {"neighbourhood_id": scene.other.id, "role": "admin", "user_id": scene.admin.id,
                "ward_id": scene.far.ward_id, "volunteer_id": scene.other_volunteer.id,
                "csrf_token": token}
    client.post("/team/", data={**smuggled, "name": "Thành Viên Mới", "phone": "0977000111",
                                "pin": "246813"})
    added = db.session.scalar(db.select(User).where(User.phone == "0977000111"))
    assert (added.role, added.neighbourhood_id, added.ward_id) == (
        "volunteer", scene.home.id, scene.home.ward_id)

    client.post("/households/", data={**smuggled, "house_number": "77", "head_name": "Hộ Mới",
                                      "street": "Phố Mới"})
    household = db.session.scalar(db.select(Household).where(Household.head_name == "Hộ Mới"))
    assert household.neighbourhood_id == scene.home.id

    day = (local_today() + timedelta(days=5)).isoformat()
    client.post("/shifts/", data={**smuggled, "day": day, "slot": "toi"})
    shift = db.session.scalar(db.select(Shift).where(Shift.slot == "toi"))
    assert shift.neighbourhood_id == scene.home.id

    auth.sign_out()
    auth.sign_in(scene.volunteer)
    token = csrf_token(client)
    household = scene.at_home.households[scene.volunteer.id]
    client.post(f"/walk/stops/{household.id}/visits",
                data={**smuggled, "csrf_token": token, "client_id": "c" * 32, "outcome": "met"})
    visit = db.session.scalar(db.select(Visit).where(Visit.client_id == "c" * 32))
    assert visit.user_id == scene.volunteer.id
    client.post(f"/availability/shifts/{scene.at_home.shift.id}",
                data={**smuggled, "csrf_token": token, "can_come": "0"})
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "shift_response"))
    assert entry.user_id == scene.volunteer.id
    db.session.refresh(scene.volunteer)
    assert (scene.volunteer.role, scene.volunteer.neighbourhood_id) == ("volunteer", scene.home.id)


def test_a_leader_cannot_give_a_lane_to_another_neighbourhoods_volunteer(app, client, auth,
                                                                         scene):
    auth.sign_in(scene.leader)
    before = table_fingerprint()
    response = client.post(f"/shifts/{scene.at_home.shift.id}/lanes/{scene.at_home.lane.id}",
                           data={"volunteer_id": scene.other_volunteer.id,
                                 "csrf_token": csrf_token(client)})
    assert response.status_code in (400, 403, 404)
    assert table_fingerprint() == before


# --- cookies and sessions ----------------------------------------------------------------------

def test_the_session_cookie_is_secure_when_served_over_https(app, client, auth, world,
                                                            monkeypatch, tmp_path):
    import config
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    assert config.load(tmp_path)["SESSION_COOKIE_SECURE"] is True
    app.config["SESSION_COOKIE_SECURE"] = True
    cookie = auth.sign_in(world.leader).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    monkeypatch.delenv("SESSION_COOKIE_SECURE")
    assert config.load(tmp_path)["SESSION_COOKIE_SECURE"] is False  # plain http on one machine


def test_the_session_cookie_carries_an_id_and_nothing_personal(app, client, auth, world):
    """The cookie is signed, not encrypted: anyone holding the phone can read it."""
    from flask.sessions import SecureCookieSessionInterface
    auth.sign_in(world.volunteer)
    value = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    content = SecureCookieSessionInterface().get_signing_serializer(app).loads(value)
    assert set(content) <= {"sid", "csrf_token", "locale", "_permanent", "_flashes"}
    assert world.volunteer.phone not in str(content) and world.volunteer.name not in str(content)


# --- headers --------------------------------------------------------------------------------

def _pages(scene) -> list[str]:
    home = scene.at_home
    household = home.households[scene.volunteer.id].id
    return ["/", "/households/", f"/households/{household}", "/households/map", "/review",
            "/review/map", f"/shifts/{home.shift.id}/board", f"/shifts/{home.shift.id}/live",
            f"/shifts/{home.shift.id}/walks/{scene.volunteer.id}", "/team/", "/audit/",
            "/dashboard", "/dashboard/export/households.csv"]


def test_headers_on_every_page_with_residents_data(client, auth, scene):
    auth.sign_in(scene.leader)
    for path in _pages(scene):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = dict(part.strip().split(" ", 1) for part in
                   response.headers["Content-Security-Policy"].split(";"))
        hosts = set(re.findall(r"https?://[^\s;]+", response.headers["Content-Security-Policy"]))
        assert hosts <= {"https://tile.openstreetmap.org"}, (path, hosts)
        assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'self'"
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp[
            "script-src"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # Same-origin Referers must reach Flask-WTF's HTTPS check
        assert response.headers["Referrer-Policy"] in ("same-origin",
                                                       "strict-origin-when-cross-origin")
        assert "no-store" in response.headers.get("Cache-Control", ""), path
    auth.sign_out()
    auth.sign_in(scene.volunteer)
    for path in ["/walk", f"/walk/stops/{scene.at_home.households[scene.volunteer.id].id}",
                 f"/walk/{scene.at_home.walks[scene.volunteer.id].id}/map"]:
        assert "no-store" in client.get(path).headers.get("Cache-Control", ""), path


def test_pages_name_no_third_party_host_but_the_tiles(client, auth, scene):
    auth.sign_in(scene.leader)
    for path in _pages(scene):
        body = client.get(path).get_data(as_text=True)
        for match in re.finditer(r'(?:src|href)\s*=\s*["\'](https?:)?//([^/"\']+)', body):
            assert False, f"{path} loads from {match.group(2)}"


def test_the_throttle_lives_in_the_database_not_in_a_worker(app, client, auth, world):
    """A second app on the same database is a second gunicorn worker: it sees the failures."""
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"]):
        auth.sign_in(world.volunteer, secret="0000")
    kept = db.session.scalar(text("SELECT count(*) FROM sign_in_attempt"))
    assert kept >= app.config["SIGN_IN_MAX_FAILURES"]
    db.session.rollback()  # on SQLite our read would hold the lock the other worker needs
    from app import create_app
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other_client = other.test_client()
    token = csrf_token(other_client)
    # The phone written another way is the same person: the throttle key is normalised.
    phone = world.volunteer.phone
    response = other_client.post("/sign-in", data={
        "login": f"+84 {phone[1:]}", "secret": helpers.PIN, "csrf_token": token})
    assert response.status_code == 429


def test_a_lane_outside_the_shifts_neighbourhood_cannot_be_given(client, auth, scene):
    auth.sign_in(scene.leader)
    before = table_fingerprint()
    response = client.post(f"/shifts/{scene.at_home.shift.id}/lanes/{scene.at_other.lane.id}",
                           data={"volunteer_id": scene.volunteer.id,
                                 "csrf_token": csrf_token(client)})
    assert response.status_code == 404
    assert table_fingerprint() == before
    assert db.session.scalar(db.select(Lane).where(Lane.id == scene.at_other.lane.id))
