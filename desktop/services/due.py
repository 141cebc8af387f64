"""The calendar: every dated item across the cases a user may see, fetched in bulk.

A few queries per view (open bars and plans, tasks, written warnings, and for the data
protection lead subject access requests), each narrowed in
SQL to the dates asked for plus anything overdue, and the school scope; the rules that
turn rows into items are `desktop.domain.due`. Exports to `.ics` are audited, carry only
the case reference and the kind unless names are asked for, and keep each item's UID
from one export to the next so a calendar program updates rather than duplicates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from desktop.dates import uk_today
from desktop.domain.due import (
    AWAITING_REPRESENTATIONS,
    OPEN_STATES,
    REVIEW_KINDS,
    DueItem,
    DueKind,
    DueState,
    RestrictionDates,
    SubjectAccessDates,
    Summary,
    TaskDates,
    WarningDates,
    in_window,
    ordered,
    restriction_items,
    soon_after,
    subject_access_item,
    summarise,
    task_item,
    warning_item,
)
from desktop.domain.policy import StepKind
from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.domain.roles import Operation, is_permitted
from desktop.domain.sanctions import Phase
from desktop.services import due_queries, policies, scope
from desktop.services.session import Actor, UserSession
from desktop.storage.models import (
    Case,
    CaseStep,
    CaseTask,
    Person,
    PolicyProfileRecord,
    Restriction,
    School,
    SubjectAccessRequest,
    User,
)

_CHUNK = 900  # ids per IN list, well inside SQLite's limit on bound parameters


@dataclass(frozen=True)
class DueView:
    """Which items to show: a date window (None: open-ended) and filters."""

    start: dt.date | None = None
    end: dt.date | None = None
    school_id: int | None = None
    kinds: frozenset[DueKind] = frozenset()  # empty: every kind
    owner: str | None = None  # "" for items with nobody recorded; None: anyone


def _shape(
    db: Session, actor: Actor, view: DueView, today: dt.date, case_ids: Sequence[int] | None
) -> tuple[due_queries.Shape, dict[str, Any]]:
    """Which prepared statement answers the view, and the values to run it with."""
    start, end, school_id = view.start, view.end, view.school_id
    shape = due_queries.Shape.of(
        db.get_bind().dialect.name,
        actor,
        start=start,
        end=end,
        school_id=school_id,
        case_ids=case_ids,
    )
    values = due_queries.params(
        actor, today, start=start, end=end, school_id=school_id, case_ids=case_ids
    )
    return shape, values


def _rows(db: Session, query: Select[*tuple[Any, ...]]) -> Sequence[Any]:
    """Plain rows of columns, through the connection: no ORM bookkeeping per row, which a
    month of a large store (thousands of items) would pay for nothing."""
    return db.connection().execute(query).all()


def _restrictions(
    db: Session,
    actor: Actor,
    view: DueView,
    today: dt.date,
    schools: SchoolNames,
    case_ids: Sequence[int] | None = None,
) -> list[RestrictionDates]:
    shape, values = _shape(db, actor, view, today, case_ids)
    rows = db.connection().execute(due_queries.restrictions(shape), values).all()
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
            schools=schools(r[14]),
        )
        for r in rows
    ]


def _tasks(
    db: Session,
    actor: Actor,
    view: DueView,
    today: dt.date,
    schools: SchoolNames,
    case_ids: Sequence[int] | None = None,
    *,
    lean: bool = False,
    first: int | None = None,
) -> list[TaskDates]:
    """The tasks in the view, with their case, owner, schools and subject; `lean`: their
    dates alone, for counting (a large store may hold tens of thousands overdue);
    `first`: only that many open tasks, the most pressing."""
    shape, values = _shape(db, actor, view, today, case_ids)
    query = due_queries.tasks(shape, lean=lean, first=first is not None)
    if first is not None:
        values[due_queries.FIRST.key] = first
    rows = db.connection().execute(query, values).all()
    if lean:
        return [TaskDates(r[0], r[1], "", "", r[2], r[3]) for r in rows]
    return [
        TaskDates(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", schools(r[9]), _name(r[7], r[8]))
        for r in rows
    ]


def _warnings(db: Session, actor: Actor, view: DueView, schools: SchoolNames) -> list[WarningDates]:
    record_ids = db.scalars(
        select(CaseStep.profile_record_id)
        .where(CaseStep.kind == StepKind.WRITTEN_WARNING.value)
        .distinct()
    ).all()
    found: list[WarningDates] = []
    for record_id in record_ids:
        days = _kept_days(db, record_id)
        taken = (
            due_queries.dated(
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
        rows = _rows(
            db,
            select(
                CaseStep.id,
                CaseStep.case_id,
                Case.reference,
                CaseStep.taken_on,
                Person.given_name,
                Person.family_name,
                due_queries.case_school_ids(db.get_bind().dialect.name),
            )
            .join(Case, Case.id == CaseStep.case_id)
            .join(Person, Person.id == Case.subject_id)
            .where(CaseStep.kind == StepKind.WRITTEN_WARNING.value, same_profile, taken)
            .where(scope.case_visible(actor), due_queries.in_school(view.school_id)),
        )
        found.extend(
            WarningDates(r[0], r[1], r[2], r[3], days, schools(r[6]), _name(r[4], r[5]))
            for r in rows
        )
    return found


def _name(given: str, family: str) -> str:
    return f"{given} {family}".strip()


def _kept_days(db: Session, record_id: int | None) -> int:
    row = db.get(PolicyProfileRecord, record_id) if record_id is not None else None
    profile = policies.profile_of(row) if row is not None else policies.profile_for_reading(db)
    return profile.windows.warning_retention_days


class SchoolNames:
    """Turns a case's school ids, as one query column ("1,3"), into its schools' names in
    order; the trust's few schools are read once per call, each combination named once."""

    def __init__(self, db: Session) -> None:
        self._names = dict(_rows(db, select(School.id, School.name)))
        self._seen: dict[str | None, tuple[str, ...]] = {None: ()}

    def __call__(self, ids: str | None) -> tuple[str, ...]:
        found = self._seen.get(ids)
        if found is None:
            names = (self._names.get(int(i), "") for i in str(ids).split(",") if i)
            found = self._seen[ids] = tuple(sorted(n for n in names if n))
        return found


