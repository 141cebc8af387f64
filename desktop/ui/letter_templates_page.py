"""Settings › Letter templates: the trust's wording of each letter
(`forms/settings_letter_templates.ui`; the editor itself is `desktop/ui/wording_editor.py`).

Choose a letter on the left and its wording opens in the editor, with the fields it may use
and a preview over a made-up case, made in the background half a second after typing
stops. Wording Casebook cannot use shows what is wrong, and on which line, in place of the
preview. Save (Ctrl+S) keeps the wording as a new version at once; OK in Settings saves
typed wording too, like every other page. Leaving a letter, or Settings, with wording not
saved asks first. The service checks the role: only trust leaders and administrators may
see or change the wording, and everyone else sees a note instead.
"""

from __future__ import annotations

import html
from typing import Literal

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QWidget,
)

from desktop.dates import format_datetime
from desktop.domain.roles import Operation
from desktop.errors import CasebookError, ValidationError
from desktop.services import letter_wording
from desktop.services.letter_wording import LetterWording, WordingPreview
from desktop.services.session import UserSession
from desktop.ui.evidence_viewer import PdfView
from desktop.ui.forms import child
from desktop.ui.messages import Messenger
from desktop.ui.operations import Latest, ReadOp, WriteOp
from desktop.ui.procedure_dialogs import ERROR_STYLE
from desktop.ui.settings_pages import SettingsPage
from desktop.ui.wording_editor import WordingEditor

PREVIEW_DELAY_MS = 500  # after the last key, before the preview is made again
A4_WIDTH_PX = 595 * 96 / 72  # an A4 page drawn at the preview's 96 dots an inch
PROBLEM_STYLE = "color: #b00020; font-weight: bold; padding: 6px 0;"
HISTORY_HEADERS = ("Version", "Saved", "By")

Answer = Literal["save", "discard", "cancel"]


