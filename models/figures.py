"""The figures the ward asks for, each counted by the database (GROUP BY, COUNT DISTINCT, CASE).

Bases: households that still live there (not moved away, not vacant); residents of those
households whose birth year puts them in the service's age basis this year.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional

from sqlalchemy import and_, case, distinct, func, or_, select

import labels
from extensions import db
from models.campaign import Service, campaigns_of, checklists
from models.household import Household, Resident
from models.rules import in_basis_sql, on_or_before_sql, counting_sql
from models.visit import ServiceRecord, ServiceState, Visit
from vocabulary import AGE_BASES, GONE

HEADLINE = ("broadband", "payment", "public_service_household", "vneid")


@dataclass
class Figure:
    code: str
    label: str
    per: str  # household | resident
    basis: str
    done: int
    base: int
    target: float

    @property
    def pct(self) -> float:
        return round(100.0 * self.done / self.base, 1) if self.base else 0.0

    @property
    def met(self) -> bool:
        return self.base > 0 and self.pct >= self.target


def _done(services: list[Service], state_col, service_col, resident_col, year: int):
    """SQL: this record or state counts as done for its service (and its resident's basis)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for s in services:
        groups[(s.per, s.age_basis, tuple(s.done_states))].append(s.id)
    terms = []
    for (per, basis, done), ids in groups.items():
        who = resident_col.is_(None) if per == "household" else in_basis_sql(basis, year)
        terms.append(and_(service_col.in_(ids), state_col.in_(done), who))
    return or_(*terms) if terms else False


def _group(by: str):
    return Household.neighbourhood_id if by == "neighbourhood" else Household.lane_id


def bases(neighbourhood_ids: list[int], by: str, year: int) -> dict:
    """{group: {"households": n, basis: residents in it, ...}}."""
    group = _group(by)
    columns = [func.count(distinct(Household.id))] + [
        func.sum(case((in_basis_sql(basis, year), 1), else_=0)) for basis in AGE_BASES]
    rows = db.session.execute(
        select(group, *columns).outerjoin(Resident, Resident.household_id == Household.id)
        .where(Household.neighbourhood_id.in_(neighbourhood_ids), Household.status.not_in(GONE))
        .group_by(group)).all()
    return {r[0]: dict(zip(["households", *AGE_BASES], [v or 0 for v in r[1:]])) for r in rows}


def done_counts(services: list[Service], neighbourhood_ids: list[int], by: str,
                year: int) -> dict:
    """{group: {code: (residents done, households done)}}.

    A current state is one row per household or resident and service, so COUNT(*) counts
    them; only "households with a member who used it" needs COUNT DISTINCT, for one service.
    """
    group = _group(by)
    scope = [Household.neighbourhood_id.in_(neighbourhood_ids), Household.status.not_in(GONE)]

    def counted(column, chosen):
        return db.session.execute(
            select(group, Service.code, column)
            .select_from(ServiceState).join(Household, Household.id == ServiceState.household_id)
            .join(Service, Service.id == ServiceState.service_id)
            .outerjoin(Resident, Resident.id == ServiceState.resident_id)
            .where(*scope, _done(chosen, ServiceState.state, ServiceState.service_id,
                                 ServiceState.resident_id, year))
            .group_by(group, Service.code)).all()
    result: dict = defaultdict(dict)
    for g, code, subjects in counted(func.count(), services):
        result[g][code] = (subjects, subjects)
    members = [s for s in services if s.code == "public_service" and s.per == "resident"]
    for g, code, households in (counted(func.count(distinct(ServiceState.household_id)), members)
                                if members else []):
        result[g][code] = (result[g].get(code, (0, 0))[0], households)
    return result


def figures(services: list[Service], base: dict, done: dict, locale: str = "vi") -> list[Figure]:
    """Every service on its own base, plus households with a member who used a public service."""
    result = []
    for s in services:
        residents, households = done.get(s.code, (0, 0))
        if s.per == "household":
            result.append(Figure(s.code, s.label(locale), "household", "all", households,
                                 base.get("households", 0), s.target_pct))
        else:
            result.append(Figure(s.code, s.label(locale), "resident", s.age_basis, residents,
                                 base.get(s.age_basis, 0), s.target_pct))
        if s.code == "public_service":
            result.append(Figure("public_service_household", str(labels.PUBLIC_SERVICE_HOUSEHOLD),
                                 "household", "all",
                                 households, base.get("households", 0), s.target_pct))
    return result


def headline(items: list[Figure]) -> list[Figure]:
    by_code = {f.code: f for f in items}
    return [by_code[c] for c in HEADLINE if c in by_code]


def others(items: list[Figure]) -> list[Figure]:
    return [f for f in items if f.code not in HEADLINE]


def week_ends(start: date, today: date, most: int = 12) -> list[date]:
    """The last day of each week from the campaign's start to today (at most `most`)."""
    weeks = min(most, max(1, (today - start).days // 7 + 1))
    return [today - timedelta(days=7 * k) for k in reversed(range(weeks))]


def series(services: list[Service], neighbourhood_id: int, base: dict, ends: list[date],
           year: int) -> dict[str, list[float]]:
    """{headline code: % done at the end of each week}, from when each was first recorded done."""
    done = _done(services, ServiceRecord.state, ServiceRecord.service_id, ServiceRecord.resident_id,
                 year)
    scope = [Household.neighbourhood_id == neighbourhood_id, Household.status.not_in(GONE),
             counting_sql(), done]
    result: dict[str, list[float]] = {}
    for per_household in (False, True):
        subject = [ServiceRecord.service_id, Visit.household_id]
        if not per_household:
            subject.append(ServiceRecord.resident_id)
        first = (select(*subject, func.min(Visit.happened_at).label("first"))
                 .select_from(ServiceRecord).join(Visit, Visit.id == ServiceRecord.visit_id)
                 .join(Household, Household.id == Visit.household_id)
                 .outerjoin(Resident, Resident.id == ServiceRecord.resident_id)
                 .where(*scope).group_by(*subject).subquery())
        rows = db.session.execute(
            select(Service.code, *[func.sum(case((on_or_before_sql(first.c.first, end), 1), else_=0))
                                   for end in ends])
            .join(first, first.c.service_id == Service.id).group_by(Service.code)).all()
        for code, *counts in rows:
            service = next(s for s in services if s.code == code)
            if per_household and code == "public_service":
                code, denominator = "public_service_household", base.get("households", 0)
            elif per_household:
                continue
            else:
                denominator = base.get("households" if service.per == "household"
                                       else service.age_basis, 0)
            result[code] = [round(100.0 * (c or 0) / denominator, 1) if denominator else 0.0
                            for c in counts]
    return {code: result.get(code, [0.0] * len(ends)) for code in HEADLINE}


@dataclass
class Summary:
    """One neighbourhood's figures: overall, per lane, and over time."""

    overall: list[Figure]
    per_lane: dict[Optional[int], list[Figure]]
    weeks: list[date]
    over_time: dict[str, list[float]]


def neighbourhood_summary(neighbourhood_id: int, today: date, locale: str = "vi") -> Summary:
    campaign = campaigns_of([neighbourhood_id]).get(neighbourhood_id)
    services = list(campaign.services) if campaign else []
    year = today.year
    base = bases([neighbourhood_id], "neighbourhood", year).get(neighbourhood_id, {})
    done = done_counts(services, [neighbourhood_id], "neighbourhood", year).get(neighbourhood_id, {})
    ends = week_ends(campaign.starts_on if campaign else today, today)
    return Summary(overall=figures(services, base, done, locale),
                   per_lane=lane_figures(neighbourhood_id, services, year, locale),
                   weeks=ends, over_time=series(services, neighbourhood_id, base, ends, year))


def lane_figures(neighbourhood_id: int, services: list[Service], year: int,
                 locale: str = "vi") -> dict[Optional[int], list[Figure]]:
    """{lane id (None: households on no lane): its figures} for one neighbourhood."""
    lane_bases = bases([neighbourhood_id], "lane", year)
    lane_done = done_counts(services, [neighbourhood_id], "lane", year)
    return {lane: figures(services, b, lane_done.get(lane, {}), locale)
            for lane, b in lane_bases.items()}


def ward_lane_summary(neighbourhood_ids: list[int], today: date,
                      locale: str = "vi") -> dict[int, dict[Optional[int], list[Figure]]]:
    """{neighbourhood: {lane: its figures}}: what the ward's figures export adds per lane."""
    campaigns = campaigns_of(neighbourhood_ids)
    return {nid: lane_figures(nid, list(campaigns[nid].services) if nid in campaigns else [],
                              today.year, locale)
            for nid in neighbourhood_ids}


def ward_summary(neighbourhood_ids: list[int], today: date,
                 locale: str = "vi") -> dict[int, list[Figure]]:
    """{neighbourhood: its figures}, side by side, in three queries for the whole ward (the
    checklists read as rows, not objects)."""
    lists = checklists(neighbourhood_ids)
    services = [s for chosen in lists.values() for s in chosen]
    base = bases(neighbourhood_ids, "neighbourhood", today.year)
    done = done_counts(services, neighbourhood_ids, "neighbourhood", today.year)
    return {nid: figures(lists.get(nid, []), base.get(nid, {}), done.get(nid, {}), locale)
            for nid in neighbourhood_ids}


@dataclass
class HouseholdRow:
    """A household as the export lists it."""

    household: Household
    attempts: int
    last_at: Optional[datetime]
    done: dict[str, int]  # service code -> 1/0 (household) or residents done
    eligible: dict[str, int]  # age basis -> residents in it

    def done_text(self, service: Service) -> Optional[str]:
        """None for a household service (the caller says yes or no), else 'done/eligible'."""
        if service.per == "household":
            return None
        return f"{self.done.get(service.code) or 0}/{self.eligible.get(service.age_basis) or 0}"


def household_rows(neighbourhood_ids: list[int], year: int
                   ) -> tuple[list[Service], list[HouseholdRow]]:
    """Every household with its status, last visit and, per service, done (or done/eligible),
    pivoted by the database; returns (the services as columns, the rows)."""
    campaigns = campaigns_of(neighbourhood_ids)
    services = [s for c in campaigns.values() for s in c.services]
    codes = list(dict.fromkeys(s.code for s in sorted(services, key=lambda s: s.position)))
    per = {s.code: s for s in services}
    done = _done(services, ServiceState.state, ServiceState.service_id, ServiceState.resident_id,
                 year)
    pivot = (select(ServiceState.household_id.label("hid"), *[
        (func.max(case((Service.code == c, 1), else_=0)) if per[c].per == "household" else
         func.count(distinct(case((Service.code == c, ServiceState.resident_id))))).label(c)
        for c in codes])
        .join(Service, Service.id == ServiceState.service_id)
        .outerjoin(Resident, Resident.id == ServiceState.resident_id)
        .where(done).group_by(ServiceState.household_id).subquery())
    eligible = (select(Resident.household_id.label("hid"), *[
        func.sum(case((in_basis_sql(basis, year), 1), else_=0)).label(basis)
        for basis in AGE_BASES])
        .group_by(Resident.household_id).subquery())
    visits = (select(Visit.household_id.label("hid"), func.count().label("attempts"),
                     func.max(Visit.happened_at).label("last_at"))
              .where(counting_sql()).group_by(Visit.household_id).subquery())
    done_columns = [pivot.c[c] for c in codes]
    basis_columns = [eligible.c[b] for b in AGE_BASES]
    rows = db.session.execute(
        select(Household, visits.c.attempts, visits.c.last_at, *done_columns, *basis_columns)
        .outerjoin(pivot, pivot.c.hid == Household.id)
        .outerjoin(eligible, eligible.c.hid == Household.id)
        .outerjoin(visits, visits.c.hid == Household.id)
        .where(Household.neighbourhood_id.in_(neighbourhood_ids))
        .order_by(Household.neighbourhood_id, Household.lane_id, Household.id)).all()
    return [per[c] for c in codes], [
        HouseholdRow(row[0], row._mapping[visits.c.attempts] or 0,
                     row._mapping[visits.c.last_at],
                     {c: row._mapping[col] for c, col in zip(codes, done_columns)},
                     {b: row._mapping[col] for b, col in zip(AGE_BASES, basis_columns)})
        for row in rows]
