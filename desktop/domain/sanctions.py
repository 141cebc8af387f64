"""Bars and communication plans as plain data: their phases, periods, the events recorded
in their lives, and what a sanction means today (in force, awaiting a decision, overdue).

The rules for moving from one phase to the next are in `bar_lifecycle.py`. A sanction's
restriction is read through `restrictions` (its states, its overdue rule), so the front desk
and the sanctions agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from desktop.domain.cases import Stage
from desktop.domain.ladder import StageMark
from desktop.domain.policy import Windows
from desktop.domain.restrictions import (
    RestrictionFacts,
    RestrictionKind,
    RestrictionState,
    review_overdue,
)
from desktop.domain.roles import Role

ONE_DAY = dt.timedelta(days=1)


class Phase(StrEnum):
    ASKED_TO_LEAVE = "asked_to_leave"
    NOTICE = "notice"
    REPRESENTATIONS = "representations_received"
    IN_FORCE = "in_force"
    LIFTED = "lifted"
    ENDED = "ended"


class NoticeKind(StrEnum):
    TEMPORARY = "temporary"  # the bar is in force from the notice, pending the trust's review
    INTENT = "intent"  # the school intends to bar; nothing binds until the bar is confirmed


class Outcome(StrEnum):
    CONFIRM = "confirm"
    VARY = "vary"
    LIFT = "lift"
    RENEW = "renew"
    END = "end"


@dataclass(frozen=True)
class Period:
    """One period of a restriction: both ends count, and the review falls within it."""

    starts: dt.date
    ends: dt.date
    review_due: dt.date


# -- events, as recorded -------------------------------------------------------------------
@dataclass(frozen=True)
class AskedToLeave:
    on: dt.date
    by: Role
    schools: tuple[str, ...]


@dataclass(frozen=True)
class BarNotice:
    on: dt.date
    by: Role  # who decided and signed the notice
    notice: NoticeKind
    schools: tuple[str, ...]
    period: Period  # the proposed bar; its review date is the trust's review of the notice
    representations_deadline: dt.date


@dataclass(frozen=True)
class PlanIssued:
    on: dt.date
    by: Role
    schools: tuple[str, ...]
    period: Period


@dataclass(frozen=True)
class RepresentationsReceived:
    on: dt.date
    by: Role  # who recorded them


@dataclass(frozen=True)
class ReviewDecision:
    """Confirm, vary or lift. Confirming or varying sets a new end and review date; a
    varied bar may cover fewer schools."""

    on: dt.date
    by: Role
    outcome: Outcome
    reasons: str
    ends: dt.date | None = None
    review_due: dt.date | None = None
    schools: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PeriodReview:
    """The review at the end of a period: let it end, or renew it for a new period."""

    on: dt.date
    by: Role
    outcome: Outcome
    reasons: str
    ends: dt.date | None = None
    review_due: dt.date | None = None


Event = (
    AskedToLeave | BarNotice | PlanIssued | RepresentationsReceived | ReviewDecision | PeriodReview
)


@dataclass(frozen=True)
class Sanction:
    """A bar or plan as it stands. `period` is None only before a bar's notice."""

    kind: RestrictionKind
    step_id: str
    profile_version: str
    phase: Phase
    schools: tuple[str, ...]
    changed_on: dt.date
    period: Period | None = None
    period_number: int = 0  # 1 for the first confirmed (or issued) period; renewals add one
    notice: NoticeKind | None = None
    notice_on: dt.date | None = None
    representations_deadline: dt.date | None = None
    representations_on: dt.date | None = None
    decided_on: dt.date | None = None  # the latest review decision

    @property
    def restriction_state(self) -> RestrictionState | None:
        """The state of the restriction it imposes; None while nothing binds the person."""
        if self.phase in (Phase.NOTICE, Phase.REPRESENTATIONS):
            return RestrictionState.PROVISIONAL if self.notice is NoticeKind.TEMPORARY else None
        return _STATES.get(self.phase)

    @property
    def what(self) -> str:
        """The word for messages: "bar" or "communication plan"."""
        return "bar" if self.kind is RestrictionKind.BAR else "communication plan"

    @property
    def in_force(self) -> bool:
        state = self.restriction_state
        return state is not None and state.in_force


