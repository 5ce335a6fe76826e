"""The campaign and its checklist: the ward's set by its officer, each group's copy adjusted by
its leader; what the door form asks; nothing recorded is lost when the checklist changes."""
from __future__ import annotations

import re
import uuid

from extensions import db
from models import Campaign, Neighbourhood, Service, ServiceState
from models.campaign import give_ward_campaign, start_ward_campaign
from models.rules import local_today
from tests import helpers

HX = {"HX-Request": "true"}


def _csrf(client, path="/campaign") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _post(client, path, back="/campaign", **data):
    return client.post(path, data={"csrf_token": _csrf(client, back), **data},
                       follow_redirects=True)


def _new_group(world, name="Tổ 3") -> Neighbourhood:
    """A group made as the admin makes one: no households yet, the ward's campaign."""
    group = Neighbourhood(ward=world.ward, name=name, meeting_lat=21.55, meeting_lon=105.86)
    db.session.add(group)
    db.session.flush()
    give_ward_campaign(group)
    db.session.commit()
    return group


def _ward_service(world, code) -> Service:
    campaign = start_ward_campaign(world.ward.id)
    db.session.commit()
    return next(s for s in campaign.services if s.code == code)


def _copy(group, code) -> Service:
    return db.session.scalar(db.select(Service).join(Campaign).where(
        Campaign.neighbourhood_id == group.id, Service.code == code))


def test_the_default_checklist_and_targets(app, world):
    campaign = start_ward_campaign(world.ward.id)
    targets = {s.code: (s.per, s.age_basis, s.target_pct) for s in campaign.services}
    assert targets["broadband"] == ("household", "all", 100)
    assert targets["payment"] == ("resident", "working_age", 90)
    assert targets["vneid"][2] == 95 and targets["public_service"][2] == 100
    assert {"local_apps", "internet_tv", "fraud_briefing", "smartphone"} <= set(targets)


def test_the_officer_sets_a_target_and_every_group_follows(client, auth, world):
    group = _new_group(world)
    vneid = _ward_service(world, "vneid")
    auth.sign_in(world.officer)
    page = _post(client, f"/campaign/services/{vneid.id}", target="97",
                 note="Mang CCCD gắn chip; kích hoạt trên app VNeID").get_data(as_text=True)
    assert "97%" in page
    copy = _copy(group, "vneid")
    db.session.refresh(copy)
    assert copy.target_pct == 97 and copy.note.startswith("Mang CCCD")


def test_a_target_of_140_percent_is_refused_and_nothing_changes(client, auth, world):
    vneid = _ward_service(world, "vneid")
    auth.sign_in(world.officer)
    for bad in ("140", "0", "abc"):
        page = _post(client, f"/campaign/services/{vneid.id}", target=bad, note="x")
        assert "phải từ 1 đến 100" in page.get_data(as_text=True) or \
            "phải là một số phần trăm" in page.get_data(as_text=True)
    db.session.refresh(vneid)
    assert vneid.target_pct == 95 and vneid.note == ""
    page = _post(client, f"/campaign/{vneid.campaign_id}/services", label="Dịch vụ mới",
                 per="household", age_basis="all", target="140").get_data(as_text=True)
    assert "Mục tiêu 140% không hợp lệ" in page
    assert not db.session.scalar(db.select(Service).where(Service.label_vi == "Dịch vụ mới"))


def test_an_officer_sets_only_their_own_wards_campaign(client, auth, world):
    far_campaign = start_ward_campaign(world.far.ward_id)
    db.session.commit()
    service = far_campaign.services[0]
    auth.sign_in(world.officer)
    response = client.post(f"/campaign/services/{service.id}",
                           data={"csrf_token": _csrf(client), "target": "50"})
    assert response.status_code == 404
    # ... and writes nothing else: the team is the leader's.
    assert client.post("/team/", data={"csrf_token": _csrf(client), "name": "X",
                                       "phone": "0911111111"}).status_code == 403


def test_the_leader_switches_a_service_off_and_adds_a_local_one(client, auth, world):
    group = _new_group(world)
    leader = helpers.gen_user("leader", group)
    volunteer = helpers.gen_user("volunteer", group)
    lane = helpers.gen_lane(group, "Ngõ 5", "Đường Mới", [(0, 0), (0, 60)], houses=2)
    db.session.commit()
    auth.sign_in(leader)
    tv = _copy(group, "internet_tv")
    _post(client, f"/campaign/services/{tv.id}/switch", on="0")
    page = _post(client, f"/campaign/{tv.campaign_id}/services", label="App Bắc Ninh iD",
                 per="resident", age_basis="15plus", target="80",
                 note="Tải từ CH Play, đăng nhập bằng VNeID").get_data(as_text=True)
    assert "App Bắc Ninh iD" in page
    # A service the ward set cannot be changed or retired by the group.
    page = _post(client, f"/campaign/services/{tv.id}", target="10").get_data(as_text=True)
    assert "Mục tiêu của dịch vụ này do phường đặt" in page
    db.session.refresh(tv)
    assert tv.target_pct == 80
    helpers.gen_shift(group, local_today(), give={volunteer: [lane]})
    db.session.commit()
    auth.sign_out()
    auth.sign_in(volunteer)
    walk = client.get("/walk").get_data(as_text=True)
    assert "App Bắc Ninh iD" in walk and "Tải từ CH Play" in walk
    assert "Truyền hình Internet" not in walk and "Internet cáp quang" in walk


