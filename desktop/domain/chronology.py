"""A case's chronology, kept so it can be shown to a court.

Two rules make it trustworthy. Nothing is overwritten: correcting an entry adds a new
version, with who changed it, when, and why, and every earlier version stays readable. And
the order is fixed: entries sort by when things happened, then by when they were written
down, then by their number, so the same records always print in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from desktop.domain.text import clean_block, clean_line
from desktop.errors import ValidationError

MAX_ENTRY_LENGTH = 20_000
MAX_REASON_LENGTH = 500


class EventKind(StrEnum):
    """What a chronology entry records. Values already in stores (`incident_recorded`,
    `police_or_legal_referral`, `verbal_warning`, `mediation`, `case_closed`) keep their
    spelling; new kinds are added, never renamed."""

    INCIDENT = "incident_recorded"
    CONVERSATION = "conversation"
    VERBAL_WARNING = "verbal_warning"
    MEDIATION = "mediation"
    MEETING = "meeting"
    LETTER = "letter"
    REPRESENTATION = "representation"
    DECISION = "decision"
    POLICE_OR_LEGAL_REFERRAL = "police_or_legal_referral"
    REFERRAL = "referral"
    NOTE = "note"
    EVIDENCE_ADDED = "evidence_added"
    TASK = "task"
    CASE_CLOSED = "case_closed"
    CASE_REOPENED = "case_reopened"
    # Added with the sanctions wizard: written by its steps and decisions, never by hand.
    WRITTEN_WARNING = "written_warning"
    ASKED_TO_LEAVE = "asked_to_leave"
    BAR_NOTICE = "bar_notice"
    COMMUNICATION_PLAN = "communication_plan"
    INJUNCTION_REFERRAL = "injunction_referral"
    ACTION = "action_taken"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    EventKind.INCIDENT: "Incident",
    EventKind.CONVERSATION: "Conversation",
    EventKind.VERBAL_WARNING: "Verbal warning",
    EventKind.MEDIATION: "Mediation meeting",
    EventKind.MEETING: "Meeting",
    EventKind.LETTER: "Letter",
    EventKind.REPRESENTATION: "Representations received",
    EventKind.DECISION: "Decision",
    EventKind.POLICE_OR_LEGAL_REFERRAL: "Referred to police or legal team",
    EventKind.REFERRAL: "Referral to another agency",
    EventKind.NOTE: "Note",
    EventKind.EVIDENCE_ADDED: "Evidence added",
    EventKind.TASK: "Task",
    EventKind.CASE_CLOSED: "Case closed",
    EventKind.CASE_REOPENED: "Case reopened",
    EventKind.WRITTEN_WARNING: "Formal written warning",
    EventKind.ASKED_TO_LEAVE: "Asked to leave the site",
    EventKind.BAR_NOTICE: "Notice of a bar",
    EventKind.COMMUNICATION_PLAN: "Communication plan",
    EventKind.INJUNCTION_REFERRAL: "Injunction referral",
    EventKind.ACTION: "Action taken",
}


def kind_label(value: str) -> str:
    """Label for a stored kind, tolerating kinds written by a newer version of Casebook."""
    try:
        return EventKind(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class EventVersion:
    """One version of a chronology entry. Version 1 is as first recorded (no reason)."""

    number: int
    text: str
    occurred_at: dt.datetime
    edited_by: str
    edited_at: dt.datetime
    reason: str


def _require_aware(*moments: dt.datetime) -> None:
    if any(moment.tzinfo is None for moment in moments):
        raise ValueError("chronology times must be timezone-aware")


def _clean_text(text: str) -> str:
    return clean_block(
        text, field="text", label="The entry", max_length=MAX_ENTRY_LENGTH, required=True
    )


def first_version(
    text: str, occurred_at: dt.datetime, recorded_by: str, recorded_at: dt.datetime
) -> EventVersion:
    """An entry as first written down; ValidationError if its text is empty or too long."""
    _require_aware(occurred_at, recorded_at)
    return EventVersion(1, _clean_text(text), occurred_at, recorded_by, recorded_at, "")


def check_edit(
    previous: EventVersion,
    new_text: str,
    reason: str,
    *,
    new_occurred_at: dt.datetime | None = None,
) -> tuple[str, str]:
    """The cleaned (text, reason) for a correction, or ValidationError saying what is wrong.

    A correction must change something (the text or when it happened) and must say why: a
    court will ask. The text cannot be emptied; to withdraw an entry, say so in its text
    ("Recorded on the wrong case") so the earlier version stays on the record with the reason.
    """
    if new_occurred_at is not None:
        _require_aware(new_occurred_at)
    text = _clean_text(new_text)
    when_unchanged = new_occurred_at is None or new_occurred_at == previous.occurred_at
    if text == previous.text and when_unchanged:
        raise ValidationError("Nothing has changed, so there is nothing to save.", "text")
    why = clean_line(
        reason, field="reason", label="The reason", max_length=MAX_REASON_LENGTH, required=False
    )
    if not why:
        raise ValidationError("Say why the entry is being changed.", "reason")
    return text, why


def next_version(
    previous: EventVersion,
    *,
    new_text: str,
    reason: str,
    edited_by: str,
    edited_at: dt.datetime,
    occurred_at: dt.datetime | None = None,
) -> EventVersion:
    """The version that follows `previous`, which itself is left exactly as it was."""
    _require_aware(edited_at)
    text, why = check_edit(previous, new_text, reason, new_occurred_at=occurred_at)
    when = previous.occurred_at if occurred_at is None else occurred_at
    return EventVersion(previous.number + 1, text, when, edited_by, edited_at, why)


def check_history(versions: Sequence[EventVersion]) -> None:
    """Refuse a version history that could not have come from these rules.

    Versions are numbered 1, 2, 3... without gaps, and every one after the first has a
    reason. Raises ValueError: a broken history is damage to investigate, not a typing slip.
    """
    for expected, version in enumerate(versions, start=1):
        if version.number != expected:
            raise ValueError(f"version {version.number} found where {expected} was expected")
        if expected > 1 and not version.reason.strip():
            raise ValueError(f"version {expected} has no reason for the change")


def latest(versions: Sequence[EventVersion]) -> EventVersion:
    """The version in force: the highest number."""
    if not versions:
        raise ValueError("an entry has at least one version")
    return max(versions, key=lambda version: version.number)


class Dated(Protocol):
    """Anything that can be placed in a chronology."""

    @property
    def id(self) -> int: ...

    @property
    def occurred_at(self) -> dt.datetime: ...

    @property
    def recorded_at(self) -> dt.datetime: ...


E = TypeVar("E", bound=Dated)


def order_events(events: Iterable[E]) -> list[E]:
    """Entries in chronology order: when it happened, then when recorded, then by id.

    The last two break ties so two entries at the same minute always print in the same
    order. All times must carry a time zone (the store keeps UTC).
    """
    return sorted(events, key=lambda event: (event.occurred_at, event.recorded_at, event.id))
