"""Due items: every kind, its state either side of its day, and nothing lapsing silently."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.due import (
    OPEN_STATES,
    REVIEW_KINDS,
    DueKind,
    DueState,
    Place,
    RestrictionDates,
    TaskDates,
    WarningDates,
    day_marks,
    in_window,
    ordered,
    restriction_items,
    state_on,
    summarise,
    task_item,
    warning_item,
)
from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.domain.sanctions import Phase

D = dt.date
TODAY = D(2026, 11, 26)
DAY = dt.timedelta(days=1)


def bar(**changes: object) -> RestrictionDates:
    values: dict[str, object] = {
        "restriction_id": 7,
        "case_id": 3,
        "reference": "CB-2026-0003",
        "kind": RestrictionKind.BAR,
        "state": RestrictionState.ACTIVE,
        "phase": Phase.IN_FORCE,
        "ends": D(2027, 2, 20),
        "review_due": D(2027, 2, 10),
        "reviewed_on": None,
        "representations_deadline": None,
        "representations_on": None,
        "owner": "Casey Chair",
        "schools": ("Ash Primary",),
    }
    values.update(changes)
    return RestrictionDates(**values)  # type: ignore[arg-type]


def kinds(items: list) -> dict[DueKind, DueState]:
    return {i.kind: i.state for i in items}


@pytest.mark.parametrize(
    ("offset", "state"),
    [(-1, DueState.OVERDUE), (0, DueState.DUE_TODAY), (1, DueState.UPCOMING)],
)
def test_state_either_side_of_the_day(offset: int, state: DueState) -> None:
    assert state_on(TODAY + offset * DAY, TODAY) is state
    assert state_on(TODAY + offset * DAY, TODAY, done=True) is DueState.DONE


def test_an_item_that_lapses_is_done_once_past() -> None:
    assert state_on(TODAY - DAY, TODAY, lapses=True) is DueState.DONE
    assert state_on(TODAY, TODAY, lapses=True) is DueState.DUE_TODAY


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_representations_deadline(offset: int) -> None:
    notice = bar(
        state=RestrictionState.PROVISIONAL,
        phase=Phase.NOTICE,
        representations_deadline=TODAY + offset * DAY,
    )
    found = kinds(restriction_items(notice, TODAY))
    assert found[DueKind.REPRESENTATIONS_DEADLINE] is state_on(TODAY + offset * DAY, TODAY)
    received = bar(
        state=RestrictionState.PROVISIONAL,
        phase=Phase.NOTICE,
        representations_deadline=TODAY + offset * DAY,
        representations_on=TODAY - 2 * DAY,
    )
    assert kinds(restriction_items(received, TODAY))[DueKind.REPRESENTATIONS_DEADLINE] is (
        DueState.DONE
    )
    decided = bar(phase=Phase.IN_FORCE, representations_deadline=TODAY + offset * DAY)
    assert DueKind.REPRESENTATIONS_DEADLINE not in kinds(restriction_items(decided, TODAY))


@pytest.mark.parametrize("offset", [-1, 0, 1])
@pytest.mark.parametrize(
    ("kind", "review", "end"),
    [
        (RestrictionKind.BAR, DueKind.BAR_REVIEW, DueKind.BAR_END),
        (RestrictionKind.COMMUNICATION_PLAN, DueKind.PLAN_REVIEW, DueKind.PLAN_END),
    ],
)
def test_review_and_end_items(
    offset: int, kind: RestrictionKind, review: DueKind, end: DueKind
) -> None:
    day = TODAY + offset * DAY
    items = restriction_items(bar(kind=kind, review_due=day, ends=day + 30 * DAY), TODAY)
    assert kinds(items)[review] is state_on(day, TODAY)
    assert kinds(items)[end] is DueState.UPCOMING
    ending = restriction_items(bar(kind=kind, review_due=day - 30 * DAY, ends=day), TODAY)
    assert kinds(ending)[end] is state_on(day, TODAY)


def test_a_bar_past_its_end_unreviewed_is_overdue() -> None:
    lapsed = bar(review_due=TODAY - 40 * DAY, ends=TODAY - DAY)
    found = kinds(restriction_items(lapsed, TODAY))
    assert found[DueKind.BAR_END] is DueState.OVERDUE
    assert found[DueKind.BAR_REVIEW] is DueState.OVERDUE
    # Its review decided, but still recorded as in force past its end: still overdue.
    confirmed = bar(review_due=TODAY - 40 * DAY, ends=TODAY - DAY, reviewed_on=TODAY - 41 * DAY)
    assert kinds(restriction_items(confirmed, TODAY)) == {DueKind.BAR_END: DueState.OVERDUE}


def test_a_pending_notice_of_intent_awaits_its_decision_but_has_no_end_item() -> None:
    intent = bar(
        state=RestrictionState.PENDING,
        phase=Phase.NOTICE,
        representations_deadline=TODAY + 5 * DAY,
        review_due=TODAY + 12 * DAY,
    )
    assert set(kinds(restriction_items(intent, TODAY))) == {
        DueKind.REPRESENTATIONS_DEADLINE,
        DueKind.BAR_REVIEW,
    }


def test_items_carry_the_owner_place_and_a_stable_key() -> None:
    items = {i.kind: i for i in restriction_items(bar(), TODAY)}
    review = items[DueKind.BAR_REVIEW]
    assert review.owner == "Casey Chair" and review.place is Place.REVIEW
    assert review.uid_key == "bar_review-7"
    moved = {i.kind: i for i in restriction_items(bar(review_due=D(2027, 1, 5)), TODAY)}
    assert moved[DueKind.BAR_REVIEW].uid_key == review.uid_key
    assert items[DueKind.BAR_END].place is Place.PERIOD_REVIEW


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_tasks(offset: int) -> None:
    task = TaskDates(4, 3, "CB-2026-0003", "Ring the parent", TODAY + offset * DAY, None, "Ann")
    assert task_item(task, TODAY).state is state_on(TODAY + offset * DAY, TODAY)
    done = TaskDates(4, 3, "CB-2026-0003", "Ring", TODAY + offset * DAY, TODAY, "Ann")
    assert task_item(done, TODAY).state is DueState.DONE
    assert task_item(task, TODAY).kind is DueKind.TASK


@pytest.mark.parametrize(
    ("taken", "state"),
    [
        (TODAY - 366 * DAY, DueState.DONE),
        (TODAY - 365 * DAY, DueState.DUE_TODAY),
        (TODAY - 364 * DAY, DueState.UPCOMING),
    ],
)
def test_a_written_warning_lapses_after_the_profiles_period(
    taken: dt.date, state: DueState
) -> None:
    item = warning_item(WarningDates(9, 3, "CB-2026-0003", taken, 365), TODAY)
    assert item.kind is DueKind.WARNING_EXPIRY
    assert item.date == taken + 365 * DAY and item.state is state


def test_overdue_items_belong_in_every_window_and_come_first() -> None:
    late = task_item(TaskDates(1, 1, "CB-2026-0001", "Late", TODAY - 50 * DAY, None), TODAY)
    soon = task_item(TaskDates(2, 2, "CB-2026-0002", "Soon", TODAY + DAY, None), TODAY)
    later = task_item(TaskDates(3, 3, "CB-2026-0003", "Later", TODAY + 90 * DAY, None), TODAY)
    window = [i for i in (later, soon, late) if in_window(i, TODAY, TODAY + 30 * DAY)]
    assert ordered(window) == [late, soon]


def test_day_marks_and_summary() -> None:
    items = [
        *restriction_items(bar(review_due=TODAY, ends=TODAY + 3 * DAY), TODAY),
        task_item(TaskDates(1, 1, "CB-2026-0001", "Late", TODAY - DAY, None), TODAY),
        task_item(TaskDates(2, 1, "CB-2026-0001", "Also", TODAY, None), TODAY),
    ]
    marks = day_marks(items)
    assert marks[TODAY].counts == {DueKind.BAR_REVIEW: 1, DueKind.TASK: 1}
    assert marks[TODAY].total == 2 and set(marks[TODAY].marks.split()) == {"R", "T"}
    assert marks[TODAY - DAY].overdue == 1
    summary = summarise(items, TODAY)
    assert (summary.overdue, summary.due_today, summary.this_week) == (1, 2, 1)
    assert summary.words == "1 overdue, 2 due today, 1 due this week"


def test_every_kind_has_words_and_a_distinct_mark() -> None:
    assert len({k.mark for k in DueKind}) == len(DueKind)
    assert all(k.label and k.resolves for k in DueKind)


dates = st.one_of(st.none(), st.dates(D(2025, 1, 1), D(2028, 12, 31)))


@given(
    state=st.sampled_from(list(RestrictionState)),
    phase=st.sampled_from([None, *Phase]),
    kind=st.sampled_from(list(RestrictionKind)),
    ends=dates,
    review_due=dates,
    reviewed_on=dates,
    deadline=dates,
    received=dates,
    today=st.dates(D(2025, 1, 1), D(2028, 12, 31)),
)
def test_open_restrictions_always_have_a_review_item_and_decided_ones_none(
    state: RestrictionState,
    phase: Phase | None,
    kind: RestrictionKind,
    ends: dt.date | None,
    review_due: dt.date | None,
    reviewed_on: dt.date | None,
    deadline: dt.date | None,
    received: dt.date | None,
    today: dt.date,
) -> None:
    r = bar(
        state=state,
        phase=phase,
        kind=kind,
        ends=ends,
        review_due=review_due,
        reviewed_on=reviewed_on,
        representations_deadline=deadline,
        representations_on=received,
    )
    items = restriction_items(r, today)
    reviews = [i for i in items if i.kind in REVIEW_KINDS]
    if state in OPEN_STATES:
        assert reviews, r
        assert all(i.state is not DueState.DONE for i in reviews)
    else:
        assert items == []
    if state.in_force and ends is not None and ends < today:
        assert any(i.state is DueState.OVERDUE for i in reviews)
