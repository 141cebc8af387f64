"""Tasks on a case: added, changed, ticked off, flagged when overdue, given only to people
who can work on the case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.dates import uk_today
from desktop.errors import NotPermitted, ValidationError
from desktop.services import tasks
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.storage import models as m
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details, open_parent_case

ASH, BIRCH = 1, 2


@pytest.fixture
def case(admin: UserSession) -> CaseRow:
    return open_parent_case(admin, "Pat", "Quinn", (ASH,))


def test_tasks_are_listed_to_do_first_with_overdue_flagged(
    admin: UserSession, case: CaseRow
) -> None:
    today = uk_today()
    late = tasks.add_task(
        admin, case_id=case.id, title="Ring back", due_on=today - dt.timedelta(days=1)
    )
    soon = tasks.add_task(
        admin, case_id=case.id, title="Write the letter", due_on=today, notes="Recorded post"
    )
    whenever = tasks.add_task(admin, case_id=case.id, title="File the notes", due_on=None)
    done = tasks.add_task(
        admin, case_id=case.id, title="Meet the head", due_on=today - dt.timedelta(days=9)
    )
    tasks.complete_task(admin, task_id=done.id)
    listed = tasks.list_tasks(admin, case_id=case.id)
    assert [t.id for t in listed] == [late.id, soon.id, whenever.id, done.id]
    assert [t.overdue for t in listed] == [True, False, False, False]
    assert listed[1].notes == "Recorded post"
    assert (listed[3].done, listed[3].done_on, listed[3].done_by) == (True, today, "Alex Admin")


def test_ticking_and_unticking_is_audited_once_each(admin: UserSession, case: CaseRow) -> None:
    task = tasks.add_task(admin, case_id=case.id, title="Ring back", due_on=dt.date(2026, 1, 1))
    assert task.overdue
    assert tasks.complete_task(admin, task_id=task.id).overdue is False
    tasks.complete_task(admin, task_id=task.id)  # already done: nothing changes
    reopened = tasks.complete_task(admin, task_id=task.id, done=False)
    assert (reopened.done, reopened.done_on, reopened.done_by, reopened.overdue) == (
        False,
        None,
        "",
        True,
    )
    assert audit_details(admin, "task.completed") == [{"task_id": task.id}]
    assert audit_details(admin, "task.reopened") == [{"task_id": task.id}]


def test_editing_changes_only_what_was_changed(admin: UserSession, case: CaseRow) -> None:
    task = tasks.add_task(admin, case_id=case.id, title="Ring back", due_on=dt.date(2026, 3, 1))
    owner = tasks.list_possible_owners(admin, case_id=case.id)[0]
    edited = tasks.edit_task(
        admin,
        task_id=task.id,
        title="Ring back about the letter",
        due_on=dt.date(2026, 3, 1),
        owner_id=owner.id,
    )
    assert (edited.title, edited.owner, edited.owner_id) == (
        "Ring back about the letter",
        owner.full_name,
        owner.id,
    )
    assert audit_details(admin, "task.edited") == [
        {"task_id": task.id, "fields": ["title", "owner"]}
    ]


def test_owners_are_active_people_who_can_work_on_the_case(
    admin: UserSession, case: CaseRow, new_store: SetupResult, store_path: Path
) -> None:
    ash_bm = sign_in_new_user(new_store, store_path, "ashbm", "business_manager", [ASH])
    ash_bm.close()
    for username, role, schools in (
        ("birchbm", "business_manager", [BIRCH]),
        ("auditor", "auditor", []),
        ("ceo", "trust_leader", []),
    ):
        add_user(
            admin,
            username=username,
            full_name=username.title(),
            role=role,
            school_ids=schools,
            password="a long enough password",
        )
    names = [o.full_name for o in tasks.list_possible_owners(admin, case_id=case.id)]
    assert names == ["Alex Admin", "Ashbm", "Ceo"]
    with admin.transaction() as db:
        birch_id = db.scalar(select(m.User.id).where(m.User.username == "birchbm"))
    with pytest.raises(ValidationError) as refused:
        tasks.add_task(admin, case_id=case.id, title="Visit", due_on=None, owner_id=birch_id)
    assert refused.value.field == "owner"
    assert tasks.list_tasks(admin, case_id=case.id) == []


@pytest.mark.parametrize(
    ("title", "due_on", "notes", "field"),
    [
        ("   ", None, "", "title"),
        ("x" * 301, None, "", "title"),
        ("Ring", dt.date(1999, 1, 1), "", "due_on"),
        ("Ring", None, "n" * 100_000, "notes"),
        ("Ring\x07", None, "", "title"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_saved(
    admin: UserSession, case: CaseRow, title: str, due_on: dt.date | None, notes: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        tasks.add_task(admin, case_id=case.id, title=title, due_on=due_on, notes=notes)
    assert refused.value.field == field
    assert tasks.list_tasks(admin, case_id=case.id) == []


def test_an_auditor_may_read_tasks_but_not_change_them(
    admin: UserSession, case: CaseRow, new_store: SetupResult, store_path: Path
) -> None:
    task = tasks.add_task(admin, case_id=case.id, title="Ring back", due_on=None)
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", [])
    try:
        assert [t.id for t in tasks.list_tasks(auditor, case_id=case.id)] == [task.id]
        with pytest.raises(NotPermitted):
            tasks.complete_task(auditor, task_id=task.id)
        with pytest.raises(NotPermitted):
            tasks.add_task(auditor, case_id=case.id, title="Mine", due_on=None)
    finally:
        auditor.close()
