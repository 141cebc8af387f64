"""The decisions in a bar's or plan's life after it starts: representations received, the
trust's review (confirm, vary or lift), and the review at the end of each period (let it end
or renew it); and an injunction referral's progress.

Each is checked by `domain.bar_lifecycle` (or `domain.injunctions`) under the profile the
sanction was taken with, and written with its chronology entry, its letter where the profile
sends one, and the next scheduled review, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.dates import format_date, uk_today
from desktop.domain.bar_lifecycle import apply as apply_event
from desktop.domain.chronology import EventKind
from desktop.domain.injunctions import InjunctionState, advance
from desktop.domain.ladder import role_names
from desktop.domain.policy import LetterMoment, Step, StepKind
from desktop.domain.roles import Operation, Role
from desktop.domain.sanctions import (
    Event,
    Outcome,
    PeriodReview,
    RepresentationsReceived,
    ReviewDecision,
    Sanction,
)
from desktop.domain.text import clean_block, clean_line
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import audit, frontdesk, letter_facts, scope
from desktop.services import sanction_store as store
from desktop.services.sanctions import LetterChoice
from desktop.services.session import UserSession
from desktop.services.step_letters import LetterPreview, preview
from desktop.storage.models import Case, CaseStep, Restriction, School

MAX_NOTE_LENGTH = 4000

# The moment in a bar's or plan's life each decision's letter is sent at.
OUTCOME_MOMENTS = {
    Outcome.CONFIRM: LetterMoment.CONFIRM,
    Outcome.VARY: LetterMoment.VARY,
    Outcome.LIFT: LetterMoment.LIFT,
    Outcome.RENEW: LetterMoment.RENEW,
    Outcome.END: LetterMoment.END,
}


@dataclass(frozen=True)
class Representations:
    """Written representations received about a bar."""

    received_on: dt.date
    summary: str


@dataclass(frozen=True)
class Decision:
    """A review decision (confirm, vary, lift) or an end-of-period review (end, renew)."""

    on: dt.date
    decided_by: str
    decided_by_role: Role
    outcome: Outcome
    reasons: str
    ends: dt.date | None = None
    review_due: dt.date | None = None
    school_ids: tuple[int, ...] | None = None  # a varied bar's schools (fewer, never more)


@dataclass(frozen=True)
class DecisionResult:
    restriction_id: int
    phase: str
    letter_id: int | None
    stage: str


@dataclass
class _Step:
    """One decision worked out before anything is written."""

    case: Case
    row: Restriction
    before: store.Replayed  # the sanction as it stood, with its profile and step
    event: Event
    after: Sanction
    by_name: str
    moment: LetterMoment | None
    letter: letter_facts.LetterDraft | None
    summary: str
    detail: str
    kind: EventKind


def _restriction(session: UserSession, db: Session, restriction_id: int) -> Restriction:
    row = db.get(Restriction, restriction_id)
    if row is None:
        raise NotFound(scope.CASE_NOT_FOUND)
    scope.require_case(session, db, row.case_id, operation=Operation.EDIT_CASES)
    return row


def _as_it_stands(session: UserSession, db: Session, row: Restriction) -> store.Replayed:
    """The sanction as its events make it, once the user's role may record its decisions."""
    found = store.replay(db, row)
    if found is None:
        raise ValidationError(
            "This restriction was kept before Casebook recorded decisions step by step; "
            "write what was decided on the case's chronology instead.",
            "step",
        )
    _may_record(session, found.step)
    return found


def _after(found: store.Replayed, event: Event) -> Sanction:
    """The sanction once `event` is applied; ValidationError saying what to change if not."""
    return apply_event(found.sanction, event, profile=found.profile, step=found.step)


def _may_record(session: UserSession, step: Step) -> None:
    role = session.actor.role
    if role not in step.take:
        raise NotPermitted(
            f"Your role ({role.label}) cannot record this under the procedure; ask a "
            f"{role_names(step.take)}."
        )


def _when(on: dt.date) -> dt.date:
    if on > uk_today():
        raise ValidationError("A decision is recorded on or after the day it is made.", "on")
    return on


def _school_names(db: Session, ids: Sequence[int] | None) -> tuple[str, ...] | None:
    if ids is None:
        return None
    return tuple(s.name for s in (db.get(School, i) for i in ids) if s is not None)


def _work_out_representations(
    session: UserSession, db: Session, restriction_id: int, given: Representations
) -> _Step:
    row = _restriction(session, db, restriction_id)
    summary = clean_block(
        given.summary, field="summary", label="The summary", max_length=MAX_NOTE_LENGTH
    )
    if not summary:
        raise ValidationError("Summarise what the representations say.", "summary")
    found = _as_it_stands(session, db, row)
    event = RepresentationsReceived(_when(given.received_on), session.actor.role)
    after = _after(found, event)
    return _Step(
        case=row.case,
        row=row,
        before=found,
        event=event,
        after=after,
        by_name=session.actor.full_name,
        moment=LetterMoment.ACKNOWLEDGE,
        letter=None,
        summary=f"Representations received about the {after.what}",
        detail=summary,
        kind=EventKind.REPRESENTATION,
    )


