"""Hostile input through the real routes: every text field users enter, every page that shows
it; import files that try to hurt the server; exports that must not run a formula.

`plant()` is shared with tests/browser/test_hostile.py, which renders the same data in
Chromium and listens for dialogs.
"""
from __future__ import annotations

import csv
import io
import json
import random
import re
import tracemalloc
import zipfile
from types import SimpleNamespace

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from extensions import db
from models import Household, ImportDraft, Lane, Shift, User, Visit, Walk
from models.rules import local_today
from vietnamese import nfc

PIN = "258046"
CORPUS = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "</script><script>alert(1)</script>",
    "`${alert(2)}` `backtick`",
    "'\"><svg onload=alert(3)> 'quote' \"dbl\"",
    "C:\\new\\table\\ \\u0041 \\",
    "Nguyễn\x00\x07\x1b[31mVăn\x7f Tư",
    "\u202eRTL override\u202c \u200fעברית\u200f Trần",
    "🏠👵🏻 Bà Tư 🇻🇳",
    "{{7*7}} {% if 1 %}x{% endif %}",
    "=HYPERLINK(\"http://x\",\"Bấm\")",
    "+84 -1 @SUM(A1)",
    "Đường dài " + "Ơ" * 10_000,
    "Nhà {# số 5",  # an unclosed Jinja comment, if anything renders text as a template
]
# Only these may run a script if they reach the page unescaped.
# The corpus's tags, unescaped: only these could run. ("onerror=alert" as text is harmless.)
DANGER = re.compile(r"<img src=x|<svg onload|<script>alert", re.I)
FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'"X-CSRFToken": "([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1)


def signed_in(app, login: str, secret: str):
    client = app.test_client()
    client.post("/sign-in", data={"login": login, "secret": secret,
                                  "csrf_token": token(client, "/sign-in")})
    return client


def import_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Số nhà", "Ngõ", "Đường", "Chủ hộ", "Số nhân khẩu", "Số điện thoại",
                     "Vĩ độ", "Kinh độ", "Ghi chú"])
    writer.writerows(rows)
    return out.getvalue().encode()


def plant(app, world) -> SimpleNamespace:
    """The corpus in every text field, through the routes a leader and a volunteer use."""
    from tests import helpers
    leader = signed_in(app, world.leader.username, helpers.PASSWORD)
    csrf = token(leader, "/households/")
    lane = world.home.lanes[0]
    for k, text in enumerate(CORPUS):
        leader.post("/households/", data={"csrf_token": csrf, "head_name": text,
                                          "house_number": f"{k + 100} {text}",
                                          "street": text, "note": text, "lane_id": lane.id})
    households = db.session.scalars(db.select(Household).where(
        Household.house_number.like("1__ %")).order_by(Household.id)).all()
    assert len(households) == len(CORPUS), "the registry refused part of the corpus"
    for k, household in enumerate(households):
        leader.post(f"/households/{household.id}/position",
                    json={"lat": 21.5531 + 0.00003 * k, "lon": 105.8621},
                    headers={"X-CSRFToken": csrf})
        leader.post(f"/households/{household.id}/residents",
                    data={"csrf_token": csrf, "label": CORPUS[k], "birth_year": "1990"})

    # "/" splits a lane path; a NUL byte makes the file binary (refused: tested below)
    lane_texts = [t[:60].replace("\x00", "") for t in CORPUS if "/" not in t]
    rows = [[str(300 + k), text, "", text[:200], "2", "", f"{21.5540 + 0.00003 * k:.5f}",
             "105.8625", text[:200]] for k, text in enumerate(lane_texts)]
    upload = leader.post("/households/import", content_type="multipart/form-data", data={
        "csrf_token": csrf, "file": (io.BytesIO(import_csv(rows)), "ho.csv")})
    assert upload.status_code == 200, upload.get_data(as_text=True)[-2000:]
    confirm = re.search(r'action="(/households/import/\d+/confirm)"',
                        upload.get_data(as_text=True)).group(1)
    assert leader.post(confirm, data={"csrf_token": csrf}).status_code == 303

    for k, text in enumerate(CORPUS):
        leader.post("/team/", data={"csrf_token": csrf, "name": text,
                                    "phone": f"09770{k:05d}", "pin": PIN})
    walker = db.session.scalar(db.select(User).where(User.phone == "0977000000"))
    leader.post("/shifts/", data={"csrf_token": csrf, "day": local_today().isoformat(),
                                  "slot": "toi", "meeting_point": CORPUS[2] + CORPUS[6]})
    shift = db.session.scalar(db.select(Shift).where(Shift.slot == "toi"))
    db.session.expire_all()
    for each in db.session.scalars(db.select(Lane).where(
            Lane.neighbourhood_id == world.home.id)):
        leader.post(f"/shifts/{shift.id}/lanes/{each.id}",
                    data={"csrf_token": csrf, "volunteer_id": walker.id})
    walk = db.session.scalar(db.select(Walk).where(Walk.shift_id == shift.id))

    volunteer = signed_in(app, walker.phone, PIN)
    vcsrf = token(volunteer, "/walk")
    stops = [s.household_id for s in walk.stops]
    for k, household_id in enumerate(stops):
        answer = volunteer.post(f"/walk/stops/{household_id}/visits", headers={
            "X-CSRFToken": vcsrf, "HX-Request": "true"}, data={
            "client_id": f"a0a0a0a0-{k:04d}-beef", "outcome": "not_home",
            "note": CORPUS[k % len(CORPUS)]})
        assert answer.status_code == 201, (CORPUS[k % len(CORPUS)], answer.status_code)
    db.session.expire_all()
    db.session.rollback()
    return SimpleNamespace(leader=leader, volunteer=volunteer, shift=shift, walk=walk,
                           walker=walker, households=households, stops=stops)


