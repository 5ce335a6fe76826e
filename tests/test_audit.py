"""The audit log: every sign-in, refusal, household change, visit, import and export leaves an
entry (who, what, when in UTC, outcome) with no phone number or token in it; the leader reads
it in Vietnamese."""
from __future__ import annotations

import ast
import io
import json
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from extensions import db
from models import AuditEntry, Household, SignInLink, UserSession, Visit
from models.base import utcnow
from labels import ACTION_LABELS
from models.rules import local_today
from tests import helpers
from tests.test_sheets import csv_text

ROOT = Path(__file__).resolve().parent.parent
PHONE_LIKE = re.compile(r"(?:\+?84|0)[\s.-]?\d(?:[\s.-]?\d){7,9}")
IMPORTED_PHONE = "0933444555"


def csrf(client, path="/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'"X-CSRFToken": "([^"]+)"', page)
    return found.group(1)


def entries() -> list[AuditEntry]:
    db.session.expire_all()
    found = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    db.session.rollback()
    return found


def actions_in_code() -> set[str]:
    """Every action name the code passes to audit() / _audit() (string constants)."""
    names = set()
    for path in [*ROOT.glob("routes/*.py"), *ROOT.glob("models/*.py"), ROOT / "demo/command.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args and getattr(
                    node.func, "id", getattr(node.func, "attr", "")) in ("audit", "_audit")):
                continue
            first = node.args[0]
            for leaf in ast.walk(first):
                if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str):
                    names.add(leaf.value)
    return names


@pytest.fixture
def day(world):
    lanes = world.home.lanes
    world.shift = helpers.gen_shift(world.home, local_today(), give={world.volunteer: lanes})
    for household in db.session.scalars(db.select(Household)):
        household.phone = "0912" + f"{household.id:06d}"
    first = world.shift.walks[0].stops[0].household  # no position yet: the door pin takes
    first.lat = first.lon = first.position_source = None
    db.session.commit()
    return world


def _leader_does_everything(client, auth, world) -> dict:
    """Every change a leader can make to households, plus an import, exports and a link."""
    seen = {}
    auth.sign_in(world.leader, secret="wrong")
    auth.sign_in(world.leader)
    token = csrf(client, "/households/")
    lane = world.home.lanes[0]
    client.post("/households/", data={"csrf_token": token, "head_name": "Mạc Thị Hoa",
                                      "house_number": "88", "lane_id": lane.id,
                                      "phone": "0911 222 333"})
    added = db.session.scalar(db.select(Household).where(Household.house_number == "88"))
    seen["household"] = added.id  # read now: the household is erased below
    client.post(f"/households/{added.id}", data={
        "csrf_token": token, "version": added.version, "head_name": "Mạc Thị Hoà",
        "house_number": "88", "lane_id": lane.id, "phone": "0944 555 666", "members": "2"})
    client.post(f"/households/{added.id}/residents", data={"csrf_token": token, "label": "con",
                                                           "birth_year": "2010"})
    db.session.expire_all()
    resident = db.session.get(Household, added.id).residents[-1]
    client.post(f"/households/{added.id}/residents/{resident.id}/remove",
                data={"csrf_token": token})
    client.post(f"/households/{added.id}/position", json={"lat": 21.5531, "lon": 105.8621},
                headers={"X-CSRFToken": token})
    client.post(f"/households/{added.id}/moved", data={"csrf_token": token})
    client.post(f"/households/{seen['household']}/erase",
                data={"csrf_token": token, "confirm": "yes"})

    upload = client.post("/households/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(csv_text(
            f"301,Ngõ 10,Đường Thử,Lưu Văn Tâm,3,{IMPORTED_PHONE},,,").encode()), "ho.csv")})
    action = re.search(r'action="(/households/import/\d+/confirm)"', upload.get_data(as_text=True))
    client.post(action.group(1), data={"csrf_token": token})
    client.post("/households/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n...."), "anh.csv")})
    client.get("/dashboard/export/households.csv")
    client.get("/dashboard/export/figures.xlsx")
    client.get(f"/neighbourhoods/{world.other.id}")  # refused
    page = client.post(f"/team/{world.volunteer.id}/link",
                       headers={"X-CSRFToken": token, "HX-Request": "true"})
    url = re.search(r'value="(http[^"]+)"', page.get_data(as_text=True)).group(1)
    seen["link"] = url.rsplit("/", 1)[1]
    auth.sign_out()
    return seen


def _volunteer_does_everything(client, auth, world, link: str) -> None:
    """Sign in with the link, record a visit (sent twice), undo it, pin the door."""
    path = f"/l/{link}"
    client.post(path, data={"csrf_token": csrf(client, path)})
    token = csrf(client, "/walk")
    household = world.shift.walks[0].stops[0].household_id
    fields = {"client_id": uuid.uuid4().hex, "outcome": "met", "note": "gọi 0987 654 321"}
    for _ in range(2):
        client.post(f"/walk/stops/{household}/visits", data=fields,
                    headers={"X-CSRFToken": token, "HX-Request": "true"})
    visit = db.session.scalar(db.select(Visit).where(Visit.client_id == fields["client_id"]))
    client.post(f"/walk/visits/{visit.id}/undo", headers={"X-CSRFToken": token,
                                                          "HX-Request": "true"})
    client.post(f"/walk/stops/{household}/position", data={"lat": 21.5532, "lon": 105.8622,
                                                           "accuracy": "8", "confirm": "1"},
                headers={"X-CSRFToken": token, "HX-Request": "true"})
    client.get(f"/households/{household}")  # refused: a volunteer never opens the registry
    auth.sign_out()


