"""Settings › Procedure, driven by keys and clicks: the profile in force, editing it, a broken
edit refused with its line, a shipped or imported profile, and a role that may only look."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
)

from desktop.services import policies
from desktop.services.policies import profile_history, profile_in_force, shipped_text
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.procedure_dialogs import ProfileEditor, ShippedProfileDialog
from desktop.ui.procedure_page import ProcedurePage
from desktop.ui.settings_dialog import SettingsDialog
from tests.services.accounts import sign_in_new_user
from tests.ui.fakes import FakeBackend
from tests.ui.test_settings_dialog import choose_page, open_dialog
from tests.ui.typing import click, click_into, press, type_keys

CTRL = Qt.KeyboardModifier.ControlModifier
BAR_REVIEW = 'review = ["trust_leader"]'


T = TypeVar("T", bound=QObject)


def w(parent: QObject, kind: type[T], name: str) -> T:
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def procedure_page(qtbot, session: UserSession) -> tuple[SettingsDialog, ProcedurePage]:
    dialog = open_dialog(qtbot, session)
    choose_page(qtbot, dialog, "Procedure")
    page = dialog.current_page()
    assert isinstance(page, ProcedurePage)
    return dialog, page


def button(page: ProcedurePage, name: str) -> QPushButton:
    found = page.findChild(QPushButton, name)
    assert found is not None, name
    return found


def open_editor(qtbot, page: ProcedurePage, name: str = "editButton") -> ProfileEditor:
    click(qtbot, button(page, name))
    qtbot.waitUntil(lambda: editor_of(page) is not None, timeout=3000)
    editor = editor_of(page)
    assert editor is not None
    return editor


def editor_of(page: ProcedurePage) -> ProfileEditor | None:
    found = [e for e in page.findChildren(ProfileEditor) if e.isVisible()]
    return found[0] if found else None


def text_box(editor: ProfileEditor) -> QPlainTextEdit:
    box = w(editor, QPlainTextEdit, "profileTextEdit")
    assert box is not None
    return box


def save_button(editor: ProfileEditor) -> QPushButton:
    box = w(editor, QDialogButtonBox, "buttonBox")
    return box.button(QDialogButtonBox.StandardButton.Save)


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def end_of_line(qtbot, box: QPlainTextEdit, line: int) -> None:
    """Click into the text, Ctrl+Home, Down to `line`, End: the keys a person would use."""
    click_into(qtbot, box)
    press(qtbot, Qt.Key.Key_Home, CTRL)
    for _ in range(line - 1):
        press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_End)
    assert box.textCursor().blockNumber() == line - 1


def retype_before_end(qtbot, left: int, erase: int, text: str) -> None:
    """From the end of a line: Left `left` times, Backspace `erase` times, type `text`."""
    for _ in range(left):
        press(qtbot, Qt.Key.Key_Left)
    for _ in range(erase):
        press(qtbot, Qt.Key.Key_Backspace)
    type_keys(qtbot, text)


def set_version(qtbot, box: QPlainTextEdit, version: str) -> None:
    """`version = "1.0"` becomes `version = "<version>"`."""
    end_of_line(qtbot, box, line_of(box.toPlainText(), 'version = "1.0"'))
    retype_before_end(qtbot, 1, 3, version)


def column(table: QTableWidget, at: int) -> list[str]:
    return [cell.text() for row in range(table.rowCount()) if (cell := table.item(row, at))]


def said(messenger: FakeBackend, kind: str) -> list[str]:
    return [text for k, _title, text in messenger.said if k == kind]


# -- what the page shows ----------------------------------------------------------------------
def test_the_page_shows_the_profile_in_force(qtbot, new_store: SetupResult) -> None:
    _dialog, page = procedure_page(qtbot, new_store.session)
    now = profile_in_force(new_store.session)
    summary = w(page, QLabel, "profileSummary").text()
    assert now.profile.name in summary and "version 1.0" in summary
    assert "Alex Admin" in summary and "graduated_sanctions.toml" in summary

    steps = w(page, QTableWidget, "stepsTable")
    ladder, alternatives = now.profile.rungs, now.profile.rungs[3]
    assert len(ladder) == 4
    assert column(steps, 0) == [
        "The ladder, lowest step first",
        "1. Verbal warning",
        "2. Mediation meeting (optional)",
        "3. Formal written warning",
        "4. One or more of:",
        *(f"    \u2022 {step.label}" for step in alternatives),
        "Alongside the ladder, at any time",
        *(step.label for step in now.profile.parallel),
    ]
    injunction = 5 + len(alternatives) - 1
    assert steps.item(injunction, 1).text() == "Trust leader (CEO or Chair)"
    assert steps.item(1, 2).text() == ""  # no one need skip to the first step
    assert steps.item(2, 2).text() == "Trust leader (CEO or Chair)"
    assert "Recorded by: School business manager, Headteacher" in steps.item(1, 0).toolTip()

    windows = w(page, QTableWidget, "windowsTable")
    shown = dict(zip(column(windows, 0), column(windows, 1), strict=True))
    assert shown["Time given for written representations"] == "10 days"
    assert shown["A written warning is kept for"] == "365 days"
    retention = now.profile.retention
    assert (retention.concern_days, retention.warning_days, retention.sanction_days) == (
        730,
        1095,
        2190,
    )
    assert shown["A closed case that went no further than concerns is kept for"] == (
        f"{retention.concern_days:,} days"
    )
    assert shown["A closed case with a formal written warning is kept for"] == (
        f"{retention.warning_days:,} days"
    )
    assert shown["A closed case with a bar, plan or legal action is kept for"] == (
        f"{retention.sanction_days:,} days"
    )

    history = w(page, QTableWidget, "historyTable")
    assert history.rowCount() == 1
    assert [column(history, c)[0] for c in (0, 1, 2, 4)] == [
        "1.0",
        now.profile.name,
        "Alex Admin",
        "In force",
    ]


# -- editing it -------------------------------------------------------------------------------
def test_a_broken_edit_is_refused_at_its_line_then_the_fixed_one_is_put_in_force(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    session = new_store.session
    before = profile_in_force(session)
    _dialog, page = procedure_page(qtbot, session)
    editor = open_editor(qtbot, page)
    box = text_box(editor)
    assert box.toPlainText() == before.text
    assert box.font().fixedPitch() or "mono" in box.font().family().lower()

    line = line_of(before.text, BAR_REVIEW)
    end_of_line(qtbot, box, line)
    retype_before_end(qtbot, 2, len("trust_leader"), "governor")
    assert 'review = ["governor"]' in box.toPlainText()
    press(qtbot, Qt.Key.Key_Home, CTRL)  # the cursor elsewhere, to see it brought back
    click(qtbot, save_button(editor))

    error = w(editor, QLabel, "profileError")
    assert error.isVisible()
    assert error.text().startswith(
        f"graduated_sanctions.toml, line {line}, field steps.bar.review: 'governor' is not a role"
    )
    assert editor.isVisible()
    assert box.hasFocus() and box.textCursor().blockNumber() == line - 1
    assert w(editor, QLabel, "cursorPosition").text() == f"Line {line}, column 1"
    assert said(messenger, "confirm") == []  # nothing to confirm: nothing was put in force
    after = profile_in_force(session)
    assert (after.record_id, after.text) == (before.record_id, before.text)

    # Put right: a headteacher reviews the bar, under a new version number.
    end_of_line(qtbot, box, line)
    retype_before_end(qtbot, 2, len("governor"), "headteacher")
    set_version(qtbot, box, "1.1")
    messenger.confirmations.append(True)
    click(qtbot, save_button(editor))
    qtbot.waitUntil(lambda: editor_of(page) is None, timeout=5000)

    (question,) = said(messenger, "confirm")
    assert "version 1.1" in question and "version 1.0" in question
    assert "keep the version of the procedure they were taken under" in question
    now = profile_in_force(session)
    assert now.profile.version == "1.1"
    assert [r.label for r in now.profile.step("bar").review] == ["Headteacher"]
    assert [(h.version, h.active) for h in profile_history(session)] == [
        ("1.1", True),
        ("1.0", False),
    ]
    assert "version 1.1" in w(page, QLabel, "profileSummary").text()
    history = w(page, QTableWidget, "historyTable")
    assert column(history, 0) == ["1.1", "1.0"]


def test_reusing_a_version_for_new_wording_is_refused_at_the_version_line(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    session = new_store.session
    before = profile_in_force(session)
    _dialog, page = procedure_page(qtbot, session)
    editor = open_editor(qtbot, page)
    box = text_box(editor)
    end_of_line(qtbot, box, line_of(before.text, 'label = "Verbal warning"'))
    retype_before_end(qtbot, 1, 0, " or a word in person")
    messenger.confirmations.append(True)
    click(qtbot, save_button(editor))

    error = w(editor, QLabel, "profileError")
    qtbot.waitUntil(error.isVisible, timeout=5000)  # refused by the service, off the UI thread
    version_line = line_of(before.text, 'version = "1.0"')
    assert error.text().startswith(
        f"graduated_sanctions.toml, line {version_line}, field profile.version: version 1.0"
    )
    assert box.textCursor().blockNumber() == version_line - 1
    assert editor.isVisible()
    assert profile_in_force(session).record_id == before.record_id


def test_saying_no_at_the_question_changes_nothing(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    session = new_store.session
    before = profile_in_force(session)
    _dialog, page = procedure_page(qtbot, session)
    editor = open_editor(qtbot, page)
    set_version(qtbot, text_box(editor), "2.0")
    messenger.confirmations.append(False)
    click(qtbot, save_button(editor))
    assert len(said(messenger, "confirm")) == 1
    assert editor.isVisible()
    assert profile_in_force(session).record_id == before.record_id


def test_closing_the_editor_asks_before_throwing_away_what_was_typed(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    _dialog, page = procedure_page(qtbot, new_store.session)
    editor = open_editor(qtbot, page)
    click_into(qtbot, text_box(editor))
    press(qtbot, Qt.Key.Key_Escape)  # nothing typed yet: it closes without a question
    qtbot.waitUntil(lambda: editor_of(page) is None, timeout=3000)
    assert said(messenger, "confirm") == []

    editor = open_editor(qtbot, page)
    set_version(qtbot, text_box(editor), "3.0")
    messenger.confirmations.extend([False, True])
    press(qtbot, Qt.Key.Key_Escape)
    assert editor.isVisible() and 'version = "3.0"' in text_box(editor).toPlainText()
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: editor_of(page) is None, timeout=3000)
    questions = said(messenger, "confirm")
    assert len(questions) == 2 and all("lose what you have typed" in q for q in questions)
    assert profile_in_force(new_store.session).profile.version == "1.0"


# -- a shipped profile, or one from a file ----------------------------------------------------
def test_a_shipped_procedure_is_chosen_and_put_in_force(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    session = new_store.session
    _dialog, page = procedure_page(qtbot, session)
    click(qtbot, button(page, "useShippedButton"))
    qtbot.waitUntil(lambda: bool(page.findChildren(ShippedProfileDialog)), timeout=3000)
    (chooser,) = page.findChildren(ShippedProfileDialog)
    qtbot.waitUntil(chooser.isVisible, timeout=3000)
    other = w(chooser, QRadioButton, "profileRadio_conversation_first")
    assert other.isChecked()  # the one not in force is offered
    assert "In force now: Graduated ladder" in w(chooser, QLabel, "shippedIntro").text()
    messenger.confirmations.append(True)
    ok = w(chooser, QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    click(qtbot, ok)
    qtbot.waitUntil(
        lambda: profile_in_force(session).profile.id == "conversation_first", timeout=5000
    )
    qtbot.waitUntil(
        lambda: "Conversation first" in w(page, QLabel, "profileSummary").text(),
        timeout=3000,
    )
    assert "keep the version" in said(messenger, "confirm")[0]


def test_a_procedure_is_imported_from_a_file_through_the_editor(
    qtbot, new_store: SetupResult, messenger: FakeBackend, tmp_path: Path
) -> None:
    session = new_store.session
    ours = shipped_text("conversation_first")[1].replace('version = "1.0"', 'version = "2026.1"')
    path = tmp_path / "oakfield procedure.toml"
    path.write_text(ours, encoding="utf-8")
    _dialog, page = procedure_page(qtbot, session)
    messenger.paths.append(path)
    editor = open_editor(qtbot, page, "importButton")
    assert text_box(editor).toPlainText() == ours
    assert "oakfield procedure.toml" in editor.windowTitle()
    messenger.confirmations.append(True)
    click(qtbot, save_button(editor))
    qtbot.waitUntil(lambda: editor_of(page) is None, timeout=5000)
    now = profile_in_force(session)
    assert (now.profile.id, now.profile.version, now.file_name) == (
        "conversation_first",
        "2026.1",
        "oakfield procedure.toml",
    )


def test_a_file_that_is_not_text_is_refused(
    qtbot, new_store: SetupResult, messenger: FakeBackend, tmp_path: Path
) -> None:
    path = tmp_path / "scan.toml"
    path.write_bytes(b"\xff\xfe\x00binary")
    _dialog, page = procedure_page(qtbot, new_store.session)
    messenger.paths.append(path)
    click(qtbot, button(page, "importButton"))
    assert said(messenger, "warn") == [
        "scan.toml is not UTF-8 text. Save it as UTF-8 and import it again."
    ]
    assert editor_of(page) is None


# -- who may change it ------------------------------------------------------------------------
@pytest.fixture
def manager(new_store: SetupResult, store_path: Path) -> Iterator[UserSession]:
    session = sign_in_new_user(new_store, store_path, "manager", "business_manager")
    yield session
    session.close()


def test_a_role_without_edit_trust_can_look_but_not_change_it(
    qtbot, new_store: SetupResult, manager: UserSession, messenger: FakeBackend
) -> None:
    before = profile_in_force(new_store.session)
    _dialog, page = procedure_page(qtbot, manager)
    note = w(page, QLabel, "readOnlyNote")
    assert note.isVisible() and "not change it" in note.text()
    assert not button(page, "useShippedButton").isEnabled()
    assert not button(page, "importButton").isEnabled()
    click(qtbot, button(page, "useShippedButton"))  # a disabled button does nothing
    assert page.findChildren(ShippedProfileDialog) == []

    viewer = open_editor(qtbot, page)  # "View text…"
    assert button(page, "editButton").text().replace("&", "") == "View text…"
    box = text_box(viewer)
    assert box.isReadOnly() and save_button(viewer) is None
    click_into(qtbot, box)
    type_keys(qtbot, "governor")
    assert box.toPlainText() == before.text
    assert profile_in_force(new_store.session).record_id == before.record_id
    assert messenger.said == []


def test_the_settings_ok_button_does_not_touch_the_procedure(qtbot, new_store: SetupResult) -> None:
    dialog, _page = procedure_page(qtbot, new_store.session)
    before = profile_in_force(new_store.session)
    ok = w(dialog, QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    click(qtbot, ok)
    assert not dialog.isVisible()
    assert profile_in_force(new_store.session) == before
    assert len(policies.profile_history(new_store.session)) == 1
    assert QApplication.activeModalWidget() is None
