"""The case list's "Needs attention" filter and "Next due" order, in SQL, against the rules in
Python (`desktop.domain.due`, through `services.due.next_due` and `case_list_due`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop.domain.due import SOON_DAYS, DueKind, DueState
from desktop.domain.ladder import SkipAuthority
from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.domain.roles import Role
from desktop.domain.sanctions import Outcome, Phase
from desktop.services import due
from desktop.services.case_order import CaseOrder, CaseSort
from desktop.services.cases import count_cases, list_cases
from desktop.services.sanction_reviews import decide
from desktop.services.sanctions import take_step
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import open_parent_case
from tests.services.due_rows import add_restriction, add_task
from tests.services.sanction_support import bar_notice, case_with_incidents, decision, trust_leader

D = dt.date
SKIP = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats of violence at the gate.")
T = D(2026, 6, 10)  # the day most checks are made on
PENDING, PROVISIONAL, ACTIVE = (
    RestrictionState.PENDING,
    RestrictionState.PROVISIONAL,
    RestrictionState.ACTIVE,
)


def days(n: int) -> dt.date:
    return T + dt.timedelta(days=n)


@pytest.fixture
def store(new_store: SetupResult) -> dict[str, int]:
    """One case for each shape of bar, plan and task that the rules tell apart."""
    s = new_store.session
    made: dict[str, int] = {}

    def case(name: str) -> int:
        made[name] = open_parent_case(s, name.title(), "Parent").id
        return made[name]

    add_restriction(  # a notice awaiting representations: its deadline in 3 days
        s,
        case("deadline"),
        state=PENDING,
        phase=Phase.NOTICE,
        deadline=days(3),
        review_due=days(30),
    )
    add_restriction(  # representations in: the review, 20 days off, is next
        s,
        case("answered"),
        state=PENDING,
        phase=Phase.NOTICE,
        deadline=days(-5),
        representations_on=days(-6),
        review_due=days(20),
    )
    add_restriction(  # received, but a deadline still stored: not awaited any more
        s,
        case("received"),
        state=PENDING,
        phase=Phase.REPRESENTATIONS,
        deadline=days(2),
        review_due=days(25),
    )
    add_restriction(s, case("undated"), state=PROVISIONAL, phase=Phase.NOTICE)  # due now
    add_restriction(  # reviewed this period; it ends in 5 days
        s,
        case("ending"),
        state=ACTIVE,
        phase=Phase.IN_FORCE,
        reviewed_on=days(-100),
        ends=days(5),
    )
    add_restriction(  # reviewed; it ends in a month
        s,
        case("later"),
        state=ACTIVE,
        phase=Phase.IN_FORCE,
        reviewed_on=days(-100),
        review_due=days(-110),
        ends=days(30),
    )
    add_restriction(  # its review date passed yesterday
        s,
        case("late_review"),
        state=ACTIVE,
        phase=Phase.IN_FORCE,
        review_due=days(-1),
        ends=days(60),
    )
    add_restriction(  # past its end two days ago and never reviewed
        s,
        case("past_end"),
        state=ACTIVE,
        phase=Phase.IN_FORCE,
        review_due=days(-20),
        ends=days(-2),
    )
    add_restriction(  # lifted: nothing more to do, whatever its dates
        s,
        case("lifted"),
        state=RestrictionState.LIFTED,
        phase=Phase.LIFTED,
        review_due=days(-30),
        ends=days(-10),
    )
    add_restriction(  # a plan whose review is 8 days off: just outside the week
        s,
        case("plan"),
        state=ACTIVE,
        kind=RestrictionKind.COMMUNICATION_PLAN,
        phase=Phase.IN_FORCE,
        review_due=days(8),
        ends=days(40),
    )
    add_restriction(  # asked to leave: not yet in force, so its end is no item
        s,
        case("asked"),
        state=PENDING,
        phase=Phase.ASKED_TO_LEAVE,
        review_due=days(10),
        ends=days(2),
    )
    add_restriction(  # a notice of intent, not in force: its review is owed, whatever else
        s,
        case("intent"),
        state=PENDING,
        phase=Phase.REPRESENTATIONS,
        reviewed_on=days(-50),
        review_due=days(4),
        ends=days(90),
    )
    add_task(s, case("task_soon"), due_on=days(SOON_DAYS))  # the last day of the week
    add_task(s, case("task_done"), due_on=days(-3), done_on=days(-4))
    lifted_review = add_restriction(
        s, case("review_task"), state=RestrictionState.ENDED, phase=Phase.ENDED, ends=days(-1)
    )
    add_task(s, made["review_task"], due_on=T, restriction_id=lifted_review)  # the bar's own
    add_task(s, case("undated_task"), due_on=None)
    case("nothing")
    return made


def needing(session: UserSession, today: dt.date) -> set[int]:
    return {r.id for r in list_cases(session, needs_attention=True, limit=1000, today=today)}


def by_rules(session: UserSession, case_ids: list[int], today: dt.date) -> set[int]:
    """The cases whose next item, by the rules in Python, is overdue or due within a week."""
    soon = today + dt.timedelta(days=SOON_DAYS)
    items = due.next_due(session, case_ids=case_ids, today=today)
    return {case_id for case_id, item in items.items() if item.date <= soon}


def test_needs_attention_picks_the_cases_the_rules_say(
    new_store: SetupResult, store: dict[str, int]
) -> None:
    names = {case_id: name for name, case_id in store.items()}
    found = {names[i] for i in needing(new_store.session, T)}
    assert found == {
        "deadline",
        "undated",
        "ending",
        "late_review",
        "past_end",
        "intent",
        "task_soon",
    }
    assert count_cases(new_store.session, needs_attention=True, today=T) == len(found)
    assert count_cases(new_store.session, today=T) == len(store)  # the filter is off by default


@pytest.mark.parametrize("offset", [-40, -8, -7, -1, 0, 1, 8, 15, 21, 26, 31, 61, 400])
def test_the_sql_and_the_rules_agree_on_every_day(
    new_store: SetupResult, store: dict[str, int], offset: int
) -> None:
    today = days(offset)
    ids = sorted(store.values())
    s = new_store.session
    assert needing(s, today) == by_rules(s, ids, today)
    listed = due.case_list_due(s, case_ids=ids, today=today)
    soon = today + dt.timedelta(days=SOON_DAYS)
    assert needing(s, today) == {i for i, item in listed.items() if item.date <= soon}


@pytest.mark.parametrize("offset", [-40, 0, 9, 31, 400])
def test_sorting_by_next_due_follows_the_items_shown(
    new_store: SetupResult, store: dict[str, int], offset: int
) -> None:
    today = days(offset)
    s = new_store.session
    soonest = list_cases(s, order=CaseOrder(CaseSort.NEXT_DUE, descending=False), today=today)
    listed = due.case_list_due(s, case_ids=[r.id for r in soonest], today=today)
    dates = [listed[r.id].date if r.id in listed else None for r in soonest]
    dated = [d for d in dates if d is not None]
    assert dates == dated + [None] * (len(dates) - len(dated))  # nothing due: last
    assert dated == sorted(dated) and dated
    latest = list_cases(s, order=CaseOrder(CaseSort.NEXT_DUE, descending=True), today=today)
    later = [listed[r.id].date for r in latest if r.id in listed]
    assert later == sorted(dated, reverse=True)
    assert [r.id for r in latest][len(later) :] == [r.id for r in soonest][len(dated) :][::-1]


def test_a_bar_past_its_end_unreviewed_shows_its_end(
    new_store: SetupResult, store: dict[str, int]
) -> None:
    s = new_store.session
    listed = due.case_list_due(s, case_ids=[store["past_end"], store["late_review"]], today=T)
    past_end = listed[store["past_end"]]
    assert (past_end.kind, past_end.state, past_end.date) == (
        DueKind.BAR_END,
        DueState.OVERDUE,
        days(-2),
    )
    # The calendar's choice is the review that passed first; the list shows the end instead.
    assert due.next_due(s, case_ids=[store["past_end"]], today=T)[store["past_end"]].kind is (
        DueKind.BAR_REVIEW
    )
    late = listed[store["late_review"]]  # not yet at its end: its review is what is late
    assert (late.kind, late.state) == (DueKind.BAR_REVIEW, DueState.OVERDUE)
    assert set(due.case_list_due(s, case_ids=[store["nothing"], store["lifted"]], today=T)) == set()


def test_the_filter_keeps_within_the_users_schools_and_other_filters(
    new_store: SetupResult, store_path: Path, store: dict[str, int]
) -> None:
    s = new_store.session
    birch = open_parent_case(s, "Birch", "Parent", school_ids=(2,))
    add_task(s, birch.id, due_on=T)
    assert birch.id in needing(s, T)
    elsewhere = sign_in_new_user(new_store, store_path, "birchbm", "business_manager", (2,))
    assert needing(elsewhere, T) == {birch.id}
    assert count_cases(elsewhere, needs_attention=True, today=T) == 1
    assert needing(s, T) - {birch.id} == {
        r.id for r in list_cases(s, needs_attention=True, school_id=1, today=T)
    }
    found = list_cases(s, needs_attention=True, search="Deadline", today=T)
    assert [r.id for r in found] == [store["deadline"]]


def test_a_bar_taken_through_the_wizard_agrees_too(
    new_store: SetupResult, store_path: Path
) -> None:
    leader = trust_leader(new_store, store_path)
    case = case_with_incidents(leader, 2)
    draft = bar_notice(
        D(2026, 4, 1),
        ends=D(2026, 6, 30),
        deadline=D(2026, 4, 14),
        review=D(2026, 4, 20),
        skip=SKIP,
    )
    result = take_step(leader, case_id=case.id, draft=draft)
    assert result.restriction_id is not None
    for today in (D(2026, 3, 1), D(2026, 4, 8), D(2026, 4, 15), D(2026, 5, 1)):
        assert needing(leader, today) == by_rules(leader, [case.id], today)
    confirm = decision(
        D(2026, 4, 20), Outcome.CONFIRM, ends=D(2026, 6, 28), review_due=D(2026, 6, 25)
    )
    decide(leader, restriction_id=result.restriction_id, decision=confirm)
    for today in (D(2026, 4, 21), D(2026, 6, 17), D(2026, 6, 18), D(2026, 9, 1)):
        assert needing(leader, today) == by_rules(leader, [case.id], today)
    assert needing(leader, D(2026, 6, 17)) == set()  # the review is 8 days off
    assert needing(leader, D(2026, 6, 18)) == {case.id}
    shown = due.case_list_due(leader, case_ids=[case.id], today=D(2026, 9, 1))[case.id]
    assert (shown.kind, shown.date) == (DueKind.BAR_END, D(2026, 6, 28))
