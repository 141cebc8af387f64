"""The day's print queue over a real encrypted store, driven by keys and clicks: the letters
waiting, all ticked; the ticked ones printed in one job (into a PDF file in place of the
print dialog) and gone from the list while the unticked stay; a cancelled print; taking
letters off the queue; an empty queue; opening a letter; and the main window's menu item
with its count (issue 9, part 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog, QPushButton, QTreeWidget

from desktop.services import issued_letters
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.letter_viewer import LetterViewer
from desktop.ui.main_window import MainWindow
from desktop.ui.print_queue import PrintQueueWindow
from tests.pdfutil import pdf_page_count
from tests.services.sanction_support import trust_leader
from tests.ui.case_tab_support import closed
from tests.ui.fakes import FakeBackend
from tests.ui.letter_support import (
    CaseLetters,
    FakePrintDialog,
    audit_actions,
    issue_large_print_letter,
    issue_two_letters,
    letter_pdf,
    print_dialog,  # noqa: F401 - a fixture the print tests use
    printout_pages,
)
from tests.ui.typing import CTRL, click, click_row, press

SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    return trust_leader(new_store, store_path)


@pytest.fixture
def letters(leader: UserSession) -> CaseLetters:
    """Two letters waiting (the verbal warning's, then the written warning's)."""
    return issue_two_letters(leader)


@pytest.fixture
def third(leader: UserSession, letters: CaseLetters) -> int:
    """A third letter, in large print, on a case of its own, waiting after `letters`."""
    return issue_large_print_letter(leader)


def open_queue(qtbot, session: UserSession, rows: int) -> PrintQueueWindow:
    window = PrintQueueWindow(session)
    qtbot.addWidget(window)
    loads: list[bool] = []
    window.loaded.connect(lambda: loads.append(True))
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: bool(loads), timeout=5000)
    qtbot.waitUntil(lambda: listed(window) == rows, timeout=5000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return window


def queue_list(window: PrintQueueWindow) -> QTreeWidget:
    found = window.findChild(QTreeWidget, "queueList")
    assert found is not None
    return found


def listed(window: PrintQueueWindow) -> int:
    return queue_list(window).topLevelItemCount()


def cells(window: PrintQueueWindow) -> list[list[str]]:
    tree = queue_list(window)
    return [
        [tree.topLevelItem(row).text(column) for column in range(tree.columnCount())]
        for row in range(tree.topLevelItemCount())
    ]


def ticks(window: PrintQueueWindow) -> list[bool]:
    tree = queue_list(window)
    return [
        tree.topLevelItem(row).checkState(0) == Qt.CheckState.Checked
        for row in range(tree.topLevelItemCount())
    ]


def button(window, name: str) -> QPushButton:  # noqa: ANN001
    found = window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def queued_ids(session: UserSession) -> list[int]:
    return [letter.id for letter in issued_letters.print_queue(session)]


def test_the_queue_lists_every_letter_waiting_all_ticked(qtbot, leader, letters) -> None:
    window = open_queue(qtbot, leader, 2)
    reference = letters.case.reference
    day = cells(window)[0][3]
    assert cells(window) == [
        [reference, "Dana Driver", "Confirmation of a verbal warning", day, ""],
        [reference, "Dana Driver", "Formal written warning", day, ""],
    ]
    assert ticks(window) == [True, True]
    assert window.findChild(QLabel, "queueCount").text() == "2 of 2 letters ticked"
    assert not window.findChild(QLabel, "emptyNote").isVisible()
    click(qtbot, button(window, "selectNoneButton"))
    assert ticks(window) == [False, False]
    assert not button(window, "printSelectedButton").isEnabled()
    click(qtbot, button(window, "selectAllButton"))
    assert ticks(window) == [True, True]
    # The keyboard: the list takes the focus, Down moves, Space unticks the letter there.
    queue_list(window).setFocus()
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Space)
    assert ticks(window) == [True, False]
    assert window.findChild(QLabel, "queueCount").text() == "1 of 2 letters ticked"


def test_print_selected_prints_the_ticked_letters_in_one_job(
    qtbot,
    leader,
    letters,
    third,
    print_dialog: FakePrintDialog,  # noqa: F811
) -> None:
    window = open_queue(qtbot, leader, 3)
    assert queued_ids(leader) == [letters.warning, letters.written, third]
    click_row(qtbot, queue_list(window), 1)
    press(qtbot, Qt.Key.Key_Space)  # leave the written warning for later
    assert ticks(window) == [True, False, True]
    print_dialog.answers.append(True)
    with qtbot.waitSignal(window.loaded, timeout=10000):
        press(qtbot, Qt.Key.Key_P, CTRL)
    assert print_dialog.titles == ["Print 2 letters"]  # one dialog for the whole job
    [printed] = print_dialog.files
    first, last = letter_pdf(leader, letters.warning), letter_pdf(leader, third)
    output = printed.read_bytes()
    assert pdf_page_count(output) == pdf_page_count(first) + pdf_page_count(last)
    shown = printout_pages(output, [first, last, letter_pdf(leader, letters.written)])
    assert shown == [0] * pdf_page_count(first) + [1] * pdf_page_count(last)
    # Printed letters leave the queue; the one left unticked waits.
    qtbot.waitUntil(lambda: listed(window) == 1, timeout=5000)
    assert cells(window)[0][2] == "Formal written warning" and ticks(window) == [False]
    assert queued_ids(leader) == [letters.written]
    assert window.findChild(QLabel, "queueStatus").text() == "2 letters sent to the printer."
    for letter_id in (letters.warning, third):
        assert issued_letters.open_letter(leader, letter_id=letter_id).info.printed_at
    assert audit_actions(leader).count("letter.printed") == 2


def test_a_cancelled_print_records_nothing(
    qtbot,
    leader,
    letters,
    print_dialog: FakePrintDialog,  # noqa: F811
) -> None:
    window = open_queue(qtbot, leader, 2)
    print_dialog.answers.append(False)
    click(qtbot, button(window, "printSelectedButton"))
    qtbot.waitUntil(lambda: len(print_dialog.titles) == 1, timeout=5000)
    qtbot.waitUntil(lambda: button(window, "printSelectedButton").isEnabled(), timeout=5000)
    assert print_dialog.files == []
    assert queued_ids(leader) == [letters.warning, letters.written] and listed(window) == 2
    assert "letter.printed" not in audit_actions(leader)
    assert window.findChild(QLabel, "queueStatus").text() == "Nothing was recorded as printed."


def test_remove_from_queue_asks_first(qtbot, leader, letters, messenger: FakeBackend) -> None:
    window = open_queue(qtbot, leader, 2)
    click_row(qtbot, queue_list(window), 1)
    press(qtbot, Qt.Key.Key_Space)  # only the first stays ticked
    messenger.confirmations.append(False)
    click(qtbot, button(window, "removeFromQueueButton"))
    assert messenger.said[-1][0] == "confirm" and "Take 1 letter off" in messenger.said[-1][2]
    assert queued_ids(leader) == [letters.warning, letters.written]
    messenger.confirmations.append(True)
    with qtbot.waitSignal(window.loaded, timeout=5000):
        click(qtbot, button(window, "removeFromQueueButton"))
    qtbot.waitUntil(lambda: listed(window) == 1, timeout=5000)
    assert queued_ids(leader) == [letters.written]
    assert cells(window)[0][2] == "Formal written warning"
    assert audit_actions(leader).count("letter.unqueued") == 1
    assert "letter.printed" not in audit_actions(leader)


def test_an_empty_queue_says_so(qtbot, leader) -> None:
    window = open_queue(qtbot, leader, 0)
    note = window.findChild(QLabel, "emptyNote")
    assert note.isVisible() and note.text() == "No letters are waiting to be printed."
    assert not queue_list(window).isVisible()
    assert not button(window, "printSelectedButton").isEnabled()
    assert not button(window, "removeFromQueueButton").isEnabled()


def test_enter_opens_the_letter_under_the_cursor(qtbot, leader, letters) -> None:
    window = open_queue(qtbot, leader, 2)
    click_row(qtbot, queue_list(window), 1)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.findChildren(LetterViewer)), timeout=5000)
    [viewer] = window.findChildren(LetterViewer)
    assert viewer.letter_id == letters.written
    qtbot.waitUntil(
        lambda: viewer.findChild(QLabel, "letterTitle").text() == "Formal written warning",
        timeout=5000,
    )
    # Taking it off the queue from the viewer takes it off the list.
    with qtbot.waitSignal(window.loaded, timeout=5000):
        click(qtbot, button(viewer, "queueButton"))
    assert cells(window)[0][2] == "Confirmation of a verbal warning" and listed(window) == 1


def test_the_main_window_counts_the_queue_and_opens_it(
    qtbot,
    leader,
    letters,
    tmp_path: Path,
    print_dialog: FakePrintDialog,  # noqa: F811
) -> None:
    state = QSettings(str(tmp_path / "state.ini"), QSettings.Format.IniFormat)
    main = MainWindow(leader, state=state)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    action = main.findChild(QAction, "printQueueAction")
    assert [k.toString() for k in action.shortcuts()] == ["Ctrl+Shift+P"]
    qtbot.waitUntil(lambda: action.text() == "&Print queue (2)…", timeout=5000)
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=5000)
    press(qtbot, Qt.Key.Key_P, CTRL | SHIFT)
    qtbot.waitUntil(lambda: main.windows.print_queue is not None, timeout=5000)
    window = main.windows.print_queue
    assert isinstance(window, PrintQueueWindow)
    qtbot.waitUntil(lambda: listed(window) == 2, timeout=5000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    print_dialog.answers.append(True)
    with qtbot.waitSignal(window.loaded, timeout=10000):
        press(qtbot, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: listed(window) == 0, timeout=5000)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(window), timeout=5000)
    qtbot.waitUntil(lambda: action.text() == "&Print queue…", timeout=5000)
    assert main.windows.print_queue is None


def test_a_long_run_shows_its_progress(
    qtbot,
    leader,
    letters,
    print_dialog: FakePrintDialog,  # noqa: F811
) -> None:
    more = issue_two_letters(leader)
    large = issue_large_print_letter(leader)
    window = open_queue(qtbot, leader, 5)
    seen: list[str] = []

    def watch() -> None:  # the progress window, while the letters are being printed
        seen.extend(w.labelText() for w in window.findChildren(QProgressDialog) if w.isVisible())

    timer = QTimer(window)
    timer.timeout.connect(watch)
    timer.start(0)
    print_dialog.answers.append(True)
    with qtbot.waitSignal(window.loaded, timeout=20000):
        click(qtbot, button(window, "printSelectedButton"))
    timer.stop()
    assert seen and seen[-1].startswith("Printed ") and seen[-1].endswith(" of 5…")
    every = (letters.warning, letters.written, more.warning, more.written, large)
    pages = sum(pdf_page_count(letter_pdf(leader, letter_id)) for letter_id in every)
    assert pdf_page_count(print_dialog.files[0].read_bytes()) == pages
    qtbot.waitUntil(lambda: listed(window) == 0, timeout=5000)
    assert audit_actions(leader).count("letter.printed") == 5
