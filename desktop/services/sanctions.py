"""Taking action on a case: where it stands on the trust's ladder, what comes next and why,
and recording a step (a warning, a meeting, a referral, a bar's notice, a plan) with its
chronology entries, its letter and its scheduled reviews in one transaction.

The rules are the domain's (`ladder`, `bar_lifecycle`, `injunctions`, `step_requirements`);
this module gathers the case's facts for them, checks the user's role and schools, and
writes what they allow. The decisions that follow a bar or plan are in `sanction_reviews`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.dates import format_date, uk_today, utc_now
from desktop.domain import step_requirements
from desktop.domain.bar_lifecycle import apply as apply_event
from desktop.domain.bar_lifecycle import check_one_bar_per_school
from desktop.domain.chronology import EventKind
from desktop.domain.injunctions import refer
from desktop.domain.ladder import (
    SkipAuthority,
    StepRecord,
    check_step,
    role_names,
)
from desktop.domain.policy import Profile, Step, StepKind
from desktop.domain.record_dates import check_not_too_early
from desktop.domain.restrictions import RestrictionState
from desktop.domain.roles import Operation, Role
from desktop.domain.sanctions import (
    AskedToLeave,
    BarNotice,
    Event,
    NoticeKind,
    Period,
    PlanIssued,
    Sanction,
)
from desktop.domain.text import clean_block, clean_line
from desktop.errors import ValidationError
from desktop.services import audit, frontdesk, letter_facts, policies, scope, step_letters
from desktop.services import sanction_store as store
from desktop.services.session import UserSession
from desktop.services.step_letters import LetterPreview
from desktop.storage.models import (
    Case,
    CaseStep,
    PolicyProfileRecord,
    Restriction,
    School,
)

MAX_ANSWER_LENGTH = 4000

# The chronology entry each kind of step writes.
STEP_EVENT_KINDS = {
    StepKind.VERBAL_WARNING: EventKind.VERBAL_WARNING,
    StepKind.MEDIATION: EventKind.MEDIATION,
    StepKind.WRITTEN_WARNING: EventKind.WRITTEN_WARNING,
    StepKind.COMMUNICATION_PLAN: EventKind.COMMUNICATION_PLAN,
    StepKind.BAR: EventKind.BAR_NOTICE,
    StepKind.INJUNCTION_REFERRAL: EventKind.INJUNCTION_REFERRAL,
    StepKind.SOCIAL_CARE_REFERRAL: EventKind.REFERRAL,
    StepKind.LADO_REFERRAL: EventKind.REFERRAL,
    StepKind.POLICE_OR_LEGAL_REFERRAL: EventKind.POLICE_OR_LEGAL_REFERRAL,
    StepKind.REPORT_POST: EventKind.ACTION,
    StepKind.REQUEST_REMOVAL: EventKind.ACTION,
    StepKind.RESTRICT_STAFF_EMAIL: EventKind.ACTION,
}


# -- a step, as the wizard fills it in ------------------------------------------------------
@dataclass(frozen=True)
class StepDraft:
    """A step as its page was filled in.

    `details` holds the page's answers by `step_requirements` field name (dates as
    `datetime.date`, `incidents` as incident ids). For a bar or plan, `school_ids` are the
    schools it covers; a bar may say the person was asked to leave first
    (`asked_to_leave_on`) and whether its notice bars at once or gives notice of intent.
    """

    step_id: str
    taken_on: dt.date
    decided_by: str
    decided_by_role: Role
    details: Mapping[str, object] = field(default_factory=dict)
    skip: SkipAuthority | None = None
    school_ids: tuple[int, ...] = ()
    notice_kind: NoticeKind = NoticeKind.TEMPORARY
    asked_to_leave_on: dt.date | None = None


@dataclass(frozen=True)
class LetterChoice:
    issue: bool = True
    large_print: bool = False
    queue: bool = True  # add to the print queue, to print with the day's other letters


@dataclass(frozen=True)
class StepResult:
    step_row_id: int
    restriction_id: int | None
    letter_id: int | None
    stage: str


@dataclass
class _Plan:
    """What taking a step will write, worked out before anything is written."""

    profile_row: PolicyProfileRecord
    profile: Profile
    step: Step
    record: StepRecord
    details: dict[str, object]
    decided_by: str
    schools: list[School]
    events: list[Event]
    letter: letter_facts.LetterDraft | None
    injunction_targets: tuple[str, ...] = ()
    opened: Sanction | None = None  # the bar or plan its events start, as the rules make it


def _date(value: object, label: str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValidationError(f"{label} is needed.", name)


def _clean_details(kind: StepKind, raw: Mapping[str, object]) -> dict[str, object]:
    """The page's answers, each text cleaned (control characters out, lengths bounded)."""
    labels = {r.field: r.label for r in step_requirements.requirements(kind)}
    found: dict[str, object] = {}
    for name, value in raw.items():
        label = labels.get(name, name.replace("_", " ").capitalize())
        if isinstance(value, str):
            found[name] = clean_block(value, field=name, label=label, max_length=MAX_ANSWER_LENGTH)
        elif isinstance(value, list | tuple):
            found[name] = [
                clean_line(v, field=name, label=label) if isinstance(v, str) else v for v in value
            ]
        else:
            found[name] = value
    return found


