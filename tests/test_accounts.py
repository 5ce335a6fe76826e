"""Accounts: the first admin from the command line, then leaders, officers and volunteers from
the browser, each signing in first with a one-time link."""
from __future__ import annotations

import re

from extensions import db
from models import User


def _link(output: str) -> str:
    return re.search(r"https?://\S+/l/\S+", output).group(0)


def test_a_new_install_starts_with_an_admin_and_a_one_time_link(app, client, runner):
    result = runner.invoke(args=["users", "create-admin", "--username", "quantri",
                                 "--name", "Nguyễn Văn Quản", "--base-url", "https://gocua.vn"])
    assert result.exit_code == 0, result.output
    url = _link(result.output)
    assert url.startswith("https://gocua.vn/l/")
    path = url.split("gocua.vn")[1]
    page = client.get(path)
    assert "Nguyễn Văn Quản" in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    signed_in = client.post(path, data={"csrf_token": csrf})
    assert signed_in.status_code == 303
    assert client.get("/").status_code == 200
    # The link is used up.
    assert client.get(path).status_code == 410


def test_create_admin_refuses_a_taken_or_bad_username_and_adds_nothing(app, runner):
    runner.invoke(args=["users", "create-admin", "--username", "quantri", "--name", "A"])
    for username in ("quantri", "x", "có dấu"):
        result = runner.invoke(args=["users", "create-admin", "--username", username,
                                     "--name", "B"])
        assert result.exit_code == 1
        assert "Tên đăng nhập" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_users_link_prints_a_new_link(app, runner):
    runner.invoke(args=["users", "create-admin", "--username", "quantri", "--name", "A"])
    result = runner.invoke(args=["users", "link", "quantri"])
    assert result.exit_code == 0 and "/l/" in result.output
    assert runner.invoke(args=["users", "link", "nobody"]).exit_code == 1


def _csrf(client, path="/accounts/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _sign_in_by(client, url: str):
    path = "/l/" + url.split("/l/")[1]
    page = client.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(path, data={"csrf_token": csrf})


def test_the_admin_menu_and_forms_are_the_admins(client, auth, world):
    auth.sign_in(world.admin)
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index('<nav'):page.index('</nav>')]
    for label in ("Địa bàn", "Tài khoản", "Các tổ", "Số liệu"):
        assert label in nav
    # The team page never offers the admin a form the server refuses.
    team = client.get(f"/team/?neighbourhood={world.home.id}").get_data(as_text=True)
    assert "Thêm thành viên" not in team and "Bạn không có quyền" not in team


def test_the_admin_makes_a_leader_and_an_officer_each_with_a_link(client, auth, world):
    auth.sign_in(world.admin)
    for data in ({"name": "Trần Thị Lan", "username": "lan", "role": "leader",
                  "neighbourhood": world.home.id},
                 {"name": "Lê Văn Hùng", "username": "hung", "role": "ward_officer",
                  "ward": world.ward.id}):
        response = client.post("/accounts/", data={"csrf_token": _csrf(client), **data})
        assert response.status_code == 303
    lan = db.session.scalar(db.select(User).where(User.username == "lan"))
    hung = db.session.scalar(db.select(User).where(User.username == "hung"))
    assert (lan.role, lan.neighbourhood_id, lan.ward_id) == ("leader", world.home.id, world.ward.id)
    assert (hung.role, hung.ward_id) == ("ward_officer", world.ward.id)
    box = client.post(f"/accounts/{lan.id}/link", headers={"X-CSRFToken": _csrf(client),
                                                           "HX-Request": "true"})
    text = box.get_data(as_text=True)
    assert "data-share" in text and "data-copy" in text and "Chia sẻ" in text
    url = re.search(r'value="(http[^"]+/l/[^"]+)"', text).group(1)
    auth.sign_out()
    assert _sign_in_by(client, url).status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert world.home.name in home
    # She sets a password and signs in with it next time.
    client.post("/account", data={"csrf_token": _csrf(client, "/account"),
                                  "password": "mat-khau-lan-1", "again": "mat-khau-lan-1"})
    auth.sign_out()
    client.get("/sign-in")
    response = client.post("/sign-in", data={"login": "lan", "secret": "mat-khau-lan-1",
                                              "csrf_token": auth.csrf()})
    assert response.status_code == 303


def test_a_ward_has_any_number_of_officers_and_a_leader_moves_or_is_locked(client, auth, world):
    auth.sign_in(world.admin)
    for n in range(3):
        client.post("/accounts/", data={"csrf_token": _csrf(client), "name": f"Cán bộ {n}",
                                         "username": f"canbo{n}", "role": "ward_officer",
                                         "ward": world.ward.id})
    assert db.session.scalar(db.select(db.func.count(User.id)).where(
        User.role == "ward_officer", User.ward_id == world.ward.id)) == 4
    client.post(f"/accounts/{world.leader.id}/move", data={"csrf_token": _csrf(client),
                                                          "neighbourhood": world.other.id})
    db.session.refresh(world.leader)
    assert world.leader.neighbourhood_id == world.other.id
    client.post(f"/accounts/{world.leader.id}/active", data={"csrf_token": _csrf(client),
                                                            "active": "0"})
    auth.sign_out()
    assert auth.sign_in(world.leader).status_code == 401


def test_bad_account_input_is_refused_and_adds_nothing(client, auth, world):
    auth.sign_in(world.admin)
    before = db.session.scalar(db.select(db.func.count(User.id)))
    for data, message in [
            ({"name": "A", "username": "lan", "role": "leader"}, "Hãy chọn tổ cho tổ trưởng"),
            ({"name": "A", "username": "hung", "role": "ward_officer"},
             "Hãy chọn phường/xã cho cán bộ phường"),
            ({"name": "A", "username": world.leader.username, "role": "admin"},
             "đã có người dùng")]:
        page = client.post("/accounts/", data={"csrf_token": _csrf(client), **data},
                           follow_redirects=True).get_data(as_text=True)
        assert message in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == before


def test_a_leader_adds_a_volunteer_without_a_pin_and_shares_the_link(client, auth, world):
    auth.sign_in(world.leader)
    client.post("/team/", data={"csrf_token": _csrf(client, "/team/"), "name": "Phạm Thu",
                                "phone": "0912 345 678"})
    thu = db.session.scalar(db.select(User).where(User.phone == "0912345678"))
    assert thu.role == "volunteer" and thu.pin_hash is None
    box = client.post(f"/team/{thu.id}/link", headers={"X-CSRFToken": _csrf(client, "/team/")})
    url = re.search(r'value="(http[^"]+/l/[^"]+)"', box.get_data(as_text=True)).group(1)
    auth.sign_out()
    assert _sign_in_by(client, url).headers["Location"].endswith("/walk")
