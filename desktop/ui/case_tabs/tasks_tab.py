"""The case window's Tasks tab: follow-ups with a due date, an owner and a done box.

Overdue tasks say "Overdue" in words as well as in red, so the flag does not rest on colour.
Space ticks the selected task done (or not done); Enter or a double-click edits it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.domain.roles import Operation
from desktop.domain.tasks import MAX_TITLE_LENGTH
from desktop.errors import ValidationError
from desktop.services import tasks
from desktop.services.session import UserSession
from desktop.services.tasks import OwnerRow, TaskRow
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Latest, ReadOp, WriteOp

OVERDUE = "Overdue"
OVERDUE_RED = QColor(178, 34, 34)  # firebrick: readable on white, and the word says it too
DONE, TITLE, DUE, OWNER, STATUS = range(5)


def status_text(task: TaskRow) -> str:
    if task.done:
        return f"Done {format_date(task.done_on)}" + (f" by {task.done_by}" if task.done_by else "")
    return OVERDUE if task.overdue else ""


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


class TaskDialog(QDialog):
    """Add a task (`task=None`) or change one; saves itself on Save and stays open if the
    service refuses, with the focus on what to fix."""

    def __init__(
        self,
        session: UserSession,
        case_id: int,
        owners: list[OwnerRow],
        task: TaskRow | None = None,
        parent=None,
    ):
        super().__init__(parent)
        self.session, self.case_id, self.task = session, case_id, task
        self.saved: TaskRow | None = None
        self.setObjectName("taskDialog")
        self.setWindowTitle("Change a task" if task else "Add a task")
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("taskTitleEdit")
        self.title_edit.setAccessibleName("What is to be done")
        self.title_edit.setMaxLength(MAX_TITLE_LENGTH)
        self.title_edit.setPlaceholderText("e.g. Ring Mrs Khan back about the meeting")
        self.due_edit = QDateEdit()
        self.due_edit.setObjectName("taskDueEdit")
        self.due_edit.setAccessibleName("Due date")
        self.due_edit.setDisplayFormat("dd/MM/yyyy")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDate(to_qdate(uk_today() + dt.timedelta(days=7)))
        self.no_due_box = QCheckBox("&No due date")
        self.no_due_box.setObjectName("noDueDateBox")
        self.owner_combo = QComboBox()
        self.owner_combo.setObjectName("taskOwnerCombo")
        self.owner_combo.setAccessibleName("Whose task it is")
        self.owner_combo.addItem("Nobody yet", None)
        for owner in owners:
            self.owner_combo.addItem(f"{owner.full_name} ({owner.role})", owner.id)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("taskNotesEdit")
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.setTabChangesFocus(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("buttonBox")
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_edit)
        due_row.addWidget(self.no_due_box)
        due_row.addStretch(1)
        due_label = QLabel("&Due:")
        due_label.setBuddy(self.due_edit)
        form = QFormLayout()
        form.addRow("&Task:", self.title_edit)
        form.addRow(due_label, due_row)
        form.addRow("&Owner:", self.owner_combo)
        form.addRow("N&otes:", self.notes_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        if task is not None:
            self.title_edit.setText(task.title)
            if task.due_on is None:
                self.no_due_box.setChecked(True)
            else:
                self.due_edit.setDate(to_qdate(task.due_on))
            index = self.owner_combo.findData(task.owner_id)
            if index < 0 and task.owner_id is not None:  # no longer eligible: kept until changed
                self.owner_combo.addItem(task.owner, task.owner_id)
                index = self.owner_combo.count() - 1
            self.owner_combo.setCurrentIndex(max(index, 0))
            self.notes_edit.setPlainText(task.notes)
        self.due_edit.setEnabled(not self.no_due_box.isChecked())
        self.no_due_box.toggled.connect(lambda on: self.due_edit.setEnabled(not on))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(520, 320)
        self.title_edit.setFocus()

    def due_on(self) -> dt.date | None:
        if self.no_due_box.isChecked():
            return None
        day = self.due_edit.date()
        return dt.date(day.year(), day.month(), day.day())

    def accept(self) -> None:
        title, due_on = self.title_edit.text(), self.due_on()
        owner_id, notes = self.owner_combo.currentData(), self.notes_edit.toPlainText()
        if self.task is None:
            case_id = self.case_id

            def run(job):
                return tasks.add_task(
                    job.session,
                    case_id=case_id,
                    title=title,
                    due_on=due_on,
                    owner_id=owner_id,
                    notes=notes,
                )
        else:
            task_id = self.task.id

            def run(job):
                return tasks.edit_task(
                    job.session,
                    task_id=task_id,
                    title=title,
                    due_on=due_on,
                    owner_id=owner_id,
                    notes=notes,
                )

        self.buttons.setEnabled(False)
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._saved,
            failure=self._refused,
            done=lambda: self.buttons.setEnabled(True),
            progress="Saving the task",
            changes=(Change.CASES,),
        ).start()

    def _saved(self, row: TaskRow) -> None:
        self.saved = row
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        Messenger.error(self, exc, self.windowTitle())
        if isinstance(exc, ValidationError):
            fields = {
                "title": self.title_edit,
                "due_on": self.due_edit,
                "owner": self.owner_combo,
                "notes": self.notes_edit,
            }
            widget = fields.get(exc.field or "")
            if widget is not None:
                widget.setFocus()


class TasksTab(QWidget):
    title = "&Tasks"
    changed = Signal()
    loaded = Signal()  # after each reload has filled the table
    HEADERS = ("Done", "Task", "Due", "Owner", "Status")

    def __init__(self, session: UserSession, case_id: int, parent=None):
        super().__init__(parent)
        self.session, self.case_id = session, case_id
        self.setObjectName("tasksTab")
        self.tasks: list[TaskRow] = []
        self.owners: list[OwnerRow] = []
        self._latest = Latest()
        self._filling = False
        self._ready = False  # until the first read, the owners to offer are not known
        self._build()
        self._connect_signals()
        self._update_buttons()
        self.reload()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.add_button = QPushButton("&New task…")
        self.add_button.setObjectName("addTaskButton")
        self.add_button.setAccessibleName("Add a task")
        self.edit_button = QPushButton("Chan&ge…")
        self.edit_button.setObjectName("editTaskButton")
        self.edit_button.setAccessibleName("Change the selected task")
        self.edit_button.setToolTip("Change the selected task (Enter)")
        self.done_button = QPushButton("Mark &done")
        self.done_button.setObjectName("doneTaskButton")
        self.done_button.setAccessibleName("Mark the selected task done or not done")
        self.done_button.setToolTip("Tick the selected task done, or not done (Space)")
        self.summary = QLabel()
        self.summary.setObjectName("tasksSummary")
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("tasksTable")
        self.table.setAccessibleName("Tasks on this case")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.empty_note = QLabel(
            "No tasks yet. Add the follow-ups this case needs, with a due date."
        )
        self.empty_note.setObjectName("emptyNote")
        self.empty_note.setWordWrap(True)
        self.empty_note.hide()
        bar = QHBoxLayout()
        bar.addWidget(self.summary)
        bar.addStretch(1)
        for button in (self.add_button, self.edit_button, self.done_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.table, 1)
        QWidget.setTabOrder(self.add_button, self.edit_button)
        QWidget.setTabOrder(self.edit_button, self.done_button)
        QWidget.setTabOrder(self.done_button, self.table)

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.add_task)
        self.edit_button.clicked.connect(self.edit_task)
        self.done_button.clicked.connect(self.toggle_done)
        self.table.activated.connect(lambda _index: self.edit_task())  # Enter, double-click
        self.table.itemChanged.connect(self._item_changed)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        space = QShortcut(QKeySequence(Qt.Key.Key_Space), self.table)
        space.setContext(Qt.ShortcutContext.WidgetShortcut)
        space.activated.connect(self.toggle_done)

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        case_id = self.case_id

        def run(job):
            rows = tasks.list_tasks(job.session, case_id=case_id)
            return rows, tasks.list_possible_owners(job.session, case_id=case_id)

        ReadOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._show,
            latest=self._latest,
            progress="Reading the tasks",
        ).start()

    def _show(self, result: tuple[list[TaskRow], list[OwnerRow]]) -> None:
        keep = self.current_task()
        self.tasks, self.owners = result
        self._ready = True
        self._filling = True
        try:
            self.table.setRowCount(len(self.tasks))
            for row, task in enumerate(self.tasks):
                self._fill_row(row, task)
        finally:
            self._filling = False
        open_count = sum(not t.done for t in self.tasks)
        late = sum(t.overdue for t in self.tasks)
        words = f"{open_count} to do" + (f", {late} overdue" if late else "")
        self.summary.setText(words if self.tasks else "")
        self.empty_note.setVisible(not self.tasks)
        again = [i for i, t in enumerate(self.tasks) if keep and t.id == keep.id]
        if again or self.tasks:
            self.table.setCurrentCell(again[0] if again else 0, TITLE)
        self._update_buttons()
        self.loaded.emit()

    def _fill_row(self, row: int, task: TaskRow) -> None:
        editable = self.session.can(Operation.EDIT_CASES)
        done = QTableWidgetItem()
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        done.setFlags(flags)
        done.setCheckState(Qt.CheckState.Checked if task.done else Qt.CheckState.Unchecked)
        done.setData(Qt.ItemDataRole.AccessibleTextRole, "Done" if task.done else "Not done")
        values = {
            TITLE: task.title,
            DUE: format_date(task.due_on) or "No date",
            OWNER: task.owner or "Nobody yet",
            STATUS: status_text(task),
        }
        self.table.setItem(row, DONE, done)
        for column, text in values.items():
            item = QTableWidgetItem(text)
            if column == TITLE and task.notes:
                item.setToolTip(task.notes[:500])
            if task.overdue and column in (DUE, STATUS):
                item.setForeground(OVERDUE_RED)
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            if task.done:
                item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
            self.table.setItem(row, column, item)

    def current_task(self) -> TaskRow | None:
        row = self.table.currentRow()
        return self.tasks[row] if 0 <= row < len(self.tasks) else None

    def _update_buttons(self) -> None:
        editable = self._ready and self.session.can(Operation.EDIT_CASES)
        task = self.current_task()
        self.add_button.setEnabled(editable)
        self.edit_button.setEnabled(editable and task is not None)
        self.done_button.setEnabled(editable and task is not None)
        self.done_button.setText("Mark not &done" if task and task.done else "Mark &done")

    # -- actions ----------------------------------------------------------------------------
    def add_task(self) -> None:
        if self.add_button.isEnabled():
            self._open(TaskDialog(self.session, self.case_id, self.owners, None, self))

    def edit_task(self) -> None:
        task = self.current_task()
        if task is not None and self.edit_button.isEnabled():
            self._open(TaskDialog(self.session, self.case_id, self.owners, task, self))

    def _open(self, dialog: TaskDialog) -> None:
        dialog.accepted.connect(self._saved)
        dialog.finished.connect(self._back_from_dialog)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _back_from_dialog(self) -> None:
        self.window().activateWindow()
        self.table.setFocus()

    def _saved(self) -> None:
        self.reload()
        self.changed.emit()

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != DONE or not (0 <= item.row() < len(self.tasks)):
            return
        wanted = item.checkState() == Qt.CheckState.Checked
        self._set_done(self.tasks[item.row()], wanted)

    def toggle_done(self) -> None:
        task = self.current_task()
        if task is not None and self.done_button.isEnabled():
            self._set_done(task, not task.done)

    def _set_done(self, task: TaskRow, done: bool) -> None:
        task_id = task.id
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: tasks.complete_task(job.session, task_id=task_id, done=done),
            success=lambda _row: self._saved(),
            failure=self._refused,
            progress="Saving the task",
            changes=(Change.CASES,),
        ).start()

    def _refused(self, exc: BaseException) -> None:
        Messenger.error(self, exc, "Tasks")
        self.reload()  # the box goes back to what is saved
