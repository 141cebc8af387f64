"""The annual board report's figures, counted by the database (`services.board_report`).

Each query covers the report's period and the one of the same length before it in one pass,
GROUP BY whatever the figure is by, with a sum for each period; nothing loads rows into
Python (the named appendix's cases, only when asked for, are `services.board_appendix`).
Everything here runs inside the caller's transaction, after it has checked the role and the
schools.

Which school an incident belongs to: the schools of its case (a case may be shared). A case
counts when any of its schools is among those chosen (`cases`, a subquery of case ids); by
school, an incident counts once at each chosen school of its case. Times are grouped by
their UK day and month: SQLite knows no time zones, so the query adds an hour to moments
in UK summer time (`reporting.summer_time_spans`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from desktop.dates import UK
from desktop.domain.incidents import Channel
from desktop.domain.policy import StepKind
from desktop.domain.reporting import (
    ALL_STEPS_ITEM,
    RESPONSE_SECTION,
    SKIPS_ITEM,
    STEPS_SECTION,
    Figure,
    Median,
    ReportPeriod,
    Section,
    median_of,
    month_label,
    summer_time_spans,
)
from desktop.domain.restrictions import RestrictionKind
from desktop.services.sanction_store import (
    ASKED_TO_LEAVE,
    NOTICE,
    PERIOD_REVIEW,
    PLAN_ISSUED,
    REVIEW_DECISION,
)
from desktop.storage.models import (
    BehaviourCategory,
    Case,
    CaseStep,
    Incident,
    Restriction,
    RestrictionEvent,
    case_schools,
    incident_categories,
)

DECISIONS = (REVIEW_DECISION, PERIOD_REVIEW)


@dataclass(frozen=True)
class Bounds:
    """The two periods as moments (UTC, for incidents) and days (for steps and events)."""

    period: ReportPeriod
    previous: ReportPeriod
    starts: dt.datetime  # the previous period's first moment
    middle: dt.datetime  # this period's first moment
    ends: dt.datetime  # the moment after this period
    spans: list[tuple[dt.datetime, dt.datetime]]


def _uk_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=UK).astimezone(dt.UTC)


def bounds_of(period: ReportPeriod) -> Bounds:
    previous = period.previous()
    return Bounds(
        period,
        previous,
        _uk_midnight(previous.start),
        _uk_midnight(period.start),
        _uk_midnight(period.end + dt.timedelta(days=1)),
        summer_time_spans(previous.start.year, period.end.year),
    )


# -- counting -------------------------------------------------------------------------------
def _split(current: ColumnElement[bool], counted: ColumnElement[bool] | None = None) -> list[Any]:
    """Two sums over rows of both periods: this period's and the previous one's."""
    if counted is None:
        return [func.sum(case((current, 1), else_=0)), func.sum(case((current, 0), else_=1))]
    return [
        func.sum(case((and_(current, counted), 1), else_=0)),
        func.sum(case((and_(~current, counted), 1), else_=0)),
    ]


# The incidents of both periods at the chosen schools, gathered once per report: each later
# count reads this small table (in memory) instead of the incidents table with its texts,
# which the store decrypts page by page on every pass.
_gathered_tables = MetaData()
GATHERED = Table(
    "board_report_incidents",
    _gathered_tables,
    Column("id", Integer, primary_key=True),  # the incident's
    Column("case_id", Integer, nullable=False, index=True),
    Column("current", Boolean, nullable=False),  # in this period, not the previous one
    Column("channel", String(40), nullable=False),
    Column("safety", Boolean, nullable=False),
    Column("local", DateTime, nullable=False),  # when it happened, UK time
    prefixes=["TEMPORARY"],
)


@contextlib.contextmanager
def gathered(db: Session, bounds: Bounds, cases: Select[Any]) -> Iterator[Table]:
    """GATHERED filled with the incidents of both periods at the schools of `cases` (one
    pass over the incidents table) for the block, and dropped after it."""
    connection = db.connection()
    GATHERED.drop(connection, checkfirst=True)  # left on a pooled connection by a failure
    GATHERED.create(connection)
    try:
        source = select(
            Incident.id,
            Incident.case_id,
            Incident.occurred_at >= bounds.middle,
            Incident.channel,
            Incident.immediate_safety,
            _uk_local(db, Incident.occurred_at, bounds),
        ).where(
            Incident.occurred_at >= bounds.starts,
            Incident.occurred_at < bounds.ends,
            Incident.case_id.in_(cases),
        )
        db.execute(insert(GATHERED).from_select([c.name for c in GATHERED.columns], source))
        yield GATHERED
    finally:
        GATHERED.drop(connection)


def _postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _uk_local(db: Session, moment: Any, bounds: Bounds) -> Any:
    """A stored UTC moment as UK local time (SQLite: text `YYYY-MM-DD HH:MM:SS`)."""
    if _postgres(db):
        return func.timezone("Europe/London", func.timezone("UTC", moment))
    summer = or_(*(and_(moment >= begins, moment < ends) for begins, ends in bounds.spans))
    return case((summer, func.datetime(moment, "+1 hour")), else_=func.datetime(moment))


def _uk_day(db: Session, local: Any) -> Any:
    return cast(local, Date) if _postgres(db) else func.substr(local, 1, 10)


def _uk_month(db: Session, local: Any) -> Any:
    return func.to_char(local, "YYYY-MM") if _postgres(db) else func.substr(local, 1, 7)


def _days_between(db: Session, later: Any, earlier: Any) -> Any:
    if _postgres(db):
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _figures(rows: Iterable[Any]) -> dict[Any, tuple[int, int]]:
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in rows}


@dataclass(frozen=True)
class IncidentCounts:
    """What one pass over the incidents of both periods counts: (this period, previous)."""

    incidents: tuple[int, int]
    safety: tuple[int, int]
    channels: dict[str, tuple[int, int]]
    months: dict[str, int]  # "2025-09": incidents that month (the two periods never share one)


def count_incidents(db: Session, found: Table) -> IncidentCounts:
    """Incidents by period, channel, UK month and immediate safety, in one GROUP BY: a few
    hundred groups at most, added up here into the figures each section shows."""
    month = _uk_month(db, found.c.local).label("month")
    columns = (found.c.current, found.c.channel, month, found.c.safety)
    rows = db.execute(select(*columns, func.count()).group_by(*columns)).all()
    incidents, at_risk = [0, 0], [0, 0]
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_month: dict[str, int] = defaultdict(int)
    for is_current, channel, key, risky, number in rows:
        side = 0 if is_current else 1
        incidents[side] += number
        at_risk[side] += number if risky else 0
        by_channel[channel][side] += number
        by_month[key] += number
    return IncidentCounts(
        (incidents[0], incidents[1]),
        (at_risk[0], at_risk[1]),
        {channel: (pair[0], pair[1]) for channel, pair in by_channel.items()},
        dict(by_month),
    )


def totals(
    db: Session,
    bounds: Bounds,
    cases: Select[Any],
    counts: IncidentCounts,
    with_incident: tuple[int, int],
) -> Section:
    opened = db.execute(
        select(*_split(Case.opened_on >= bounds.period.start)).where(
            Case.opened_on >= bounds.previous.start,
            Case.opened_on <= bounds.period.end,
            Case.id.in_(cases),
        )
    ).one()
    return Section(
        "totals",
        "Summary",
        (
            Figure("Incidents recorded", *counts.incidents),
            Figure("Cases with an incident", *with_incident),
            Figure("New cases opened", int(opened[0] or 0), int(opened[1] or 0)),
            Figure("Incidents where someone's immediate safety was at risk", *counts.safety),
        ),
    )


def categories(db: Session, gathered_incidents: Table) -> Section:
    """Incidents by type: each incident joined to its types (none: a row of its own)."""
    category = incident_categories.c.category_id
    incidents = gathered_incidents
    found = _figures(
        db.execute(
            select(category, *_split(incidents.c.current))
            .select_from(incidents)
            .outerjoin(incident_categories, incident_categories.c.incident_id == incidents.c.id)
            .group_by(category)
        )
    )
    named = db.execute(
        select(BehaviourCategory.id, BehaviourCategory.name)
        .where(BehaviourCategory.id.in_([key for key in found if key is not None]))
        .order_by(BehaviourCategory.position, BehaviourCategory.name)
    ).all()
    figures = [Figure(name, *found[category_id]) for category_id, name in named]
    if None in found:
        figures.append(Figure("No type recorded", *found[None]))
    return Section(
        "categories",
        "Incidents by type of behaviour",
        tuple(figures),
        "An incident may be of more than one type, so these add up to more than the incidents.",
    )


def channels(counts: IncidentCounts) -> Section:
    found = dict(counts.channels)
    figures = [Figure(c.label, *found.pop(c.value)) for c in Channel if c.value in found]
    figures += [Figure(value, *pair) for value, pair in sorted(found.items())]
    return Section("channels", "Incidents by where they happened", tuple(figures))


def by_school(db: Session, incidents: Table, schools: list[tuple[int, str]]) -> Section:
    ids = [school_id for school_id, _ in schools]
    found = _figures(
        db.execute(
            select(case_schools.c.school_id, *_split(incidents.c.current))
            .join(incidents, incidents.c.case_id == case_schools.c.case_id)
            .where(case_schools.c.school_id.in_(ids))
            .group_by(case_schools.c.school_id)
        )
    )
    figures = tuple(Figure(name, *found.get(school_id, (0, 0))) for school_id, name in schools)
    return Section(
        "schools",
        "Incidents by school",
        figures,
        "An incident on a case shared by several schools counts at each of them.",
    )


def by_month(bounds: Bounds, counts: IncidentCounts) -> Section:
    found = counts.months

    def count(year: int, number: int) -> int:
        return found.get(f"{year:04d}-{number:02d}", 0)

    now, before = bounds.period.months(), bounds.previous.months()
    figures = []
    for index, (year, number) in enumerate(now):
        if index < len(before):
            earlier = before[index]
            figures.append(
                Figure(
                    month_label(year, number),
                    count(year, number),
                    count(*earlier),
                    month_label(*earlier),
                )
            )
        else:
            figures.append(Figure(month_label(year, number), count(year, number), 0))
    return Section(
        "months",
        "Incidents by month",
        tuple(figures),
        "Each month is set against the same month of the previous period.",
    )


def steps(db: Session, bounds: Bounds, cases: Select[Any]) -> Section:
    current = CaseStep.taken_on >= bounds.period.start
    skipped = CaseStep.skip_authorised_by != ""
    rows = db.execute(
        select(CaseStep.kind, CaseStep.label, *_split(current), *_split(current, skipped))
        .where(
            CaseStep.taken_on >= bounds.previous.start,
            CaseStep.taken_on <= bounds.period.end,
            CaseStep.case_id.in_(cases),
        )
        .group_by(CaseStep.kind, CaseStep.label)
    ).all()
    order = {kind.value: number for number, kind in enumerate(StepKind)}
    rows = sorted(rows, key=lambda r: (order.get(r.kind, len(order)), r.label.lower()))
    figures = [Figure(row.label, int(row[2] or 0), int(row[3] or 0)) for row in rows]
    totals = [sum(int(row[i] or 0) for row in rows) for i in (2, 3, 4, 5)]
    figures.append(Figure(ALL_STEPS_ITEM, totals[0], totals[1]))
    figures.append(Figure(SKIPS_ITEM, totals[2], totals[3]))
    return Section(
        STEPS_SECTION,
        "Action taken (steps of the procedure)",
        tuple(figures),
        "A skip is a step taken before the ones the procedure puts first, with the "
        "authority of the CEO or Chair (or someone they authorised).",
    )


BAR, PLAN = RestrictionKind.BAR.value, RestrictionKind.COMMUNICATION_PLAN.value
# (restriction kind, event kind or "" for a decision, outcome): (the figure, the appendix's words)
OUTCOMES = {
    (BAR, NOTICE, ""): ("Bars issued (notice given)", "bar notice given"),
    (BAR, "", "confirm"): ("Bars confirmed", "bar confirmed"),
    (BAR, "", "vary"): ("Bars varied", "bar varied"),
    (BAR, "", "lift"): ("Bars lifted", "bar lifted"),
    (BAR, "", "renew"): ("Bars renewed", "bar renewed"),
    (BAR, "", "end"): ("Bars ended", "bar ended"),
    (PLAN, PLAN_ISSUED, ""): ("Communication plans issued", "communication plan issued"),
    (PLAN, "", "vary"): ("Communication plans varied", "communication plan varied"),
    (PLAN, "", "lift"): ("Communication plans lifted", "communication plan lifted"),
    (PLAN, "", "renew"): ("Communication plans renewed", "communication plan renewed"),
    (PLAN, "", "end"): ("Communication plans ended", "communication plan ended"),
}
ASKED_TO_LEAVE_ITEM = "Asked to leave a school site"
LATE_ITEM = "Review decisions made after their review date"


def outcomes(db: Session, bounds: Bounds, cases: Select[Any]) -> Section:
    current = RestrictionEvent.on_date >= bounds.period.start
    earlier = aliased(RestrictionEvent)
    review_due = (
        select(earlier.review_due)
        .where(
            earlier.restriction_id == RestrictionEvent.restriction_id,
            earlier.id < RestrictionEvent.id,
            earlier.review_due.is_not(None),
        )
        .order_by(earlier.id.desc())
        .limit(1)
        .correlate(RestrictionEvent)
        .scalar_subquery()
    )
    decision = RestrictionEvent.kind.in_(DECISIONS)
    late = and_(decision, RestrictionEvent.on_date > review_due)
    rows = db.execute(
        select(
            Restriction.kind,
            case((decision, ""), else_=RestrictionEvent.kind),
            case((decision, RestrictionEvent.outcome), else_=""),
            *_split(current),
            *_split(current, late),
        )
        .join(Restriction, Restriction.id == RestrictionEvent.restriction_id)
        .where(
            RestrictionEvent.on_date >= bounds.previous.start,
            RestrictionEvent.on_date <= bounds.period.end,
            Restriction.case_id.in_(cases),
        )
        .group_by(Restriction.kind, RestrictionEvent.kind, RestrictionEvent.outcome)
    ).all()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        kind, event, outcome = row[0], row[1], row[2]
        item = OUTCOMES.get((kind, event, outcome), ("", ""))[0] or None
        if event == ASKED_TO_LEAVE:
            item = ASKED_TO_LEAVE_ITEM
        for target in (item, LATE_ITEM):
            if target is None:
                continue
            shift = 0 if target == item else 2
            counts[target][0] += int(row[3 + shift] or 0)
            counts[target][1] += int(row[4 + shift] or 0)
    items = [ASKED_TO_LEAVE_ITEM, *(figure for figure, _ in OUTCOMES.values()), LATE_ITEM]
    return Section(
        "outcomes",
        "Outcomes: bars and communication plans",
        tuple(Figure(item, *counts.get(item, (0, 0))) for item in items),
        "A bar is confirmed, varied or lifted by the trust's review after the notice, and "
        "renewed or ended at the end of each period. A decision is late when it was made after "
        "the review date then set.",
    )


def response(db: Session, incidents: Table) -> tuple[Section, list[Median], tuple[int, int]]:
    """How long from each case's first incident in a period to the first step taken on or
    after that day: counted as {days: cases} by the database, the median worked out from
    those counts. Also how many cases had an incident in each period (one row each here)."""
    firsts = (
        select(incidents.c.case_id, incidents.c.current, func.min(incidents.c.local).label("at"))
        .group_by(incidents.c.case_id, incidents.c.current)
        .subquery()
    )
    first_day = _uk_day(db, firsts.c.at)
    days_cases = (
        select(firsts.c.current.label("current"), first_day.label("first_day"))
        .add_columns(firsts.c.case_id)
        .subquery()
    )
    first_step = (
        select(func.min(CaseStep.taken_on))
        .where(
            CaseStep.case_id == days_cases.c.case_id,
            CaseStep.taken_on >= days_cases.c.first_day,
        )
        .correlate(days_cases)
        .scalar_subquery()
    )
    waited = _days_between(db, first_step, days_cases.c.first_day).label("days")
    per_case = select(days_cases.c.current, waited).subquery()
    histograms: list[dict[int, int]] = [{}, {}]
    waiting = [0, 0]
    for is_current, days, number in db.execute(
        select(per_case.c.current, per_case.c.days, func.count()).group_by(
            per_case.c.current, per_case.c.days
        )
    ):
        side = 0 if is_current else 1
        if days is None:
            waiting[side] += int(number)
        else:
            histograms[side][int(days)] = int(number)
    medians = [median_of(histograms[0]), median_of(histograms[1])]
    section = Section(
        RESPONSE_SECTION,
        "How quickly action followed",
        (
            Figure("Cases where a step followed an incident", medians[0].cases, medians[1].cases),
            Figure("Cases with an incident and no step taken since", waiting[0], waiting[1]),
        ),
        "For each case, from the day of its first incident in the period to the first step "
        "taken on or after that day. A median is shown only when at least five cases make it.",
    )
    with_incident = (medians[0].cases + waiting[0], medians[1].cases + waiting[1])
    return section, medians, with_incident
