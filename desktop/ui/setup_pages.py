"""The pages of the first-run setup wizard. Each loads its Designer form from forms/setup_*.ui.

Pages collect what the person types and hand it to the wizard (`SetupWizard`), which calls
the setup service; they hold no rules of their own beyond "this page is filled in".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QStandardPaths, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QCheckBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.domain.roles import Role
from desktop.domain.text import suggest_username
from desktop.errors import CasebookError, user_message
from desktop.services.policies import shipped_choices
from desktop.services.setup import AdminDraft, SchoolDraft, new_recovery_key
from desktop.ui.forms import child, load_form
from desktop.ui.labels import PASSWORD_HINT
from desktop.ui.logo import pick_logo, show_logo
from desktop.ui.messages import Messenger
from desktop.ui.procedure_dialogs import ProfileChoices

if TYPE_CHECKING:
    from desktop.ui.setup_wizard import SetupWizard

WELCOME, TRUST, SCHOOLS, PROCEDURE, ADMIN, RECOVERY = range(6)
SCHOOL_COLUMNS = 3  # name, address, headteacher


class SetupPage(QWizardPage):
    """A page of the setup wizard: it can reach the wizard and show a problem beside a field."""

    def setup_wizard(self) -> SetupWizard:
        return cast("SetupWizard", self.wizard())

    def show_problem(self, message: str, field: str | None) -> None:
        """Pages with fields show it beside the field; the others in a message box."""
        Messenger.warn(self, "Please check", message)


def _show_error(label: QLabel, message: str, focus=None) -> None:
    label.setText(message)
    label.show()
    if focus is not None:
        focus.setFocus()
        if isinstance(focus, QLineEdit):
            focus.selectAll()


class WelcomePage(SetupPage):
    """Set up a real trust, the sample, or restore a backup (the last two finish the
    wizard here).

    With a sample already made, the second choice opens it (through the sign-in dialog)
    rather than making it again. Restoring (a new computer after the old one was lost)
    puts a backup's store where a new one would have been made, then signs in to it.
    """

    def __init__(self, store_path: Path, sample_path: Path, parent=None):
        super().__init__(parent)
        load_form("setup_welcome", self)
        self.store_path = store_path
        self.sample_path = sample_path
        self.setTitle("Welcome to Casebook")
        self.setSubTitle("Parent Code of Conduct casework for your trust, kept private.")
        self.set_up_radio = child(self, QRadioButton, "setUpRadio")
        self.sample_radio = child(self, QRadioButton, "sampleRadio")
        self.restore_radio = child(self, QRadioButton, "restoreRadio")
        self.sample_note = child(self, QLabel, "sampleNote")
        self.store_note = child(self, QLabel, "storeNote")
        self.progress_box = child(self, QWidget, "sampleProgressBox")
        self.progress_label = child(self, QLabel, "sampleProgressLabel")
        self.progress_bar = child(self, QProgressBar, "sampleProgress")
        self.progress_box.hide()
        self.sample_made = sample_path.exists()
        if self.sample_made:
            self.sample_radio.setText("&Open the sample trust")
            self.sample_note.setText(
                "The sample trust of invented cases made earlier. You will sign in to it "
                "with one of its accounts; it is never mixed with real records."
            )
        self._show_finish_text()
        self._show_store_note()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.sample_radio.toggled.connect(self._choice_changed)
        self.restore_radio.toggled.connect(self._choice_changed)

    def _choice_changed(self) -> None:
        # setFinalPage makes QWizard re-read nextId(), so Next turns into Finish and back.
        self.setFinalPage(self.wants_sample() or self.wants_restore())
        self._show_finish_text()
        self._show_store_note()

    def _show_finish_text(self) -> None:
        if self.wants_restore():
            finish = "&Choose the backup…"
        else:
            # Alt+O belongs to the "Open the sample trust" choice once the sample exists.
            finish = "Sign &in to the sample" if self.sample_made else "&Open the sample"
        self.setButtonText(QWizard.WizardButton.FinishButton, finish)

    def _show_store_note(self) -> None:
        if self.wants_sample():
            where = "is kept" if self.sample_made else "will be made"
            text = f"The sample {where} at {self.sample_path}, apart from any real store."
        elif self.wants_restore():
            text = f"The backup's case store will be put at {self.store_path}"
        else:
            text = f"Your trust's case store will be made at {self.store_path}"
        self.store_note.setText(text)

    def wants_sample(self) -> bool:
        return self.sample_radio.isChecked()

    def wants_restore(self) -> bool:
        return self.restore_radio.isChecked()

    def nextId(self) -> int:
        return -1 if self.wants_sample() or self.wants_restore() else TRUST

    def validatePage(self) -> bool:
        if self.wants_restore():
            return self.setup_wizard().restore_from_backup()
        return self.setup_wizard().open_sample() if self.wants_sample() else True

    def show_progress(self, done: int, total: int, text: str) -> None:
        """Progress of making the sample, shown under its choice (no window on top)."""
        for radio in (self.set_up_radio, self.sample_radio, self.restore_radio):
            radio.setEnabled(False)
        self.progress_box.show()
        self.progress_bar.setMaximum(max(total, 0))
        self.progress_bar.setValue(min(done, total) if total else 0)
        if text:
            self.progress_label.setText(f"{text}…")

    def hide_progress(self) -> None:
        self.progress_box.hide()
        for radio in (self.set_up_radio, self.sample_radio, self.restore_radio):
            radio.setEnabled(True)


class TrustPage(SetupPage):
    """The trust's name, address and logo."""

    def __init__(self, parent=None):
        super().__init__(parent)
        load_form("setup_trust", self)
        self.setTitle("Your trust")
        self.setSubTitle("The trust's name, address and logo appear on letters and reports.")
        self.name_edit = child(self, QLineEdit, "trustNameEdit")
        self.address_edit = child(self, QPlainTextEdit, "trustAddressEdit")
        self.choose_logo_button = child(self, QPushButton, "chooseLogoButton")
        self.remove_logo_button = child(self, QPushButton, "removeLogoButton")
        self.logo_preview = child(self, QLabel, "logoPreview")
        self.error_label = child(self, QLabel, "trustError")
        self.logo: bytes | None = None
        self.registerField("trustName*", self.name_edit)
        self.error_label.hide()
        self._show_logo()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.choose_logo_button.clicked.connect(self._choose_logo)
        self.remove_logo_button.clicked.connect(self._remove_logo)
        self.name_edit.textEdited.connect(self.error_label.hide)
        self.address_edit.textChanged.connect(self.error_label.hide)

    def details(self) -> tuple[str, str, bytes | None]:
        return self.name_edit.text(), self.address_edit.toPlainText(), self.logo

    def show_problem(self, message: str, field: str | None) -> None:
        focus = {"trust_address": self.address_edit, "logo": self.choose_logo_button}.get(
            field or "", self.name_edit
        )
        _show_error(self.error_label, message, focus)

    def _choose_logo(self) -> None:
        try:
            data = pick_logo(self)
        except (CasebookError, OSError) as exc:
            self.show_problem(user_message(exc), "logo")
            return
        if data is not None:
            self.logo = data
            self.error_label.hide()
            self._show_logo()

    def _remove_logo(self) -> None:
        self.logo = None
        self._show_logo()
        self.choose_logo_button.setFocus()

    def _show_logo(self) -> None:
        show_logo(self.logo_preview, self.logo)
        self.remove_logo_button.setEnabled(self.logo is not None)


