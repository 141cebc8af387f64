"""Dates: stored in UTC or as plain calendar dates, shown the British way."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def uk_today() -> dt.date:
    return utc_now().astimezone(UK).date()


def format_date(value: dt.date | None) -> str:
    """`24/11/2026`; an empty string for no date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_uk(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: dt.datetime | None) -> str:
    """`24/11/2026 14:05` in UK local time."""
    if value is None:
        return ""
    return to_uk(value).strftime("%d/%m/%Y %H:%M")


def to_uk(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(UK)


def parse_uk_date(text: str) -> dt.date:
    """Read `24/11/2026`, `24/11/26` or ISO `2026-11-24`; raise ValueError otherwise."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date in day/month/year form: {text!r}")
