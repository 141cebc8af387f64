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
