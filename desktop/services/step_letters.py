"""The letter a step sends: which one, and its fields gathered from the step's page and
the case. Laying it out and keeping it are `letter_facts`'s business."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.dates import uk_today
from desktop.domain.policy import LetterMoment, Step, StepKind
from desktop.domain.roles import Role
from desktop.domain.sanctions import (
    NoticeKind,
)
from desktop.errors import ValidationError
from desktop.services import letter_facts
from desktop.services.session import Actor
from desktop.storage.models import (
    Case,
    School,
)

# The moment at which taking each kind of step sends its letter.
FIRST_MOMENT = {
    StepKind.MEDIATION: LetterMoment.INVITE,
    StepKind.BAR: LetterMoment.NOTICE,
}


@dataclass(frozen=True)
class LetterPreview:
    type_id: str | None  # None: this step sends no letter
    title: str
    pdf: bytes | None  # None when the letter cannot be made yet (`problem` says why)
    problem: str


def opening_letter(step: Step) -> str | None:
    """The letter a step sends when it is taken (a bar's notice, a meeting's invitation)."""
    return step.letter_for(FIRST_MOMENT.get(step.kind, LetterMoment.ISSUE))


@dataclass(frozen=True)
class StepFacts:
    """What a step's letter is made from: the step, its cleaned answers, who decided it."""

    step: Step
    details: Mapping[str, object]
    decided_by: str
    decided_by_role: Role
    taken_on: dt.date
    schools: Sequence[School]
    notice_kind: NoticeKind


def step_letter(db: Session, case: Case, plan: StepFacts) -> letter_facts.LetterDraft | None:
    """The letter taking the step issues, or None if the profile sends none."""
    type_id = opening_letter(plan.step)
    if type_id is None:
        return None
    school = plan.schools[0] if plan.schools else (case.schools[0] if case.schools else None)
    fields = letter_facts.case_fields(db, case, school)
    fields.update(_fields_for_step(db, case, plan, fields))
    return letter_facts.LetterDraft(
        type_id=type_id,
        fields=fields,
        signed_by=plan.decided_by,
        signed_role=plan.decided_by_role.label,
        school_id=school.id if school is not None else None,
    )


def _fields_for_step(
    db: Session, case: Case, plan: StepFacts, known: Mapping[str, object]
) -> dict[str, object]:
    """The fields the step's own answers give; `known` are the case's (`case_fields`)."""
    d = plan.details
    kind = plan.step.kind
    who = f"{plan.decided_by}, {plan.decided_by_role.label}"
    contact = {
        "contact_name": d.get("named_contact") or plan.decided_by,
        "contact_email": d.get("email_address") or d.get("contact_email") or "",
        "contact_phone": d.get("contact_phone") or "",
        "contact_role": d.get("contact_role") or "",
    }
    chosen = d.get("incidents")
    incident_ids = [int(i) for i in chosen if str(i).isdigit()] if isinstance(chosen, list) else []
    incidents = letter_facts.incident_list(db, case.id, incident_ids) if incident_ids else []
    if kind is StepKind.VERBAL_WARNING:
        return {
            **contact,
            "warning_date": plan.taken_on,
            "warned_by": d.get("spoken_by") or who,
            "behaviour": d.get("behaviour") or known.get("behaviour") or d.get("what_was_said", ""),
        }
    if kind is StepKind.MEDIATION:
        return {
            **contact,
            "meeting_date": plan.taken_on,
            "meeting_time": d.get("time", ""),
            "meeting_place": d.get("place", ""),
            "meeting_with": who,
        }
    if kind is StepKind.WRITTEN_WARNING:
        circulation = [
            line.strip() for line in str(d.get("circulation", "")).splitlines() if line.strip()
        ]
        return {
            **contact,
            "reasons": d.get("reasons", ""),
            "incidents": incidents,
            "circulation": circulation,
        }
    if kind is StepKind.COMMUNICATION_PLAN:
        return {
            **contact,
            "reasons": d.get("reasons", ""),
            "allowed_form": d.get("contact_forms", ""),
            "phone_times": d.get("telephone_times", ""),
            "plan_start": d.get("starts"),
            "plan_end": d.get("ends"),
            "review_date": d.get("review_due"),
        }
    if kind is StepKind.BAR:
        return {
            **contact,
            "bar_kind": "temporary" if plan.notice_kind is NoticeKind.TEMPORARY else "intended",
            "reasons": d.get("reasons", ""),
            "representations_by": d.get("representations_deadline"),
            "drop_off": d.get("drop_off_arrangement", ""),
            "bar_start": d.get("starts"),
            "incidents": incidents,
        }
    if kind in (StepKind.REQUEST_REMOVAL, StepKind.REPORT_POST):
        return {
            **contact,
            "post_site": d.get("platform", ""),
            "post_date": d.get("post_date") or plan.taken_on,
            "post_description": d.get("post", ""),
            "removal_by": d.get("removal_by") or plan.taken_on + dt.timedelta(days=7),
        }
    return dict(contact)


def preview(
    db: Session,
    case: Case,
    letter: letter_facts.LetterDraft | None,
    large_print: bool,
    *,
    actor: Actor | None = None,
) -> LetterPreview:
    """The letter as it would be issued now by `actor` (their signature included when they
    may apply it); the problem instead of a PDF when it cannot be made."""
    from reports.letter_templates import letter_type

    if letter is None:
        return LetterPreview(None, "", None, "")
    title = letter_type(letter.type_id).title
    draft = letter_facts.LetterDraft(
        letter.type_id,
        letter.fields,
        letter.signed_by,
        letter.signed_role,
        letter.school_id,
        large_print,
    )
    try:
        _title, pdf = letter_facts.render(db, case, draft, on=uk_today(), actor=actor)
    except ValidationError as exc:
        return LetterPreview(letter.type_id, title, None, str(exc))
    return LetterPreview(letter.type_id, title, pdf, "")
