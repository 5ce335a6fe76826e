"""Household lists as wards write them, imported through the real pages and checked to the
stored rows: title rows, merged headers, footers, one address column, person-per-row lists,
member counts, an ID-card column, and the leader's own export re-imported."""
from __future__ import annotations

import html
import io
import re
from datetime import datetime

import openpyxl
import pytest

from extensions import db
from models import Household, Lane
from models.figures import bases
from models.household import Resident
from models.importing import ImportDraft
from models.rules import local_today
from tests import helpers
from tests.test_households_import import confirm, count, upload
from vocabulary import UNKNOWN_RELATION


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return world


def workbook(rows: list[list[object]], merges=()) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for cells in merges:
        book.active.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def counted(page: str, name: str) -> int:
    return int(re.search(rf'id="count-{name}">(\d+)<', page).group(1))


def household(head: str) -> Household:
    db.session.expire_all()
    return db.session.scalar(db.select(Household).where(Household.head_name == head))


def residents(head: str) -> list[tuple[str, int | None]]:
    return [(r.label, r.birth_year) for r in household(head).residents]


def lanes() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(Lane.id)))


# --- files as wards write them ------------------------------------------------------------

WARD_SHEET = [
    ["DANH SÁCH HỘ GIA ĐÌNH TỔ DÂN PHỐ SỐ 1"],
    ["Phường Thử, tỉnh Thái Nguyên"],
    [],
    ["STT", "Họ và tên chủ hộ", "Địa chỉ", None, None, "Số nhân khẩu", "Điện thoại liên hệ"],
    [None, None, "Số nhà", "Ngõ", "Đường"],
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
    [1, "Nguyễn Văn Hùng", "21", "ngõ 10", "Đường Thử", 4, "0912 345 001"],
    [2, "Trần Thị Mai", "23", "ngõ 10/ngách 4", "Đường Thử", 3, None],
    [3, "Lê Văn Sơn", 25, "ngõ 77", "Đường Thử", 2, 912345003],
    ["Tổng cộng", None, None, None, None, 9],
    [],
    [None, "Người lập biểu", None, None, "Tổ trưởng"],
    [None, "(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên)"],
    [None, "Phạm Thu Hà", None, None, "Đỗ Văn Bình"],
]


def test_title_rows_merged_header_numbering_row_and_signature_block(client, leader):
    before, lanes_before = count(), lanes()
    response = upload(client, workbook(WARD_SHEET, merges=["C4:E4", "A4:A5", "B4:B5"]),
                      "danh sach to 1.xlsx")
    page = page_of(response)
    assert response.status_code == 200, page
    assert counted(page, "added") == 3 and counted(page, "errors") == 0
    assert "Bỏ qua 4 dòng cuối (không phải hộ): dòng 10 “Tổng cộng · 9”" in page
    assert "“Người lập biểu · Tổ trưởng”" in page and "“Phạm Thu Hà · Đỗ Văn Bình”" in page
    assert "dòng 6: dòng đánh số cột" in page
    assert count() == before
    confirm(client, response)
    assert count() == before + 3 and lanes() == lanes_before + 2  # ngách 4 of ngõ 10, ngõ 77
    hung, mai, son = household("Nguyễn Văn Hùng"), household("Trần Thị Mai"), household("Lê Văn Sơn")
    assert (hung.house_number, hung.lane.full_name, hung.phone, hung.members) == (
        "21", "Ngõ 10, Đường Thử", "0912345001", 4)
    assert mai.lane.full_name == "Ngõ 10/Ngách 4, Đường Thử" and mai.lane.parent.name == "Ngõ 10"
    assert (son.house_number, son.phone, son.street) == ("25", "0912345003", "Đường Thử")
    # the signature block is no household
    assert household("Phạm Thu Hà") is None and household("Người lập biểu") is None


