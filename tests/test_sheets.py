"""sheets/: reading household lists (CSV/XLSX) and writing safe exports."""
from __future__ import annotations

import csv
import io
import math
import time
import unicodedata
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from sheets import ParsedSheet, SheetRefused, parse_households, safe_cell, write_csv, write_xlsx
from sheets.cells import EXCEL_DATE
from sheets.writer import clean_cell

HEADER = "Số nhà,Ngõ,Đường,Chủ hộ,Số nhân khẩu,Số điện thoại,Vĩ độ,Kinh độ,Ghi chú"
ROW = '12,ngõ 12/ngách 3,Phố Huế,Nguyễn Văn An,4,0912 345 678,"21,553",105.8,'
TONES = "\u0300\u0301\u0303\u0309\u0323"


def csv_text(*rows: str, header: str = HEADER, end: str = "\r\n") -> str:
    return end.join((header, *rows)) + end


def parse(text: str, encoding: str = "utf-8", name: str = "ho.csv") -> ParsedSheet:
    return parse_households(name, text.encode(encoding))


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese offices write it: base letters precomposed, tone marks combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def messages(sheet: ParsedSheet) -> list[str]:
    return [error.message for error in sheet.errors]


# --- encodings -------------------------------------------------------------------------

def test_utf8_with_bom():
    sheet = parse(csv_text(ROW), "utf-8-sig")
    assert sheet.encoding == "utf-8-sig" and sheet.rows[0].head_name == "Nguyễn Văn An"


def test_utf8_without_bom():
    sheet = parse(csv_text(ROW))
    assert sheet.encoding == "utf-8" and sheet.rows[0].street == "Phố Huế"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_unicode_text_with_tabs(encoding):
    text = csv_text("12\tngõ 5\tPhố Huế\tTrần Thị Quế\t3\t\t\t\t", header=HEADER.replace(",", "\t"))
    data = text.encode("utf-16-be") if encoding == "utf-16-be" else text.encode("utf-16")
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    sheet = parse_households("ho.txt", data)
    assert sheet.encoding.startswith("utf-16") and sheet.rows[0].head_name == "Trần Thị Quế"


def test_cp1258_tone_marks_come_out_nfc():
    data = to_cp1258(csv_text("5,ngõ 3,Đường Lê Lợi,Nguyễn Văn Bình,2,,,,"))
    assert b"\xd2" in data or b"\xde" in data  # really a combining tone mark, not precomposed
    sheet = parse_households("ho.csv", data)
    assert sheet.encoding == "cp1258"
    assert sheet.rows[0].head_name == unicodedata.normalize("NFC", "Nguyễn Văn Bình")
    assert sheet.rows[0].head_name.startswith("Nguyễn")


def test_truncated_utf16_is_a_clean_refusal():
    data = csv_text(ROW).encode("utf-16")[:-1]
    with pytest.raises(SheetRefused) as refused:
        parse_households("ho.txt", data)
    assert "hỏng" in refused.value.message


# --- separators and line ends ------------------------------------------------------------

@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_each_separator(separator):
    rows = [HEADER.split(","), ["7", "ngõ 1", "", "Lê Văn Cường", "5", "", "", "", ""]]
    out = io.StringIO()
    csv.writer(out, delimiter=separator).writerows(rows)
    sheet = parse(out.getvalue())
    assert [r.head_name for r in sheet.rows] == ["Lê Văn Cường"] and not sheet.errors


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"])
def test_line_ends(end):
    sheet = parse(csv_text(ROW, "13,ngõ 12,,Bùi Thị Lan,,,,,", end=end))
    assert [r.row_number for r in sheet.rows] == [2, 3]


# --- headers ---------------------------------------------------------------------------------

def test_english_headers():
    sheet = parse(csv_text("4,lane 7,,Pham Minh,3,,,,",
                           header="house_number,lane,street,head_name,members,phone,lat,lon,note"))
    assert sheet.rows[0].members == 3 and not sheet.errors


def test_headers_without_diacritics_or_case():
    sheet = parse(csv_text("4,,Pho Hue,Vu Ngoc Ha", header="so nha,NGO,Duong,CHU HO"))
    assert sheet.rows[0].head_name == "Vu Ngoc Ha" and sheet.rows[0].street == "Pho Hue"