_STATES = {
    Phase.IN_FORCE: RestrictionState.ACTIVE,
    Phase.LIFTED: RestrictionState.LIFTED,
    Phase.ENDED: RestrictionState.ENDED,
}


# -- defaults from the profile -------------------------------------------------------------
def default_deadline(notice_on: dt.date, windows: Windows) -> dt.date:
    """The earliest deadline for representations the procedure allows."""
    return notice_on + dt.timedelta(days=windows.representations_days)


def default_period(kind: RestrictionKind, starts: dt.date, windows: Windows) -> Period:
    """The profile's usual length, reviewed on its last day or sooner if the review interval
    is shorter."""
    days = windows.default_bar_days if kind is RestrictionKind.BAR else windows.default_plan_days
    ends = starts + dt.timedelta(days=days)
    review = min(ends, starts + dt.timedelta(days=windows.review_interval_days))
    return Period(starts, ends, review)


NOTICE_REVIEW_AFTER_DEADLINE = dt.timedelta(days=7)  # the review a week after the deadline


def notice_defaults(notice_on: dt.date, windows: Windows) -> tuple[Period, dt.date]:
    """(proposed period, representations deadline) offered for a bar's notice: the usual
    length, the least time for representations, and the trust's review a week after the
    deadline (or sooner if the period or the review interval ends first)."""
    period = default_period(RestrictionKind.BAR, notice_on, windows)
    deadline = default_deadline(notice_on, windows)
    review = min(period.review_due, deadline + NOTICE_REVIEW_AFTER_DEADLINE)
    return Period(period.starts, period.ends, review), deadline


def may_confirm(sanction: Sanction, on: dt.date) -> bool:
    """A bar may be confirmed once the representations are recorded or their deadline has
    passed (the deadline day itself is still the person's)."""
    deadline = sanction.representations_deadline
    return sanction.representations_on is not None or (deadline is not None and on > deadline)


# -- the decisions a sanction waits for ------------------------------------------------------
_FIRST_DECISION = (Phase.NOTICE, Phase.REPRESENTATIONS)


def awaits_representations(sanction: Sanction) -> bool:
    """A bar's notice is out and the trust has not yet decided: representations are due."""
    return sanction.kind is RestrictionKind.BAR and sanction.phase in _FIRST_DECISION


def decision_outcomes(sanction: Sanction, *, end_of_period: bool) -> tuple[Outcome, ...]:
    """What a review may decide now: the first decision confirms or lifts, one on a
    restriction in force varies or lifts; the end-of-period review lets it end or renews it.
    Empty when no such decision is due."""
    if end_of_period:
        return (Outcome.END, Outcome.RENEW) if sanction.phase is Phase.IN_FORCE else ()
    if sanction.phase in _FIRST_DECISION:
        return (Outcome.CONFIRM, Outcome.LIFT)
    if sanction.phase is Phase.IN_FORCE:
        return (Outcome.VARY, Outcome.LIFT)
    return ()


def next_period_start(sanction: Sanction, outcome: Outcome, on: dt.date) -> dt.date:
    """Where the period set by a decision on `on` runs from. A renewal follows on from the
    old period (one decided late cannot reach back); confirming a notice of intent starts no
    earlier than the decision, since nothing bound the person before it; otherwise the
    period keeps its start."""
    old = sanction.period
    if old is None:
        return on
    if outcome is Outcome.RENEW:
        return old.ends + ONE_DAY if on <= old.ends else on
    if sanction.phase in _FIRST_DECISION and sanction.notice is NoticeKind.INTENT:
        return max(old.starts, on)
    return old.starts


def proposed_period(sanction: Sanction, outcome: Outcome, on: dt.date, windows: Windows) -> Period:
    """The period offered for a decision on `on`: where it must start, and the procedure's
    usual length and review from then (or from the decision, if later)."""
    starts = next_period_start(sanction, outcome, on)
    usual = default_period(sanction.kind, max(starts, on), windows)
    return Period(starts, usual.ends, usual.review_due)


