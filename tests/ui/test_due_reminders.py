"""The reminder after sign-in and the status bar's count of what falls due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QWidget

from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.due_reminders import (
    MAX_LISTED,
    DueStatusLabel,
    ReminderDialog,
    dismissed_today,
    remind,
)
from tests.services.due_rows import add_task
from tests.services.sanction_support import (
    D,
    april_bar,
    trust_leader,
)
from tests.ui.typing import click, tick

TODAY = D(2026, 4, 15)  # the day after the representations deadline


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    session = trust_leader(new_store, store_path)
    april_bar(session)
    return session


@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def host(qtbot) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_reminder_lists_what_is_due_and_can_be_put_off_for_today(
    qtbot, host: QWidget, leader: UserSession, state: QSettings
) -> None:
    opened: list[bool] = []
    remind(host, leader, state, lambda: opened.append(True), today=TODAY)
    qtbot.waitUntil(lambda: getattr(host, "reminder", None) is not None, timeout=5000)
    dialog: ReminderDialog = host.reminder  # type: ignore[attr-defined]
    rows = dialog.findChild(QTreeWidget, "reminderList")
    texts = [rows.topLevelItem(i).text(2) for i in range(rows.topLevelItemCount())]
    assert texts == ["Representations deadline", "Bar review"]
    assert rows.topLevelItem(0).text(1) == "Overdue"
    assert "1 overdue, 1 due this week" in dialog.findChild(QWidget, "reminderHeading").text()
    tick(qtbot, dialog.not_today)
    assert dialog.not_today.isChecked()
    click(qtbot, dialog.calendar_button)
    assert opened == [True]
    assert dismissed_today(state, leader, TODAY)
    assert not dismissed_today(state, leader, TODAY + dt.timedelta(days=1))
    host.reminder = None  # type: ignore[attr-defined]
    remind(host, leader, state, lambda: None, today=TODAY)
    qtbot.wait(300)
    assert host.reminder is None  # type: ignore[attr-defined]


def test_a_long_reminder_lists_twelve_and_counts_the_rest(
    qtbot, host: QWidget, new_store: SetupResult, store_path: Path, state: QSettings
) -> None:
    session = trust_leader(new_store, store_path)
    case, _ = april_bar(session)
    for days in range(1, 16):  # fifteen tasks overdue, the oldest first in the list
        add_task(session, case.id, due_on=TODAY - dt.timedelta(days=days), title=f"Task {days}")
    remind(host, session, state, lambda: None, today=TODAY)
    qtbot.waitUntil(lambda: getattr(host, "reminder", None) is not None, timeout=5000)
    dialog: ReminderDialog = host.reminder  # type: ignore[attr-defined]
    rows = dialog.findChild(QTreeWidget, "reminderList")
    assert rows.topLevelItemCount() == MAX_LISTED == 12
    assert rows.topLevelItem(0).text(0) == "31/03/2026"  # fifteen days overdue
    more = dialog.findChild(QLabel, "reminderMore")
    assert more.isVisibleTo(dialog)
    assert more.text() == "…and 5 more in the calendar."  # 15 tasks and the bar's 2 items
    assert "16 overdue, 1 due this week" in dialog.findChild(QWidget, "reminderHeading").text()


def test_closing_without_ticking_reminds_again_next_time(
    qtbot, host: QWidget, leader: UserSession, state: QSettings
) -> None:
    remind(host, leader, state, lambda: None, today=TODAY)
    qtbot.waitUntil(lambda: getattr(host, "reminder", None) is not None, timeout=5000)
    qtbot.keyClick(host.reminder, Qt.Key.Key_Escape)  # type: ignore[attr-defined]
    assert not dismissed_today(state, leader, TODAY)


def test_nothing_due_shows_no_reminder(
    qtbot, host: QWidget, new_store: SetupResult, store_path: Path, state: QSettings
) -> None:
    remind(host, trust_leader(new_store, store_path), state, lambda: None, today=TODAY)
    qtbot.wait(300)
    assert getattr(host, "reminder", None) is None


def test_the_status_label_counts_and_opens_the_calendar(qtbot, leader: UserSession) -> None:
    label = DueStatusLabel()
    qtbot.addWidget(label)
    label.show()
    label.refresh(leader, today=TODAY)
    qtbot.waitUntil(lambda: label.summary is not None, timeout=5000)
    assert label.accessibleName() == "Due: 1 overdue, 1 due this week"
    assert "b42318" in label.styleSheet()
    with qtbot.waitSignal(label.open_calendar, timeout=2000):
        label.linkActivated.emit("calendar")