def test_every_change_sign_in_refusal_visit_import_and_export_is_audited(client, auth, day):
    start = utcnow()
    seen = _leader_does_everything(client, auth, day)
    _volunteer_does_everything(client, auth, day, seen["link"])
    log = entries()
    end = utcnow()
    done = {(e.action, e.outcome, e.user_id) for e in log}
    leader, volunteer = day.leader.id, day.volunteer.id
    expected = {
        ("sign_in", "failed", None), ("sign_in", "ok", leader), ("sign_in", "ok", volunteer),
        ("household_added", "ok", leader), ("household_edited", "ok", leader),
        ("resident_added", "ok", leader), ("resident_removed", "ok", leader),
        ("household_pinned", "ok", leader), ("household_moved_away", "ok", leader),
        ("household_erased", "ok", leader), ("households_imported", "ok", leader),
        ("households_import_refused", "refused", leader),
        ("export", "ok", leader), ("access_refused", "refused", leader),
        ("sign_in_link_made", "ok", leader), ("sign_out", "ok", leader),
        ("visit_recorded", "ok", volunteer), ("visit_repeated", "ok", volunteer),
        ("visit_undone", "ok", volunteer), ("household_positioned", "ok", volunteer),
        ("access_refused", "refused", volunteer), ("sign_out", "ok", volunteer)}
    assert expected <= done, sorted(expected - done)
    assert all(start - timedelta(seconds=1) <= e.at <= end + timedelta(seconds=1) for e in log)
    household = [e for e in log if e.object_type == "household" and e.action.startswith(
        ("household_", "resident_"))]
    assert {e.object_id for e in household if e.user_id == leader} == {seen["household"]}
    assert all(e.neighbourhood_id == day.home.id for e in household)


def test_no_phone_number_or_token_in_any_entry(app, client, auth, day):
    seen = _leader_does_everything(client, auth, day)
    _volunteer_does_everything(client, auth, day, seen["link"])
    secrets = [seen["link"], *db.session.scalars(db.select(UserSession.id)),
               *db.session.scalars(db.select(SignInLink.nonce_hash)), helpers.PASSWORD,
               helpers.PIN]
    phones = [IMPORTED_PHONE, "0911222333", "0944555666", day.volunteer.phone,
              *[h.phone for h in db.session.scalars(db.select(Household)) if h.phone]]
    for entry in entries():
        written = json.dumps([entry.action, entry.object_type, entry.detail], ensure_ascii=False)
        assert not PHONE_LIKE.search(written), written
        assert not any(p in written for p in phones), written
        assert not any(s in written for s in secrets), written
        assert not re.search(r"\d{9,}", written), written  # no long digit run of any kind


def test_every_action_the_code_audits_has_a_vietnamese_label():
    names = actions_in_code()
    assert {"sign_in", "visit_recorded", "visit_repeated", "export"} <= names  # the scan works
    assert not names - set(ACTION_LABELS), sorted(names - set(ACTION_LABELS))


def test_the_leader_reads_their_neighbourhoods_entries_with_labels(client, auth, day):
    seen = _leader_does_everything(client, auth, day)
    _volunteer_does_everything(client, auth, day, seen["link"])
    auth.sign_in(day.other_leader)
    auth.sign_out()
    auth.sign_in(day.leader)
    page = client.get("/audit/").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page, re.S)
    shown = {action for _at, _who, action in rows}
    for action in ("household_added", "household_erased", "households_imported", "export",
                   "visit_recorded", "visit_undone", "access_refused"):
        assert str(ACTION_LABELS[action]) in shown, action
    assert not shown & set(ACTION_LABELS), "an action shown by its code name"
    assert day.volunteer.name in page and day.other_leader.name not in page
    times = [at for at, _who, _action in rows]
    assert all(re.fullmatch(r"\d\d:\d\d \d\d/\d\d/\d{4}", t) for t in times)
    assert not PHONE_LIKE.search(page) and seen["link"] not in page


def test_an_entry_drops_personal_or_secret_values_whoever_passes_them(app):
    from models import AuditEntry, audit
    audit("volunteer_added", phone="0912345678", pin="1234", password="x",
          token="abc", link="http://x/l/abc", secret="s", fields=["phone"])
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "volunteer_added")).one()
    assert entry.detail == {"fields": ["phone"]}  # the name of a changed field is fine
    db.session.rollback()


def test_a_refused_sign_in_shows_in_the_log_of_the_leader_of_the_account_tried(client, auth,
                                                                              day):
    auth.sign_in(day.volunteer, secret="0000")  # a wrong PIN against one of ours
    auth.sign_in(day.other_leader, secret="wrong")  # and against another neighbourhood's
    tried = [e for e in entries() if e.action == "sign_in" and e.outcome == "failed"]
    assert [(e.user_id, e.object_id, e.neighbourhood_id) for e in tried] == [
        (None, day.volunteer.id, day.home.id),
        (None, day.other_leader.id, day.other_leader.neighbourhood_id)]

    def failed_rows(leader) -> list[str]:
        auth.sign_in(leader)
        page = client.get("/audit/").get_data(as_text=True)
        auth.sign_out()
        return [who for who, outcome in re.findall(
            r"<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*</tr>", page)
            if outcome == "Sai mật khẩu/PIN"]

    assert failed_rows(day.leader) == [day.volunteer.name]
    assert failed_rows(day.other_leader) == [day.other_leader.name]
