"""Importing a household list: preview, confirm all or nothing, the same rules on the CLI."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from extensions import db
from models import Household, Lane
from models.base import utcnow
from models.importing import ImportDraft
from tests.test_households import token
from tests.test_sheets import csv_text, to_cp1258, xlsx_bytes

ROWS = ("1,Ngõ 10,Đường Thử,Đặng Văn Đức,4,0912345678,,,",
        "5,ngõ 10/ngách 3,Đường Thử,Trần Thị Quế,3,,21.5535,105.8625,Nhà góc",
        "7,ngõ 99,Đường Thử,Lê Văn Nam,2,,,,")


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return world


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(Household.id)))


def upload(client, data: bytes | str, name: str = "ho.csv"):
    data = data.encode() if isinstance(data, str) else data
    return client.post("/households/import", content_type="multipart/form-data",
                       data={"csrf_token": token(client), "file": (io.BytesIO(data), name)})


def confirm(client, response):
    action = re.search(r'action="(/households/import/\d+/confirm)"',
                       response.get_data(as_text=True)).group(1)
    return client.post(action, data={"csrf_token": token(client)})


def test_preview_counts_added_updated_and_new_lanes_then_nothing_until_confirmed(client, leader):
    before = count()
    response = upload(client, to_cp1258(csv_text(*ROWS)))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="count-added">2<', page) and re.search(r'id="count-updated">1<', page)
    assert "Ngõ 10/Ngách 3" in page and "Ngõ 99" in page  # lanes to create
    assert count() == before
    assert confirm(client, response).status_code == 303
    assert count() == before + 2
    db.session.expire_all()
    updated = db.session.scalar(db.select(Household).join(Lane).where(
        Lane.name == "Ngõ 10", Household.house_number == "1"))
    assert updated.head_name == "Đặng Văn Đức" and updated.members == 4
    corner = db.session.scalar(db.select(Household).where(Household.head_name == "Trần Thị Quế"))
    assert corner.lane.full_name == "Ngõ 10/Ngách 3, Đường Thử"
    assert (corner.lat, corner.position_source) == (21.5535, "import")
    assert not db.session.scalars(db.select(ImportDraft)).all()  # the draft is used up


def test_xlsx_import(client, leader):
    data = xlsx_bytes([["Số nhà", "Ngõ", "Chủ hộ", "Số khẩu"], ["20", "Ngõ 20", "Hà Thị Lan", 3]])
    response = upload(client, data, "danh sach.xlsx")
    assert response.status_code == 200
    before = count()
    confirm(client, response)
    assert count() == before + 1


def test_a_bad_file_is_refused_with_rows_columns_and_reasons_and_changes_nothing(client, leader):
    before = count()
    bad = csv_text("3,Ngõ 10,Đường Thử,Ma Văn Sơn,-2,,,,",
                   "4,Ngõ 10,Đường Thử,Ma Văn Toàn,2,,48.85,2.35,")
    response = upload(client, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "không được âm" in page and "nằm ngoài Việt Nam" in page
    assert re.search(r'<td class="num">2</td><td>Số nhân khẩu</td>', page)
    assert re.search(r'<td class="num">3</td><td>Vĩ độ</td>', page)
    assert "/confirm" not in page
    assert count() == before


@pytest.mark.parametrize("name, data, reason", [
    ("anh.png", b"\x89PNG\r\n\x1a\n....", "Chỉ nhận tệp .csv hoặc .xlsx"),
    ("gia.xlsx", "Số nhà,Chủ hộ\n1,A\n".encode(), "không phải là bảng tính Excel"),
])
def test_files_that_are_not_lists_are_refused(client, leader, name, data, reason):
    response = upload(client, data, name)
    assert response.status_code == 422 and reason in response.get_data(as_text=True)


def test_an_over_size_upload_gets_413_in_vietnamese(app, client, leader):
    csrf = token(client)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/households/import", content_type="multipart/form-data",
                           data={"csrf_token": csrf, "file": (io.BytesIO(b"x" * 4096), "a.csv")})
    assert response.status_code == 413 and "Tệp quá lớn" in response.get_data(as_text=True)


def test_confirm_is_all_or_nothing_when_the_database_changed_meanwhile(client, leader):
    response = upload(client, csv_text("8,Ngõ 10,Đường Thử,Vũ Văn Hải,2,,,,"))
    assert response.status_code == 200
    # Another leader's edit between preview and confirm makes the row an update instead.
    lane = db.session.scalar(db.select(Lane).where(Lane.name == "Ngõ 10"))
    from tests import helpers
    helpers.gen_household(leader.home, lane, "8", head="Người Khác")
    db.session.commit()
    before = count()
    confirm(client, response)
    assert count() == before
    assert db.session.scalar(db.select(Household.head_name).where(
        Household.house_number == "8", Household.lane_id == lane.id)) == "Vũ Văn Hải"


def test_another_user_cannot_confirm_my_draft(client, auth, world, leader):
    response = upload(client, csv_text(*ROWS))
    action = re.search(r'action="(/households/import/\d+/confirm)"',
                       response.get_data(as_text=True)).group(1)
    auth.sign_out()
    auth.sign_in(world.other_leader)
    before = count()
    assert client.post(action, data={"csrf_token": token(client)}).status_code == 404
    assert count() == before


def test_cli_imports_and_refuses_with_exit_status_1(app, runner, world, tmp_path):
    good, bad = tmp_path / "tot.csv", tmp_path / "xau.csv"
    good.write_bytes(csv_text(*ROWS).encode("utf-8-sig"))
    bad.write_bytes(csv_text("3,Ngõ 10,Đường Thử,Ma Văn Sơn,-2,,,,").encode())
    before = count()
    refused = runner.invoke(args=["households", "import", str(bad), "--neighbourhood",
                                  str(world.home.id)])
    assert refused.exit_code == 1
    assert "Dòng 2" in refused.stderr and "không được âm" in refused.stderr
    assert count() == before
    done = runner.invoke(args=["households", "import", str(good), "--neighbourhood",
                               str(world.home.id)])
    assert done.exit_code == 0, done.output
    assert "2 hộ mới, 1 hộ cập nhật" in done.stdout
    assert count() == before + 2


def _draft_action(response) -> str:
    return re.search(r'action="(/households/import/\d+/confirm)"',
                     response.get_data(as_text=True)).group(1)


def test_erasing_a_household_removes_it_from_unconfirmed_drafts(client, leader):
    lane = leader.home.lanes[0]
    household = db.session.scalar(db.select(Household).where(
        Household.lane_id == lane.id, Household.house_number == "2"))
    household_id = household.id
    holding = upload(client, csv_text(f"2,{lane.name},Đường Thử,Lý Thị Mai,3,0911222333,,,",
                                      "9,Ngõ 99,Đường Thử,Lê Văn Nam,2,,,,"))
    other = upload(client, csv_text("5,Ngõ 77,Đường Thử,Hà Văn Tú,2,,,,"))
    assert holding.status_code == other.status_code == 200
    response = client.post(f"/households/{household_id}/erase",
                           data={"csrf_token": token(client), "confirm": "yes"},
                           follow_redirects=True)
    assert "Tệp nhập danh sách chưa xác nhận có hộ này cũng đã bị huỷ" in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.scalars(db.select(ImportDraft)).all()
    assert not any("Lý Thị Mai".encode() in draft.data for draft in kept)
    assert len(kept) == 1  # the draft without the household stays
    before = count()
    assert client.post(_draft_action(holding), data={"csrf_token": token(client)}).status_code == 404
    assert count() == before  # the erased household does not come back with the file
    assert not db.session.scalar(db.select(Household).where(Household.head_name == "Lý Thị Mai"))
    assert client.post(_draft_action(other), data={"csrf_token": token(client)}).status_code == 303


def test_a_draft_older_than_a_day_cannot_be_confirmed_and_is_deleted(client, leader, runner):
    response = upload(client, csv_text(*ROWS))
    assert "tối đa 24 giờ" in response.get_data(as_text=True)
    draft = db.session.scalar(db.select(ImportDraft))
    draft.created_at -= timedelta(hours=24, minutes=1)
    db.session.commit()
    before = count()
    refused = client.post(_draft_action(response), data={"csrf_token": token(client)},
                          follow_redirects=True)
    assert "quá 24 giờ nên đã bị xoá" in refused.get_data(as_text=True)
    assert count() == before
    db.session.expire_all()
    assert not db.session.scalars(db.select(ImportDraft)).all()
    upload(client, csv_text(*ROWS))  # and an expired draft nobody opens goes at the hourly sweep
    db.session.execute(db.update(ImportDraft).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    swept = runner.invoke(args=["households", "sweep-drafts"])
    assert swept.exit_code == 0 and "Đã xoá 1 tệp" in swept.output
    db.session.expire_all()
    assert not db.session.scalars(db.select(ImportDraft)).all()
