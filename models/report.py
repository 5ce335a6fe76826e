"""The ward's report: each group's figures over a period, the ward's total, who is behind.

Counted by the database (GROUP BY over the whole ward in a few queries), never by loading
households. A figure at a day counts the subjects whose current state is done and was
recorded by the end of that day (ServiceState's visit: the visit that last recorded it);
its base is today's (households that still live there, residents in the age basis).
The change over a period is the figure at its end less the figure on the eve of its start.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import case, distinct, func, select

import labels
from extensions import db
from models.base import Invalid, utcnow
from models.campaign import DEFAULT_SERVICES, Checked, checklists, ward_campaign
from models.figures import HEADLINE, _done, bases
from models.household import Household, Resident
from models.place import Neighbourhood, Ward
from models.rules import LOCAL_TZ, counting_sql, local_time, on_or_before_sql
from models.visit import ServiceState, Visit
from vocabulary import GONE, REPORT_PERIODS, REPORT_SORTS

DEFAULT_CODES = frozenset(row[0] for row in DEFAULT_SERVICES)
PUBLIC_HOUSEHOLD = "public_service_household"


# -- The period ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    kind: str  # vocabulary.REPORT_PERIODS
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _day(text: str) -> date:
    """A date as a date field sends it (yyyy-mm-dd) or as written (dd/mm/yyyy)."""
    text = (text or "").strip()
    try:
        if "/" in text:
            d, m, y = (int(part) for part in text.split("/"))
            return date(y, m, d)
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(_("Ngày “%(d)s” không hợp lệ: hãy viết theo dạng ngày/tháng/năm.",
                        d=text[:20])) from None


def choose_period(kind: Optional[str], start: str, end: str, today: date,
                  campaign_start: Optional[date]) -> Period:
    """The period asked for (default: the campaign so far); Invalid with the reason."""
    kind = kind or ("custom" if start or end else "campaign")
    if kind not in REPORT_PERIODS:
        raise Invalid(_("Hãy chọn một khoảng thời gian."))
    if kind == "week":
        return Period(kind, today - timedelta(days=today.weekday()), today)
    if kind == "month":
        return Period(kind, today.replace(day=1), today)
    if kind == "quarter":
        return Period(kind, date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    if kind == "campaign":
        return Period(kind, min(campaign_start or today, today), today)
    first, last = _day(start), _day(end) if end else today
    if first > last:
        raise Invalid(_("Ngày bắt đầu phải trước ngày kết thúc."))
    if last - first > timedelta(days=3 * 366):
        raise Invalid(_("Khoảng thời gian dài quá 3 năm."))
    return Period(kind, first, last)


def _utc_midnight(day: date) -> datetime:
    """The stored (naive UTC) time at which a local day begins."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


# -- What a report holds ------------------------------------------------------------------
@dataclass
class Column:
    """One figure as the report shows it (a service, or households using public services)."""

    key: str
    code: str
    label: str
    per: str  # household | resident
    basis: str
    target: float

    @property
    def headline(self) -> bool:
        return self.code in HEADLINE


@dataclass
class Cell:
    base: int = 0
    done: int = 0  # at the period's end
    done_before: int = 0  # on the eve of its start
    target: float = 100.0

    @property
    def rate(self) -> float:
        """Done over base, 0 to 1 (a spreadsheet shows it as a percentage)."""
        return self.done / self.base if self.base else 0.0

    @property
    def pct(self) -> float:
        return round(100.0 * self.rate, 1)

    @property
    def change(self) -> int:
        return self.done - self.done_before

    @property
    def change_points(self) -> float:
        """Percentage points gained over the period: the group's pace."""
        return round(100.0 * self.change / self.base, 1) if self.base else 0.0

    @property
    def gap(self) -> float:
        """Percentage points still to go to the target (0 when met)."""
        return round(max(0.0, self.target - 100.0 * self.rate), 1)

    @property
    def met(self) -> bool:
        return self.base > 0 and 100.0 * self.rate >= self.target

    def add(self, other: "Cell") -> None:
        self.base += other.base
        self.done += other.done
        self.done_before += other.done_before


@dataclass
class Line:
    """One group's figures over the period (or, with no id, the ward's total)."""

    id: Optional[int]
    name: str
    households: int = 0
    visits: int = 0
    reached: int = 0
    last_visit: Optional[date] = None
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class Report:
    ward: Ward
    place: Optional[Neighbourhood]  # one group; None: the ward's groups side by side
    period: Period
    columns: list[Column]
    lines: list[Line]
    total: Line
    generated_at: datetime

    @property
    def headline(self) -> list[Column]:
        return [c for c in self.columns if c.headline]

    @property
    def others(self) -> list[Column]:
        return [c for c in self.columns if not c.headline]


# -- Counting -----------------------------------------------------------------------------
def _key(service: Checked, place_id: int) -> str:
    """The same figure in every group: the ward's services (copies share its code, as the
    default checklist's do); a group's own service is its own column."""
    if service.parent_id is not None or service.code in DEFAULT_CODES:
        return service.code
    return f"{service.code}@{place_id}"


