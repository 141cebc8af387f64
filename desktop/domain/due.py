"""What falls due, and when: every dated item a case's recorded facts give rise to.

A bar or a communication plan must be reviewed before its review date and again before it
ends; a notice gives the person until a deadline to send written representations; a
written warning is kept for the profile's period and then lapses; a follow-up task has its
due date. Each becomes a `DueItem` with a kind, a date, a state on a given day (upcoming,
due today, overdue, done), an owner where one is recorded, and what resolves it.

Plain rules over plain rows: `desktop.services.due` fetches the rows for a whole store
(or a date range of it) in a few queries and hands them here in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.domain.sanctions import Phase

SOON_DAYS = 7  # "due this week" and the case list's "Needs attention" look this far ahead

OPEN_STATES = frozenset(
    {RestrictionState.PENDING, RestrictionState.PROVISIONAL, RestrictionState.ACTIVE}
)
"""A restriction in one of these states still waits for a decision or a review."""
AWAITING_REPRESENTATIONS = frozenset({Phase.ASKED_TO_LEAVE, Phase.NOTICE})


class DueKind(StrEnum):
    REPRESENTATIONS_DEADLINE = "representations_deadline"
    BAR_REVIEW = "bar_review"
    BAR_END = "bar_end"
    PLAN_REVIEW = "plan_review"
    PLAN_END = "plan_end"
    WARNING_EXPIRY = "warning_expiry"
    TASK = "task_due"
    SUBJECT_ACCESS = "subject_access_due"

    @property
    def label(self) -> str:
        return _KIND_WORDS[self][0]

    @property
    def mark(self) -> str:
        """One letter that tells the kinds apart without colour (the calendar's legend)."""
        return _KIND_WORDS[self][1]

    @property
    def resolves(self) -> str:
        """What a person records to settle an item of this kind."""
        return _KIND_WORDS[self][2]

    @property
    def lapses(self) -> bool:
        """Whether the date passing settles the item by itself (a warning's expiry)."""
        return self is DueKind.WARNING_EXPIRY


_KIND_WORDS = {
    DueKind.REPRESENTATIONS_DEADLINE: (
        "Representations deadline",
        "D",
        "Record the representations received, or the decision once the deadline has passed",
    ),
    DueKind.BAR_REVIEW: ("Bar review", "R", "Record the trust's review decision on the bar"),
    DueKind.BAR_END: (
        "Bar ends",
        "E",
        "Record the end-of-period review: end the bar or renew it",
    ),
    DueKind.PLAN_REVIEW: (
        "Communication plan review",
        "P",
        "Record the review decision on the communication plan",
    ),
    DueKind.PLAN_END: (
        "Communication plan ends",
        "C",
        "Record the end-of-period review: end the plan or renew it",
    ),
    DueKind.WARNING_EXPIRY: (
        "Written warning lapses",
        "W",
        "Nothing: the warning lapses; its record then falls to the retention review",
    ),
    DueKind.TASK: ("Task due", "T", "Mark the task done"),
    DueKind.SUBJECT_ACCESS: (
        "Subject access request due",
        "S",
        "Send the bundle of records, or record an extension before the first deadline",
    ),
}


REVIEW_KINDS = frozenset(
    {DueKind.BAR_REVIEW, DueKind.BAR_END, DueKind.PLAN_REVIEW, DueKind.PLAN_END}
)
"""The kinds that a review decision settles."""


class DueState(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    UPCOMING = "upcoming"
    DONE = "done"

    @property
    def label(self) -> str:
        return {
            DueState.OVERDUE: "Overdue",
            DueState.DUE_TODAY: "Due today",
            DueState.UPCOMING: "Upcoming",
            DueState.DONE: "Done",
        }[self]


STATE_ORDER = (DueState.OVERDUE, DueState.DUE_TODAY, DueState.UPCOMING, DueState.DONE)


class Place(StrEnum):
    """Where in the case window an item is resolved."""

    REPRESENTATIONS = "representations"
    REVIEW = "review"
    PERIOD_REVIEW = "period_review"
    SANCTIONS = "sanctions"
    TASKS = "tasks"
    SUBJECT_ACCESS = "subject_access"  # the subject access window, not a case


def state_on(
    date: dt.date, today: dt.date, *, done: bool = False, lapses: bool = False
) -> DueState:
    """An item's state on `today`: done; else overdue once its day has passed (or done, for
    an item that lapses by itself); due on its own day; upcoming before it."""
    if done:
        return DueState.DONE
    if date < today:
        return DueState.DONE if lapses else DueState.OVERDUE
    if date == today:
        return DueState.DUE_TODAY
    return DueState.UPCOMING


@dataclass(frozen=True, slots=True)  # slots: a calendar or list may hold thousands
class DueItem:
    kind: DueKind
    date: dt.date
    state: DueState
    case_id: int
    reference: str
    title: str
    owner: str  # "" when nobody is recorded
    schools: tuple[str, ...]
    place: Place
    target_id: int  # the restriction, task or step the item belongs to
    subject: str = ""  # the person's name: shown in the window, left out of exports

    @property
    def resolves(self) -> str:
        return self.kind.resolves

    @property
    def uid_key(self) -> str:
        """Stable across exports: the same item keeps its identity when its date moves."""
        return f"{self.kind.value}-{self.target_id}"


@dataclass(frozen=True)
class RestrictionDates:
    """A bar's or plan's dates as stored, with the case it belongs to."""

    restriction_id: int
    case_id: int
    reference: str
    kind: RestrictionKind
    state: RestrictionState
    phase: Phase | None
    ends: dt.date | None
    review_due: dt.date | None
    reviewed_on: dt.date | None
    representations_deadline: dt.date | None
    representations_on: dt.date | None
    owner: str = ""
    schools: tuple[str, ...] = ()
    subject: str = ""


@dataclass(frozen=True)
class TaskDates:
    task_id: int
    case_id: int
    reference: str
    title: str
    due_on: dt.date
    done_on: dt.date | None
    owner: str = ""
    schools: tuple[str, ...] = ()
    subject: str = ""


@dataclass(frozen=True)
class WarningDates:
    step_row_id: int
    case_id: int
    reference: str
    taken_on: dt.date
    kept_days: int  # the profile's `warning_retention_days`
    schools: tuple[str, ...] = ()
    subject: str = ""


def restriction_items(r: RestrictionDates, today: dt.date) -> list[DueItem]:
    """The items a bar or plan gives rise to. One still open (pending, provisional or in
    force) always has a review item; a decided one (lifted, ended, renewed) has none.

    - representations deadline: while the notice awaits them; settled once they arrive
      or the decision is taken;
    - review: by its review date (or its end, if it has no review date) until this
      period's review is recorded; overdue once passed;
    - end: a restriction still recorded as in force past its end was never given its
      end-of-period review, and is overdue until it is.
    """
    if r.state not in OPEN_STATES:
        return []
    is_bar = r.kind is RestrictionKind.BAR
    what = "bar" if is_bar else "communication plan"
    items: list[DueItem] = []

    def add(kind: DueKind, date: dt.date, title: str, place: Place, done: bool = False) -> None:
        items.append(
            DueItem(
                kind=kind,
                date=date,
                state=state_on(date, today, done=done),
                case_id=r.case_id,
                reference=r.reference,
                title=title,
                owner=r.owner,
                schools=r.schools,
                place=place,
                target_id=r.restriction_id,
                subject=r.subject,
            )
        )

    if r.representations_deadline is not None and r.phase in AWAITING_REPRESENTATIONS:
        add(
            DueKind.REPRESENTATIONS_DEADLINE,
            r.representations_deadline,
            f"Deadline for representations on the {what}",
            Place.REPRESENTATIONS,
            done=r.representations_on is not None,
        )
    review_on = r.review_due or r.ends
    # A pending sanction awaits its decision; one in force awaits this period's review
    # (and, reviewed but with no end recorded, another).
    if r.reviewed_on is None or r.ends is None or not r.state.in_force:
        add(
            DueKind.BAR_REVIEW if is_bar else DueKind.PLAN_REVIEW,
            review_on if review_on is not None else today,  # no date at all: due now
            f"Review the {what}",
            Place.REVIEW,
        )
    if r.ends is not None and r.state.in_force:
        add(
            DueKind.BAR_END if is_bar else DueKind.PLAN_END,
            r.ends,
            f"The {what} ends: end-of-period review",
            Place.PERIOD_REVIEW,
        )
    return items


def task_item(t: TaskDates, today: dt.date) -> DueItem:
    return DueItem(
        kind=DueKind.TASK,
        date=t.due_on,
        state=state_on(t.due_on, today, done=t.done_on is not None),
        case_id=t.case_id,
        reference=t.reference,
        title=t.title,
        owner=t.owner,
        schools=t.schools,
        place=Place.TASKS,
        target_id=t.task_id,
        subject=t.subject,
    )


def warning_item(w: WarningDates, today: dt.date) -> DueItem:
    lapses_on = w.taken_on + dt.timedelta(days=w.kept_days)
    return DueItem(
        kind=DueKind.WARNING_EXPIRY,
        date=lapses_on,
        state=state_on(lapses_on, today, lapses=True),
        case_id=w.case_id,
        reference=w.reference,
        title="Written warning lapses",
        owner="",
        schools=w.schools,
        place=Place.SANCTIONS,
        target_id=w.step_row_id,
        subject=w.subject,
    )


@dataclass(frozen=True)
class SubjectAccessDates:
    """A subject access request's deadline: the first one, or the extension's."""

    request_id: int
    requester: str
    due_on: dt.date
    extended_to: dt.date | None
    completed_on: dt.date | None


def subject_access_reference(request_id: int) -> str:
    """How a request is named where a case reference would stand (the calendar's list)."""
    return f"SAR-{request_id:04d}"


def subject_access_item(s: SubjectAccessDates, today: dt.date) -> DueItem:
    """A request is due by its deadline in force, until the bundle is sent. It belongs to
    no case (`case_id` 0): opening it opens the subject access window."""
    date = s.extended_to or s.due_on
    return DueItem(
        kind=DueKind.SUBJECT_ACCESS,
        date=date,
        state=state_on(date, today, done=s.completed_on is not None),
        case_id=0,
        reference=subject_access_reference(s.request_id),
        title="Extended" if s.extended_to else "",
        owner="",
        schools=(),
        place=Place.SUBJECT_ACCESS,
        target_id=s.request_id,
        subject=s.requester,
    )


def in_window(item: DueItem, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether an item belongs in a view of `start`..`end` (both inclusive; None is open).
    Overdue items belong in every view: nothing that is late drops out of sight."""
    if item.state is DueState.OVERDUE:
        return True
    return (start is None or item.date >= start) and (end is None or item.date <= end)


def ordered(items: Iterable[DueItem]) -> list[DueItem]:
    """Overdue first (oldest first), then by date, then by case."""
    rank = {state: n for n, state in enumerate(STATE_ORDER)}
    return sorted(items, key=lambda i: (rank[i.state] != 0, i.date, i.reference, i.kind.value))


@dataclass(frozen=True)
class DayMarks:
    """A calendar day's items counted by kind, for the month grid."""

    date: dt.date
    counts: dict[DueKind, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def marks(self) -> str:
        """The kinds' letters, most frequent first, e.g. "R E T"."""
        kinds = sorted(self.counts, key=lambda k: (-self.counts[k], k.value))
        return " ".join(k.mark for k in kinds)


def day_marks(items: Sequence[DueItem]) -> dict[dt.date, DayMarks]:
    """Each day with items, counted by kind (an item marks its own date)."""
    by_day: dict[dt.date, dict[DueKind, int]] = {}
    late: dict[dt.date, int] = {}
    for item in items:
        counts = by_day.setdefault(item.date, {})
        counts[item.kind] = counts.get(item.kind, 0) + 1
        if item.state is DueState.OVERDUE:
            late[item.date] = late.get(item.date, 0) + 1
    return {day: DayMarks(day, counts, late.get(day, 0)) for day, counts in by_day.items()}


@dataclass(frozen=True)
class Summary:
    """What the sign-in reminder and the status bar say."""

    overdue: int
    due_today: int
    this_week: int  # due after today, within SOON_DAYS

    @property
    def needs_saying(self) -> bool:
        return bool(self.overdue or self.due_today or self.this_week)

    @property
    def words(self) -> str:
        parts = []
        if self.overdue:
            parts.append(f"{self.overdue} overdue")
        if self.due_today:
            parts.append(f"{self.due_today} due today")
        if self.this_week:
            parts.append(f"{self.this_week} due this week")
        return ", ".join(parts) if parts else "Nothing due this week"


def soon_after(today: dt.date) -> dt.date:
    """SOON_DAYS on from today, but never past the last date there is."""
    return today + dt.timedelta(days=min(SOON_DAYS, (dt.date.max - today).days))


def summarise(items: Iterable[DueItem], today: dt.date) -> Summary:
    soon = soon_after(today)
    overdue = due_today = this_week = 0
    for item in items:
        if item.state is DueState.OVERDUE:
            overdue += 1
        elif item.state is DueState.DUE_TODAY:
            due_today += 1
        elif item.state is DueState.UPCOMING and item.date <= soon:
            this_week += 1
    return Summary(overdue, due_today, this_week)