def leader_pages(p) -> list[str]:
    one = p.households[0].id
    pages = ["/", "/households/", "/households/?q=alert", "/households/map", "/review",
             "/review/map", f"/review/shifts/{p.shift.id}", "/shifts/",
             f"/shifts/{p.shift.id}/board", f"/shifts/{p.shift.id}/live",
             f"/shifts/{p.shift.id}/walks/{p.walker.id}", "/team/", "/audit/", "/dashboard",
             "/availability/", f"/availability/{p.walker.id}"]
    for household in p.households:
        pages += [f"/households/{household.id}", f"/households/{household.id}/card",
                  f"/households/{household.id}/edit", f"/households/{household.id}/row"]
    return pages + [f"/households/{one}"]


def volunteer_pages(p) -> list[str]:
    return ["/walk", f"/walk/{p.walk.id}", f"/walk/{p.walk.id}/map", "/availability/"] + [
        f"/walk/stops/{h}" for h in p.stops]


@pytest.fixture
def planted(app, world):
    return plant(app, world)


def test_the_corpus_is_stored_and_shown_as_typed_less_control_characters(planted):
    for household, text in zip(planted.households, CORPUS):
        assert household.head_name == nfc(text)[:200]
        assert household.note == nfc(text)[:1000]
        assert household.street == nfc(text)[:120]
    notes = db.session.scalars(db.select(Visit.note).where(
        Visit.client_id.like("a0a0a0a0-%")).order_by(Visit.client_id)).all()
    assert notes == [nfc(CORPUS[k % len(CORPUS)])[:1000] for k in range(len(notes))]
    shift = db.session.get(Shift, planted.shift.id)
    assert shift.meeting_point == nfc(CORPUS[2] + CORPUS[6])
    names = db.session.scalars(db.select(User.name).where(User.phone.like("09770%"))
                               .order_by(User.phone)).all()
    assert names == [nfc(t)[:200] for t in CORPUS]
    _shown_whole_as_stored(planted)


@pytest.mark.parametrize("who", ["leader", "volunteer"])
def test_every_page_shows_the_corpus_as_text_never_as_markup(planted, who):
    client = getattr(planted, who)
    pages = leader_pages(planted) if who == "leader" else volunteer_pages(planted)
    for path in pages:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            body = response.get_data(as_text=True)
            assert not DANGER.search(body), (path, DANGER.search(body).group(0))


def _shown_whole_as_stored(planted):
    """Where a text is shown whole, it reads exactly as stored."""
    leader = planted.leader
    registry = leader.get("/households/").get_data(as_text=True)
    for household in planted.households:
        assert str(escape(household.head_name)) in registry
        card = leader.get(f"/households/{household.id}/card").get_data(as_text=True)
        assert str(escape(household.note)) in card
    team = leader.get("/team/").get_data(as_text=True)
    assert all(str(escape(nfc(t)[:200])) in team for t in CORPUS)
    board = leader.get(f"/shifts/{planted.shift.id}/board").get_data(as_text=True)
    assert str(escape(nfc(CORPUS[2] + CORPUS[6]))) in board
    walk = planted.volunteer.get("/walk").get_data(as_text=True)
    for k, _stop in enumerate(planted.stops):
        assert str(escape(nfc(CORPUS[k % len(CORPUS)])[:1000])) in walk


