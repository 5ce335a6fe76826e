"""A new group's first steps, each done or not, read from what the group already has."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from extensions import db
from models.campaign import current_campaign
from models.household import Household
from models.place import Lane
from models.shift import Shift
from models.user import Availability, SignInLink, User, UserSession
from vocabulary import STARTUP_STEPS, VOLUNTEER

# Where each step is done (an endpoint of routes/).
STEP_PAGES = {"campaign": "campaign.index", "households": "households.import_form",
              "positions": "households.map_page", "lanes": "households.map_page",
              "volunteers": "team.index", "links": "team.index",
              "availability": "availability.index", "first_shift": "shifts.index"}


@dataclass
class Step:
    code: str
    done: bool
    endpoint: str


def _count(query) -> int:
    return db.session.scalar(query) or 0


def first_steps(neighbourhood_id: int) -> list[Step]:
    """The start-up steps in order (vocabulary.STARTUP_STEPS), each with done or not."""
    campaign = current_campaign(neighbourhood_id)
    in_group = Household.neighbourhood_id == neighbourhood_id
    households = _count(select(func.count(Household.id)).where(in_group))
    unplaced = _count(select(func.count(Household.id)).where(in_group, Household.lat.is_(None)))
    laneless = _count(select(func.count(Household.id)).where(in_group,
                                                            Household.lane_id.is_(None)))
    lanes = _count(select(func.count(Lane.id)).where(Lane.neighbourhood_id == neighbourhood_id))
    volunteers = select(User.id).where(User.neighbourhood_id == neighbourhood_id,
                                       User.role == VOLUNTEER, User.active.is_(True))
    team = _count(select(func.count()).select_from(volunteers.subquery()))
    # A volunteer has a way in once a link was made for them, they have a PIN, or they have
    # signed in.
    without_link = _count(select(func.count()).select_from(volunteers.where(
        User.pin_hash.is_(None), ~exists().where(SignInLink.user_id == User.id),
        ~exists().where(UserSession.user_id == User.id)).subquery()))
    free = _count(select(func.count(Availability.id)).where(Availability.user_id.in_(volunteers)))
    shifts = _count(select(func.count(Shift.id)).where(Shift.neighbourhood_id == neighbourhood_id))
    done = {"campaign": bool(campaign and campaign.on_form), "households": households > 0,
            "positions": households > 0 and unplaced == 0,
            "lanes": lanes > 0 and households > 0 and laneless == 0,
            "volunteers": team > 0, "links": team > 0 and without_link == 0,
            "availability": free > 0, "first_shift": shifts > 0}
    return [Step(code, done[code], STEP_PAGES[code]) for code in STARTUP_STEPS]