def _work_out_decision(
    session: UserSession, db: Session, restriction_id: int, decision: Decision, *, review: bool
) -> _Step:
    row = _restriction(session, db, restriction_id)
    found = _as_it_stands(session, db, row)
    by_name = clean_line(decision.decided_by, field="decided_by", label="Who decided it")
    on = _when(decision.on)
    event: Event
    if review:
        event = ReviewDecision(
            on,
            decision.decided_by_role,
            decision.outcome,
            decision.reasons,
            decision.ends,
            decision.review_due,
            _school_names(db, decision.school_ids),
        )
    else:
        event = PeriodReview(
            on,
            decision.decided_by_role,
            decision.outcome,
            decision.reasons,
            decision.ends,
            decision.review_due,
        )
    after = _after(found, event)
    words = {
        Outcome.CONFIRM: "confirmed",
        Outcome.VARY: "varied",
        Outcome.LIFT: "lifted",
        Outcome.RENEW: "renewed",
        Outcome.END: "ended",
    }[decision.outcome]
    detail = clean_block(decision.reasons, field="reasons", label="The reasons", max_length=4000)
    if after.period is not None and decision.outcome in (
        Outcome.CONFIRM,
        Outcome.VARY,
        Outcome.RENEW,
    ):
        detail += (
            f"\nFrom {format_date(after.period.starts)} to {format_date(after.period.ends)}; "
            f"review by {format_date(after.period.review_due)}."
        )
    return _Step(
        case=row.case,
        row=row,
        before=found,
        event=event,
        after=after,
        by_name=by_name,
        moment=OUTCOME_MOMENTS[decision.outcome],
        letter=None,
        summary=f"{found.step.label} {words} by {by_name} ({decision.decided_by_role.label})",
        detail=detail,
        kind=EventKind.DECISION,
    )


def _letter_for(db: Session, work: _Step, choice: LetterChoice) -> None:
    """Attach the letter the profile sends at this moment, with its fields."""
    if work.moment is None:
        return
    work.letter = decision_letter(
        db,
        case=work.case,
        row=work.row,
        step=work.before.step,
        before=work.before.sanction,
        after=work.after,
        event=work.event,
        by_name=work.by_name,
        moment=work.moment,
        large_print=choice.large_print,
    )


def decision_letter(
    db: Session,
    *,
    case: Case,
    row: Restriction,
    step: Step,
    before: Sanction,
    after: Sanction,
    event: Event,
    by_name: str,
    moment: LetterMoment,
    large_print: bool = False,
) -> letter_facts.LetterDraft | None:
    """The letter `step` sends at `moment` for `event`, which took the sanction from
    `before` to `after`; None if the profile sends none. Used when a decision is recorded
    and again (`letter_sources`) to make its letter later from what was recorded."""
    type_id = step.letter_for(moment)
    if type_id is None:
        return None
    school = row.schools[0] if row.schools else (case.schools[0] if case.schools else None)
    fields = letter_facts.case_fields(db, case, school)
    terms = json.loads(row.terms or "{}")
    period = after.period
    earlier = before.period
    reasons = event.reasons if isinstance(event, ReviewDecision | PeriodReview) else ""
    fields.update(
        {
            "reviewed_by": f"{by_name}, {event.by.label}",
            "reasons": reasons or terms.get("reasons", ""),
            "contact_name": row.named_contact,
            "contact_role": row.contact_role,
            "contact_email": terms.get("email_address") or terms.get("contact_email", ""),
            "contact_phone": terms.get("contact_phone", ""),
            "drop_off": terms.get("drop_off_arrangement", ""),
            "allowed_form": terms.get("contact_forms", ""),
            "phone_times": terms.get("telephone_times", ""),
            "representations_received": after.representations_on,
            "bar_start": period.starts if period else None,
            "bar_end": (earlier.ends if earlier else None)
            if moment in (LetterMoment.RENEW, LetterMoment.END)
            else (period.ends if period else None),
            "new_bar_end": period.ends if period and moment is LetterMoment.RENEW else None,
            "review_date": period.review_due if period else None,
            "plan_start": period.starts if period else None,
            "plan_end": period.ends if period else None,
            "review_outcome": "renewed" if moment is LetterMoment.RENEW else "lifted",
        }
    )
    if moment is LetterMoment.ACKNOWLEDGE:
        fields["reviewed_by"] = role_names(step.review)
        fields["decision_by"] = period.review_due if period else None
    return letter_facts.LetterDraft(
        type_id=type_id,
        fields=fields,
        signed_by=by_name,
        signed_role=event.by.label,
        school_id=school.id if school is not None else None,
        large_print=large_print,
    )