def _plan(session: UserSession, db: Session, case: Case, draft: StepDraft) -> _Plan:
    if case.status == "closed":
        raise ValidationError("This case is closed. Reopen it before taking action.", "status")
    profile_row = policies.record_for_use(db, session.actor)
    profile = policies.profile_of(profile_row)
    step = profile.step(draft.step_id)
    rows = store.step_rows(db, case.id)
    decided_by = clean_line(draft.decided_by, field="decided_by", label="Who decided it")
    record = check_step(
        profile,
        store.step_records(rows),
        step.id,
        taken_on=draft.taken_on,
        recorded_by=session.actor.role,
        decided_by=draft.decided_by_role,
        skip=draft.skip,
        immediate_safety=store.immediate_safety(db, case.id),
    )
    if draft.taken_on > uk_today():
        raise ValidationError(
            "A step is recorded on or after the day it is taken; this date is in the future.",
            "taken_on",
        )
    check_not_too_early(draft.taken_on, field="taken_on")
    details = _clean_details(step.kind, draft.details)
    values = {**details, "taken_on": draft.taken_on, "schools": list(draft.school_ids)}
    step_requirements.check_requirements(step.kind, values)
    schools = _schools(session, db, case, draft.school_ids, step)
    plan = _Plan(profile_row, profile, step, record, details, decided_by, schools, [], None)
    if step.kind.restriction is not None:
        plan.events = _opening_events(db, case, draft, plan)
        for event in plan.events:  # refused here, before anything is written
            plan.opened = apply_event(plan.opened, event, profile=profile, step=step)
    if step.kind is StepKind.INJUNCTION_REFERRAL:
        injunction = refer(
            on=draft.taken_on,
            by=draft.decided_by_role,
            profile=profile,
            step=step,
            legal_contact=str(details.get("legal_contact", "")),
            incidents_by_target=store.incidents_by_target(db, case.id),
        )
        plan.injunction_targets = injunction.targets
    plan.letter = step_letters.step_letter(
        db,
        case,
        step_letters.StepFacts(
            step,
            details,
            decided_by,
            draft.decided_by_role,
            draft.taken_on,
            schools,
            draft.notice_kind,
        ),
    )
    return plan


def _schools(
    session: UserSession, db: Session, case: Case, ids: Sequence[int], step: Step
) -> list[School]:
    if step.kind.restriction is None:
        return []
    scope.require_schools(
        session.actor, ids, "You can only act for your own schools. Choose one of them."
    )
    found = list(db.scalars(select(School).where(School.id.in_(list(ids))).order_by(School.name)))
    if len(found) != len(set(ids)) or not found:
        raise ValidationError(f"Choose the schools the {step.label.lower()} covers.", "schools")
    return found


