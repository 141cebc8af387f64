"""Retention: how long each kind of record is kept, and which are due for review on a day.

The unit of retention is a closed case with everything in it (its incidents, chronology,
evidence, letters, sanctions, tasks and the people only it refers to). How long it is kept
depends on how far it went, as the policy profile's `[retention]` table says
(`policy.RetentionRules`), counted from the day it was closed; a case that holds a formal
written warning is also kept at least as long as the profile keeps the warning itself
(`Windows.warning_retention_days`, never less than twelve months).

A case never falls due while it is open, while a bar or communication plan on it is still
in force, or while a decision to keep it longer (a hold) has a review date still to come.
When that date comes the case is back on the list, showing the reason it was kept.

The services turn these rules into SQL (`services.retention`); nothing here reads a table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from desktop.domain.policy import RetentionRules, StepKind
from desktop.domain.text import clean_block
from desktop.errors import ValidationError

MAX_HOLD_YEARS = 10  # the furthest ahead a review date for a hold may be set
MAX_REASON_LENGTH = 2000


class RecordKind(StrEnum):
    """What a record due for review is, which decides its retention period."""

    CONCERN_CASE = "case_concern"
    WARNING_CASE = "case_warning"
    SANCTION_CASE = "case_sanction"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def plural(self) -> str:
        return _PLURALS[self]


_LABELS = {
    RecordKind.CONCERN_CASE: "Closed case (no written warning or sanction)",
    RecordKind.WARNING_CASE: "Closed case with a formal written warning",
    RecordKind.SANCTION_CASE: "Closed case with a legal sanction",
}
_PLURALS = {
    RecordKind.CONCERN_CASE: "closed cases with no written warning or sanction",
    RecordKind.WARNING_CASE: "closed cases with a formal written warning",
    RecordKind.SANCTION_CASE: "closed cases with a legal sanction",
}

# The steps that make a case a warning case or a sanction case (the furthest one counts).
WARNING_STEPS = frozenset({StepKind.WRITTEN_WARNING})
SANCTION_STEPS = frozenset(
    {StepKind.COMMUNICATION_PLAN, StepKind.BAR, StepKind.INJUNCTION_REFERRAL}
)


def kind_of_case(steps: Iterable[StepKind | str], *, had_restriction: bool = False) -> RecordKind:
    """The kind of a closed case from the kinds of step taken on it (and whether it ever
    had a bar or communication plan): the furthest step decides."""
    taken = {StepKind(step) for step in steps}
    if had_restriction or taken & SANCTION_STEPS:
        return RecordKind.SANCTION_CASE
    if taken & WARNING_STEPS:
        return RecordKind.WARNING_CASE
    return RecordKind.CONCERN_CASE


def period_days(kind: RecordKind, rules: RetentionRules) -> int:
    """How many days after closing a case of this kind is kept."""
    return {
        RecordKind.CONCERN_CASE: rules.concern_days,
        RecordKind.WARNING_CASE: rules.warning_days,
        RecordKind.SANCTION_CASE: rules.sanction_days,
    }[kind]


def closed_by(kind: RecordKind, rules: RetentionRules, today: dt.date) -> dt.date:
    """A case of `kind` closed on or before this day has passed its period on `today`."""
    return today - dt.timedelta(days=period_days(kind, rules))


def warnings_before(warning_days: int, today: dt.date) -> dt.date:
    """A written warning issued on or before this day has been kept long enough on `today`."""
    return today - dt.timedelta(days=warning_days)


def due_on(
    kind: RecordKind,
    closed_on: dt.date,
    rules: RetentionRules,
    *,
    last_warning_on: dt.date | None = None,
    warning_days: int = 0,
) -> dt.date:
    """The first day a closed case is due for review: its period after closing, and not
    before its last written warning has been kept `warning_days`."""
    due = closed_on + dt.timedelta(days=period_days(kind, rules))
    if last_warning_on is not None:
        due = max(due, last_warning_on + dt.timedelta(days=warning_days))
    return due


def hold_in_force(review_on: dt.date | None, today: dt.date) -> bool:
    """Whether a hold with this review date still keeps its record off the list."""
    return review_on is not None and review_on > today


@dataclass(frozen=True)
class HoldDraft:
    """A decision to keep records longer, checked: the reason and the next review date."""

    reason: str
    review_on: dt.date


def check_hold(reason: str, review_on: dt.date | None, today: dt.date) -> HoldDraft:
    """The hold as it will be kept, or ValidationError naming the field to fix: a reason
    is required, and the review date must be after today and within ten years."""
    why = clean_block(reason, field="reason", label="The reason", max_length=MAX_REASON_LENGTH)
    if not why:
        raise ValidationError("Say why the records are being kept longer.", "reason")
    if review_on is None:
        raise ValidationError("Choose the date to review them again.", "review_on")
    if review_on <= today:
        raise ValidationError("The next review date must be after today.", "review_on")
    latest = _years_after(today, MAX_HOLD_YEARS)
    if review_on > latest:
        raise ValidationError(
            f"Choose a review date within {MAX_HOLD_YEARS} years; look at the records again then.",
            "review_on",
        )
    return HoldDraft(why, review_on)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def count_words(counts: dict[RecordKind, int]) -> str:
    """ "3 closed cases with a formal written warning and 1 closed case ..." for a message."""
    parts = []
    for kind in RecordKind:
        number = counts.get(kind, 0)
        if number:
            words = kind.plural if number != 1 else kind.label[0].lower() + kind.label[1:]
            parts.append(f"{number} {words}")
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# What the certificate counts besides the records themselves, in the order it lists them.
CONTENT_LABELS = {
    "incidents": "Incidents",
    "chronology": "Chronology entries (every version)",
    "evidence": "Evidence files",
    "letters": "Letters",
    "steps": "Steps taken (warnings, meetings, referrals)",
    "sanctions": "Bars and communication plans",
    "tasks": "Tasks",
    "people": "People no other case refers to",
    "pupils": "Pupils no one else is linked to",
}


@dataclass(frozen=True)
class DeletionCertificate:
    """What a deletion removed, for the certificate: kinds and numbers, the rule, who and
    when; never a name, a reference or any of the content. `number` is the audit entry that
    recorded the deletion, so the certificate can be checked against the trail."""

    number: int
    trust: str
    deleted_at: dt.datetime
    deleted_by: str  # the account's full name (staff, not a data subject)
    deleted_by_role: str
    rule: str
    profile: str  # the policy profile's name and version
    records: tuple[tuple[RecordKind, int, int], ...]  # (kind, how many, period in days)
    contents: tuple[tuple[str, int], ...]  # (CONTENT_LABELS key, how many)
    compacted: bool | None = None  # the file was vacuumed afterwards (None: not known)

    @property
    def total(self) -> int:
        return sum(number for _, number, _ in self.records)
