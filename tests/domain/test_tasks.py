"""When a follow-up is overdue, and which due dates are refused as slips."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.tasks import check_due_date, is_overdue
from desktop.errors import ValidationError

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("due", "done", "overdue"),
    [
        (dt.date(2026, 11, 23), False, True),  # due yesterday, not done
        (TODAY, False, False),  # due today: still in time today
        (dt.date(2026, 11, 25), False, False),
        (dt.date(2026, 11, 1), True, False),  # done late: no longer flagged
        (None, False, False),  # no due date: never overdue
    ],
)
def test_overdue_means_due_before_today_and_not_done(
    due: dt.date | None, done: bool, overdue: bool
) -> None:
    assert is_overdue(due, done=done, today=TODAY) is overdue


@given(due=st.dates(), today=st.dates(), done=st.booleans())
def test_overdue_never_when_done_and_always_when_late(
    due: dt.date, today: dt.date, done: bool
) -> None:
    assert is_overdue(due, done=done, today=today) == (not done and due < today)


def test_likely_due_dates_pass_including_past_ones() -> None:
    for due in (None, TODAY, dt.date(2026, 1, 1), dt.date(2030, 6, 30)):
        check_due_date(due, today=TODAY)


@pytest.mark.parametrize("due", [dt.date(1999, 12, 31), dt.date(2037, 1, 1), dt.date(9999, 1, 1)])
def test_a_slip_of_the_year_is_refused(due: dt.date) -> None:
    with pytest.raises(ValidationError) as refused:
        check_due_date(due, today=TODAY)
    assert refused.value.field == "due_on"
    assert due.strftime("%d/%m/%Y") in refused.value.message
