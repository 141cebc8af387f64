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
    """Where a case stands. Later steps (written warning, communication plan, bar,
    injunction) are added with the sanctions work; stored values never change meaning."""

    CONCERN_LOGGED = "concern_logged"
    POLICE_OR_LEGAL_REFERRAL = "police_or_legal_referral"
    VERBAL_WARNING = "verbal_warning"
    MEDIATION = "mediation"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return {
            Stage.CONCERN_LOGGED: "Concern logged",
            Stage.POLICE_OR_LEGAL_REFERRAL: "Referred to police or legal team",
            Stage.VERBAL_WARNING: "Verbal warning",
            Stage.MEDIATION: "Mediation meeting",
            Stage.RESOLVED: "Resolved",
        }[self]


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