class _LiveEditDelegate(QStyledItemDelegate):
    """Writes each keystroke into the table, so Next enables as soon as a name is typed.

    Tab moves from cell to cell; from the last cell it leaves the table for the next
    control (Add school) instead of wrapping round to the first cell, so a keyboard user
    is never trapped in the table.
    """

    def __init__(self, table: QTableWidget, after: QWidget) -> None:
        super().__init__(table)
        self._table = table
        self._after = after

    def createEditor(self, parent, option, index):
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            editor.setMaxLength(2000 if index.column() == 1 else 200)
            # textEdited carries the text; commitData takes only the editor, so drop the text.
            editor.textEdited.connect(lambda _text, editor=editor: self.commitData.emit(editor))
        return editor

    def eventFilter(self, editor, event):
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Tab
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and self._editing_last_cell()
        ):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self._after.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(editor, event)

    def _editing_last_cell(self) -> bool:
        current = self._table.currentIndex()
        return (
            current.row() == self._table.rowCount() - 1
            and current.column() == self._table.columnCount() - 1
        )


class SchoolsPage(SetupPage):
    """The schools in the trust: a small editable table, at least one named school."""

    def __init__(self, parent=None):
        super().__init__(parent)
        load_form("setup_schools", self)
        self.setTitle("Schools")
        self.setSubTitle("The schools and academies whose cases Casebook will hold.")
        self.table = child(self, QTableWidget, "schoolsTable")
        self.add_button = child(self, QPushButton, "addSchoolButton")
        self.remove_button = child(self, QPushButton, "removeSchoolButton")
        self.error_label = child(self, QLabel, "schoolsError")
        self.table.setItemDelegate(_LiveEditDelegate(self.table, self.add_button))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.error_label.hide()
        self.remove_button.setEnabled(False)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.add_school)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemChanged.connect(self._changed)
        self.table.itemSelectionChanged.connect(self._selection_changed)

    def initializePage(self) -> None:
        if self.table.rowCount() == 0:
            self.add_school()

    def add_school(self) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column in range(SCHOOL_COLUMNS):
            self.table.setItem(row, column, QTableWidgetItem(""))
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()
        first = self.table.item(row, 0)
        if first is not None:
            self.table.editItem(first)
        self.completeChanged.emit()

    def remove_selected(self) -> None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        for row in sorted(rows, reverse=True):
            self.table.removeRow(row)
        self.error_label.hide()
        self.completeChanged.emit()

    def schools(self) -> tuple[SchoolDraft, ...]:
        """Every row with anything typed in it, in table order."""
        found = []
        for row in range(self.table.rowCount()):
            cells = [self._text(row, column) for column in range(SCHOOL_COLUMNS)]
            if any(cell.strip() for cell in cells):
                found.append(SchoolDraft(*cells))
        return tuple(found)

    def isComplete(self) -> bool:
        return any(school.name.strip() for school in self.schools())

    def validatePage(self) -> bool:
        return self.setup_wizard().check_trust()

    def show_problem(self, message: str, field: str | None) -> None:
        _show_error(self.error_label, message, self.table)

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _changed(self) -> None:
        self.error_label.hide()
        self.completeChanged.emit()

    def _selection_changed(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))


