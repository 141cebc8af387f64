"""Subject access requests: the deadlines, and the third parties a bundle must not reveal.

A person may ask for everything the trust holds about them. The answer is due one
calendar month after the request arrives (the same day of the next month, or that month's
last day when it has no such day: 31 January gives 28 or 29 February). Before that first
deadline passes the trust may extend it by up to two further months, counted from the
first deadline; once it has passed, an extension can no longer be recorded.

What goes out must not reveal other people: staff, other parents, pupils. The bundle's
text is searched for their names (`NameFinder`); each passage found is flagged, the data
protection lead decides which to hide, and `redact` replaces the words hidden.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop.domain.record_dates import check_not_too_early
from desktop.errors import ValidationError

REDACTED = "[redacted]"
MAX_EXTENSION_MONTHS = 2
WITHHELD_FILE = "(the whole file)"  # a redaction's text when a file is left out whole


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months on, or that month's last day if it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def first_deadline(received_on: dt.date) -> dt.date:
    """When the answer is due: one calendar month after the request arrived."""
    return add_months(received_on, 1)


def latest_extension(due_on: dt.date) -> dt.date:
    """The furthest an extension may move the deadline: two months past the first one."""
    return add_months(due_on, MAX_EXTENSION_MONTHS)


def check_received(received_on: dt.date, today: dt.date) -> None:
    """Refuse a request dated in the future or before 1900."""
    check_not_too_early(received_on, field="received_on")
    if received_on > today:
        raise ValidationError("A request cannot have been received in the future.", "received_on")


def check_extension(due_on: dt.date, extended_to: dt.date, today: dt.date) -> None:
    """Refuse an extension recorded after the first deadline, one that does not move the
    deadline on, or one beyond two further months."""
    if today > due_on:
        raise ValidationError(
            "The first deadline has passed: an extension had to be recorded before it.",
            "extended_to",
        )
    if extended_to <= due_on:
        raise ValidationError("An extension must move the deadline later.", "extended_to")
    if extended_to > latest_extension(due_on):
        raise ValidationError(
            "An extension can add at most two months to the first deadline "
            f"(until {extended_to_words(latest_extension(due_on))}).",
            "extended_to",
        )


def extended_to_words(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class RequestStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {RequestStatus.OPEN: "Open", RequestStatus.COMPLETED: "Answered"}[self]


def deadline(due_on: dt.date, extended_to: dt.date | None) -> dt.date:
    """The deadline in force: the extension's, if one was recorded."""
    return extended_to or due_on


def deadline_words(
    due_on: dt.date, extended_to: dt.date | None, completed_on: dt.date | None, today: dt.date
) -> str:
    """The request's state in a few words, for the list of requests."""
    day = deadline(due_on, extended_to)
    if completed_on is not None:
        return "Answered on time" if completed_on <= day else "Answered late"
    if day < today:
        late = (today - day).days
        return f"Overdue by {late} day{'s' if late != 1 else ''}"
    if day == today:
        return "Due today"
    left = (day - today).days
    return f"Due in {left} day{'s' if left != 1 else ''}"


# -- third parties ----------------------------------------------------------------------------
class Party(StrEnum):
    STAFF = "staff"
    PARENT = "parent"
    PUPIL = "pupil"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Party.STAFF: "Member of staff",
            Party.PARENT: "Another parent or person",
            Party.PUPIL: "Pupil",
            Party.OTHER: "Someone else",
        }[self]


@dataclass(frozen=True)
class ThirdParty:
    name: str
    party: Party
    whole_only: bool = False  # words describing someone ("the boy's aunt"): only in full


@dataclass(frozen=True)
class Flag:
    """A third party's name found in one field of one record."""

    item: str  # "incident:12:description"
    text: str  # the words as they stand in the record
    party: Party
    excerpt: str  # the words around it, to judge by


_MIN_PART = 3  # a family name shorter than this ("Li", "Ng") is looked for only in full
_EXCERPT = 40


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def name_variants(name: str) -> list[str]:
    """The ways a name may appear: in full, and by the family name alone ("Mrs Jones")."""
    words = name.split()
    found = [" ".join(words)] if words else []
    if len(words) > 1 and len(words[-1]) >= _MIN_PART:
        found.append(words[-1])
    return found


class NameFinder:
    """Finds the third parties' names in text: whole words, any case, the longest first.

    A variant that is also part of the requester's own name (a pupil sharing their family
    name) is looked for only in full, so the requester's own name is never flagged.
    """

    def __init__(self, parties: Iterable[ThirdParty], own_names: Sequence[str]) -> None:
        own = {_fold(word) for name in own_names for word in name.split()}
        own |= {_fold(name) for name in own_names}
        self._party: dict[str, Party] = {}
        for third in parties:
            variants = [" ".join(third.name.split())] if third.whole_only else None
            for variant in variants or name_variants(third.name):
                key = _fold(variant)
                if not key or key in own:
                    continue
                if key not in self._party or third.party is Party.STAFF:
                    self._party[key] = third.party
        words = sorted(self._party, key=len, reverse=True)
        self._pattern = (
            re.compile(
                r"(?<!\w)("
                + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
                + r")(?!\w)",
                re.IGNORECASE,
            )
            if words
            else None
        )

    def flags(self, item: str, text: str) -> list[Flag]:
        """Each different name found in `text`, once, with the words around its first use."""
        if self._pattern is None or not text:
            return []
        found: dict[str, Flag] = {}
        for match in self._pattern.finditer(text):
            words = match.group(1)
            key = _fold(words)
            if key in found or key not in self._party:
                continue
            start, end = max(0, match.start() - _EXCERPT), min(len(text), match.end() + _EXCERPT)
            excerpt = " ".join(text[start:end].split())
            prefix = "\u2026" if start else ""
            suffix = "\u2026" if end < len(text) else ""
            found[key] = Flag(
                item, " ".join(words.split()), self._party[key], prefix + excerpt + suffix
            )
        return list(found.values())


def redact(text: str, hidden: Iterable[str]) -> str:
    """`text` with every whole-word use of each hidden passage, in any case and however
    spaced, replaced by "[redacted]"; longer passages first, so a full name goes whole."""
    words = sorted({" ".join(h.split()) for h in hidden if h.strip()}, key=len, reverse=True)
    if not words or not text:
        return text
    pattern = re.compile(
        r"(?<!\w)(?:"
        + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
        + r")(?!\w)",
        re.IGNORECASE,
    )
    return pattern.sub(REDACTED, text)


def mentions(text: str, hidden: Iterable[str]) -> bool:
    """Whether `text` holds any of the hidden passages anywhere, even inside a longer word
    (a file that cannot be redacted is then left out of the bundle: better too careful)."""
    folded = _fold(text)
    return any(_fold(h) in folded for h in hidden if h.strip())
