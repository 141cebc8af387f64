"""From the main window: the status bar's count, Ctrl+Shift+C to the calendar, and an
agenda item opening its case where the item is settled (issue 10, parts 2 and 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QTreeView

from desktop.dates import uk_today
from desktop.domain.due import DueKind
from desktop.services import due, tasks
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.calendar_agenda import ITEM_ROLE
from desktop.ui.due_reminders import dismiss_for_today
from desktop.ui.lifecycle_dialogs import ReviewDecisionDialog
from desktop.ui.main_window import MainWindow
from tests.services.sanction_support import (
    april_bar,
    trust_leader,
)
from tests.ui.typing import CTRL, LEFT, press

SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    return trust_leader(new_store, store_path)


@pytest.fixture
def barred(leader: UserSession) -> CaseRow:
    """A bar noticed in April 2026, its review never recorded: overdue now."""
    return april_bar(leader)[0]


@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


def main_window(qtbot, session: UserSession, state: QSettings) -> MainWindow:
    window = MainWindow(session, state=state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return window


def test_the_calendar_opens_a_case_at_its_overdue_review(
    qtbot, leader: UserSession, barred: CaseRow, state: QSettings
) -> None:
    dismiss_for_today(state, leader, uk_today())  # this test is not about the reminder
    window = main_window(qtbot, leader, state)
    qtbot.waitUntil(lambda: window.due_label.summary is not None, timeout=5000)
    assert window.due_label.accessibleName().startswith("Due: 3 overdue")
    press(qtbot, Qt.Key.Key_C, CTRL | SHIFT)
    qtbot.waitUntil(lambda: window.windows.calendar is not None, timeout=5000)
    calendar = window.windows.calendar
    qtbot.waitUntil(calendar.isVisible, timeout=5000)
    calendar.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is calendar, timeout=5000)
    view = calendar.findChild(QTreeView, "agendaView")
    assert view is not None
    model = view.model()
    qtbot.waitUntil(lambda: model.rowCount() >= 3, timeout=5000)
    kinds = [model.index(row, 0).data(ITEM_ROLE).kind for row in range(model.rowCount())]
    row = kinds.index(DueKind.BAR_REVIEW)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(model.index(row, 0)).center())
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: barred.id in window.windows.cases, timeout=5000)

    def review_dialog() -> ReviewDecisionDialog | None:
        found = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, ReviewDecisionDialog) and w.isVisible()
        ]
        return found[0] if found else None

    qtbot.waitUntil(lambda: review_dialog() is not None, timeout=5000)
    case_window = window.windows.cases[barred.id]
    assert case_window.tab_widget.currentWidget().objectName() == "sanctionsTab"
    review_dialog().reject()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    window.search_edit.setFocus()
    press(qtbot, Qt.Key.Key_L, CTRL)  # locking closes the calendar too
    qtbot.waitUntil(lambda: window.windows.calendar is None, timeout=5000)


def test_a_task_item_opens_the_tasks_tab_on_that_task(
    qtbot, leader: UserSession, barred: CaseRow, state: QSettings
) -> None:
    dismiss_for_today(state, leader, uk_today())
    task = tasks.add_task(leader, case_id=barred.id, title="Ring the parent", due_on=uk_today())
    window = main_window(qtbot, leader, state)
    item = next(i for i in due.due_items(leader) if i.kind is DueKind.TASK)
    window._open_due(item)
    case_window = window.windows.cases[barred.id]
    tab = case_window.tab_widget.currentWidget()
    assert tab.objectName() == "tasksTab"
    qtbot.waitUntil(lambda: tab.current_task() is not None, timeout=5000)
    assert tab.current_task().id == task.id
