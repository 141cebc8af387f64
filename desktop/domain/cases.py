"""A case's reference, status and stage on the escalation ladder."""

from __future__ import annotations

import re
from enum import StrEnum

REFERENCE_PREFIX = "CB"
_REFERENCE = re.compile(r"^CB-(\d{4})-(\d{4,})$")


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {CaseStatus.OPEN: "Open", CaseStatus.CLOSED: "Closed"}[self]


class Stage(StrEnum):
    """Where a case stands: the step it has reached and, for a bar, a communication plan or an
    injunction referral, that sanction's state. Stored values never change meaning: new
    steps are added, none is renamed or reused. `desktop.domain.ladder.case_stage` says
    which one a case shows."""

    CONCERN_LOGGED = "concern_logged"
    POLICE_OR_LEGAL_REFERRAL = "police_or_legal_referral"
    VERBAL_WARNING = "verbal_warning"
    MEDIATION = "mediation"
    RESOLVED = "resolved"
    # Added with the sanctions work (issue 8).
    WRITTEN_WARNING = "written_warning"
    SOCIAL_CARE_REFERRAL = "social_care_referral"
    ASKED_TO_LEAVE = "asked_to_leave"
    BAR_NOTICE = "bar_notice"
    BAR_REPRESENTATIONS = "bar_representations_received"
    BAR_CONFIRMED = "bar_confirmed"
    BAR_LIFTED = "bar_lifted"
    BAR_ENDED = "bar_ended"
    COMMUNICATION_PLAN = "communication_plan"
    COMMUNICATION_PLAN_LIFTED = "communication_plan_lifted"
    COMMUNICATION_PLAN_ENDED = "communication_plan_ended"
    INJUNCTION_REFERRAL = "injunction_referral"
    INJUNCTION_APPLICATION = "injunction_application"
    INJUNCTION_GRANTED = "injunction_granted"
    INJUNCTION_REFUSED = "injunction_refused"
    INJUNCTION_WITHDRAWN = "injunction_withdrawn"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    Stage.CONCERN_LOGGED: "Concern logged",
    Stage.POLICE_OR_LEGAL_REFERRAL: "Referred to police or legal team",
    Stage.VERBAL_WARNING: "Verbal warning",
    Stage.MEDIATION: "Mediation meeting",
    Stage.RESOLVED: "Resolved",
    Stage.WRITTEN_WARNING: "Written warning",
    Stage.SOCIAL_CARE_REFERRAL: "Referred to social care",
    Stage.ASKED_TO_LEAVE: "Asked to leave the site",
    Stage.BAR_NOTICE: "Bar notice: awaiting representations",
    Stage.BAR_REPRESENTATIONS: "Bar: representations received, awaiting review",
    Stage.BAR_CONFIRMED: "Bar confirmed",
    Stage.BAR_LIFTED: "Bar lifted",
    Stage.BAR_ENDED: "Bar ended after review",
    Stage.COMMUNICATION_PLAN: "Communication plan in force",
    Stage.COMMUNICATION_PLAN_LIFTED: "Communication plan lifted",
    Stage.COMMUNICATION_PLAN_ENDED: "Communication plan ended after review",
    Stage.INJUNCTION_REFERRAL: "Referred to legal team for an injunction",
    Stage.INJUNCTION_APPLICATION: "Injunction applied for",
    Stage.INJUNCTION_GRANTED: "Injunction granted",
    Stage.INJUNCTION_REFUSED: "Injunction refused",
    Stage.INJUNCTION_WITHDRAWN: "Injunction referral withdrawn",
}


def stage_label(value: str) -> str:
    """Label for a stored stage value, tolerating values from a newer version."""
    try:
        return Stage(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


def format_reference(year: int, sequence: int) -> str:
    """`CB-2026-0042`: the year the case opened and its number within that year."""
    if not (1900 <= year <= 9999) or sequence < 1:
        raise ValueError("a reference needs a four-digit year and a positive number")
    return f"{REFERENCE_PREFIX}-{year:04d}-{sequence:04d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """(year, sequence) for a well-formed reference, else None. Case and spaces are forgiven."""
    match = _REFERENCE.match(text.strip().upper())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def looks_like_reference(text: str) -> bool:
    return text.strip().upper().startswith(f"{REFERENCE_PREFIX}-")
