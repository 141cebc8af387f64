"""How a chronology entry is versioned: shared by the chronology and incident services.

A saved row is never changed. A new version is a new row with the next number, the same
`root_id` (the first version's id) and `supersedes_id` pointing at the row it replaces.
The version in force is the row no other row supersedes, asked of the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, aliased

from desktop.dates import UK, utc_now
from desktop.domain.incidents import CLOCK_SLACK
from desktop.domain.record_dates import check_not_too_early
from desktop.errors import ValidationError
from desktop.services.session import Actor
from desktop.storage.models import CaseEvent


def current_versions() -> Select[CaseEvent]:
    """Rows in force: those no other row supersedes (callers add their own filters)."""
    newer = aliased(CaseEvent)
    return select(CaseEvent).where(~exists().where(newer.supersedes_id == CaseEvent.id))


def add_version(
    db: Session, actor: Actor, entry: CaseEvent, *, previous: CaseEvent | None, reason: str = ""
) -> CaseEvent:
    """Insert `entry` as the first version of a new chronology entry, or as the version
    after `previous` (which is left exactly as it was). Sets the numbering and who/when."""
    entry.recorded_by_id = actor.user_id
    entry.recorded_at = utc_now()
    if previous is None:
        entry.version, entry.supersedes_id, entry.edit_reason = 1, None, ""
    else:
        entry.version = previous.version + 1
        entry.supersedes_id = previous.id
        entry.root_id = root_of(previous)
        entry.edit_reason = reason
    db.add(entry)
    db.flush()
    if previous is None:
        entry.root_id = entry.id
        db.flush()
    return entry


def require_not_future(when: dt.datetime, field: str = "occurred_at") -> dt.datetime:
    """The moment as aware UTC; a naive one is read as UK time. Refuses the future, and
    anything before 1900."""
    check_not_too_early(when, field=field)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UK)
    if when > utc_now() + CLOCK_SLACK:
        raise ValidationError(
            "That date and time are in the future. Check the date, the time and AM or PM.",
            field,
        )
    return when.astimezone(dt.UTC)


def root_of(event: CaseEvent) -> int:
    return event.root_id if event.root_id is not None else event.id
