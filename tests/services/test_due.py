"""The calendar service: items from what is recorded, in scope, and exported to .ics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from desktop.domain.due import DueKind, DueState
from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.domain.sanctions import Outcome
from desktop.errors import ValidationError
from desktop.services import due, due_export, sanction_view, tasks
from desktop.services.sanction_reviews import decide
from desktop.services.sanctions import take_step
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage.models import AuditEntry
from tests.services.accounts import sign_in_new_user
from tests.services.due_rows import add_task
from tests.services.sanction_support import (
    april_bar,
    case_with_incidents,
    decision,
    trust_leader,
    written_warning,
)

D = dt.date
SKIP = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats of violence at the gate.")


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    return trust_leader(new_store, store_path)


def _bar(session: UserSession) -> tuple[int, int]:
    case, restriction_id = april_bar(session)
    return case.id, restriction_id


def _kinds(items: list) -> dict[DueKind, DueState]:
    return {i.kind: i.state for i in items}


def test_a_bar_notice_gives_its_deadline_and_review(leader: UserSession) -> None:
    case_id, _ = _bar(leader)
    view = due.DueView(start=D(2026, 4, 1), end=D(2026, 4, 30))
    items = due.due_items(leader, view=view, today=D(2026, 4, 14))
    assert _kinds(items) == {
        DueKind.REPRESENTATIONS_DEADLINE: DueState.DUE_TODAY,
        DueKind.BAR_REVIEW: DueState.UPCOMING,
    }
    assert {i.case_id for i in items} == {case_id}
    assert items[0].schools == ("Ash Primary",) and items[0].subject == "Dana Driver"
    # The end of the bar falls outside April: not in this view.
    assert DueKind.BAR_END not in _kinds(items)


def test_a_decision_moves_the_review_to_the_period_and_nothing_lapses(leader: UserSession) -> None:
    _case_id, restriction_id = _bar(leader)
    confirm = decision(
        D(2026, 4, 20), Outcome.CONFIRM, ends=D(2026, 6, 28), review_due=D(2026, 6, 25)
    )
    decide(leader, restriction_id=restriction_id, decision=confirm)
    items = due.due_items(leader, today=D(2026, 4, 21))
    # The notice's review is settled; this period's review and its end are ahead.
    assert [(i.kind, i.date) for i in items] == [
        (DueKind.BAR_REVIEW, D(2026, 6, 25)),
        (DueKind.BAR_END, D(2026, 6, 28)),
    ]
    # Left past its end without the end-of-period review: overdue in every view.
    later = due.due_items(
        leader, view=due.DueView(start=D(2026, 9, 1), end=D(2026, 9, 30)), today=D(2026, 9, 1)
    )
    assert _kinds(later) == {
        DueKind.BAR_REVIEW: DueState.OVERDUE,
        DueKind.BAR_END: DueState.OVERDUE,
    }


def test_tasks_and_warnings_with_owners_and_filters(leader: UserSession) -> None:
    case = case_with_incidents(leader, 2)
    task = tasks.add_task(
        leader,
        case_id=case.id,
        title="Ring the parent",
        due_on=D(2027, 1, 8),
        owner_id=leader.actor.user_id,
    )
    ids = [i.id for i in sanction_view.case_ladder(leader, case_id=case.id).incidents]
    take_step(leader, case_id=case.id, draft=written_warning(D(2026, 2, 1), ids, skip=SKIP))
    items = due.due_items(
        leader, view=due.DueView(start=D(2027, 1, 1), end=D(2027, 2, 28)), today=D(2026, 12, 1)
    )
    found = {i.kind: i for i in items}
    assert found[DueKind.TASK].target_id == task.id and found[DueKind.TASK].owner == "Casey"
    assert found[DueKind.WARNING_EXPIRY].date == D(2027, 2, 1)  # kept 365 days
    only_tasks = due.due_items(
        leader,
        view=due.DueView(start=D(2027, 1, 1), end=D(2027, 2, 28), kinds=frozenset({DueKind.TASK})),
        today=D(2026, 12, 1),
    )
    assert [i.kind for i in only_tasks] == [DueKind.TASK]
    nobody = due.due_items(
        leader,
        view=due.DueView(start=D(2027, 1, 1), end=D(2027, 2, 28), owner=""),
        today=D(2026, 12, 1),
    )
    assert [i.kind for i in nobody] == [DueKind.WARNING_EXPIRY]
    assert due.owners(leader) == ["Casey"]


def test_another_schools_items_are_out_of_sight(
    new_store: SetupResult, store_path: Path, leader: UserSession
) -> None:
    _bar(leader)
    elsewhere = sign_in_new_user(new_store, store_path, "birchbm", "business_manager", (2,))
    assert due.due_items(elsewhere, today=D(2026, 4, 14)) == []
    assert due.due_items(leader, view=due.DueView(school_id=2), today=D(2026, 4, 14)) == []


def test_summary_and_next_due(leader: UserSession) -> None:
    case_id, _ = _bar(leader)
    summary = due.due_summary(leader, today=D(2026, 4, 15))
    assert (summary.overdue, summary.due_today, summary.this_week) == (1, 0, 1)
    nexts = due.next_due(leader, case_ids=[case_id, 999], today=D(2026, 4, 15))
    assert set(nexts) == {case_id}
    assert nexts[case_id].kind is DueKind.REPRESENTATIONS_DEADLINE
    assert nexts[case_id].state is DueState.OVERDUE


def test_the_reminder_names_only_the_first_items_and_counts_the_rest(
    new_store: SetupResult, store_path: Path, leader: UserSession
) -> None:
    _bar(leader)  # its representations deadline (14 April) and review are items too
    today = D(2026, 4, 15)
    first, second = case_with_incidents(leader, 1), case_with_incidents(leader, 1)
    # Overdue, due today, this week, later, done: ties on a date between two cases are put
    # in order by reference, as the calendar puts them.
    for case, days in ((first, (-30, -3, 0, 2, 20)), (second, (-30, -4, -3, 1, 6, 8))):
        for n, offset in enumerate(days):
            add_task(leader, case.id, due_on=today + dt.timedelta(days=offset), title=f"T{n}")
    add_task(leader, first.id, due_on=D(2026, 4, 1), done_on=D(2026, 4, 2))
    view = due.DueView(start=today, end=today + dt.timedelta(days=7))
    every = [
        i for i in due.due_items(leader, view=view, today=today) if i.state is not DueState.DONE
    ]
    assert len(every) == 11  # the bar's two, and the nine tasks within the week or overdue
    for listed in (1, 3, 6, 11, 40):
        found = due.reminder(leader, listed=listed, today=today)
        assert found.first == every[:listed]
        assert found.count == len(every)
        assert found.summary == due.due_summary(leader, today=today)
    elsewhere = sign_in_new_user(new_store, store_path, "birchbm", "business_manager", (2,))
    assert due.reminder(elsewhere, listed=12, today=today) == due.Reminder(due.Summary(0, 0, 0), [])


def _events(path: Path) -> dict[str, tuple[dt.date, str]]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {
        str(e["uid"]): (e.decoded("dtstart"), str(e["summary"])) for e in calendar.walk("VEVENT")
    }


def test_ics_export_keeps_uids_and_names_only_on_request(
    leader: UserSession, tmp_path: Path
) -> None:
    case = case_with_incidents(leader, 1)
    task = tasks.add_task(leader, case_id=case.id, title="Ring", due_on=D(2027, 1, 8))
    first = due_export.export_ics(leader, to=tmp_path / "a.ics", days=60, today=D(2026, 12, 1))
    events = _events(first.path)
    assert first.events == len(events) == 1
    ((uid, (day, summary)),) = events.items()
    assert day == D(2027, 1, 8) and summary == f"{case.reference}: Task due"
    assert "Dana" not in first.path.read_text() and "Driver" not in first.path.read_text()
    tasks.edit_task(leader, task_id=task.id, title="Ring", due_on=D(2027, 1, 15), owner_id=None)
    again = due_export.export_ics(
        leader, to=tmp_path / "a.ics", days=60, with_names=True, today=D(2026, 12, 1)
    )
    moved = _events(again.path)
    assert list(moved) == [uid] and moved[uid][0] == D(2027, 1, 15)
    assert "Dana Driver" in moved[uid][1]
    with leader.transaction() as db:
        actions = list(db.scalars(select(AuditEntry.action)))
    assert actions.count("calendar.exported") == 2
    with pytest.raises(ValidationError):
        due_export.export_ics(leader, to=tmp_path / "b.ics", days=0)
    with pytest.raises(ValidationError):
        due_export.export_ics(leader, to=tmp_path / "missing" / "b.ics")


def test_per_case_lookups_say_nothing_of_cases_out_of_reach(
    new_store: SetupResult, store_path: Path, leader: UserSession
) -> None:
    """`next_due` and `case_list_due` take a page of case ids: the cases the user may not
    see are left out in SQL, exactly as cases with nothing due are (test_scoping lists
    them as filtering rather than refusing)."""
    case_id, _ = _bar(leader)
    assert set(due.next_due(leader, case_ids=[case_id], today=D(2026, 4, 15))) == {case_id}
    assert set(due.case_list_due(leader, case_ids=[case_id], today=D(2026, 4, 15))) == {case_id}
    elsewhere = sign_in_new_user(new_store, store_path, "birchbm2", "business_manager", (2,))
    assert due.next_due(elsewhere, case_ids=[case_id], today=D(2026, 4, 15)) == {}
    assert due.case_list_due(elsewhere, case_ids=[case_id], today=D(2026, 4, 15)) == {}
