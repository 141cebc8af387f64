"""The board report's rules: small counts hidden, changes and medians shown only when safe,
the period and the one it is set against, and UK summer time for grouping by day."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.dates import UK
from desktop.domain.reporting import (
    FEWER_THAN_5,
    NOT_SHOWN,
    BoardReport,
    Figure,
    Median,
    ReportPeriod,
    Section,
    change,
    chart_value,
    check_period,
    is_suppressed,
    last_school_year,
    median_change,
    median_of,
    month_label,
    share,
    share_change,
    shown_median,
    shown_rows,
    summer_time_spans,
    suppress,
)
from desktop.errors import ValidationError

D = dt.date
counts = st.integers(min_value=0, max_value=10**7)


# -- counts -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, FEWER_THAN_5), (4, FEWER_THAN_5), (5, "5"), (12, "12"), (1234, "1,234")],
)
def test_counts_from_one_to_four_are_hidden(count: int, shown: str) -> None:
    assert suppress(count) == shown


@given(counts)
def test_a_shown_count_never_gives_away_a_small_one(count: int) -> None:
    shown = suppress(count)
    assert (shown == FEWER_THAN_5) == (1 <= count <= 4) == is_suppressed(count)
    if shown != FEWER_THAN_5:
        assert int(shown.replace(",", "")) == count
    assert chart_value(count) == (None if 1 <= count <= 4 else count)


def test_a_negative_count_is_a_mistake() -> None:
    with pytest.raises(ValueError):
        suppress(-1)


@pytest.mark.parametrize(
    ("current", "previous", "words"),
    [
        (15, 12, "up 3 (25%)"),
        (5, 10, "down 5 (50%)"),
        (7, 0, "up 7"),
        (0, 7, "down 7 (100%)"),
        (9, 9, "no change"),
        (0, 0, "no change"),
        (3, 10, NOT_SHOWN),
        (10, 3, NOT_SHOWN),
        (0, 2, NOT_SHOWN),
        (1200, 1000, "up 200 (20%)"),
    ],
)
def test_a_change_is_shown_only_when_both_figures_are(
    current: int, previous: int, words: str
) -> None:
    assert change(current, previous) == words


@given(counts, counts)
def test_a_change_never_reveals_a_hidden_figure(current: int, previous: int) -> None:
    words = change(current, previous)
    if is_suppressed(current) or is_suppressed(previous):
        assert words == NOT_SHOWN
    else:
        assert words != NOT_SHOWN
        assert not words.startswith(("+", "-", "="))  # a spreadsheet would read a formula
        if current == previous:
            assert words == "no change"
        else:
            number = int(words.split()[1].replace(",", ""))
            assert number == abs(current - previous)
            assert words.startswith("up" if current > previous else "down")


@pytest.mark.parametrize(
    ("part", "whole", "words"),
    [(5, 20, "25%"), (0, 20, "0%"), (3, 20, NOT_SHOWN), (5, 0, NOT_SHOWN), (5, 3, NOT_SHOWN)],
)
def test_a_share_needs_both_figures_shown(part: int, whole: int, words: str) -> None:
    assert share(part, whole) == words


def test_a_change_in_a_share_is_in_percentage_points() -> None:
    assert share_change(5, 20, 5, 50) == "up 15 percentage points"
    assert share_change(5, 50, 6, 50) == "down 2 percentage points"
    assert share_change(5, 20, 10, 40) == "no change"
    assert share_change(5, 20, 1, 20) == NOT_SHOWN  # one skip the year before: hidden
    assert share_change(5, 20, 0, 0) == NOT_SHOWN


# -- medians ------------------------------------------------------------------------------
@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_the_median_from_grouped_counts_is_the_median(values: list[int]) -> None:
    grouped: dict[int, int] = {}
    for value in values:
        grouped[value] = grouped.get(value, 0) + 1
    found = median_of(grouped)
    assert found.cases == len(values)
    assert found.days == statistics.median(values)


def test_no_cases_make_no_median() -> None:
    assert median_of({}) == Median(None, 0)
    assert median_of({3: 0}) == Median(None, 0)


@pytest.mark.parametrize(
    ("median", "words"),
    [
        (Median(None, 0), "no cases"),
        (Median(2.0, 4), "not shown (fewer than 5 cases)"),
        (Median(1.0, 5), "1 day"),
        (Median(3.0, 9), "3 days"),
        (Median(2.5, 10), "2.5 days"),
    ],
)
def test_a_median_of_fewer_than_five_cases_is_not_shown(median: Median, words: str) -> None:
    assert shown_median(median) == words


def test_a_median_change_is_in_days_when_both_are_shown() -> None:
    assert median_change(Median(5.0, 8), Median(3.0, 6)) == "up 2 days"
    assert median_change(Median(2.0, 8), Median(3.0, 6)) == "down 1 day"
    assert median_change(Median(2.0, 8), Median(2.0, 6)) == "no change"
    assert median_change(Median(2.0, 8), Median(3.0, 4)) == NOT_SHOWN
    assert median_change(Median(2.0, 8), Median(None, 0)) == NOT_SHOWN


# -- the period ---------------------------------------------------------------------------
def test_a_school_year_is_set_against_the_school_year_before() -> None:
    year = ReportPeriod(D(2025, 9, 1), D(2026, 8, 31))
    assert year.whole_months == 12
    assert year.previous() == ReportPeriod(D(2024, 9, 1), D(2025, 8, 31))
    leap = ReportPeriod(D(2023, 9, 1), D(2024, 8, 31))  # 366 days: still a school year
    assert leap.previous() == ReportPeriod(D(2022, 9, 1), D(2023, 8, 31))
    term = ReportPeriod(D(2026, 1, 1), D(2026, 3, 31))
    assert term.previous() == ReportPeriod(D(2025, 10, 1), D(2025, 12, 31))


def test_other_periods_are_set_against_as_many_days_before() -> None:
    period = ReportPeriod(D(2026, 3, 10), D(2026, 3, 19))
    assert period.whole_months == 0 and period.days == 10
    assert period.previous() == ReportPeriod(D(2026, 2, 28), D(2026, 3, 9))


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)),
    st.integers(min_value=0, max_value=3000),
)
def test_the_previous_period_ends_the_day_before(start: dt.date, length: int) -> None:
    period = ReportPeriod(start, start + dt.timedelta(days=length))
    previous = period.previous()
    assert previous.end == period.start - dt.timedelta(days=1)
    if period.whole_months:
        assert previous.whole_months == period.whole_months
    else:
        assert previous.days == period.days


def test_months_of_a_period_cross_the_new_year() -> None:
    months = ReportPeriod(D(2025, 11, 15), D(2026, 2, 3)).months()
    assert months == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
    assert month_label(2025, 9) == "Sep 2025"


def test_a_period_must_end_after_it_starts_and_be_at_most_ten_years() -> None:
    with pytest.raises(ValidationError) as backwards:
        check_period(D(2026, 8, 31), D(2025, 9, 1))
    assert backwards.value.field == "end" and "before it starts" in backwards.value.message
    assert check_period(D(2026, 1, 1), D(2026, 1, 1)).days == 1
    assert check_period(D(2016, 2, 29), D(2026, 2, 27)).start == D(2016, 2, 29)
    with pytest.raises(ValidationError, match="at most 10 years"):
        check_period(D(2016, 1, 1), D(2026, 1, 1))


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (D(2026, 11, 27), D(2025, 9, 1)),
        (D(2026, 9, 1), D(2025, 9, 1)),
        (D(2026, 8, 31), D(2024, 9, 1)),  # this school year has not quite ended
        (D(2026, 1, 15), D(2024, 9, 1)),
    ],
)
def test_the_default_is_the_last_school_year_that_has_ended(today: dt.date, start: dt.date) -> None:
    period = last_school_year(today)
    assert period.start == start and period.end == D(start.year + 1, 8, 31)


# -- UK summer time -----------------------------------------------------------------------
@given(st.datetimes(min_value=dt.datetime(1997, 1, 1), max_value=dt.datetime(2045, 12, 31)))
def test_summer_time_spans_agree_with_the_uk_time_zone(moment: dt.datetime) -> None:
    utc = moment.replace(tzinfo=dt.UTC)
    summer = any(
        begins <= utc < ends for begins, ends in summer_time_spans(utc.year - 1, utc.year + 1)
    )
    assert summer == (utc.astimezone(UK).utcoffset() == dt.timedelta(hours=1))


# -- the rows a report prints -------------------------------------------------------------
def test_shown_rows_hide_every_small_count() -> None:
    report = BoardReport(
        trust_name="Oakfield Learning Trust",
        period=ReportPeriod(D(2025, 9, 1), D(2026, 8, 31)),
        previous=ReportPeriod(D(2024, 9, 1), D(2025, 8, 31)),
        schools=("Ash Primary",),
        every_school=False,
        made_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        sections=(
            Section("totals", "Summary", (Figure("Incidents recorded", 7, 3),)),
            Section("months", "By month", (Figure("Sep 2025", 2, 0, "Sep 2024"),)),
            Section("response", "How quickly", (Figure("Cases", 6, 1),)),
        ),
        response_current=Median(4.0, 6),
        response_previous=Median(1.0, 1),
    )
    rows = shown_rows(report)
    assert [(r.item, r.current, r.previous, r.change) for r in rows] == [
        ("Incidents recorded", "7", FEWER_THAN_5, NOT_SHOWN),
        ("Sep 2025", FEWER_THAN_5, "0", NOT_SHOWN),
        ("Cases", "6", FEWER_THAN_5, NOT_SHOWN),
        (
            "Median days from an incident to the first action",
            "4 days",
            "not shown (fewer than 5 cases)",
            NOT_SHOWN,
        ),
    ]
    assert rows[1].previous_item == "Sep 2024" and not report.named
    assert report.school_words == "Ash Primary"
