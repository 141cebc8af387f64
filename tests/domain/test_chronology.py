"""Chronology rules: corrections add versions with reasons; the order never varies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.chronology import (
    EventKind,
    EventVersion,
    check_edit,
    check_history,
    first_version,
    kind_label,
    latest,
    next_version,
    order_events,
)
from desktop.errors import ValidationError

AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
LATER = AT + dt.timedelta(hours=2)
FIRST = first_version("Phoned the office and shouted.", AT, "Joanne Price", AT)


# -- kinds --------------------------------------------------------------------------------


def test_kinds_already_in_stores_keep_their_values() -> None:
    stored = {
        "incident_recorded",
        "police_or_legal_referral",
        "verbal_warning",
        "mediation",
        "case_closed",
    }
    assert stored <= {kind.value for kind in EventKind}


def test_every_kind_has_its_own_label() -> None:
    labels = [kind.label for kind in EventKind]
    assert all(labels) and len(set(labels)) == len(labels)
    assert kind_label("incident_recorded") == "Incident"


def test_unknown_kind_from_a_newer_version_still_reads() -> None:
    assert kind_label("injunction_granted") == "Injunction granted"


# -- versions -----------------------------------------------------------------------------


def test_first_version() -> None:
    expected = EventVersion(1, "Phoned the office and shouted.", AT, "Joanne Price", AT, "")
    assert dataclasses.astuple(FIRST) == dataclasses.astuple(expected)
    with pytest.raises(ValidationError) as info:
        first_version("  \n ", AT, "Joanne Price", AT)
    assert info.value.field == "text"


def test_a_correction_is_a_new_version_and_the_old_one_is_untouched() -> None:
    before = dataclasses.astuple(FIRST)
    second = next_version(
        FIRST,
        new_text="Phoned the office twice and shouted.",
        reason="Second call confirmed by the receptionist",
        edited_by="Helen Marsh",
        edited_at=LATER,
    )
    assert second.number == 2
    assert second.text == "Phoned the office twice and shouted."
    assert second.occurred_at == AT
    assert (second.edited_by, second.edited_at) == ("Helen Marsh", LATER)
    assert second.reason == "Second call confirmed by the receptionist"
    assert dataclasses.astuple(FIRST) == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        FIRST.text = "rewritten"  # type: ignore[misc]


def test_a_correction_needs_a_reason() -> None:
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as info:
            check_edit(FIRST, "Phoned twice.", reason)
        assert info.value.field == "reason"


def test_a_correction_must_change_something() -> None:
    with pytest.raises(ValidationError) as info:
        check_edit(FIRST, FIRST.text, "Tidying")
    assert info.value.field == "text"
    with pytest.raises(ValidationError):
        check_edit(FIRST, "  Phoned the office   and shouted. \n", "Tidying")  # same once cleaned


def test_correcting_only_the_time_is_a_change() -> None:
    text, reason = check_edit(
        FIRST, FIRST.text, "Time was 10:30, not 9:30", new_occurred_at=AT + dt.timedelta(hours=1)
    )
    assert (text, reason) == (FIRST.text, "Time was 10:30, not 9:30")
    moved = next_version(
        FIRST,
        new_text=FIRST.text,
        reason="Time was 10:30",
        edited_by="Joanne Price",
        edited_at=LATER,
        occurred_at=AT + dt.timedelta(hours=1),
    )
    assert moved.occurred_at == AT + dt.timedelta(hours=1)
    with pytest.raises(ValidationError):
        check_edit(FIRST, FIRST.text, "No real change", new_occurred_at=AT)


def test_a_correction_cannot_empty_the_entry() -> None:
    with pytest.raises(ValidationError) as info:
        check_edit(FIRST, " ", "Withdrawn")
    assert info.value.field == "text"


def test_reason_and_text_are_cleaned() -> None:
    assert check_edit(FIRST, " Phoned  twice. ", "  Confirmed   by reception ") == (
        "Phoned twice.",
        "Confirmed by reception",
    )


def test_naive_times_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        first_version("x", AT.replace(tzinfo=None), "J", AT)
    with pytest.raises(ValueError):
        next_version(
            FIRST, new_text="y", reason="r", edited_by="J", edited_at=LATER.replace(tzinfo=None)
        )
    with pytest.raises(ValueError):
        check_edit(FIRST, "y", "r", new_occurred_at=AT.replace(tzinfo=None))


def test_history_checks_and_latest() -> None:
    second = next_version(FIRST, new_text="b", reason="r", edited_by="J", edited_at=LATER)
    third = next_version(second, new_text="c", reason="r", edited_by="J", edited_at=LATER)
    check_history([FIRST, second, third])
    assert latest([third, FIRST, second]) is third
    with pytest.raises(ValueError, match="expected"):
        check_history([FIRST, third])
    with pytest.raises(ValueError, match="reason"):
        check_history([FIRST, dataclasses.replace(second, reason=" ")])
    with pytest.raises(ValueError):
        latest([])


# -- order --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Entry:
    id: int
    occurred_at: dt.datetime
    recorded_at: dt.datetime


def test_order_by_occurred_then_recorded_then_id() -> None:
    a = Entry(5, AT, LATER)
    b = Entry(2, AT, LATER)
    c = Entry(1, AT, LATER + dt.timedelta(minutes=1))
    d = Entry(9, AT - dt.timedelta(days=1), LATER + dt.timedelta(days=3))
    assert order_events([a, c, d, b]) == [d, b, a, c]


def test_order_compares_instants_across_time_zones() -> None:
    uk_summer = dt.timezone(dt.timedelta(hours=1))
    early = Entry(2, AT.astimezone(uk_summer), AT)  # 10:30 local is 9:30 UTC
    late = Entry(1, AT + dt.timedelta(minutes=1), AT)
    assert order_events([late, early]) == [early, late]


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=30, unique=True))
def test_order_ignores_the_order_given(times: list[tuple[int, int]]) -> None:
    entries = [
        Entry(i, AT + dt.timedelta(hours=h), AT + dt.timedelta(hours=r))
        for i, (h, r) in enumerate(times)
    ]
    shuffled = entries[:]
    random.Random(len(entries)).shuffle(shuffled)
    assert order_events(shuffled) == order_events(entries)
    assert order_events(iter(entries)) == order_events(entries)
