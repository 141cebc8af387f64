"""The case window's Tasks tab: follow-ups with a due date, an owner and a done box.

Overdue tasks say "Overdue" in words as well as in red, so the flag does not rest on colour.
Space ticks the selected task done (or not done); Enter or a double-click edits it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.domain.roles import Operation
from desktop.domain.tasks import MAX_TITLE_LENGTH
from desktop.services import tasks
from desktop.services.session import UserSession
from desktop.services.tasks import OwnerRow, TaskRow
from desktop.ui.case_tabs.common import (
    CaseTab,
    button_row,
    chain_tab_order,
    empty_note,
    list_table,
    make_button,
    restore_selection,
    row_at,
    stack,
)
from desktop.ui.dialog_parts import (
    SavingDialog,
    combo_box,
    line_edit,
    save_cancel_buttons,
    text_edit,
    to_qdate,
)
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, WriteOp

OVERDUE = "Overdue"
OVERDUE_RED = QColor(178, 34, 34)  # firebrick: readable on white, and the word says it too
DONE, TITLE, DUE, OWNER, STATUS = range(5)


def status_text(task: TaskRow) -> str:
    if task.done:
        return f"Done {format_date(task.done_on)}" + (f" by {task.done_by}" if task.done_by else "")
    return OVERDUE if task.overdue else ""


class TaskDialog(SavingDialog):
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
        super().__init__(session, parent)
        self.case_id, self.task = case_id, task
        self.saved: TaskRow | None = None
        self.setObjectName("taskDialog")
        self.setWindowTitle("Change a task" if task else "Add a task")
        self.title_edit = line_edit(
            "taskTitleEdit",
            "What is to be done",
            placeholder="e.g. Ring Mrs Khan back about the meeting",
        )
        self.title_edit.setMaxLength(MAX_TITLE_LENGTH)
        self.due_edit = QDateEdit()
        self.due_edit.setObjectName("taskDueEdit")
        self.due_edit.setAccessibleName("Due date")
        self.due_edit.setDisplayFormat("dd/MM/yyyy")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDate(to_qdate(uk_today() + dt.timedelta(days=7)))
        self.no_due_box = QCheckBox("&No due date")
        self.no_due_box.setObjectName("noDueDateBox")
        self.owner_combo = combo_box("taskOwnerCombo", "Whose task it is")
        self.owner_combo.addItem("Nobody yet", None)
        for owner in owners:
            self.owner_combo.addItem(f"{owner.full_name} ({owner.role})", owner.id)
        self.notes_edit = text_edit("taskNotesEdit", "Notes")
        self.buttons = save_cancel_buttons(self)
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

        self._save(run, "Saving the task", hold=self.buttons)

    def _fields(self) -> dict[str, QWidget]:
        return {
            "title": self.title_edit,
            "due_on": self.due_edit,
            "owner": self.owner_combo,
            "notes": self.notes_edit,
        }


class TasksTab(CaseTab):
    title = "&Tasks"
    HEADERS = ("Done", "Task", "Due", "Owner", "Status")

    def __init__(self, session: UserSession, case_id: int, parent=None):
        super().__init__(session, case_id, "tasksTab", parent)
        self.tasks: list[TaskRow] = []
        self.owners: list[OwnerRow] = []
        self._filling = False
        self._ready = False  # until the first read, the owners to offer are not known
        self._start()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.add_button = make_button("addTaskButton", "&New task…", "Add a task")
        self.edit_button = make_button(
            "editTaskButton",
            "Chan&ge…",
            "Change the selected task",
            "Change the selected task (Enter)",
        )
        self.done_button = make_button(
            "doneTaskButton",
            "Mark &done",
            "Mark the selected task done or not done",
            "Tick the selected task done, or not done (Space)",
        )
        self.summary = QLabel()
        self.summary.setObjectName("tasksSummary")
        self.table = list_table("tasksTable", "Tasks on this case", self.HEADERS, TITLE)
        self.empty_note = empty_note(
            "No tasks yet. Add the follow-ups this case needs, with a due date."
        )
        bar = button_row(self.add_button, self.edit_button, self.done_button, lead=(self.summary,))
        stack(self, bar, self.empty_note, main=self.table)
        chain_tab_order(self.add_button, self.edit_button, self.done_button, self.table)

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

        self._read(run, "Reading the tasks")

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
        keys = [t.id for t in self.tasks]
        restore_selection(self.table, keys, None if keep is None else keep.id, column=TITLE)
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

    def select_task(self, task_id: int) -> None:
        """Put the cursor on a task (a calendar item opened from the calendar)."""

        def attempt() -> bool:
            ids = [t.id for t in self.tasks]
            if task_id not in ids:
                return False
            self.table.setCurrentCell(ids.index(task_id), 0)
            self.table.setFocus()
            return True

        self.when_loaded(attempt)

    def current_task(self) -> TaskRow | None:
        return row_at(self.table, self.tasks)

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
            success=self._saved,
            failure=self._refused,
            progress="Saving the task",
            changes=(Change.CASES,),
        ).start()

    def _refused(self, exc: BaseException) -> None:
        Messenger.error(self, exc, "Tasks")
        self.reload()  # the box goes back to what is saved
