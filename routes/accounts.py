"""Accounts: the first admin from the command line; leaders and ward officers from the admin's
screen (volunteers are the leader's, in routes/team.py). Each new account signs in first with
a one-time link.

    flask users create-admin --username quantri --name "Nguyễn Văn Quản"
    flask users link quantri          a new one-time link for an account
"""
from __future__ import annotations

import os
import sys

import click
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask.cli import AppGroup
from flask_babel import gettext as _

from extensions import db
from models import Neighbourhood, User, Ward, audit
from models.place import all_wards
from models.signin import make_link_token
from models.user import Invalid, check_secret, find_by_username, new_account, staff
from routes.access import EVERYWHERE, PASSWORD_HOLDERS, roles
from routes.web import refused
from vocabulary import ADMIN, LEADER, WARD_OFFICER

bp = Blueprint("accounts", __name__)
STAFF_ROLES = (LEADER, WARD_OFFICER, ADMIN)  # the roles the admin gives (volunteers: leaders)
PASSWORD_MIN = 10

users_cli = AppGroup("users", help="Tài khoản: quản trị viên đầu tiên, link đăng nhập một lần.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def link_for(user, created_by=None) -> str:
    """A one-time sign-in link for the account, as a full address."""
    token = make_link_token(current_app.config["SECRET_KEY"], user, created_by,
                            current_app.config["SIGN_IN_LINK_HOURS"])
    return url_for("auth.link", token=token, _external=True)


def _print_link(user, base_url: str) -> None:
    with current_app.test_request_context(base_url=base_url):
        url = link_for(user)
    audit("sign_in_link_made", object_type="user", object_id=user.id, via="cli")
    db.session.commit()
    click.echo(f"Link đăng nhập một lần cho {user.name} (hết hạn sau "
               f"{current_app.config['SIGN_IN_LINK_HOURS']} giờ):")
    click.echo(url)


BASE_URL = click.option("--base-url", default=lambda: os.environ.get("GOCUA_URL",
                                                                     "http://127.0.0.1:5000"),
                        show_default="GOCUA_URL or http://127.0.0.1:5000",
                        help="The address people open the app at.")


@users_cli.command("create-admin")
@click.option("--username", required=True, help="Tên đăng nhập của quản trị viên.")
@click.option("--name", required=True, help="Họ tên.")
@BASE_URL
def create_admin_command(username: str, name: str, base_url: str) -> None:
    """Create an admin and print a one-time sign-in link (a new install starts here)."""
    try:
        user = new_account(ADMIN, name, username)
    except Invalid as problem:
        db.session.rollback()
        _fail(str(problem))
    audit("account_created", object_type="user", object_id=user.id, role=ADMIN, via="cli")
    _print_link(user, base_url)


@users_cli.command("link")
@click.argument("username")
@BASE_URL
def link_command(username: str, base_url: str) -> None:
    """Print a new one-time sign-in link for an account."""
    user = find_by_username(username)
    if user is None or not user.active:
        _fail(f"Không có tài khoản đang hoạt động tên “{username}”")
    _print_link(user, base_url)


# -- The admin's screen ------------------------------------------------------------------
def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        abort(404)
    return user


def _group(value) -> Neighbourhood:
    group = db.session.get(Neighbourhood, int(value)) if str(value).isdigit() else None
    if group is None or group.retired_at is not None:
        raise Invalid(_("Hãy chọn tổ cho tổ trưởng."))
    return group


def _ward(value) -> Ward:
    ward = db.session.get(Ward, int(value)) if str(value).isdigit() else None
    if ward is None or ward.retired_at is not None:
        raise Invalid(_("Hãy chọn phường/xã cho cán bộ phường."))
    return ward


@bp.route("/accounts/")
@roles(*EVERYWHERE)
def index():
    """Leaders, ward officers and admins: a new one, a link, a move, a lock."""
    wards = all_wards()
    return render_template("accounts/index.html", people=staff(), wards=wards,
                           roles_given=STAFF_ROLES)


@bp.post("/accounts/")
@roles(*EVERYWHERE)
def create():
    """A new leader (of a group), ward officer (of a ward) or admin."""
    form = request.form
    back = url_for("accounts.index")
    role = form.get("role", "")
    try:
        if role not in STAFF_ROLES:
            raise Invalid(_("Hãy chọn vai trò."))
        ward_id = group_id = None
        if role == LEADER:
            group = _group(form.get("neighbourhood"))
            group_id, ward_id = group.id, group.ward_id
        elif role == WARD_OFFICER:
            ward_id = _ward(form.get("ward")).id
        user = new_account(role, form.get("name", ""), form.get("username", ""),
                           ward_id=ward_id, neighbourhood_id=group_id)
    except Invalid as problem:
        return refused(problem, back)
    audit("account_created", user_id=g.user.id, object_type="user", object_id=user.id,
          role=role, neighbourhood_id=group_id)
    db.session.commit()
    flash(_("Đã tạo tài khoản cho %(name)s. Bấm “Tạo link đăng nhập” để gửi cho họ.",
            name=user.name), "ok")
    return redirect(url_for("accounts.index") + f"#user-{user.id}", code=303)


@bp.post("/accounts/<int:user_id>/link")
@roles(*EVERYWHERE)
def make_link(user_id: int):
    """A one-time sign-in link to share over Zalo."""
    person = _account(user_id)
    if not person.active:
        return refused(_("Tài khoản đang bị khoá: hãy mở khoá trước."), url_for("accounts.index"))
    url = link_for(person, g.user)
    audit("sign_in_link_made", user_id=g.user.id, object_type="user", object_id=person.id)
    db.session.commit()
    return render_template("_share_link.html", person=person, url=url)


@bp.post("/accounts/<int:user_id>/move")
@roles(*EVERYWHERE)
def move(user_id: int):
    """Move a leader to another group (an officer to another ward)."""
    person = _account(user_id)
    back = url_for("accounts.index") + f"#user-{person.id}"
    try:
        if person.role == LEADER:
            group = _group(request.form.get("neighbourhood"))
            person.neighbourhood_id, person.ward_id = group.id, group.ward_id
        elif person.role == WARD_OFFICER:
            person.ward_id = _ward(request.form.get("ward")).id
        else:
            raise Invalid(_("Tài khoản quản trị không thuộc tổ nào."))
    except Invalid as problem:
        return refused(problem, back)
    audit("account_changed", user_id=g.user.id, object_type="user", object_id=person.id,
          change="move", neighbourhood_id=person.neighbourhood_id)
    db.session.commit()
    flash(_("Đã chuyển %(name)s.", name=person.name), "ok")
    return redirect(back, code=303)


@bp.post("/accounts/<int:user_id>/active")
@roles(*EVERYWHERE)
def set_active(user_id: int):
    """Lock or unlock an account; a locked one is refused at its next request."""
    person = _account(user_id)
    back = url_for("accounts.index") + f"#user-{person.id}"
    if person.id == g.user.id:
        return refused(_("Bạn không thể tự khoá tài khoản của mình."), back)
    person.active = request.form.get("active") == "1"
    audit("account_changed", user_id=g.user.id, object_type="user", object_id=person.id,
          change="active", active=person.active)
    db.session.commit()
    return redirect(back, code=303)


# -- Everyone's own password --------------------------------------------------------------
@bp.route("/account", methods=["GET", "POST"])
@roles(*PASSWORD_HOLDERS, writes=True)
def account():
    """Set one's own password (after signing in first with a link)."""
    if request.method in ("GET", "HEAD"):
        return render_template("accounts/account.html")
    form, back = request.form, url_for("accounts.account")
    if g.user.password_hash and not check_secret(g.user.password_hash, form.get("current", "")):
        return refused(_("Mật khẩu hiện tại không đúng."), back)
    password = form.get("password", "")
    if len(password) < PASSWORD_MIN:
        return refused(_("Mật khẩu cần ít nhất %(n)s ký tự.", n=PASSWORD_MIN), back)
    if password != form.get("again", ""):
        return refused(_("Hai lần nhập mật khẩu không giống nhau."), back)
    g.user.set_password(password)
    audit("account_changed", user_id=g.user.id, object_type="user", object_id=g.user.id,
          change="password")
    db.session.commit()
    flash(_("Đã lưu mật khẩu. Lần sau hãy đăng nhập bằng tên đăng nhập %(u)s và mật khẩu này.",
            u=g.user.username), "ok")
    return redirect(back, code=303)
