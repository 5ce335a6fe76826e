"""Who may do what: the role sets, access rules as decorators, and every scoped lookup.

A lookup here returns the thing asked for if the signed-in user may reach it, and aborts
otherwise (a refusal is audited): a view reads straight down. A new role joins the sets
below; nothing else in routes/ or templates/ names a role.
"""
from __future__ import annotations

from datetime import timedelta
from functools import partial, wraps

from flask import abort, g, redirect, request, url_for

from extensions import db
from models import (Campaign, Household, ImportDraft, Job, Lane, Neighbourhood, Service, Shift,
                    User, Visit, Walk, WalkStop, Ward, audit)
from models.placing import PositionProposal
from models.rules import local_today
from models.progress import stop_of
from routes.web import id_arg, wants_fragment
from vocabulary import ADMIN, LEADER, VOLUNTEER, WARD_OFFICER

# -- Role sets: each names what its members do ------------------------------------------
WRITERS = (ADMIN, LEADER, VOLUNTEER)         # may change anything at all (an officer reads)
WALKERS = (VOLUNTEER,)                       # walk the day's doors and record visits
LEADERS = (LEADER,)                          # run their own team: shifts, members, pins
MANAGERS = (LEADER, ADMIN)                   # keep a neighbourhood's households, review, live
READERS = (LEADER, WARD_OFFICER, ADMIN)      # read the figures and export them
SCHEDULED = (LEADER, VOLUNTEER)              # keep a volunteer's available time
WARD_WIDE = (WARD_OFFICER,)                  # read every neighbourhood of their own ward
EVERYWHERE = (ADMIN,)                        # reach every ward and neighbourhood; keep places
                                             # and the leaders' and officers' accounts
CAMPAIGN_SETTERS = (WARD_OFFICER, ADMIN)     # set a ward's campaign, its services and targets
PASSWORD_HOLDERS = (ADMIN, WARD_OFFICER, LEADER)  # sign in with a password they set
CAMPAIGN_KEEPERS = (LEADER,) + CAMPAIGN_SETTERS  # a campaign: the ward's, or (leader) the group's


def refuse(status: int = 403, **detail):
    """Log a refused access and abort: the request ends here, so the entry is committed with
    whatever the request had already done (the lookups run before any change)."""
    user = g.get("user")
    audit("access_refused", user_id=user.id if user else None, outcome="refused",
          path=request.path, method=request.method, **detail)
    db.session.commit()
    abort(status)


