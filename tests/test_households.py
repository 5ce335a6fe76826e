"""The household registry as a leader uses it: search, filters, add, edit, move away, erase."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from extensions import db
from models import AuditEntry, Household, Resident, Visit
from models.visit import VisitInput, record_visit
from tests import helpers


def token(client, path="/households/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return world


def names(response) -> list[str]:
    return re.findall(r'<a href="/households/\d+">([^<]+)</a>', response.get_data(as_text=True))


def test_search_ignores_diacritics_and_case(client, leader):
    lane = leader.home.lanes[0]
    helpers.gen_household(leader.home, lane, "40", head="Đặng Văn Đức")
    helpers.gen_household(leader.home, lane, "41", head="Trần Thị Quế")
    db.session.commit()
    assert names(client.get("/households/?q=dang+van+duc")) == ["Đặng Văn Đức"]
    assert names(client.get("/households/?q=que")) == ["Trần Thị Quế"]
    assert names(client.get("/households/?q=QUẾ")) == ["Trần Thị Quế"]
    assert names(client.get("/households/?q=50%25")) == []  # LIKE wildcards are literal


def test_list_is_sorted_by_given_name_then_full_name(client, leader):
    lane = leader.home.lanes[0]
    for number, name in [("50", "Nguyễn Văn Bình"), ("51", "Lê Thị Anh"), ("52", "Trần Văn Anh")]:
        helpers.gen_household(leader.home, lane, number, head=name)
    db.session.commit()
    found = [n for n in names(client.get("/households/")) if n != "Nguyễn Văn An"]
    assert found == ["Lê Thị Anh", "Trần Văn Anh", "Nguyễn Văn Bình"]


def test_filters_by_lane_and_status(client, leader):
    first, second = leader.home.lanes
    household = helpers.gen_household(leader.home, second, "60", head="Hà Văn Long")
    record_visit(household.id, None, VisitInput(client_id="v-60", outcome="declined"), {})
    db.session.commit()
    by_lane = client.get(f"/households/?lane={second.id}").get_data(as_text=True)
    assert "Hà Văn Long" in by_lane and first.name not in by_lane.split("<tbody>")[1]
    assert names(client.get("/households/?status=declined")) == ["Hà Văn Long"]


def test_search_answers_with_just_the_rows_for_htmx(client, leader):
    response = client.get("/households/?q=an", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<tbody>" in body and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_a_history_restore_gets_the_whole_page(client, leader):
    """htmx sends HX-Request also when Back finds the page gone from its history cache."""
    response = client.get("/households/?q=an", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" in body and 'class="nav"' in body and 'name="q"' in body


def test_add_a_household_and_refuse_one_without_a_name(client, leader):
    lane = leader.home.lanes[0]
    csrf = token(client)
    response = client.post("/households/", data={"csrf_token": csrf, "head_name": "Bùi Thu Hà",
                                                 "house_number": "99", "lane_id": lane.id,
                                                 "members": "4", "phone": "0912 345 678"})
    assert response.status_code == 303
    added = db.session.scalar(db.select(Household).where(Household.house_number == "99"))
    assert added.head_name_folded == "bui thu ha" and added.phone == "0912345678"
    before = db.session.scalar(db.select(db.func.count(Household.id)))
    refused = client.post("/households/", data={"csrf_token": csrf, "head_name": "",
                                                "house_number": "100", "lane_id": lane.id})
    assert refused.status_code == 422 and "Cần nhập họ tên chủ hộ" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Household.id))) == before


def _edit(client, household, csrf, version, name):
    return client.post(f"/households/{household.id}", headers={"HX-Request": "true"},
                       data={"csrf_token": csrf, "version": version, "head_name": name,
                             "house_number": household.house_number,
                             "lane_id": household.lane_id, "members": "3"})


def test_edit_in_place_returns_the_row(client, leader):
    household = db.session.scalars(db.select(Household)).first()
    form = client.get(f"/households/{household.id}/edit", headers={"HX-Request": "true"})
    assert f'name="version" value="{household.version}"' in form.get_data(as_text=True)
    response = _edit(client, household, token(client), household.version, "Vũ Minh Khánh")
    assert response.status_code == 200
    assert "Vũ Minh Khánh" in response.get_data(as_text=True)
    db.session.refresh(household)
    assert household.head_name == "Vũ Minh Khánh" and household.members == 3


def test_a_conflicting_edit_is_reported_not_overwritten(client, leader):
    household = db.session.scalars(db.select(Household)).first()
    seen = household.version
    csrf = token(client)
    assert _edit(client, household, csrf, seen, "Người Sửa Trước").status_code == 200
    late = _edit(client, household, csrf, seen, "Người Sửa Sau")
    assert late.status_code == 409
    assert "vừa được người khác sửa" in late.get_data(as_text=True)
    db.session.refresh(household)
    assert household.head_name == "Người Sửa Trước"


def test_mark_moved_away_is_a_visit(client, leader):
    household = db.session.scalars(db.select(Household)).first()
    response = client.post(f"/households/{household.id}/moved", data={"csrf_token": token(client)})
    assert response.status_code == 303
    db.session.refresh(household)
    assert household.status == "moved"
    assert db.session.scalar(db.select(Visit.outcome).where(Visit.household_id == household.id)) == "moved"


def test_erase_removes_household_visits_and_residents_and_audits_without_names(client, leader):
    household = helpers.gen_household(leader.home, leader.home.lanes[0], "77", head="Lý Thị Mai",
                                      phone="0911222333")
    record_visit(household.id, None, VisitInput(client_id="v-77", outcome="met"), {})
    db.session.commit()
    household_id = household.id
    csrf = token(client)
    unconfirmed = client.post(f"/households/{household_id}/erase", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 303 and db.session.get(Household, household_id)
    client.post(f"/households/{household_id}/erase", data={"csrf_token": csrf, "confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Household, household_id) is None
    assert not db.session.scalars(db.select(Visit).where(Visit.household_id == household_id)).all()
    assert not db.session.scalars(db.select(Resident).where(Resident.household_id == household_id)).all()
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "household_erased"))
    assert entry.object_id == household_id
    assert "Mai" not in str(entry.detail) and "0911222333" not in str(entry.detail)


def test_residents_with_label_and_birth_year(client, leader):
    household = db.session.scalars(db.select(Household)).first()
    csrf = token(client)
    client.post(f"/households/{household.id}/residents",
                data={"csrf_token": csrf, "label": "cháu", "birth_year": "2015"})
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "cháu" in page and "2015" in page
    client.post(f"/households/{household.id}/residents",
                data={"csrf_token": csrf, "label": "ông", "birth_year": "1700"})
    assert "Năm sinh không hợp lệ" in client.get(f"/households/{household.id}").get_data(as_text=True)


@pytest.mark.parametrize("who", ["volunteer", "officer", "other_leader"])
def test_others_cannot_open_the_registry_or_a_household(client, auth, world, who):
    household = db.session.scalar(db.select(Household).where(
        Household.neighbourhood_id == world.home.id))
    auth.sign_in(getattr(world, who))
    assert client.get(f"/households/{household.id}").status_code in (403, 404)
    if who != "other_leader":
        assert client.get("/households/").status_code == 403
    else:
        assert client.get(f"/households/?neighbourhood={world.home.id}").status_code == 404


class FormReader(HTMLParser):
    """What a browser would send for the first form with `action` on a page: inputs with
    their values, ticked boxes only, the chosen option of each select, textareas."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, str] = {}
        self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("action", a.get("hx-post")) == self.action and not self.done:
            self.inside = True
        elif self.inside and tag == "input" and a.get("name"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[a["name"]] = a.get("value", "")
        elif self.inside and tag == "select":
            self.select = a.get("name")
        elif self.inside and tag == "option" and self.select and (
                "selected" in a or self.select not in self.fields):
            self.fields[self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_on(page: str, action: str) -> dict[str, str]:
    reader = FormReader(action)
    reader.feed(page)
    return reader.fields


def _save_from_page(client, household, **changes):
    """Open the household's page, change the form as the leader would, and save it."""
    url = f"/households/{household.id}"
    fields = form_on(client.get(url).get_data(as_text=True), url)
    fields.update(changes)
    return client.post(url, data={k: v for k, v in fields.items() if v is not None})


def test_the_leader_records_and_withdraws_a_households_consent(client, leader):
    household = db.session.scalars(db.select(Household).where(
        Household.consent_at.is_(None))).first()
    assert "consent" not in form_on(client.get(f"/households/{household.id}").get_data(
        as_text=True), f"/households/{household.id}")  # not ticked until given
    assert _save_from_page(client, household, consent="yes").status_code == 303
    db.session.refresh(household)
    given = household.consent_at
    assert given is not None
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert form_on(page, f"/households/{household.id}")["consent"] == "yes"  # shown ticked
    # The registry filters who has agreed and whom to ask.
    def listed(query: str) -> set[int]:
        page = client.get(f"/households/{query}").get_data(as_text=True)
        return {int(i) for i in re.findall(r'<a href="/households/(\d+)">', page)}

    assert listed("?consent=yes") == {household.id}
    assert listed("?consent=no") == listed("") - {household.id}
    # Another edit of the same form keeps it, with the day it was first given.
    assert _save_from_page(client, household, note="Gọi trước khi đến").status_code == 303
    db.session.refresh(household)
    assert household.consent_at == given
    # An older form without the box (or a script) changes nothing about consent.
    assert _edit(client, household, token(client), household.version, "Tên Mới").status_code == 200
    db.session.refresh(household)
    assert household.consent_at == given
    # Unticked: withdrawn.
    assert _save_from_page(client, household, consent=None).status_code == 303
    db.session.refresh(household)
    assert household.consent_at is None
    edits = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "household_edited", AuditEntry.object_id == household.id)
        .order_by(AuditEntry.id)).all()
    assert [("consent" in e.detail["fields"]) for e in edits] == [True, False, False, True]


def test_a_new_household_can_come_with_its_consent(client, leader):
    fields = form_on(client.get("/households/new").get_data(as_text=True), "/households/")
    fields.update(head_name="Hà Thị Mơ", house_number="99", street="Phố Mới", consent="yes")
    assert client.post("/households/", data=fields).status_code == 303
    added = db.session.scalar(db.select(Household).where(Household.house_number == "99"))
    assert added.consent_at is not None
