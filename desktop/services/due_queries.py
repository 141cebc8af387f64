"""The calendar's reads of open bars, plans and tasks, each built once per shape.

The case list asks for its page's next due items on every keystroke of a search, and the
calendar for a month's items on every page turn. Building these statements (a dozen
columns, subqueries for owners and schools) and matching each new one to SQLAlchemy's
cached compilation cost several times what SQLite takes to answer them. So each is built
once for each shape of question (a window with a start, an end or neither; one school or
all; a list of cases or all; a user who sees some schools or every one), kept, and run
with the dates, ids and schools bound: `Shape.of` says which statement, `params` the
values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    ScalarSelect,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute

from desktop.domain.due import OPEN_STATES
from desktop.services import scope
from desktop.services.session import Actor
from desktop.storage.models import Case, CaseTask, Person, Restriction, User, case_schools

TODAY = bindparam("today", type_=Date)
START = bindparam("start", type_=Date)
END = bindparam("end", type_=Date)
SCHOOL = bindparam("school_id", type_=Integer)
CASES: BindParameter[Any] = bindparam("case_ids", expanding=True)
FIRST = bindparam("first", type_=Integer)  # how many open tasks, most pressing first


@dataclass(frozen=True)
class Shape:
    """What a question asks, as far as the SQL differs: which values it binds."""

    dialect: str
    limited: bool  # the user sees some schools only
    start: bool
    end: bool
    school: bool
    cases: bool

    @classmethod
    def of(
        cls,
        dialect: str,
        actor: Actor,
        *,
        start: dt.date | None,
        end: dt.date | None,
        school_id: int | None,
        case_ids: Sequence[int] | None,
    ) -> Shape:
        return cls(
            dialect,
            actor.school_ids is not None,
            start is not None,
            end is not None,
            school_id is not None,
            case_ids is not None,
        )


def params(
    actor: Actor,
    today: dt.date,
    *,
    start: dt.date | None,
    end: dt.date | None,
    school_id: int | None,
    case_ids: Sequence[int] | None,
) -> dict[str, Any]:
    """The values a statement of `Shape.of(...)` (same arguments) is run with."""
    values: dict[str, Any] = {TODAY.key: today, **scope.visible_params(actor)}
    for param, value in ((START, start), (END, end), (SCHOOL, school_id)):
        if value is not None:
            values[param.key] = value
    if case_ids is not None:
        values[CASES.key] = list(case_ids)
    return values


def dated(
    column: InstrumentedAttribute[Any],
    start: dt.date | ColumnElement[Any] | None,
    end: dt.date | ColumnElement[Any] | None,
) -> ColumnElement[bool]:
    """The column has a date, within the window's start and end where it has them."""
    conditions: list[ColumnElement[bool]] = [column.is_not(None)]
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return and_(*conditions)


def in_school(school_id: int | ColumnElement[Any] | None) -> ColumnElement[bool]:
    """A WHERE clause on `Case`: the case is at this school (any case when None)."""
    if school_id is None:
        return Case.id.is_not(None)
    return Case.id.in_(select(case_schools.c.case_id).where(case_schools.c.school_id == school_id))


def case_school_ids(dialect: str) -> ScalarSelect[Any]:
    """Each row's case's school ids, comma-joined, in the same query (one subquery on the
    link table's key per row; far cheaper than a second query with thousands of ids)."""
    ids = cast(case_schools.c.school_id, String)
    joined = func.string_agg(ids, ",") if dialect == "postgresql" else func.group_concat(ids, ",")
    return select(joined).where(case_schools.c.case_id == Case.id).scalar_subquery()


def _window(shape: Shape) -> tuple[ColumnElement[Any] | None, ColumnElement[Any] | None]:
    return (START if shape.start else None), (END if shape.end else None)


def _narrowed(shape: Shape) -> list[ColumnElement[bool]]:
    """The user's schools, the school asked for and the cases asked for."""
    return [
        scope.case_visible_bound(shape.limited),
        in_school(SCHOOL if shape.school else None),
        Case.id.in_(CASES) if shape.cases else true(),
    ]


@lru_cache(maxsize=64)
def restrictions(shape: Shape) -> Select[*tuple[Any, ...]]:
    """Open bars and plans with a date in the window or perhaps overdue (the rules decide),
    with their case, owner, subject and schools."""
    owner = (
        select(User.full_name)
        .join(CaseTask, CaseTask.owner_id == User.id)
        .where(CaseTask.restriction_id == Restriction.id, CaseTask.done_on.is_(None))
        .order_by(CaseTask.due_on)
        .limit(1)
        .scalar_subquery()
    )
    dates = (Restriction.ends, Restriction.review_due, Restriction.representations_deadline)
    start, end = _window(shape)
    windowed = (
        or_(
            *(dated(d, start, end) for d in dates),
            *(d < TODAY for d in dates),  # perhaps overdue: the rules decide
            and_(Restriction.ends.is_(None), Restriction.review_due.is_(None)),
        )
        if shape.start or shape.end
        else Restriction.id.is_not(None)
    )
    return (
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
            case_school_ids(shape.dialect),
        )
        .join(Case, Case.id == Restriction.case_id)
        .join(Person, Person.id == Restriction.person_id)
        .where(Restriction.state.in_([s.value for s in OPEN_STATES]))
        .where(windowed, *_narrowed(shape))
    )


@lru_cache(maxsize=64)
def tasks(shape: Shape, *, lean: bool, first: bool = False) -> Select[*tuple[Any, ...]]:
    """Tasks due in the window, or open and overdue, with their case, owner, subject and
    schools; `lean`: their ids and dates alone, for counting; `first`: only the FIRST open
    ones, most pressing first (by date, then case, as `domain.due.ordered` puts them)."""
    start, end = _window(shape)
    where = [
        # A bar's or plan's own review tasks are its review items already. (`+ 0`: nearly
        # every task has no restriction, so SQLite's index on it would read them all.)
        (CaseTask.restriction_id + 0).is_(None),
        CaseTask.due_on.is_not(None),
        or_(
            dated(CaseTask.due_on, start, end),
            and_(CaseTask.done_on.is_(None), CaseTask.due_on < TODAY),
        ),
        *_narrowed(shape),
    ]
    if lean:
        return (
            select(CaseTask.id, CaseTask.case_id, CaseTask.due_on, CaseTask.done_on)
            .join(Case, Case.id == CaseTask.case_id)
            .where(*where)
        )
    if first:  # chosen by their dates first: naming thousands to keep twelve takes seconds
        chosen = (
            select(CaseTask.id)
            .join(Case, Case.id == CaseTask.case_id)
            .where(*where, CaseTask.done_on.is_(None))
            .order_by(CaseTask.due_on, Case.reference, CaseTask.id)
            .limit(FIRST)
        )
        where = [CaseTask.id.in_(chosen)]
    owner = select(User.full_name).where(User.id == CaseTask.owner_id).scalar_subquery()
    return (
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
            case_school_ids(shape.dialect),
        )
        .join(Case, Case.id == CaseTask.case_id)
        .join(Person, Person.id == Case.subject_id)
        .where(*where)
    )
