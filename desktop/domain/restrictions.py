"""Restrictions on a person: bars from a school's premises and communication plans.

Rules only: which dates are acceptable, whether a restriction applies on a day, when its
review is overdue, and the plain-English line the front desk reads. Storing them, and who
may impose or lift them, belong to the services.

A bar's life (from the trust's procedure):

- The headteacher writes to the person that their permission to come onto the premises is
  withdrawn for now, and invites written representations. The bar is in force from then:
  `PROVISIONAL`, awaiting the trust's review.
- The CEO (or someone authorised) reviews it with the representations and confirms it
  (`ACTIVE`, with a length and a review date) or lifts it (`LIFTED`).
- At the end of its period it is reviewed: renewed (`RENEWED`; the new period is a new
  restriction) or allowed to end (`ENDED`). Passing the end date alone changes no state:
  nothing lapses silently, and an unreviewed restriction shows as overdue.

A communication plan is issued `ACTIVE` and reviewed the same way. Later sanctions (an
injunction referral, restricted email) add kinds here; stored values never change meaning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from desktop.dates import format_date
from desktop.errors import ValidationError


class RestrictionKind(StrEnum):
    BAR = "bar"
    COMMUNICATION_PLAN = "communication_plan"

    @property
    def label(self) -> str:
        return {
            RestrictionKind.BAR: "Bar from school premises",
            RestrictionKind.COMMUNICATION_PLAN: "Restricted communication plan",
        }[self]


class RestrictionState(StrEnum):
    PROVISIONAL = "provisional"
    ACTIVE = "active"
    LIFTED = "lifted"
    ENDED = "ended"
    RENEWED = "renewed"
    # Added with the sanctions wizard: asked to leave, or a notice of intent, awaiting the
    # trust's decision. Nothing binds the person yet.
    PENDING = "pending"

    @property
    def label(self) -> str:
        return {
            RestrictionState.PROVISIONAL: "In force, awaiting the trust's review",
            RestrictionState.ACTIVE: "In force",
            RestrictionState.LIFTED: "Lifted",
            RestrictionState.ENDED: "Ended after review",
            RestrictionState.RENEWED: "Renewed for a new period",
            RestrictionState.PENDING: "Not yet in force, awaiting a decision",
        }[self]

    @property
    def in_force(self) -> bool:
        """Whether a restriction in this state binds the person (within its dates)."""
        return self in (RestrictionState.PROVISIONAL, RestrictionState.ACTIVE)


class ContactChannel(StrEnum):
    """How a person under a restriction may reach the school. Free text is also accepted."""

    EMAIL = "email"
    TELEPHONE = "telephone"
    LETTER = "letter"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return {
            ContactChannel.EMAIL: "email",
            ContactChannel.TELEPHONE: "telephone",
            ContactChannel.LETTER: "letter",
            ContactChannel.IN_PERSON: "appointment in person",
        }[self]


def contact_channel_label(value: str) -> str:
    """Label for a stored channel; anything else (say "phone, Tuesdays 9-10am") as typed."""
    try:
        return ContactChannel(value).label
    except ValueError:
        return value


@dataclass(frozen=True)
class RestrictionFacts:
    """What a restriction says, as plain data. `schools` are display names."""

    kind: RestrictionKind
    schools: tuple[str, ...]
    starts: dt.date
    ends: dt.date | None
    review_due: dt.date | None
    named_contact: str | None
    contact_role: str | None
    channels: tuple[str, ...]
    state: RestrictionState


def check_dates(starts: dt.date, ends: dt.date | None, review_due: dt.date | None) -> None:
    """Refuse dates a restriction cannot have; ValidationError names the field at fault.

    Every restriction has an end date and a review date. The review falls on or before the
    end date and not before the start, so the decision to lift or renew is made while the
    restriction still runs and it never lapses unreviewed. A restriction may last one day.
    """
    if ends is None:
        raise ValidationError("Set an end date: every restriction is for a fixed period.", "ends")
    if ends < starts:
        raise ValidationError("The end date is before the start date.", "ends")
    if review_due is None:
        raise ValidationError(
            "Set a review date: every restriction is reviewed before it ends.", "review_due"
        )
    if review_due < starts:
        raise ValidationError("The review date is before the start date.", "review_due")
    if review_due > ends:
        raise ValidationError(
            "The review date is after the end date. Review the restriction by the day it "
            "ends, so it cannot lapse without a decision.",
            "review_due",
        )


def applies_on(facts: RestrictionFacts, day: dt.date) -> bool:
    """Whether the restriction binds the person on `day`: in force, and within its dates.

    Both dates count: a bar "until 14/03/2027" still applies on the 14th.
    """
    if not facts.state.in_force or day < facts.starts:
        return False
    return facts.ends is None or day <= facts.ends


def review_overdue(facts: RestrictionFacts, today: dt.date, reviewed_on: dt.date | None) -> bool:
    """Whether a review should have been decided and has not.

    A restriction still in force is overdue once its review date, or its end date if that
    comes first, has passed without a review decision (`reviewed_on`, the date this period's
    review was decided; None while it is awaited). One with neither date is overdue at once:
    every restriction must have them. Lifted, ended or renewed restrictions are never overdue.
    """
    if not facts.state.in_force or reviewed_on is not None:
        return False
    dates = [d for d in (facts.review_due, facts.ends) if d is not None]
    return not dates or min(dates) < today


def _places(schools: tuple[str, ...]) -> str:
    names = [s for s in schools if s.strip()]
    if not names:
        return "the trust's schools"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _contact(facts: RestrictionFacts) -> str:
    """Text like "contact only via J. Smith, Business Manager, by email"; "" if none recorded."""
    who = [p.strip() for p in (facts.named_contact, facts.contact_role) if p and p.strip()]
    how = [contact_channel_label(c.strip()) for c in facts.channels if c.strip()]
    parts = []
    if who:
        parts.append("via " + ", ".join(who))
    if how:
        parts.append("by " + " or ".join(how))
    return "contact only " + ", ".join(parts) if parts else ""


def _review(facts: RestrictionFacts, today: dt.date) -> str:
    if facts.review_due is None:
        return ""
    if facts.review_due < today:
        return f"review overdue (due {format_date(facts.review_due)})"
    return f"review due {format_date(facts.review_due)}"


def lapsed_unreviewed(facts: RestrictionFacts, today: dt.date) -> bool:
    """Past its end while still recorded as in force: its review was never decided. Such a
    restriction is shown as overdue, never silently in force or silently gone."""
    return facts.state.in_force and facts.ends is not None and facts.ends < today


def banner_line(facts: RestrictionFacts, today: dt.date) -> str:
    """One restriction as the front desk reads it, whether or not it applies today."""
    if lapsed_unreviewed(facts, today):
        assert facts.ends is not None
        what = "Bar" if facts.kind is RestrictionKind.BAR else "Communication plan"
        return (
            f"{what} ({_places(facts.schools)}) ended {format_date(facts.ends)} without its "
            "review: review overdue, decide whether to lift or renew it"
        )
    if facts.kind is RestrictionKind.BAR:
        barred = (
            "Barred (provisionally)" if facts.state is RestrictionState.PROVISIONAL else "Barred"
        )
        head = f"{barred} from {_places(facts.schools)}"
        if facts.ends is not None:
            head += f" until {format_date(facts.ends)}"
        parts = [head, _review(facts, today), _contact(facts)]
    else:
        where = f" ({_places(facts.schools)})" if facts.schools else ""
        contact = _contact(facts) or "no named contact recorded"
        parts = [f"Communication plan{where}: {contact}"]
        if facts.ends is not None:
            parts.append(f"until {format_date(facts.ends)}")
        parts.append(_review(facts, today))
    return " · ".join(p for p in parts if p)


def _order(facts: RestrictionFacts) -> tuple[int, dt.date, tuple[str, ...]]:
    return (0 if facts.kind is RestrictionKind.BAR else 1, facts.starts, facts.schools)


def banner_lines(restrictions: Iterable[RestrictionFacts], today: dt.date) -> list[str]:
    """A line for each restriction that applies today, and each past its end whose review
    was never decided: bars first, then by start date."""
    return [
        banner_line(r, today)
        for r in sorted(restrictions, key=_order)
        if applies_on(r, today) or lapsed_unreviewed(r, today)
    ]


def banner_text(restrictions: Iterable[RestrictionFacts], today: dt.date) -> str:
    """The front desk's answer for one person: every restriction applying today, one per line."""
    lines = banner_lines(restrictions, today)
    return "\n".join(lines) if lines else "No restrictions apply today."
