"""Follow-ups on a case: what is to be done, by when, by whom, and whether it is done.

Every call reaches a task through its case, so a task at another school's case is
reported exactly like one that does not exist. Overdue is decided by `domain.tasks`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from desktop.dates import uk_today, utc_now
from desktop.domain.roles import Operation, Role, roles_permitted
from desktop.domain.tasks import MAX_NOTES_LENGTH, MAX_TITLE_LENGTH, check_due_date, is_overdue
from desktop.domain.text import clean_block, clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, scope
from desktop.services.session import UserSession
from desktop.storage.models import CaseTask, User, case_schools, user_schools


@dataclass(frozen=True)
class TaskRow:
    id: int
    case_id: int
    title: str
    notes: str
    due_on: dt.date | None
    owner_id: int | None
    owner: str  # the owner's full name; "" when nobody has it yet
    done: bool
    done_on: dt.date | None
    done_by: str
    overdue: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class OwnerRow:
    """Someone a task can be given to."""

    id: int
    full_name: str
    role: str  # the role's label, to tell two people of one name apart


def _possible_owners(db: Session, case_id: int) -> list[OwnerRow]:
    """Active users who may change this case: trust-wide roles, or one of its schools'."""
    roles = [role.value for role in roles_permitted(Operation.EDIT_CASES)]
    trust_wide = [role.value for role in Role if role.trust_wide and role.value in roles]
    at_case_school = select(user_schools.c.user_id).where(
        user_schools.c.school_id.in_(
            select(case_schools.c.school_id).where(case_schools.c.case_id == case_id)
        )
    )
    rows = db.execute(
        select(User.id, User.full_name, User.role)
        .where(User.active.is_(True), User.role.in_(roles))
        .where(User.role.in_(trust_wide) | User.id.in_(at_case_school))
        .order_by(func.lower(User.full_name), User.id)
    ).all()
    return [OwnerRow(r.id, r.full_name, Role(r.role).label) for r in rows]


def list_possible_owners(session: UserSession, *, case_id: int) -> list[OwnerRow]:
    """Who a task on this case can be given to: active users able to work on the case."""
    with session.transaction() as db:
        scope.require_case(session, db, case_id)
        return _possible_owners(db, case_id)


def _clean(title: str, notes: str, due_on: dt.date | None) -> tuple[str, str]:
    title = clean_line(title, field="title", label="The task", max_length=MAX_TITLE_LENGTH)
    notes = clean_block(notes, field="notes", label="The notes", max_length=MAX_NOTES_LENGTH)
    check_due_date(due_on, today=uk_today())
    return title, notes


def _check_owner(db: Session, case_id: int, owner_id: int | None) -> None:
    if owner_id is not None and owner_id not in {o.id for o in _possible_owners(db, case_id)}:
        raise ValidationError(
            "That person cannot work on this case, so the task cannot be given to them.",
            "owner",
        )


def _row(db: Session, task: CaseTask, today: dt.date) -> TaskRow:
    ids = [i for i in (task.owner_id, task.done_by_id) if i is not None]
    names: dict[int, str] = {
        r.id: r.full_name
        for r in db.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    }
    return _make_row(task, names, today)


def _make_row(task: CaseTask, names: dict[int, str], today: dt.date) -> TaskRow:
    done = task.done_on is not None
    return TaskRow(
        id=task.id,
        case_id=task.case_id,
        title=task.title,
        notes=task.notes,
        due_on=task.due_on,
        owner_id=task.owner_id,
        owner=names.get(task.owner_id, "") if task.owner_id is not None else "",
        done=done,
        done_on=task.done_on,
        done_by=names.get(task.done_by_id, "") if task.done_by_id is not None else "",
        overdue=is_overdue(task.due_on, done=done, today=today),
        created_at=task.created_at,
    )


