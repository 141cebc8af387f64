"""The letter viewer over a real encrypted store, driven by keys and clicks: an issued letter's
facts and pages, zoom, printing (into a PDF file in place of the print dialog) and a
cancelled print, saving a copy, the print queue toggle, a damaged letter, and opening a
letter from the Chronology and Sanctions tabs (issue 9, part 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QTableWidget, QWidget
from sqlalchemy import update

from desktop.dates import format_date
from desktop.services import issued_letters
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage.models import IssuedLetter
from desktop.ui.case_tabs.chronology_tab import ChronologyTab
from desktop.ui.case_tabs.sanctions_tab import SanctionsTab
from desktop.ui.letter_viewer import LetterViewer, show_letter
from tests.pdfutil import pdf_page_count
from tests.services.sanction_support import trust_leader
from tests.ui.case_tab_support import closed, show_tab
from tests.ui.fakes import FakeBackend
from tests.ui.letter_support import (
    CaseLetters,
    FakePrintDialog,
    audit_actions,
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
    return issue_two_letters(leader)


@pytest.fixture
def host(qtbot) -> QWidget:
    """A window for viewers to belong to, as a case window's tab does."""
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    return window


def open_viewer(qtbot, host: QWidget, session: UserSession, letter_id: int) -> LetterViewer:
    """The letter's viewer, opened as a tab opens it, once it shows the letter and has the
    keyboard."""
    viewer = show_letter(session, letter_id, host)
    qtbot.waitSignal(viewer.shown, timeout=5000).wait()
    viewer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is viewer, timeout=5000)
    return viewer


def text(viewer: LetterViewer, name: str) -> str:
    label = viewer.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


def button(window: QWidget, name: str) -> QPushButton:
    found = window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def info(session: UserSession, letter_id: int) -> issued_letters.LetterInfo:
    return issued_letters.open_letter(session, letter_id=letter_id).info


def test_the_viewer_shows_the_letter_its_facts_and_zooms_by_keys(
    qtbot, host, leader, letters
) -> None:
    letter = info(leader, letters.written)
    viewer = open_viewer(qtbot, host, leader, letters.written)
    assert viewer.windowTitle() == f"Formal written warning — {letters.case.reference}"
    assert text(viewer, "letterTitle") == "Formal written warning"
    assert text(viewer, "letterRecipient") == "Dana Driver"
    assert text(viewer, "letterReference") == letters.case.reference
    assert text(viewer, "letterIssued") == f"{format_date(letter.issued_on)} by Casey"
    assert text(viewer, "letterSignature") == "Ann Ash · To be signed by hand"
    assert text(viewer, "letterWording") == "version default"
    assert text(viewer, "letterLargePrint") == "No"
    assert text(viewer, "letterPrinting") == "Waiting in the print queue"
    assert text(viewer, "letterSha256") == f"{letter.sha256[:16]}…"
    assert viewer.findChild(QLabel, "letterSha256").toolTip() == letter.sha256
    assert not viewer.findChild(QLabel, "letterCorrection").isVisible()
    pages = pdf_page_count(letter_pdf(leader, letters.written))
    assert text(viewer, "pdfPageNumber") == f"Page 1 of {pages}"
    page = viewer.findChild(QLabel, "pdfPageImage")
    start = page.pixmap().width()
    assert start > 500

    press(qtbot, Qt.Key.Key_Plus, CTRL)
    assert page.pixmap().width() > start
    press(qtbot, Qt.Key.Key_Minus, CTRL)
    press(qtbot, Qt.Key.Key_Minus, CTRL)
    assert page.pixmap().width() < start
    press(qtbot, Qt.Key.Key_0, CTRL)  # fit the width of the view
    room = viewer.pdf_view.scroll_area.viewport().width()
    assert room - 60 < page.pixmap().width() <= room

    assert show_letter(leader, letters.written, host) is viewer  # one each
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(viewer), timeout=5000)


def test_a_correction_names_the_letter_it_corrects(qtbot, host, leader, letters) -> None:
    newer = issued_letters.issue_correction(leader, letter_id=letters.warning, large_print=True)
    old = open_viewer(qtbot, host, leader, letters.warning)
    assert text(old, "letterCorrection") == f"Corrected by letter {newer.id}"
    assert old.findChild(QLabel, "letterCorrection").isVisible()
    new = open_viewer(qtbot, host, leader, newer.id)
    assert text(new, "letterCorrection") == f"Corrects letter {letters.warning}"
    assert text(new, "letterLargePrint") == "Yes"