def _done_counts(lists: dict[int, list[Checked]], ids: list[int], period: Period,
                 year: int) -> dict:
    """{(group, service id): (done at end, done before start)}, and for the public service
    {(group, PUBLIC_HOUSEHOLD): households with a member who used it}."""
    services = [s for chosen in lists.values() for s in chosen]
    if not services:
        return {}
    at_end = on_or_before_sql(Visit.happened_at, period.end)
    before = on_or_before_sql(Visit.happened_at, period.start - timedelta(days=1))
    scope = [Household.neighbourhood_id.in_(ids), Household.status.not_in(GONE)]

    def counted(chosen, *columns):
        return db.session.execute(
            select(Household.neighbourhood_id, ServiceState.service_id, *columns)
            .select_from(ServiceState)
            .join(Household, Household.id == ServiceState.household_id)
            .join(Visit, Visit.id == ServiceState.visit_id)
            .outerjoin(Resident, Resident.id == ServiceState.resident_id)
            .where(*scope, _done(chosen, ServiceState.state, ServiceState.service_id,
                                 ServiceState.resident_id, year))
            .group_by(Household.neighbourhood_id, ServiceState.service_id)).all()
    result = {(g, sid): (end or 0, start or 0) for g, sid, end, start in counted(
        services, func.sum(case((at_end, 1), else_=0)), func.sum(case((before, 1), else_=0)))}
    members = [s for s in services if s.code == "public_service" and s.per == "resident"]
    if members:
        for g, sid, end, start in counted(
                members, func.count(distinct(case((at_end, ServiceState.household_id)))),
                func.count(distinct(case((before, ServiceState.household_id))))):
            result[(g, PUBLIC_HOUSEHOLD)] = (end or 0, start or 0)
    return result


def _visits(ids: list[int], period: Period) -> dict:
    """{group: (visits, households met, day of the last visit)} within the period."""
    rows = db.session.execute(
        select(Household.neighbourhood_id, func.count(Visit.id),
               func.count(distinct(case((Visit.outcome == "met", Visit.household_id)))),
               func.max(Visit.happened_at))
        .join(Household, Household.id == Visit.household_id)
        .where(Household.neighbourhood_id.in_(ids), counting_sql(),
               Visit.happened_at >= _utc_midnight(period.start),
               Visit.happened_at < _utc_midnight(period.end + timedelta(days=1)))
        .group_by(Household.neighbourhood_id)).all()
    return {g: (n, met, local_time(last).date() if last else None) for g, n, met, last in rows}


def build(ward: Ward, places: list[Neighbourhood], period: Period, locale: str = "vi",
          one: Optional[Neighbourhood] = None, today: Optional[date] = None) -> Report:
    """The report of these groups of the ward: five queries however many households."""
    ids = [p.id for p in places]
    year = (today or period.end).year
    lists = checklists(ids)
    base = bases(ids, "neighbourhood", year)
    done = _done_counts(lists, ids, period, year)
    visits = _visits(ids, period)
    ward_targets = {}
    if one is None:
        ward_own = ward_campaign(ward.id)
        ward_targets = {s.code: s.target_pct for s in ward_own.services} if ward_own else {}
    columns: dict[str, Column] = {}
    lines = []
    for place in places:
        line = Line(place.id, place.name)
        group_base = base.get(place.id, {})
        line.households = group_base.get("households", 0)
        line.visits, line.reached, line.last_visit = visits.get(place.id, (0, 0, None))
        for s in lists.get(place.id, []):
            key = _key(s, place.id)
            basis = "all" if s.per == "household" else s.age_basis
            columns.setdefault(key, Column(key, s.code, s.label(locale), s.per, basis,
                                           ward_targets.get(s.code, s.target_pct)))
            end, start = done.get((place.id, s.id), (0, 0))
            line.cells[key] = Cell(group_base.get("households" if s.per == "household"
                                                  else s.age_basis, 0), end, start, s.target_pct)
            if s.code == "public_service" and s.per == "resident":
                columns.setdefault(PUBLIC_HOUSEHOLD, Column(
                    PUBLIC_HOUSEHOLD, PUBLIC_HOUSEHOLD, str(labels.PUBLIC_SERVICE_HOUSEHOLD),
                    "household", "all", ward_targets.get(s.code, s.target_pct)))
                end, start = done.get((place.id, PUBLIC_HOUSEHOLD), (0, 0))
                line.cells[PUBLIC_HOUSEHOLD] = Cell(line.households, end, start, s.target_pct)
        lines.append(line)
    ordered = sorted(columns.values(),  # the four first, then as the checklist has them
                     key=lambda c: HEADLINE.index(c.code) if c.headline else len(HEADLINE))
    total = Line(None, one.name if one else _("Cộng toàn phường"))
    for line in lines:
        total.households += line.households
        total.visits += line.visits
        total.reached += line.reached
        if line.last_visit and (total.last_visit is None or line.last_visit > total.last_visit):
            total.last_visit = line.last_visit
        for key, cell in line.cells.items():
            total.cells.setdefault(key, Cell(target=columns[key].target)).add(cell)
    return Report(ward, one, period, ordered, lines, total, utcnow())


# -- Which groups are behind -------------------------------------------------------------
def behind(report: Report, key: str, sort: str = "gap") -> list[tuple[Line, Cell]]:
    """The groups that have the figure, furthest from its target first (`gap`), or slowest
    over the period first (`pace`); ties go to the other measure, then the name."""
    rows = [(line, line.cells[key]) for line in report.lines if key in line.cells]
    if sort == "pace":
        return sorted(rows, key=lambda r: (r[1].change_points, -r[1].gap, r[0].name))
    assert sort in REPORT_SORTS
    return sorted(rows, key=lambda r: (-r[1].gap, r[1].change_points, r[0].name))
