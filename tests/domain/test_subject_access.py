"""The subject access rules: the calendar-month deadline, the extension, and finding and
hiding other people's names."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import subject_access as rules
from desktop.domain.due import DueKind, DueState, Place, SubjectAccessDates, subject_access_item
from desktop.domain.subject_access import REDACTED, NameFinder, Party, ThirdParty
from desktop.errors import ValidationError

DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9000, 12, 31))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 9, 3), dt.date(2026, 10, 3)),
        (dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
    ],
)
def test_the_deadline_is_a_calendar_month_on(received, due) -> None:
    assert rules.first_deadline(received) == due


@given(DAYS)
def test_the_deadline_is_the_same_day_next_month_or_that_months_end(received) -> None:
    due = rules.first_deadline(received)
    assert (due.year * 12 + due.month) - (received.year * 12 + received.month) == 1
    assert due.day == received.day or (due.day < received.day and (due + dt.timedelta(1)).day == 1)


@given(DAYS, st.integers(min_value=-5, max_value=90))
def test_an_extension_is_allowed_only_before_the_deadline_and_within_two_months(
    received, days_later
) -> None:
    due = rules.first_deadline(received)
    furthest = rules.latest_extension(due)
    today = due + dt.timedelta(days=days_later)
    if today > due:
        with pytest.raises(ValidationError, match="passed"):
            rules.check_extension(due, furthest, today)
    else:
        rules.check_extension(due, furthest, today)
        with pytest.raises(ValidationError, match="at most two months"):
            rules.check_extension(due, furthest + dt.timedelta(days=1), today)
        with pytest.raises(ValidationError, match="later"):
            rules.check_extension(due, due, today)


def test_a_request_received_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError, match="future"):
        rules.check_received(dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    rules.check_received(dt.date(2026, 3, 1), dt.date(2026, 3, 1))


def test_names_are_found_whole_in_any_case_but_never_the_requesters_own() -> None:
    finder = NameFinder(
        [
            ThirdParty("Sarah Okafor", Party.STAFF),
            ThirdParty("Lily Fletcher", Party.PUPIL),
            ThirdParty("the aunt", Party.OTHER, whole_only=True),
        ],
        own_names=["Dana Fletcher"],
    )
    flags = finder.flags("event:1:detail", "Told SARAH  Okafor; Mrs okafor agreed. Fletcher came.")
    assert [(f.text, f.party) for f in flags] == [
        ("SARAH Okafor", Party.STAFF),
        ("okafor", Party.STAFF),
    ]
    assert finder.flags("x", "Okaforia and the auntie") == []
    assert [f.text for f in finder.flags("x", "With the aunt.")] == ["the aunt"]


def test_redaction_hides_the_full_name_first_and_only_whole_words() -> None:
    text = "Sarah Okafor and Mrs Okafor, not Okaforia."
    assert rules.redact(text, ["Okafor", "Sarah Okafor"]) == (
        f"{REDACTED} and Mrs {REDACTED}, not Okaforia."
    )
    assert rules.mentions("see OKAFORIA", ["okafor"])


def test_a_request_is_due_on_its_deadline_in_force() -> None:
    dates = SubjectAccessDates(7, "Kim", dt.date(2026, 4, 2), dt.date(2026, 5, 20), None)
    item = subject_access_item(dates, dt.date(2026, 4, 10))
    assert (item.kind, item.date, item.state, item.place) == (
        DueKind.SUBJECT_ACCESS,
        dt.date(2026, 5, 20),
        DueState.UPCOMING,
        Place.SUBJECT_ACCESS,
    )
    assert item.reference == "SAR-0007" and DueKind.SUBJECT_ACCESS.mark == "S"
    done = SubjectAccessDates(7, "Kim", dt.date(2026, 4, 2), None, dt.date(2026, 4, 1))
    assert subject_access_item(done, dt.date(2026, 5, 1)).state is DueState.DONE