def test_one_address_column_short_headers_and_notes_under_the_data(client, leader):
    text = ("Danh sách hộ tổ 1\r\n"
            "TT,Họ tên,Địa chỉ,Điện thoại liên hệ,Ghi chú\r\n"
            "1,Vũ Thị Lan,\"Số 31, ngõ 10, Đường Thử, Tổ 1, phường Thử\",0987 000 111,\r\n"
            "2,Hà Văn Tú,33 ngõ 10 ngách 6 Đường Thử,,Nhà cho thuê\r\n"
            "3,Mai Văn Cường,\"5 Phố Mới\",,\r\n"
            "Ghi chú: danh sách cập nhật đến 30/11/2026,,,,\r\n"
            "Ngày 30 tháng 11 năm 2026,,,,\r\n")
    response = upload(client, text.encode("utf-8-sig"))
    page = page_of(response)
    assert response.status_code == 200, page
    assert "Cột “Địa chỉ” được tách thành số nhà, ngõ và đường." in page
    assert "Bỏ qua 2 dòng cuối" in page and "Ghi chú: danh sách cập nhật" in page
    before = count()
    confirm(client, response)
    assert count() == before + 3
    lan, tu, cuong = household("Vũ Thị Lan"), household("Hà Văn Tú"), household("Mai Văn Cường")
    assert (lan.house_number, lan.lane.name, lan.street, lan.phone) == (
        "31", "Ngõ 10", "Đường Thử", "0987000111")
    assert (tu.house_number, tu.lane.full_name, tu.note) == (
        "33", "Ngõ 10/Ngách 6, Đường Thử", "Nhà cho thuê")
    assert (cuong.house_number, cuong.lane, cuong.street) == ("5", None, "Phố Mới")


def test_a_row_that_looks_like_a_note_in_the_middle_is_still_data(client, leader):
    text = ("Số nhà,Ngõ,Chủ hộ\r\n41,ngõ 10,Đào Văn Tâm\r\n"
            ",,Tống Văn Khải\r\n43,ngõ 10,Tống Thị Hoa\r\n")
    response = upload(client, text)
    page = page_of(response)
    # the middle row is not skipped as a footer: it is a household without a house number
    assert response.status_code == 422
    assert re.search(r'<td class="num">3</td><td>Số nhà</td><td>Thiếu số nhà</td>', page)


def test_unknown_column_is_named_with_the_field_it_probably_means(client, leader):
    before = count()
    response = upload(client, "Số nhà,Ngõ,Chủ hộ,Số điện thoai di động,Màu cửa\r\n"
                              "45,ngõ 10,Lý Văn Phúc,0912000111,xanh\r\n")
    page = page_of(response)
    assert response.status_code == 422 and count() == before
    assert "Không nhận ra cột “Số điện thoai di động” (có phải là cột “Số điện thoại”?)" in page
    assert "Không nhận ra cột “Màu cửa”; hãy đổi tên cột hoặc xóa cột này" in page


def test_a_missing_column_names_the_unknown_one_that_is_probably_it(client, leader):
    response = upload(client, "Số nhà,Ngõ,Họ tên chủ hộ gia đình\r\n45,ngõ 10,Lý Văn Phúc\r\n")
    page = page_of(response)
    assert response.status_code == 422
    assert "Thiếu cột bắt buộc: “Chủ hộ” (cột “Họ tên chủ hộ gia đình” có phải là cột này?" in page


def test_id_card_column_is_dropped_never_stored_and_the_preview_says_why(client, leader):
    text = ("Số nhà,Ngõ,Họ và tên chủ hộ,Số CCCD/CMND,Số nhân khẩu\r\n"
            "51,ngõ 20,Kiều Văn Long,001085012345,2\r\n"
            "53,ngõ 20,Kiều Thị Nga,001190054321,1\r\n")
    response = upload(client, text)
    page = page_of(response)
    assert response.status_code == 200, page
    assert "Cột “Số CCCD/CMND” không được đọc và không lưu" in page
    assert "001085012345" not in page
    draft = db.session.scalar(db.select(ImportDraft))
    assert b"001085012345" not in draft.data and b"001190054321" not in draft.data
    confirm(client, response)
    long = household("Kiều Văn Long")
    assert (long.house_number, long.lane.name, long.members) == ("51", "Ngõ 20", 2)
    stored = " ".join(str(v) for h in (long, household("Kiều Thị Nga"))
                      for v in (h.note, h.phone, h.head_name, h.house_number))
    assert "0010850" not in stored and "0011900" not in stored


def test_house_number_excel_made_a_date_gets_one_message(client, leader):
    data = workbook([["Số nhà", "Ngõ", "Chủ hộ"], [datetime(2026, 3, 12), "ngõ 10", "Hoàng Thu"]])
    response = upload(client, data, "ho.xlsx")
    page = page_of(response)
    assert response.status_code == 422
    assert "Excel đã đổi ô này thành ngày tháng" in page and "Thiếu số nhà" not in page
    assert counted(page, "errors") == 1 and page.count('<td class="num">2</td>') == 1


# --- person-per-row lists (danh sách nhân khẩu) ------------------------------------------

