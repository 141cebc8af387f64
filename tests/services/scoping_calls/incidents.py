"""How the scoping test calls the incident services (tests/services/test_scoping.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from desktop.services import categories, incidents
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from tests.services.scoping_calls import admin

MISSING = 999_999
WHEN = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)


def _record(session: UserSession, case: CaseRow) -> incidents.IncidentRow:
    first = categories.list_categories(admin())[0]
    return incidents.record_incident(
        session,
        case_id=case.id,
        occurred_at=WHEN,
        channel="telephone",
        description="Rang the office and shouted.",
        category_ids=[first.id],
    )


def _incident_id(case: CaseRow) -> int:
    """An incident in `case`, made by the administrator; or an id that does not exist."""
    return MISSING if case.id == MISSING else _record(admin(), case).id


def _edit(session: UserSession, case: CaseRow) -> object:
    incident_id = _incident_id(case)
    first = categories.list_categories(admin())[0]
    return incidents.edit_incident(
        session,
        incident_id=incident_id,
        occurred_at=WHEN,
        channel="telephone",
        description="Rang the office twice and shouted.",
        category_ids=[first.id],
        reason="A second call was reported.",
    )


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.incidents.record_incident": _record,
    "desktop.services.incidents.edit_incident": _edit,
    "desktop.services.incidents.get_incident": lambda s, case: incidents.get_incident(
        s, incident_id=_incident_id(case)
    ),
    "desktop.services.incidents.list_incidents": lambda s, case: incidents.list_incidents(
        s, case_id=case.id
    ),
    "desktop.services.incidents.targets_summary": lambda s, case: incidents.targets_summary(
        s, case_id=case.id
    ),
    "desktop.services.incidents.list_staff": lambda s, case: incidents.list_staff(
        s, case_id=case.id
    ),
}
