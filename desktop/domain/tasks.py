"""Follow-ups on a case: when one is overdue, and which due dates make sense.

A task is overdue from the day after its due date (UK calendar) until it is done: a task
due today is still in time today. A task with no due date is never overdue, and a done
task never is, however late it was done.
"""

from __future__ import annotations

import datetime as dt

from desktop.dates import format_date
from desktop.errors import ValidationError

MAX_TITLE_LENGTH = 300
MAX_NOTES_LENGTH = 4000
EARLIEST_DUE = dt.date(2000, 1, 1)
MAX_YEARS_AHEAD = 10


def is_overdue(due_on: dt.date | None, *, done: bool, today: dt.date) -> bool:
    """Whether a task should be flagged: it had to be done before `today` and is not."""
    return due_on is not None and not done and due_on < today


def check_due_date(due_on: dt.date | None, *, today: dt.date) -> None:
    """Refuse a due date that can only be a slip of the keyboard (the wrong year).

    A date in the past is allowed: a follow-up noted late is already overdue, and the
    list should say so rather than refuse it.
    """
    if due_on is None:
        return
    latest = today.replace(year=today.year + MAX_YEARS_AHEAD, day=min(today.day, 28))
    if due_on < EARLIEST_DUE or due_on > latest:
        raise ValidationError(
            f"Check the due date: {format_date(due_on)} is not a likely date for a follow-up.",
            "due_on",
        )
