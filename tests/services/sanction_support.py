"""A case to take action on, and the drafts the sanctions tests fill in (on `new_store`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.domain.sanctions import NoticeKind, Outcome
from desktop.services.cases import CaseRow
from desktop.services.sanction_reviews import Decision
from desktop.services.sanctions import StepDraft
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import open_parent_case, record_first_kind

D = dt.date


def trust_leader(new_store: SetupResult, store_path: Path) -> UserSession:
    """Casey Chair, trust leader: may take, authorise, skip to and review every step."""
    return sign_in_new_user(new_store, store_path, "casey", "trust_leader")


def case_with_incidents(session: UserSession, count: int = 2, **more: Any) -> CaseRow:
    case = open_parent_case(session, "Dana", "Driver")
    for day in range(count):
        record_first_kind(
            session,
            case,
            dt.datetime(2026, 1, 10 + day, 15, 20),
            "on_site",
            f"Shouted at staff at the gate on day {day + 1}. Then left.",
            **more,
        )
    return case


def verbal_warning(on: dt.date, **more: Any) -> StepDraft:
    return StepDraft(
        step_id=more.pop("step_id", "verbal_warning"),
        taken_on=on,
        decided_by="Ann Ash",
        decided_by_role=Role.HEADTEACHER,
        details={
            "spoken_by": "Ann Ash, headteacher",
            "what_was_said": "That shouting at staff must stop.",
            "response": "Apologised.",
        },
        **more,
    )


def written_warning(on: dt.date, incident_ids: list[int], **more: Any) -> StepDraft:
    return StepDraft(
        step_id="written_warning",
        taken_on=on,
        decided_by="Ann Ash",
        decided_by_role=Role.HEADTEACHER,
        details={
            "reasons": "Repeated shouting at staff after a verbal warning.",
            "incidents": incident_ids,
            "signed_by": "Ann Ash",
            "circulation": "Chair of governors\nDesignated safeguarding lead",
        },
        **more,
    )


def bar_notice(
    on: dt.date,
    *,
    starts: dt.date | None = None,
    ends: dt.date,
    deadline: dt.date,
    review: dt.date,
    notice: NoticeKind = NoticeKind.TEMPORARY,
    **more: Any,
) -> StepDraft:
    return StepDraft(
        step_id=more.pop("step_id", "bar"),
        taken_on=on,
        decided_by=more.pop("decided_by", "Ann Ash"),
        decided_by_role=more.pop("decided_by_role", Role.HEADTEACHER),
        school_ids=more.pop("school_ids", (1,)),
        notice_kind=notice,
        details={
            "starts": starts or on,
            "ends": ends,
            "representations_deadline": deadline,
            "review_due": review,
            "named_contact": "Pat Office",
            "contact_email": "office@ash.example",
            "drop_off_arrangement": "A grandparent brings the children to the gate.",
            "reasons": "Threatening behaviour towards staff at the gate.",
            **more.pop("details", {}),
        },
        **more,
    )


def plan(on: dt.date, *, ends: dt.date, review: dt.date, **more: Any) -> StepDraft:
    return StepDraft(
        step_id="communication_plan",
        taken_on=on,
        decided_by="Ann Ash",
        decided_by_role=Role.HEADTEACHER,
        school_ids=(1,),
        details={
            "contact_forms": "Email only",
            "named_contact": "Pat Office",
            "email_address": "office@ash.example",
            "telephone_times": "Tuesdays 9 to 10am",
            "starts": on,
            "ends": ends,
            "review_due": review,
            "reasons": "Abusive emails to several staff.",
        },
        **more,
    )


def decision(on: dt.date, outcome: Outcome, **more: Any) -> Decision:
    return Decision(
        on=on,
        decided_by=more.pop("decided_by", "Casey Chair"),
        decided_by_role=more.pop("decided_by_role", Role.TRUST_LEADER),
        outcome=outcome,
        reasons=more.pop("reasons", "The behaviour has been considered with the representations."),
        **more,
    )


SKIP_TO_BAR = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats of violence at the gate.")


def april_bar(session: UserSession, incidents: int = 2) -> tuple[CaseRow, int]:
    """Dana Driver's case (Ash Primary) taken straight to a temporary bar on 1 April 2026,
    the trust leader authorising the skip: representations by 14 April, review by 20 April,
    ending 30 June. Returns the case and the bar's restriction id."""
    from desktop.services.sanctions import take_step

    case = case_with_incidents(session, incidents)
    result = take_step(
        session,
        case_id=case.id,
        draft=bar_notice(
            D(2026, 4, 1),
            ends=D(2026, 6, 30),
            deadline=D(2026, 4, 14),
            review=D(2026, 4, 20),
            skip=SKIP_TO_BAR,
        ),
    )
    assert result.restriction_id is not None
    return case, result.restriction_id
