"""The calendar: every dated item across the cases a user may see, fetched in bulk.

A few queries per view (open bars and plans, tasks, written warnings), each narrowed in
SQL to the dates asked for plus anything overdue, and the school scope; the rules that
turn rows into items are `desktop.domain.due`. Exports to `.ics` are audited, carry only
the case reference and the kind unless names are asked for, and keep each item's UID
from one export to the next so a calendar program updates rather than duplicates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.dates import uk_today, utc_now
from desktop.domain.due import (
    OPEN_STATES,
    SOON_DAYS,
    DueItem,
    DueKind,
    DueState,
    RestrictionDates,
    Summary,
    TaskDates,
    WarningDates,
    in_window,
    ordered,
    restriction_items,
    summarise,
    task_item,
    warning_item,
)
from desktop.domain.policy import StepKind
from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.domain.roles import Operation
from desktop.domain.sanctions import Phase
from desktop.errors import ValidationError
from desktop.services import audit, exports, policies, scope
from desktop.services.session import Actor, UserSession
from desktop.storage.models import (
    Case,
    CaseStep,
    CaseTask,
    Person,
    PolicyProfileRecord,
    Restriction,
    School,
    User,
    case_schools,
)

MAX_EXPORT_DAYS = 3660
_CHUNK = 900  # ids per IN list, well inside SQLite's limit on bound parameters


@dataclass(frozen=True)
class DueView:
    """Which items to show: a date window (None: open-ended) and filters."""

    start: dt.date | None = None
    end: dt.date | None = None
    school_id: int | None = None
    kinds: frozenset[DueKind] = frozenset()  # empty: every kind
    owner: str | None = None  # "" for items with nobody recorded; None: anyone


@dataclass(frozen=True)
class ExportedCalendar:
    path: Path
    events: int
    with_names: bool


def _in_school(school_id: int | None) -> ColumnElement[bool]:
    if school_id is None:
        return Case.id.is_not(None)
    return Case.id.in_(select(case_schools.c.case_id).where(case_schools.c.school_id == school_id))


def _dated(
    column: InstrumentedAttribute[Any], start: dt.date | None, end: dt.date | None
) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [column.is_not(None)]
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return and_(*conditions)


def _restrictions(
    db: Session,
    actor: Actor,
    view: DueView,
    today: dt.date,
    only: ColumnElement[bool] | None = None,
) -> list[RestrictionDates]:
    owner = (
        select(User.full_name)
        .join(CaseTask, CaseTask.owner_id == User.id)
        .where(CaseTask.restriction_id == Restriction.id, CaseTask.done_on.is_(None))
        .order_by(CaseTask.due_on)
        .limit(1)
        .scalar_subquery()
    )
    dates = (Restriction.ends, Restriction.review_due, Restriction.representations_deadline)
    windowed = (
        or_(
            *(_dated(d, view.start, view.end) for d in dates),
            *(d < today for d in dates),  # perhaps overdue: the rules decide
            and_(Restriction.ends.is_(None), Restriction.review_due.is_(None)),
        )
        if view.start is not None or view.end is not None
        else Restriction.id.is_not(None)
    )
    rows = db.execute(
        select(
            Restriction.id,
            Restriction.case_id,
            Case.reference,
            Restriction.kind,
            Restriction.state,
            Restriction.phase,
            Restriction.ends,
            Restriction.review_due,
            Restriction.reviewed_on,
            Restriction.representations_deadline,
            Restriction.representations_on,
            owner,
            Person.given_name,
            Person.family_name,
        )
        .join(Case, Case.id == Restriction.case_id)
        .join(Person, Person.id == Restriction.person_id)
        .where(Restriction.state.in_([s.value for s in OPEN_STATES]))
        .where(scope.case_visible(actor), _in_school(view.school_id), windowed)
        .where(only if only is not None else true())
    ).all()
    return [
        RestrictionDates(
            restriction_id=r[0],
            case_id=r[1],
            reference=r[2],
            kind=RestrictionKind(r[3]),
            state=RestrictionState(r[4]),
            phase=Phase(r[5]) if r[5] in Phase._value2member_map_ else None,
            ends=r[6],
            review_due=r[7],
            reviewed_on=r[8],
            representations_deadline=r[9],
            representations_on=r[10],
            owner=r[11] or "",
            subject=_name(r[12], r[13]),
        )
        for r in rows
    ]


def _tasks(
    db: Session,
    actor: Actor,
    view: DueView,
    today: dt.date,
    only: ColumnElement[bool] | None = None,
) -> list[TaskDates]:
    owner = select(User.full_name).where(User.id == CaseTask.owner_id).scalar_subquery()
    rows = db.execute(
        select(
            CaseTask.id,
            CaseTask.case_id,
            Case.reference,
            CaseTask.title,
            CaseTask.due_on,
            CaseTask.done_on,
            owner,
            Person.given_name,
            Person.family_name,
        )
        .join(Case, Case.id == CaseTask.case_id)
        .join(Person, Person.id == Case.subject_id)
        # A bar's or plan's own review tasks are its review items already.
        .where(CaseTask.restriction_id.is_(None), CaseTask.due_on.is_not(None))
        .where(
            or_(
                _dated(CaseTask.due_on, view.start, view.end),
                and_(CaseTask.done_on.is_(None), CaseTask.due_on < today),
            )
        )
        .where(scope.case_visible(actor), _in_school(view.school_id))
        .where(only if only is not None else true())
    ).all()
    return [
        TaskDates(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", (), _name(r[7], r[8]))
        for r in rows
    ]


def _warnings(db: Session, actor: Actor, view: DueView) -> list[WarningDates]:
    record_ids = db.scalars(
        select(CaseStep.profile_record_id)
        .where(CaseStep.kind == StepKind.WRITTEN_WARNING.value)
        .distinct()
    ).all()
    found: list[WarningDates] = []
    for record_id in record_ids:
        days = _kept_days(db, record_id)
        taken = (
            _dated(
                CaseStep.taken_on,
                view.start - dt.timedelta(days=days) if view.start else None,
                view.end - dt.timedelta(days=days) if view.end else None,
            )
            if view.start is not None or view.end is not None
            else CaseStep.taken_on.is_not(None)
        )
        same_profile = (
            CaseStep.profile_record_id == record_id
            if record_id is not None
            else CaseStep.profile_record_id.is_(None)
        )
        rows = db.execute(
            select(
                CaseStep.id,
                CaseStep.case_id,
                Case.reference,
                CaseStep.taken_on,
                Person.given_name,
                Person.family_name,
            )
            .join(Case, Case.id == CaseStep.case_id)
            .join(Person, Person.id == Case.subject_id)
            .where(CaseStep.kind == StepKind.WRITTEN_WARNING.value, same_profile, taken)
            .where(scope.case_visible(actor), _in_school(view.school_id))
        ).all()
        found.extend(
            WarningDates(r[0], r[1], r[2], r[3], days, (), _name(r[4], r[5])) for r in rows
        )
    return found


def _name(given: str, family: str) -> str:
    return f"{given} {family}".strip()


def _kept_days(db: Session, record_id: int | None) -> int:
    row = db.get(PolicyProfileRecord, record_id) if record_id is not None else None
    profile = policies.profile_of(row) if row is not None else policies.profile_for_reading(db)
    return profile.windows.warning_retention_days


def _schools_of(db: Session, case_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    ids = sorted(set(case_ids))
    found: dict[int, list[str]] = {}
    for at in range(0, len(ids), _CHUNK):
        rows = db.execute(
            select(case_schools.c.case_id, School.name)
            .join(School, School.id == case_schools.c.school_id)
            .where(case_schools.c.case_id.in_(ids[at : at + _CHUNK]))
            .order_by(School.name)
        ).all()
        for case_id, name in rows:
            found.setdefault(case_id, []).append(name)
    return {case_id: tuple(names) for case_id, names in found.items()}


def _items(db: Session, actor: Actor, view: DueView, today: dt.date) -> list[DueItem]:
    items: list[DueItem] = []
    if not view.kinds or view.kinds - {DueKind.TASK, DueKind.WARNING_EXPIRY}:
        for r in _restrictions(db, actor, view, today):
            items.extend(restriction_items(r, today))
    if not view.kinds or DueKind.TASK in view.kinds:
        items.extend(task_item(t, today) for t in _tasks(db, actor, view, today))
    if not view.kinds or DueKind.WARNING_EXPIRY in view.kinds:
        items.extend(warning_item(w, today) for w in _warnings(db, actor, view))
    items = [
        i
        for i in items
        if in_window(i, view.start, view.end)
        and (not view.kinds or i.kind in view.kinds)
        and (view.owner is None or i.owner == view.owner)
    ]
    schools = _schools_of(db, (i.case_id for i in items))
    return ordered(_with_schools(i, schools.get(i.case_id, ())) for i in items)


def _with_schools(item: DueItem, schools: tuple[str, ...]) -> DueItem:
    return replace(item, schools=schools)


def due_items(
    session: UserSession, *, view: DueView | None = None, today: dt.date | None = None
) -> list[DueItem]:
    """Every item in the view from the cases the user may see: overdue first, then by
    date. Overdue items are included whatever the window."""
    session.require(Operation.VIEW_CASES)
    view = view or DueView()
    if view.school_id is not None:
        scope.require_schools(session.actor, [view.school_id], "You cannot see that school.")
    with session.transaction() as db:
        return _items(db, session.actor, view, today or uk_today())


def due_summary(session: UserSession, *, today: dt.date | None = None) -> Summary:
    """Overdue, due today and due this week: for the reminder after sign-in and the status
    bar. Nothing for roles that see no cases."""
    if not session.can(Operation.VIEW_CASES):
        return Summary(0, 0, 0)
    today = today or uk_today()
    view = DueView(start=today, end=today + dt.timedelta(days=SOON_DAYS))
    return summarise(due_items(session, view=view, today=today), today)


def owners(session: UserSession) -> list[str]:
    """The people who own open tasks, for the calendar's owner filter."""
    session.require(Operation.VIEW_CASES)
    with session.transaction() as db:
        return list(
            db.scalars(
                select(User.full_name)
                .join(CaseTask, CaseTask.owner_id == User.id)
                .join(Case, Case.id == CaseTask.case_id)
                .where(CaseTask.done_on.is_(None), scope.case_visible(session.actor))
                .distinct()
                .order_by(User.full_name)
            )
        )


