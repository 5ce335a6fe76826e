"""Places, kept by the admin: wards and their groups, one at a time or from a list; meeting
points from the map; retiring keeps history. The same from `flask places`."""
from __future__ import annotations

import io
import re

import openpyxl

from extensions import db
from models import AuditEntry, Campaign, Household, Neighbourhood, Ward


def _csrf(client, path="/places/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": _csrf(client), **data},
                       follow_redirects=True)


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _groups(ward) -> list[str]:
    return sorted(n.name for n in db.session.scalars(
        db.select(Neighbourhood).where(Neighbourhood.ward_id == ward.id)))


def test_the_admin_creates_a_ward_its_groups_and_a_meeting_point(client, auth, world):
    auth.sign_in(world.admin)
    page = _post(client, "/places/wards", name="Phường Tích Lương", province="Thái Nguyên",
                 aliases="Phường Tân Thành")
    assert "Phường Tích Lương" in page.get_data(as_text=True)
    ward = db.session.scalar(db.select(Ward).where(Ward.name == "Phường Tích Lương"))
    page = _post(client, f"/places/wards/{ward.id}/groups", name="Tổ dân phố số 6")
    group = db.session.scalar(db.select(Neighbourhood).where(Neighbourhood.ward_id == ward.id))
    assert group.name == "Tổ dân phố số 6"
    # The new group has the ward's campaign, with the default services.
    campaign = db.session.scalar(db.select(Campaign).where(Campaign.neighbourhood_id == group.id))
    assert campaign is not None and len(campaign.on_form) == 8
    page = _post(client, f"/places/groups/{group.id}/meeting-point", lat="21.5712",
                 lon="105.8461", label="Nhà văn hoá tổ 6")
    db.session.refresh(group)
    assert (group.meeting_lat, group.meeting_lon) == (21.5712, 105.8461)
    assert group.meeting_point == "Nhà văn hoá tổ 6"
    # The group's page holds the map that sets it.
    page = client.get(f"/places/groups/{group.id}").get_data(as_text=True)
    assert "L.map(" in page and "map-point" in page and "places.js" in page


def test_a_meeting_point_off_the_map_is_refused(client, auth, world):
    auth.sign_in(world.admin)
    page = _post(client, f"/places/groups/{world.home.id}/meeting-point", lat="48.85",
                 lon="2.35").get_data(as_text=True)
    assert "Điểm tập trung phải nằm ở Việt Nam" in page
    db.session.refresh(world.home)
    assert world.home.meeting_lat == 21.553


def test_many_groups_from_a_list_all_or_none(client, auth, world):
    auth.sign_in(world.admin)
    ward = world.ward
    good = _xlsx([["STT", "Tên tổ"], [1, "Tổ dân phố số 3"], [2, "Tổ dân phố số 4"],
                  [3, "Thôn Đồng"]])
    page = client.post(f"/places/wards/{ward.id}/groups/import", follow_redirects=True,
                       data={"csrf_token": _csrf(client), "file": (io.BytesIO(good), "to.xlsx")})
    assert "Đã thêm 3 tổ" in page.get_data(as_text=True)
    assert _groups(ward) == ["Thôn Đồng", "Tổ 1", "Tổ 2", "Tổ dân phố số 3", "Tổ dân phố số 4"]
    before = _groups(ward)
    for rows, message in [
            ([["Tên tổ"], ["Tổ dân phố số 5"], ["tổ dân phố  số 5"]],
             "Dòng 3: “tổ dân phố số 5” trùng với dòng 2"),
            ([["Tên tổ"], ["Tổ dân phố số 7"], ["Tổ 1"]], "Dòng 3: Phường Thử đã có “Tổ 1”"),
            ([["Tên tổ"], ["Tổ dân phố số 8"], ["@Tổ 8"]], "Dòng 3: Tên không được"),
            ([["Tên tổ"], ["Tổ dân phố số 9"], ["x" * 200]], "Dòng 3: Tên dài quá")]:
        page = client.post(f"/places/wards/{ward.id}/groups/import", follow_redirects=True,
                           data={"csrf_token": _csrf(client),
                                 "file": (io.BytesIO(_xlsx(rows)), "to.xlsx")})
        text = page.get_data(as_text=True)
        assert message in text and "Chưa tổ nào được thêm" in text, text[-2000:]
        assert _groups(ward) == before
    csv = "Tên tổ\nTổ dân phố số 10\nTổ dân phố số 10\n".encode()
    page = client.post(f"/places/wards/{ward.id}/groups/import", follow_redirects=True,
                       data={"csrf_token": _csrf(client), "file": (io.BytesIO(csv), "to.csv")})
    assert "trùng với dòng 2" in page.get_data(as_text=True)
    assert _groups(ward) == before


