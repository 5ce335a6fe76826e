"""Each visit rule's Python form and its SQL twin (models/rules.py) agree on generated data.

The rows are stored in the test's database and read back by the SQL form, as the pages do;
the Python form reads the same rows. Change one twin and its test here fails.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extensions import db
from models import Resident, Visit
from models.rules import (counting, counting_sql, in_basis, in_basis_sql, on_or_before,
                          on_or_before_sql, slot_of, slot_of_sql)
from tests import helpers
from vocabulary import AGE_BASES, OUTCOMES, SLOTS, UNDO

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
# Stored times are naive UTC, to the microsecond, as models.base.utcnow writes them.
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@pytest.fixture
def door(app) -> int:
    """One household (with two residents); each example's rows are rolled back."""
    place = helpers.gen_neighbourhood(helpers.gen_ward(), lanes=1, houses=0)
    household = helpers.gen_household(place, place.lanes[0], "1")
    db.session.commit()
    return household.id


def knock(door: int, outcome: str, at: datetime, undoes: int | None = None) -> Visit:
    visit = Visit(client_id=uuid.uuid4().hex, household_id=door, outcome=outcome,
                  happened_at=at, recorded_at=at, undoes_id=undoes)
    db.session.add(visit)
    db.session.flush()
    return visit


def visits_of(door: int) -> list[Visit]:
    return db.session.scalars(db.select(Visit).where(Visit.household_id == door)
                              .order_by(Visit.id)).all()


@SETTINGS
@given(moments=st.lists(MOMENTS, min_size=1, max_size=12))
@example(moments=[datetime(2026, 3, 1, 3, 59, 59, 999999), datetime(2026, 3, 1, 4, 0),
                  datetime(2026, 3, 1, 9, 59, 59), datetime(2026, 3, 1, 10, 0),
                  datetime(2026, 3, 1, 16, 59), datetime(2026, 3, 1, 17, 0)])
def test_the_slot_of_a_time(door, moments):
    try:
        for at in moments:
            knock(door, "met", at)
        in_sql = dict(db.session.execute(db.select(Visit.id, slot_of_sql(Visit.happened_at))
                                         .where(Visit.household_id == door)).all())
        assert in_sql == {v.id: slot_of(v.happened_at) for v in visits_of(door)}
        assert set(in_sql.values()) <= set(SLOTS)
    finally:
        db.session.rollback()


@SETTINGS
@given(moments=st.lists(MOMENTS, min_size=1, max_size=12), day=DAYS)
@example(moments=[datetime(2026, 3, 1, 16, 59, 59, 999999), datetime(2026, 3, 1, 17, 0)],
         day=date(2026, 3, 1))
def test_the_local_day(door, moments, day):
    try:
        for at in moments:
            knock(door, "met", at)
        in_sql = set(db.session.scalars(db.select(Visit.id).where(
            Visit.household_id == door, on_or_before_sql(Visit.happened_at, day))))
        assert in_sql == {v.id for v in visits_of(door) if on_or_before(v.happened_at, day)}
    finally:
        db.session.rollback()


# A door's history: an outcome, or an undo of the n-th visit before it (an undo included).
HISTORIES = st.lists(st.one_of(st.sampled_from(OUTCOMES), st.integers(min_value=0, max_value=20)),
                     min_size=1, max_size=15)


@SETTINGS
@given(history=HISTORIES)
@example(history=["met", 0, 0])  # an undo undone: the visit counts again
def test_the_visit_that_counts(door, history):
    try:
        made: list[Visit] = []
        for k, step in enumerate(history):
            at = datetime(2026, 3, 1, 8, k)
            if isinstance(step, int):
                if made:
                    made.append(knock(door, UNDO, at, undoes=made[-1 - step % len(made)].id))
            else:
                made.append(knock(door, step, at))
        in_sql = set(db.session.scalars(db.select(Visit.id).where(
            Visit.household_id == door, counting_sql())))
        assert in_sql == {v.id for v in counting(visits_of(door))}
    finally:
        db.session.rollback()


@SETTINGS
@given(born=st.lists(st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)),
                     min_size=1, max_size=10),
       basis=st.sampled_from([*AGE_BASES, "unknown"]),
       year=st.integers(min_value=1990, max_value=2100))
@example(born=[2011, 2010, 1966, 1965, None], basis="working_age", year=2026)
def test_the_age_basis(door, born, basis, year):
    try:
        db.session.add_all(Resident(household_id=door, label="con", birth_year=b) for b in born)
        db.session.flush()
        residents = db.session.scalars(db.select(Resident).where(
            Resident.household_id == door)).all()
        in_sql = set(db.session.scalars(db.select(Resident.id).where(
            Resident.household_id == door, in_basis_sql(basis, year))))
        assert in_sql == {r.id for r in residents if in_basis(r.birth_year, basis, year)}
    finally:
        db.session.rollback()
