"""Sign-in with a password or a PIN, one-time links, sign-out and the language switch."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _

from extensions import db
from models import audit
from models.audit import count_repeated
from models import signin
from routes.access import WALKERS

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site; never another host.

    Browsers drop tabs and newlines from a Location and read a backslash as a slash, so
    "/%09/evil.example" (a tab) would lead to //evil.example: any such character refuses the path."""
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    if any(c == "\\" or c.isspace() or not c.isprintable() for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _start_session(user, via: str):
    """A new session id at every sign-in (nothing from before survives)."""
    locale = session.get("locale")
    session.clear()
    session["sid"] = signin.open_session(user)
    if locale:
        session["locale"] = locale
    session.permanent = True
    audit("sign_in", user_id=user.id, neighbourhood_id=user.neighbourhood_id, via=via)
    db.session.commit()


def _limits() -> signin.Limits:
    cfg = current_app.config
    return signin.Limits(per_window=cfg["SIGN_IN_MAX_FAILURES"],
                         window=timedelta(minutes=cfg["SIGN_IN_WINDOW_MINUTES"]),
                         per_day=cfg["SIGN_IN_MAX_FAILURES_PER_DAY"])


def _refused(login: str, tried, outcome: str):
    """A refused sign-in, counted on the account tried (if any) so its leader sees it: one
    audit entry per account, outcome and window however many tries."""
    count_repeated("sign_in", outcome=outcome, window=_limits().window,
                   object_type="user" if tried else "", object_id=tried.id if tried else None,
                   neighbourhood_id=tried.neighbourhood_id if tried else None)
    db.session.commit()
    if outcome == "throttled":
        flash(_("Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(m)s phút.",
                m=current_app.config["SIGN_IN_WINDOW_MINUTES"]), "error")
        return render_template("auth/sign_in.html", login=login), 429
    flash(_("Sai tên đăng nhập, số điện thoại, mật khẩu hoặc mã PIN."), "error")
    return render_template("auth/sign_in.html", login=login), 401


def _home_for(user) -> str:
    return url_for("walk.today") if user.role in WALKERS else url_for("home.index")


@bp.get("/sign-in")
def sign_in_form():
    """The sign-in form (HEAD too: Flask answers HEAD with this view, never the POST)."""
    return render_template("auth/sign_in.html", login="")


@bp.post("/sign-in")
def sign_in():
    """Password for leaders and officers, phone number and PIN for volunteers."""
    login = request.form.get("login", "")
    tried = signin.find_user(login)
    keys = signin.throttle_keys(login, tried, request.remote_addr or "")
    this_try = signin.take_a_try(keys, _limits())
    if this_try is None:
        return _refused(login, tried, "throttled")
    user = signin.authenticate(tried, request.form.get("secret", ""))
    if user is None:
        return _refused(login, tried, "failed")
    signin.clear_failures(keys, this_try)
    _start_session(user, via="password")
    return redirect(_safe_next(request.args.get("next")) or _home_for(user), code=303)


def _link_or_410(token: str):
    """The unused, unexpired link a token names, or None."""
    return signin.peek_link(current_app.config["SECRET_KEY"], token,
                            current_app.config["SIGN_IN_LINK_HOURS"])


@bp.get("/l/<token>")
def link_page(token: str):
    """A one-time link only shows a button: chat previews and link scanners (GET or HEAD)
    cannot use it up."""
    found = _link_or_410(token)
    if found is None:
        return render_template("auth/link.html", valid=False), 410
    return render_template("auth/link.html", valid=True, name=found.user.name)


@bp.post("/l/<token>")
def link(token: str):
    """The button on the link's page: sign in, once."""
    found = _link_or_410(token)
    if found is None:
        return render_template("auth/link.html", valid=False), 410
    if not found.user.active or not signin.use_link(found):
        db.session.rollback()
        return render_template("auth/link.html", valid=False), 410
    _start_session(found.user, via="link")
    return redirect(_home_for(found.user), code=303)


@bp.post("/sign-out")
def sign_out():
    """End this browser's session; a copy of its cookie no longer works."""
    if g.get("user"):
        audit("sign_out", user_id=g.user.id)
    signin.end_session(session.get("sid"))
    db.session.commit()
    session.clear()
    # The sign-in page then empties the offline copies of the walk (a shared phone).
    return redirect(url_for("auth.sign_in", out=1), code=303)


@bp.post("/language")
def language():
    """Switch between Vietnamese and English."""
    choice = request.form.get("lang", "vi")
    if choice not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = choice
    return redirect(_safe_next(request.form.get("next")) or url_for("home.index"), code=303)
