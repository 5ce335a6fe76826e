"""What every request shares: the signed-in user, locale, headers, filters, error pages."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import (Flask, abort, current_app, flash, g, has_request_context, jsonify,
                   make_response, redirect, render_template, request, session, url_for)
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

import labels
import vocabulary
from extensions import db, read_only
from models import User, UserSession
from models import signin
from models.base import MAX_ID, utcnow
from models.rules import local_time


_TRANSLATED: dict[tuple[str, int], dict[str, str]] = {}


def translated(labels: dict) -> dict[str, str]:
    """A module's table of lazy labels as plain strings in the request's language, worked out
    once per language and process: a walk page would translate each label per card."""
    key = (select_locale(), id(labels))
    if key not in _TRANSLATED:
        _TRANSLATED[key] = {code: str(label) for code, label in labels.items()}
    return _TRANSLATED[key]


def select_locale() -> str:
    """Vietnamese first; English when the user chose it (outside a request: Vietnamese)."""
    return (session.get("locale") if has_request_context() else None) or "vi"


def wants_fragment() -> bool:
    """An htmx request that swaps part of a page. htmx sends HX-Request also when it
    restores history after a cache miss, and then wants the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


class DatabaseId(IntegerConverter):
    """`<int:…>` in a path: a number an id column can hold, else the route does not match
    (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def id_arg(name: str, source=None) -> int | None:
    """An id the query string or form names (?lane=, ?before=, a form's shift): None when
    absent or not a number, 404 when no row could have it."""
    value = (request.values if source is None else source).get(name, type=int)
    if value is not None and abs(value) > MAX_ID:
        abort(404)
    return value


def json_object() -> dict:
    """The request's JSON body, which must be an object (a list or a number is a 400)."""
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        abort(make_response(jsonify(ok=False, error=_("Dữ liệu gửi lên không hợp lệ.")), 400))
    return body


SIGNED_IN = db.select(User, UserSession).join(UserSession).where(
    UserSession.id == db.bindparam("sid"), UserSession.ended_at.is_(None), User.active)


def load_user() -> None:
    """Put the signed-in user (or None) on g; an ended or expired session, or a disabled
    user, is refused."""
    g.user = None
    g.csp_nonce = secrets.token_urlsafe(16)
    read_only.set(request.method in ("GET", "HEAD", "OPTIONS"))
    sid = session.get("sid")
    if not sid:
        return
    found = db.session.execute(SIGNED_IN, {"sid": sid}).first()
    if found is None:
        session.clear()
        return
    if signin.expired(found.UserSession, *current_app.config["SESSION_LIFETIMES"][
            found.User.role]):
        session.clear()
        flash(_("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại."), "error")
        return
    g.user = found.User
    signin.mark_seen(found.UserSession)


def vn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value)
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime | None) -> str:
    return "" if value is None else local_time(value).strftime("%H:%M %d/%m/%Y")


def vn_time(value: datetime | None) -> str:
    return "" if value is None else local_time(value).strftime("%H:%M")


def map_settings() -> dict:
    """What every Folium map needs from the app: the tile server and the local assets."""
    return {"tiles": current_app.config["TILE_URL"],
            "attribution": current_app.config["TILE_ATTRIBUTION"],
            "asset_url": lambda path: url_for("static", filename=f"vendor/{path}")}


def _tile_origin(url: str) -> str:
    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def security_headers(response):
    """CSP with no third-party host but the tile server, and the other protective headers."""
    tiles = _tile_origin(current_app.config["TILE_URL"])
    nonce = getattr(g, "csp_nonce", "")
    response.headers.setdefault("Content-Security-Policy", "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tiles}".strip(),
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    # Same-origin Referers must reach Flask-WTF's HTTPS check: never "no-referrer".
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS: only ever over HTTPS
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.vary.add("HX-Request")
    if response.mimetype == "text/html" or getattr(g, "user", None) is not None:
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
    return response


def refused(problem, back: str, status: int = 422):
    """Input the app will not take (models.base.Invalid, or its message), after a rollback:
    nothing changed. Said as the request asked: JSON, an htmx fragment with `status`, or
    flashed on the page the form came from (a 303 back to it)."""
    db.session.rollback()
    message = str(problem)
    if request.is_json:
        return jsonify(ok=False, error=message), status
    if wants_fragment():
        return render_template("_error.html", message=message, status=status), status
    flash(message, "error")
    return redirect(back, code=303)


def _error(status: int, message: str):
    if wants_fragment():
        return render_template("_error.html", message=message, status=status), status
    return render_template("error.html", message=message, status=status), status


def _catalogue():
    """The request's translations, looked up once: Flask-Babel looks them up for every string,
    and a walk page has hundreds."""
    if "catalogue" not in g:
        g.catalogue = get_translations()
    return g.catalogue


def init_app(app: Flask) -> None:
    """Hooks, filters and error pages."""
    from routes import access  # its lookups answer fragments through this module

    app.url_map.converters["int"] = DatabaseId  # before the blueprints' rules are made
    app.before_request(load_user)
    app.jinja_env.install_gettext_callables(  # after Flask-Babel's, with the same meaning
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n), newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n))

    app.after_request(security_headers)
    app.jinja_env.filters.update(vn_date=vn_date, vn_datetime=vn_datetime, vn_time=vn_time)
    app.jinja_env.globals.update(now=utcnow)

    @app.context_processor
    def _globals():
        return {"current_user": g.get("user"), "csp_nonce": g.get("csp_nonce", ""),
                "locale": select_locale(), "words": vocabulary, "roles": access,
                "status_labels": translated(labels.STATUS_LABELS),
                "slot_labels": translated(labels.SLOT_LABELS),
                "outcome_labels": translated(labels.OUTCOME_LABELS),
                "state_labels": translated(labels.SERVICE_STATE_LABELS),
                "source_labels": translated(labels.POSITION_SOURCE_LABELS),
                "service_short_labels": translated(labels.SERVICE_SHORT_LABELS),
                "role_labels": translated(labels.ROLE_LABELS),
                "js_text": translated(labels.JS_TEXT)}

    app.register_error_handler(CSRFError, lambda e: _error(
        400, _("Phiên làm việc đã hết hạn hoặc thiếu mã bảo vệ. Hãy tải lại trang và thử lại.")))
    app.register_error_handler(403, lambda e: _error(403, _("Bạn không có quyền xem trang này.")))
    app.register_error_handler(404, lambda e: _error(404, _("Không tìm thấy trang này.")))
    app.register_error_handler(405, lambda e: _error(405, _("Thao tác này không được phép.")))
    app.register_error_handler(413, lambda e: _error(
        413, _("Tệp quá lớn. Giới hạn là %(mb)s MB.",
               mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))))
    app.register_error_handler(500, lambda e: _error(
        500, _("Có lỗi ở máy chủ. Dữ liệu chưa được lưu, hãy thử lại.")))
