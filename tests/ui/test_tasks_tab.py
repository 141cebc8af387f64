"""The Tasks tab, driven by keys and clicks: add a task, see overdue ones flagged in words
and red, tick them done with Space or the box, and change one (issue 7, item 7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
)

from desktop.dates import uk_today
from desktop.domain.roles import Role
from desktop.services import tasks
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.case_tabs.tasks_tab import DONE, OVERDUE, OVERDUE_RED, STATUS, TasksTab
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import open_parent_case
from tests.ui.case_tab_support import click_save, closed, show_tab, visible_dialog
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.typing import choose, click, click_row, press, tick, type_into


@pytest.fixture
def case(session: UserSession) -> CaseRow:
    return open_parent_case(session, "Zoë", "O'Brien")


def _tab(qtbot, session: UserSession, case: CaseRow, rows: int) -> TasksTab:
    tab = TasksTab(session, case.id)
    # loaded: the owners to offer are known
    return show_tab(qtbot, tab, (900, 400), "tasksTable", rows, loaded=True, active=True)


def _table(tab: TasksTab) -> QTableWidget:
    return tab.findChild(QTableWidget, "tasksTable")


def _dialog(qtbot, tab: TasksTab) -> QDialog:
    return visible_dialog(qtbot, tab, "taskDialog")


def _done(session: UserSession, case: CaseRow) -> list[bool]:
    return [t.done for t in tasks.list_tasks(session, case_id=case.id)]


def test_add_a_task_by_keys(qtbot, session, case, messenger: FakeBackend) -> None:
    tab = _tab(qtbot, session, case, 0)
    click(qtbot, tab.findChild(QPushButton, "addTaskButton"))
    dialog = _dialog(qtbot, tab)
    click_save(qtbot, dialog)  # nothing typed: refused, and the dialog stays open
    qtbot.waitUntil(lambda: len(messenger.said) == 1, timeout=5000)
    assert messenger.said[0][2] == "The task is required."
    assert dialog.isVisible() and dialog.findChild(QLineEdit, "taskTitleEdit").hasFocus()

    type_into(qtbot, dialog.findChild(QLineEdit, "taskTitleEdit"), "Ring Zoë back")
    type_date_time(qtbot, dialog.findChild(QDateEdit, "taskDueEdit"), "15/03/2027")
    choose(
        qtbot,
        dialog.findChild(QComboBox, "taskOwnerCombo"),
        f"Alex Admin ({Role.DATA_PROTECTION_LEAD.label})",
    )
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "taskNotesEdit"), "About the meeting")
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    qtbot.waitUntil(lambda: _table(tab).rowCount() == 1, timeout=5000)
    table = _table(tab)
    assert [table.item(0, c).text() for c in range(1, 5)] == [
        "Ring Zoë back",
        "15/03/2027",
        "Alex Admin",
        "",
    ]
    [saved] = tasks.list_tasks(session, case_id=case.id)
    assert (saved.due_on, saved.notes) == (dt.date(2027, 3, 15), "About the meeting")


def test_a_task_without_a_due_date(qtbot, session, case) -> None:
    tab = _tab(qtbot, session, case, 0)
    click(qtbot, tab.findChild(QPushButton, "addTaskButton"))
    dialog = _dialog(qtbot, tab)
    type_into(qtbot, dialog.findChild(QLineEdit, "taskTitleEdit"), "Keep an eye on the gate")
    tick(qtbot, dialog.findChild(QCheckBox, "noDueDateBox"))
    assert not dialog.findChild(QDateEdit, "taskDueEdit").isEnabled()
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: _table(tab).rowCount() == 1, timeout=5000)
    assert _table(tab).item(0, 2).text() == "No date"


def test_overdue_is_said_in_words_and_red(qtbot, session, case) -> None:
    tasks.add_task(session, case_id=case.id, title="Later", due_on=uk_today() + dt.timedelta(1))
    tasks.add_task(session, case_id=case.id, title="Late", due_on=uk_today() - dt.timedelta(1))
    tab = _tab(qtbot, session, case, 2)
    table = _table(tab)
    late = [r for r in range(2) if table.item(r, 1).text() == "Late"][0]
    assert table.item(late, STATUS).text() == OVERDUE
    assert table.item(late, STATUS).foreground().color() == OVERDUE_RED
    assert table.item(1 - late, STATUS).text() == ""
    assert tab.findChild(type(tab.summary), "tasksSummary").text() == "2 to do, 1 overdue"


def test_space_and_the_box_tick_a_task_done_and_back(qtbot, session, case) -> None:
    tasks.add_task(session, case_id=case.id, title="Late", due_on=uk_today() - dt.timedelta(1))
    tab = _tab(qtbot, session, case, 1)
    table = _table(tab)
    click_row(qtbot, table, 0, 1)
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_Space)
    assert _done(session, case) == [True]
    assert table.item(0, STATUS).text().startswith("Done ")
    assert table.item(0, DONE).checkState() == Qt.CheckState.Checked
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_Space)
    assert _done(session, case) == [False]
    assert table.item(0, STATUS).text() == OVERDUE
    cell = table.visualRect(table.model().index(0, DONE))
    box = QPoint(cell.left() + 10, cell.center().y())  # the tick box sits at the cell's left
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=box)
    assert _done(session, case) == [True]


def test_enter_changes_the_selected_task(qtbot, session, case) -> None:
    tasks.add_task(session, case_id=case.id, title="Ring back", due_on=dt.date(2027, 1, 4))
    tab = _tab(qtbot, session, case, 1)
    click_row(qtbot, _table(tab), 0, 1)
    press(qtbot, Qt.Key.Key_Return)
    dialog = _dialog(qtbot, tab)
    assert dialog.findChild(QDateEdit, "taskDueEdit").text() == "04/01/2027"
    type_into(qtbot, dialog.findChild(QLineEdit, "taskTitleEdit"), "Ring back twice")
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: _table(tab).item(0, 1).text() == "Ring back twice", timeout=5000)
    assert [t.title for t in tasks.list_tasks(session, case_id=case.id)] == ["Ring back twice"]


def test_a_read_only_role_cannot_change_tasks(
    qtbot, new_store: SetupResult, store_path: Path, case: CaseRow
) -> None:
    tasks.add_task(new_store.session, case_id=case.id, title="Ring back", due_on=None)
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", [])
    try:
        tab = _tab(qtbot, auditor, case, 1)
        for name in ("addTaskButton", "editTaskButton", "doneTaskButton"):
            assert not tab.findChild(QPushButton, name).isEnabled()
        click_row(qtbot, _table(tab), 0, 1)
        press(qtbot, Qt.Key.Key_Space)
        qtbot.wait(200)
        assert _done(new_store.session, case) == [False]
        assert not _table(tab).item(0, DONE).flags() & Qt.ItemFlag.ItemIsUserCheckable
    finally:
        auditor.close()
