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
from flask import current_app, url_for
from flask.cli import AppGroup

from extensions import db
from models import audit
from models.signin import make_link_token
from models.user import Invalid, find_by_username, new_account
from vocabulary import ADMIN

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
