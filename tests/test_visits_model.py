"""Visits are append-only; a household's status and services derive from them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from models import Campaign, Household, ServiceState, Visit
from models.base import utcnow
from models.visit import VisitError, VisitInput, record_visit, undo_visit


def _services(place):
    campaign = db.session.scalar(db.select(Campaign).where(Campaign.neighbourhood_id == place.id))
    return {s.id: s for s in campaign.services}, {s.code: s for s in campaign.services}


def _household(world) -> Household:
    return db.session.scalars(db.select(Household).where(
        Household.neighbourhood_id == world.home.id).order_by(Household.id)).first()


def test_status_is_the_latest_visit_and_every_visit_is_kept(world):
    services, _ = _services(world.home)
    household = _household(world)
    t0 = utcnow() - timedelta(hours=2)
    record_visit(household.id, world.volunteer.id,
                 VisitInput("a", "not_home", happened_at=t0), services)
    record_visit(household.id, world.volunteer2.id,
                 VisitInput("b", "met", happened_at=t0 + timedelta(hours=1)), services)
    db.session.commit()
    assert household.status == "reached"
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == 2


def test_two_volunteers_at_one_door_order_by_when_they_knocked(world):
    """A phone that was offline sends its older visit later: the status stays the latest."""
    services, _ = _services(world.home)
    household = _household(world)
    now = utcnow()
    record_visit(household.id, world.volunteer.id,
                 VisitInput("late", "met", happened_at=now), services)
    record_visit(household.id, world.volunteer2.id,
                 VisitInput("early", "not_home", happened_at=now - timedelta(minutes=30)),
                 services)
    db.session.commit()
    assert household.status == "reached"


def test_a_visit_sent_twice_is_stored_once(world):
    services, _ = _services(world.home)
    household = _household(world)
    first, created = record_visit(household.id, world.volunteer.id, VisitInput("same", "met"),
                                  services)
    again, created_again = record_visit(household.id, world.volunteer.id,
                                        VisitInput("same", "met"), services)
    db.session.commit()
    assert created and not created_again and first.id == again.id
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == 1


def test_services_set_up_become_the_current_state(world):
    services, by_code = _services(world.home)
    household = _household(world)
    resident = household.residents[0]
    vneid, broadband = by_code["vneid"], by_code["broadband"]
    record_visit(household.id, world.volunteer.id, VisitInput(
        "v1", "met", services=[(vneid.id, resident.id, "captured"),
                               (broadband.id, None, "yes")]), services)
    record_visit(household.id, world.volunteer.id, VisitInput(
        "v2", "met", services=[(vneid.id, resident.id, "activated")]), services)
    db.session.commit()
    states = {(s.service_id, s.resident_id): s.state
              for s in db.session.scalars(db.select(ServiceState))}
    assert states == {(vneid.id, resident.id): "activated", (broadband.id, None): "yes"}
    assert vneid.is_done("activated") and not vneid.is_done("captured")


def test_undo_is_a_new_record_and_restores_the_previous_status(world):
    services, by_code = _services(world.home)
    household = _household(world)
    record_visit(household.id, world.volunteer.id, VisitInput(
        "v1", "not_home", happened_at=utcnow() - timedelta(minutes=5)), services)
    wrong, _ = record_visit(household.id, world.volunteer.id, VisitInput(
        "v2", "declined", services=[(by_code["broadband"].id, None, "yes")]), services)
    db.session.commit()
    undo_visit(wrong, world.volunteer.id, "v3")
    db.session.commit()
    assert household.status == "not_home"
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == 3
    assert db.session.scalar(db.select(db.func.count(ServiceState.id))) == 0


def test_undo_is_refused_after_a_few_minutes(world):
    services, _ = _services(world.home)
    household = _household(world)
    old, _ = record_visit(household.id, world.volunteer.id, VisitInput("v1", "met"), services,
                          recorded_at=utcnow() - timedelta(hours=1))
    with pytest.raises(VisitError):
        undo_visit(old, world.volunteer.id, "v2")


@pytest.mark.parametrize("data, reason", [
    (VisitInput("x", "teleported"), "không hợp lệ"),
    (VisitInput("x", "come_back"), "chọn ngày"),
])
def test_bad_visits_are_refused_with_a_reason_and_change_nothing(world, data, reason):
    services, _ = _services(world.home)
    household = _household(world)
    with pytest.raises(VisitError, match=reason):
        record_visit(household.id, world.volunteer.id, data, services)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == 0
    assert household.status == "not_visited"


def test_a_service_for_a_resident_of_another_household_is_refused(world):
    services, by_code = _services(world.home)
    first, second = db.session.scalars(db.select(Household).order_by(Household.id).limit(2))
    with pytest.raises(VisitError):
        record_visit(first.id, world.volunteer.id, VisitInput(
            "x", "met", services=[(by_code["vneid"].id, second.residents[0].id, "activated")]),
            services)
