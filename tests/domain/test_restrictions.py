"""Restriction rules: dates, when a restriction applies, overdue reviews, the front-desk line."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from desktop.domain.restrictions import (
    ContactChannel,
    RestrictionFacts,
    RestrictionKind,
    RestrictionState,
    applies_on,
    banner_line,
    banner_lines,
    banner_text,
    check_dates,
    contact_channel_label,
    review_overdue,
)
from desktop.errors import ValidationError

START = dt.date(2026, 9, 14)
END = dt.date(2027, 3, 14)
REVIEW = dt.date(2027, 3, 7)
TODAY = dt.date(2026, 11, 24)

BAR = RestrictionFacts(
    kind=RestrictionKind.BAR,
    schools=("Oakfield Primary",),
    starts=START,
    ends=END,
    review_due=REVIEW,
    named_contact="J. Smith",
    contact_role="Business Manager",
    channels=(),
    state=RestrictionState.ACTIVE,
)
PLAN = RestrictionFacts(
    kind=RestrictionKind.COMMUNICATION_PLAN,
    schools=(),
    starts=START,
    ends=None,
    review_due=None,
    named_contact="J. Smith",
    contact_role="Business Manager",
    channels=("email",),
    state=RestrictionState.ACTIVE,
)


def test_labels() -> None:
    assert all(kind.label for kind in RestrictionKind)
    assert all(state.label for state in RestrictionState)
    assert all(channel.label for channel in ContactChannel)
    assert contact_channel_label("telephone") == "telephone"
    assert contact_channel_label("phone, Tuesdays 9-10am") == "phone, Tuesdays 9-10am"


def test_only_provisional_and_active_are_in_force() -> None:
    in_force = {state for state in RestrictionState if state.in_force}
    assert in_force == {RestrictionState.PROVISIONAL, RestrictionState.ACTIVE}


# -- check_dates --------------------------------------------------------------------------


def _refused(starts: dt.date, ends: dt.date | None, review: dt.date | None) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check_dates(starts, ends, review)
    return info.value


def test_good_dates_pass() -> None:
    check_dates(START, END, REVIEW)
    check_dates(START, START, START)  # a single day, reviewed that day
    check_dates(START, END, END)  # reviewed on the last day


def test_end_before_start() -> None:
    error = _refused(START, START - dt.timedelta(days=1), START)
    assert (error.message, error.field) == ("The end date is before the start date.", "ends")


def test_every_restriction_has_an_end_and_a_review_date() -> None:
    assert _refused(START, None, REVIEW).field == "ends"
    assert _refused(START, END, None).field == "review_due"


def test_review_before_start() -> None:
    error = _refused(START, END, START - dt.timedelta(days=1))
    assert (error.message, error.field) == (
        "The review date is before the start date.",
        "review_due",
    )


def test_review_after_end_is_refused_so_nothing_lapses_unreviewed() -> None:
    error = _refused(START, END, END + dt.timedelta(days=1))
    assert error.field == "review_due"
    assert "after the end date" in error.message


# -- applies_on ---------------------------------------------------------------------------


def test_applies_within_its_dates_both_ends_included() -> None:
    assert not applies_on(BAR, START - dt.timedelta(days=1))
    assert applies_on(BAR, START)
    assert applies_on(BAR, TODAY)
    assert applies_on(BAR, END)
    assert not applies_on(BAR, END + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("state", "applies"),
    [
        (RestrictionState.PROVISIONAL, True),
        (RestrictionState.ACTIVE, True),
        (RestrictionState.LIFTED, False),
        (RestrictionState.ENDED, False),
        (RestrictionState.RENEWED, False),
    ],
)
def test_applies_only_while_in_force(state: RestrictionState, applies: bool) -> None:
    assert applies_on(replace(BAR, state=state), TODAY) is applies


def test_no_end_date_applies_from_the_start_onwards() -> None:
    assert applies_on(PLAN, dt.date(2040, 1, 1))
    assert not applies_on(PLAN, START - dt.timedelta(days=1))


# -- review_overdue -----------------------------------------------------------------------


def test_overdue_only_after_the_review_date() -> None:
    assert not review_overdue(BAR, REVIEW - dt.timedelta(days=1), None)
    assert not review_overdue(BAR, REVIEW, None)
    assert review_overdue(BAR, REVIEW + dt.timedelta(days=1), None)


def test_a_recorded_review_decision_clears_it() -> None:
    assert not review_overdue(BAR, END + dt.timedelta(days=30), REVIEW)


def test_past_the_end_date_is_overdue_even_with_a_later_review_date() -> None:
    odd = replace(BAR, review_due=END + dt.timedelta(days=10))
    assert review_overdue(odd, END + dt.timedelta(days=1), None)


def test_no_dates_at_all_is_overdue_at_once() -> None:
    assert review_overdue(PLAN, START, None)


def test_ended_or_lifted_restrictions_are_never_overdue() -> None:
    late = END + dt.timedelta(days=100)
    for state in (RestrictionState.LIFTED, RestrictionState.ENDED, RestrictionState.RENEWED):
        assert not review_overdue(replace(BAR, state=state), late, None)
    assert review_overdue(replace(BAR, state=RestrictionState.PROVISIONAL), late, None)


# -- the front-desk banner ---------------------------------------------------------------


def test_bar_banner() -> None:
    assert banner_text([BAR], TODAY) == (
        "Barred from Oakfield Primary until 14/03/2027 · review due 07/03/2027 · "
        "contact only via J. Smith, Business Manager"
    )


def test_communication_plan_banner() -> None:
    assert banner_text([PLAN], TODAY) == (
        "Communication plan: contact only via J. Smith, Business Manager, by email"
    )


def test_plan_with_dates_schools_and_several_channels() -> None:
    plan = replace(
        PLAN,
        schools=("Oakfield Primary", "Riverside Academy"),
        ends=END,
        review_due=REVIEW,
        channels=("email", "telephone", "  "),
    )
    assert banner_line(plan, TODAY) == (
        "Communication plan (Oakfield Primary and Riverside Academy): contact only via "
        "J. Smith, Business Manager, by email or telephone · until 14/03/2027 · "
        "review due 07/03/2027"
    )


def test_plan_without_a_contact_says_so() -> None:
    plan = replace(PLAN, named_contact=None, contact_role="  ", channels=())
    assert banner_line(plan, TODAY) == "Communication plan: no named contact recorded"


def test_review_overdue_is_shown() -> None:
    late = REVIEW + dt.timedelta(days=2)
    assert "review overdue (due 07/03/2027)" in banner_text([BAR], late)
    assert "review due" not in banner_text([BAR], late)


def test_provisional_bar_is_marked() -> None:
    line = banner_text([replace(BAR, state=RestrictionState.PROVISIONAL)], TODAY)
    assert line.startswith("Barred (provisionally) from Oakfield Primary until 14/03/2027")


def test_bar_at_several_schools_with_channels() -> None:
    bar = replace(BAR, schools=("A School", "B School", "C School"), channels=("email",))
    assert banner_line(bar, TODAY).startswith("Barred from A School, B School and C School")
    assert banner_line(bar, TODAY).endswith("Business Manager, by email")


def test_bar_without_schools_or_contact() -> None:
    bar = replace(BAR, schools=(), named_contact=None, contact_role=None, review_due=None)
    assert banner_line(bar, TODAY) == "Barred from the trust's schools until 14/03/2027"


def test_several_restrictions_one_per_line_bars_first() -> None:
    later_bar = replace(BAR, schools=("Riverside Academy",), starts=TODAY)
    text = banner_text([PLAN, later_bar, BAR], TODAY)
    lines = text.split("\n")
    assert len(lines) == 3
    assert lines[0].startswith("Barred from Oakfield Primary")
    assert lines[1].startswith("Barred from Riverside Academy")
    assert lines[2].startswith("Communication plan")
    assert banner_lines([PLAN, later_bar, BAR], TODAY) == lines


def test_only_restrictions_applying_today_are_shown() -> None:
    lifted = replace(BAR, state=RestrictionState.LIFTED)
    future = replace(BAR, starts=TODAY + dt.timedelta(days=1))
    over = replace(
        BAR,
        ends=TODAY - dt.timedelta(days=1),
        review_due=TODAY - dt.timedelta(days=8),
        state=RestrictionState.ENDED,
    )
    assert banner_text([lifted, future, over], TODAY) == "No restrictions apply today."
    # Past its end but still recorded in force: its review was never decided. Shown as
    # overdue, never as barred today and never silently gone.
    lapsed = replace(over, state=RestrictionState.ACTIVE)
    text = banner_text([lapsed], TODAY)
    assert "without its review" in text and "review overdue" in text
    assert not text.startswith("Barred")
    assert banner_text([], TODAY) == "No restrictions apply today."
    assert banner_text([lifted, PLAN], TODAY).startswith("Communication plan")