FAMILIES = [  # (house, lane, head, [(relation, born)...]); born: a date, a serial, a year, text
    ("61", "ngõ 10", "Nguyễn Văn Bảy", [("Vợ", "12/05/1962"), ("Con", 31048), ("Con", "1990")]),
    ("63", "ngõ 10", "Trần Văn Tám", [("Vợ", datetime(1970, 1, 2)), ("Con trai", 2001)]),
    ("65", "ngõ 10", "Lê Thị Chín", [("Con", "3/1995"), ("Cháu", "2015")]),
    ("67", "ngõ 20", "Phạm Văn Mười", [("Vợ", 1958), ("Con", 1985), ("Con dâu", 1987),
                                         ("Cháu", 2010), ("Cháu", 2012)]),
    ("69", "ngõ 20", "Đỗ Thị Hằng", [("Con", "")]),
    ("71", "ngõ 20", "Bùi Văn Nam", [("Vợ", 1966), ("Con", 1992), ("Con", 1996)]),
    ("2", "ngõ 88", "Hồ Văn Đông", [("Vợ", 1975), ("Mẹ", 1940), ("Con", 2003)]),
    ("4", "ngõ 88", "Ngô Thị Xuân", [("Chồng", 1981), ("Con", 2009), ("Con", 2012)]),
    ("6", "ngõ 88", "Vương Văn Hạ", [("Vợ", 1990), ("Con", 2018), ("Con", 2021), ("Em", 1995)]),
]
HEAD_BORN = {"Nguyễn Văn Bảy": "01/01/1960", "Trần Văn Tám": datetime(1968, 7, 1),
             "Lê Thị Chín": 1972, "Phạm Văn Mười": "1955", "Đỗ Thị Hằng": 18264,
             "Bùi Văn Nam": 1964, "Hồ Văn Đông": 1973, "Ngô Thị Xuân": 1983, "Vương Văn Hạ": 1988}


def person_rows() -> list[list[object]]:
    rows = [["DANH SÁCH NHÂN KHẨU TỔ 1"],
            ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Quan hệ với chủ hộ", "Số nhà", "Ngõ",
             "Đường", "Số CCCD"]]
    n = 0
    for house, lane, head, members in FAMILIES:
        n += 1
        rows.append([n, head, HEAD_BORN[head], "Nam", "Chủ hộ", house, lane, "Đường Thử",
                     f"0010{n:08d}"])
        for k, (relation, born) in enumerate(members):
            n += 1
            # the address on the head's row only, or repeated on every row: both are read
            again = [house, lane, "Đường Thử"] if k % 2 else [None, None, None]
            rows.append([n, f"Người {n}", born, "Nữ", relation, *again, f"0010{n:08d}"])
    rows += [[], [None, "Người lập biểu", None, None, "Tổ trưởng"], [None, "Phạm Thu Hà"]]
    return rows


def test_a_person_list_is_grouped_into_households_with_relation_and_birth_year(client, leader):
    people = sum(1 + len(m) for *_, m in FAMILIES)
    assert people >= 30 and len(FAMILIES) >= 8
    year = local_today().year
    base_before = bases([leader.home.id], "neighbourhood", year)[leader.home.id]["15plus"]
    before, lanes_before = count(), lanes()
    response = upload(client, workbook(person_rows()), "nhan khau.xlsx")
    page = page_of(response)
    assert response.status_code == 200, page
    assert counted(page, "added") == 9 and counted(page, "updated") == 0
    assert counted(page, "residents") == people
    assert f"Danh sách nhân khẩu: {people} người, gộp thành {len(FAMILIES)} hộ" in page
    assert "Cột “Ngày sinh”: chỉ giữ năm sinh." in page and "“Giới tính”" in page
    assert "Cột “Số CCCD” không được đọc và không lưu" in page
    assert "Bỏ qua 2 dòng cuối (không phải hộ): dòng 39 “Người lập biểu · Tổ trưởng”" in page
    assert b"00100000" not in db.session.scalar(db.select(ImportDraft.data))  # no ID number kept
    confirm(client, response)
    assert count() == before + 9 and lanes() == lanes_before + 1  # ngõ 88
    assert residents("Nguyễn Văn Bảy") == [("Chủ hộ", 1960), ("Vợ", 1962), ("Con", 1985),
                                           ("Con", 1990)]
    assert residents("Trần Văn Tám") == [("Chủ hộ", 1968), ("Vợ", 1970), ("Con trai", 2001)]
    assert residents("Lê Thị Chín") == [("Chủ hộ", 1972), ("Con", 1995), ("Cháu", 2015)]
    assert residents("Đỗ Thị Hằng") == [("Chủ hộ", 1950), ("Con", None)]
    assert household("Phạm Văn Mười").members == 6
    assert household("Vương Văn Hạ").lane.full_name == "Ngõ 88, Đường Thử"
    # no name of a resident, no ID number is stored anywhere a resident is
    labels = {r.label for r in db.session.scalars(db.select(Resident))}
    assert not any(label.startswith(("Người ", "0010")) for label in labels)
    # the new people count in the per-person figures: VNeID's base (15+) grows by those of 15+
    born = [r.birth_year for r in db.session.scalars(db.select(Resident).join(Household).where(
        Household.head_name.in_([head for _, _, head, _ in FAMILIES])))]
    assert len(born) == people
    grown = sum(1 for b in born if b is None or year - b >= 15)
    assert bases([leader.home.id], "neighbourhood", year)[leader.home.id]["15plus"] == base_before + grown


