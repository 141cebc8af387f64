"""Which schools and cases a user may reach: the one statement of the school-scoping rule.

Trust-wide roles (`Actor.school_ids is None`) reach every school and every case. Anyone
else reaches the schools they are given, and a case when ANY of its schools is one of
them. Every service that lists, filters by, loads or opens a case goes through here.

A case the user may not reach is reported exactly like a case that does not exist
(`NotFound`, same message, same query), so trying references cannot reveal which cases
other schools hold. A school outside the user's set is refused with `NotPermitted`: the
trust's schools are no secret, but their cases are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, select, true
from sqlalchemy.orm import Session

from desktop.domain.cases import parse_reference
from desktop.domain.roles import Operation
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services.session import Actor, UserSession
from desktop.storage.models import Case, School, case_schools

CASE_NOT_FOUND = "There is no such case among the cases you can open."
MAX_SEQUENCE = 2**62


def may_use_school(actor: Actor, school_id: int) -> bool:
    """Whether the actor may see, filter by, or open cases at this school."""
    return actor.school_ids is None or school_id in actor.school_ids


def require_schools(actor: Actor, school_ids: Iterable[int], message: str) -> None:
    """Refuse (`NotPermitted`, with `message`) unless every school is one the actor may use."""
    if not all(may_use_school(actor, school_id) for school_id in school_ids):
        raise NotPermitted(message)


def school_visible(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on `School`: the schools the actor may see."""
    if actor.school_ids is None:
        return true()
    return School.id.in_(sorted(actor.school_ids))


def _at_schools(school_ids: Sequence[int] | BindParameter[Any]) -> ColumnElement[bool]:
    return Case.id.in_(
        select(case_schools.c.case_id).where(case_schools.c.school_id.in_(school_ids))
    )


def case_visible(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on `Case`: the cases at least one of whose schools the actor may see."""
    if actor.school_ids is None:
        return true()
    return _at_schools(sorted(actor.school_ids))


# For statements built once and run many times (`services.due_queries`): the actor's
# schools are bound when the statement runs, from `visible_params`.
VISIBLE_SCHOOLS: BindParameter[Any] = bindparam("visible_schools", expanding=True)


def case_visible_bound(limited: bool) -> ColumnElement[bool]:
    """`case_visible` with the schools left to bind: `limited` is whether the actor sees
    some schools only (`Actor.school_ids` is not None)."""
    return _at_schools(VISIBLE_SCHOOLS) if limited else true()


def visible_params(actor: Actor) -> dict[str, list[int]]:
    """The values `case_visible_bound(actor.school_ids is not None)` needs."""
    if actor.school_ids is None:
        return {}
    return {VISIBLE_SCHOOLS.key: sorted(actor.school_ids)}


def visible_case_ids(actor: Actor) -> Select[int]:
    """The ids of every case the actor may see; callers add their own filters."""
    return select(Case.id).where(case_visible(actor))


def visible_cases(actor: Actor) -> Select[Case]:
    """Every case the actor may see, as rows; callers add their own filters."""
    return select(Case).where(case_visible(actor))


def require_case(
    session: UserSession,
    db: Session,
    case_id: int,
    *,
    operation: Operation = Operation.VIEW_CASES,
) -> Case:
    """The case, if the user's role allows `operation` and the case is within their schools.

    `NotPermitted` when the role does not allow the operation at all; `NotFound` when the
    case does not exist or is outside the user's schools (the two are not told apart).
    """
    return _require(session, db, Case.id == case_id, operation)


def require_case_by_reference(
    session: UserSession,
    db: Session,
    reference: str,
    *,
    operation: Operation = Operation.VIEW_CASES,
) -> Case:
    """As `require_case`, for a reference a person typed (`CB-2026-0042`).

    `ValidationError` when the text is not a reference at all.
    """
    session.require(operation)
    parsed = parse_reference(reference)
    if parsed is None:
        raise ValidationError("A case reference looks like CB-2026-0042.", "reference")
    year, sequence = parsed
    if sequence > MAX_SEQUENCE:  # no such case; and SQLite integers stop at 2**63 - 1
        raise NotFound(CASE_NOT_FOUND)
    return _require(
        session, db, (Case.ref_year == year) & (Case.ref_sequence == sequence), operation
    )


def _require(
    session: UserSession, db: Session, which: ColumnElement[bool], operation: Operation
) -> Case:
    session.require(operation)
    case = db.scalar(visible_cases(session.actor).where(which))
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    return case