def login_required(view, writers: tuple = WRITERS):
    """Send a visitor who is not signed in to the sign-in page; only `writers` change
    anything through the view."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            if wants_fragment():
                abort(401)
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        if g.user.role not in writers and request.method not in ("GET", "HEAD"):
            refuse(403, reason="read_only_role")
        return view(*args, **kwargs)
    return wrapped


def roles(*allowed: str, writes: bool = False):
    """Only these roles may open the view (after login_required). `writes`: every one of
    them may change what the view changes (a ward officer, who otherwise only reads, sets
    the ward's campaign)."""
    def decorator(view):
        @wraps(view)
        @partial(login_required, writers=allowed if writes else WRITERS)
        def wrapped(*args, **kwargs):
            if g.user.role not in allowed:
                refuse(403, reason="role")
            return view(*args, **kwargs)
        return wrapped
    return decorator


# -- Places -------------------------------------------------------------------------------
def can_see_neighbourhood(neighbourhood: Neighbourhood) -> bool:
    user = g.user
    if user.role in EVERYWHERE:
        return True
    if user.role in WARD_WIDE:
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


def current_neighbourhood() -> Neighbourhood:
    """The neighbourhood the request names (?neighbourhood=, for an admin or an officer),
    else the user's own."""
    return neighbourhood_or_404(id_arg("neighbourhood"))


def current_ward() -> Ward:
    """An officer's own ward; an admin names any (?ward=), else the first."""
    if g.user.role in EVERYWHERE:
        ward_id = id_arg("ward", request.args)
        ward = db.session.get(Ward, ward_id) if ward_id else db.session.scalar(
            db.select(Ward).order_by(Ward.retired_at.is_not(None), Ward.id).limit(1))
    else:
        ward = db.session.get(Ward, g.user.ward_id or 0)
    if ward is None:
        abort(404)
    return ward


def lane_or_404(lane_id: int, neighbourhood_id: int) -> Lane:
    """A lane of the neighbourhood."""
    lane = db.session.get(Lane, lane_id)
    if lane is None:
        abort(404)
    if lane.neighbourhood_id != neighbourhood_id:
        refuse(404, object="lane", object_id=lane_id)
    return lane


def ward_or_404(ward_id: int) -> Ward:
    """A ward the user reads: an officer's own, any for an admin."""
    ward = db.session.get(Ward, ward_id)
    if ward is None:
        abort(404)
    if g.user.role not in EVERYWHERE and not (g.user.role in WARD_WIDE
                                              and g.user.ward_id == ward.id):
        refuse(404, object="ward", object_id=ward_id)
    return ward


# -- Campaigns ------------------------------------------------------------------------------
def campaign_or_404(campaign_id: int) -> Campaign:
    """A campaign the user keeps: a ward's (its officers, an admin) or a group's (its leader)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    if campaign.neighbourhood_id is None:
        allowed = g.user.role in CAMPAIGN_SETTERS and (
            g.user.role in EVERYWHERE or g.user.ward_id == campaign.ward_id)
    else:
        allowed = g.user.role in LEADERS and g.user.neighbourhood_id == campaign.neighbourhood_id
    if not allowed:
        refuse(404, object="campaign", object_id=campaign_id)
    return campaign


def service_or_404(service_id: int) -> Service:
    """A service of a campaign the user keeps."""
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    campaign_or_404(service.campaign_id)
    return service


# -- Households, shifts, walks ------------------------------------------------------------
def household_or_404(household_id: int) -> Household:
    """A household of a neighbourhood the user may see (a volunteer reaches households only
    through their walk: my_stop_or_404)."""
    household = db.session.get(Household, household_id)
    if household is None:
        abort(404)
    neighbourhood = db.session.get(Neighbourhood, household.neighbourhood_id)
    if g.user.role in WALKERS or not can_see_neighbourhood(neighbourhood):
        refuse(404, object="household", object_id=household_id)
    return household


def proposal_or_404(proposal_id: int) -> PositionProposal:
    """A volunteer's position proposal for a household of a neighbourhood the user may see;
    another group's proposal is refused (and audited) like its household."""
    proposal = db.session.get(PositionProposal, proposal_id)
    if proposal is None:
        abort(404)
    neighbourhood = db.session.get(Neighbourhood, proposal.household.neighbourhood_id)
    if g.user.role in WALKERS or not can_see_neighbourhood(neighbourhood):
        refuse(404, object="proposal", object_id=proposal_id)
    return proposal


def shift_or_404(shift_id: int) -> Shift:
    """A shift of a neighbourhood the user may see; a change holds the shift's row lock.

    Two quick choices on the board are two requests at once: on PostgreSQL the second
    waits for the first instead of rebuilding the same walk beside it (SQLite's
    BEGIN IMMEDIATE already queues them).
    """
    query = db.select(Shift).where(Shift.id == shift_id)
    if request.method == "POST":
        query = query.with_for_update()
    shift = db.session.scalars(query).first()
    if shift is None:
        abort(404)
    if not can_see_neighbourhood(db.session.get(Neighbourhood, shift.neighbourhood_id)):
        refuse(404, object="shift", object_id=shift_id)
    return shift


def _own_or_404(model, object_id: int, owner: str, name: str):
    """The object if the signed-in user is its `owner` (walker, recorder, uploader)."""
    found = db.session.get(model, object_id)
    if found is None or getattr(found, owner) != g.user.id:
        refuse(404, object=name, object_id=object_id)
    return found


def my_walk_or_404(walk_id: int) -> Walk:
    """One of the signed-in volunteer's own walks."""
    return _own_or_404(Walk, walk_id, "volunteer_id", "walk")


def my_stop_or_404(household_id: int) -> WalkStop:
    """The household's stop on the signed-in volunteer's walk today (or yesterday's, for a
    late sync), else 404."""
    stop = stop_of(household_id, g.user.id, local_today() - timedelta(days=1))
    if stop is None:
        refuse(404, object="household", object_id=household_id)
    return stop


def my_visit_or_404(visit_id: int) -> Visit:
    """A visit the signed-in volunteer recorded."""
    return _own_or_404(Visit, visit_id, "user_id", "visit")


# -- People -------------------------------------------------------------------------------
def volunteer_or_404(user_id, neighbourhood_id: int | None = None, status: int = 404) -> User:
    """A volunteer of the neighbourhood (default: the user's own; an admin who names none
    reaches any); anyone else is refused with `status` (400 for a form's choice)."""
    user = db.session.get(User, int(user_id)) if str(user_id).isdigit() else None
    if user is None or user.role != VOLUNTEER:
        abort(status)
    anywhere = neighbourhood_id is None and g.user.role in EVERYWHERE
    if not anywhere and user.neighbourhood_id != (neighbourhood_id or g.user.neighbourhood_id):
        refuse(status, object="user", object_id=user.id)
    return user


def person_or_404(user_id: int) -> User:
    """The volunteer themself, or (for their leader) a volunteer of the leader's team."""
    if user_id == g.user.id and g.user.role in WALKERS:
        return g.user
    if g.user.role not in LEADERS:
        refuse(404, object="user", object_id=user_id)
    return volunteer_or_404(user_id)


# -- Imports and jobs ---------------------------------------------------------------------
def draft_or_404(draft_id: int) -> ImportDraft:
    """An import draft the user uploaded."""
    return _own_or_404(ImportDraft, draft_id, "user_id", "import_draft")


def job_or_404(job_id: int, kind: str) -> Job:
    """A background job of this kind, of a neighbourhood the user may see."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != kind:
        abort(404)
    neighbourhood_or_404(job.neighbourhood_id)
    return job
