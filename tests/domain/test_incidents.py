"""Incident rules: what may be recorded, and the patterns seen across incidents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.incidents import (
    CLOCK_SLACK,
    DEFAULT_BEHAVIOUR_CATEGORIES,
    MAX_DESCRIPTION_LENGTH,
    Agency,
    Channel,
    check_incident,
    clean_names,
    course_of_conduct,
    incidents_per_target,
    needs_referral_first,
)
from desktop.errors import ValidationError

NOW = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
EARLIER = NOW - dt.timedelta(hours=3)


def _check(**changes: Any) -> Any:
    values: dict[str, Any] = {
        "occurred_at": EARLIER,
        "now": NOW,
        "description": "Shouted at the office staff at pick-up.",
        "categories": ["Abusive or offensive language, shouting or loss of temper"],
        "channel": "on_site",
    }
    values.update(changes)
    return check_incident(**values)


def _refused(field: str, **changes: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        _check(**changes)
    assert info.value.field == field
    return info.value


# -- the lists ----------------------------------------------------------------------------


def test_every_channel_and_agency_has_a_label() -> None:
    assert all(channel.label for channel in Channel)
    assert all(agency.label for agency in Agency)
    assert len({channel.label for channel in Channel}) == len(Channel)


def test_default_categories_are_distinct_and_short() -> None:
    assert len(set(DEFAULT_BEHAVIOUR_CATEGORIES)) == len(DEFAULT_BEHAVIOUR_CATEGORIES)
    assert all(0 < len(c) <= 100 and c == c.strip() for c in DEFAULT_BEHAVIOUR_CATEGORIES)


# -- check_incident -----------------------------------------------------------------------


def test_a_good_incident_comes_back_cleaned() -> None:
    checked = _check(
        description="  Shouted   at staff.\r\n\r\nLeft at 3:20pm. ",
        categories=[3, 1, 3],
        channel=Channel.TELEPHONE,
    )
    assert checked.description == "Shouted at staff.\nLeft at 3:20pm."
    assert checked.categories == (3, 1)
    assert checked.channel is Channel.TELEPHONE
    assert checked.occurred_at == EARLIER
    assert checked.staff_targeted == () and checked.witnesses == ()


def test_future_time_is_refused() -> None:
    error = _refused("occurred_at", occurred_at=NOW + dt.timedelta(hours=1))
    assert "future" in error.message


def test_a_few_minutes_of_clock_difference_is_allowed() -> None:
    assert _check(occurred_at=NOW).occurred_at == NOW
    assert _check(occurred_at=NOW + CLOCK_SLACK).occurred_at == NOW + CLOCK_SLACK
    _refused("occurred_at", occurred_at=NOW + CLOCK_SLACK + dt.timedelta(seconds=1))


def test_time_zones_are_compared_as_instants() -> None:
    uk_summer = dt.timezone(dt.timedelta(hours=1))
    assert _check(occurred_at=(NOW + dt.timedelta(minutes=1)).astimezone(uk_summer))


def test_naive_times_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        _check(occurred_at=EARLIER.replace(tzinfo=None))
    with pytest.raises(ValueError):
        _check(now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize("blank", ["", "   ", "\n\n\t"])
def test_description_is_required(blank: str) -> None:
    assert "Describe" in _refused("description", description=blank).message


def test_description_limit() -> None:
    assert len(_check(description="x" * MAX_DESCRIPTION_LENGTH).description) == 20_000
    error = _refused("description", description="x" * 100_000)
    assert error.message == (
        "The description is 100,000 characters; the limit is 20,000. "
        "Attach long documents as evidence instead."
    )


def test_description_length_counts_the_cleaned_text() -> None:
    padded = "x" * MAX_DESCRIPTION_LENGTH + " " * 500 + "\n\n\n"
    assert len(_check(description=padded).description) == MAX_DESCRIPTION_LENGTH


def test_description_with_control_characters_is_refused() -> None:
    _refused("description", description="Said \x00 this")


def test_a_category_is_required() -> None:
    assert "behaviour" in _refused("categories", categories=[]).message
    _refused("categories", categories=iter(()))


@pytest.mark.parametrize("channel", ["phone", "", "ON_SITE", "email"])
def test_unknown_channel_is_refused(channel: str) -> None:
    _refused("channel", channel=channel)


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_is_accepted_by_value(channel: Channel) -> None:
    assert _check(channel=channel.value).channel is channel


def test_people_named_are_cleaned_and_deduplicated_in_order() -> None:
    checked = _check(
        staff_targeted=["  Mrs   Ann  O'Brien ", "Mr Patel", "", "mrs ann o’brien", "Mr  Patel"],
        witnesses=["Zoë Ćwik", "  ", "Zoe Cwik", "Sam Turner"],
    )
    assert checked.staff_targeted == ("Mrs Ann O'Brien", "Mr Patel")
    assert checked.witnesses == ("Zoë Ćwik", "Sam Turner")


def test_a_name_too_long_is_refused_on_its_own_field() -> None:
    _refused("staff_targeted", staff_targeted=["x" * 201])
    _refused("witnesses", witnesses=["ok", "bad\x07name"])


def test_clean_names_keeps_symbol_only_entries_apart() -> None:
    assert clean_names(["?", "!", "?"], field="witnesses") == ("?", "!")


@settings(max_examples=200)
@given(description=st.text(max_size=300), names=st.lists(st.text(max_size=40), max_size=4))
def test_arbitrary_input_gives_a_result_or_a_validation_error(
    description: str, names: list[str]
) -> None:
    try:
        checked = _check(description=description, staff_targeted=names, witnesses=names)
    except ValidationError as error:
        assert error.field in ("description", "staff_targeted")
    else:
        assert checked.description.strip() == checked.description
        assert len(set(checked.witnesses)) == len(checked.witnesses)


# -- patterns across incidents -----------------------------------------------------------

D1, D2, D3 = dt.date(2026, 9, 1), dt.date(2026, 9, 8), dt.date(2026, 10, 2)


def test_incidents_per_target_groups_spellings_and_sorts_by_date() -> None:
    grouped = incidents_per_target(
        [
            (7, D3, ["Mrs O'Brien", "Mr Patel"]),
            (3, D1, ["Mrs OBrien"]),
            (5, D2, ["mrs o’brien", "Mrs O'Brien"]),
            (9, D2, ["  ", ""]),
        ]
    )
    assert list(grouped) == ["Mrs O'Brien", "Mr Patel"]
    assert grouped["Mrs O'Brien"] == [(3, D1), (5, D2), (7, D3)]
    assert grouped["Mr Patel"] == [(7, D3)]


def test_incidents_per_target_counts_a_repeated_incident_once() -> None:
    grouped = incidents_per_target([(1, D1, ["Ms Khan"]), (1, D1, ["Ms Khan"])])
    assert grouped == {"Ms Khan": [(1, D1)]}
    assert incidents_per_target([]) == {}


def test_course_of_conduct_needs_two_separate_incidents() -> None:
    assert not course_of_conduct([])
    assert not course_of_conduct([(1, D1)])
    assert not course_of_conduct([(1, D1), (1, D1)])  # one incident listed twice
    assert course_of_conduct([(1, D1), (2, D2)])
    assert course_of_conduct([(1, D1), (2, D1)])  # two occasions on one day


def test_course_of_conduct_on_separate_days_when_asked() -> None:
    assert not course_of_conduct([(1, D1), (2, D1)], separate_days=True)
    assert course_of_conduct([(1, D1), (2, D1), (3, D2)], separate_days=True)


def test_course_of_conduct_from_grouped_incidents() -> None:
    grouped = incidents_per_target([(1, D1, ["Mr Patel", "Ms Khan"]), (2, D2, ["Mr Patel"])])
    flagged = [name for name, rows in grouped.items() if course_of_conduct(rows)]
    assert flagged == ["Mr Patel"]


@pytest.mark.parametrize(
    ("threat", "recorded", "first"),
    [(True, False, True), (True, True, False), (False, False, False), (False, True, False)],
)
def test_referral_comes_first_only_for_an_unreferred_immediate_threat(
    threat: bool, recorded: bool, first: bool
) -> None:
    assert needs_referral_first(threat, recorded) is first
