"""The subject access window, by keys and clicks over a real store: recording a request for
a person found by name, refusing one received in the future, ticking a name to hide and
saving, exporting the bundle, and its password shown once with Copy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import pyzipper
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox

from desktop.services import subject_access as sar
from desktop.services.session import UserSession
from desktop.ui.subject_access_window import SubjectAccessWindow, open_subject_access
from tests.services.case_support import open_parent_case, record_first_kind
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.typing import click, click_row

TODAY = dt.date(2026, 3, 10)


def tick_row(qtbot, view, row: int) -> None:
    """Click the tick box at the start of a row, as a person does."""
    index = view.model().index(row, 0)
    view.scrollTo(index)
    box = view.visualRect(index)
    where = QPoint(box.left() + box.height() // 2, box.center().y())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)


@pytest.fixture
def window(qtbot, session: UserSession) -> SubjectAccessWindow:
    case = open_parent_case(session, "Dana", "Fletcher")
    record_first_kind(
        session, case, dt.datetime(2026, 2, 1, 9, 0), "on_site", "Shouted at Tom Marsh."
    )
    open_parent_case(session, "Tom", "Marsh")
    shown = SubjectAccessWindow(session, today=TODAY)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _new_request(qtbot, window: SubjectAccessWindow, name: str, received: str):
    click(qtbot, window.new_button)
    dialog = window.request_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.waitUntil(lambda: dialog.results.count() > 1, timeout=5000)
    type_date_time(qtbot, dialog.received, received)
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    return dialog


def test_record_review_redact_and_export(qtbot, window, messenger: FakeBackend, tmp_path: Path):
    dialog = _new_request(qtbot, window, "Dana", "02/03/2026")
    qtbot.waitUntil(lambda: window.requests.topLevelItemCount() == 1, timeout=5000)
    assert not dialog.isVisible()
    row = window.requests.topLevelItem(0)
    assert row.text(1) == "Dana Fletcher" and row.text(3) == "02/04/2026"
    qtbot.waitUntil(lambda: window.flags.topLevelItemCount() > 0, timeout=5000)
    names = [window.flags.topLevelItem(i).text(2) for i in range(window.flags.topLevelItemCount())]
    assert "Tom Marsh" in names
    click_row(qtbot, window.flags, names.index("Tom Marsh"), 2)
    click(qtbot, window.tick_name_button)
    click(qtbot, window.save_button)
    qtbot.waitUntil(
        lambda: window.review is not None and bool(window.review.redactions), timeout=5000
    )
    request_id = window.current_request().id
    assert {
        r.text for r in sar.review_request(window.session, request_id=request_id).redactions
    } >= {"Tom Marsh"}

    showing = len(window.review.flags) - len(window.review.redactions)
    # A tick not yet saved: the bundle would not hide it, so nothing is exported.
    items = window.passage_items()
    row = next(i for i, item in enumerate(items) if item.checkState(0) != Qt.CheckState.Checked)
    tick_row(qtbot, window.flags, row)
    assert items[row].checkState(0) == Qt.CheckState.Checked
    click(qtbot, window.export_button)
    assert messenger.said[-1][:2] == ("warn", "Save the redactions first")
    assert not (tmp_path / "bundle.zip").exists()
    tick_row(qtbot, window.flags, row)  # and back
    assert items[row].checkState(0) == Qt.CheckState.Unchecked

    # Passages still showing are named, and the export waits for a yes.
    messenger.paths.append(tmp_path / "bundle.zip")
    click(qtbot, window.export_button)
    kind, title, text = messenger.said[-1]
    assert (kind, title) == ("confirm", "Export without hiding them?")
    assert text.startswith(f"{showing} passage")
    assert not (tmp_path / "bundle.zip").exists()
    messenger.confirmations.append(True)
    click(qtbot, window.export_button)
    qtbot.waitUntil(lambda: window.password_dialog is not None, timeout=10000)
    shown = window.password_dialog
    password = shown.password_label.text()
    with pyzipper.AESZipFile(tmp_path / "bundle.zip") as archive:
        archive.setpassword(password.encode())
        assert b"Tom Marsh" not in archive.read("records.json")
    click(qtbot, shown.copy_button)
    assert QGuiApplication.clipboard().text() == password
    qtbot.waitUntil(lambda: "Answered" in window.requests.topLevelItem(0).text(4), timeout=5000)


def test_a_request_received_in_the_future_is_refused(qtbot, window, messenger: FakeBackend):
    dialog = _new_request(qtbot, window, "Dana", "11/03/2026")
    qtbot.waitUntil(lambda: any(s[0] == "warn" for s in messenger.said), timeout=5000)
    assert "future" in messenger.said[-1][2]
    assert dialog.isVisible() and window.requests.topLevelItemCount() == 0


def test_open_subject_access_shows_one_window_at_the_request(qtbot, session: UserSession):
    first = sar.record_request(
        session, person_id=None, requester_name="Kim Nobody", received_on=dt.date(2026, 3, 2)
    )
    window = open_subject_access(None, session, request_id=first.id)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.current_request() is not None, timeout=5000)
    assert window.current_request().id == first.id
    assert open_subject_access(None, session) is window
    qtbot.waitUntil(lambda: "no records" in window.review_label.text(), timeout=5000)
    # qtbot closes it (and with it, being deleted on close, the window itself)
