"""The disclosure log window, driven by keys and clicks over a real encrypted store: the log
newest first with UK dates and the basis in words, filtered by basis and by days, and a
disclosure recorded through its dialog (each field typed or chosen), a refusal said plainly
with the focus on the field to fix and everything typed kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidgetItem

from desktop.domain.disclosures import LegalBasis
from desktop.services import disclosures
from desktop.services.cases import open_case
from desktop.services.disclosures import DisclosureDraft
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.disclosure_log import DisclosureLog, RecordDisclosureDialog, open_disclosure_log
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.typing import choose, click, press, tick, type_into

D = dt.date


def _log(session: UserSession, day: dt.date, basis: LegalBasis, recipient: str) -> None:
    disclosures.record_disclosure(
        session,
        DisclosureDraft(
            basis=basis,
            recipient=recipient,
            what="Copies of two letters\nand the incident log",
            disclosed_on=day,
            authorised_by_id=session.actor.user_id,
        ),
    )


@pytest.fixture
def logged(session: UserSession) -> None:
    _log(session, D(2026, 1, 15), LegalBasis.INSPECTION, "Ofsted")
    _log(session, D(2026, 3, 2), LegalBasis.LEGAL_AUTHORITY, "Oakfield Police")
    _log(session, D(2025, 11, 30), LegalBasis.INSPECTION, "Ofsted again")


def _open(qtbot, session: UserSession) -> DisclosureLog:
    window = DisclosureLog(session)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=10000):
        window.show()
        qtbot.waitExposed(window)
    return window


def _back_to(qtbot, window) -> None:
    """The window active again after a drop-down list closed, as a person's next click
    would make it (offscreen, the list's frame keeps the activation)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


def _cell(window: DisclosureLog, row: int, column: int) -> QTableWidgetItem:
    item = window.table.item(row, column)
    assert item is not None
    return item


def _column(window: DisclosureLog, column: int) -> list[str]:
    return [_cell(window, row, column).text() for row in range(window.table.rowCount())]


def test_the_log_lists_newest_first_in_words(qtbot, session: UserSession, logged) -> None:
    window = _open(qtbot, session)
    assert _column(window, 0) == ["02/03/2026", "15/01/2026", "30/11/2025"]
    assert _column(window, 1) == [
        "Another legal authority",
        "School inspection",
        "School inspection",
    ]
    assert _column(window, 2) == ["Oakfield Police", "Ofsted", "Ofsted again"]
    assert _column(window, 3)[0] == "Copies of two letters …"
    assert _cell(window, 0, 3).toolTip() == "Copies of two letters\nand the incident log"
    assert _column(window, 4) == ["Alex Admin"] * 3
    assert window.count_label.text() == "3 disclosures listed"


def test_the_log_filters_by_basis_and_days(qtbot, session: UserSession, logged) -> None:
    window = _open(qtbot, session)
    with qtbot.waitSignal(window.loaded, timeout=5000):
        choose(qtbot, window.basis_combo, "School inspection")
    assert _column(window, 2) == ["Ofsted", "Ofsted again"]
    _back_to(qtbot, window)
    with qtbot.waitSignal(window.loaded, timeout=5000):
        tick(qtbot, window.from_check)
    type_date_time(qtbot, window.from_edit, "01/01/2026")
    with qtbot.waitSignal(window.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_Tab)
    assert _column(window, 2) == ["Ofsted"]
    with qtbot.waitSignal(window.loaded, timeout=5000):
        choose(qtbot, window.basis_combo, "Secretary of State")
    assert window.table.rowCount() == 0 and window.empty_note.isVisible()


def _dialog(qtbot, window: DisclosureLog) -> RecordDisclosureDialog:
    click(qtbot, window.record_button)
    dialog = window.findChild(RecordDisclosureDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.authoriser_combo.count() > 0, timeout=5000)
    qtbot.waitExposed(dialog)
    return dialog


def test_a_disclosure_is_recorded_through_the_dialog(
    qtbot, session: UserSession, new_store: SetupResult, store_path: Path
) -> None:
    sign_in_new_user(new_store, store_path, "hugh", "headteacher").close()
    sign_in_new_user(new_store, store_path, "bea", "business_manager").close()
    case = open_case(
        session,
        given_name="Pat",
        family_name="Parker",
        relationship="parent",
        school_ids=[1],
        opened_on=D(2026, 1, 5),
    )
    window = _open(qtbot, session)
    dialog = _dialog(qtbot, window)
    offered = [dialog.authoriser_combo.itemText(i) for i in range(dialog.authoriser_combo.count())]
    assert offered == ["Alex Admin (Data protection lead / administrator)", "Hugh (Headteacher)"]
    assert dialog.authoriser_combo.currentIndex() == 0  # the person recording, to start
    choose(qtbot, dialog.basis_combo, "School inspection")
    type_into(qtbot, dialog.recipient_edit, "Ofsted lead inspector")
    type_into(qtbot, dialog.what_edit, "The behaviour log for the spring term")
    type_date_time(qtbot, dialog.date_edit, "04/02/2026")
    choose(qtbot, dialog.authoriser_combo, "Hugh (Headteacher)")
    type_into(qtbot, dialog.case_edit, case.reference)
    with qtbot.waitSignal(window.loaded, timeout=10000):
        click(qtbot, dialog.ok_button)
    (row,) = disclosures.list_disclosures(session)
    assert dataclasses.astuple(row)[1:7] == (
        LegalBasis.INSPECTION,
        "Ofsted lead inspector",
        "The behaviour log for the spring term",
        D(2026, 2, 4),
        "Hugh",
        case.reference,
    )
    assert _column(window, 2) == ["Ofsted lead inspector"]
    assert _column(window, 5) == [case.reference]
    assert audit_details(session, "disclosure.recorded") == [
        {"disclosure_id": row.id, "basis": "inspection"}
    ]


def test_a_refusal_keeps_the_dialog_open_at_the_field_to_fix(
    qtbot, session: UserSession, messenger: FakeBackend
) -> None:
    window = _open(qtbot, session)
    dialog = _dialog(qtbot, window)
    type_into(qtbot, dialog.recipient_edit, "Department for Education")
    click(qtbot, dialog.ok_button)  # no basis chosen
    qtbot.waitUntil(lambda: bool(messenger.said), timeout=5000)
    assert messenger.said[-1] == (
        "warn",
        "Record a disclosure",
        "Choose the legal basis for the disclosure.",
    )
    qtbot.waitUntil(dialog.basis_combo.hasFocus, timeout=2000)
    assert dialog.isVisible() and dialog.recipient_edit.text() == "Department for Education"
    choose(qtbot, dialog.basis_combo, "Secretary of State")
    _back_to(qtbot, dialog)
    click(qtbot, dialog.ok_button)  # nothing said of what was disclosed
    qtbot.waitUntil(lambda: len(messenger.said) == 2, timeout=5000)
    assert "What was disclosed" in messenger.said[-1][2]
    qtbot.waitUntil(dialog.what_edit.hasFocus, timeout=2000)
    assert disclosures.list_disclosures(session) == []
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert disclosures.list_disclosures(session) == []


def test_opening_it_again_brings_the_same_window_forward(qtbot, session: UserSession) -> None:
    from PySide6.QtWidgets import QWidget

    owner = QWidget()
    qtbot.addWidget(owner)
    first = open_disclosure_log(owner, session)
    qtbot.waitSignal(first.loaded, timeout=5000).wait()
    assert open_disclosure_log(owner, session) is first
    assert QApplication.activeModalWidget() is None  # not modal: the main window stays usable
    first.close()