def test_header_synonyms_and_title_row_above():
    text = ("DANH SÁCH HỘ GIA ĐÌNH TỔ 6\r\nSTT,Số nhà,Phố,Họ tên chủ hộ,Số khẩu,SĐT\r\n"
            "1,9,Phố Huế,Đỗ Yến,2,0987654321\r\n")
    sheet = parse(text)
    assert sheet.rows[0].row_number == 3 and sheet.rows[0].phone == "0987654321" and not sheet.errors


def test_unknown_column_is_reported():
    sheet = parse(csv_text("4,ngõ 1,Phố Huế,Vũ Hà,x", header="Số nhà,Ngõ,Đường,Chủ hộ,Màu cửa"))
    assert sheet.unknown_columns == ["Màu cửa"]
    assert any(e.column == "Màu cửa" and e.row_number == 1 for e in sheet.errors)


def test_missing_required_column_is_refused():
    with pytest.raises(SheetRefused, match="Chủ hộ"):
        parse(csv_text("4,ngõ 1", header="Số nhà,Ngõ"))


def test_no_header_row_is_refused():
    with pytest.raises(SheetRefused, match="tiêu đề"):
        parse("a,b,c\r\n1,2,3\r\n")


def test_no_data_rows_is_refused():
    with pytest.raises(SheetRefused, match="không có dòng dữ liệu"):
        parse(csv_text(",,,,,,,,", ""))


# --- fields --------------------------------------------------------------------------------

def test_lane_path_is_split():
    assert parse(csv_text(ROW)).rows[0].lane_path == ["ngõ 12", "ngách 3"]


def test_phone_digits_and_plus84():
    sheet = parse(csv_text(ROW, '13,ngõ 12,,Lê An,,+84 912 345 679,,,'))
    assert [r.phone for r in sheet.rows] == ["0912345678", "0912345679"]


def test_invalid_phone():
    sheet = parse(csv_text("13,ngõ 12,,Lê An,,12345,,,"))
    assert sheet.errors[0].column == "Số điện thoại"
    assert sheet.errors[0].message == "Số điện thoại không hợp lệ"


def test_decimal_comma_coordinates():
    row = parse(csv_text(ROW)).rows[0]
    assert (row.lat, row.lon) == (21.553, 105.8)


def test_lat_outside_vietnam():
    sheet = parse(csv_text("13,ngõ 12,,Lê An,,,48.85,2.35,"))
    assert "Vĩ độ 48.85 nằm ngoài Việt Nam" in messages(sheet)


def test_lat_without_lon():
    sheet = parse(csv_text("13,ngõ 12,,Lê An,,,21.5,,"))
    assert sheet.errors[0].column == "Kinh độ"


def test_negative_members():
    sheet = parse(csv_text("13,ngõ 12,,Lê An,-2,,,,"))
    assert messages(sheet) == ["Số nhân khẩu không được âm"] and not sheet.rows


def test_missing_house_number_and_name():
    sheet = parse(csv_text(",ngõ 12,,,,,,,"))
    assert set(messages(sheet)) == {"Thiếu số nhà", "Thiếu tên chủ hộ"}


def test_control_characters_stripped_and_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn\x07 Văn An")
    sheet = parse(csv_text(f"13,ngõ 12,,{decomposed},,,,,"))
    assert sheet.rows[0].head_name == "Nguyễn Văn An"


def test_text_too_long():
    sheet = parse(csv_text(f"13,ngõ 12,,{'A' * 201},,,,,"))
    assert sheet.errors[0].column == "Chủ hộ" and "200" in sheet.errors[0].message


def test_short_row_and_extra_cells():
    sheet = parse(csv_text("13,ngõ 12,,Lê An", "14,ngõ 12,,Lê Bình,,,,,,Hà Nội"))
    assert [(e.row_number, "chỉ có 4 ô" in e.message) for e in sheet.errors] == [(2, True), (3, False)]
    assert "ô thừa" in sheet.errors[1].message


def test_duplicate_household_flags_the_later_row():
    sheet = parse(csv_text(ROW, "", "12,Ngõ 12/ngách 3,Phố Huế,Khác,,,,,"))
    assert [(e.row_number, "trùng với dòng 2" in e.message) for e in sheet.errors] == [(4, True)]


def test_blank_lines_are_skipped_but_counted():
    sheet = parse(csv_text("", ROW, ",,,,,,,,"))
    assert [r.row_number for r in sheet.rows] == [3] and not sheet.errors


# --- whole-file refusals ---------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_size_limit():
    with pytest.raises(SheetRefused, match="quá lớn"):
        parse_households("ho.csv", csv_text(ROW).encode(), max_bytes=50)


