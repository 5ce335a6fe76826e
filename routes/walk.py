"""The volunteer's walk for today, on a phone."""
from __future__ import annotations

from flask import Blueprint, g, render_template

from extensions import db
from models import Shift, Walk
from routes.access import roles
from routes.web import today_local

bp = Blueprint("walk", __name__)


def todays_walks(user) -> list[Walk]:
    """The user's walks in today's shifts, morning first."""
    order = db.case({"sang": 0, "chieu": 1, "toi": 2}, value=Shift.slot)
    return db.session.scalars(
        db.select(Walk).join(Shift)
        .where(Walk.volunteer_id == user.id, Shift.day == today_local())
        .order_by(order)).all()


@bp.route("/walk")
@roles("volunteer")
def today():
    """Today's stops in order, lane by lane."""
    return render_template("walk/today.html", walks=todays_walks(g.user))