def _opening_events(db: Session, case: Case, draft: StepDraft, plan: _Plan) -> list[Event]:
    names = tuple(s.name for s in plan.schools)
    details = plan.details
    starts = _date(details.get("starts"), "The start date", "starts")
    ends = _date(details.get("ends"), "The end date", "ends")
    review = _date(details.get("review_due"), "The review date", "review_due")
    period = Period(starts, ends, review)
    by = draft.decided_by_role
    events: list[Event]
    if plan.step.kind is StepKind.COMMUNICATION_PLAN:
        events = [PlanIssued(draft.taken_on, by, names, period)]
    else:
        deadline = _date(
            details.get("representations_deadline"),
            "The deadline for representations",
            "representations_deadline",
        )
        events = []
        if draft.asked_to_leave_on is not None:
            if draft.asked_to_leave_on > draft.taken_on:
                raise ValidationError(
                    "The person was asked to leave after the notice date. Check both dates.",
                    "asked_to_leave_on",
                )
            asked_by = draft.decided_by_role
            if asked_by not in plan.step.take:
                asked_by = next(r for r in Role if r in plan.step.take)
            events.append(AskedToLeave(draft.asked_to_leave_on, asked_by, names))
        events.append(BarNotice(draft.taken_on, by, draft.notice_kind, names, period, deadline))
        check_one_bar_per_school(names, store.bars_in_force(db, case.subject_id))
    return events


def check_step_draft(session: UserSession, *, case_id: int, draft: StepDraft) -> None:
    """Refuse a step now, with what to change, exactly as `take_step` would; writes nothing."""
    session.require(Operation.EDIT_CASES)
    with session.transaction() as db:
        case = scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        _plan(session, db, case, draft)


def preview_step_letter(
    session: UserSession, *, case_id: int, draft: StepDraft, large_print: bool = False
) -> LetterPreview:
    """The letter taking this step would issue, laid out, without keeping anything."""
    session.require(Operation.EDIT_CASES)
    with session.transaction() as db:
        case = scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        plan = _plan(session, db, case, draft)
        return step_letters.preview(db, case, plan.letter, large_print, actor=session.actor)


def take_step(
    session: UserSession,
    *,
    case_id: int,
    draft: StepDraft,
    letter: LetterChoice | None = None,
) -> StepResult:
    """Record the step, its chronology entries, its letter (unless told not to) and the
    reviews it schedules, all in one transaction, or refuse it and write nothing."""
    letter = letter or LetterChoice()
    session.require(Operation.EDIT_CASES)
    with session.transaction(write=True) as db:
        case = scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        plan = _plan(session, db, case, draft)
        actor = session.actor
        skip = plan.record.skip
        row = CaseStep(
            case_id=case.id,
            step_id=plan.step.id,
            kind=plan.step.kind.value,
            label=plan.step.label,
            taken_on=draft.taken_on,
            profile_record_id=plan.profile_row.id,
            profile_version=plan.profile.version,
            decided_by=plan.decided_by,
            decided_by_role=draft.decided_by_role.value,
            skip_authorised_by=skip.authorised_by if skip else "",
            skip_role=skip.role.value if skip else "",
            skip_justification=skip.justification if skip else "",
            details=json.dumps(_jsonable(plan.details), sort_keys=True),
            state="referred" if plan.step.kind is StepKind.INJUNCTION_REFERRAL else "",
            recorded_by_id=actor.user_id,
            recorded_at=utc_now(),
        )
        if plan.injunction_targets:
            details = dict(plan.details, targets=list(plan.injunction_targets))
            row.details = json.dumps(_jsonable(details), sort_keys=True)
        db.add(row)
        db.flush()
        restriction = _open_restriction(db, session, case, plan, row) if plan.events else None
        _chronicle(db, session, case, plan, draft)
        issued = None
        if letter.issue and plan.letter is not None:
            chosen = letter_facts.LetterDraft(
                plan.letter.type_id,
                plan.letter.fields,
                plan.letter.signed_by,
                plan.letter.signed_role,
                plan.letter.school_id,
                letter.large_print,
            )
            issued = letter_facts.keep(
                db, actor, case, chosen, on=uk_today(), case_step_id=row.id, queue=letter.queue
            )
        store.refresh_stage(db, case)
        audit.record(
            db,
            actor,
            "case.step_taken",
            case_id=case.id,
            detail={
                "step": plan.step.id,
                "kind": plan.step.kind.value,
                "profile_version": plan.profile.version,
                "skip": bool(skip),
                "restriction_id": restriction.id if restriction else None,
                "letter_id": issued.id if issued else None,
            },
        )
        if restriction is not None:
            frontdesk.publish(db, session.store)
        return StepResult(
            row.id,
            restriction.id if restriction else None,
            issued.id if issued else None,
            case.stage,
        )


