"""Settings › Letter templates, driven by keys and clicks: every letter listed, the preview
following the typing, faulty wording shown and refused at its line, saving a version,
restoring the default, inserting a field, and unsaved wording never lost without asking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTabWidget,
)

from desktop.dates import format_datetime
from desktop.services import letter_wording
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui import letter_templates_page
from desktop.ui.letter_templates_page import LetterTemplatesPage
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.wording_editor import WordingEditor
from tests.pdfutil import pdf_page_count, pdf_text
from tests.services.accounts import sign_in_new_user
from tests.ui.fakes import FakeBackend
from tests.ui.test_settings_dialog import choose_page, open_dialog
from tests.ui.typing import LEFT, click, click_into, click_row, press, tick, type_into

CTRL = Qt.KeyboardModifier.ControlModifier
PHRASE = "Our trust values every family."
T = TypeVar("T", bound=QObject)


def w(parent: QObject, kind: type[T], name: str) -> T:
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def letters_page(qtbot, session: UserSession) -> tuple[SettingsDialog, LetterTemplatesPage]:
    dialog = open_dialog(qtbot, session)
    choose_page(qtbot, dialog, "Letter templates")
    page = dialog.current_page()
    assert isinstance(page, LetterTemplatesPage)
    return dialog, page


def editor(page: LetterTemplatesPage) -> WordingEditor:
    return w(page, WordingEditor, "wordingEdit")


def shown_type(page: LetterTemplatesPage) -> str:
    types = w(page, QListWidget, "typesList")
    return str(types.currentItem().data(Qt.ItemDataRole.UserRole))


def preview_text(page: LetterTemplatesPage) -> str:
    return pdf_text(page.preview_pdf) if page.preview_pdf else ""


def wait_for_preview(qtbot, page: LetterTemplatesPage, phrase: str) -> None:
    qtbot.waitUntil(lambda: phrase in preview_text(page), timeout=8000)


def type_at_end(qtbot, page: LetterTemplatesPage, text: str) -> None:
    type_into(qtbot, editor(page), text, replace=False)


def version_of(session: UserSession, type_id: str) -> str:
    return letter_wording.letter_wording(session, type_id=type_id).version


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Answers to "Save your changes to the wording?", in order. With none left (the dialog
    closed at the end of a test) the answer is "discard", so no real box ever waits."""
    queue: list[str] = []

    def ask(_parent, _title: str) -> str:
        return queue.pop(0) if queue else "discard"

    monkeypatch.setattr(letter_templates_page, "ask_unsaved", ask)
    yield queue
    assert not queue, f"questions expected but not asked: {queue}"


# -- what the page shows ----------------------------------------------------------------------
def test_every_letter_type_is_listed_with_its_version(qtbot, new_store: SetupResult) -> None:
    _dialog, page = letters_page(qtbot, new_store.session)
    wordings = letter_wording.letter_wordings(new_store.session)
    types = w(page, QListWidget, "typesList")
    assert types.count() == len(wordings) == 11
    for row, wording in enumerate(wordings):
        title, status = types.item(row).text().split("\n")
        assert title == wording.title
        assert status.strip() == "default"
    assert shown_type(page) == wordings[0].type_id
    assert editor(page).toPlainText() == wordings[0].text
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    assert editor(page).font().family() == fixed.family()
    # The preview of the shipped wording arrives by itself.
    wait_for_preview(qtbot, page, "Dear")


def test_the_preview_follows_the_typing(qtbot, new_store: SetupResult) -> None:
    _dialog, page = letters_page(qtbot, new_store.session)
    wait_for_preview(qtbot, page, "Dear")
    assert PHRASE not in preview_text(page)
    type_at_end(qtbot, page, f"\n\n{PHRASE}")
    wait_for_preview(qtbot, page, PHRASE)
    assert "not saved" in w(page, QListWidget, "typesList").currentItem().text()
    position = w(page, QLabel, "cursorPosition").text()
    assert position.startswith(f"Line {editor(page).document().blockCount()},")

    pages = pdf_page_count(page.preview_pdf or b"")
    tick(qtbot, w(page, QCheckBox, "largePrintCheck"))
    qtbot.waitUntil(lambda: pdf_page_count(page.preview_pdf or b"") > pages, timeout=8000)
    assert PHRASE in preview_text(page)


