"""Taking action on a case: each source policy's whole path, stage by stage, and the
refusals a person meets, with nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.domain.sanctions import NoticeKind, Outcome
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import sanction_reviews, sanction_view, sanctions
from desktop.services.cases import list_cases
from desktop.services.chronology import list_events
from desktop.services.incident_records import AgencyReport
from desktop.services.policies import use_shipped_profile
from desktop.services.sanction_reviews import Representations
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user
from tests.services.sanction_support import (
    D,
    bar_notice,
    case_with_incidents,
    decision,
    plan,
    trust_leader,
    verbal_warning,
    written_warning,
)


def _counts(session) -> dict[str, int]:  # noqa: ANN001
    tables = (
        m.CaseStep,
        m.Restriction,
        m.RestrictionEvent,
        m.IssuedLetter,
        m.CaseEvent,
        m.CaseTask,
    )
    with session.transaction() as db:
        return {t.__tablename__: db.scalar(select(func.count()).select_from(t)) for t in tables}


def _stage(session, case_id: int) -> str:  # noqa: ANN001
    return sanction_view.case_ladder(session, case_id=case_id).stage


def test_the_graduated_policy_from_first_incident_to_end_of_period_review(
    new_store: SetupResult, store_path: Path
) -> None:
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader)
    ladder = sanction_view.case_ladder(leader, case_id=case.id)
    assert ladder.recommended == "verbal_warning" and ladder.stage == "concern_logged"
    assert ladder.profile_name.startswith("Graduated")

    done = sanctions.take_step(leader, case_id=case.id, draft=verbal_warning(D(2026, 2, 2)))
    assert done.stage == "verbal_warning" and done.letter_id is not None
    ladder = sanction_view.case_ladder(leader, case_id=case.id)
    assert ladder.recommended == "mediation"  # optional, so the written warning is offered too
    assert not ladder.option("written_warning").is_skip

    ids = [i.id for i in ladder.incidents]
    done = sanctions.take_step(leader, case_id=case.id, draft=written_warning(D(2026, 3, 2), ids))
    assert done.stage == "written_warning"
    with leader.transaction() as db:
        letter = db.get(m.IssuedLetter, done.letter_id)
        assert letter is not None and letter.letter_type == "written-warning"
        text = pdf_text(letter.pdf)
    assert "Dana Driver" in text and "Repeated shouting" in text and "Chair of governors" in text

    done = sanctions.take_step(
        leader,
        case_id=case.id,
        draft=bar_notice(
            D(2026, 4, 1), ends=D(2026, 6, 30), deadline=D(2026, 4, 14), review=D(2026, 4, 20)
        ),
    )
    assert done.stage == "bar_notice" and done.restriction_id is not None
    bar = done.restriction_id
    row = sanction_view.case_ladder(leader, case_id=case.id).sanctions[0]
    assert row.notice_kind == "temporary" and row.can_record_representations

    with pytest.raises(ValidationError, match="until 14/04/2026"):
        sanction_reviews.decide(
            leader,
            restriction_id=bar,
            decision=decision(
                D(2026, 4, 10), Outcome.CONFIRM, ends=D(2026, 7, 1), review_due=D(2026, 6, 24)
            ),
        )
    done_r = sanction_reviews.record_representations(
        leader,
        restriction_id=bar,
        given=Representations(D(2026, 4, 12), "Says the shouting was provoked."),
    )
    assert done_r.stage == "bar_representations_received" and done_r.letter_id is not None
    done_r = sanction_reviews.decide(
        leader,
        restriction_id=bar,
        decision=decision(
            D(2026, 4, 20), Outcome.CONFIRM, ends=D(2026, 6, 28), review_due=D(2026, 6, 25)
        ),
    )
    assert done_r.stage == "bar_confirmed" and done_r.phase == "in_force"
    with leader.transaction() as db:
        confirmed = db.get(m.IssuedLetter, done_r.letter_id)
        assert confirmed is not None
        text = pdf_text(confirmed.pdf)
    assert "547" in text and "28 June 2026" in text

    done_r = sanction_reviews.decide(
        leader,
        restriction_id=bar,
        end_of_period=True,
        decision=decision(
            D(2026, 6, 28), Outcome.RENEW, ends=D(2026, 9, 20), review_due=D(2026, 9, 15)
        ),
    )
    assert done_r.stage == "bar_confirmed"
    done_r = sanction_reviews.decide(
        leader,
        restriction_id=bar,
        end_of_period=True,
        decision=decision(D(2026, 9, 20), Outcome.END),
    )
    assert done_r.stage == "bar_ended" and done_r.phase == "ended"

    kinds = [e.kind for e in list_events(leader, case_id=case.id)]
    for kind in ("verbal_warning", "written_warning", "bar_notice", "representation", "decision"):
        assert kind in kinds
    assert kinds.count("decision") == 3 and kinds.count("letter") >= 5
    with leader.transaction() as db:
        open_reviews = db.scalars(
            select(m.CaseTask).where(m.CaseTask.restriction_id == bar, m.CaseTask.done_on.is_(None))
        ).all()
        assert open_reviews == []  # each decision closed the review it answered
        steps = db.scalars(select(m.CaseStep)).all()
        assert {s.profile_version for s in steps} == {"1.0"}
    listed = list_cases(leader)
    assert next(c for c in listed if c.id == case.id).stage == "bar_ended"


def test_the_conversation_first_policy_path(new_store: SetupResult, store_path: Path) -> None:
    use_shipped_profile(new_store.session, profile_id="conversation_first")
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader)
    ladder = sanction_view.case_ladder(leader, case_id=case.id)
    assert ladder.recommended == "conversation"
    done = sanctions.take_step(
        leader, case_id=case.id, draft=verbal_warning(D(2026, 2, 2), step_id="conversation")
    )
    assert done.stage == "verbal_warning" and done.letter_id is None  # no letter in this policy
    done = sanctions.take_step(
        leader,
        case_id=case.id,
        draft=bar_notice(
            D(2026, 4, 1),
            ends=D(2026, 6, 30),
            deadline=D(2026, 4, 14),
            review=D(2026, 4, 20),
            notice=NoticeKind.INTENT,
        ),
    )
    assert done.stage == "bar_notice"
    bar = done.restriction_id
    assert bar is not None
    # Nothing binds yet: a notice of intent is not in force.
    with leader.transaction() as db:
        assert db.get(m.Restriction, bar).state == "pending"
    done_r = sanction_reviews.decide(
        leader,
        restriction_id=bar,
        decision=decision(
            D(2026, 4, 20), Outcome.CONFIRM, ends=D(2026, 6, 28), review_due=D(2026, 6, 25)
        ),
    )
    assert done_r.stage == "bar_confirmed"
    done_r = sanction_reviews.decide(
        leader,
        restriction_id=bar,
        end_of_period=True,
        decision=decision(D(2026, 6, 28), Outcome.END),
    )
    assert done_r.stage == "bar_ended"
    with leader.transaction() as db:
        versions = {s.profile_version for s in db.scalars(select(m.CaseStep))}
        profile_ids = {
            db.get(m.PolicyProfileRecord, s.profile_record_id).profile_id
            for s in db.scalars(select(m.CaseStep))
        }
    assert versions == {"1.0"} and profile_ids == {"conversation_first"}


def test_a_skip_needs_an_authoriser_of_an_allowed_role_and_a_justification(
    new_store: SetupResult, store_path: Path
) -> None:
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader)
    before = _counts(leader)
    draft = bar_notice(
        D(2026, 4, 1), ends=D(2026, 6, 30), deadline=D(2026, 4, 14), review=D(2026, 4, 20)
    )
    with pytest.raises(ValidationError, match="passes over") as caught:
        sanctions.take_step(leader, case_id=case.id, draft=draft)
    assert caught.value.field == "skip_authorised_by"
    wrong_role = SkipAuthority("Ann Ash", Role.HEADTEACHER, "Serious threats.")
    with pytest.raises(ValidationError, match="only a trust leader"):
        sanctions.take_step(
            leader,
            case_id=case.id,
            draft=bar_notice(
                D(2026, 4, 1),
                ends=D(2026, 6, 30),
                deadline=D(2026, 4, 14),
                review=D(2026, 4, 20),
                skip=wrong_role,
            ),
        )
    no_reason = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "   ")
    with pytest.raises(ValidationError, match="Write why"):
        sanctions.take_step(
            leader,
            case_id=case.id,
            draft=bar_notice(
                D(2026, 4, 1),
                ends=D(2026, 6, 30),
                deadline=D(2026, 4, 14),
                review=D(2026, 4, 20),
                skip=no_reason,
            ),
        )
    assert _counts(leader) == before
    good = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats of violence at the gate.")
    done = sanctions.take_step(
        leader,
        case_id=case.id,
        draft=bar_notice(
            D(2026, 4, 1),
            ends=D(2026, 6, 30),
            deadline=D(2026, 4, 14),
            review=D(2026, 4, 20),
            skip=good,
        ),
    )
    assert done.stage == "bar_notice"
    taken = sanction_view.case_ladder(leader, case_id=case.id).steps[-1]
    assert taken.skip_authorised_by == "Casey Chair" and "Threats" in taken.skip_justification
    entries = list_events(leader, case_id=case.id)
    assert any("on the authority of Casey Chair" in e.detail for e in entries)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"ends": D(2026, 3, 30)}, "ends", "end"),
        ({"deadline": D(2026, 4, 25)}, "representations_deadline", "after the review"),
        ({"review": D(2026, 7, 20)}, "review_due", "review"),
        ({"deadline": D(2026, 4, 5)}, "representations_deadline", "at least 10 days"),
    ],
)
def test_bad_dates_on_a_bar_are_refused_naming_what_to_change(
    new_store: SetupResult, store_path: Path, change: dict, field: str, words: str
) -> None:
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader)
    before = _counts(leader)
    values = {"ends": D(2026, 6, 30), "deadline": D(2026, 4, 14), "review": D(2026, 4, 20)}
    values.update(change)
    skip = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats of violence.")
    with pytest.raises(ValidationError) as caught:
        sanctions.take_step(
            leader, case_id=case.id, draft=bar_notice(D(2026, 4, 1), skip=skip, **values)
        )
    assert caught.value.field == field, str(caught.value)
    assert words in str(caught.value)
    assert _counts(leader) == before


def test_a_second_active_bar_for_the_same_school_is_refused(
    new_store: SetupResult, store_path: Path
) -> None:
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader)
    skip = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats of violence.")
    args = {"ends": D(2026, 12, 30), "deadline": D(2026, 11, 20), "review": D(2026, 11, 25)}
    sanctions.take_step(
        leader, case_id=case.id, draft=bar_notice(D(2026, 11, 1), skip=skip, **args)
    )
    before = _counts(leader)
    with pytest.raises(ValidationError, match="Ash Primary"):
        sanctions.take_step(leader, case_id=case.id, draft=bar_notice(D(2026, 11, 2), **args))
    assert _counts(leader) == before


def test_a_decision_outside_the_users_schools_or_role_is_refused(
    new_store: SetupResult, store_path: Path
) -> None:
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader)
    skip = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Abuse by email to many staff.")
    done = sanctions.take_step(
        leader,
        case_id=case.id,
        draft=plan(D(2026, 10, 1), ends=D(2026, 12, 20), review=D(2026, 12, 10), skip=skip),
    )
    assert done.stage == "communication_plan"
    elsewhere = sign_in_new_user(new_store, store_path, "birch", "headteacher", schools=(2,))
    with pytest.raises(NotFound):
        sanctions.take_step(elsewhere, case_id=case.id, draft=verbal_warning(D(2026, 10, 2)))
    with pytest.raises(NotFound):
        sanction_reviews.decide(
            elsewhere,
            restriction_id=done.restriction_id,
            decision=decision(D(2026, 10, 5), Outcome.LIFT),
        )
    with pytest.raises(NotPermitted):
        sanctions.take_step(
            new_store.session, case_id=case.id, draft=verbal_warning(D(2026, 10, 2))
        )
    head = sign_in_new_user(new_store, store_path, "ash", "headteacher")
    lifted = sanction_reviews.decide(
        head,
        restriction_id=done.restriction_id,
        decision=decision(
            D(2026, 10, 5), Outcome.LIFT, decided_by="Ann Ash", decided_by_role=Role.HEADTEACHER
        ),
    )
    assert lifted.stage == "communication_plan_lifted"


def test_immediate_safety_asks_for_the_referral_first(
    new_store: SetupResult, store_path: Path
) -> None:
    leader = trust_leader(new_store, store_path)
    police = AgencyReport("police", D(2026, 1, 10), "CAD 1234")
    case = case_with_incidents(leader, count=1, immediate_threat=True, agencies=[police])
    ladder = sanction_view.case_ladder(leader, case_id=case.id)
    assert ladder.referral_first and ladder.recommended == "police_or_legal_referral"
    with pytest.raises(ValidationError, match="immediate safety"):
        sanctions.take_step(leader, case_id=case.id, draft=verbal_warning(D(2026, 2, 2)))
    referral = sanctions.StepDraft(
        step_id="police_or_legal_referral",
        taken_on=D(2026, 1, 10),
        decided_by="Ann Ash",
        decided_by_role=Role.HEADTEACHER,
        details={"referred_on": D(2026, 1, 10), "agency_contact": "PC Lee", "reason": "Threats."},
    )
    done = sanctions.take_step(leader, case_id=case.id, draft=referral)
    assert done.stage == "police_or_legal_referral"
    assert sanction_view.case_ladder(leader, case_id=case.id).recommended == "verbal_warning"


def test_the_letter_preview_writes_nothing_and_names_a_missing_field(
    new_store: SetupResult, store_path: Path
) -> None:
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader)
    before = _counts(leader)
    shown = sanctions.preview_step_letter(
        leader, case_id=case.id, draft=verbal_warning(D(2026, 2, 2))
    )
    assert shown.type_id == "verbal-warning" and shown.pdf and not shown.problem
    assert "Dana Driver" in pdf_text(shown.pdf)
    draft = plan(
        D(2026, 10, 1),
        ends=D(2026, 12, 20),
        review=D(2026, 12, 10),
        skip=SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Abuse by email to many staff."),
    )
    no_email = sanctions.StepDraft(
        **{**draft.__dict__, "details": {**draft.details, "email_address": ""}}
    )
    shown = sanctions.preview_step_letter(leader, case_id=case.id, draft=no_email)
    assert shown.pdf is None and "email address" in shown.problem
    assert _counts(leader) == before


def test_an_injunction_referral_needs_a_course_of_conduct(
    new_store: SetupResult, store_path: Path
) -> None:
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader)
    skip = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Sustained harassment of one teacher.")
    draft = sanctions.StepDraft(
        step_id="injunction_referral",
        taken_on=D(2026, 5, 1),
        decided_by="Casey Chair",
        decided_by_role=Role.TRUST_LEADER,
        details={"legal_contact": "Trust solicitors", "status": "referred"},
        skip=skip,
    )
    with pytest.raises(ValidationError, match="course of conduct"):
        sanctions.take_step(leader, case_id=case.id, draft=draft)
