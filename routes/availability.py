"""Volunteers' time: weekly slots, dates away, capacity, and "I can't make it" for a shift."""
from __future__ import annotations

from datetime import date

from flask import (Blueprint, abort, flash, g, redirect, render_template, request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from extensions import db
from models import Availability, AwayDate, Shift, ShiftResponse, User, audit
from models.base import utcnow
from models.board import volunteers_of
from models.user import SLOTS
from routes.access import refuse, roles
from routes.web import today_local

bp = Blueprint("availability", __name__, url_prefix="/availability")
WEEKDAYS = [_l("Thứ 2"), _l("Thứ 3"), _l("Thứ 4"), _l("Thứ 5"), _l("Thứ 6"), _l("Thứ 7"),
            _l("Chủ nhật")]
SLOT_LABELS = {"sang": _l("Sáng"), "chieu": _l("Chiều"), "toi": _l("Tối")}
MAX_CAPACITY = 200


@bp.context_processor
def _labels():
    return {"weekdays": WEEKDAYS, "slot_labels": SLOT_LABELS, "slots": SLOTS}


def person_or_404(user_id: int) -> User:
    """The volunteer themself, or a volunteer of the leader's own neighbourhood."""
    user = db.session.get(User, user_id)
    if user is None or user.role != "volunteer":
        abort(404)
    mine = user.id == g.user.id or (g.user.role == "leader"
                                    and user.neighbourhood_id == g.user.neighbourhood_id)
    if not mine:
        refuse(404, object="user", object_id=user_id)
    return user


def coming_shifts(user: User) -> list[tuple[Shift, bool, bool]]:
    """[(shift, has lanes in it, said they can't come)] from today on, soonest first."""
    shifts = db.session.scalars(db.select(Shift).where(
        Shift.neighbourhood_id == user.neighbourhood_id, Shift.day >= today_local())
        .order_by(Shift.day, db.case({"sang": 0, "chieu": 1, "toi": 2}, value=Shift.slot))).all()
    away = set(db.session.scalars(db.select(ShiftResponse.shift_id).where(
        ShiftResponse.user_id == user.id, ShiftResponse.can_come.is_(False))))
    return [(s, any(a.volunteer_id == user.id for a in s.assignments), s.id in away)
            for s in shifts]


@bp.route("/")
@roles("leader", "volunteer")
def index():
    """A volunteer's own time and coming shifts; for the leader, the team's time."""
    if g.user.role == "volunteer":
        return render_template("availability/person.html", person=g.user,
                               shifts=coming_shifts(g.user), today=today_local())
    return render_template("availability/team.html",
                           volunteers=volunteers_of(g.user.neighbourhood_id))


@bp.route("/<int:user_id>")
@roles("leader", "volunteer")
def person(user_id: int):
    """One volunteer's weekly slots, dates away and capacity."""
    user = person_or_404(user_id)
    return render_template("availability/person.html", person=user,
                           shifts=coming_shifts(user), today=today_local())


def _back(user: User):
    return redirect(url_for("availability.person", user_id=user.id), code=303)


@bp.post("/<int:user_id>")
@roles("leader", "volunteer")
def save(user_id: int):
    """Save the weekly grid and the capacity."""
    user = person_or_404(user_id)
    capacity = request.form.get("capacity", "")
    if not capacity.isdigit() or not 1 <= int(capacity) <= MAX_CAPACITY:
        flash(_("Số hộ mỗi buổi phải là số từ 1 đến %(n)s.", n=MAX_CAPACITY), "error")
        return _back(user)
    chosen = {(d, s) for d in range(7) for s in SLOTS if request.form.get(f"slot-{d}-{s}")}
    user.availability = [a for a in user.availability if (a.weekday, a.slot) in chosen]
    have = {(a.weekday, a.slot) for a in user.availability}
    user.availability += [Availability(weekday=d, slot=s) for d, s in sorted(chosen - have)]
    user.capacity = int(capacity)
    audit("availability_saved", user_id=g.user.id, neighbourhood_id=user.neighbourhood_id,
          object_type="user", object_id=user.id, slots=len(chosen), capacity=user.capacity)
    db.session.commit()
    flash(_("Đã lưu lịch rảnh."), "ok")
    return _back(user)


@bp.post("/<int:user_id>/away")
@roles("leader", "volunteer")
def add_away(user_id: int):
    """Add a date the volunteer is away."""
    user = person_or_404(user_id)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        flash(_("Ngày không hợp lệ."), "error")
        return _back(user)
    if day < today_local():
        flash(_("Ngày vắng phải từ hôm nay trở đi."), "error")
        return _back(user)
    if all(a.day != day for a in user.away_dates):
        user.away_dates.append(AwayDate(day=day))
        audit("away_added", user_id=g.user.id, neighbourhood_id=user.neighbourhood_id,
              object_type="user", object_id=user.id, day=day.isoformat())
        db.session.commit()
    return _back(user)


@bp.post("/<int:user_id>/away/<int:away_id>/delete")
@roles("leader", "volunteer")
def remove_away(user_id: int, away_id: int):
    """Remove a date away."""
    user = person_or_404(user_id)
    away = next((a for a in user.away_dates if a.id == away_id), None)
    if away is None:
        abort(404)
    user.away_dates.remove(away)
    audit("away_removed", user_id=g.user.id, neighbourhood_id=user.neighbourhood_id,
          object_type="user", object_id=user.id, day=away.day.isoformat())
    db.session.commit()
    return _back(user)


@bp.post("/shifts/<int:shift_id>")
@roles("volunteer")
def respond(shift_id: int):
    """ "I can't make it" for one shift (or "I can come after all")."""
    shift = db.session.get(Shift, shift_id)
    if shift is None or shift.day < today_local():
        abort(404)
    if shift.neighbourhood_id != g.user.neighbourhood_id:
        refuse(404, object="shift", object_id=shift_id)
    can_come = request.form.get("can_come") == "1"
    response = db.session.scalar(db.select(ShiftResponse).where(
        ShiftResponse.shift_id == shift.id, ShiftResponse.user_id == g.user.id))
    if response is None:
        response = ShiftResponse(shift_id=shift.id, user_id=g.user.id)
        db.session.add(response)
    response.can_come, response.at = can_come, utcnow()
    audit("shift_response", user_id=g.user.id, neighbourhood_id=shift.neighbourhood_id,
          object_type="shift", object_id=shift.id, can_come=can_come)
    db.session.commit()
    if request.headers.get("HX-Request"):
        has_lanes = any(a.volunteer_id == g.user.id for a in shift.assignments)
        return render_template("availability/_shift.html", shift=shift, has_lanes=has_lanes,
                               cant=not can_come)
    return redirect(url_for("availability.index"), code=303)