def test_the_live_map_points_and_the_phones_json_answers_carry_the_text_as_data(planted):
    response = planted.leader.get(f"/shifts/{planted.shift.id}/live/points")
    labels = [p["label"] for p in response.get_json()["points"]]
    for household in planted.households:
        assert any(label.endswith(household.address) for label in labels), household.address
    assert response.mimetype == "application/json"
    _json_answers_hold_the_corpus_as_data(planted)


def test_maps_hold_the_corpus_only_escaped_for_their_template_literals(planted):
    for client, path in [(planted.leader, "/households/map"), (planted.leader, "/review/map"),
                         (planted.leader, f"/shifts/{planted.shift.id}/walks/{planted.walker.id}"),
                         (planted.volunteer, f"/walk/{planted.walk.id}/map")]:
        body = client.get(path).get_data(as_text=True)
        scripts = "".join(re.findall(r"<script[^>]*>(.*?)</script>", body, re.S))
        for literal in re.findall(r"`((?:[^`\\]|\\.)*)`", scripts):
            assert not re.search(r"(?<!\\)\$\{", literal), (path, literal[:80])
            assert "<img" not in literal and "<svg" not in literal
            assert "{{" not in literal and "{#" not in literal and "{%" not in literal
        if path == "/households/map":  # the names, braces and all, not evaluated
            assert "&#123;&#123;7*7&#125;&#125;" in scripts and "49 x" not in scripts


# --- exports ---------------------------------------------------------------------------------

def test_exports_with_the_corpus_start_no_formula(planted):
    csv_body = planted.leader.get("/dashboard/export/households.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_body)))
    assert len(rows) > len(CORPUS)
    assert not [c for row in rows for c in row if c.startswith(FORMULA)]
    assert any(c == "'" + nfc(CORPUS[10]) for row in rows for c in row)
    book = load_workbook(io.BytesIO(planted.leader.get("/dashboard/export/households.xlsx").data))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    # an .xlsx types text as text: "=…" is shown as written, never run, with no apostrophe
    assert {c.data_type for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA)} \
        <= {"s"}
    assert any(c.value == nfc(CORPUS[10]) and c.data_type == "s" for c in cells)
    assert any(c.value == nfc(CORPUS[12])[:200] for c in cells)  # the long name, whole


# --- import files that try to hurt -------------------------------------------------------------

HEADER = "Số nhà,Ngõ,Đường,Chủ hộ,Số nhân khẩu,Số điện thoại,Vĩ độ,Kinh độ,Ghi chú"


@pytest.fixture
def leader(app, world):
    from tests import helpers
    return signed_in(app, world.leader.username, helpers.PASSWORD)


def counting_sql() -> tuple[int, int, int]:
    db.session.expire_all()
    found = tuple(db.session.scalar(db.select(db.func.count(m.id)))
                  for m in (Household, Lane, ImportDraft))
    db.session.rollback()
    return found


def send(client, data: bytes, name: str):
    return client.post("/households/import", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/households/import"), "file": (io.BytesIO(data), name)})


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"\x00" * 300_000_000)
    return buffer.getvalue()


