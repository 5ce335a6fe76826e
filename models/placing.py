"""Putting households on the map: fixes, the geocoding chain, lane spread, the background job.

Each household keeps where its position came from (``position_source``) and how precise it
is; ``geo.placement.better_fix`` decides whether a new fix replaces the one it has.
"""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Optional

from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import ForeignKey, String, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from geo.distance import haversine_m
from geo.geocode import lookup_household, make_geocoder
from geo.paths import LanePath
from geo.placement import LEADER_SOURCES, Fix, better_fix, lane_fixes
from models.audit import audit
from models.base import utcnow
from models.household import Household
from models.job import GeocodeCache, Job
from models.place import Lane, Neighbourhood
from vietnamese import house_number_key

JOB_KIND = "geocode"
# One household takes at most a few geocoder queries of 5 s each: a job silent this long
# died with its process (a restart, a killed worker) and would otherwise block placing.
SILENT_JOB = timedelta(minutes=5)
INTERRUPTED = "interrupted"
# Households a geocoder could still improve: no position, or only an approximate one.
IMPROVABLE = (None, "lane", "geocoder_street")


def current_fix(household: Household) -> Fix | None:
    """The household's present position as a Fix (None when it has none)."""
    if not household.has_position or household.position_source is None:
        return None
    return Fix(household.lat, household.lon, household.position_source,
               household.position_accuracy_m, household.position_approximate)


def take_fix(household: Household, fix: Fix) -> None:
    """Give the household this fix, whatever it had (offer_fix weighs it first)."""
    household.lat, household.lon = fix.lat, fix.lon
    household.position_source = fix.source
    household.position_accuracy_m = fix.accuracy_m
    household.position_approximate = bool(fix.approximate)


def offer_fix(household: Household, fix: Fix) -> bool:
    """Give the household this fix if it is better than what it has; True when taken."""
    if not better_fix(current_fix(household), fix):
        return False
    take_fix(household, fix)
    return True


def where(household: Household) -> list | None:
    """The position as the audit log keeps it: [lat, lon, source], or None."""
    if not household.has_position:
        return None
    return [round(household.lat, 7), round(household.lon, 7), household.position_source]


def audit_move(action: str, household: Household, old: list | None, user_id: Optional[int],
               **detail) -> None:
    """Audit a position change of one household, old → new (the caller commits)."""
    audit(action, user_id=user_id, neighbourhood_id=household.neighbourhood_id,
          object_type="household", object_id=household.id, old=old, new=where(household),
          **detail)


def pin(household: Household, lat: float, lon: float, user_id: Optional[int],
        source: str = "pin") -> bool:
    """The leader dragged the household's pin (source "pin") or placed it with a click
    ("hand"): it wins over every automated source and every volunteer's fix."""
    old = where(household)
    taken = offer_fix(household, Fix(lat, lon, source))
    audit_move("household_pinned" if source == "pin" else "household_placed_by_hand",
               household, old, user_id)
    return taken


# -- A volunteer's fix at the door: taken, or only proposed to the leader ------------------
FAR_M = 150  # a door fix farther than this from the lane (or the house) is only a proposal
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


