"""How steps, bars and plans are kept, and read back into the domain's terms.

A bar's or plan's history is its `RestrictionEvent` rows; `replay()` turns them into a
`domain.sanctions.Sanction` under the profile it was taken with, and `sync()` copies the
result onto the `Restriction` row the front desk, the banner and the calendar read. A case's
stage is worked out again (`refresh_stage()`) whenever a step or a decision is recorded.
Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from desktop.dates import UK, uk_today, utc_now
from desktop.domain.bar_lifecycle import replay as replay_events
from desktop.domain.chronology import EventKind
from desktop.domain.incidents import Agency, PartyRole, incidents_per_target
from desktop.domain.injunctions import Injunction, InjunctionState
from desktop.domain.injunctions import stage_mark as injunction_mark
from desktop.domain.ladder import SkipAuthority, StageMark, StepRecord, case_stage
from desktop.domain.policy import Profile, Step, StepKind
from desktop.domain.restrictions import RestrictionFacts, RestrictionKind, RestrictionState
from desktop.domain.roles import Role
from desktop.domain.sanctions import (
    AskedToLeave,
    BarNotice,
    Event,
    NoticeKind,
    Outcome,
    Period,
    PeriodReview,
    Phase,
    PlanIssued,
    RepresentationsReceived,
    ReviewDecision,
    Sanction,
)
from desktop.domain.sanctions import stage_mark as sanction_mark
from desktop.services import policies
from desktop.services.event_versions import add_version
from desktop.services.session import Actor
from desktop.storage.models import (
    Case,
    CaseEvent,
    CaseStep,
    CaseTask,
    Incident,
    IncidentAgency,
    IncidentParty,
    Restriction,
    RestrictionEvent,
    School,
    StaffMember,
)

# RestrictionEvent.kind values, one per domain event class.
ASKED_TO_LEAVE = "asked_to_leave"
NOTICE = "notice"
PLAN_ISSUED = "plan_issued"
REPRESENTATIONS = "representations"
REVIEW_DECISION = "review_decision"
PERIOD_REVIEW = "period_review"


@dataclass(frozen=True)
class Replayed:
    """A bar or plan as it stands, with the profile and step it lives under."""

    row: Restriction
    sanction: Sanction
    profile: Profile
    step: Step


# -- steps ----------------------------------------------------------------------------------
def step_rows(db: Session, case_id: int) -> list[CaseStep]:
    return list(
        db.scalars(
            select(CaseStep)
            .where(CaseStep.case_id == case_id)
            .order_by(CaseStep.taken_on, CaseStep.id)
        )
    )


def as_record(row: CaseStep) -> StepRecord:
    skip = None
    if row.skip_authorised_by:
        skip = SkipAuthority(row.skip_authorised_by, Role(row.skip_role), row.skip_justification)
    return StepRecord(
        step_id=row.step_id,
        kind=StepKind(row.kind),
        taken_on=row.taken_on,
        profile_version=row.profile_version,
        skip=skip,
    )


def step_records(rows: Iterable[CaseStep]) -> list[StepRecord]:
    """The steps the domain can read (a kind from a newer Casebook is left out)."""
    found = []
    for row in rows:
        try:
            found.append(as_record(row))
        except ValueError:
            continue
    return found


def details_of(row: CaseStep) -> dict[str, object]:
    try:
        value = json.loads(row.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def referral_on_chronology(db: Session, case_id: int) -> bool:
    """A police or legal-team referral written on the chronology by hand."""
    entry = exists().where(
        CaseEvent.case_id == case_id, CaseEvent.kind == StepKind.POLICE_OR_LEGAL_REFERRAL.value
    )
    return bool(db.scalar(select(entry)))


def immediate_safety(db: Session, case_id: int) -> bool:
    """The case has an incident threatening someone's immediate safety and no referral on
    its chronology (referral steps are the ladder's to see). Ticking "police informed" on
    the incident says who was told; the referral itself is recorded as a step, first."""
    flagged = db.scalar(
        select(exists().where(Incident.case_id == case_id, Incident.immediate_safety.is_(True)))
    )
    return bool(flagged) and not referral_on_chronology(db, case_id)


def safety_agency(db: Session, case_id: int) -> tuple[str, dt.date | None, str] | None:
    """(agency, day informed, reference) ticked on the case's latest immediate-safety
    incident, to fill in the referral's page; None if none was ticked."""
    row = db.execute(
        select(IncidentAgency.agency, IncidentAgency.informed_on, IncidentAgency.reference)
        .join(Incident, Incident.id == IncidentAgency.incident_id)
        .where(
            Incident.case_id == case_id,
            Incident.immediate_safety.is_(True),
            IncidentAgency.agency.in_([Agency.POLICE.value, Agency.LEGAL_TEAM.value]),
        )
        .order_by(Incident.occurred_at.desc())
        .limit(1)
    ).first()
    return (row.agency, row.informed_on, row.reference) if row else None


# -- bars and plans -------------------------------------------------------------------------
def _names(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _period(row: RestrictionEvent) -> Period:
    assert row.starts is not None and row.ends is not None and row.review_due is not None
    return Period(row.starts, row.ends, row.review_due)


def as_event(row: RestrictionEvent) -> Event:
    by = Role(row.by_role)
    if row.kind == ASKED_TO_LEAVE:
        return AskedToLeave(row.on_date, by, _names(row.schools))
    if row.kind == NOTICE:
        assert row.representations_deadline is not None
        return BarNotice(
            row.on_date,
            by,
            NoticeKind(row.notice_kind),
            _names(row.schools),
            _period(row),
            row.representations_deadline,
        )
    if row.kind == PLAN_ISSUED:
        return PlanIssued(row.on_date, by, _names(row.schools), _period(row))
    if row.kind == REPRESENTATIONS:
        return RepresentationsReceived(row.on_date, by)
    schools = _names(row.schools) if row.schools not in ("", "[]") else None
    if row.kind == REVIEW_DECISION:
        return ReviewDecision(
            row.on_date, by, Outcome(row.outcome), row.reasons, row.ends, row.review_due, schools
        )
    return PeriodReview(
        row.on_date, by, Outcome(row.outcome), row.reasons, row.ends, row.review_due
    )


def event_row(event: Event, *, by_name: str, actor: Actor) -> RestrictionEvent:
    """The row that records `event` (its restriction is set by the caller)."""
    row = RestrictionEvent(
        on_date=event.on,
        by_name=by_name,
        by_role=event.by.value,
        recorded_by_id=actor.user_id,
        recorded_at=utc_now(),
        schools="[]",
        outcome="",
        notice_kind="",
        reasons="",
    )
    if isinstance(event, AskedToLeave):
        row.kind, row.schools = ASKED_TO_LEAVE, json.dumps(list(event.schools))
    elif isinstance(event, BarNotice | PlanIssued):
        row.kind = NOTICE if isinstance(event, BarNotice) else PLAN_ISSUED
        row.schools = json.dumps(list(event.schools))
        row.starts, row.ends = event.period.starts, event.period.ends
        row.review_due = event.period.review_due
        if isinstance(event, BarNotice):
            row.notice_kind = event.notice.value
            row.representations_deadline = event.representations_deadline
    elif isinstance(event, RepresentationsReceived):
        row.kind = REPRESENTATIONS
    else:
        row.kind = REVIEW_DECISION if isinstance(event, ReviewDecision) else PERIOD_REVIEW
        row.outcome, row.reasons = event.outcome.value, event.reasons
        row.ends, row.review_due = event.ends, event.review_due
        if isinstance(event, ReviewDecision) and event.schools is not None:
            row.schools = json.dumps(list(event.schools))
    return row


def events_of(db: Session, restriction_id: int) -> list[RestrictionEvent]:
    return list(
        db.scalars(
            select(RestrictionEvent)
            .where(RestrictionEvent.restriction_id == restriction_id)
            .order_by(RestrictionEvent.id)
        )
    )


def profile_and_step(db: Session, record_id: int | None, step_id: str) -> tuple[Profile, Step]:
    profile = policies.profile_of(policies.record_by_id(db, record_id))
    return profile, profile.step(step_id)


def replay(db: Session, row: Restriction) -> Replayed | None:
    """The bar or plan as its recorded events make it; None for a restriction kept before
    the sanctions wizard, which has no events."""
    rows = events_of(db, row.id)
    if not rows:
        return None
    profile, step = profile_and_step(db, row.profile_record_id, row.step_id)
    sanction = replay_events([as_event(r) for r in rows], profile=profile, step=step)
    return Replayed(row, sanction, profile, step)


def sync(db: Session, row: Restriction, sanction: Sanction) -> None:
    """Copy the sanction as it now stands onto its restriction row."""
    state = sanction.restriction_state or RestrictionState.PENDING
    row.state = state.value
    row.phase = sanction.phase.value
    if sanction.period is not None:
        row.starts, row.ends = sanction.period.starts, sanction.period.ends
        row.review_due = sanction.period.review_due
    elif row.starts is None:
        row.starts = sanction.changed_on
    row.notice_kind = sanction.notice.value if sanction.notice else ""
    row.representations_deadline = sanction.representations_deadline
    row.representations_on = sanction.representations_on
    row.period_number = sanction.period_number
    # The day this period's review was decided: None while it is awaited, which is always
    # the case for a sanction in force (each decision that keeps it opens a new period).
    row.reviewed_on = None if sanction.in_force else sanction.decided_on
    wanted = set(sanction.schools)
    row.schools = list(db.scalars(select(School).where(School.name.in_(sorted(wanted)))))


def case_sanctions(db: Session, case_id: int) -> list[Replayed]:
    """The case's bars and plans kept by the wizard, oldest first."""
    rows = db.scalars(
        select(Restriction).where(Restriction.case_id == case_id).order_by(Restriction.id)
    )
    return [found for row in rows if (found := replay(db, row)) is not None]


def injunction_of(row: CaseStep) -> Injunction | None:
    if row.kind != StepKind.INJUNCTION_REFERRAL.value:
        return None
    details = details_of(row)
    targets = details.get("targets")
    return Injunction(
        step_id=row.step_id,
        profile_version=row.profile_version,
        state=InjunctionState(row.state or InjunctionState.REFERRED.value),
        referred_on=row.taken_on,
        changed_on=dt.date.fromisoformat(str(details.get("changed_on") or row.taken_on)),
        legal_contact=str(details.get("legal_contact", "")),
        targets=tuple(str(t) for t in targets) if isinstance(targets, list) else (),
    )


def refresh_stage(db: Session, case: Case) -> None:
    """Work out the case's stage again from its steps, bars, plans and referrals."""
    rows = step_rows(db, case.id)
    marks: list[StageMark] = [sanction_mark(r.sanction) for r in case_sanctions(db, case.id)]
    marks += [injunction_mark(i) for row in rows if (i := injunction_of(row)) is not None]
    records = step_records(rows)
    if not records and not marks:
        return
    case.stage = case_stage(records, marks).value


# -- facts the rules need ---------------------------------------------------------------
def bars_in_force(db: Session, person_id: int) -> list[RestrictionFacts]:
    """The person's bars in force now or later (on any case), for the one-bar-per-school
    rule."""
    rows = db.scalars(
        select(Restriction).where(
            Restriction.person_id == person_id,
            Restriction.kind == RestrictionKind.BAR.value,
            Restriction.state.in_(
                [RestrictionState.ACTIVE.value, RestrictionState.PROVISIONAL.value]
            ),
        )
    )
    today = uk_today()
    return [
        RestrictionFacts(
            kind=RestrictionKind.BAR,
            schools=tuple(s.name for s in r.schools),
            starts=r.starts,
            ends=r.ends,
            review_due=r.review_due,
            named_contact=r.named_contact,
            contact_role=r.contact_role,
            channels=(),
            state=RestrictionState(r.state),
        )
        for r in rows
        if r.ends is None or r.ends >= today
    ]


def incidents_by_target(db: Session, case_id: int) -> dict[str, list[tuple[int, dt.date]]]:
    """Each member of staff targeted on the case, with the incidents against them (for the
    course-of-conduct check an injunction referral needs)."""
    rows = db.execute(
        select(Incident.id, Incident.occurred_at, IncidentParty.description, StaffMember.name)
        .join(IncidentParty, IncidentParty.incident_id == Incident.id)
        .outerjoin(StaffMember, StaffMember.id == IncidentParty.staff_member_id)
        .where(Incident.case_id == case_id, IncidentParty.role == PartyRole.STAFF_TARGETED.value)
    ).all()
    per_incident: dict[int, tuple[dt.date, list[str]]] = {}
    for r in rows:
        day, names = per_incident.setdefault(r.id, (r.occurred_at.date(), []))
        names.append(r.name or r.description or "")
    return incidents_per_target((i, day, names) for i, (day, names) in per_incident.items())


# -- the chronology ------------------------------------------------------------------------
def chronicle_entry(
    db: Session,
    actor: Actor,
    case: Case,
    kind: EventKind,
    on: dt.date,
    summary: str,
    detail: str,
) -> CaseEvent:
    """One chronology entry written by a step or a decision, dated `on`."""
    return add_version(
        db,
        actor,
        CaseEvent(
            case_id=case.id,
            occurred_at=chronology_moment(on),
            kind=kind.value,
            summary=summary[:300],
            detail=detail,
        ),
        previous=None,
    )


def chronology_moment(on: dt.date) -> dt.datetime:
    """The moment a dated decision sits at on the chronology: the current time when it is
    today, else noon UK time on its day (decisions are dated, not timed)."""
    if on == uk_today():
        return utc_now()
    return dt.datetime.combine(on, dt.time(12, 0), tzinfo=UK).astimezone(dt.UTC)


# -- scheduled reviews ----------------------------------------------------------------------
def close_reviews(db: Session, restriction_id: int, actor: Actor, on: dt.date) -> None:
    """Mark done the reviews a decision answers."""
    for task in db.scalars(
        select(CaseTask).where(
            CaseTask.restriction_id == restriction_id, CaseTask.done_on.is_(None)
        )
    ):
        task.done_on, task.done_by_id = on, actor.user_id


def schedule(
    db: Session,
    actor: Actor,
    case_id: int,
    restriction_id: int,
    items: Iterable[tuple[str, dt.date]],
) -> None:
    """Add a task for each (title, due date) the sanction now needs."""
    for title, due in items:
        db.add(
            CaseTask(
                case_id=case_id,
                title=title[:300],
                notes="",
                due_on=due,
                restriction_id=restriction_id,
                created_by_id=actor.user_id,
                created_at=utc_now(),
            )
        )


def reviews_due(sanction: Sanction, reviewer: str) -> list[tuple[str, dt.date]]:
    """The dates a sanction now needs someone to act by, as task titles."""
    items: list[tuple[str, dt.date]] = []
    deadline = sanction.representations_deadline
    if sanction.phase is Phase.NOTICE and deadline is not None:
        items.append(("Deadline for representations on the bar", deadline))
    period = sanction.period
    if period is None or sanction.phase not in (
        Phase.NOTICE,
        Phase.REPRESENTATIONS,
        Phase.IN_FORCE,
    ):
        return items
    items.append((f"Review the {sanction.what} ({reviewer})", period.review_due))
    if sanction.phase is Phase.IN_FORCE and period.ends > period.review_due:
        items.append((f"The {sanction.what} ends: review it by this day", period.ends))
    return items
