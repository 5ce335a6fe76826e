"""The leader's team: volunteers, their PINs and one-time sign-in links."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from extensions import db
from models import User, audit
from models.signin import (DAY, PIN_LENGTH, failures_since, make_link_token, normalise_phone,
                            pin_problem)
from models.user import phone_taken, volunteers_of
from routes.access import LEADERS, MANAGERS, current_neighbourhood, roles, volunteer_or_404
from vietnamese import nfc
from vocabulary import VOLUNTEER

bp = Blueprint("team", __name__, url_prefix="/team")


@bp.route("/")
@roles(*MANAGERS)
def index():
    """Volunteers of the neighbourhood (its leader adds them; an admin reads), and whose account
    someone is trying to get into."""
    neighbourhood = current_neighbourhood()
    volunteers = volunteers_of(neighbourhood.id, active_only=False)
    failures = failures_since([v.id for v in volunteers], DAY)
    alarm = current_app.config["SIGN_IN_MAX_FAILURES"]
    return render_template("team/index.html", neighbourhood=neighbourhood, volunteers=volunteers,
                           pin_length=PIN_LENGTH,
                           attacked={k: n for k, n in failures.items() if n >= alarm})


@bp.post("/")
@roles(*LEADERS)
def add():
    """Add a volunteer with a phone number and a PIN."""
    name, phone = nfc(request.form.get("name")), normalise_phone(request.form.get("phone", ""))
    pin = request.form.get("pin", "")
    if not name or len(phone) < 9:
        flash(_("Cần họ tên và số điện thoại."), "error")
        return redirect(url_for("team.index"), code=303)
    if pin and pin_problem(pin):  # no PIN: the volunteer signs in by link
        flash(pin_problem(pin), "error")
        return redirect(url_for("team.index"), code=303)
    if phone_taken(phone):
        flash(_("Số điện thoại này đã có người dùng."), "error")
        return redirect(url_for("team.index"), code=303)
    user = User(name=name[:200], phone=phone, role=VOLUNTEER,
                neighbourhood_id=g.user.neighbourhood_id, ward_id=g.user.ward_id)
    if pin:  # else the volunteer signs in with the one-time link the leader shares
        user.set_pin(pin)
    db.session.add(user)
    db.session.flush()
    audit("volunteer_added", user_id=g.user.id, neighbourhood_id=g.user.neighbourhood_id,
          object_type="user", object_id=user.id)
    db.session.commit()
    flash(_("Đã thêm %(name)s. Bấm “Tạo link đăng nhập” rồi “Chia sẻ” để gửi link qua Zalo.",
            name=name), "ok")
    return redirect(url_for("team.index") + f"#volunteer-{user.id}", code=303)


@bp.post("/<int:user_id>/link")
@roles(*LEADERS)
def make_link(user_id: int):
    """A one-time sign-in link to copy into a Zalo message."""
    volunteer = volunteer_or_404(user_id)
    token = make_link_token(current_app.config["SECRET_KEY"], volunteer, g.user,
                            current_app.config["SIGN_IN_LINK_HOURS"])
    audit("sign_in_link_made", user_id=g.user.id, neighbourhood_id=g.user.neighbourhood_id,
          object_type="user", object_id=volunteer.id)
    db.session.commit()
    url = url_for("auth.link", token=token, _external=True)
    return render_template("_share_link.html", person=volunteer, url=url)


@bp.post("/<int:user_id>/pin")
@roles(*LEADERS)
def set_pin(user_id: int):
    """A new PIN for a volunteer (one who forgot it, or whose account was under attack)."""
    volunteer = volunteer_or_404(user_id)
    problem = pin_problem(request.form.get("pin", ""))
    if problem:
        flash(problem, "error")
        return redirect(url_for("team.index"), code=303)
    volunteer.set_pin(request.form["pin"])
    audit("pin_changed", user_id=g.user.id, neighbourhood_id=g.user.neighbourhood_id,
          object_type="user", object_id=volunteer.id)
    db.session.commit()
    flash(_("Đã đặt mã PIN mới cho %(name)s.", name=volunteer.name), "ok")
    return redirect(url_for("team.index"), code=303)


@bp.post("/<int:user_id>/active")
@roles(*LEADERS)
def set_active(user_id: int):
    """Disable or re-enable a volunteer; a disabled one is refused at the next request."""
    volunteer = volunteer_or_404(user_id)
    volunteer.active = request.form.get("active") == "1"
    audit("volunteer_active", user_id=g.user.id, neighbourhood_id=g.user.neighbourhood_id,
          object_type="user", object_id=volunteer.id, active=volunteer.active)
    db.session.commit()
    return redirect(url_for("team.index"), code=303)
