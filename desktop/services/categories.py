"""The trust's list of behaviour categories, which it edits in Settings.

A category is never deleted: incidents already recorded under it keep it. It can be renamed
(the records follow the new name), moved up or down the list, or switched off, so it is no
longer offered for new incidents. The list always keeps at least one category switched on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.roles import Operation
from desktop.domain.text import clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit
from desktop.services.session import UserSession
from desktop.storage.models import BehaviourCategory, Trust

MAX_NAME_LENGTH = 200  # the stored column's width


@dataclass(frozen=True)
class CategoryRef:
    """A category as an incident names it."""

    id: int
    name: str


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    position: int
    active: bool


@dataclass(frozen=True)
class CategoryDraft:
    """One line of the list as the Settings page holds it; `id` is None for a new one."""

    id: int | None
    name: str
    active: bool = True


def _info(row: BehaviourCategory) -> CategoryInfo:
    return CategoryInfo(row.id, row.name, row.position, row.active)


def _trust_id(db: Session) -> int:
    found = db.scalar(select(Trust.id).order_by(Trust.id).limit(1))
    if found is None:
        raise NotFound("This store has no trust record.")
    return found


def _all(db: Session, trust_id: int) -> list[BehaviourCategory]:
    return list(
        db.scalars(
            select(BehaviourCategory)
            .where(BehaviourCategory.trust_id == trust_id)
            .order_by(BehaviourCategory.position, BehaviourCategory.id)
        )
    )


def list_categories(session: UserSession, *, include_inactive: bool = False) -> list[CategoryInfo]:
    """The trust's categories in its order (the switched-off ones too, if asked)."""
    session.require(Operation.VIEW_CASES)
    with session.transaction() as db:
        rows = _all(db, _trust_id(db))
        return [_info(r) for r in rows if include_inactive or r.active]


def _clean_name(name: str) -> str:
    return clean_line(
        name, field="category_name", label="The behaviour's name", max_length=MAX_NAME_LENGTH
    )


def _refuse_repeats(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        key = name.casefold()
        if key in seen:
            raise ValidationError(f"“{name}” is in the list twice.", "category_name")
        seen.add(key)


def _refuse_none_active(rows: Sequence[BehaviourCategory]) -> None:
    if not any(row.active for row in rows):
        raise ValidationError(
            "Keep at least one kind of behaviour switched on, so incidents can be recorded.",
            "categories",
        )


def save_categories(
    session: UserSession, *, categories: Sequence[CategoryDraft]
) -> list[CategoryInfo]:
    """Save the whole list as the Settings page shows it, in one go: new names added,
    renames, switches on and off, and the order. Every existing category must be in it."""
    session.require(Operation.EDIT_TRUST)
    drafts = [CategoryDraft(d.id, _clean_name(d.name), d.active) for d in categories]
    _refuse_repeats([d.name for d in drafts])
    with session.transaction(write=True) as db:
        trust_id = _trust_id(db)
        rows = {row.id: row for row in _all(db, trust_id)}
        given = [d.id for d in drafts if d.id is not None]
        if len(given) != len(set(given)) or set(given) != set(rows):
            raise ValidationError(
                "The list of behaviours changed while you were editing it. Close Settings "
                "and open it again.",
                "categories",
            )
        changed = {"added": 0, "renamed": 0, "switched_off": 0, "switched_on": 0}
        ordered: list[BehaviourCategory] = []
        for position, draft in enumerate(drafts):
            if draft.id is None:
                row = BehaviourCategory(trust_id=trust_id, name=draft.name, active=draft.active)
                db.add(row)
                changed["added"] += 1
            else:
                row = rows[draft.id]
                changed["renamed"] += row.name != draft.name
                changed["switched_off"] += row.active and not draft.active
                changed["switched_on"] += draft.active and not row.active
                row.name, row.active = draft.name, draft.active
            row.position = position
            ordered.append(row)
        _refuse_none_active(ordered)
        db.flush()
        audit.record(db, session.actor, "categories.saved", detail=changed)
        return [_info(row) for row in ordered]


def save_category(
    session: UserSession, *, category_id: int | None, name: str, active: bool = True
) -> CategoryInfo:
    """Add a category at the end of the list (`category_id=None`), or rename one or switch
    it on or off."""
    session.require(Operation.EDIT_TRUST)
    name = _clean_name(name)
    with session.transaction(write=True) as db:
        return _save_one(db, session, category_id, name, active)


def set_category_active(session: UserSession, *, category_id: int, active: bool) -> CategoryInfo:
    """Switch a category off (no longer offered for new incidents) or back on."""
    session.require(Operation.EDIT_TRUST)
    with session.transaction(write=True) as db:
        return _save_one(db, session, category_id, None, active)


def _save_one(
    db: Session, session: UserSession, category_id: int | None, name: str | None, active: bool
) -> CategoryInfo:
    trust_id = _trust_id(db)
    rows = _all(db, trust_id)
    if category_id is None:
        assert name is not None
        last = max((r.position for r in rows), default=0)
        row = BehaviourCategory(trust_id=trust_id, name=name, active=active, position=last + 1)
        db.add(row)
        rows.append(row)
        action = "category.added"
    else:
        found = next((r for r in rows if r.id == category_id), None)
        if found is None:
            raise NotFound("That kind of behaviour is no longer in the list.")
        row = found
        row.name, row.active = name or row.name, active
        action = "category.updated"
    clash = [r for r in rows if r.name.casefold() == row.name.casefold() and r is not row]
    if clash:
        raise ValidationError(f"“{row.name}” is already in the list.", "category_name")
    _refuse_none_active(rows)
    db.flush()
    audit.record(db, session.actor, action, detail={"category_id": row.id, "active": active})
    return _info(row)


def reorder_categories(session: UserSession, *, category_ids: Sequence[int]) -> list[CategoryInfo]:
    """Put the categories in this order; every category must be listed exactly once."""
    session.require(Operation.EDIT_TRUST)
    with session.transaction(write=True) as db:
        rows = {row.id: row for row in _all(db, _trust_id(db))}
        if len(category_ids) != len(set(category_ids)) or set(category_ids) != set(rows):
            raise ValidationError(
                "List every kind of behaviour once to put them in order.", "categories"
            )
        for position, category_id in enumerate(category_ids):
            rows[category_id].position = position
        db.flush()
        audit.record(db, session.actor, "categories.reordered", detail={"count": len(rows)})
        return [_info(rows[i]) for i in category_ids]
