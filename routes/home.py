"""The first page after sign-in: the neighbourhood (or ward) at a glance."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for

import labels
from models.place import neighbourhoods_of
from models.startup import first_steps
from models.registry import lane_counts, status_counts
from routes.access import EVERYWHERE, LEADERS, WALKERS, login_required, neighbourhood_or_404
from routes.web import translated

bp = Blueprint("home", __name__)


def _neighbourhood_page(neighbourhood):
    counts = status_counts([neighbourhood.id])[neighbourhood.id]
    steps = first_steps(neighbourhood.id) if g.user.role in LEADERS else []
    return render_template("home/neighbourhood.html", neighbourhood=neighbourhood,
                           counts=counts, total=sum(counts.values()),
                           lanes=lane_counts(neighbourhood.id), steps=steps,
                           step_labels=translated(labels.STARTUP_STEP_LABELS))


@bp.route("/")
@login_required
def index():
    """Leader: their neighbourhood; ward officer and admin: the neighbourhoods they read."""
    if g.user.role in WALKERS:
        return redirect(url_for("walk.today"))
    if g.user.role in LEADERS:
        return _neighbourhood_page(neighbourhood_or_404())
    everywhere = g.user.role in EVERYWHERE
    neighbourhoods = neighbourhoods_of(None if everywhere else g.user.ward_id)
    return render_template("home/ward.html", ward=g.user.ward, neighbourhoods=neighbourhoods,
                           counts=status_counts([n.id for n in neighbourhoods]))


@bp.route("/neighbourhoods/<int:neighbourhood_id>")
@login_required
def neighbourhood(neighbourhood_id: int):
    """One neighbourhood at a glance, for those allowed to read it."""
    if g.user.role in WALKERS:
        return redirect(url_for("walk.today"))
    return _neighbourhood_page(neighbourhood_or_404(neighbourhood_id))
