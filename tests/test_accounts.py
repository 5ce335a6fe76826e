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