@pytest.mark.parametrize("name", ["anh.csv", "anh.xlsx"])
def test_png_renamed_is_refused(name):
    with pytest.raises(SheetRefused):
        parse_households(name, PNG)


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(SheetRefused, match="không phải là bảng tính"):
        parse_households("ho.xlsx", buffer.getvalue())


def test_zip_bomb_is_refused_quickly():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 200_000_000)
    start = time.perf_counter()
    with pytest.raises(SheetRefused, match="giải nén quá lớn"):
        parse_households("ho.xlsx", buffer.getvalue())
    assert time.perf_counter() - start < 0.5


# --- xlsx ----------------------------------------------------------------------------------------

def test_xlsx_round_trip_with_numbers():
    data = xlsx_bytes([HEADER.split(","),
                       [12, "ngõ 3", "Phố Huế", "Hoàng Thu", 4, 912345678, 21.5, 105.8, None]])
    row = parse_households("ho.xlsx", data).rows[0]
    assert (row.house_number, row.members, row.phone, row.lat) == ("12", 4, "0912345678", 21.5)


def test_xlsx_house_number_turned_into_a_date():
    from datetime import datetime
    data = xlsx_bytes([HEADER.split(","), [datetime(2025, 3, 12), "ngõ 3", "", "Hoàng Thu"]])
    assert "ngày tháng" in parse_households("ho.xlsx", data).errors[0].message


# --- writer ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", " =cmd|' /C calc'!A0"])
def test_formula_prefixes_neutralised(value):
    assert safe_cell(value).startswith("'")


def test_safe_cell_basics():
    assert safe_cell(None) == "" and safe_cell("a\x00b\x1f") == "ab"
    assert safe_cell(unicodedata.normalize("NFD", "Quế")) == "Quế"


def test_csv_round_trip_with_bom_and_crlf():
    data = write_csv(["Chủ hộ", "Số"], [["Đặng Thị Quế", 3], ["=HYPERLINK()", None]])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["Chủ hộ", "Số"], ["Đặng Thị Quế", "3"], ["'=HYPERLINK()", ""]]


def test_xlsx_round_trip_and_no_formula_cells():
    data = write_xlsx({"Hộ dân": (["Chủ hộ", "Số"], [["Đặng Thị Quế\x01", 3], ["=1+1", -5],
                                                      ["+84 912", "@A1"]])})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Hộ dân"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # typed as text: shown as written, no apostrophe (only a CSV needs that guard), never run
    assert values == [["Chủ hộ", "Số"], ["Đặng Thị Quế", 3], ["=1+1", -5], ["+84 912", "@A1"]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [c.data_type for c in sheet[3]] == ["s", "n"]


# --- properties ----------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.txt"]))
def test_parser_on_arbitrary_bytes_returns_or_refuses(data, name):
    for blob in (data, b"PK\x03\x04" + data):
        try:
            assert isinstance(parse_households(name, blob), ParsedSheet)
        except SheetRefused as refused:
            assert refused.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_parser_on_arbitrary_rows_returns_or_refuses(body, encoding):
    try:
        data = (HEADER + "\n" + body).encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        assert isinstance(parse_households("x.csv", data), ParsedSheet)
    except SheetRefused as refused:
        assert refused.message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none()), max_size=6))
def test_writer_never_starts_a_formula(values):
    cells = [safe_cell(value) for value in values]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    write_csv(["a"], [values])
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx({"a": (["h"], [values])}))).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    # each text cell holds the text itself, no apostrophe added: an .xlsx types it as text
    texts = [cell.value for cell in sheet[2] if isinstance(cell.value, str)]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)
               and math.isfinite(v)]
    assert texts == [clean_cell(v) for v in values if v not in numbers and clean_cell(v)]


# --- files as wards write them (pure parsing; the pages are in test_ward_files.py) ----------

@pytest.mark.parametrize("address, expected", [
    ("Số 12, ngõ 34/5, phố Huế, tổ 6", ("12", ["ngõ 34", "5"], "phố Huế")),
    ("12 ngõ 34 ngách 5 Hoàng Văn Thụ", ("12", ["ngõ 34", "ngách 5"], "Hoàng Văn Thụ")),
    ("Số nhà 7 Ngõ Chợ Đường Lê Lợi", ("7", ["Ngõ Chợ"], "Đường Lê Lợi")),
    ("25 Phan Đình Phùng", ("25", [], "Phan Đình Phùng")),
    ("SN 3, Ngõ 2, Tổ 6, phường Phan Đình Phùng, TP Thái Nguyên", ("3", ["Ngõ 2"], "")),
    ("12A ngõ 5/3 phố Huế", ("12A", ["ngõ 5", "3"], "phố Huế")),
])
def test_one_address_cell_is_split_into_number_lane_and_street(address, expected):
    sheet = parse(f'Chủ hộ,Địa chỉ\r\nAn,"{address}"\r\n')
    row = sheet.rows[0] if sheet.rows else None
    if not expected[1] and not expected[2]:
        assert sheet.errors
    else:
        assert (row.house_number, row.lane_path, row.street) == expected


