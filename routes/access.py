"""Access rules as decorators and scoped lookups that abort themselves."""
from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, url_for

from extensions import db
from models import Household, Neighbourhood, audit

WRITERS = ("admin", "leader", "volunteer")


def refuse(status: int = 403, **detail):
    """Log a refused access, then abort."""
    user = g.get("user")
    audit("access_refused", user_id=user.id if user else None, outcome="refused",
          path=request.path, method=request.method, **detail)
    db.session.commit()
    abort(status)


def login_required(view):
    """Send a visitor who is not signed in to the sign-in page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            if request.headers.get("HX-Request"):
                abort(401)
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        if g.user.role == "ward_officer" and request.method not in ("GET", "HEAD"):
            refuse(403, reason="read_only_role")
        return view(*args, **kwargs)
    return wrapped


def roles(*allowed: str):
    """Only these roles may open the view (after login_required)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if g.user.role not in allowed:
                refuse(403, reason="role")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def can_see_neighbourhood(neighbourhood: Neighbourhood) -> bool:
    user = g.user
    if user.role == "admin":
        return True
    if user.role == "ward_officer":
        return neighbourhood.ward_id == user.ward_id
    return neighbourhood.id == user.neighbourhood_id


def neighbourhood_or_404(neighbourhood_id: int | None = None) -> Neighbourhood:
    """The neighbourhood asked for (default: the user's own), if the user may see it."""
    neighbourhood_id = neighbourhood_id or g.user.neighbourhood_id
    neighbourhood = db.session.get(Neighbourhood, neighbourhood_id) if neighbourhood_id else None
    if neighbourhood is None:
        abort(404)
    if not can_see_neighbourhood(neighbourhood):
        refuse(404, object="neighbourhood", object_id=neighbourhood_id)
    return neighbourhood


def household_or_404(household_id: int) -> Household:
    """A household of a neighbourhood the (non-volunteer) user may see."""
    household = db.session.get(Household, household_id)
    if household is None:
        abort(404)
    neighbourhood = db.session.get(Neighbourhood, household.neighbourhood_id)
    if g.user.role == "volunteer" or not can_see_neighbourhood(neighbourhood):
        refuse(404, object="household", object_id=household_id)
    return household
