"""How the scoping test calls the chronology services (tests/services/test_scoping.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from desktop.services import chronology
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from tests.services.scoping_calls import admin

MISSING = 999_999
WHEN = dt.datetime(2026, 1, 6, 10, 0, tzinfo=dt.UTC)


def _add(session: UserSession, case: CaseRow) -> chronology.EventRow:
    return chronology.add_event(
        session,
        case_id=case.id,
        kind="conversation",
        occurred_at=WHEN,
        summary="Spoke to the parent at the gate.",
    )


def _event_id(case: CaseRow) -> int:
    """An entry in `case`, written by the administrator; or an id that does not exist."""
    return MISSING if case.id == MISSING else _add(admin(), case).id


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.chronology.add_event": _add,
    "desktop.services.chronology.edit_event": lambda s, case: chronology.edit_event(
        s,
        event_id=_event_id(case),
        summary="Spoke to the parent at the main gate.",
        detail="",
        reason="The place was wrong.",
    ),
    "desktop.services.chronology.event_history": lambda s, case: chronology.event_history(
        s, event_id=_event_id(case)
    ),
    "desktop.services.chronology.list_events": lambda s, case: chronology.list_events(
        s, case_id=case.id
    ),
    "desktop.services.chronology.list_exhibits": lambda s, case: chronology.list_exhibits(
        s, case_id=case.id
    ),
    "desktop.services.chronology.export_filename": lambda s, case: chronology.export_filename(
        s, case_id=case.id
    ),
    "desktop.services.chronology.chronology_pdf": lambda s, case: chronology.chronology_pdf(
        s, case_id=case.id
    ),
}