def next_due(
    session: UserSession, *, case_ids: Sequence[int], today: dt.date | None = None
) -> dict[int, DueItem]:
    """Each case's most pressing open item (overdue first, then the soonest), for the case
    list's "Next due" column; cases with nothing open are left out."""
    session.require(Operation.VIEW_CASES)
    today = today or uk_today()
    found: dict[int, DueItem] = {}
    with session.transaction() as db:
        for at in range(0, len(case_ids), _CHUNK):
            only = Case.id.in_(list(case_ids[at : at + _CHUNK]))
            items: list[DueItem] = []
            for r in _restrictions(db, session.actor, DueView(), today, only):
                items.extend(restriction_items(r, today))
            open_tasks = _tasks(db, session.actor, DueView(), today, only)
            items.extend(task_item(t, today) for t in open_tasks if t.done_on is None)
            for item in ordered(i for i in items if i.state is not DueState.DONE):
                found.setdefault(item.case_id, item)
    return found


def calendar_text(
    items: Sequence[DueItem], *, store_id: str, with_names: bool, stamp: dt.datetime
) -> bytes:
    """An iCalendar file of these items: all-day events whose UIDs stay the same from one
    export to the next (the item's kind and record, and the store), so a calendar program
    moves an event whose date changed instead of adding a second one."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Casebook//Parent Code of Conduct calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Casebook reviews and deadlines")
    sequence = int(stamp.timestamp() // 60)  # rises with every export, so updates win
    for item in items:
        event = Event()
        event.add("uid", f"{item.uid_key}@{store_id}.casebook")
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("dtstart", item.date)
        event.add("dtend", item.date + dt.timedelta(days=1))
        late = " (overdue)" if item.state is DueState.OVERDUE else ""
        summary = f"{item.reference}: {item.kind.label}{late}"
        description = item.resolves + "."
        if with_names:
            summary += f" — {item.subject}" if item.subject else ""
            if item.owner:
                description += f" Owner: {item.owner}."
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def export_ics(
    session: UserSession,
    *,
    to: Path,
    days: int = 90,
    with_names: bool = False,
    today: dt.date | None = None,
) -> ExportedCalendar:
    """Save the open items of the next `days` days (and every overdue one) as an `.ics`
    file for Outlook or another calendar; audited. Without `with_names` the file carries
    case references and kinds only: it is not encrypted."""
    if not 1 <= days <= MAX_EXPORT_DAYS:
        raise ValidationError(f"Export between 1 and {MAX_EXPORT_DAYS} days ahead.", "days")
    to = exports.check_target(to)
    today = today or uk_today()
    view = DueView(start=today, end=today + dt.timedelta(days=days))
    items = [i for i in due_items(session, view=view, today=today) if i.state is not DueState.DONE]
    payload = calendar_text(
        items, store_id=session.store.identity.store_id, with_names=with_names, stamp=utc_now()
    )
    with exports.exporting(to) as out, session.transaction(write=True) as db:
        out.write(payload)
        audit.record(
            db,
            session.actor,
            "calendar.exported",
            detail={"events": len(items), "days": days, "with_names": with_names},
        )
        out.place()
    return ExportedCalendar(to, len(items), with_names)