def ask_unsaved(parent: QWidget, title: str) -> Answer:
    """Save, discard or keep typed wording that is not saved yet. Tests replace this."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Unsaved wording",
        f"Save your changes to the wording of \u201c{title}\u201d?\n\n"
        "Saved wording is used for letters from now on; the wording it replaces is kept "
        "in the history.",
        parent=parent,
    )
    which = QMessageBox.StandardButton
    box.setStandardButtons(which.Save | which.Discard | which.Cancel)
    box.setDefaultButton(which.Save)
    box.exec()
    answer = box.standardButton(box.clickedButton())
    if answer == which.Save:
        return "save"
    return "discard" if answer == which.Discard else "cancel"


class LetterTemplatesPage(SettingsPage):
    title = "Letter templates"
    name = "letterTemplatesPage"
    form = "letter_templates"
    needs = Operation.EDIT_TRUST
    read_only_text = (
        "Only trust leaders and administrators can see or change the wording of letters."
    )
    wanted_size = QSize(1120, 700)  # the dialog grows to this (within the screen) for the editor

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.types_list = child(self, QListWidget, "typesList")
        self.heading = child(self, QLabel, "wordingHeading")
        self.position = child(self, QLabel, "cursorPosition")
        self.error_label = child(self, QLabel, "wordingError")
        self.save_button = child(self, QPushButton, "saveWordingButton")
        self.revert_button = child(self, QPushButton, "revertButton")
        self.restore_button = child(self, QPushButton, "restoreDefaultButton")
        self.side_tabs = child(self, QTabWidget, "sideTabs")
        self.large_print_check = child(self, QCheckBox, "largePrintCheck")
        self.problem_label = child(self, QLabel, "previewProblem")
        self.fields_list = child(self, QListWidget, "fieldsList")
        self.history_table = child(self, QTableWidget, "wordingHistoryTable")
        self.editor = WordingEditor()
        self._place("editorHolder", self.editor)
        self.preview = PdfView()
        self.preview.setObjectName("wordingPreview")
        self._place("previewHolder", self.preview)
        self.wordings: list[LetterWording] = []
        self.row = -1  # the letter in the editor
        self.preview_pdf: bytes | None = None  # the preview on show
        self._preview_due = False  # made when the page is next shown
        self._latest = Latest()
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._saving = False
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._set_up_views()
        if self.read_only:
            child(self, QLabel, "templatesIntro").hide()
            child(self, QSplitter, "templatesSplitter").hide()
        self._connect_signals()
        self._show_position()
        self._update_buttons()

    def _place(self, holder: str, widget: QWidget) -> None:
        """Put a widget the form cannot make (the editor, the PDF view) in its place."""
        layout = child(self, QWidget, holder).layout()
        if layout is None:
            raise LookupError(f"{holder} has no layout")
        layout.addWidget(widget)

    def _set_up_views(self) -> None:
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.problem_label.setStyleSheet(PROBLEM_STYLE)
        self.problem_label.hide()
        table = self.history_table
        table.setColumnCount(len(HISTORY_HEADERS))
        table.setHorizontalHeaderLabels(HISTORY_HEADERS)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        splitter = child(self, QSplitter, "templatesSplitter")
        # Small minimums, so this page never makes Settings wider than its other pages need;
        # it asks for room with `wanted_size` when it is shown instead.
        for pane, width in zip(
            (self.types_list, child(self, QWidget, "editorPane"), self.side_tabs),
            (100, 180, 150),
            strict=True,
        ):
            pane.setMinimumWidth(width)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([170, 400, 400])

    def _connect_signals(self) -> None:
        self.types_list.currentRowChanged.connect(self._row_chosen)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.cursorPositionChanged.connect(self._show_position)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self.large_print_check.toggled.connect(lambda _on: self.refresh_preview())
        self.save_button.clicked.connect(self.save_now)
        self.save_shortcut.activated.connect(self.save_now)
        self.revert_button.clicked.connect(self.revert)
        self.restore_button.clicked.connect(self.restore_default)
        self.fields_list.itemDoubleClicked.connect(self._insert_field)
        # Enter in the list inserts the field: left to the dialog, it would press OK.
        self.fields_list.installEventFilter(self)

    # -- the settings dialog's flow -------------------------------------------------------
    def load(self) -> None:
        if self.read_only:
            return
        self.wordings = letter_wording.letter_wordings(self.session)
        self.types_list.blockSignals(True)
        self.types_list.clear()
        for wording in self.wordings:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, wording.type_id)
            self.types_list.addItem(item)
        self.types_list.blockSignals(False)
        for row in range(len(self.wordings)):
            self._show_list_item(row)
        if self.wordings:
            self.types_list.setCurrentRow(max(0, min(self.row, len(self.wordings) - 1)))

    def save(self) -> None:
        """OK saves typed wording, like the other pages; a refusal is shown here, with the
        cursor on its line, and rises so the dialog stays open."""
        if not self.has_unsaved_changes():
            return
        wording = self.wordings[self.row]
        try:
            saved = letter_wording.save_wording(
                self.session, type_id=wording.type_id, text=self.editor.toPlainText()
            )
        except ValidationError as exc:
            self._refused(exc)
            raise
        self._saved(saved)

    def has_unsaved_changes(self) -> bool:
        return 0 <= self.row < len(self.wordings) and (
            self.editor.toPlainText() != self.wordings[self.row].text
        )

    def may_close(self) -> bool:
        """Before the letter or Settings is left: save, discard or stay. True to go on."""
        if not self.has_unsaved_changes() or self.session.closed:
            return True
        answer = ask_unsaved(self, self.wordings[self.row].title)
        if answer == "discard":
            return True
        if answer == "cancel":
            return False
        try:
            self.save()
        except CasebookError as exc:
            if not isinstance(exc, ValidationError):
                Messenger.error(self, exc, "Save the wording")
            return False
        return True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._preview_due:
            self.refresh_preview()

    # -- choosing a letter ----------------------------------------------------------------
    def _row_chosen(self, row: int) -> None:
        if row == self.row or not 0 <= row < len(self.wordings):
            return
        if not self.may_close():
            self.types_list.blockSignals(True)
            self.types_list.setCurrentRow(self.row)
            self.types_list.blockSignals(False)
            return
        self.row = row
        self._show_wording(self.wordings[row], new_text=True)

    def _show_wording(self, wording: LetterWording, *, new_text: bool) -> None:
        """The letter's wording, fields and history; `new_text` puts its text in the editor."""
        status = (
            f"the trust's wording, {wording.version}"
            if wording.edited
            else "Casebook's own wording"
        )
        self.heading.setText(f"<b>{html.escape(wording.title)}</b> \u2014 {status}")
        if new_text:
            self.editor.setPlainText(wording.text)
            self.editor.mark_line(None)
            self._hide_error()
        self._show_fields(wording)
        self._show_history(wording)
        self._update_buttons()
        self.refresh_preview()

    def _show_fields(self, wording: LetterWording) -> None:
        self.fields_list.clear()
        for field in wording.fields:
            always = "  (always)" if field.required else ""
            label = field.label[:1].upper() + field.label[1:]
            item = QListWidgetItem(f"{label}{always}\n    {{{{ {field.name} }}}}")
            item.setData(Qt.ItemDataRole.UserRole, field.name)
            item.setToolTip(
                f"Every {wording.title.lower()} has this."
                if field.required
                else "This may be empty: {% if " + field.name + " %} \u2026 {% endif %} "
                "leaves words out when it is."
            )
            if field.required:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.fields_list.addItem(item)

    def _show_history(self, wording: LetterWording) -> None:
        rows = [
            (
                "Default (restored)" if version.restored_default else version.label,
                format_datetime(version.saved_at),
                version.saved_by,
            )
            for version in wording.history
        ] or [("Default", "", "Casebook, as shipped")]
        self.history_table.setRowCount(len(rows))
        for number, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if number == 0:
                    item.setToolTip("In use now")
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.history_table.setItem(number, column, item)

    def _show_list_item(self, row: int) -> None:
        wording = self.wordings[row]
        item = self.types_list.item(row)
        marks = [f"{wording.version} \u00b7 edited" if wording.edited else "default"]
        if row == self.row and self.has_unsaved_changes():
            marks.append("not saved")
        item.setText(f"{wording.title}\n    {', '.join(marks)}")
        item.setToolTip(
            f"The trust's wording, version {wording.version}"
            if wording.edited
            else "Casebook's own wording"
        )

    # -- typing ---------------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self.row < 0:
            return
        self._preview_timer.start()  # again: the preview waits for a pause in the typing
        self._show_list_item(self.row)
        self._update_buttons()

    def _show_position(self) -> None:
        cursor = self.editor.textCursor()
        self.position.setText(
            f"Line {cursor.blockNumber() + 1}, column {cursor.positionInBlock() + 1}"
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.fields_list
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._insert_field(self.fields_list.currentItem())
            return True
        return super().eventFilter(watched, event)

    def _insert_field(self, item: QListWidgetItem | None) -> None:
        if item is None or self.row < 0:
            return
        self.editor.textCursor().insertText(f"{{{{ {item.data(Qt.ItemDataRole.UserRole)} }}}}")
        self.editor.setFocus()

    # -- the preview ----------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Make the preview of the wording as it stands, off the UI thread."""
        self._preview_timer.stop()
        if self.row < 0 or self.read_only:
            return
        if not self.isVisible():
            self._preview_due = True
            return
        self._preview_due = False
        type_id = self.wordings[self.row].type_id
        text = self.editor.toPlainText()
        large = self.large_print_check.isChecked()
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: letter_wording.preview_wording(
                job.session, type_id=type_id, text=text, large_print=large
            ),
            success=self._previewed,
            failure=lambda exc: self._show_problem(str(exc) or type(exc).__name__, None),
            progress="Making the preview",
            latest=self._latest,
        ).start()

    def _previewed(self, result: WordingPreview) -> None:
        if result.pdf is None:
            self._show_problem(result.problem, result.line)
            return
        try:
            self.preview.show_pdf(result.pdf)
        except ValueError:
            self._show_problem("The preview could not be shown.", None)
            return
        self.preview_pdf = result.pdf
        fit = max(0.2, (self.preview.width() - 24) / A4_WIDTH_PX)
        if abs(fit - self.preview.zoom) > 0.02:
            self.preview.set_zoom(fit)
        self.problem_label.hide()
        self.preview.show()
        self.editor.mark_line(None)

    def _show_problem(self, problem: str, line: int | None) -> None:
        """What is wrong, in place of the preview; the line it names is marked."""
        self.preview_pdf = None
        self.problem_label.setText(problem)
        self.problem_label.show()
        self.preview.hide()
        self.editor.mark_line(line)

    # -- saving ---------------------------------------------------------------------------
    def save_now(self) -> None:
        """Save (Ctrl+S): the wording becomes the next version, off the UI thread."""
        if self._saving or not self.has_unsaved_changes():
            return
        type_id = self.wordings[self.row].type_id
        text = self.editor.toPlainText()
        self._set_saving(True)
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: letter_wording.save_wording(job.session, type_id=type_id, text=text),
            success=self._saved,
            failure=self._refused,
            done=lambda: self._set_saving(False),
            progress="Saving the wording",
        ).start()

    def restore_default(self) -> None:
        if self._saving or self.row < 0 or not self.wordings[self.row].edited:
            return
        wording = self.wordings[self.row]
        lost = (
            " Your changes that are not saved will be lost." if self.has_unsaved_changes() else ""
        )
        if not Messenger.confirm(
            self,
            "Restore the default wording?",
            f"Use Casebook's own wording for \u201c{wording.title}\u201d from now on? The "
            f"trust's wording is kept in the history.{lost}",
            "Restore default",
        ):
            return
        type_id = wording.type_id
        self._set_saving(True)
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: letter_wording.restore_default(job.session, type_id=type_id),
            success=lambda restored: self._saved(restored, new_text=True),
            failure=self._refused,
            done=lambda: self._set_saving(False),
            progress="Restoring the default wording",
        ).start()

    def revert(self) -> None:
        """Back to the saved wording, as one step Ctrl+Z can undo."""
        if self.has_unsaved_changes():
            self.editor.replace_all(self.wordings[self.row].text)
            self._hide_error()
        self.editor.setFocus()

    def _saved(self, wording: LetterWording, *, new_text: bool = False) -> None:
        row = next(
            (n for n, shown in enumerate(self.wordings) if shown.type_id == wording.type_id), -1
        )
        if row < 0:
            return
        self.wordings[row] = wording
        if row == self.row:
            self._hide_error()
            self._show_wording(wording, new_text=new_text)
        self._show_list_item(row)

    def _refused(self, exc: BaseException) -> None:
        """The message under the wording; the cursor goes to the line it names."""
        if not isinstance(exc, ValidationError):
            Messenger.error(self, exc, "Save the wording")
            return
        self.error_label.setText(exc.message)
        self.error_label.show()
        line = getattr(exc, "line", None)  # a TemplateError names the line at fault
        if isinstance(line, int):
            self.editor.go_to_line(line)
        self.editor.setFocus()

    def _hide_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self._update_buttons()

    def _update_buttons(self) -> None:
        shown = 0 <= self.row < len(self.wordings)
        unsaved = self.has_unsaved_changes()
        idle = shown and not self._saving
        self.save_button.setEnabled(idle and unsaved)
        self.revert_button.setEnabled(idle and unsaved)
        self.restore_button.setEnabled(idle and self.wordings[self.row].edited if shown else False)
        self.editor.setReadOnly(not shown)