def test_person_list_refusals_name_row_and_column_and_change_nothing(client, leader):
    before = count()
    text = ("Họ và tên,Năm sinh,Quan hệ với chủ hộ,Số nhà,Ngõ\r\n"
            "Người Một,1980,Vợ,81,ngõ 10\r\n"
            "Chu Văn Hai,1975,Chủ hộ,83,ngõ 10\r\n"
            "Người Ba,32/13/1990,Con,,\r\n"
            "Người Bốn,2001,Con,85,ngõ 10\r\n"
            "Người Năm,2003,,,\r\n")
    response = upload(client, text)
    page = page_of(response)
    assert response.status_code == 422 and count() == before
    assert re.search(r'<td class="num">2</td><td>Quan hệ với chủ hộ</td><td>Nhân khẩu chưa có chủ hộ', page)
    assert re.search(r'<td class="num">4</td><td>Năm sinh</td><td>Năm sinh “32/13/1990” không phải', page)
    assert re.search(r'<td class="num">5</td><td>Số nhà</td><td>Địa chỉ khác với hộ của chủ hộ ở dòng 3',
                     page)
    assert re.search(r'<td class="num">6</td><td>Quan hệ với chủ hộ</td><td>Thiếu quan hệ với chủ hộ',
                     page)
    assert "/confirm" not in page


# --- a member count without a list ------------------------------------------------------------

def test_a_member_count_creates_that_many_unknown_residents_and_figures_count_them(client, leader):
    year = local_today().year
    before = bases([leader.home.id], "neighbourhood", year)[leader.home.id]
    response = upload(client, "Số nhà,Ngõ,Chủ hộ,Số nhân khẩu\r\n91,ngõ 10,Tạ Văn Minh,4\r\n"
                              "93,ngõ 10,Tạ Thị Thu,0\r\n95,ngõ 10,Tạ Văn Lực,\r\n")
    page = page_of(response)
    assert response.status_code == 200 and counted(page, "residents") == 4
    assert "Tạo 4 nhân khẩu theo cột số nhân khẩu, chưa rõ quan hệ và năm sinh" in page
    confirm(client, response)
    assert residents("Tạ Văn Minh") == [(UNKNOWN_RELATION, None)] * 4
    assert household("Tạ Văn Minh").members == 4
    assert residents("Tạ Thị Thu") == [] and residents("Tạ Văn Lực") == []
    after = bases([leader.home.id], "neighbourhood", year)[leader.home.id]
    # VNeID's base (15+), the adults', the working age's: each counts the four people
    for basis in ("all", "15plus", "adult", "working_age"):
        assert after[basis] == before[basis] + 4, basis


def test_a_re_imported_count_leaves_a_household_s_own_residents_alone(client, leader):
    lane = db.session.scalar(db.select(Lane).where(Lane.name == "Ngõ 10",
                                                   Lane.neighbourhood_id == leader.home.id))
    known = db.session.scalar(db.select(Household).where(Household.lane_id == lane.id,
                                                         Household.house_number == "1"))
    response = upload(client, "Số nhà,Ngõ,Chủ hộ,Số nhân khẩu\r\n1,ngõ 10,Nguyễn Văn An,5\r\n")
    page = page_of(response)
    assert counted(page, "updated") == 1 and counted(page, "residents") == 0
    assert "1 hộ đã có danh sách nhân khẩu: giữ nguyên danh sách đó." in page
    confirm(client, response)
    db.session.expire_all()
    assert [(r.label, r.birth_year) for r in db.session.get(Household, known.id).residents] == [
        ("chủ hộ", 1970), ("con", 2000)]


