"""`flask demo` loads a populated, deterministic neighbourhood once."""
from __future__ import annotations

from extensions import db
from models import Household, Lane, Neighbourhood, Resident, User, Visit


def test_demo_loads_tổ_6_with_its_lanes_people_team_and_history(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "totruong" in result.output and "0912000001" in result.output
    home = db.session.scalar(db.select(Neighbourhood).where(Neighbourhood.name == "Tổ dân phố số 6"))
    households = db.session.scalar(db.select(db.func.count(Household.id))
                                   .where(Household.neighbourhood_id == home.id))
    residents = db.session.scalar(db.select(db.func.count(Resident.id)).join(Household)
                                  .where(Household.neighbourhood_id == home.id))
    lanes = db.session.scalars(db.select(Lane).where(Lane.neighbourhood_id == home.id)).all()
    assert 200 <= households <= 240 and 600 <= residents <= 800
    assert 10 <= len(lanes) <= 14 and any(lane.parent_id for lane in lanes)
    assert all(len(lane.path) >= 2 for lane in lanes)
    outcomes = set(db.session.scalars(db.select(Visit.outcome).distinct()))
    assert outcomes >= {"met", "not_home", "come_back", "declined", "moved", "vacant",
                        "not_found"}
    volunteers = db.session.scalar(db.select(db.func.count(User.id))
                                   .where(User.role == "volunteer"))
    assert 6 <= volunteers <= 8
    assert db.session.scalar(db.select(Household).where(Household.head_name == "Đặng Văn Đức"))


def test_demo_refuses_to_load_twice_but_if_empty_is_quiet(runner):
    runner.invoke(args=["demo"])
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "trống" in again.output
    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert db.session.scalar(db.select(db.func.count(Neighbourhood.id))) == 2


def test_the_demo_is_tổ_6_of_tân_thành_merged_into_tích_lương(runner, client, auth):
    from models import Campaign, Ward
    result = runner.invoke(args=["demo"])
    assert "phường Tân Thành" in result.output and "phường Tích Lương" in result.output
    ward = db.session.scalar(db.select(Ward))
    assert (ward.name, ward.province, ward.aliases) == ("Phường Tích Lương", "Thái Nguyên",
                                                        "Phường Tân Thành")
    # The ward's campaign, and each group's copy of it.
    ward_campaign = db.session.scalar(db.select(Campaign).where(Campaign.neighbourhood_id.is_(None)))
    copies = db.session.scalars(db.select(Campaign).where(
        Campaign.parent_id == ward_campaign.id)).all()
    assert len(copies) == 2
    client.get("/sign-in")
    client.post("/sign-in", data={"login": "totruong", "secret": "gocua2026",
                                  "csrf_token": auth.csrf()})
    page = client.get("/").get_data(as_text=True)
    assert "Tổ dân phố số 6" in page
    assert "Phường Tích Lương (trước năm 2025: Phường Tân Thành), Thái Nguyên" in page
