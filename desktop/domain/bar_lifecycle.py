"""The life of a bar from a school's premises, and of a restricted communication plan.

A bar: a senior leader may ask the person to leave (an event, not yet a bar); the
headteacher gives written notice, either withdrawing the person's permission to come on
site for now (a temporary bar, in force at once) or saying the school intends to bar them,
and sets a deadline for written representations; the representations arrive, or the
deadline passes; the trust's reviewer (the CEO, or whoever the profile allows) confirms the
bar for a period with a review date, varies it, or lifts it; at the end of each period it
is reviewed again and lifted or renewed for a new period.

A communication plan is issued in force for a period and reviewed the same way.

Time alone never moves a sanction on: past its end without a review decision it stays as
it was and is reported overdue (`restrictions.review_overdue`), never silently in force or
silently lifted. Each change is an event, applied by `apply()`, which refuses an illegal
one with a reason a person can read. Dates are checked by `restrictions.check_dates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from desktop.dates import format_date
from desktop.domain.ladder import check_decider
from desktop.domain.policy import Profile, Step, Windows
from desktop.domain.restrictions import RestrictionFacts, RestrictionKind, check_dates
from desktop.domain.sanctions import (
    ONE_DAY,
    AskedToLeave,
    BarNotice,
    Event,
    Outcome,
    Period,
    PeriodReview,
    Phase,
    PlanIssued,
    RepresentationsReceived,
    ReviewDecision,
    Sanction,
    default_deadline,
    may_confirm,
    next_period_start,
    phase_words,
)
from desktop.domain.text import clean_block
from desktop.errors import ValidationError


# -- checks ---------------------------------------------------------------------------------
def _reasons(text: str) -> str:
    why = clean_block(text, field="reasons", label="The reasons", max_length=4000)
    if not why:
        raise ValidationError(
            "Write the reasons for the decision: the person is told them in writing.", "reasons"
        )
    return why


def _schools(schools: Iterable[str]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(s.strip() for s in schools if s.strip()))
    if not names:
        raise ValidationError("Choose the school or schools the restriction covers.", "schools")
    return names


def check_period(period: Period, *, decided_on: dt.date, windows: Windows) -> None:
    """Dates a restriction may have: `restrictions.check_dates`, and the review falls no later
    than the profile's review interval after the start (or after the decision, for one
    decided later, such as a variation) and not before the decision."""
    check_dates(period.starts, period.ends, period.review_due)
    if period.ends < decided_on:
        raise ValidationError(
            f"The end date ({format_date(period.ends)}) has already passed on the day of the "
            "decision. Set a later end date, or lift the restriction instead.",
            "ends",
        )
    if period.review_due < decided_on:
        raise ValidationError(
            f"The review date ({format_date(period.review_due)}) is before the decision "
            f"({format_date(decided_on)}). Set a review date after it.",
            "review_due",
        )
    latest = max(period.starts, decided_on) + dt.timedelta(days=windows.review_interval_days)
    if period.review_due > latest:
        raise ValidationError(
            f"The trust reviews restrictions at least every {windows.review_interval_days} "
            f"days. Set a review date on or before {format_date(latest)}.",
            "review_due",
        )


def check_one_bar_per_school(schools: Iterable[str], existing: Iterable[RestrictionFacts]) -> None:
    """Refuse a bar where the person already has one in force (the same school, by name).

    `existing`: the person's other restrictions. One past its end but unreviewed still
    counts: it must be reviewed before a new bar can replace it."""
    wanted = {s.strip().casefold() for s in schools}
    for other in existing:
        if other.kind is not RestrictionKind.BAR or not other.state.in_force:
            continue
        clash = [s for s in other.schools if s.strip().casefold() in wanted]
        if clash:
            raise ValidationError(
                f"The person is already barred from {clash[0]} (until "
                f"{format_date(other.ends)}). Vary, renew or lift that bar instead of "
                "adding a second one.",
                "schools",
            )


def _not_before(on: dt.date, sanction: Sanction) -> None:
    if on < sanction.changed_on:
        raise ValidationError(
            f"This is dated {format_date(on)}, before the last recorded change "
            f"({format_date(sanction.changed_on)}). Check the date.",
            "on",
        )


# -- the machine ----------------------------------------------------------------------------
def apply(sanction: Sanction | None, event: Event, *, profile: Profile, step: Step) -> Sanction:
    """The sanction after `event`; ValidationError, saying what to change, if it may not happen.

    `step` is the profile's bar or communication-plan step: its roles decide who may act.
    """
    kind = step.kind.restriction
    if kind is None:
        raise ValueError(f"step {step.id!r} is not a bar or a communication plan")
    windows = profile.windows
    if sanction is None:
        return _start(event, kind, profile, step)
    _not_before(event.on, sanction)
    what = sanction.what
    if isinstance(event, AskedToLeave | PlanIssued):
        raise ValidationError(f"This {what} has already begun; start a new one instead.", "step")
    if isinstance(event, BarNotice):
        if sanction.kind is not RestrictionKind.BAR:
            raise ValidationError("A communication plan takes effect when issued.", "step")
        if sanction.phase is not Phase.ASKED_TO_LEAVE:
            raise ValidationError("Notice has already been given for this bar.", "step")
        check_decider(event.by, step.authorise, "a notice to bar")
        _check_notice(event, windows)
        return _noticed(sanction, event)
    if isinstance(event, RepresentationsReceived):
        check_decider(event.by, step.take, "who records representations")
        if sanction.phase in (Phase.ASKED_TO_LEAVE, Phase.LIFTED, Phase.ENDED):
            raise ValidationError(
                f"There is no {what} in progress to answer. Record the letter as "
                "correspondence on the case instead.",
                "step",
            )
        phase = Phase.REPRESENTATIONS if sanction.phase is Phase.NOTICE else sanction.phase
        return replace(sanction, phase=phase, representations_on=event.on, changed_on=event.on)
    if isinstance(event, ReviewDecision):
        return _decide(sanction, event, windows, step)
    return _period_review(sanction, event, windows, step)


def _start(event: Event, kind: RestrictionKind, profile: Profile, step: Step) -> Sanction:
    new = Sanction(
        kind=kind,
        step_id=step.id,
        profile_version=profile.version,
        phase=Phase.ASKED_TO_LEAVE,
        schools=(),
        changed_on=event.on,
    )
    if kind is RestrictionKind.COMMUNICATION_PLAN:
        if not isinstance(event, PlanIssued):
            raise ValidationError("A communication plan starts by issuing it.", "step")
        check_decider(event.by, step.authorise, "issuing a communication plan")
        if event.period.starts < event.on:
            raise ValidationError("A plan cannot start before the day it is issued.", "starts")
        check_period(event.period, decided_on=event.on, windows=profile.windows)
        return replace(
            new,
            phase=Phase.IN_FORCE,
            schools=tuple(dict.fromkeys(s.strip() for s in event.schools if s.strip())),
            period=event.period,
            period_number=1,
            decided_on=event.on,
        )
    if isinstance(event, AskedToLeave):
        check_decider(event.by, step.take, "asking a person to leave")
        return replace(new, schools=_schools(event.schools))
    if isinstance(event, BarNotice):
        check_decider(event.by, step.authorise, "a notice to bar")
        _check_notice(event, profile.windows)
        return _noticed(new, event)
    raise ValidationError(
        "A bar starts with asking the person to leave, or with written notice.", "step"
    )


def _check_notice(event: BarNotice, windows: Windows) -> None:
    _schools(event.schools)
    period, deadline = event.period, event.representations_deadline
    check_dates(period.starts, period.ends, period.review_due)
    if period.starts < event.on:
        raise ValidationError(
            "A bar cannot start before the notice is given. Set the start on or after "
            f"{format_date(event.on)}.",
            "starts",
        )
    earliest = default_deadline(event.on, windows)
    if deadline < earliest:
        raise ValidationError(
            f"The procedure gives at least {windows.representations_days} days for written "
            f"representations. Set the deadline on or after {format_date(earliest)}.",
            "representations_deadline",
        )
    if deadline > period.review_due:
        raise ValidationError(
            f"The deadline for representations ({format_date(deadline)}) is after the review "
            f"({format_date(period.review_due)}). Set the review on or after the deadline, so "
            "the representations can be taken into account.",
            "representations_deadline",
        )


def _noticed(sanction: Sanction, event: BarNotice) -> Sanction:
    return replace(
        sanction,
        phase=Phase.NOTICE,
        schools=_schools(event.schools),
        changed_on=event.on,
        period=event.period,
        notice=event.notice,
        notice_on=event.on,
        representations_deadline=event.representations_deadline,
    )


def _decide(sanction: Sanction, event: ReviewDecision, windows: Windows, step: Step) -> Sanction:
    what = sanction.what
    check_decider(event.by, step.review, f"the review of a {what}")
    _reasons(event.reasons)  # the services keep them with the decision
    if sanction.phase in (Phase.LIFTED, Phase.ENDED):
        raise ValidationError(f"This {what} is over; start a new one if it is needed.", "step")
    if sanction.phase is Phase.ASKED_TO_LEAVE:
        raise ValidationError(
            "No notice has been given yet, so there is no bar to review. Give notice first.",
            "step",
        )
    if event.outcome is Outcome.LIFT:
        return replace(sanction, phase=Phase.LIFTED, changed_on=event.on, decided_on=event.on)
    if event.outcome not in (Outcome.CONFIRM, Outcome.VARY):
        raise ValidationError(
            "A review decision confirms, varies or lifts; renewing or letting a restriction "
            "end belongs to the end-of-period review.",
            "outcome",
        )
    assert sanction.period is not None  # set by the notice or the issue
    first_decision = sanction.phase in (Phase.NOTICE, Phase.REPRESENTATIONS)
    if not first_decision and event.outcome is Outcome.CONFIRM:
        raise ValidationError(
            f"This {what} is already in force. Vary it to change its terms.", "outcome"
        )
    if first_decision and not may_confirm(sanction, event.on):
        deadline = sanction.representations_deadline
        assert deadline is not None
        raise ValidationError(
            f"The person has until {format_date(deadline)} to send representations. Record "
            "their representations, or wait until "
            f"{format_date(deadline + ONE_DAY)}, before confirming the bar.",
            "on",
        )
    if event.ends is None or event.review_due is None:
        raise ValidationError(
            f"Say how long the {what} lasts and when it will be reviewed.",
            "ends" if event.ends is None else "review_due",
        )
    starts = next_period_start(sanction, event.outcome, event.on)
    period = Period(starts, event.ends, event.review_due)
    check_period(period, decided_on=event.on, windows=windows)
    schools = sanction.schools if event.schools is None else _schools(event.schools)
    if not set(schools) <= set(sanction.schools):
        raise ValidationError(
            "A review may narrow the schools a bar covers but not add to them; give notice "
            "of a new bar for another school.",
            "schools",
        )
    return replace(
        sanction,
        phase=Phase.IN_FORCE,
        schools=schools,
        changed_on=event.on,
        period=period,
        period_number=max(sanction.period_number, 1),
        decided_on=event.on,
    )


def _period_review(
    sanction: Sanction, event: PeriodReview, windows: Windows, step: Step
) -> Sanction:
    what = sanction.what
    check_decider(event.by, step.review, f"the end-of-period review of a {what}")
    _reasons(event.reasons)
    if sanction.phase is not Phase.IN_FORCE or sanction.period is None:
        raise ValidationError(
            f"Only a {what} in force has an end-of-period review; this one is "
            f"{phase_words(sanction)}.",
            "step",
        )
    if event.outcome is Outcome.END:
        return replace(sanction, phase=Phase.ENDED, changed_on=event.on, decided_on=event.on)
    if event.outcome is not Outcome.RENEW:
        raise ValidationError(
            "An end-of-period review either lets the restriction end or renews it.", "outcome"
        )
    if event.ends is None or event.review_due is None:
        raise ValidationError(
            "Say how long the new period lasts and when it will be reviewed.",
            "ends" if event.ends is None else "review_due",
        )
    starts = next_period_start(sanction, Outcome.RENEW, event.on)
    period = Period(starts, event.ends, event.review_due)
    check_period(period, decided_on=event.on, windows=windows)
    return replace(
        sanction,
        changed_on=event.on,
        period=period,
        period_number=sanction.period_number + 1,
        decided_on=event.on,
    )


def replay(events: Iterable[Event], *, profile: Profile, step: Step) -> Sanction:
    """The sanction made by a sequence of recorded events (the first one starts it)."""
    sanction: Sanction | None = None
    for event in events:
        sanction = apply(sanction, event, profile=profile, step=step)
    if sanction is None:
        raise ValidationError("Nothing has been recorded for this sanction yet.", "step")
    return sanction
