"""Bars, plans and tasks written straight into a test store, in whatever state a test
needs (the sanctions wizard would take many steps to reach some of them), for the tests of
what falls due and the case list's "Next due" and "Needs attention"."""

from __future__ import annotations

import datetime as dt
import json

from desktop.dates import utc_now
from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.domain.sanctions import Phase
from desktop.services.session import UserSession
from desktop.storage import models as m


def add_restriction(
    session: UserSession,
    case_id: int,
    *,
    state: RestrictionState,
    kind: RestrictionKind = RestrictionKind.BAR,
    phase: Phase | None = None,
    starts: dt.date = dt.date(2026, 1, 5),
    ends: dt.date | None = None,
    review_due: dt.date | None = None,
    reviewed_on: dt.date | None = None,
    deadline: dt.date | None = None,
    representations_on: dt.date | None = None,
) -> int:
    """A bar (or plan) on the case's subject, as stored; its id."""
    with session.transaction(write=True) as db:
        case = db.get(m.Case, case_id)
        assert case is not None
        row = m.Restriction(
            case_id=case.id,
            person_id=case.subject_id,
            kind=kind.value,
            state=state.value,
            phase=phase.value if phase is not None else "",
            starts=starts,
            ends=ends,
            review_due=review_due,
            reviewed_on=reviewed_on,
            representations_deadline=deadline,
            representations_on=representations_on,
            named_contact="Pat Office",
            contact_role="Business manager",
            channels=json.dumps(["email"]),
            created_at=utc_now(),
        )
        db.add(row)
        db.flush()
        return row.id


def add_task(
    session: UserSession,
    case_id: int,
    *,
    due_on: dt.date | None,
    done_on: dt.date | None = None,
    restriction_id: int | None = None,
    title: str = "Ring the parent",
) -> int:
    """A follow-up task on the case; its id."""
    with session.transaction(write=True) as db:
        row = m.CaseTask(
            case_id=case_id,
            title=title,
            due_on=due_on,
            done_on=done_on,
            restriction_id=restriction_id,
            created_at=utc_now(),
        )
        db.add(row)
        db.flush()
        return row.id
