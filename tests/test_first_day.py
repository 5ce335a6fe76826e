"""The first day is obvious: a new group's home lists its start-up steps, done or not, each a
link; empty pages say what to do next; an empty map opens on the group or its ward."""
from __future__ import annotations

import re

from extensions import db
from models import Availability, Neighbourhood, Ward
from models.campaign import give_ward_campaign
from tests import helpers


def _new_group(ward, name="Tổ mới", **fields) -> Neighbourhood:
    group = Neighbourhood(ward=ward, name=name, **fields)
    db.session.add(group)
    db.session.flush()
    give_ward_campaign(group)
    return group


def _steps(page: str) -> dict[str, str]:
    """{step: "done" | "todo"} as the home page lists them."""
    return {code: state for state, code in
            re.findall(r'<li class="(done|todo)" data-step="(\w+)"', page)}


def test_a_new_groups_home_lists_its_first_steps_each_a_link(client, auth, world):
    group = _new_group(world.ward)
    leader = helpers.gen_user("leader", group)
    db.session.commit()
    auth.sign_in(leader)
    page = client.get("/").get_data(as_text=True)
    assert "Các bước bắt đầu" in page and "Đã xong 1/8 bước" in page
    steps = _steps(page)
    assert steps == {"campaign": "done", "households": "todo", "positions": "todo",
                     "lanes": "todo", "volunteers": "todo", "links": "todo",
                     "availability": "todo", "first_shift": "todo"}
    for href in ("/campaign", "/households/import", "/households/map", "/team/",
                 "/availability/", "/shifts/"):
        assert f'href="{href}"' in page
        assert client.get(href).status_code == 200
    # Empty pages say what to do next.
    assert "Nhập danh sách hộ" in client.get("/households/").get_data(as_text=True)
    assert "lên kế hoạch buổi đầu tiên" in client.get("/shifts/").get_data(as_text=True)
    assert "Tổ chưa có thành viên nào. Thêm thành viên" in client.get("/team/").get_data(
        as_text=True)
    assert "Chưa có số liệu" in client.get("/dashboard").get_data(as_text=True)
    # A volunteer added, their link made: two more steps done.
    volunteer = helpers.gen_user("volunteer", group)
    volunteer.pin_hash = None  # added by the leader without a PIN: the link is the way in
    db.session.commit()
    assert _steps(client.get("/").get_data(as_text=True))["links"] == "todo"
    client.post(f"/team/{volunteer.id}/link", headers={"X-CSRFToken": auth.csrf()})
    steps = _steps(client.get("/").get_data(as_text=True))
    assert steps["volunteers"] == steps["links"] == "done"


def test_the_steps_leave_once_every_one_is_done(client, auth, day):
    helpers.gen_user("volunteer", day.home).pin_hash = None  # added, no PIN, no link yet
    for volunteer in (day.volunteer, day.volunteer2):
        volunteer.availability = [Availability(weekday=0, slot="toi")]
    db.session.commit()
    for volunteer in (day.volunteer, day.volunteer2):
        auth.sign_in(volunteer)
        auth.sign_out()
    auth.sign_in(day.leader)
    page = client.get("/").get_data(as_text=True)
    # The one volunteer never sent a link is the step still to do.
    assert _steps(page)["links"] == "todo" and "Đã xong 7/8 bước" in page


def _map_centre(page: str) -> tuple[float, float]:
    lat, lon = re.search(r"center: \[([\d.]+), ([\d.]+)\]", page).groups()
    return float(lat), float(lon)


def test_an_empty_map_opens_on_the_meeting_point_or_the_ward_never_a_default_city(
        client, auth, world):
    group = _new_group(world.ward, meeting_lat=21.5712, meeting_lon=105.8461)
    bare = _new_group(world.ward, "Tổ chưa có điểm")
    far_ward = Ward(name="Phường Trống", province="Cao Bằng")
    lonely = _new_group(far_ward, "Tổ đầu tiên")
    leaders = [helpers.gen_user("leader", g) for g in (group, bare, lonely)]
    db.session.commit()
    centres = []
    for leader in leaders:
        auth.sign_in(leader)
        centres.append(_map_centre(client.get("/households/map").get_data(as_text=True)))
        auth.sign_out()
    assert centres[0] == (21.5712, 105.8461)
    # No point of its own: its ward's groups' meeting points.
    db.session.refresh(world.ward)
    assert centres[1] == tuple(round(c, 10) for c in world.ward.centre) or \
        abs(centres[1][0] - world.ward.centre[0]) < 1e-6
    assert centres[2] == (16.0, 106.0)  # nothing known: the country, not Hà Nội
    for centre in centres:
        assert centre != (21.0285, 105.8542)


def test_a_new_install_admin_is_sent_to_places_from_every_empty_page(app, client, runner):
    result = runner.invoke(args=["users", "create-admin", "--username", "quantri",
                                 "--name", "Quản Trị"])
    path = "/l/" + re.search(r"/l/(\S+)", result.output).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     client.get(path).get_data(as_text=True)).group(1)
    client.post(path, data={"csrf_token": csrf})
    for page in ("/", "/dashboard", "/campaign", "/accounts/", "/places/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert "/places/" in response.get_data(as_text=True)
        assert "Chưa có phường/xã nào" in response.get_data(as_text=True) or page == "/"
