"""The retention review window, driven by keys and clicks over a real encrypted store:
the records due, deleting chosen ones after a confirmation naming how many, cancelling,
keeping longer with a reason and a date, the certificate saved and printed, and a folder
the certificate cannot go to.

The store's cases are closed today; the services' clock (and the window's) is moved seven
years on, as the retention service reads it, so they are past every period.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.dates import uk_today
from desktop.services import casefile
from desktop.services import retention as retention_service
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.storage import models as m
from desktop.ui import retention_window
from desktop.ui.retention_window import NOTHING_DUE, KeepLongerDialog, RetentionWindow
from tests.pdfutil import pdf_text
from tests.services.case_support import audit_details, open_parent_case
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.letter_support import FakePrintDialog, print_dialog  # noqa: F401 - a fixture
from tests.ui.typing import click, click_row, type_into

LATER = uk_today() + dt.timedelta(days=7 * 365)


@pytest.fixture(autouse=True)
def seven_years_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention_service, "uk_today", lambda: LATER)
    monkeypatch.setattr(retention_window, "uk_today", lambda: LATER)


def _closed(session: UserSession, given: str, family: str) -> CaseRow:
    case = open_parent_case(session, given, family)
    casefile.close_case(session, case_id=case.id, reason="Resolved.")
    return case


def _cases(session: UserSession) -> int:
    with session.transaction() as db:
        return db.scalar(select(func.count()).select_from(m.Case)) or 0


def _open(qtbot, session: UserSession, rows: int) -> RetentionWindow:
    window = RetentionWindow(session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: "retention period under" in window.intro.text(), timeout=5000)
    assert window.table.rowCount() == rows
    return window


@pytest.fixture
def two_due(session: UserSession) -> list[CaseRow]:
    """Two closed cases past their period, and one open case that never falls due."""
    open_parent_case(session, "Olive", "Open")
    return [_closed(session, "Amos", "Aged"), _closed(session, "Bette", "Bygone")]


def _column(window: RetentionWindow, column: int) -> list[str]:
    items = [window.table.item(row, column) for row in range(window.table.rowCount())]
    return [item.text() if item is not None else "" for item in items]


def test_the_window_lists_what_is_due_with_nothing_chosen_yet(
    qtbot, session: UserSession, two_due: list[CaseRow]
) -> None:
    window = _open(qtbot, session, 2)
    assert _column(window, 1) == ["Amos Aged", "Bette Bygone"]
    assert _column(window, 2) == ["Closed case (no written warning or sanction)"] * 2
    assert "Trust retention schedule: parental conduct records" in window.intro.text()
    assert "2 years after closing" in window.intro.text()
    assert not window.delete_button.isEnabled() and not window.keep_button.isEnabled()
    assert not window.save_button.isEnabled() and not window.print_button.isEnabled()


def test_nothing_due_says_so(qtbot, session: UserSession) -> None:
    open_parent_case(session, "Olive", "Open")
    window = _open(qtbot, session, 0)
    assert window.status.text() == NOTHING_DUE
    assert not window.select_all_button.isEnabled()


def test_deleting_one_asks_first_naming_how_many_then_offers_the_certificate(
    qtbot,
    session: UserSession,
    two_due: list[CaseRow],
    messenger: FakeBackend,
    tmp_path: Path,
    print_dialog: FakePrintDialog,  # noqa: F811 - the fixture
) -> None:
    window = _open(qtbot, session, 2)
    before = _cases(session)
    click_row(qtbot, window.table, 1)
    messenger.confirmations.append(True)
    with qtbot.waitSignal(window.deleted, timeout=20000) as deleted:
        click(qtbot, window.delete_button)
    kind, title, text = messenger.said[0]
    assert (kind, title) == ("confirm", "Delete records for good")
    assert text.startswith("Delete 1 record for good") and "cannot be undone" in text
    result = deleted.args[0]
    assert _cases(session) == before - 1
    qtbot.waitUntil(lambda: window.table.rowCount() == 1, timeout=5000)
    assert _column(window, 1) == ["Amos Aged"]  # the one not chosen stays
    assert f"Certificate number {result.certificate}" in window.status.text()
    assert window.save_button.isEnabled() and window.print_button.isEnabled()

    messenger.paths.append(tmp_path / "certificate")  # no suffix typed: .pdf is added
    click(qtbot, window.save_button)
    saved = tmp_path / "certificate.pdf"
    qtbot.waitUntil(lambda: "Certificate saved as certificate.pdf" in window.status.text())
    assert window.print_button.isEnabled()
    text = pdf_text(saved.read_bytes())
    assert "Certificate of deletion" in text and "Bygone" not in text

    print_dialog.answers.append(True)
    click(qtbot, window.print_button)
    qtbot.waitUntil(lambda: len(audit_details(session, "retention.certificate_printed")) == 1)
    assert print_dialog.files and print_dialog.files[0].exists()


def test_cancelling_the_confirmation_deletes_nothing(
    qtbot, session: UserSession, two_due: list[CaseRow], messenger: FakeBackend
) -> None:
    window = _open(qtbot, session, 2)
    before = _cases(session)
    click(qtbot, window.select_all_button)
    assert len(window.chosen()) == 2
    messenger.confirmations.append(False)
    click(qtbot, window.delete_button)
    assert messenger.said[0][0] == "confirm"
    assert messenger.said[0][2].startswith("Delete 2 records for good")
    assert _cases(session) == before
    assert window.table.rowCount() == 2 and not window.save_button.isEnabled()


def test_keeping_both_longer_takes_a_reason_and_a_date(
    qtbot, session: UserSession, two_due: list[CaseRow], messenger: FakeBackend
) -> None:
    window = _open(qtbot, session, 2)
    click(qtbot, window.select_all_button)
    click(qtbot, window.keep_button)
    qtbot.waitUntil(lambda: window.findChild(KeepLongerDialog) is not None, timeout=2000)
    dialog = window.findChild(KeepLongerDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    review = LATER + dt.timedelta(days=200)
    click(qtbot, dialog.ok_button)  # no reason yet
    qtbot.waitUntil(lambda: bool(messenger.said), timeout=5000)
    assert messenger.said[0][0] == "warn" and "Say why" in messenger.said[0][2]
    assert dialog.isVisible()
    type_into(qtbot, dialog.reason, "A complaint to the Ombudsman is still open.")
    type_date_time(qtbot, dialog.review_on, review.strftime("%d/%m/%Y"))
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: window.table.rowCount() == 0, timeout=10000)
    assert window.status.text().startswith("Kept 2 records longer")
    assert retention_service.due_records(session, today=review) != []
    kept = retention_service.due_records(session, today=review)
    assert {r.kept_reason for r in kept} == {"A complaint to the Ombudsman is still open."}


def test_a_certificate_for_a_folder_that_does_not_exist_is_refused_in_words(
    qtbot,
    session: UserSession,
    two_due: list[CaseRow],
    messenger: FakeBackend,
    tmp_path: Path,
) -> None:
    window = _open(qtbot, session, 2)
    click_row(qtbot, window.table, 0)
    messenger.confirmations.append(True)
    with qtbot.waitSignal(window.deleted, timeout=20000):
        click(qtbot, window.delete_button)
    messenger.paths.append(tmp_path / "gone" / "certificate.pdf")
    click(qtbot, window.save_button)
    qtbot.waitUntil(lambda: messenger.said[-1][0] == "warn", timeout=5000)
    assert "does not exist" in messenger.said[-1][2]
    assert not (tmp_path / "gone").exists()
    assert audit_details(session, "retention.certificate_saved") == []