class PositionProposal(db.Model):
    """A volunteer's door fix the map did not take by itself: the leader accepts or rejects it.

    Made when the fix stands far from the household's lane path or present position, or
    when the leader placed the household themselves (a volunteer never replaces that)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"),
                                              index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lat: Mapped[float]
    lon: Mapped[float]
    accuracy_m: Mapped[Optional[float]]
    # How far from the lane path or the present position (None: nothing to measure from).
    distance_m: Mapped[Optional[float]]
    reason: Mapped[str] = mapped_column(String(20))  # "far" or "leader"
    state: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[Optional[datetime]]

    household: Mapped[Household] = relationship()
    user: Mapped[Optional["User"]] = relationship(foreign_keys=[user_id])  # noqa: F821


def door_distance(household: Household, lat: float, lon: float) -> tuple[float | None, str]:
    """How far a door fix stands from where the household should be, and from what:
    (metres, "lane") from its lane's drawn path, else (metres, "position") from its present
    position, else (None, "") when there is nothing to measure from."""
    path = household.lane.path_points if household.lane is not None else []
    if len(path) >= 2:
        return LanePath(path).project((lat, lon))[1], "lane"
    if household.has_position:
        return haversine_m((household.lat, household.lon), (lat, lon)), "position"
    return None, ""


def door_fix(household: Household, fix: Fix, user_id: Optional[int]) -> str:
    """A volunteer's fix at the door: "taken", "kept" (the present one is better) or
    "proposed" (far from the lane or the house, or over the leader's own placing). The
    caller commits."""
    distance, _from = door_distance(household, fix.lat, fix.lon)
    reason = ("leader" if household.position_source in LEADER_SOURCES
              else "far" if distance is not None and distance > FAR_M else "")
    if reason:
        proposal = PositionProposal(household_id=household.id, user_id=user_id, lat=fix.lat,
                                    lon=fix.lon, accuracy_m=fix.accuracy_m, reason=reason,
                                    distance_m=None if distance is None else round(distance))
        db.session.add(proposal)
        db.session.flush()
        audit("position_proposed", user_id=user_id, neighbourhood_id=household.neighbourhood_id,
              object_type="household", object_id=household.id, proposal_id=proposal.id,
              reason=reason, distance_m=proposal.distance_m, old=where(household),
              proposed=[round(fix.lat, 7), round(fix.lon, 7), fix.source])
        return "proposed"
    old = where(household)
    if not offer_fix(household, fix):
        return "kept"
    audit_move("household_positioned", household, old, user_id, source=fix.source,
               accuracy_m=None if fix.accuracy_m is None else round(fix.accuracy_m))
    return "taken"


def proposals(neighbourhood_id: int) -> list[PositionProposal]:
    """The neighbourhood's proposals still waiting for the leader, oldest first."""
    return db.session.scalars(db.select(PositionProposal).join(Household).where(
        Household.neighbourhood_id == neighbourhood_id, PositionProposal.state == PENDING)
        .options(db.selectinload(PositionProposal.household),
                 db.selectinload(PositionProposal.user))
        .order_by(PositionProposal.id)).all()


def decide(proposal: PositionProposal, accept: bool, user_id: Optional[int]) -> None:
    """The leader accepts a proposal (the household moves there, source "door") or rejects
    it (nothing moves); audited either way. The caller commits."""
    household = proposal.household
    proposal.state = ACCEPTED if accept else REJECTED
    proposal.decided_by, proposal.decided_at = user_id, utcnow()
    if not accept:
        audit("position_proposal_rejected", user_id=user_id,
              neighbourhood_id=household.neighbourhood_id, object_type="household",
              object_id=household.id, proposal_id=proposal.id)
        return
    old = where(household)
    take_fix(household, Fix(proposal.lat, proposal.lon, "door", proposal.accuracy_m))
    audit_move("position_proposal_accepted", household, old, user_id, proposal_id=proposal.id)


def _unplaced_where(neighbourhood_id: int):
    return (Household.neighbourhood_id == neighbourhood_id,
            db.or_(Household.lat.is_(None), Household.lon.is_(None)))


def unplaced_count(neighbourhood_id: int) -> int:
    """How many of the neighbourhood's households have no position yet."""
    return db.session.scalar(db.select(db.func.count(Household.id))
                             .where(*_unplaced_where(neighbourhood_id)))


def unplaced(neighbourhood_id: int, limit: int | None = None) -> list[Household]:
    """The neighbourhood's households with no position yet, by address (the first `limit`
    households of the list, when given)."""
    households = db.session.scalars(db.select(Household).where(
        *_unplaced_where(neighbourhood_id))
        .options(db.selectinload(Household.lane).selectinload(Lane.parent))).all()
    households.sort(key=lambda h: (h.lane.full_name if h.lane else h.street,
                                   house_number_key(h.house_number)))
    return households if limit is None else households[:limit]


class DbCache:
    """The geocoder's raw answers kept in the database, shared by every process."""

    def get(self, query: str) -> dict | None:
        row = db.session.get(GeocodeCache, query[:500])
        return None if row is None else (row.raw or {})

    def set(self, query: str, raw: dict) -> None:
        db.session.merge(GeocodeCache(query=query[:500], raw=raw, at=utcnow()))


def _lane_names(lane: Lane | None) -> str:
    names = []
    while lane is not None:
        names.append(lane.name)
        lane = lane.parent
    return "/".join(reversed(names))


def spread_lanes(neighbourhood_id: int) -> int:
    """Spread households along their drawn lanes where they have nothing better."""
    placed = 0
    lanes = db.session.scalars(db.select(Lane).where(Lane.neighbourhood_id == neighbourhood_id))
    for lane in lanes:
        if len(lane.path or []) < 2:
            continue
        households = db.session.scalars(db.select(Household).where(
            Household.lane_id == lane.id)).all()
        if not households:
            continue
        fixes = lane_fixes(lane.path_points, [h.house_number for h in households])
        placed += sum(offer_fix(h, fixes[h.house_number]) for h in households)
    return placed


def improvable(neighbourhood_id: int) -> list[int]:
    """Ids of households with no position or only an approximate automated one."""
    return list(db.session.scalars(db.select(Household.id).where(
        Household.neighbourhood_id == neighbourhood_id,
        db.or_(Household.position_source.is_(None), Household.lat.is_(None),
               Household.position_source.in_(IMPROVABLE[1:])))
        .order_by(Household.id)))


def running_job(neighbourhood_id: int) -> Job | None:
    """The neighbourhood's unfinished job, unless it died (then it is ended: see end_if_dead)."""
    job = db.session.scalar(db.select(Job).where(
        Job.kind == JOB_KIND, Job.neighbourhood_id == neighbourhood_id,
        Job.state.in_(("queued", "running"))).order_by(Job.id.desc()))
    return None if job is None or end_if_dead(job) else job


def end_if_dead(job: Job) -> bool:
    """Mark a job that has stopped giving signs of life as failed; True if it was. The
    caller commits. Households it placed keep their places; the leader can run it again."""
    if not job.silent_since(utcnow() - SILENT_JOB):
        return False
    job.state, job.message, job.finished_at = "failed", INTERRUPTED, utcnow()
    return True


def latest_job(neighbourhood_id: int) -> Job | None:
    return db.session.scalar(db.select(Job).where(
        Job.kind == JOB_KIND, Job.neighbourhood_id == neighbourhood_id).order_by(Job.id.desc()))


def queue_job(neighbourhood: Neighbourhood, user_id: Optional[int]) -> tuple[Job, bool]:
    """A placing job for the neighbourhood: the one already running, or a new one; returns
    (job, created). The caller commits before starting it (start_job)."""
    job = running_job(neighbourhood.id)
    if job is not None:
        return job, False
    job = Job(kind=JOB_KIND, neighbourhood_id=neighbourhood.id, state="queued",
              total=len(improvable(neighbourhood.id)))
    db.session.add(job)
    db.session.flush()
    audit("households_placing_started", user_id=user_id, neighbourhood_id=neighbourhood.id,
          object_type="job", object_id=job.id)
    return job, True


def run_job(job_id: int) -> Job:
    """Geocode what is missing, then spread the rest along lanes, saving progress as it goes."""
    job = db.session.get(Job, job_id)
    neighbourhood = db.session.get(Neighbourhood, job.neighbourhood_id)
    config = current_app.config
    geocoder = make_geocoder(config.get("GEOCODER"), config.get("GEOCODER_USER_AGENT", "go-cua"),
                             config.get("GEOCODER_DOMAIN"), config.get("GEOCODER_SCHEME", "https"))
    ids = improvable(neighbourhood.id)
    job.state, job.total, job.done, job.beat_at = "running", len(ids), 0, utcnow()
    db.session.commit()
    found = 0
    try:
        cache = DbCache()
        for household_id in ids:
            household = db.session.get(Household, household_id)
            if household is not None and geocoder is not None:
                result = lookup_household(geocoder, household.house_number,
                                          _lane_names(household.lane), household.street,
                                          neighbourhood.ward.name, neighbourhood.ward.province,
                                          cache)
                if result.fix is not None and offer_fix(household, result.fix):
                    found += 1
            job.done, job.beat_at = job.done + 1, utcnow()
            db.session.commit()  # progress (and cached answers) visible to every process
            if job.state != "running":  # ended as dead while a geocoder kept it silent
                return job
        spread = spread_lanes(neighbourhood.id)
        job.state, job.message = "done", f"geocoded={found} lane={spread}"
        # Automated placings are audited per job (each household's own entry would be
        # thousands of rows for one import); the leader's and volunteers' changes per house.
        audit("households_placed", neighbourhood_id=neighbourhood.id, object_type="job",
              object_id=job.id, geocoded=found, lane=spread,
              left=unplaced_count(neighbourhood.id))
    except Exception as error:  # noqa: BLE001 — the job must end, and say why
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.state, job.message = "failed", type(error).__name__
    job.finished_at = utcnow()
    db.session.commit()
    return job


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def start_job(job: Job) -> threading.Thread:
    """Run the job in a background thread with its own app context (requests go on)."""
    app = current_app._get_current_object()
    # The id from the identity map: reading job.id after the commit would open a write
    # transaction on SQLite and hold the lock the thread needs.
    job_id = inspect(job).identity[0]
    thread = threading.Thread(target=_run_in_thread, args=(app, job_id), daemon=True,
                              name=f"placing-{job_id}")
    thread.start()
    return thread
