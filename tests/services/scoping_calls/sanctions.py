"""How the scoping test calls the sanctions services (tests/services/test_scoping.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

from desktop.domain.injunctions import InjunctionState
from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.domain.sanctions import Outcome
from desktop.errors import NotPermitted, ValidationError
from desktop.services import sanction_reviews, sanction_view, sanctions
from desktop.services.cases import CaseRow
from desktop.services.sanction_reviews import Decision, Representations
from desktop.services.sanctions import StepDraft
from desktop.services.session import UserSession

MISSING = 999_999
ON = dt.date(2026, 2, 2)
WARNING = StepDraft(
    step_id="verbal_warning",
    taken_on=ON,
    decided_by="Ann Ash",
    decided_by_role=Role.HEADTEACHER,
    details={"spoken_by": "Ann Ash", "what_was_said": "Stop.", "response": "Agreed."},
)
PLAN = StepDraft(
    step_id="communication_plan",
    taken_on=ON,
    decided_by="Ann Ash",
    decided_by_role=Role.HEADTEACHER,
    school_ids=(1,),
    skip=SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Abuse by email to many staff."),
    details={
        "contact_forms": "Email only",
        "named_contact": "Pat Office",
        "email_address": "office@ash.example",
        "starts": ON,
        "ends": ON + dt.timedelta(days=60),
        "review_due": ON + dt.timedelta(days=50),
        "reasons": "Abusive emails.",
    },
)
LIFT = Decision(ON, "Ann Ash", Role.HEADTEACHER, Outcome.LIFT, "Behaviour has improved.")


def _plan_id(case: CaseRow) -> int:
    """A plan on `case`, issued by a trust leader of the trust; or an id that does not exist."""
    from tests.services.scoping_calls import admin

    if case.id == MISSING:
        return MISSING
    leader = _leader(admin())
    found = sanctions.take_step(leader, case_id=case.id, draft=PLAN).restriction_id
    assert found is not None
    return found


def _leader(session: UserSession) -> UserSession:
    """A trust leader who may take every step (the administrator may not)."""
    from desktop.services.auth import sign_in
    from desktop.services.users import add_user

    path = session.store.location.path  # type: ignore[attr-defined]
    with contextlib.suppress(ValidationError):  # already added for an earlier call
        add_user(
            session,
            username="scopingleader",
            full_name="Casey Chair",
            role="trust_leader",
            school_ids=[],
            password="scoping leader password",
        )
    return sign_in(path, username="scopingleader", password="scoping leader password")


def _injunction_id(case: CaseRow) -> int:
    """An injunction referral on `case`, written straight into the store (its own rules,
    a course of conduct among them, are tested in test_sanctions); or a missing id."""
    from desktop.dates import utc_now
    from desktop.storage.models import CaseStep
    from tests.services.scoping_calls import admin

    if case.id == MISSING:
        return MISSING
    with admin().transaction(write=True) as db:
        row = CaseStep(
            case_id=case.id,
            step_id="injunction_referral",
            kind="injunction_referral",
            label="Referral for an injunction",
            taken_on=ON,
            profile_version="1.0",
            state="referred",
            details='{"legal_contact": "Trust solicitors"}',
            recorded_at=utc_now(),
        )
        db.add(row)
        db.flush()
        return row.id


def _reached(session: UserSession, work: Callable[[], object]) -> object:
    """Run a call that the procedure refuses for the administrator's role (the data
    protection lead records no steps): NotPermitted is raised only after the case was
    found, since a case out of reach is NotFound first."""
    try:
        return work()
    except NotPermitted:
        if session.actor.role is not Role.DATA_PROTECTION_LEAD:
            raise
        return None


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.sanction_view.case_ladder": lambda s, case: sanction_view.case_ladder(
        s, case_id=case.id
    ),
    "desktop.services.sanctions.check_step_draft": lambda s, case: _reached(
        s, lambda: sanctions.check_step_draft(s, case_id=case.id, draft=WARNING)
    ),
    "desktop.services.sanctions.preview_step_letter": lambda s, case: _reached(
        s, lambda: sanctions.preview_step_letter(s, case_id=case.id, draft=WARNING)
    ),
    "desktop.services.sanctions.take_step": lambda s, case: _reached(
        s, lambda: sanctions.take_step(s, case_id=case.id, draft=WARNING)
    ),
    "desktop.services.sanction_reviews.decide": lambda s, case: _reached(
        s, lambda: sanction_reviews.decide(s, restriction_id=_plan_id(case), decision=LIFT)
    ),
    "desktop.services.sanction_reviews.record_representations": lambda s, case: _reached(
        s,
        lambda: sanction_reviews.record_representations(
            s, restriction_id=_plan_id(case), given=Representations(ON, "Says sorry.")
        ),
    ),
    "desktop.services.sanction_reviews.preview_decision_letter": lambda s, case: _reached(
        s,
        lambda: sanction_reviews.preview_decision_letter(
            s, restriction_id=_plan_id(case), decision=LIFT
        ),
    ),
    "desktop.services.sanction_reviews.advance_injunction": lambda s, case: _reached(
        s,
        lambda: sanction_reviews.advance_injunction(
            s, case_step_id=_injunction_id(case), to=InjunctionState.ADVICE, on=ON, note=""
        ),
    ),
}
