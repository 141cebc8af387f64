"""How far back a case file's dates go: nothing before 1 January 1900.

A date in year 1 is a slip of the keyboard, not a record; and a moment that early cannot
even be shown in UK time (Python's calendar starts at 1 January of year 1, and London was
75 seconds behind UTC then), so one stored would break every page that prints it. Case
references carry the year in four digits from 1900 on (`domain.cases.format_reference`).
"""

from __future__ import annotations

import datetime as dt

from desktop.errors import ValidationError

EARLIEST_DAY = dt.date(1900, 1, 1)
_EARLIEST_MOMENT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def check_not_too_early(value: dt.date | dt.datetime, *, field: str) -> None:
    """Refuse a date or moment before 1900 (a naive moment is compared by its date)."""
    if isinstance(value, dt.datetime):
        early = value < _EARLIEST_MOMENT if value.tzinfo else value.date() < EARLIEST_DAY
    else:
        early = value < EARLIEST_DAY
    if early:
        raise ValidationError("Check the year: Casebook keeps nothing dated before 1900.", field)