# --- the leader's own export, re-imported -------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_leader_s_export_re_imports_as_updates_never_duplicates(client, leader, fmt):
    hostile = db.session.scalar(db.select(Household).where(
        Household.neighbourhood_id == leader.home.id).order_by(Household.id))
    hostile.set_head_name("=HYPERLINK(\"http://x\",\"Bấm\")")
    # a ngách named as the demo names them ("Ngách 10/3" under "Ngõ 10"), and one plainly
    ngo = db.session.scalar(db.select(Lane).where(Lane.name == "Ngõ 10",
                                                  Lane.neighbourhood_id == leader.home.id))
    for name in ("Ngách 10/3", "Ngách 5"):
        lane = Lane(neighbourhood_id=leader.home.id, name=name, street=ngo.street, parent=ngo)
        db.session.add(lane)
        db.session.flush()
        helpers.gen_household(leader.home, lane, "7", head=f"Hộ trong {name}")
    db.session.commit()
    export = client.get(f"/dashboard/export/households.{fmt}")
    assert export.status_code == 200
    households, lanes_before = count(), lanes()
    mine = db.session.scalar(db.select(db.func.count(Household.id)).where(
        Household.neighbourhood_id == leader.home.id))
    response = upload(client, export.data, f"gocua-ho-dan.{fmt}")
    page = page_of(response)
    assert response.status_code == 200, page
    assert counted(page, "added") == 0 and counted(page, "updated") == mine
    assert "Bỏ qua các cột số liệu của tệp xuất từ Gõ Cửa: “Tổ dân phố”, “Đồng ý lưu thông tin”" in page
    assert "“Internet cáp quang”" in page and "“VNeID mức 2”" in page
    assert "Ngõ mới sẽ được tạo" not in page
    confirm(client, response)
    assert count() == households and lanes() == lanes_before
    db.session.expire_all()
    assert db.session.get(Household, hostile.id).head_name == "=HYPERLINK(\"http://x\",\"Bấm\")"


def test_a_lane_is_the_same_lane_with_or_without_its_street(client, leader):
    before, lanes_before = count(), lanes()
    response = upload(client, "Số nhà,Ngõ,Đường,Chủ hộ\r\n"
                              "1,\"Ngõ 10, Đường Thử\",,Nguyễn Văn An\r\n"
                              "2,\"Ngõ 10, Đường Thử\",Đường Thử,Nguyễn Văn An\r\n"
                              "3,Ngõ 10,,Nguyễn Văn An\r\n")
    page = page_of(response)
    assert counted(page, "updated") == 3 and counted(page, "added") == 0
    confirm(client, response)
    assert count() == before and lanes() == lanes_before


def test_a_workbook_with_an_id_card_column_waits_without_it_and_imports_the_same(client, leader):
    data = workbook([["STT", "Số nhà", "Số CMND", "Ngõ", "Họ tên chủ hộ", "Năm sinh", "Số khẩu", "Ghi chú"],
                     [1, "101", "012345678", "ngõ 20", "Quách Văn Hiếu", 1961, 3],
                     [2, "103", "012345679", "ngõ 20", "Quách Thị Lụa", "04/09/1970", 2, "Nhà trọ"]])
    response = upload(client, data, "ho.xlsx")
    page = page_of(response)
    assert response.status_code == 200, page
    assert "Cột “Số CMND” không được đọc và không lưu" in page and "012345678" not in page
    assert "Cột “Năm sinh”: chỉ giữ năm sinh của chủ hộ." in page
    draft = db.session.scalar(db.select(ImportDraft))
    assert b"01234567" not in draft.data and draft.filename.endswith(".csv")
    before = count()
    assert confirm(client, response).status_code == 303
    assert count() == before + 2
    assert residents("Quách Văn Hiếu") == [("chủ hộ", 1961), (UNKNOWN_RELATION, None),
                                           (UNKNOWN_RELATION, None)]
    assert household("Quách Thị Lụa").note == "Nhà trọ"
    assert residents("Quách Thị Lụa") == [("chủ hộ", 1970), (UNKNOWN_RELATION, None)]


def test_a_member_row_with_part_of_the_head_s_address_joins_the_household(client, leader):
    text = ("Họ và tên,Năm sinh,Quan hệ với chủ hộ,Số nhà,Ngõ,Đường\r\n"
            "Lục Văn Quý,1950,Chủ hộ,111,ngõ 20,Đường Thử\r\n"
            "Người Hai,1952,Vợ,111,,\r\n"
            "Người Ba,1980,Con,111,ngõ 20,\r\n")
    response = upload(client, text)
    assert response.status_code == 200, page_of(response)
    confirm(client, response)
    assert residents("Lục Văn Quý") == [("Chủ hộ", 1950), ("Vợ", 1952), ("Con", 1980)]
