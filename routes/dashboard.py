"""The figures: a neighbourhood's (leader), every neighbourhood of a ward side by side (officer)."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _

from models.figures import HEADLINE, headline, neighbourhood_summary, others, ward_summary
from models.place import all_wards, lanes_of, neighbourhoods_of
from models.rules import local_today
from routes.access import (EVERYWHERE, LEADERS, READERS, current_neighbourhood, current_ward,
                           roles)
from routes.web import select_locale

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

COLOURS = {"broadband": "#0b6bcb", "payment": "#1a7f37", "public_service_household": "#b35900",
           "vneid": "#6f42c1"}


def one_neighbourhood() -> bool:
    """A leader reads their own neighbourhood; the others name one, or read the ward."""
    return g.user.role in LEADERS or bool(request.args.get("neighbourhood"))


@bp.route("")
@roles(*READERS)
def index():
    """A leader's neighbourhood, or (officer, admin) the ward's neighbourhoods side by side."""
    if one_neighbourhood():
        return neighbourhood_page(current_neighbourhood())
    if g.user.role in EVERYWHERE and not all_wards():
        return render_template("no_places.html", title=_("Số liệu"))
    ward = current_ward()
    places = neighbourhoods_of(ward.id)
    table = ward_summary([n.id for n in places], local_today(), select_locale())
    return render_template("dashboard/ward.html", ward=ward, places=places, table=table,
                           wards=all_wards() if g.user.role in EVERYWHERE else [],
                           headline=headline, others=others)


def neighbourhood_page(neighbourhood):
    """The four figures, every other service, per lane, and the weekly chart."""
    summary = neighbourhood_summary(neighbourhood.id, local_today(), select_locale())
    four = headline(summary.overall)
    return render_template("dashboard/index.html", neighbourhood=neighbourhood,
                           summary=summary, four=four, rest=others(summary.overall),
                           lanes=lanes_of(neighbourhood.id), headline=headline,
                           colours=COLOURS, codes=HEADLINE,
                           labels={f.code: f.label for f in four})
