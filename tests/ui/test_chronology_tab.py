"""The Chronology tab, driven by keys and clicks: add an entry, correct it with a reason and
see both versions, filter by kind, and export the PDF (issue 7, item 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
)

from desktop.services import chronology
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.case_tabs.chronology_tab import ChronologyTab
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import add_entry, open_parent_case, record_first_kind
from tests.ui.case_tab_support import click_save, closed, show_tab, visible_dialog, wait_rows
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.typing import CTRL, choose, click, click_into, click_row, press, type_into

DAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
TABLE = "eventsTable"


@pytest.fixture
def case(session: UserSession) -> CaseRow:
    return open_parent_case(session, "Zoë", "O'Brien")


def _tab(qtbot, session: UserSession, case: CaseRow, rows: int) -> ChronologyTab:
    return show_tab(qtbot, ChronologyTab(session, case.id), (960, 560), TABLE, rows)


def _table(tab: ChronologyTab) -> QTableWidget:
    return tab.findChild(QTableWidget, TABLE)


def test_add_an_entry_by_keys(qtbot, session, case, messenger: FakeBackend) -> None:
    add_entry(session, case, "Later note", DAY + dt.timedelta(days=5))
    tab = _tab(qtbot, session, case, 1)
    click(qtbot, tab.findChild(QPushButton, "addEntryButton"))
    dialog = visible_dialog(qtbot, tab, "eventDialog")
    choose(qtbot, dialog.findChild(QComboBox, "kindCombo"), "Meeting")
    type_date_time(qtbot, dialog.findChild(QDateTimeEdit, "occurredEdit"), "02/02/2026 09:00")
    type_into(qtbot, dialog.findChild(QLineEdit, "summaryEdit"), "Meeting with Zoë O'Brien")
    press(qtbot, Qt.Key.Key_Tab)
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "detailEdit"), "Agreed: email only.\nMонday")
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    wait_rows(qtbot, tab, TABLE, 2)
    table = _table(tab)
    # Date order: the new meeting happened first, so it comes first.
    assert [table.item(0, c).text() for c in range(4)] == [
        "02/02/2026 09:00",
        "Meeting",
        "Meeting with Zoë O'Brien",
        table.item(0, 3).text(),
    ]
    assert table.item(0, 3).text().startswith("Alex Admin, ")
    assert table.item(0, 4).text() == ""
    [meeting] = chronology.list_events(session, case_id=case.id, kinds=["meeting"])
    assert meeting.detail == "Agreed: email only.\nMонday"
    assert messenger.said == []


def test_correct_an_entry_with_a_reason_and_see_both_versions(
    qtbot, new_store: SetupResult, store_path: Path, case: CaseRow, messenger: FakeBackend
) -> None:
    add_entry(new_store.session, case, "Spoke to dad on the phone", DAY, kind="conversation")
    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    try:
        tab = _tab(qtbot, manager, case, 1)
        click_row(qtbot, _table(tab), 0)
        press(qtbot, Qt.Key.Key_Return)  # Enter opens the correction
        dialog = visible_dialog(qtbot, tab, "eventDialog")
        assert dialog.findChild(QLabel, "versionNote").isVisible()
        type_into(qtbot, dialog.findChild(QLineEdit, "summaryEdit"), "Spoke to mum on the phone")

        click_save(qtbot, dialog)  # no reason yet: refused, and the dialog stays
        qtbot.waitUntil(lambda: len(messenger.said) == 1, timeout=5000)
        assert messenger.said[0][2] == "Say why the entry is being changed."
        reason = dialog.findChild(QLineEdit, "reasonEdit")
        assert dialog.isVisible() and reason.hasFocus()

        type_into(qtbot, reason, "It was mum, not dad.")
        click_save(qtbot, dialog)
        qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
        table = _table(tab)
        qtbot.waitUntil(lambda: table.item(0, 4).text() == "Edited (2 versions)", timeout=5000)
        assert table.item(0, 2).text() == "Spoke to mum on the phone"
        assert table.item(0, 3).text().startswith("Alex Admin, ")  # who first recorded it

        qtbot.waitUntil(lambda: QApplication.activeWindow() is tab, timeout=5000)
        click_row(qtbot, table, 0)
        press(qtbot, Qt.Key.Key_H, CTRL)  # History
        history = visible_dialog(qtbot, tab, "historyDialog")
        versions = history.findChild(QTableWidget, "versionsTable")
        qtbot.waitUntil(lambda: versions.rowCount() == 2, timeout=5000)
        rows = [[versions.item(r, c).text() for c in (0, 2, 3, 5)] for r in range(2)]
        assert rows == [
            ["1 of 2", "Spoke to dad on the phone", "Alex Admin", "First recorded"],
            ["2 of 2", "Spoke to mum on the phone", "Bm", "It was mum, not dad."],
        ]
        click_row(qtbot, versions, 0)
        shown = history.findChild(QPlainTextEdit, "versionDetail").toPlainText()
        assert "Spoke to dad on the phone" in shown and "Version 1" in shown
    finally:
        manager.close()


def test_the_kind_filter_shows_one_kind(qtbot, session, case) -> None:
    add_entry(session, case, "A note", DAY)
    add_entry(session, case, "A meeting", DAY + dt.timedelta(hours=1), kind="meeting")
    tab = _tab(qtbot, session, case, 2)
    choose(qtbot, tab.findChild(QComboBox, "kindFilter"), "Meeting")
    wait_rows(qtbot, tab, TABLE, 1)
    assert _table(tab).item(0, 2).text() == "A meeting"
    choose(qtbot, tab.findChild(QComboBox, "kindFilter"), "All entries")
    wait_rows(qtbot, tab, TABLE, 2)


def test_ctrl_e_exports_the_pdf(qtbot, session, case, messenger, tmp_path: Path) -> None:
    add_entry(session, case, "Phoned mum", DAY)
    tab = _tab(qtbot, session, case, 1)
    target = tmp_path / "for the legal team"
    messenger.paths.append(target)
    click_into(qtbot, _table(tab))
    press(qtbot, Qt.Key.Key_E, CTRL)
    saved = target.with_name("for the legal team.pdf")
    qtbot.waitUntil(lambda: any(m[0] == "info" for m in messenger.said), timeout=10_000)
    assert messenger.said[0] == (
        "save_path",
        "Export the chronology",
        f"{case.reference} chronology.pdf",
    )
    text = pdf_text(saved.read_bytes())
    assert case.reference in text and "Phoned mum" in text


def test_an_incident_entry_opens_the_incident(qtbot, session, case) -> None:
    record_first_kind(session, case, DAY, "telephone", "Rang and shouted.")
    tab = _tab(qtbot, session, case, 1)
    click_row(qtbot, _table(tab), 0)
    press(qtbot, Qt.Key.Key_Return)
    dialog = visible_dialog(qtbot, tab, "incidentDialog")
    assert dialog.findChild(QPlainTextEdit, "descriptionEdit").toPlainText() == "Rang and shouted."
    assert dialog.findChild(QLineEdit, "reasonEdit").isVisible()


def test_a_read_only_role_can_look_but_not_change(
    qtbot, new_store: SetupResult, store_path: Path, case: CaseRow
) -> None:
    add_entry(new_store.session, case, "A note", DAY)
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", schools=())
    try:
        tab = _tab(qtbot, auditor, case, 1)
        assert not tab.findChild(QPushButton, "addEntryButton").isEnabled()
        assert not tab.findChild(QPushButton, "editEntryButton").isEnabled()
        assert tab.findChild(QPushButton, "historyButton").isEnabled()
        click_row(qtbot, _table(tab), 0)
        press(qtbot, Qt.Key.Key_Return)
        qtbot.wait(100)
        assert not [d for d in tab.findChildren(QDialog) if d.isVisible()]
    finally:
        auditor.close()


def test_an_empty_chronology_says_so(qtbot, session, case) -> None:
    tab = _tab(qtbot, session, case, 0)
    qtbot.waitUntil(lambda: tab.findChild(QLabel, "emptyNote").isVisible(), timeout=5000)
    assert not tab.findChild(QPushButton, "editEntryButton").isEnabled()