def test_an_unknown_field_is_shown_at_its_line_and_cannot_be_saved(
    qtbot, new_store: SetupResult
) -> None:
    _dialog, page = letters_page(qtbot, new_store.session)
    type_id = shown_type(page)
    wait_for_preview(qtbot, page, "Dear")
    type_at_end(qtbot, page, "\n\nWe asked {{ nope }} to help.")
    line = editor(page).document().blockCount()
    problem = w(page, QLabel, "previewProblem")
    qtbot.waitUntil(problem.isVisible, timeout=8000)
    assert problem.text().startswith(f"Line {line}:")
    assert "nope" in problem.text()
    assert page.preview_pdf is None and not page.preview.isVisible()

    press(qtbot, Qt.Key.Key_Home, CTRL)  # the cursor away from the faulty line
    assert editor(page).textCursor().blockNumber() == 0
    click(qtbot, w(page, QPushButton, "saveWordingButton"))
    error = w(page, QLabel, "wordingError")
    qtbot.waitUntil(error.isVisible, timeout=8000)
    assert error.text().startswith(f"Line {line}:")
    assert editor(page).textCursor().blockNumber() + 1 == line
    assert editor(page).hasFocus()
    assert version_of(new_store.session, type_id) == "default"
    assert "{{ nope }}" in editor(page).toPlainText()  # what was typed is kept to correct


def test_save_makes_a_version_and_restore_default_goes_back(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    admin = new_store.session
    _dialog, page = letters_page(qtbot, admin)
    type_id = shown_type(page)
    shipped = editor(page).toPlainText()
    types = w(page, QListWidget, "typesList")
    restore = w(page, QPushButton, "restoreDefaultButton")
    assert not restore.isEnabled()

    type_at_end(qtbot, page, f"\n\n{PHRASE}")
    press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: "v1" in types.currentItem().text(), timeout=8000)
    saved = letter_wording.letter_wording(admin, type_id=type_id)
    assert saved.version == "v1" and saved.edited and PHRASE in saved.text
    assert "not saved" not in types.currentItem().text()
    history = w(page, QTableWidget, "wordingHistoryTable")
    assert cell(history, 0, 0) == "v1"
    assert cell(history, 0, 2) == "Alex Admin"
    assert cell(history, 0, 1) == format_datetime(saved.history[0].saved_at)  # 24/11/2026 14:05
    assert not w(page, QPushButton, "saveWordingButton").isEnabled()

    messenger.confirmations.append(True)
    click(qtbot, restore)
    qtbot.waitUntil(lambda: types.currentItem().text().endswith("default"), timeout=8000)
    asked = [text for kind, _title, text in messenger.said if kind == "confirm"]
    assert len(asked) == 1 and "kept in the history" in asked[0]
    restored = letter_wording.letter_wording(admin, type_id=type_id)
    assert restored.version == "default" and not restored.edited
    assert editor(page).toPlainText() == shipped
    assert [cell(history, row, 0) for row in range(history.rowCount())] == [
        "Default (restored)",
        "v1",
    ]


def test_saying_no_to_restore_changes_nothing(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    admin = new_store.session
    type_id = letter_wording.letter_wordings(admin)[0].type_id
    edited = letter_wording.letter_wording(admin, type_id=type_id).text + f"\n\n{PHRASE}"
    letter_wording.save_wording(admin, type_id=type_id, text=edited)
    _dialog, page = letters_page(qtbot, admin)
    messenger.confirmations.append(False)
    click(qtbot, w(page, QPushButton, "restoreDefaultButton"))
    assert [kind for kind, _t, _x in messenger.said] == ["confirm"]
    qtbot.wait(200)
    assert version_of(admin, type_id) == "v1"
    assert PHRASE in editor(page).toPlainText()


def test_a_field_is_put_in_at_the_cursor_by_double_click_or_enter(
    qtbot, new_store: SetupResult
) -> None:
    dialog, page = letters_page(qtbot, new_store.session)
    click_into(qtbot, editor(page))
    press(qtbot, Qt.Key.Key_End, CTRL)
    tabs = w(page, QTabWidget, "sideTabs")
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(1).center())
    fields = w(page, QListWidget, "fieldsList")
    qtbot.waitUntil(fields.isVisible, timeout=2000)
    names = [fields.item(r).data(Qt.ItemDataRole.UserRole) for r in range(fields.count())]
    assert "school_name" in names and "recipient_name" in names
    assert "{{ school_name }}" in fields.item(names.index("school_name")).text()

    row = names.index("school_name")
    click_row(qtbot, fields, row)
    rect = fields.visualRect(fields.model().index(row, 0))
    qtbot.mouseDClick(fields.viewport(), LEFT, pos=rect.center())
    assert editor(page).toPlainText().endswith("{{ school_name }}")
    assert editor(page).hasFocus()

    click_row(qtbot, fields, names.index("recipient_name"))
    press(qtbot, Qt.Key.Key_Return)
    assert editor(page).toPlainText().endswith("{{ school_name }}{{ recipient_name }}")
    assert dialog.isVisible()  # Enter put the field in; it did not press OK


