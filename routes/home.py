"""The first page after sign-in: the neighbourhood (or ward) at a glance."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for

from extensions import db
from models import Household, Lane, Neighbourhood, Ward
from routes.access import login_required, neighbourhood_or_404

bp = Blueprint("home", __name__)


def status_counts(neighbourhood_ids: list[int]) -> dict[int, dict[str, int]]:
    """{neighbourhood id: {status: households}}, counted by the database."""
    rows = db.session.execute(
        db.select(Household.neighbourhood_id, Household.status, db.func.count())
        .where(Household.neighbourhood_id.in_(neighbourhood_ids))
        .group_by(Household.neighbourhood_id, Household.status))
    counts: dict[int, dict[str, int]] = {nid: {} for nid in neighbourhood_ids}
    for nid, status, count in rows:
        counts[nid][status] = count
    return counts


def lane_counts(neighbourhood_id: int) -> list[tuple[Lane, int]]:
    rows = db.session.execute(
        db.select(Lane, db.func.count(Household.id))
        .outerjoin(Household, Household.lane_id == Lane.id)
        .where(Lane.neighbourhood_id == neighbourhood_id)
        .group_by(Lane.id).order_by(Lane.position))
    return [(lane, count) for lane, count in rows]


@bp.route("/")
@login_required
def index():
    """Leader: their neighbourhood; ward officer and admin: the neighbourhoods they read."""
    if g.user.role == "volunteer":
        return redirect(url_for("walk.today"))
    if g.user.role in ("leader",):
        neighbourhood = neighbourhood_or_404()
        counts = status_counts([neighbourhood.id])[neighbourhood.id]
        return render_template("home/neighbourhood.html", neighbourhood=neighbourhood,
                               counts=counts, total=sum(counts.values()),
                               lanes=lane_counts(neighbourhood.id))
    query = db.select(Neighbourhood).order_by(Neighbourhood.name)
    if g.user.role == "ward_officer":
        query = query.where(Neighbourhood.ward_id == g.user.ward_id)
    neighbourhoods = db.session.scalars(query).all()
    counts = status_counts([n.id for n in neighbourhoods])
    ward = db.session.get(Ward, g.user.ward_id) if g.user.ward_id else None
    return render_template("home/ward.html", ward=ward, neighbourhoods=neighbourhoods,
                           counts=counts)


@bp.route("/neighbourhoods/<int:neighbourhood_id>")
@login_required
def neighbourhood(neighbourhood_id: int):
    """One neighbourhood at a glance, for those allowed to read it."""
    if g.user.role == "volunteer":
        return redirect(url_for("walk.today"))
    found = neighbourhood_or_404(neighbourhood_id)
    counts = status_counts([found.id])[found.id]
    return render_template("home/neighbourhood.html", neighbourhood=found, counts=counts,
                           total=sum(counts.values()), lanes=lane_counts(found.id))
