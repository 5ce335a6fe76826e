"""A household's own page: its visits, its services per resident, its position's source
(issue 13 item 8)."""
from __future__ import annotations

from datetime import datetime, timezone

from extensions import db
from models import Service, Visit
from models.visit import VisitInput, record_visit
from tests import helpers


def _service(place, code: str) -> Service:
    return db.session.scalar(db.select(Service).join(Service.campaign).where(
        Service.code == code, Service.campaign.has(neighbourhood_id=place.id)))


def test_the_page_shows_visits_services_per_resident_and_the_position_source(
        client, auth, world):
    household = helpers.gen_household(world.home, world.home.lanes[0], "88", head="Trần Thị Bình")
    head, child = household.residents
    household.position_source, household.position_approximate = "lane", True
    volunteer = world.volunteer
    checklist = {s.id: s for s in db.session.scalars(db.select(Service))}
    record_visit(household.id, volunteer.id, VisitInput(
        client_id="p-1", outcome="not_home", note="Gọi cổng không ai ra",
        happened_at=datetime(2026, 11, 20, 2, 30, tzinfo=timezone.utc)), {})
    record_visit(household.id, world.volunteer2.id, VisitInput(
        client_id="p-2", outcome="met", note="Cài VNeID cho con",
        happened_at=datetime(2026, 11, 27, 9, 15, tzinfo=timezone.utc),
        services=[(_service(world.home, "vneid").id, child.id, "activated"),
                  (_service(world.home, "smartphone").id, head.id, "yes"),
                  (_service(world.home, "broadband").id, None, "yes")]), checklist)
    db.session.commit()
    auth.sign_in(world.leader)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    visits = page[page.index('id="visits"'):page.index('id="position"')]
    # Newest first: who, when (dd/mm/yyyy, Hà Nội time), outcome, note.
    assert visits.index("Cài VNeID cho con") < visits.index("Gọi cổng không ai ra")
    assert volunteer.name in visits and world.volunteer2.name in visits
    assert "20/11/2026" in visits and "27/11/2026" in visits
    assert "Không có nhà" in visits and "Đã gặp" in visits
    services = page[page.index('id="services"'):page.index('id="visits"')]
    child_row = services[services.index(f'data-resident="{child.id}"'):]
    child_row = child_row[:child_row.index("</tr>")]
    assert "Đã kích hoạt" in child_row  # VNeID, for the child
    head_row = services[services.index(f'data-resident="{head.id}"'):]
    head_row = head_row[:head_row.index("</tr>")]
    assert "Có" in head_row and "Đã kích hoạt" not in head_row
    assert "Internet cáp quang" in services and "VNeID mức 2" in services
    position = page[page.index('id="position"'):]
    assert "nguồn: rải theo ngõ" in position and "gần đúng" in position


def test_an_undone_visit_is_shown_as_undone_and_an_empty_history_says_so(client, auth, world):
    household = helpers.gen_household(world.home, world.home.lanes[0], "90")
    db.session.commit()
    auth.sign_in(world.leader)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Chưa có lượt gõ cửa nào." in page
    visit, _ = record_visit(household.id, world.volunteer.id,
                            VisitInput(client_id="u-1", outcome="declined"), {})
    db.session.flush()
    undo = Visit(client_id="u-2", household_id=household.id, user_id=world.volunteer.id,
                 outcome="undo", undoes_id=visit.id)
    db.session.add(undo)
    db.session.commit()
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    visits = page[page.index('id="visits"'):page.index('id="position"')]
    assert "Huỷ lượt ghi nhầm" in visits and "(đã huỷ)" in visits and "Từ chối" in visits