def _subject_access(
    db: Session, actor: Actor, view: DueView, today: dt.date
) -> list[SubjectAccessDates]:
    """Subject access requests by their deadline in force, for those who answer them only.
    They belong to the trust, not to a school: a view of one school leaves them out."""
    if not is_permitted(actor.role, Operation.SUBJECT_ACCESS) or view.school_id is not None:
        return []
    day = func.coalesce(SubjectAccessRequest.extended_to, SubjectAccessRequest.due_on)
    rows = _rows(
        db,
        select(
            SubjectAccessRequest.id,
            SubjectAccessRequest.requester_name,
            SubjectAccessRequest.due_on,
            SubjectAccessRequest.extended_to,
            SubjectAccessRequest.completed_on,
        ).where(
            or_(
                and_(
                    day >= view.start if view.start is not None else true(),
                    day <= view.end if view.end is not None else true(),
                ),
                and_(SubjectAccessRequest.completed_on.is_(None), day < today),
            )
        ),
    )
    return [SubjectAccessDates(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def _items(
    db: Session,
    actor: Actor,
    view: DueView,
    today: dt.date,
    *,
    lean: bool = False,
) -> list[DueItem]:
    """The view's items, ordered; `lean`: tasks without their names, for counting."""
    items: list[DueItem] = []
    schools = SchoolNames(db)
    if not view.kinds or view.kinds - {
        DueKind.TASK,
        DueKind.WARNING_EXPIRY,
        DueKind.SUBJECT_ACCESS,
    }:
        for r in _restrictions(db, actor, view, today, schools):
            items.extend(restriction_items(r, today))
    if not view.kinds or DueKind.TASK in view.kinds:
        tasks = _tasks(db, actor, view, today, schools, lean=lean)
        items.extend(task_item(t, today) for t in tasks)
    if not view.kinds or DueKind.WARNING_EXPIRY in view.kinds:
        items.extend(warning_item(w, today) for w in _warnings(db, actor, view, schools))
    if not view.kinds or DueKind.SUBJECT_ACCESS in view.kinds:
        items.extend(subject_access_item(r, today) for r in _subject_access(db, actor, view, today))
    items = [
        i
        for i in items
        if in_window(i, view.start, view.end)
        and (not view.kinds or i.kind in view.kinds)
        and (view.owner is None or i.owner == view.owner)
    ]
    return ordered(items)


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
    view = DueView(start=today, end=soon_after(today))
    with session.transaction() as db:
        return summarise(_items(db, session.actor, view, today, lean=True), today)


@dataclass(frozen=True)
class Reminder:
    """What the reminder after sign-in says: how many items are overdue, due today and due
    this week, and the most pressing of them in full."""

    summary: Summary
    first: list[DueItem]

    @property
    def count(self) -> int:
        return self.summary.overdue + self.summary.due_today + self.summary.this_week


def reminder(session: UserSession, *, listed: int, today: dt.date | None = None) -> Reminder:
    """The counts `due_summary` gives and the first `listed` of those items (overdue first,
    then by date). Only that many open tasks are read in full: a large store may hold
    thousands overdue, which would take seconds to read and name for a list of twelve."""
    if not session.can(Operation.VIEW_CASES):
        return Reminder(Summary(0, 0, 0), [])
    today = today or uk_today()
    view = DueView(start=today, end=soon_after(today))
    with session.transaction() as db:
        counted = _items(db, session.actor, view, today, lean=True)
        # Only tasks are read lean: the other items are shown as counted.
        tasks = _tasks(db, session.actor, view, today, SchoolNames(db), first=listed)
    shown = [i for i in counted if i.kind is not DueKind.TASK and i.state is not DueState.DONE]
    shown += [task_item(t, today) for t in tasks]
    return Reminder(summarise(counted, today), ordered(shown)[:listed])


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
    """Each case's most pressing open item (overdue first, then the soonest); cases with
    nothing open are left out."""
    return _most_pressing(session, case_ids, today, as_listed=False)


def _most_pressing(
    session: UserSession, case_ids: Sequence[int], today: dt.date | None, *, as_listed: bool
) -> dict[int, DueItem]:
    session.require(Operation.VIEW_CASES)
    with session.transaction() as db:
        return most_pressing_in(
            db, session.actor, case_ids, today or uk_today(), as_listed=as_listed
        )


def most_pressing_in(
    db: Session, actor: Actor, case_ids: Sequence[int], today: dt.date, *, as_listed: bool
) -> dict[int, DueItem]:
    """`next_due` (or with `as_listed`, `case_list_due`) inside a transaction the caller
    holds, having checked that the user may see cases."""
    found: dict[int, DueItem] = {}
    schools = SchoolNames(db)
    for at in range(0, len(case_ids), _CHUNK):
        only = case_ids[at : at + _CHUNK]
        items: list[DueItem] = []
        for r in _restrictions(db, actor, DueView(), today, schools, only):
            found_items = restriction_items(r, today)
            items.extend(_as_listed(found_items) if as_listed else found_items)
        open_tasks = _tasks(db, actor, DueView(), today, schools, only)
        items.extend(task_item(t, today) for t in open_tasks if t.done_on is None)
        for item in ordered(i for i in items if i.state is not DueState.DONE):
            found.setdefault(item.case_id, item)
    return found


# -- the case list: each case's next item, and "Needs attention" -----------------------------
END_KINDS = frozenset({DueKind.BAR_END, DueKind.PLAN_END})
"""A bar's or plan's end: overdue, it means the end-of-period review was never recorded."""


def _as_listed(items: list[DueItem]) -> list[DueItem]:
    """One restriction's items as the case list weighs them: past its end and still
    unreviewed, it is shown by its end (the list says "Review overdue"), not by the review
    date that passed before the end did."""
    if any(i.kind in END_KINDS and i.state is DueState.OVERDUE for i in items):
        return [i for i in items if i.kind not in REVIEW_KINDS - END_KINDS]
    return items


def case_list_due(
    session: UserSession, *, case_ids: Sequence[int], today: dt.date | None = None
) -> dict[int, DueItem]:
    """Each case's most pressing open item for the case list's "Next due" column, fetched
    for one page of the list at a time: `next_due`'s choice (overdue first, then the
    soonest), except that a bar or plan past its end without its review is shown by its
    end item rather than by the review date that passed first. Cases with nothing open
    are left out. `next_due_on` is the same choice's date in SQL, for sorting."""
    return _most_pressing(session, case_ids, today, as_listed=True)


def _earlier(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """The earlier of two dates in SQL, either of which may be NULL (none)."""
    return sql_case((b.is_(None), a), (a.is_(None), b), (b < a, b), else_=a)


def _restriction_due_on(today: dt.date) -> ColumnElement[Any]:
    """For a row of `restrictions` in an open state, the date of its most pressing open
    item as the case list weighs them (`restriction_items` in desktop.domain.due, then
    `_as_listed`); NULL when it has none. The rules in SQL, kept beside their Python;
    tests/services/test_case_list_due.py checks the two agree.

    - representations deadline: while the notice awaits them and none are recorded;
    - review: by its review date, else its end, else today, until this period's review is
      recorded (always, while not in force); not counted once the end has passed, as the
      end item then stands for it;
    - end: while in force.
    """
    in_force = Restriction.state.in_([s.value for s in OPEN_STATES if s.in_force])
    day = literal(today, Date)
    representations = sql_case(
        (
            and_(
                Restriction.phase.in_([p.value for p in AWAITING_REPRESENTATIONS]),
                Restriction.representations_on.is_(None),
            ),
            Restriction.representations_deadline,
        ),
    )
    review = sql_case(
        (
            and_(
                or_(Restriction.reviewed_on.is_(None), Restriction.ends.is_(None), ~in_force),
                ~and_(in_force, Restriction.ends.is_not(None), Restriction.ends < day),
            ),
            func.coalesce(Restriction.review_due, Restriction.ends, day),
        ),
    )
    end = sql_case((in_force, Restriction.ends))
    return _earlier(_earlier(representations, review), end)


def _open_restrictions() -> ColumnElement[bool]:
    return and_(
        Restriction.case_id == Case.id,
        Restriction.state.in_([s.value for s in OPEN_STATES]),
    )


def _open_tasks() -> ColumnElement[bool]:
    # A bar's or plan's own review tasks are its review items already, as in `_tasks`.
    return and_(
        CaseTask.case_id == Case.id,
        CaseTask.restriction_id.is_(None),
        CaseTask.done_on.is_(None),
        CaseTask.due_on.is_not(None),
    )


def needs_attention_clause(today: dt.date) -> ColumnElement[bool]:
    """A WHERE clause on `Case`: an open item overdue on `today` or due within SOON_DAYS of
    it, for the case list's "Needs attention" filter. The same items as `next_due` and
    `case_list_due` (bars' and plans' deadlines, reviews and ends, open tasks; a written
    warning lapsing needs nothing done), by the rules of `restriction_items` and
    `task_item` in desktop.domain.due; an item with no date of its own is due today."""
    soon = soon_after(today)
    restriction = (
        select(Restriction.id)
        .where(_open_restrictions(), _restriction_due_on(today) <= soon)
        .correlate(Case)
        .exists()
    )
    task = (
        select(CaseTask.id).where(_open_tasks(), CaseTask.due_on <= soon).correlate(Case).exists()
    )
    return or_(restriction, task)


def next_due_on(today: dt.date) -> ColumnElement[Any]:
    """A column on `Case`: the date of the item `case_list_due` shows for the case (NULL
    when nothing is open), so the list can be sorted by it in SQL."""
    restriction = (
        select(func.min(_restriction_due_on(today)))
        .where(_open_restrictions())
        .correlate(Case)
        .scalar_subquery()
    )
    task = select(func.min(CaseTask.due_on)).where(_open_tasks()).correlate(Case).scalar_subquery()
    return _earlier(restriction, task)