class ProcedurePage(SetupPage):
    """The trust's procedure: one of the profiles Casebook ships, the first chosen to begin
    with. Settings › Procedure changes or edits it later."""

    def __init__(self, parent=None):
        super().__init__(parent)
        load_form("setup_procedure", self)
        self.setTitle("Your procedure")
        self.setSubTitle("The steps your trust takes when a parent's conduct is unacceptable.")
        box = child(self, QWidget, "profileChoicesBox")
        self.choices = ProfileChoices(shipped_choices(), box)
        (box.layout() or QVBoxLayout(box)).addWidget(self.choices)

    def chosen(self) -> str:
        """The id of the shipped profile chosen."""
        return self.choices.chosen()


class AdminPage(SetupPage):
    """The first account: always the data protection lead / administrator."""

    def __init__(self, parent=None):
        super().__init__(parent)
        load_form("setup_admin", self)
        self.setTitle("Your administrator account")
        self.setSubTitle("You will sign in with this account. Choose a password only you know.")
        self.full_name_edit = child(self, QLineEdit, "fullNameEdit")
        self.username_edit = child(self, QLineEdit, "usernameEdit")
        self.password_edit = child(self, QLineEdit, "passwordEdit")
        self.confirm_edit = child(self, QLineEdit, "confirmEdit")
        self.error_label = child(self, QLabel, "adminError")
        child(self, QLabel, "roleLabel").setText(
            f"This first account has the role <b>{Role.DATA_PROTECTION_LEAD.label}</b>: "
            "it adds the other users, looks after the audit trail, and can see "
            "every school's cases."
        )
        child(self, QLabel, "passwordHint").setText(PASSWORD_HINT)
        self._username_typed = False
        for name, edit in (
            ("fullName", self.full_name_edit),
            ("username", self.username_edit),
            ("password", self.password_edit),
            ("confirm", self.confirm_edit),
        ):
            self.registerField(f"{name}*", edit)
        self.error_label.hide()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.full_name_edit.textEdited.connect(self._suggest_username)
        self.username_edit.textEdited.connect(self._username_edited)
        for edit in (self.full_name_edit, self.username_edit, self.password_edit):
            edit.textEdited.connect(self.error_label.hide)
        self.confirm_edit.textEdited.connect(self.error_label.hide)

    def draft(self) -> AdminDraft:
        return AdminDraft(
            self.username_edit.text(),
            self.full_name_edit.text(),
            self.password_edit.text(),
            self.confirm_edit.text(),
        )

    def validatePage(self) -> bool:
        return self.setup_wizard().check_admin()

    def show_problem(self, message: str, field: str | None) -> None:
        focus = {
            "username": self.username_edit,
            "password": self.password_edit,
            "confirm": self.confirm_edit,
        }.get(field or "", self.full_name_edit)
        _show_error(self.error_label, message, focus)

    def _suggest_username(self, full_name: str) -> None:
        if not self._username_typed:
            self.username_edit.setText(suggest_username(full_name))

    def _username_edited(self, text: str) -> None:
        # Once the person types a username themselves, stop suggesting; clearing it resumes.
        self._username_typed = bool(text)


