"""The case list's "Next due" column and its "Needs attention" box, in the main window over
a real encrypted store, driven with clicks and keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QTableView, QWidget

from desktop.dates import format_date, uk_today
from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.domain.sanctions import Phase
from desktop.services.setup import SetupResult
from desktop.ui.case_list import NEEDS_ATTENTION
from desktop.ui.case_table_model import LATE, NEXT_DUE, SUBJECT
from desktop.ui.main_window import MainWindow
from tests.services.case_support import open_parent_case
from tests.services.due_rows import add_restriction, add_task
from tests.ui.typing import LEFT, choose, click_into, focused, press

TODAY = uk_today()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def store(new_store: SetupResult) -> SetupResult:
    """Five open cases: a bar review three days late, a bar past its end unreviewed, a task
    due today, a plan ending in a month, and one with nothing due."""
    s = new_store.session
    late = open_parent_case(s, "Lara", "Late")
    add_restriction(
        s,
        late.id,
        state=RestrictionState.ACTIVE,
        phase=Phase.IN_FORCE,
        review_due=days(-3),
        ends=days(60),
    )
    ended = open_parent_case(s, "Eddie", "Ended")
    add_restriction(
        s,
        ended.id,
        state=RestrictionState.ACTIVE,
        phase=Phase.IN_FORCE,
        review_due=days(-30),
        ends=days(-2),
    )
    add_task(s, open_parent_case(s, "Tess", "Today").id, due_on=TODAY)
    plan = open_parent_case(s, "Paul", "Plan")
    add_restriction(
        s,
        plan.id,
        state=RestrictionState.ACTIVE,
        kind=RestrictionKind.COMMUNICATION_PLAN,
        phase=Phase.IN_FORCE,
        reviewed_on=days(-10),
        review_due=days(-12),
        ends=days(30),
    )
    open_parent_case(s, "Nora", "Nothing")
    return new_store


@pytest.fixture
def window(qtbot, store: SetupResult, state: QSettings, messenger) -> MainWindow:
    window = MainWindow(store.session, state=state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    return window


def shown(window: MainWindow) -> dict[str, str]:
    """Each row's subject and its "Next due" cell, as the table shows them."""
    model = window.case_table.model()
    return {
        model.index(row, SUBJECT).data(): model.index(row, NEXT_DUE).data()
        for row in range(model.rowCount())
    }


def row_of(window: MainWindow, subject: str) -> int:
    model = window.case_table.model()
    return next(r for r in range(model.rowCount()) if model.index(r, SUBJECT).data() == subject)


W = TypeVar("W", bound=QWidget)


def find(window: MainWindow, kind: type[W], name: str) -> W:
    found = window.findChild(kind, name)
    assert found is not None, name
    return found


def attention_box(window: MainWindow) -> QCheckBox:
    return find(window, QCheckBox, "needsAttentionCheck")


def click(qtbot, window: MainWindow, box: QCheckBox) -> None:
    """Tick or untick the box as a person does, and wait for the list to reload."""
    with qtbot.waitSignal(window.model.loaded, timeout=5000):
        qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))


def test_next_due_says_what_is_late_and_what_is_not(window: MainWindow) -> None:
    assert shown(window) == {
        "Lara Late": f"Overdue: Bar review ({format_date(days(-3))})",
        "Eddie Ended": f"Review overdue: Bar ended {format_date(days(-2))}",
        "Tess Today": "Today: Task due",
        "Paul Plan": f"{format_date(days(30))} Communication plan ends",
        "Nora Nothing": "",
    }
    model = window.case_table.model()
    header = model.headerData(NEXT_DUE, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    assert header == "Next due"

    def colour(subject: str) -> object:
        index = model.index(row_of(window, subject), NEXT_DUE)
        return index.data(Qt.ItemDataRole.ForegroundRole)

    late = colour("Lara Late")
    assert isinstance(late, QBrush) and late.color() == LATE  # red, and the words say so
    assert colour("Eddie Ended") == late
    assert colour("Tess Today") is None and colour("Nora Nothing") is None
    tip = model.index(row_of(window, "Eddie Ended"), NEXT_DUE).data(Qt.ItemDataRole.ToolTipRole)
    assert "end-of-period review" in tip


def test_ticking_needs_attention_leaves_only_the_cases_that_need_it(
    qtbot, window: MainWindow
) -> None:
    box = attention_box(window)
    assert box.isVisible() and not box.isChecked()
    assert window.model.total == 5
    click(qtbot, window, box)
    assert box.isChecked()
    assert set(shown(window)) == {"Lara Late", "Eddie Ended", "Tess Today"}
    assert find(window, QLabel, "countLabel").text() == "3 cases"

    # Another filter keeps the box's choice: no closed case needs attention here.
    with qtbot.waitSignal(window.model.loaded, timeout=5000):
        choose(qtbot, find(window, QComboBox, "statusCombo"), "Closed")
    assert window.model.total == 0 and box.isChecked()
    with qtbot.waitSignal(window.model.loaded, timeout=5000):
        choose(qtbot, find(window, QComboBox, "statusCombo"), "All statuses")
    assert set(shown(window)) == {"Lara Late", "Eddie Ended", "Tess Today"}

    click(qtbot, window, box)
    assert not box.isChecked()
    assert len(shown(window)) == 5


def test_the_box_comes_after_the_status_filter_and_is_ticked_with_space(
    qtbot, window: MainWindow
) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    click_into(qtbot, find(window, QLineEdit, "searchEdit"))
    reached = []
    for _ in range(3):  # the school, the status, then the box
        press(qtbot, Qt.Key.Key_Tab)
        reached.append(focused().objectName())
    assert reached == ["schoolCombo", "statusCombo", "needsAttentionCheck"]
    with qtbot.waitSignal(window.model.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_Space)
    assert attention_box(window).isChecked() and window.model.total == 3


def test_sorting_by_next_due_puts_the_most_pressing_first(qtbot, window: MainWindow) -> None:
    header = find(window, QTableView, "caseTable").horizontalHeader()
    middle = QPoint(
        header.sectionViewportPosition(NEXT_DUE) + header.sectionSize(NEXT_DUE) // 2,
        header.height() // 2,
    )
    with qtbot.waitSignal(window.model.modelReset, timeout=5000):
        qtbot.mouseClick(header.viewport(), LEFT, pos=middle)
    assert header.sortIndicatorSection() == NEXT_DUE
    assert list(shown(window)) == [
        "Lara Late",  # three days late
        "Eddie Ended",  # by its end, two days ago, as the list shows it
        "Tess Today",
        "Paul Plan",
        "Nora Nothing",  # nothing due: last
    ]


def test_the_box_gives_way_in_a_narrow_window(qtbot, window: MainWindow) -> None:
    box = attention_box(window)
    assert box.text() == NEEDS_ATTENTION
    window.resize(760, 600)
    qtbot.waitUntil(lambda: box.text() != NEEDS_ATTENTION, timeout=2000)
    assert box.text().endswith("…")
    assert box.accessibleName() == "Needs attention"
    assert window.width() < 800  # the filter bar does not hold the window wide
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: box.text() == NEEDS_ATTENTION, timeout=2000)
