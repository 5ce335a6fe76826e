"""Volunteers' time: weekly slots, dates away, capacity, and "I can't make it" for a shift."""
from __future__ import annotations


from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import labels
from extensions import db
from models import Availability, AwayDate, User, audit
from models.rules import local_today
from models.shift import cant_come_to, coming_shifts, respond_to
from models.base import Invalid
from models.user import away_day, volunteers_of, week_fields
from routes.access import SCHEDULED, WALKERS, person_or_404, roles, shift_or_404
from routes.web import refused, translated, wants_fragment

bp = Blueprint("availability", __name__, url_prefix="/availability")


@bp.context_processor
def _labels():
    return {"weekdays": translated(labels.WEEKDAY_LABELS)}


def shifts_for(user: User) -> list[tuple]:
    """[(shift, has lanes in it, said they can't come)] from today on, soonest first."""
    shifts = coming_shifts(user.neighbourhood_id)
    away = set(cant_come_to(user.id, [s.id for s in shifts]))
    return [(s, any(a.volunteer_id == user.id for a in s.assignments), s.id in away)
            for s in shifts]


@bp.route("/")
@roles(*SCHEDULED)
def index():
    """A volunteer's own time and coming shifts; for the leader, the team's time."""
    if g.user.role in WALKERS:
        return render_template("availability/person.html", person=g.user,
                               shifts=shifts_for(g.user), today=local_today())
    return render_template("availability/team.html",
                           volunteers=volunteers_of(g.user.neighbourhood_id))


@bp.route("/<int:user_id>")
@roles(*SCHEDULED)
def person(user_id: int):
    """One volunteer's weekly slots, dates away and capacity."""
    user = person_or_404(user_id)
    return render_template("availability/person.html", person=user,
                           shifts=shifts_for(user), today=local_today())


def _page_of(user: User) -> str:
    return url_for("availability.person", user_id=user.id)


def _back(user: User):
    return redirect(_page_of(user), code=303)


@bp.post("/<int:user_id>")
@roles(*SCHEDULED)
def save(user_id: int):
    """Save the weekly grid and the capacity."""
    user = person_or_404(user_id)
    try:
        chosen, user.capacity = week_fields(request.form)
    except Invalid as problem:
        return refused(problem, _page_of(user))
    user.availability = [a for a in user.availability if (a.weekday, a.slot) in chosen]
    have = {(a.weekday, a.slot) for a in user.availability}
    user.availability += [Availability(weekday=d, slot=s) for d, s in sorted(chosen - have)]
    audit("availability_saved", user_id=g.user.id, neighbourhood_id=user.neighbourhood_id,
          object_type="user", object_id=user.id, slots=len(chosen), capacity=user.capacity)
    db.session.commit()
    flash(_("Đã lưu lịch rảnh."), "ok")
    return _back(user)


@bp.post("/<int:user_id>/away")
@roles(*SCHEDULED)
def add_away(user_id: int):
    """Add a date the volunteer is away."""
    user = person_or_404(user_id)
    try:
        day = away_day(request.form, local_today())
    except Invalid as problem:
        return refused(problem, _page_of(user))
    if all(a.day != day for a in user.away_dates):
        user.away_dates.append(AwayDate(day=day))
        audit("away_added", user_id=g.user.id, neighbourhood_id=user.neighbourhood_id,
              object_type="user", object_id=user.id, day=day.isoformat())
        db.session.commit()
    return _back(user)


@bp.post("/<int:user_id>/away/<int:away_id>/delete")
@roles(*SCHEDULED)
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
@roles(*WALKERS)
def respond(shift_id: int):
    """ "I can't make it" for one shift (or "I can come after all")."""
    shift = shift_or_404(shift_id)
    if shift.day < local_today():
        abort(404)
    can_come = request.form.get("can_come") == "1"
    respond_to(shift, g.user.id, can_come)
    audit("shift_response", user_id=g.user.id, neighbourhood_id=shift.neighbourhood_id,
          object_type="shift", object_id=shift.id, can_come=can_come)
    db.session.commit()
    if wants_fragment():
        has_lanes = any(a.volunteer_id == g.user.id for a in shift.assignments)
        return render_template("availability/_shift.html", shift=shift, has_lanes=has_lanes,
                               cant=not can_come)
    return redirect(url_for("availability.index"), code=303)