def count_bomb(kind: str, count: int) -> bytes:
    """A small, well-formed .xlsx whose work is in counts, not bytes: `count` empty shared strings,
    cells in one row, blank rows, or style records. Incompressible padding keeps the archive's
    ratio low, as the hostile review's 4.7 MB file with 9.4 million strings did (ratio about 10).
    """
    header = "".join(f'<c t="s"><v>{i}</v></c>' for i in range(3))
    rows, strings, styles = f'<row r="1">{header}</row>', "", ""
    if kind == "strings":
        strings = "<si/>" * count
    elif kind == "runs":  # one string of `count` empty rich-text runs
        strings = "<si>" + "<r/>" * count + "</si>"
    elif kind == "cells":
        rows += '<row r="2">' + "<c/>" * count + "</row>"
    elif kind == "rows":
        rows += "<row/>" * count
    elif kind == "styles":
        styles = "<xf/>" * count
    parts = {
        "[Content_Types].xml": "<Types/>",
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_REL}"><sheets>'
                           '<sheet name="Hộ" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                                      '2006/relationships"><Relationship Id="rId1" '
                                      'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>Số nhà</t></si><si><t>Ngõ</t></si>'
                                f'<si><t>Chủ hộ</t></si>{strings}</sst>',
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><cellXfs>{styles}</cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
        unpacked = sum(len(text.encode()) for text in parts.values())
        padding = random.Random(16).randbytes(unpacked // 12)  # keeps the ratio near 10
        archive.writestr("xl/media/image1.bin", padding, zipfile.ZIP_STORED)
    return buffer.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.mark.parametrize("kind, count, reason", [
    ("strings", 1_000_000, "quá nhiều chuỗi chữ"),
    ("cells", 1_000_000, "quá nhiều ô"),
    ("rows", 1_000_000, "quá nhiều dòng"),
    ("styles", 1_000_000, "quá nhiều phần tử"),
    ("runs", 1_000_000, "quá nhiều phần tử XML trong một dòng hoặc một ô"),
])
def test_a_workbook_with_millions_of_empty_items_is_refused_without_holding_them(leader, kind, count,
                                                                                   reason):
    workbook = count_bomb(kind, count)
    assert len(workbook) < 1_000_000  # passes the size and the ratio checks
    before = counting_sql()
    tracemalloc.start()
    try:
        response = send(leader, workbook, "danh-sach.xlsx")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[-500:]
    assert reason in body and "Traceback" not in body
    assert peak < 30 * 1024 * 1024, f"{peak / 2**20:.0f} MB held while refusing"
    assert counting_sql() == before


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(leader):
    bomb = zip_bomb()
    assert len(bomb) < 1_000_000  # ~300 KB that would expand to 300 MB
    before = counting_sql()
    tracemalloc.start()
    try:
        response = send(leader, bomb, "danh-sach.xlsx")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    assert "giải nén quá lớn" in response.get_data(as_text=True)
    assert peak < 30 * 1024 * 1024, f"{peak / 2**20:.0f} MB held while refusing"
    assert counting_sql() == before


@pytest.mark.parametrize("name, data, reason", [
    ("ho.txt", ("\ufeff" + HEADER + "\r\n12,Ngõ 1,,Lê An").encode("utf-16-le")[:-1], "hỏng"),
    ("ho.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "không phải"),
    ("ho.xlsx", b"%PDF-1.7\n" + b"x" * 64, "không phải là bảng tính"),
    ("ho.csv", b"PK\x03\x04" + b"\x00" * 64, "không phải"),
    ("ho.xlsx", b"", "rỗng"),
])
def test_files_that_are_not_what_they_say_are_refused_cleanly(leader, name, data, reason):
    before = counting_sql()
    response = send(leader, data, name)
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[-500:]
    assert reason in body and "Traceback" not in body and "/confirm" not in body
    assert counting_sql() == before


def test_a_hostile_file_name_is_shown_as_text_and_stored_clean(leader):
    name = "<img src=x onerror=alert(1)>\x00\u202e${x}`.csv"
    response = send(leader, f"{HEADER}\r\n31,Ngõ 10,,Lê An,2,,,,\r\n".encode(), name)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and not DANGER.search(body)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    draft = db.session.scalar(db.select(ImportDraft))
    assert "\x00" not in draft.filename
    db.session.rollback()


def test_short_and_extra_columns_are_refused_by_row(leader):
    before = counting_sql()
    data = f"{HEADER}\r\n13,Ngõ 10,,Lê An\r\n14,Ngõ 10,,Lê Bình,2,,,,,Hà Nội,thừa\r\n"
    response = send(leader, data.encode(), "ho.csv")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<td class="num">2</td>', body) and re.search(r'<td class="num">3</td>', body)
    assert "chỉ có 4 ô" in body and "ô thừa" in body
    assert counting_sql() == before


def test_old_mac_line_ends_import_every_row(leader):
    data = f"{HEADER}\r21,Ngõ 10,,Lê Văn Tám,2,,,,\r22,Ngõ 10,,Hà Thị Chín,3,,,,\r"
    response = send(leader, data.encode(), "ho.csv")
    assert response.status_code == 200
    assert re.search(r'id="count-added">2<', response.get_data(as_text=True))


def test_an_upload_over_the_default_limit_is_413_and_writes_nothing(app, leader):
    csrf = token(leader, "/households/import")
    before = counting_sql()
    big = b"1,Ngo 10,,A,1,,,,\n" * (app.config["MAX_CONTENT_LENGTH"] // 18 + 10)
    response = leader.post("/households/import", content_type="multipart/form-data",
                           data={"csrf_token": csrf, "file": (io.BytesIO(big), "ho.csv")})
    assert response.status_code == 413 and "Tệp quá lớn" in response.get_data(as_text=True)
    assert counting_sql() == before


def _json_answers_hold_the_corpus_as_data(planted):
    """The phone's JSON save answers never echo the note as HTML."""
    vcsrf = token(planted.volunteer, "/walk")
    answer = planted.volunteer.post(
        f"/walk/stops/{planted.stops[0]}/visits", headers={"X-CSRFToken": vcsrf},
        data=json.dumps({"client_id": "b0b0b0b0-0001", "outcome": "not_home",
                         "note": CORPUS[0]}), content_type="application/json")
    assert answer.status_code == 201 and answer.mimetype == "application/json"
    assert "<img" not in answer.get_data(as_text=True)
