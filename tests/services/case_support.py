"""A case to work on, and the records tests put in it, for the case file's service, report
and UI tests (each on the `new_store` trust)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from desktop.services import categories, chronology, incidents
from desktop.services.cases import CaseRow, open_case
from desktop.services.chronology import EventRow
from desktop.services.incidents import IncidentRow
from desktop.services.session import UserSession
from desktop.storage import models as m

OPENED_ON = dt.date(2026, 1, 5)


def open_parent_case(
    session: UserSession, given_name: str, family_name: str, school_ids: tuple[int, ...] = (1,)
) -> CaseRow:
    """A case about a parent at Ash Primary (or at `school_ids`), opened on 5 January 2026."""
    return open_case(
        session,
        given_name=given_name,
        family_name=family_name,
        relationship="parent",
        school_ids=list(school_ids),
        opened_on=OPENED_ON,
    )


def add_entry(
    session: UserSession, case: CaseRow, summary: str, when: dt.datetime, **more: Any
) -> EventRow:
    """A chronology entry written by hand: a note, unless `kind` says otherwise."""
    return chronology.add_event(
        session,
        case_id=case.id,
        kind=more.pop("kind", "note"),
        occurred_at=when,
        summary=summary,
        **more,
    )


def record_first_kind(
    session: UserSession,
    case: CaseRow,
    when: dt.datetime,
    channel: str,
    description: str,
    **more: Any,
) -> IncidentRow:
    """An incident of the first kind of behaviour on the trust's list."""
    first = categories.list_categories(session)[0]
    return incidents.record_incident(
        session,
        case_id=case.id,
        occurred_at=when,
        channel=channel,
        description=description,
        category_ids=[first.id],
        **more,
    )


def audit_details(session: UserSession, action: str) -> list[dict[str, Any]]:
    """The detail of every audit entry of `action`, as a dict."""
    with session.transaction() as db:
        rows = db.scalars(select(m.AuditEntry.detail).where(m.AuditEntry.action == action))
        return [json.loads(detail) for detail in rows]