# -- unsaved wording --------------------------------------------------------------------------
def test_leaving_a_letter_with_unsaved_wording_asks(
    qtbot, new_store: SetupResult, answers: list[str]
) -> None:
    admin = new_store.session
    _dialog, page = letters_page(qtbot, admin)
    types = w(page, QListWidget, "typesList")
    first, second = shown_type(page), types.item(1).data(Qt.ItemDataRole.UserRole)
    type_at_end(qtbot, page, f"\n\n{PHRASE}")

    answers.append("cancel")
    click_row(qtbot, types, 1)
    assert shown_type(page) == first and PHRASE in editor(page).toPlainText()

    answers.append("discard")
    click_row(qtbot, types, 1)
    assert shown_type(page) == second and PHRASE not in editor(page).toPlainText()
    assert version_of(admin, first) == "default"

    type_at_end(qtbot, page, f"\n\n{PHRASE}")
    answers.append("save")
    click_row(qtbot, types, 0)
    assert shown_type(page) == first
    assert version_of(admin, second) == "v1"
    assert "v1" in types.item(1).text()


def test_cancelling_settings_with_unsaved_wording_asks(
    qtbot, new_store: SetupResult, answers: list[str]
) -> None:
    admin = new_store.session
    dialog, page = letters_page(qtbot, admin)
    type_id = shown_type(page)
    type_at_end(qtbot, page, f"\n\n{PHRASE}")
    cancel = w(dialog, QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Cancel)
    answers.append("cancel")
    press(qtbot, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    answers.append("save")
    click(qtbot, cancel)
    assert not dialog.isVisible()
    assert version_of(admin, type_id) == "v1"


def test_settings_ok_saves_the_wording_or_stays_at_the_faulty_line(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    admin = new_store.session
    dialog, page = letters_page(qtbot, admin)
    type_id = shown_type(page)
    ok = w(dialog, QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    type_at_end(qtbot, page, "\n\n{% if %}")
    line = editor(page).document().blockCount()
    click(qtbot, ok)
    assert dialog.isVisible() and dialog.current_page() is page
    assert [kind for kind, _t, _x in messenger.said] == ["warn"]
    assert w(page, QLabel, "wordingError").text().startswith(f"Line {line}:")
    assert editor(page).textCursor().blockNumber() + 1 == line
    assert version_of(admin, type_id) == "default"

    press(qtbot, Qt.Key.Key_End)  # the cursor was put at the start of the faulty line
    for _ in range(len("{% if %}")):
        press(qtbot, Qt.Key.Key_Backspace)
    type_at_end(qtbot, page, PHRASE)
    click(qtbot, ok)
    assert not dialog.isVisible()
    saved = letter_wording.letter_wording(admin, type_id=type_id)
    assert saved.version == "v1" and PHRASE in saved.text


# -- roles ------------------------------------------------------------------------------------
def test_a_role_that_may_not_edit_sees_a_note(
    qtbot, new_store: SetupResult, store_path: Path, messenger: FakeBackend
) -> None:
    head = sign_in_new_user(new_store, store_path, "head", "headteacher")
    try:
        _dialog, page = letters_page(qtbot, head)
        note = w(page, QLabel, "readOnlyNote")
        assert note.isVisible()
        assert "Only trust leaders and administrators" in note.text()
        assert not w(page, QSplitter, "templatesSplitter").isVisible()
        assert messenger.said == []
        assert page.isEnabled()
    finally:
        head.close()