def _jsonable(values: Mapping[str, object]) -> dict[str, object]:
    return {
        k: v.isoformat() if isinstance(v, dt.date) else v
        for k, v in values.items()
        if v not in (None, "")
    }


def _open_restriction(
    db: Session, session: UserSession, case: Case, plan: _Plan, step_row: CaseStep
) -> Restriction:
    d = plan.details
    kind = plan.step.kind.restriction
    assert kind is not None
    terms = {
        key: d[key]
        for key in (
            "contact_forms",
            "email_address",
            "contact_email",
            "contact_phone",
            "telephone_times",
            "drop_off_arrangement",
            "reasons",
        )
        if d.get(key)
    }
    row = Restriction(
        case_id=case.id,
        person_id=case.subject_id,
        kind=kind.value,
        state=RestrictionState.PENDING.value,
        starts=plan.events[0].on,
        named_contact=str(d.get("named_contact", "")),
        contact_role=str(d.get("contact_role", "")),
        channels=json.dumps(_channels(d)),
        notes="",
        step_id=plan.step.id,
        profile_record_id=plan.profile_row.id,
        profile_version=plan.profile.version,
        terms=json.dumps(terms, sort_keys=True),
        created_by_id=session.actor.user_id,
        created_at=utc_now(),
    )
    db.add(row)
    db.flush()
    step_row.restriction_id = row.id
    for event in plan.events:
        event_row = store.event_row(event, by_name=plan.decided_by, actor=session.actor)
        event_row.restriction_id = row.id
        db.add(event_row)
    db.flush()
    assert plan.opened is not None
    store.sync(db, row, plan.opened)
    reviewer = role_names(plan.step.review)
    store.schedule(db, session.actor, case.id, row.id, store.reviews_due(plan.opened, reviewer))
    return row


def _channels(details: Mapping[str, object]) -> list[str]:
    text = str(details.get("contact_forms", "")).strip()
    return [text] if text else (["email"] if details.get("contact_email") else [])


def _answers(kind: StepKind, details: Mapping[str, object]) -> str:
    lines = []
    for need in step_requirements.requirements(kind):
        value = details.get(need.field)
        if value in (None, "", []):
            continue
        if isinstance(value, dt.date):
            value = format_date(value)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        lines.append(f"{need.label}: {value}")
    return "\n".join(lines)


def _chronicle(
    db: Session, session: UserSession, case: Case, plan: _Plan, draft: StepDraft
) -> None:
    kind = plan.step.kind
    summary = f"{plan.step.label}: decided by {plan.decided_by} ({draft.decided_by_role.label})"
    detail = _answers(kind, {**plan.details, "schools": [s.name for s in plan.schools]})
    skip = plan.record.skip
    if skip is not None:
        detail += (
            f"\nTaken without the earlier steps on the authority of {skip.authorised_by} "
            f"({skip.role.label}): {skip.justification}"
        )
    if plan.injunction_targets:
        detail += "\nCourse of conduct against: " + ", ".join(plan.injunction_targets)
    for event in plan.events:
        if isinstance(event, AskedToLeave):
            store.chronicle_entry(
                db,
                session.actor,
                case,
                EventKind.ASKED_TO_LEAVE,
                event.on,
                "Asked to leave the site",
                "",
            )
    store.chronicle_entry(
        db, session.actor, case, STEP_EVENT_KINDS[kind], draft.taken_on, summary, detail.strip()
    )