def test_a_retired_service_keeps_its_records_and_figures_and_leaves_the_door_form(
        client, auth, day):
    broadband = db.session.scalar(db.select(Service).join(Campaign).where(
        Campaign.neighbourhood_id == day.home.id, Service.code == "internet_tv"))
    auth.sign_in(day.volunteer)
    page = client.get("/walk").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(f"/walk/stops/{day.door.id}/visits", headers={**HX, "X-CSRFToken": token},
                           data={"client_id": str(uuid.uuid4()), "outcome": "met",
                                 f"s-{broadband.id}": "yes"})
    assert response.status_code in (200, 201)
    auth.sign_out()
    auth.sign_in(day.leader)
    # The group's own copy has no parent (made before ward campaigns): the leader retires it.
    _post(client, f"/campaign/services/{broadband.id}/retire")
    db.session.refresh(broadband)
    assert broadband.retired_at is not None
    assert db.session.scalar(db.select(db.func.count(ServiceState.household_id)).where(
        ServiceState.service_id == broadband.id)) == 1
    figures = client.get("/dashboard").get_data(as_text=True)
    assert "Truyền hình Internet" in figures
    auth.sign_out()
    auth.sign_in(day.volunteer)
    assert "Truyền hình Internet" not in client.get("/walk").get_data(as_text=True)


def test_a_new_group_has_services_on_its_door_form_and_labels_in_its_legend(client, auth, world):
    group = _new_group(world)
    leader = helpers.gen_user("leader", group)
    db.session.commit()
    auth.sign_in(leader)
    page = client.get("/dashboard").get_data(as_text=True)
    legend = page[page.index('<ul class="legend">'):]
    legend = legend[:legend.index("</ul>")]
    assert "Internet cáp quang" in legend and "VNeID mức 2" in legend
    assert "broadband" not in re.sub(r"<[^>]+>", "", legend)


def test_a_group_without_a_campaign_is_told_how_to_get_one(client, auth, world):
    group = Neighbourhood(ward=world.ward, name="Tổ trống")
    db.session.add(group)
    db.session.flush()
    leader = helpers.gen_user("leader", group)
    db.session.commit()
    auth.sign_in(leader)
    page = client.get("/campaign").get_data(as_text=True)
    assert "Nhận đợt vận động của phường" in page
    _post(client, "/campaign/group/start")
    assert db.session.scalar(db.select(Campaign).where(Campaign.neighbourhood_id == group.id))


def test_a_groups_campaign_from_before_the_ward_had_one_follows_the_wards(client, auth, world):
    auth.sign_in(world.officer)
    page = client.get("/campaign").get_data(as_text=True)
    assert "Bắt đầu đợt vận động" in page
    _post(client, f"/campaign/wards/{world.ward.id}/start")
    vneid = _ward_service(world, "vneid")
    _post(client, f"/campaign/services/{vneid.id}", target="96", note="")
    for group in (world.home, world.other):
        copy = _copy(group, "vneid")
        db.session.refresh(copy)
        assert copy.target_pct == 96
    assert _copy(world.far, "vneid").target_pct == 95  # another ward's


def test_the_provinces_own_app_is_named_for_the_province(app, world):
    from models import Ward
    thai_nguyen = start_ward_campaign(world.ward.id)
    other = Ward(name="Phường Kinh Bắc", province="Bắc Ninh")
    db.session.add(other)
    db.session.flush()
    bac_ninh = start_ward_campaign(other.id)
    label = {c: next(s.label_vi for s in c.services if s.code == "local_apps")
             for c in (thai_nguyen, bac_ninh)}
    assert label[thai_nguyen] == "App C-ThaiNguyen / Thái Nguyên ID"
    assert label[bac_ninh] == "App công dân số của tỉnh Bắc Ninh"


def test_two_groups_local_services_never_share_a_code(app, world):
    from models.campaign import add_service
    codes = []
    for group in (world.home, world.other):
        campaign = give_ward_campaign(group)
        codes.append(add_service(campaign, "App riêng", "household", "all", "50", "").code)
    assert codes[0] != codes[1]
