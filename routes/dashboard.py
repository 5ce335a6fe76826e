"""The figures: a neighbourhood's (leader), every neighbourhood of a ward side by side (officer)."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from extensions import db
from models import Lane, Neighbourhood, Ward
from models.figures import HEADLINE, headline, neighbourhood_summary, others, ward_summary
from routes.access import neighbourhood_or_404, roles
from routes.web import select_locale, today_local

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

READERS = ("leader", "ward_officer", "admin")
COLOURS = {"broadband": "#0b6bcb", "payment": "#1a7f37", "public_service_household": "#b35900",
           "vneid": "#6f42c1"}


def the_ward() -> Ward:
    """The officer's own ward; an admin picks any (?ward=), else the first."""
    if g.user.role == "ward_officer":
        ward = db.session.get(Ward, g.user.ward_id or 0)
    else:
        ward_id = request.args.get("ward", type=int)
        ward = db.session.get(Ward, ward_id) if ward_id else db.session.scalar(
            db.select(Ward).order_by(Ward.id).limit(1))
    if ward is None:
        abort(404)
    return ward


def ward_neighbourhoods(ward: Ward) -> list[Neighbourhood]:
    return db.session.scalars(db.select(Neighbourhood).where(Neighbourhood.ward_id == ward.id)
                              .order_by(Neighbourhood.id)).all()


@bp.route("")
@roles(*READERS)
def index():
    """A leader's neighbourhood, or (officer, admin) the ward's neighbourhoods side by side."""
    if g.user.role == "leader" or request.args.get("neighbourhood"):
        return neighbourhood_page(neighbourhood_or_404(request.args.get("neighbourhood", type=int)))
    ward = the_ward()
    places = ward_neighbourhoods(ward)
    table = ward_summary([n.id for n in places], today_local(), select_locale())
    wards = db.session.scalars(db.select(Ward).order_by(Ward.name)).all() \
        if g.user.role == "admin" else []
    return render_template("dashboard/ward.html", ward=ward, wards=wards, places=places,
                           table=table, headline=headline, others=others)


def neighbourhood_page(neighbourhood: Neighbourhood):
    """The four figures, every other service, per lane, and the weekly chart."""
    summary = neighbourhood_summary(neighbourhood.id, today_local(), select_locale())
    lanes = db.session.scalars(db.select(Lane).where(Lane.neighbourhood_id == neighbourhood.id)
                               .order_by(Lane.position)).all()
    four = headline(summary.overall)
    return render_template("dashboard/index.html", neighbourhood=neighbourhood,
                           summary=summary, four=four, rest=others(summary.overall),
                           lanes=lanes, headline=headline, colours=COLOURS, codes=HEADLINE,
                           labels={f.code: f.label for f in four})
