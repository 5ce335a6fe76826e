"""Exports for the ward's report: open in a spreadsheet, Vietnamese intact, no live formula."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from extensions import db
from models import AuditEntry
from tests.test_dashboard import houses, met

HOSTILE = "=HYPERLINK(\"http://x\",\"Bấm\")"


@pytest.fixture
def listed(world):
    a, b, *_ = houses(world.home)
    a.set_head_name("Đặng Thị Quế")
    a.phone = "0912345678"
    a.consent_at = datetime(2026, 11, 20, 3, 0)
    b.set_head_name(HOSTILE)
    b.street = "+Phố Lạ"
    db.session.commit()
    met(a, broadband="yes", vneid=["activated", None])
    return world


def cells(response):
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    return [[c for c in row] for row in sheet.iter_rows()]


def test_the_households_workbook_keeps_vietnamese_and_runs_no_formula(client, auth, listed):
    auth.sign_in(listed.leader)
    response = client.get("/dashboard/export/households.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = cells(response)
    values = [[c.value for c in row] for row in rows]
    assert values[0][:7] == ["Tổ dân phố", "Ngõ", "Đường", "Số nhà", "Chủ hộ", "Số điện thoại",
                             "Đồng ý lưu thông tin"]
    flat = [v for row in values for v in row]
    assert "Đặng Thị Quế" in flat and "Tổ 1" in flat and "Ngõ 10, Đường Thử" in flat
    # text cells typed as text: shown as written, never a formula, no apostrophe to remove
    assert HOSTILE in flat and "+Phố Lạ" in flat and "'" + HOSTILE not in flat
    assert not [c for row in rows for c in row if c.data_type == "f"]
    assert {c.data_type for row in rows for c in row if c.value == HOSTILE} == {"s"}
    quế = next(row for row in values if "Đặng Thị Quế" in row)
    assert "Có" in quế and "1/2" in quế  # broadband yes, VNeID for one of two residents
    assert quế[6] == "20/11/2026" and all(row[6] in ("", None) for row in values[1:]
                                          if row is not quế)  # consent: when, or not yet


def test_the_csv_has_a_bom_and_neutralised_formulas(client, auth, listed):
    auth.sign_in(listed.leader)
    body = client.get("/dashboard/export/households.csv").data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Tổ dân phố"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert len(rows) == 1 + 6


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_officer_gets_no_household_rows_only_figures_per_group_and_lane(client, auth, listed,
                                                                           fmt):
    auth.sign_in(listed.officer)
    assert client.get(f"/dashboard/export/households.{fmt}").status_code == 403
    for page in ("/dashboard", f"/dashboard?neighbourhood={listed.home.id}"):
        body = client.get(page).get_data(as_text=True)
        assert "/dashboard/export/figures" in body and "/dashboard/export/households" not in body
    response = client.get(f"/dashboard/export/figures.{fmt}")
    assert response.status_code == 200
    values = ([[c.value for c in row] for row in cells(response)] if fmt == "xlsx" else
              list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))))
    assert values[0][:3] == ["Tổ dân phố", "Ngõ", "Chỉ tiêu"]
    groups = {(row[0], row[1]) for row in values[1:]}
    assert groups == {("Tổ 1", "Cả tổ"), ("Tổ 1", "Ngõ 10, Đường Thử"), ("Tổ 1", "Ngõ 20, Đường Thử"),
                      ("Tổ 2", "Cả tổ"), ("Tổ 2", "Ngõ 10, Đường Thử"), ("Tổ 2", "Ngõ 20, Đường Thử")}
    flat = {str(v) for row in values for v in row}
    assert not flat & {"0912345678", "Đặng Thị Quế", "'" + HOSTILE, "'+Phố Lạ", "Phố Lạ"}
    broadband = [row for row in values if row[2] == "Internet cáp quang" and row[0] == "Tổ 1"]
    assert [[str(v) for v in row[1:5]] for row in broadband] == [
        ["Cả tổ", "Internet cáp quang", "1", "6"], ["Ngõ 10, Đường Thử", "Internet cáp quang", "1", "3"],
        ["Ngõ 20, Đường Thử", "Internet cáp quang", "0", "3"]]


def test_the_leader_keeps_the_household_list(client, auth, listed):
    auth.sign_in(listed.leader)
    assert "/dashboard/export/households" in client.get("/dashboard").get_data(as_text=True)
    values = [[c.value for c in row] for row in cells(client.get("/dashboard/export/households.xlsx"))]
    assert "Đặng Thị Quế" in {v for row in values for v in row}


def test_the_figures_table(client, auth, listed):
    auth.sign_in(listed.leader)
    response = client.get("/dashboard/export/figures.xlsx")
    values = [[c.value for c in row] for row in cells(response)]
    broadband = next(row for row in values if row[2] == "Internet cáp quang")
    assert broadband[:7] == ["Tổ 1", "Cả tổ", "Internet cáp quang", 1, 6, 16.7, 100]
    assert any(row[2] == "Hộ có người đã dùng dịch vụ công trực tuyến" for row in values)


def test_every_export_is_audited_with_who_and_what(client, auth, listed):
    auth.sign_in(listed.officer)
    client.get("/dashboard/export/figures.csv")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.user_id == listed.officer.id and entry.object_type == "figures"
    assert entry.detail["format"] == "csv" and entry.at is not None
    assert "phone" not in str(entry.detail)


@pytest.mark.parametrize("path", ["/dashboard/export/households.xlsx",
                                  "/dashboard/export/figures.csv"])
def test_no_export_outside_ones_reach(client, auth, listed, path):
    auth.sign_in(listed.leader)
    assert client.get(f"{path}?neighbourhood={listed.other.id}").status_code == 404
    auth.sign_out()
    auth.sign_in(listed.volunteer)
    assert client.get(path).status_code == 403
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "export")) == 0


def test_an_unknown_format_is_not_found(client, auth, listed):
    auth.sign_in(listed.leader)
    assert client.get("/dashboard/export/households.pdf").status_code == 404