@pytest.mark.parametrize("born, year", [("12/03/1985", 1985), ("1985", 1985), ("3/1985", 1985),
                                        ("31048", 1985), ("1985-03-12 00:00:00", 1985), ("", None)])
def test_birth_dates_keep_only_the_year(born, year):
    sheet = parse(f"Họ và tên,Ngày sinh,Quan hệ với chủ hộ,Số nhà,Ngõ\r\nAn,{born},Chủ hộ,1,ngõ 2\r\n")
    assert sheet.rows[0].residents == [("Chủ hộ", year)] and not sheet.errors


@pytest.mark.parametrize("born, message", [("31/02/1990", "không phải là ngày có thật"),
                                           ("2090", "năm sinh 2090 không hợp lệ"),
                                           ("hôm qua", "không đọc được")])
def test_a_birth_date_that_cannot_be_read_is_refused(born, message):
    sheet = parse(f"Họ và tên,Ngày sinh,Quan hệ với chủ hộ,Số nhà,Ngõ\r\nAn,{born},Chủ hộ,1,ngõ 2\r\n")
    assert sheet.errors[0].column == "Ngày sinh" and message in sheet.errors[0].message


def test_the_english_export_headers_are_read_and_its_figures_skipped():
    text = ("Neighbourhood,Lane,Street,House number,Head of household,Phone number,"
            "Consent to keep data,Residents,Status,Visits,Last visit,Fibre broadband\r\n"
            "Tổ 1,\"Ngõ 10, Đường Thử\",Đường Thử,1,An,,,2,Met,1,,Yes\r\n")
    sheet = parse_households("x.csv", text.encode(), figures=["Fibre broadband"])
    row = sheet.rows[0]
    assert (row.lane_path, row.lane_street, row.members) == (["Ngõ 10"], "Đường Thử", 2)
    assert not sheet.errors and "“Fibre broadband”" in sheet.notes[0]


def test_a_footer_word_in_the_middle_does_not_hide_the_rows_after_it():
    sheet = parse(csv_text("1,ngõ 1,,An,,,,,", ",,,Ghi chú: nhà mới,,,,,", "2,ngõ 1,,Bình,3,,,,",
                           "Tổng cộng,,,,3,,,,"))
    assert [r.head_name for r in sheet.rows] == ["An", "Bình"]
    assert {e.row_number for e in sheet.errors} == {3}  # the note row is a row without a house
    assert "Bỏ qua 1 dòng cuối (không phải hộ): dòng 5 “Tổng cộng · 3”." in sheet.notes


@pytest.mark.parametrize("number", ["12-Mar", "Mar-12", "12/03/2026", "2026-03-12"])
def test_a_house_number_excel_made_a_date_in_a_csv_gets_its_one_message(number):
    sheet = parse(csv_text(f"{number},ngõ 12,,Lê An,,,,,"))
    assert messages(sheet) == [EXCEL_DATE] and "ngày tháng" in EXCEL_DATE
    assert sheet.errors[0].column == "Số nhà"


@pytest.mark.parametrize("number", ["12/3", "12A", "5-7", "Lô 3", "12/03"])
def test_house_numbers_that_look_like_nothing_else_are_kept(number):
    assert parse(csv_text(f"{number},ngõ 12,,Lê An,,,,,")).rows[0].house_number == number


@pytest.mark.parametrize("note, refused", [("CCCD 001085012345", True), ("cmnd: 012345678", True),
                                           ("số 001085012345 của chủ hộ", True),
                                           ("SĐT con 0912345678", False), ("Nhà 3 tầng", False)])
def test_a_note_with_an_id_card_number_is_refused_never_kept(note, refused):
    sheet = parse(csv_text(f"13,ngõ 12,,Lê An,,,,,{note}"))
    assert bool(sheet.errors) == refused
    if refused:
        assert sheet.errors[0].column == "Ghi chú" and "căn cước" in sheet.errors[0].message
        assert not sheet.rows