def test_print_prints_the_letter_and_records_it(
    qtbot,
    host,
    leader,
    letters,
    print_dialog: FakePrintDialog,  # noqa: F811
) -> None:
    viewer = open_viewer(qtbot, host, leader, letters.warning)
    print_dialog.answers.append(True)
    with qtbot.waitSignal(viewer.updated, timeout=5000):
        press(qtbot, Qt.Key.Key_P, CTRL)
    assert print_dialog.titles == [
        f"Print {letters.case.reference} Confirmation of a verbal warning"
    ]
    [printed] = print_dialog.files
    letter = letter_pdf(leader, letters.warning)
    assert pdf_page_count(printed.read_bytes()) == pdf_page_count(letter)
    other = letter_pdf(leader, letters.written)
    assert set(printout_pages(printed.read_bytes(), [letter, other])) == {0}  # this letter
    assert text(viewer, "letterStatus") == "Sent to the printer."
    assert text(viewer, "letterPrinting").startswith("Printed ")
    assert info(leader, letters.warning).printed_at is not None
    assert info(leader, letters.written).printed_at is None
    assert audit_actions(leader).count("letter.printed") == 1
    assert [x.id for x in issued_letters.print_queue(leader)] == [letters.written]


def test_a_print_cancelled_at_the_dialog_records_nothing(
    qtbot,
    host,
    leader,
    letters,
    print_dialog: FakePrintDialog,  # noqa: F811
) -> None:
    viewer = open_viewer(qtbot, host, leader, letters.warning)
    print_dialog.answers.append(False)
    click(qtbot, button(viewer, "printButton"))
    assert len(print_dialog.titles) == 1 and print_dialog.files == []
    qtbot.wait(100)  # a write, had one been started, would have come back by now
    assert info(leader, letters.warning).printed_at is None
    assert "letter.printed" not in audit_actions(leader)
    assert text(viewer, "letterPrinting") == "Waiting in the print queue"
    assert text(viewer, "letterStatus") == ""


def test_save_as_pdf_writes_the_letter_as_issued(
    qtbot, host, leader, letters, messenger: FakeBackend, tmp_path: Path
) -> None:
    open_viewer(qtbot, host, leader, letters.written)
    messenger.paths.append(tmp_path / "for the solicitor")
    press(qtbot, Qt.Key.Key_S, CTRL | SHIFT)
    qtbot.waitUntil(lambda: messenger.said and messenger.said[-1][0] == "info", timeout=5000)
    kind, title, suggested = messenger.said[0]
    assert kind == "save_path"
    assert Path(suggested).name == f"{letters.case.reference} Formal written warning.pdf"
    saved = tmp_path / "for the solicitor.pdf"
    assert saved.read_bytes() == letter_pdf(leader, letters.written)
    assert messenger.said[-1][1] == "Letter saved" and str(saved) in messenger.said[-1][2]
    assert "not encrypted" in messenger.said[-1][2]
    assert audit_actions(leader).count("letter.saved_as_pdf") == 1


def test_save_as_pdf_cancelled_writes_nothing(
    qtbot, host, leader, letters, messenger: FakeBackend, tmp_path: Path
) -> None:
    viewer = open_viewer(qtbot, host, leader, letters.written)
    click(qtbot, button(viewer, "saveAsPdfButton"))  # no path given: the person cancelled
    assert [said[0] for said in messenger.said] == ["save_path"]
    assert "letter.saved_as_pdf" not in audit_actions(leader)
    assert not list(tmp_path.glob("*.pdf"))


def test_the_queue_button_adds_and_removes_the_letter(qtbot, host, leader, letters) -> None:
    viewer = open_viewer(qtbot, host, leader, letters.warning)
    queue = button(viewer, "queueButton")
    assert queue.text() == "Remove from print &queue"
    with qtbot.waitSignal(viewer.updated, timeout=5000):
        click(qtbot, queue)
    assert queue.text() == "Add to print &queue"
    assert text(viewer, "letterPrinting") == "Not printed from Casebook"
    assert [x.id for x in issued_letters.print_queue(leader)] == [letters.written]
    with qtbot.waitSignal(viewer.updated, timeout=5000):
        click(qtbot, queue)
    assert queue.text() == "Remove from print &queue"
    assert {x.id for x in issued_letters.print_queue(leader)} == {
        letters.warning,
        letters.written,
    }
    assert audit_actions(leader).count("letter.unqueued") == 1


