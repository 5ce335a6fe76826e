"""No code words on any page: every page of every role, in Vietnamese and English, shows
labels, never the codes Gõ Cửa stores (`broadband`, `vneid`, `ward_officer`, `not_home`, …),
also for a group with no campaign yet."""
from __future__ import annotations

import html
import re
import uuid

import pytest

import vocabulary
from extensions import db
from models import Neighbourhood, Walk
from models.campaign import (DEFAULT_SERVICES, add_service, current_campaign, retire_service,
                             start_ward_campaign)
from tests import helpers

SERVICE_CODES = [row[0] for row in DEFAULT_SERVICES] + ["public_service_household"]
# A code is a word nobody writes on a page: in English some codes are plain words too
# ("Fibre broadband", "Group leader"), so there only the ones no English sentence holds.
CODES_EN = sorted({c for c in [*SERVICE_CODES, *vocabulary.ROLES, *vocabulary.STATUSES,
                               *vocabulary.OUTCOMES, *vocabulary.SERVICE_STATES,
                               *vocabulary.AGE_BASES, *vocabulary.STARTUP_STEPS]
                   if "_" in c or c in ("vneid", "15plus")})
CODES_VI = sorted(set(CODES_EN) | set(SERVICE_CODES) | set(vocabulary.ROLES)
                  | set(vocabulary.STATUSES) | set(vocabulary.OUTCOMES) | set(vocabulary.PER)
                  | {"yes", "no", "captured", "activated", "all", "adult"})
VISIBLE_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')


def visible_text(page: str) -> str:
    """What a person reads: text and the attributes a screen or a screen reader shows."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    said = " ".join(VISIBLE_ATTRIBUTES.findall(page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + said)


ADDED_CODE = re.compile(r"(?<![\w/.-])[wg]\d+_\d+(?![\w/.-])")  # a service a ward or group added


def code_words(text: str, codes) -> list[str]:
    found = [c for c in codes if re.search(rf"(?<![\w/.-]){re.escape(c)}(?![\w/.-])", text)]
    return found + ADDED_CODE.findall(text)


def _pages(app, ids: dict) -> list[str]:
    """Every GET page of the app, its arguments filled with the world's ids."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.link",
                                                          "walk.service_worker"):
            continue
        if rule.endpoint.startswith("export."):
            continue  # files, not pages (their headers are checked by test_export)
        try:
            paths.append(rule.build({a: ids.get(a, 1) for a in rule.arguments})[1])
        except Exception:
            continue
    return paths


@pytest.fixture
def full(day):
    """The day's world with visits recorded, and a group with no campaign and its leader."""
    from models.visit import VisitInput, record_visit
    from models.progress import campaign_services
    services = {s.id: s for s in campaign_services(day.shift)}
    vneid = next(s for s in services.values() if s.code == "vneid")
    record_visit(day.door.id, day.volunteer.id, VisitInput(
        client_id=str(uuid.uuid4()), outcome="met",
        services=[(vneid.id, day.door.residents[0].id, "activated")]), services,
        shift_id=day.shift.id)
    record_visit(day.mine[1].id, day.volunteer.id, VisitInput(
        client_id=str(uuid.uuid4()), outcome="not_home"), services, shift_id=day.shift.id)
    # The ward's campaign with a service of its own, the group's own service, one retired.
    ward_campaign = start_ward_campaign(day.ward.id)
    add_service(ward_campaign, "Dịch vụ của phường", "household", "all", "60", "Hướng dẫn")
    home = current_campaign(day.home.id)
    add_service(home, "App riêng của tổ", "resident", "adult", "70", "Cài từ CH Play")
    retire_service(next(s for s in home.services if s.code == "internet_tv"))
    bare = Neighbourhood(ward=day.ward, name="Tổ chưa có đợt")
    db.session.add(bare)
    db.session.flush()
    day.bare = bare
    day.bare_leader = helpers.gen_user("leader", bare)
    db.session.commit()
    return day


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_no_page_of_any_role_shows_a_code_word(app, client, auth, full, locale):
    w = full
    walk = db.session.scalar(db.select(Walk).where(Walk.volunteer_id == w.volunteer.id))
    ids = {"neighbourhood_id": w.home.id, "ward_id": w.ward.id, "group_id": w.home.id,
           "household_id": w.door.id, "shift_id": w.shift.id, "walk_id": walk.id,
           "user_id": w.volunteer.id, "job_id": 1}
    extra = {"ward_officer": [f"/dashboard?neighbourhood={w.home.id}",
                              f"/dashboard?neighbourhood={w.bare.id}",
                              f"/neighbourhoods/{w.bare.id}"],
             "admin": [f"/dashboard?neighbourhood={w.bare.id}", f"/places/groups/{w.bare.id}",
                       f"/team/?neighbourhood={w.home.id}"]}
    codes = CODES_EN if locale == "en" else CODES_VI
    seen, found = 0, []
    for user in (w.admin, w.officer, w.leader, w.bare_leader, w.volunteer):
        auth.sign_in(user)
        if locale == "en":
            client.post("/language", data={"lang": "en", "csrf_token": auth.csrf()})
        for path in _pages(app, ids) + extra.get(user.role, []):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(path, headers=headers)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                seen += 1
                words = code_words(visible_text(response.get_data(as_text=True)), codes)
                if words:
                    found.append((user.role, user.name, path, bool(headers), words))
        auth.sign_out()
    assert seen > 60
    assert not found, found


def test_the_check_finds_a_code_word():
    assert code_words(visible_text("<p>broadband · 0.0%, vneid</p>"), CODES_VI) == [
        "broadband", "vneid"]
    assert code_words(visible_text('<td title="ward_officer">x</td>'), CODES_EN) == [
        "ward_officer"]
    assert not code_words(visible_text('<input name="x" value="broadband">'), CODES_VI)
    assert code_words(visible_text("<td>g12_3</td>"), []) == ["g12_3"]
