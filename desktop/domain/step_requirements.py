"""What each kind of step asks for on its page, and the check that nothing required is left
out. The wizard lays its pages out from these; the services check them before writing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from desktop.domain.policy import StepKind
from desktop.errors import ValidationError


@dataclass(frozen=True)
class Requirement:
    """One thing a step's page asks for: the field's name, its label, whether it must be given."""

    field: str
    label: str
    required: bool = True


def _r(field: str, label: str, required: bool = True) -> Requirement:
    return Requirement(field, label, required)


_REFERRAL = (
    _r("referred_on", "Date referred"),
    _r("agency_contact", "Who it went to"),
    _r("reason", "Why"),
    _r("reference", "Their reference", False),
)
REQUIREMENTS: Mapping[StepKind, tuple[Requirement, ...]] = {
    StepKind.VERBAL_WARNING: (
        _r("taken_on", "Date"),
        _r("spoken_by", "Who spoke to them"),
        _r("what_was_said", "What was said"),
        _r("response", "Their response"),
    ),
    StepKind.MEDIATION: (
        _r("taken_on", "Date"),
        _r("time", "Time"),
        _r("place", "Place"),
        _r("attendees", "Who attended"),
        _r("outcome", "Outcome"),
    ),
    StepKind.WRITTEN_WARNING: (
        _r("taken_on", "Date"),
        _r("reasons", "Reasons"),
        _r("incidents", "The recorded incidents it relies on"),
        _r("signed_by", "Who signs it"),
        _r("circulation", "Internal circulation list", False),
    ),
    StepKind.COMMUNICATION_PLAN: (
        _r("contact_forms", "Allowed forms of contact"),
        _r("named_contact", "Named member of staff"),
        _r("email_address", "The one email address", False),
        _r("telephone_times", "Telephone days and times", False),
        _r("starts", "Start date"),
        _r("ends", "End date"),
        _r("review_due", "Review date"),
    ),
    StepKind.BAR: (
        _r("schools", "Schools"),
        _r("starts", "Start date"),
        _r("ends", "End date"),
        _r("representations_deadline", "Deadline for representations"),
        _r("review_due", "Review date"),
        _r("named_contact", "Named contact during the bar"),
        _r("drop_off_arrangement", "Arrangement for bringing the child to school"),
    ),
    StepKind.INJUNCTION_REFERRAL: (
        _r("legal_contact", "Legal contact"),
        _r("status", "Status"),
        _r("outcome", "Outcome", False),
    ),
    StepKind.SOCIAL_CARE_REFERRAL: _REFERRAL,
    StepKind.POLICE_OR_LEGAL_REFERRAL: _REFERRAL,
    StepKind.LADO_REFERRAL: _REFERRAL,
    StepKind.REPORT_POST: (
        _r("taken_on", "Date reported"),
        _r("platform", "Platform"),
        _r("post", "The post (link or description)"),
    ),
    StepKind.REQUEST_REMOVAL: (
        _r("taken_on", "Date asked"),
        _r("platform", "Platform"),
        _r("post", "The post (link or description)"),
        _r("asked", "Who was asked (the person or the page owner)"),
    ),
    StepKind.RESTRICT_STAFF_EMAIL: (
        _r("starts", "From"),
        _r("contact_address", "Where email should go instead"),
    ),
}


def requirements(kind: StepKind) -> tuple[Requirement, ...]:
    """What the page for a kind of step asks for, in the order it asks."""
    return REQUIREMENTS[kind]


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Sequence | Mapping | set | frozenset):
        return len(value) == 0
    return False


def check_requirements(kind: StepKind, values: Mapping[str, object]) -> None:
    """Refuse a step whose page left out something it must have, naming the first one."""
    for need in requirements(kind):
        if need.required and _blank(values.get(need.field)):
            raise ValidationError(f"{need.label} is needed for a {kind.label}.", need.field)