def test_a_damaged_letter_is_not_shown(qtbot, host, leader, letters) -> None:
    with leader.transaction(write=True) as db:
        db.execute(
            update(IssuedLetter)
            .where(IssuedLetter.id == letters.warning)
            .values(pdf=b"%PDF-1.4 altered")
        )
    viewer = open_viewer(qtbot, host, leader, letters.warning)
    message = viewer.findChild(QLabel, "viewerMessage")
    assert message.isVisible() and "fingerprint" in message.text()
    assert not viewer.pdf_view.isVisible()
    for name in ("printButton", "saveAsPdfButton", "queueButton"):
        assert not button(viewer, name).isEnabled()


def _viewer(window: QWidget) -> LetterViewer | None:
    found = [v for v in window.findChildren(LetterViewer) if shiboken6.isValid(v)]
    return found[-1] if found else None


def test_view_letter_from_the_chronology(qtbot, leader, letters) -> None:
    tab = ChronologyTab(leader, letters.case.id)
    show_tab(qtbot, tab, (1000, 560), "eventsTable", 6, active=True)
    table = tab.findChild(QTableWidget, "eventsTable")
    view = button(tab, "viewLetterButton")
    rows = {e.letter_id: row for row, e in enumerate(tab.events)}
    click_row(qtbot, table, 0)  # an incident: no letter
    assert not view.isEnabled()
    click_row(qtbot, table, rows[letters.written])
    assert view.isEnabled()
    click(qtbot, view)
    qtbot.waitUntil(lambda: _viewer(tab) is not None, timeout=5000)
    viewer = _viewer(tab)
    assert viewer is not None and viewer.letter_id == letters.written
    qtbot.waitUntil(lambda: text(viewer, "letterTitle") == "Formal written warning", timeout=5000)
    viewer.close()
    qtbot.waitUntil(lambda: _viewer(tab) is None, timeout=5000)

    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab, timeout=5000)
    click_row(qtbot, table, rows[letters.warning])
    press(qtbot, Qt.Key.Key_Return)  # Enter on a letter's entry opens the letter
    qtbot.waitUntil(lambda: _viewer(tab) is not None, timeout=5000)
    viewer = _viewer(tab)
    assert viewer is not None and viewer.letter_id == letters.warning
    qtbot.waitUntil(lambda: text(viewer, "letterTitle").startswith("Confirmation"), timeout=5000)


def test_the_sanctions_tab_lists_the_letters_and_opens_one(qtbot, leader, letters) -> None:
    tab = SanctionsTab(leader, letters.case.id)
    show_tab(qtbot, tab, (1000, 640), "stepsTable", 2, loaded=True, active=True)
    table = tab.findChild(QTableWidget, "lettersTable")
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == [
        "Formal written warning",
        "Confirmation of a verbal warning",
    ]
    assert table.item(0, 4).text() == "Waiting in the print queue"
    click_row(qtbot, table, 1)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _viewer(tab) is not None, timeout=5000)
    viewer = _viewer(tab)
    assert viewer is not None and viewer.letter_id == letters.warning
    qtbot.waitUntil(lambda: button(viewer, "queueButton").isEnabled(), timeout=5000)
    with qtbot.waitSignal(tab.loaded, timeout=5000):  # the tab shows what the viewer did
        click(qtbot, button(viewer, "queueButton"))
    assert table.item(1, 4).text() == "Not printed from Casebook"


def test_reissue_in_large_print_keeps_the_old_letter_and_opens_the_new(
    qtbot, host, leader, letters, messenger: FakeBackend
) -> None:
    backend = messenger
    backend.confirmations.extend([False, True])
    viewer = open_viewer(qtbot, host, leader, letters.warning)
    reissue = button(viewer, "reissueButton")
    assert reissue.isEnabled()
    viewer.large_print_action.trigger()  # declined: nothing issued
    assert [s[0] for s in backend.said] == ["confirm"]
    assert info(leader, letters.warning).superseded_by_id is None
    viewer.large_print_action.trigger()
    qtbot.waitUntil(lambda: info(leader, letters.warning).superseded_by_id is not None)
    newer = info(leader, info(leader, letters.warning).superseded_by_id)
    assert newer.large_print and newer.queued and newer.supersedes_id == letters.warning
    qtbot.waitUntil(lambda: "Corrected already" in reissue.toolTip(), timeout=5000)
    assert not reissue.isEnabled()
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, LetterViewer) and w.letter_id == newer.id
            for w in QApplication.topLevelWidgets()
        ),
        timeout=5000,
    )
