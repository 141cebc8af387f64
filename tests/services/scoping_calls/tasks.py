"""How the scoping test calls the task services (tests/services/test_scoping.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from desktop.services import tasks
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from tests.services.scoping_calls import admin

MISSING = 999_999
DUE = dt.date(2026, 2, 1)


def _task_id(case: CaseRow) -> int:
    """A task on `case`, added by the administrator; or an id that does not exist."""
    if case.id == MISSING:
        return MISSING
    return tasks.add_task(admin(), case_id=case.id, title="Ring back", due_on=DUE).id


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.tasks.add_task": lambda s, case: tasks.add_task(
        s, case_id=case.id, title="Send the letter", due_on=DUE, notes="By post."
    ),
    "desktop.services.tasks.edit_task": lambda s, case: tasks.edit_task(
        s, task_id=_task_id(case), title="Ring back twice", due_on=DUE, owner_id=None
    ),
    "desktop.services.tasks.complete_task": lambda s, case: tasks.complete_task(
        s, task_id=_task_id(case)
    ),
    "desktop.services.tasks.list_tasks": lambda s, case: tasks.list_tasks(s, case_id=case.id),
    "desktop.services.tasks.list_possible_owners": lambda s, case: tasks.list_possible_owners(
        s, case_id=case.id
    ),
}