def add_task(
    session: UserSession,
    *,
    case_id: int,
    title: str,
    due_on: dt.date | None,
    owner_id: int | None = None,
    notes: str = "",
) -> TaskRow:
    """Add a follow-up to a case; the owner must be someone who can work on the case."""
    session.require(Operation.EDIT_CASES)
    title, notes = _clean(title, notes, due_on)
    with session.transaction(write=True) as db:
        scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        _check_owner(db, case_id, owner_id)
        task = CaseTask(
            case_id=case_id,
            title=title,
            notes=notes,
            due_on=due_on,
            owner_id=owner_id,
            created_by_id=session.actor.user_id,
            created_at=utc_now(),
        )
        db.add(task)
        db.flush()
        audit.record(db, session.actor, "task.added", case_id=case_id, detail={"task_id": task.id})
        return _row(db, task, uk_today())


def _require_task(
    session: UserSession, db: Session, task_id: int, operation: Operation
) -> CaseTask:
    """The task, if its case is within reach; otherwise the same refusal as a missing case."""
    session.require(operation)
    task = db.get(CaseTask, task_id)
    if task is None:
        raise NotFound(scope.CASE_NOT_FOUND)
    scope.require_case(session, db, task.case_id, operation=operation)
    return task


def edit_task(
    session: UserSession,
    *,
    task_id: int,
    title: str,
    due_on: dt.date | None,
    owner_id: int | None,
    notes: str = "",
) -> TaskRow:
    """Change what a task says, when it is due and whose it is."""
    session.require(Operation.EDIT_CASES)
    title, notes = _clean(title, notes, due_on)
    with session.transaction(write=True) as db:
        task = _require_task(session, db, task_id, Operation.EDIT_CASES)
        if owner_id != task.owner_id:  # an owner who has since left may stay until changed
            _check_owner(db, task.case_id, owner_id)
        changed = [
            name
            for name, old, new in (
                ("title", task.title, title),
                ("notes", task.notes, notes),
                ("due_on", task.due_on, due_on),
                ("owner", task.owner_id, owner_id),
            )
            if old != new
        ]
        task.title, task.notes, task.due_on, task.owner_id = title, notes, due_on, owner_id
        audit.record(
            db,
            session.actor,
            "task.edited",
            case_id=task.case_id,
            detail={"task_id": task.id, "fields": changed},
        )
        return _row(db, task, uk_today())


def complete_task(session: UserSession, *, task_id: int, done: bool = True) -> TaskRow:
    """Mark a task done today (by this user), or not done after all."""
    with session.transaction(write=True) as db:
        task = _require_task(session, db, task_id, Operation.EDIT_CASES)
        if (task.done_on is not None) != done:
            task.done_on = uk_today() if done else None
            task.done_by_id = session.actor.user_id if done else None
            audit.record(
                db,
                session.actor,
                "task.completed" if done else "task.reopened",
                case_id=task.case_id,
                detail={"task_id": task.id},
            )
        return _row(db, task, uk_today())


def list_tasks(session: UserSession, *, case_id: int) -> list[TaskRow]:
    """A case's tasks: those still to do first, by due date (no date last), then done ones."""
    today = uk_today()
    with session.transaction() as db:
        scope.require_case(session, db, case_id)
        owner, doer = aliased(User), aliased(User)
        rows = db.execute(
            select(CaseTask, owner.full_name, doer.full_name)
            .outerjoin(owner, owner.id == CaseTask.owner_id)
            .outerjoin(doer, doer.id == CaseTask.done_by_id)
            .where(CaseTask.case_id == case_id)
        ).all()
        out = []
        for task, owner_name, doer_name in rows:
            names = {}
            if task.owner_id is not None:
                names[task.owner_id] = owner_name or ""
            if task.done_by_id is not None:
                names[task.done_by_id] = doer_name or ""
            out.append(_make_row(task, names, today))
    out.sort(
        key=lambda t: (
            t.done,
            t.due_on is None,
            t.due_on or dt.date.max,
            t.done_on or dt.date.min,
            t.id,
        )
    )
    return out