class RecoveryPage(SetupPage):
    """Shows the recovery key once, saves or prints the sheet; Finish creates the store."""

    def __init__(self, store_path: Path, parent=None):
        super().__init__(parent)
        load_form("setup_recovery", self)
        self.store_path = store_path
        self.setTitle("Recovery key")
        self.setSubTitle("Print or save the recovery sheet before you finish.")
        self.key_label = child(self, QLabel, "recoveryKeyLabel")
        self.save_button = child(self, QPushButton, "saveSheetButton")
        self.print_button = child(self, QPushButton, "printSheetButton")
        self.status_label = child(self, QLabel, "sheetStatus")
        self.saved_check = child(self, QCheckBox, "savedCheck")
        self.recovery_key = ""
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 9.0) + 5)
        font.setBold(True)
        self.key_label.setFont(font)
        self.registerField("sheetSaved*", self.saved_check)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Create case store")
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self._save_sheet)
        self.print_button.clicked.connect(self._print_sheet)

    def initializePage(self) -> None:
        # One key for the life of the wizard: going back and forth must not change it.
        if not self.recovery_key:
            self.recovery_key = new_recovery_key()
        self.key_label.setText(self.recovery_key)

    def validatePage(self) -> bool:
        return self.setup_wizard().create_trust(self.recovery_key)

    def _sheet(self) -> bytes:
        return self.setup_wizard().recovery_sheet(self.recovery_key)

    def _save_sheet(self) -> None:
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        # A fresh account may have no Documents folder yet; the home folder always exists.
        folder = Path(documents) if documents and Path(documents).is_dir() else Path.home()
        suggested = str(folder / "Casebook recovery sheet.pdf")
        path = Messenger.save_path(
            self, "Save the recovery sheet", suggested, "PDF documents (*.pdf)"
        )
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            path.write_bytes(self._sheet())
        except Exception as exc:
            Messenger.error(self, exc, "The recovery sheet was not saved")
            return
        self.status_label.setText(f"Saved to {path}")
        self.status_label.setToolTip(str(path))

    def _print_sheet(self) -> None:
        from desktop.ui.printing import print_pdf

        try:
            printed = print_pdf(self, self._sheet(), "Casebook recovery sheet")
        except Exception as exc:
            Messenger.error(self, exc, "The recovery sheet was not printed")
            return
        if printed:
            self.status_label.setText("Sent to the printer.")
