"""Where a case stands under the trust's procedure, for the wizard and the case window:
the steps taken (with any skip's authority), the step recommended next and why, every step
the user might choose and what choosing it means, and each bar or plan with the decisions
it waits for. Read only; `sanctions` records steps and `sanction_reviews` the decisions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.dates import format_date, uk_today
from desktop.domain import step_requirements
from desktop.domain.injunctions import InjunctionState, next_states
from desktop.domain.ladder import (
    Recommendation,
    StepRecord,
    recommend,
    skipped_steps,
    where_case_stands,
)
from desktop.domain.policy import Profile, StepKind, Windows
from desktop.domain.restrictions import RestrictionKind
from desktop.domain.roles import Role
from desktop.domain.sanctions import (
    Outcome,
    Period,
    Status,
    awaits_representations,
    decision_outcomes,
    proposed_period,
)
from desktop.domain.sanctions import status as sanction_status
from desktop.services import letter_facts, policies, scope, step_letters
from desktop.services import sanction_store as store
from desktop.services.session import UserSession
from desktop.storage.models import (
    Case,
    CaseStep,
    Incident,
)


# -- what the wizard shows ------------------------------------------------------------------
@dataclass(frozen=True)
class StepOption:
    """A step the wizard offers, with what choosing it means."""

    id: str
    label: str
    kind: StepKind
    rung: int | None
    optional: bool
    recommended: bool
    skips: tuple[str, ...]  # labels of the required steps it passes over
    skip_roles: tuple[Role, ...]  # who may authorise that
    decide_roles: tuple[Role, ...]  # who may decide and sign it
    may_take: bool  # the user's role may record it
    letter_type: str | None  # the letter it sends when taken
    requirements: tuple[step_requirements.Requirement, ...]
    unavailable: str = ""  # why it cannot be chosen now, or "" if it can

    @property
    def is_skip(self) -> bool:
        return bool(self.skips)


@dataclass(frozen=True)
class TakenStep:
    id: int
    step_id: str
    label: str
    kind: StepKind
    taken_on: dt.date
    decided_by: str
    decided_by_role: str
    skip_authorised_by: str
    skip_role: str
    skip_justification: str
    profile_version: str
    state: str  # an injunction referral's state label, else ""
    injunction: InjunctionState | None = None  # an injunction referral's state
    injunction_next: tuple[InjunctionState, ...] = ()  # where the referral may go next


@dataclass(frozen=True)
class SanctionRow:
    """A bar or plan on the case, and which decisions it is waiting for."""

    restriction_id: int
    kind: RestrictionKind
    label: str
    phase: str
    status: Status
    status_label: str
    schools: tuple[str, ...]
    starts: dt.date | None
    ends: dt.date | None
    review_due: dt.date | None
    representations_deadline: dt.date | None
    representations_on: dt.date | None
    notice_kind: str
    profile_version: str
    review_roles: tuple[Role, ...]
    can_record_representations: bool
    review_outcomes: tuple[Outcome, ...]  # what the trust's review may decide now
    period_outcomes: tuple[Outcome, ...]  # what the end-of-period review may decide now
    proposals: Mapping[Outcome, Period]  # the period offered for each dated outcome, today
    named_contact: str
    terms: Mapping[str, object] = field(default_factory=dict)

    @property
    def can_review(self) -> bool:
        return bool(self.review_outcomes)

    @property
    def can_end_period(self) -> bool:
        return bool(self.period_outcomes)


@dataclass(frozen=True)
class IncidentChoice:
    id: int
    occurred_on: dt.date
    summary: str
    immediate_safety: bool


@dataclass(frozen=True)
class Ladder:
    """Everything the wizard and the case window need to show where a case stands."""

    case_id: int
    reference: str
    subject: str
    closed: bool
    stage: str
    profile_name: str
    profile_version: str
    windows: Windows
    reached: str  # "Verbal warning, 12/10/2026", or "" before any step
    recommended: str | None  # a step id
    reason: str
    referral_first: bool
    options: tuple[StepOption, ...]
    steps: tuple[TakenStep, ...]
    sanctions: tuple[SanctionRow, ...]
    schools: tuple[tuple[int, str], ...]  # the case's schools the user may act for
    incidents: tuple[IncidentChoice, ...]
    user_role: Role
    user_name: str
    # (agency, day informed, reference) ticked on the immediate-safety incident, to fill in
    # the referral's page when the referral must come first.
    safety_agency: tuple[str, dt.date | None, str] | None = None

    def option(self, step_id: str) -> StepOption:
        return next(o for o in self.options if o.id == step_id)


_STATUS_WORDS = {
    Status.AWAITING_NOTICE: "Asked to leave; notice not yet given",
    Status.AWAITING_REPRESENTATIONS: "Notice given; awaiting representations",
    Status.READY_FOR_REVIEW: "Ready for the trust's review",
    Status.IN_FORCE: "In force",
    Status.REVIEW_OVERDUE: "Review overdue",
    Status.LIFTED: "Lifted",
    Status.ENDED: "Ended after review",
}


def status_words(value: Status) -> str:
    return _STATUS_WORDS[value]


def _options(
    profile: Profile,
    records: list[StepRecord],
    advice: Recommendation,
    role: Role,
) -> tuple[StepOption, ...]:
    found = []
    recommended = advice.step.id if advice.step else None
    for step in profile.steps:
        skipped = skipped_steps(profile, records, step.id)
        unavailable = ""
        if role not in step.take:
            unavailable = "Your role cannot record this step."
        elif advice.referral_first and step.id != recommended:
            unavailable = "The police or legal referral must be recorded first."
        found.append(
            StepOption(
                id=step.id,
                label=step.label,
                kind=step.kind,
                rung=step.rung,
                optional=step.optional,
                recommended=step.id == recommended,
                skips=tuple(s.label for s in skipped),
                skip_roles=tuple(r for r in Role if r in step.skip_to),
                decide_roles=tuple(r for r in Role if r in step.authorise),
                may_take=role in step.take,
                letter_type=step_letters.opening_letter(step),
                requirements=step_requirements.requirements(step.kind),
                unavailable=unavailable,
            )
        )
    return tuple(found)


def _sanction_row(found: store.Replayed, today: dt.date) -> SanctionRow:
    row, sanction, step = found.row, found.sanction, found.step
    now = sanction_status(sanction, today)
    period = sanction.period
    try:
        terms = json.loads(row.terms or "{}")
    except ValueError:
        terms = {}
    review = decision_outcomes(sanction, end_of_period=False)
    ending = decision_outcomes(sanction, end_of_period=True)
    dated = [o for o in (*review, *ending) if o in (Outcome.CONFIRM, Outcome.VARY, Outcome.RENEW)]
    windows = found.profile.windows
    return SanctionRow(
        restriction_id=row.id,
        kind=sanction.kind,
        label=step.label,
        phase=sanction.phase.value,
        status=now,
        status_label=status_words(now),
        schools=sanction.schools,
        starts=period.starts if period else None,
        ends=period.ends if period else None,
        review_due=period.review_due if period else None,
        representations_deadline=sanction.representations_deadline,
        representations_on=sanction.representations_on,
        notice_kind=sanction.notice.value if sanction.notice else "",
        profile_version=sanction.profile_version,
        review_roles=tuple(r for r in Role if r in step.review),
        can_record_representations=awaits_representations(sanction),
        review_outcomes=review,
        period_outcomes=ending,
        proposals={o: proposed_period(sanction, o, today, windows) for o in dated},
        named_contact=row.named_contact,
        terms=terms if isinstance(terms, dict) else {},
    )


def _incident_choices(db: Session, case_id: int) -> tuple[IncidentChoice, ...]:
    rows = db.execute(
        select(Incident.id, Incident.occurred_at, Incident.description, Incident.immediate_safety)
        .where(Incident.case_id == case_id)
        .order_by(Incident.occurred_at, Incident.id)
    ).all()
    return tuple(
        IncidentChoice(
            r.id,
            r.occurred_at.date(),
            letter_facts.first_sentence(r.description),
            r.immediate_safety,
        )
        for r in rows
    )


def _taken(row: CaseStep) -> TakenStep:
    injunction = store.injunction_of(row)
    return TakenStep(
        id=row.id,
        step_id=row.step_id,
        label=row.label,
        kind=StepKind(row.kind),
        taken_on=row.taken_on,
        decided_by=row.decided_by,
        decided_by_role=Role(row.decided_by_role).label if row.decided_by_role else "",
        skip_authorised_by=row.skip_authorised_by,
        skip_role=Role(row.skip_role).label if row.skip_role else "",
        skip_justification=row.skip_justification,
        profile_version=row.profile_version,
        state=injunction.state.label if injunction else "",
        injunction=injunction.state if injunction else None,
        injunction_next=tuple(
            s for s in InjunctionState if injunction and s in next_states(injunction.state)
        ),
    )


def case_ladder(session: UserSession, *, case_id: int) -> Ladder:
    """Where the case stands under the procedure in force, and what it may do next."""
    with session.transaction() as db:
        case = scope.require_case(session, db, case_id)
        return _ladder(session, db, case, policies.profile_for_reading(db))


def _ladder(session: UserSession, db: Session, case: Case, profile: Profile) -> Ladder:
    rows = store.step_rows(db, case.id)
    records = store.step_records(rows)
    safety = store.immediate_safety(db, case.id)
    advice = recommend(profile, records, immediate_safety=safety)
    standing = where_case_stands(profile, records)
    last = standing.last_step
    reached = ""
    if last is not None:
        label = profile.find_step(last.step_id)
        name = label.label if label is not None else last.kind.label.capitalize()
        reached = f"{name}, {format_date(last.taken_on)}"
    today = uk_today()
    role = session.actor.role
    schools = tuple(
        (s.id, s.name) for s in case.schools if scope.may_use_school(session.actor, s.id)
    )
    return Ladder(
        case_id=case.id,
        reference=case.reference,
        subject=case.subject.full_name,
        closed=case.status == "closed",
        stage=case.stage,
        profile_name=profile.name,
        profile_version=profile.version,
        windows=profile.windows,
        reached=reached,
        recommended=advice.step.id if advice.step else None,
        reason=advice.reason,
        referral_first=advice.referral_first,
        options=_options(profile, records, advice, role),
        steps=tuple(_taken(r) for r in rows),
        sanctions=tuple(_sanction_row(found, today) for found in store.case_sanctions(db, case.id)),
        schools=schools,
        incidents=_incident_choices(db, case.id),
        user_role=role,
        user_name=session.actor.full_name,
        safety_agency=store.safety_agency(db, case.id) if advice.referral_first else None,
    )
