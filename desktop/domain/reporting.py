"""The rules of the annual report to the board: its period, and how its figures are shown.

A board report is anonymised. Any count from 1 to 4 could point at a family a governor
knows, so it is shown as "fewer than 5" (0 stays 0: nothing happened, and that is no one's
secret). The same goes for whatever could give such a count away:

- a change against the previous period is shown only when both figures are shown; when
  either side is "fewer than 5" the change is "not shown" (5 against "fewer than 5" would
  otherwise tell the hidden figure to within four);
- a median (days from an incident to the first action) is shown only when at least five
  cases make it, and a percentage only when both its part and its whole are shown;
- a chart draws no bar for a count it may not show; the table beside it says "fewer than 5".

The previous period, for comparison, is the one of the same length just before: the same
number of whole months when the period is whole months (a school year against the school
year before), otherwise the same number of days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from desktop.dates import format_date
from desktop.errors import ValidationError

SMALLEST_SHOWN = 5
FEWER_THAN_5 = "fewer than 5"
NOT_SHOWN = "not shown"
NO_CHANGE = "no change"
MAX_REPORT_YEARS = 10
ANONYMISED_NOTE = "Anonymised: counts from 1 to 4 are shown as fewer than 5"


# -- counts ---------------------------------------------------------------------------------
def is_suppressed(count: int) -> bool:
    """Whether a count is too small to show: 1 to 4."""
    return 0 < count < SMALLEST_SHOWN


def suppress(count: int) -> str:
    """A count as the report shows it: `0`, `fewer than 5`, or the number (`1,234`)."""
    if count < 0:
        raise ValueError("a count is never negative")
    return FEWER_THAN_5 if is_suppressed(count) else f"{count:,}"


def chart_value(count: int) -> int | None:
    """A count as a chart may draw it: None (no bar) for one it may not show."""
    return None if is_suppressed(count) else count


def change(current: int, previous: int) -> str:
    """The change from the previous period in words: `up 3 (25%)`, `down 5 (50%)`, `up 7`
    (from 0), `no change`, or `not shown` when either figure is "fewer than 5". Words, not
    a leading + or -, which a spreadsheet would read as a formula."""
    if is_suppressed(current) or is_suppressed(previous):
        return NOT_SHOWN
    difference = current - previous
    if difference == 0:
        return NO_CHANGE
    words = f"{'up' if difference > 0 else 'down'} {abs(difference):,}"
    if previous:
        words += f" ({round(100 * abs(difference) / previous)}%)"
    return words


def share(part: int, whole: int) -> str:
    """`part` as a percentage of `whole` (`12%`), or "not shown" unless both are shown and
    the whole is more than nothing."""
    if whole <= 0 or is_suppressed(part) or is_suppressed(whole):
        return NOT_SHOWN
    return f"{round(100 * part / whole)}%"


def share_change(part: int, whole: int, part_before: int, whole_before: int) -> str:
    """The change between two shares in percentage points, when both shares are shown."""
    now, before = share(part, whole), share(part_before, whole_before)
    if NOT_SHOWN in (now, before):
        return NOT_SHOWN
    difference = round(100 * part / whole) - round(100 * part_before / whole_before)
    if difference == 0:
        return NO_CHANGE
    points = "point" if abs(difference) == 1 else "points"
    return f"{'up' if difference > 0 else 'down'} {abs(difference)} percentage {points}"


# -- medians --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Median:
    """The median number of days, and how many cases it is taken over."""

    days: float | None
    cases: int


def median_of(counts: Mapping[int, int]) -> Median:
    """The median of values given as {value: how many times}: what a GROUP BY returns,
    so the values themselves never need loading one by one."""
    items = sorted((value, times) for value, times in counts.items() if times > 0)
    total = sum(times for _, times in items)
    if not total:
        return Median(None, 0)
    low_rank, high_rank = (total - 1) // 2, total // 2  # 0-based middle ranks
    low = high = None
    seen = 0
    for value, times in items:
        if low is None and low_rank < seen + times:
            low = value
        if high_rank < seen + times:
            high = value
            break
        seen += times
    assert low is not None and high is not None
    return Median((low + high) / 2, total)


def _days(days: float) -> str:
    number = f"{days:g}" if days != int(days) else f"{int(days)}"
    return f"{number} day" if days == 1 else f"{number} days"


def shown_median(median: Median) -> str:
    """`3 days`, `2.5 days`, `no cases`, or `not shown (fewer than 5 cases)`."""
    if median.cases == 0 or median.days is None:
        return "no cases"
    if median.cases < SMALLEST_SHOWN:
        return f"{NOT_SHOWN} ({FEWER_THAN_5} cases)"
    return _days(median.days)


def median_change(current: Median, previous: Median) -> str:
    """The change in a median, in days, when both medians are shown."""
    if any(m.days is None or m.cases < SMALLEST_SHOWN for m in (current, previous)):
        return NOT_SHOWN
    assert current.days is not None and previous.days is not None
    difference = current.days - previous.days
    if difference == 0:
        return NO_CHANGE
    return f"{'up' if difference > 0 else 'down'} {_days(abs(difference))}"


# -- the period -----------------------------------------------------------------------------
def _last_day_of_month(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _month_start(year: int, month: int) -> dt.date:
    """The first of a month counted from any whole number of months (0 is December before)."""
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@dataclass(frozen=True)
class ReportPeriod:
    """From `start` to `end`, both days included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def whole_months(self) -> int:
        """How many whole months it spans; 0 unless it runs from a 1st to a month's end."""
        if self.start.day != 1 or self.end != _last_day_of_month(self.end):
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> ReportPeriod:
        """The period of the same length just before this one (see the module)."""
        months = self.whole_months
        if months:
            start = _month_start(self.start.year, self.start.month - months)
            return ReportPeriod(start, self.start - dt.timedelta(days=1))
        end = self.start - dt.timedelta(days=1)
        return ReportPeriod(end - dt.timedelta(days=self.days - 1), end)

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period touches, in order."""
        found = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    @property
    def words(self) -> str:
        return f"{format_date(self.start)} to {format_date(self.end)}"


def check_period(start: dt.date, end: dt.date) -> ReportPeriod:
    """A period a report may cover: it ends on or after it starts, and spans at most
    MAX_REPORT_YEARS years (a longer one is almost certainly a typing slip)."""
    if end < start:
        raise ValidationError(
            f"The period ends ({format_date(end)}) before it starts ({format_date(start)}). "
            "Choose an end date on or after the start date.",
            "end",
        )
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    if years >= MAX_REPORT_YEARS:
        raise ValidationError(
            f"A report covers at most {MAX_REPORT_YEARS} years. Choose a shorter period.", "end"
        )
    return ReportPeriod(start, end)


def last_school_year(today: dt.date) -> ReportPeriod:
    """The last school year that has ended: 1 September to 31 August (the board's year)."""
    end_year = today.year if today > dt.date(today.year, 8, 31) else today.year - 1
    return ReportPeriod(dt.date(end_year - 1, 9, 1), dt.date(end_year, 8, 31))


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(year: int, month: int) -> str:
    """`Sep 2025`."""
    return f"{MONTH_NAMES[month - 1]} {year}"


# -- UK summer time, for grouping moments by their UK day in a query ----------------------
def summer_time_spans(first_year: int, last_year: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """When UK clocks are an hour ahead of UTC, as [start, end) in UTC for each year: from
    01:00 UTC on the last Sunday in March to 01:00 UTC on the last Sunday in October (the
    rule since 1996). A query adds the hour to moments inside a span to get their UK day,
    since SQLite knows no time zones."""
    spans = []
    for year in range(first_year, last_year + 1):
        spans.append((_last_sunday_1am(year, 3), _last_sunday_1am(year, 10)))
    return spans


def _last_sunday_1am(year: int, month: int) -> dt.datetime:
    last = _last_day_of_month(dt.date(year, month, 1))
    sunday = last - dt.timedelta(days=(last.weekday() + 1) % 7)
    return dt.datetime(sunday.year, sunday.month, sunday.day, 1, tzinfo=dt.UTC)


# -- the report's figures, as the service gathers them --------------------------------------
@dataclass(frozen=True)
class Figure:
    """One count in this period and in the previous one. `previous_item` names what it is
    set against when that differs (the same month of the previous period)."""

    item: str
    current: int
    previous: int
    previous_item: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...]
    note: str = ""

    def figure(self, item: str) -> Figure:
        """The figure called `item` (KeyError if there is none)."""
        for figure in self.figures:
            if figure.item == item:
                return figure
        raise KeyError(item)


@dataclass(frozen=True)
class NamedCase:
    """One case in the named appendix: personal data, only when asked for."""

    reference: str
    subject: str
    schools: str
    incidents: int
    steps: str
    outcomes: str


@dataclass(frozen=True)
class BoardReport:
    """Every figure of the annual report, raw: the PDF and the CSV show them through
    `shown_rows`, which applies the rules above. `named_cases` is None unless the named
    appendix was asked for."""

    trust_name: str
    period: ReportPeriod
    previous: ReportPeriod
    schools: tuple[str, ...]
    every_school: bool
    made_at: dt.datetime
    sections: tuple[Section, ...]
    response_current: Median
    response_previous: Median
    named_cases: tuple[NamedCase, ...] | None = None
    # With the named appendix: disclosures outside the trust by legal basis (each item a
    # basis's label), in this period and the previous one.
    disclosures: tuple[Figure, ...] | None = None

    @property
    def named(self) -> bool:
        return self.named_cases is not None

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def school_words(self) -> str:
        names = ", ".join(self.schools) or "none"
        return f"All schools ({names})" if self.every_school else names


RESPONSE_SECTION = "response"
RESPONSE_ITEM = "Median days from an incident to the first action"
STEPS_SECTION = "steps"
ALL_STEPS_ITEM = "All steps taken"
SKIPS_ITEM = "Of which taken out of order (an authorised skip)"
SKIP_SHARE_ITEM = "Share of steps taken out of order"


@dataclass(frozen=True)
class ShownRow:
    """A figure as the report prints it: counts suppressed, the change worked out."""

    section: str
    item: str
    current: str
    previous: str
    change: str
    previous_item: str = ""


def shown_rows(report: BoardReport) -> list[ShownRow]:
    """Every figure of the report as it may be shown, section by section (the share of
    skips after the steps' counts, the median after the response section's counts)."""
    rows = []
    for section in report.sections:
        for figure in section.figures:
            rows.append(
                ShownRow(
                    section.title,
                    figure.item,
                    suppress(figure.current),
                    suppress(figure.previous),
                    change(figure.current, figure.previous),
                    figure.previous_item,
                )
            )
        if section.key == STEPS_SECTION:
            steps, skips = section.figure(ALL_STEPS_ITEM), section.figure(SKIPS_ITEM)
            rows.append(
                ShownRow(
                    section.title,
                    SKIP_SHARE_ITEM,
                    share(skips.current, steps.current),
                    share(skips.previous, steps.previous),
                    share_change(skips.current, steps.current, skips.previous, steps.previous),
                )
            )
        if section.key == RESPONSE_SECTION:
            rows.append(
                ShownRow(
                    section.title,
                    RESPONSE_ITEM,
                    shown_median(report.response_current),
                    shown_median(report.response_previous),
                    median_change(report.response_current, report.response_previous),
                )
            )
    return rows