def test_retiring_keeps_history_and_a_ward_with_groups_is_refused(client, auth, world):
    auth.sign_in(world.admin)
    page = _post(client, f"/places/wards/{world.ward.id}/retire").get_data(as_text=True)
    assert "Chưa thể thôi “Phường Thử”: còn 2 tổ đang hoạt động" in page
    db.session.refresh(world.ward)
    assert world.ward.retired_at is None
    for group in (world.home, world.other):
        _post(client, f"/places/groups/{group.id}/retire")
    _post(client, f"/places/wards/{world.ward.id}/retire")
    db.session.refresh(world.ward)
    assert world.ward.retired_at is not None
    # Nothing deleted: the groups and their households are still there.
    assert db.session.get(Neighbourhood, world.home.id) is not None
    assert db.session.scalar(db.select(db.func.count(Household.id)).where(
        Household.neighbourhood_id == world.home.id)) == 6
    # Retired groups leave the officer's list.
    auth.sign_out()
    auth.sign_in(world.officer)
    assert "Tổ 1" not in client.get("/").get_data(as_text=True)


def test_renaming_to_a_name_the_ward_has_is_refused(client, auth, world):
    auth.sign_in(world.admin)
    page = _post(client, f"/places/groups/{world.home.id}/rename", name="tổ 2")
    assert "Phường Thử đã có “tổ 2”" in page.get_data(as_text=True)
    _post(client, f"/places/groups/{world.home.id}/rename", name="Tổ dân phố số 1")
    db.session.refresh(world.home)
    assert world.home.name == "Tổ dân phố số 1"
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "place_changed")) == 1


def test_only_the_admin_keeps_places(client, auth, world):
    for user in (world.leader, world.officer):
        auth.sign_in(user)
        assert client.get("/places/").status_code == 403
        auth.sign_out()


def test_places_from_the_command_line(app, runner, tmp_path):
    result = runner.invoke(args=["places", "add-ward", "Phường Tích Lương", "--province",
                                 "Thái Nguyên", "--aliases", "Phường Tân Thành"])
    assert result.exit_code == 0, result.output
    ward_id = int(result.output.split()[0])
    result = runner.invoke(args=["places", "add-groups", str(ward_id), "Tổ dân phố số 6",
                                 "Tổ dân phố số 6"])
    assert result.exit_code == 1 and "trùng với dòng 1" in result.output
    listing = tmp_path / "to.csv"
    listing.write_text("Tên tổ\nTổ dân phố số 6\nTổ dân phố số 7\n", encoding="utf-8")
    result = runner.invoke(args=["places", "import-groups", str(ward_id), str(listing)])
    assert result.exit_code == 0, result.output
    group_id = int(result.output.split()[0])
    result = runner.invoke(args=["places", "meeting-point", str(group_id), "21.57", "105.84",
                                 "--label", "Nhà văn hoá tổ 6"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["places", "retire-ward", str(ward_id)])
    assert result.exit_code == 1 and "còn 2 tổ đang hoạt động" in result.output
    listed = runner.invoke(args=["places", "list"]).output
    assert "Tổ dân phố số 6" in listed and "Tổ dân phố số 7  [chưa có điểm tập trung]" in listed