def _write(session: UserSession, db: Session, work: _Step, choice: LetterChoice) -> DecisionResult:
    actor = session.actor
    event_row = store.event_row(work.event, by_name=work.by_name, actor=actor)
    event_row.restriction_id = work.row.id
    db.add(event_row)
    db.flush()
    after, step = work.after, work.before.step
    store.sync(db, work.row, after)
    store.close_reviews(db, work.row.id, actor, work.event.on)
    store.schedule(
        db,
        actor,
        work.case.id,
        work.row.id,
        store.reviews_due(after, role_names(step.review)),
    )
    store.chronicle_entry(
        db, session.actor, work.case, work.kind, work.event.on, work.summary, work.detail
    )
    issued = None
    if choice.issue and work.letter is not None:
        issued = letter_facts.keep(
            db, actor, work.case, work.letter, on=uk_today(), restriction_event_id=event_row.id
        )
    store.refresh_stage(db, work.case)
    audit.record(
        db,
        actor,
        f"restriction.{event_row.kind}",
        case_id=work.case.id,
        detail={
            "restriction_id": work.row.id,
            "outcome": event_row.outcome,
            "phase": after.phase.value,
            "letter_id": issued.id if issued else None,
        },
    )
    frontdesk.publish(db, session.store)
    return DecisionResult(
        work.row.id, after.phase.value, issued.id if issued else None, work.case.stage
    )


# -- the public calls -----------------------------------------------------------------------
def record_representations(
    session: UserSession,
    *,
    restriction_id: int,
    given: Representations,
    letter: LetterChoice | None = None,
) -> DecisionResult:
    """Record representations about a bar (and acknowledge them, where the profile says)."""
    session.require(Operation.EDIT_CASES)
    choice = letter or LetterChoice()
    with session.transaction(write=True) as db:
        work = _work_out_representations(session, db, restriction_id, given)
        _letter_for(db, work, choice)
        return _write(session, db, work, choice)


def decide(
    session: UserSession,
    *,
    restriction_id: int,
    decision: Decision,
    end_of_period: bool = False,
    letter: LetterChoice | None = None,
) -> DecisionResult:
    """The trust's review (confirm, vary, lift), or with `end_of_period` the review at the
    end of a period (end, renew). Refused, with what to change, if the rules forbid it."""
    session.require(Operation.EDIT_CASES)
    choice = letter or LetterChoice()
    with session.transaction(write=True) as db:
        work = _work_out_decision(session, db, restriction_id, decision, review=not end_of_period)
        _letter_for(db, work, choice)
        return _write(session, db, work, choice)


def preview_decision_letter(
    session: UserSession,
    *,
    restriction_id: int,
    decision: Decision | Representations,
    end_of_period: bool = False,
    large_print: bool = False,
) -> LetterPreview:
    """The letter a decision would send, laid out; nothing is kept. ValidationError if the
    decision itself would be refused."""
    session.require(Operation.EDIT_CASES)
    choice = LetterChoice(True, large_print)
    with session.transaction() as db:
        if isinstance(decision, Representations):
            work = _work_out_representations(session, db, restriction_id, decision)
        else:
            work = _work_out_decision(
                session, db, restriction_id, decision, review=not end_of_period
            )
        _letter_for(db, work, choice)
        return preview(db, work.case, work.letter, large_print)


def advance_injunction(
    session: UserSession, *, case_step_id: int, to: InjunctionState, on: dt.date, note: str
) -> str:
    """Record an injunction referral's progress; returns the case's stage."""
    session.require(Operation.EDIT_CASES)
    with session.transaction(write=True) as db:
        row = db.get(CaseStep, case_step_id)
        if row is None or row.kind != StepKind.INJUNCTION_REFERRAL.value:
            raise NotFound(scope.CASE_NOT_FOUND)
        case = scope.require_case(session, db, row.case_id, operation=Operation.EDIT_CASES)
        current = store.injunction_of(row)
        assert current is not None
        _profile, step = store.profile_and_step(db, row.profile_record_id, row.step_id)
        _may_record(session, step)
        moved = advance(current, to, on=_when(on), by=session.actor.role, step=step)
        text = clean_block(note, field="note", label="The note", max_length=MAX_NOTE_LENGTH)
        details = store.details_of(row)
        details["changed_on"] = moved.changed_on.isoformat()
        row.details = json.dumps(details, sort_keys=True)
        row.state = moved.state.value
        store.chronicle_entry(
            db, session.actor, case, EventKind.INJUNCTION_REFERRAL, on, moved.state.label, text
        )
        store.refresh_stage(db, case)
        audit.record(
            db,
            session.actor,
            "case.injunction_progress",
            case_id=case.id,
            detail={"step_row": row.id, "state": moved.state.value},
        )
        return case.stage
