"""The Chronology tab, driven by keys and clicks: add an entry, correct it with a reason and
see both versions, filter by kind, and export the PDF (issue 7, item 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
)

from desktop.services import categories, chronology, incidents
from desktop.services.cases import CaseRow, open_case
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.case_tabs.chronology_tab import ChronologyTab
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.typing import CTRL, choose, click, click_into, click_row, press, type_into

DAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def session(new_store: SetupResult) -> UserSession:
    return new_store.session


@pytest.fixture
def case(session: UserSession) -> CaseRow:
    return open_case(
        session,
        given_name="Zoë",
        family_name="O'Brien",
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 1, 5),
    )


def _tab(qtbot, session: UserSession, case: CaseRow, rows: int) -> ChronologyTab:
    tab = ChronologyTab(session, case.id)
    qtbot.addWidget(tab)
    tab.resize(960, 560)
    tab.show()
    qtbot.waitExposed(tab)
    _wait_rows(qtbot, tab, rows)
    return tab


def _table(tab: ChronologyTab) -> QTableWidget:
    return tab.findChild(QTableWidget, "eventsTable")


def _wait_rows(qtbot, tab: ChronologyTab, rows: int) -> None:
    qtbot.waitUntil(lambda: _table(tab).rowCount() == rows, timeout=5000)


def _dialog(qtbot, tab: ChronologyTab, name: str) -> QDialog:
    def visible():
        found = [d for d in tab.findChildren(QDialog, name) if d.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: visible() is not None, timeout=5000)
    dialog = visible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog


def _closed(dialog: QDialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def _save(qtbot, dialog: QDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
    click(qtbot, buttons.button(QDialogButtonBox.StandardButton.Save))


def _add(session: UserSession, case: CaseRow, summary: str, when: dt.datetime, kind="note"):
    return chronology.add_event(
        session, case_id=case.id, kind=kind, occurred_at=when, summary=summary
    )


def test_add_an_entry_by_keys(qtbot, session, case, messenger: FakeBackend) -> None:
    _add(session, case, "Later note", DAY + dt.timedelta(days=5))
    tab = _tab(qtbot, session, case, 1)
    click(qtbot, tab.findChild(QPushButton, "addEntryButton"))
    dialog = _dialog(qtbot, tab, "eventDialog")
    choose(qtbot, dialog.findChild(QComboBox, "kindCombo"), "Meeting")
    type_date_time(qtbot, dialog.findChild(QDateTimeEdit, "occurredEdit"), "02/02/2026 09:00")
    type_into(qtbot, dialog.findChild(QLineEdit, "summaryEdit"), "Meeting with Zoë O'Brien")
    press(qtbot, Qt.Key.Key_Tab)
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "detailEdit"), "Agreed: email only.\nMонday")
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: _closed(dialog), timeout=5000)
    _wait_rows(qtbot, tab, 2)
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
    _add(new_store.session, case, "Spoke to dad on the phone", DAY, kind="conversation")
    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    try:
        tab = _tab(qtbot, manager, case, 1)
        click_row(qtbot, _table(tab), 0)
        press(qtbot, Qt.Key.Key_Return)  # Enter opens the correction
        dialog = _dialog(qtbot, tab, "eventDialog")
        assert dialog.findChild(QLabel, "versionNote").isVisible()
        type_into(qtbot, dialog.findChild(QLineEdit, "summaryEdit"), "Spoke to mum on the phone")

        _save(qtbot, dialog)  # no reason yet: refused, and the dialog stays
        qtbot.waitUntil(lambda: len(messenger.said) == 1, timeout=5000)
        assert messenger.said[0][2] == "Say why the entry is being changed."
        reason = dialog.findChild(QLineEdit, "reasonEdit")
        assert dialog.isVisible() and reason.hasFocus()

        type_into(qtbot, reason, "It was mum, not dad.")
        _save(qtbot, dialog)
        qtbot.waitUntil(lambda: _closed(dialog), timeout=5000)
        table = _table(tab)
        qtbot.waitUntil(lambda: table.item(0, 4).text() == "Edited (2 versions)", timeout=5000)
        assert table.item(0, 2).text() == "Spoke to mum on the phone"
        assert table.item(0, 3).text().startswith("Alex Admin, ")  # who first recorded it

        qtbot.waitUntil(lambda: QApplication.activeWindow() is tab, timeout=5000)
        click_row(qtbot, table, 0)
        press(qtbot, Qt.Key.Key_H, CTRL)  # History
        history = _dialog(qtbot, tab, "historyDialog")
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
    _add(session, case, "A note", DAY)
    _add(session, case, "A meeting", DAY + dt.timedelta(hours=1), kind="meeting")
    tab = _tab(qtbot, session, case, 2)
    choose(qtbot, tab.findChild(QComboBox, "kindFilter"), "Meeting")
    _wait_rows(qtbot, tab, 1)
    assert _table(tab).item(0, 2).text() == "A meeting"
    choose(qtbot, tab.findChild(QComboBox, "kindFilter"), "All entries")
    _wait_rows(qtbot, tab, 2)


def test_ctrl_e_exports_the_pdf(qtbot, session, case, messenger, tmp_path: Path) -> None:
    _add(session, case, "Phoned mum", DAY)
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
    first = categories.list_categories(session)[0]
    incidents.record_incident(
        session,
        case_id=case.id,
        occurred_at=DAY,
        channel="telephone",
        description="Rang and shouted.",
        category_ids=[first.id],
    )
    tab = _tab(qtbot, session, case, 1)
    click_row(qtbot, _table(tab), 0)
    press(qtbot, Qt.Key.Key_Return)
    dialog = _dialog(qtbot, tab, "incidentDialog")
    assert dialog.findChild(QPlainTextEdit, "descriptionEdit").toPlainText() == "Rang and shouted."
    assert dialog.findChild(QLineEdit, "reasonEdit").isVisible()


def test_a_read_only_role_can_look_but_not_change(
    qtbot, new_store: SetupResult, store_path: Path, case: CaseRow
) -> None:
    _add(new_store.session, case, "A note", DAY)
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
