"""The figures: right bases and targets, per lane, over time, and the ward side by side."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from extensions import db
from models import Household
from models.campaign import current_campaign
from models.visit import VisitInput, record_visit
from tests import helpers


def houses(place):
    return db.session.scalars(db.select(Household).where(Household.neighbourhood_id == place.id)
                              .order_by(Household.id)).all()


def met(household, n=[0], **states):
    """A visit that met the household and set services: code=state for it, or for residents
    as code=[state per resident]."""
    campaign = current_campaign(household.neighbourhood_id)
    services = {s.code: s for s in campaign.services}
    chosen = []
    for code, state in states.items():
        service = services[code]
        if service.per == "household":
            chosen.append((service.id, None, state))
        else:
            chosen += [(service.id, r.id, s) for r, s in zip(household.residents, state) if s]
    n[0] += 1
    record_visit(household.id, None, VisitInput(client_id=f"d-{household.id}-{n[0]}",
                                                outcome="met", services=chosen),
                 {s.id: s for s in services.values()})
    db.session.commit()


def figure(text, code):
    """The percentage shown on the figure card of that code."""
    match = re.search(rf'data-code="{code}".*?<b>([\d.]+)%</b>', text, re.S)
    return float(match.group(1))


@pytest.fixture
def worked(world):
    """Tổ 1: six households of two residents (born 1970 and 2000), a few services done."""
    a, b, c, *_ = houses(world.home)
    met(a, broadband="yes", vneid=["activated", "in_use"], payment=["yes", None],
        public_service=["yes", None])
    met(b, broadband="no", vneid=["captured", "activated"])
    met(c, broadband="yes")
    return world


def test_the_leader_reads_the_four_figures_on_their_bases(client, auth, worked):
    auth.sign_in(worked.leader)
    text = client.get("/dashboard").get_data(as_text=True)
    assert figure(text, "broadband") == pytest.approx(100 * 2 / 6, abs=0.05)   # households
    assert figure(text, "payment") == pytest.approx(100 * 1 / 12, abs=0.05)    # working age
    assert figure(text, "public_service_household") == pytest.approx(100 / 6, abs=0.05)
    assert figure(text, "vneid") == pytest.approx(100 * 3 / 12, abs=0.05)      # captured is not done
    assert "mục tiêu 95%" in text and "Truyền hình Internet" in text


def test_moved_and_vacant_households_leave_the_base(client, auth, worked):
    for h in houses(worked.home)[3:5]:
        record_visit(h.id, None, VisitInput(client_id=f"gone-{h.id}", outcome="moved"), {})
    db.session.commit()
    auth.sign_in(worked.leader)
    text = client.get("/dashboard").get_data(as_text=True)
    assert figure(text, "broadband") == pytest.approx(100 * 2 / 4, abs=0.05)


def test_the_age_basis_follows_the_birth_year(client, auth, world):
    a = houses(world.home)[0]
    a.residents[1].birth_year = helpers.date.today().year - 10  # a child: not in the 15+ base
    db.session.commit()
    met(a, vneid=["activated", None])
    auth.sign_in(world.leader)
    text = client.get("/dashboard").get_data(as_text=True)
    assert figure(text, "vneid") == pytest.approx(100 / 11, abs=0.05)


def test_per_lane_and_the_weekly_chart(client, auth, worked):
    auth.sign_in(worked.leader)
    text = client.get("/dashboard").get_data(as_text=True)
    lane_rows = re.findall(r"<tr><td>(Ngõ \d+), Đường Thử</td>\s*(.*?)</tr>", text, re.S)
    first = dict(lane_rows)["Ngõ 10"]
    assert re.findall(r">(\d+)%<", first)[0] == "67"  # two of lane 1's three have broadband
    assert len(re.findall(r"<polyline", text)) == 4
    last_points = re.search(r'data-code="broadband"\s+points="([^"]+)"', text).group(1).split()
    assert last_points  # a point per week, the last at today's figure


def test_the_ward_officer_sees_every_neighbourhood_of_the_ward_side_by_side(client, auth, worked):
    auth.sign_in(worked.officer)
    text = client.get("/dashboard").get_data(as_text=True)
    assert "Tổ 1" in text and "Tổ 2" in text and "Tổ xa" not in text
    assert "33.3%" in text  # Tổ 1's broadband
    assert client.get(f"/dashboard?neighbourhood={worked.home.id}").status_code == 200
    assert client.get(f"/dashboard?neighbourhood={worked.far.id}").status_code == 404


def test_an_admin_reads_any_ward(client, auth, worked):
    auth.sign_in(worked.admin)
    text = client.get(f"/dashboard?ward={worked.far.ward_id}").get_data(as_text=True)
    assert "Tổ xa" in text and "Tổ 1" not in text


def test_a_leader_reads_only_their_neighbourhood(client, auth, worked):
    auth.sign_in(worked.leader)
    assert client.get(f"/dashboard?neighbourhood={worked.other.id}").status_code == 404


def test_a_volunteer_has_no_dashboard(client, auth, worked):
    auth.sign_in(worked.volunteer)
    assert client.get("/dashboard").status_code == 403


def _statements(app, client, path) -> int:
    count = [0]

    def seen(_conn, _cursor, statement, *_args):
        count[0] += statement.lstrip().upper().startswith("SELECT")
    db.session.expire_all()  # the test shares the app's session: start from nothing loaded
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return count[0]


def test_the_figures_are_counted_by_the_database_not_row_by_row(app, client, auth, worked):
    """Ten times the households, the same number of queries (and one more neighbourhood's
    campaign costs no query of its own)."""
    auth.sign_in(worked.officer)
    _statements(app, client, "/dashboard")  # the session's first request also notes it was seen
    small = _statements(app, client, "/dashboard")
    small_detail = _statements(app, client, f"/dashboard?neighbourhood={worked.home.id}")
    for lane in worked.home.lanes:
        for n in range(30):
            helpers.gen_household(worked.home, lane, f"{100 + n}")
    db.session.commit()
    met(houses(worked.home)[-1], broadband="yes", vneid=["activated", "activated"])
    assert _statements(app, client, "/dashboard") == small
    assert _statements(app, client, f"/dashboard?neighbourhood={worked.home.id}") == small_detail