# -- reading a sanction ----------------------------------------------------------------------
class Status(StrEnum):
    AWAITING_NOTICE = "awaiting_notice"
    AWAITING_REPRESENTATIONS = "awaiting_representations"
    READY_FOR_REVIEW = "ready_for_review"
    IN_FORCE = "in_force"
    REVIEW_OVERDUE = "review_overdue"
    LIFTED = "lifted"
    ENDED = "ended"


def facts(
    sanction: Sanction,
    *,
    named_contact: str | None = None,
    contact_role: str | None = None,
    channels: tuple[str, ...] = (),
) -> RestrictionFacts | None:
    """The restriction as `restrictions` reads it (for the front desk, overdue reviews and
    the one-bar-per-school check); None before a notice, and while a notice of intent waits
    for its review, since nothing binds the person then."""
    state = sanction.restriction_state
    if state is None or sanction.period is None:
        return None
    return RestrictionFacts(
        kind=sanction.kind,
        schools=sanction.schools,
        starts=sanction.period.starts,
        ends=sanction.period.ends,
        review_due=sanction.period.review_due,
        named_contact=named_contact,
        contact_role=contact_role,
        channels=channels,
        state=state,
    )


def review_is_overdue(sanction: Sanction, today: dt.date) -> bool:
    """Whether a decision is owed and late: the review of a restriction in force (or of a
    notice of intent) whose review date, or end, has passed. A decision always moves the
    sanction on, so one still waiting has no review decision for its current period."""
    binding = facts(sanction)
    if binding is not None:
        return review_overdue(binding, today, None)
    pending = sanction.phase in (Phase.NOTICE, Phase.REPRESENTATIONS)
    return pending and sanction.period is not None and sanction.period.review_due < today


def status(sanction: Sanction, today: dt.date) -> Status:
    """What the sanction needs or is doing today; an overdue review outranks everything."""
    if review_is_overdue(sanction, today):
        return Status.REVIEW_OVERDUE
    if sanction.phase is Phase.ASKED_TO_LEAVE:
        return Status.AWAITING_NOTICE
    if sanction.phase in (Phase.NOTICE, Phase.REPRESENTATIONS):
        ready = may_confirm(sanction, today)
        return Status.READY_FOR_REVIEW if ready else Status.AWAITING_REPRESENTATIONS
    return {Phase.LIFTED: Status.LIFTED, Phase.ENDED: Status.ENDED}.get(
        sanction.phase, Status.IN_FORCE
    )


def phase_words(sanction: Sanction) -> str:
    """Where the sanction stands, to finish a sentence like "this bar is ..."."""
    return {
        Phase.ASKED_TO_LEAVE: "only at the asked-to-leave stage",
        Phase.NOTICE: "still at the notice stage",
        Phase.REPRESENTATIONS: "awaiting the trust's review",
        Phase.IN_FORCE: "in force",
        Phase.LIFTED: "lifted",
        Phase.ENDED: "ended",
    }[sanction.phase]


def stage_mark(sanction: Sanction) -> StageMark:
    """The sanction's stage, for `ladder.case_stage`."""
    if sanction.kind is RestrictionKind.BAR:
        stage = _BAR_STAGES[sanction.phase]
    else:
        stage = _PLAN_STAGES[sanction.phase]
    return StageMark(stage=stage, changed_on=sanction.changed_on, in_force=sanction.in_force)


_BAR_STAGES = {
    Phase.ASKED_TO_LEAVE: Stage.ASKED_TO_LEAVE,
    Phase.NOTICE: Stage.BAR_NOTICE,
    Phase.REPRESENTATIONS: Stage.BAR_REPRESENTATIONS,
    Phase.IN_FORCE: Stage.BAR_CONFIRMED,
    Phase.LIFTED: Stage.BAR_LIFTED,
    Phase.ENDED: Stage.BAR_ENDED,
}
_PLAN_STAGES = {
    Phase.IN_FORCE: Stage.COMMUNICATION_PLAN,
    Phase.LIFTED: Stage.COMMUNICATION_PLAN_LIFTED,
    Phase.ENDED: Stage.COMMUNICATION_PLAN_ENDED,
}
