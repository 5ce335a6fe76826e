"""The audit log: the leader reads who changed or exported what in their neighbourhood."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

import labels
from models.audit import PAGE, account_names, entries_for
from routes.access import EVERYWHERE, MANAGERS, roles
from routes.web import id_arg, translated

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@roles(*MANAGERS)
def index():
    """Who did what, when, with what outcome (newest first, 50 a page)."""
    entries = entries_for(g.user.neighbourhood_id, id_arg("before", request.args),
                          everything=g.user.role in EVERYWHERE)
    return render_template("audit/index.html", entries=entries,
                           labels=translated(labels.ACTION_LABELS),
                           outcomes=translated(labels.AUDIT_OUTCOME_LABELS),
                           accounts=account_names(entries),
                           more=len(entries) == PAGE)
