"""The visit rules, each once in Python and once as its SQL twin, side by side.

- the local day: every stored time is naive UTC; a day is Asia/Ho_Chi_Minh's;
- the slot of a time (sáng before 11:00, chiều before 17:00, then tối, local time);
- the visit that counts: neither an undo nor undone by one;
- the age basis: a resident whose birth year puts them in a service's ages this year.

Python reads rows already loaded; SQL lets the database count. tests/test_rules.py checks
each pair agrees on generated data: change one twin, change the other.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Optional, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, extract, or_, select
from sqlalchemy.orm import aliased

from models.household import Resident
from vocabulary import AGE_BASES, SLOT_STARTS, SLOTS, UNDO

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC_OFFSET_H = 7  # Việt Nam keeps no daylight saving time: SQL adds 7 hours


# -- The local day ----------------------------------------------------------------------
def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def local_time(moment: Optional[datetime]) -> Optional[datetime]:
    """A stored (naive UTC) time in Asia/Ho_Chi_Minh."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ)


def on_or_before(moment: datetime, day: date) -> bool:
    """Python: a stored time falls on the local `day` or earlier."""
    return local_time(moment).date() <= day


def on_or_before_sql(column, day: date):
    """SQL: a stored time falls on the local `day` or earlier (before its end, in UTC)."""
    end = datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ)
    return column < end.astimezone(timezone.utc).replace(tzinfo=None)


# -- The slot of a time -----------------------------------------------------------------
def slot_of(moment: datetime) -> str:
    """Python: the slot a stored time falls in."""
    hour = local_time(moment).hour
    return next(s for s in reversed(SLOTS) if hour >= SLOT_STARTS[s])


def slot_of_sql(column):
    """SQL: the slot a stored time falls in (the hour, shifted to local time)."""
    hour = (cast(extract("hour", column), Integer) + UTC_OFFSET_H) % 24
    return case(*((hour >= SLOT_STARTS[s], s) for s in reversed(SLOTS[1:])), else_=SLOTS[0])


# -- The visit that counts --------------------------------------------------------------
V = TypeVar("V")


def counting(visits: Iterable[V]) -> list[V]:
    """Python: the visits that count (rows with id, outcome, undoes_id), in the order given."""
    visits = list(visits)
    undone = {v.undoes_id for v in visits if v.undoes_id}
    return [v for v in visits if v.outcome != UNDO and v.id not in undone]


def counting_sql():
    """SQL: a visit that is neither an undo nor undone by one.

    NOT IN over an uncorrelated subquery: both databases build the (small) set of undone
    ids once; a correlated NOT EXISTS scanned every visit per visit on SQLite.
    """
    from models.visit import Visit  # models.visit uses the Python twin: imported late
    undo = aliased(Visit)
    undone = select(undo.undoes_id).where(undo.undoes_id.is_not(None))
    return and_(Visit.outcome != UNDO, Visit.id.not_in(undone))


# -- The age basis ----------------------------------------------------------------------
def age_range(basis: str) -> tuple[int, int]:
    """(lowest, highest) age of a basis, inclusive; an unknown basis counts everyone."""
    return AGE_BASES.get(basis, AGE_BASES["all"])


def in_basis(birth_year: Optional[int], basis: str, year: int) -> bool:
    """Python: born in a year that puts the resident in the basis this `year`.

    A resident of unknown age (an imported member count: "4 people", nothing more) is in
    every basis until the door says otherwise: the team still has to reach them, so the
    per-person figures count them, as the walk asks them about every service."""
    low, high = age_range(basis)
    return birth_year is None or low <= year - birth_year <= high


def to_ask(birth_year: Optional[int], basis: str, year: int) -> bool:
    """Whether a walk asks the resident about a service: in its basis, or of unknown age
    (the volunteer at the door finds out)."""
    return in_basis(birth_year, basis, year)


def in_basis_sql(basis: str, year: int, column=None):
    """SQL: the resident's birth year puts them in the basis this `year`."""
    low, high = age_range(basis)
    if column is None:
        # Outer joins give a household without residents one row of NULLs: no one to count
        column, unknown = Resident.birth_year, and_(Resident.birth_year.is_(None),
                                                    Resident.id.is_not(None))
    else:
        unknown = column.is_(None)
    return or_(unknown, column.between(year - high, year - low))
