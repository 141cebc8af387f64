"""What is overdue or due this week, said once after sign-in and kept in the status bar.

The reminder opens after sign-in when anything is overdue, due today or due within the
week; "Not again today" keeps it closed until tomorrow for that account on this computer
(the window-state file keeps only a date under an opaque key, never a name). The status
bar's label says the same in a few words and opens the calendar when clicked.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.domain.due import DueState, Summary
from desktop.domain.roles import Operation
from desktop.services import due
from desktop.services.session import UserSession
from desktop.ui.dialog_parts import named
from desktop.ui.operations import Job, Latest, ReadOp

OVERDUE_STYLE = "QLabel { color: #b42318; font-weight: bold; }"
MAX_LISTED = 12  # the reminder lists this many items; the calendar has the rest


def _key(session: UserSession) -> str:
    """Where this account's "not again today" is kept: opaque, no name in the file."""
    who = f"{session.store.identity.store_id}:{session.actor.user_id}"
    return "reminders/" + hashlib.sha256(who.encode()).hexdigest()[:20]


def dismissed_today(state: QSettings, session: UserSession, today: dt.date) -> bool:
    return state.value(_key(session), "") == today.isoformat()


def dismiss_for_today(state: QSettings, session: UserSession, today: dt.date) -> None:
    state.setValue(_key(session), today.isoformat())
    state.sync()


def status_words(summary: Summary) -> str:
    return "Nothing due this week" if not summary.needs_saying else f"Due: {summary.words}"


class DueStatusLabel(QLabel):
    """The status bar's "Due: 2 overdue, 3 due this week"; a click opens the calendar."""

    open_calendar = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dueLabel")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setToolTip("Open the calendar of reviews and deadlines (Ctrl+Shift+C)")
        self.linkActivated.connect(lambda _link: self.open_calendar.emit())
        self._latest = Latest()
        self.summary: Summary | None = None

    def refresh(self, session: UserSession, today: dt.date | None = None) -> None:
        """Count again in the background (after sign-in, and when cases change)."""
        if not session.can(Operation.VIEW_CASES):
            self.clear()
            return
        day = today or uk_today()
        ReadOp(
            parent=self,
            session=session,
            run=lambda job: due.due_summary(job.session, today=day),
            success=self.show_summary,
            latest=self._latest,
            progress="Counting what falls due",
        ).start()

    def show_summary(self, summary: Summary) -> None:
        self.summary = summary
        words = status_words(summary)
        self.setStyleSheet(OVERDUE_STYLE if summary.overdue else "")
        self.setText(f'<a href="calendar" style="color: inherit;">{words}</a>')
        self.setAccessibleName(words)


class ReminderDialog(QDialog):
    """After sign-in: what is overdue and what is due this week, with a way to the
    calendar, and "Not again today"."""

    open_calendar = Signal()

    def __init__(
        self,
        found: due.Reminder,
        today: dt.date,
        state: QSettings,
        session: UserSession,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reminderDialog")
        self.setWindowTitle("Reviews and deadlines")
        self.state, self.session, self.today = state, session, today
        summary = found.summary
        heading = named(QLabel(), "reminderHeading", "What falls due")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        heading.setText(
            f"{summary.words[:1].upper()}{summary.words[1:]}. Nothing here lapses by itself: "
            "each needs a decision or an entry recorded on its case."
        )
        if summary.overdue:
            heading.setStyleSheet(OVERDUE_STYLE)
        self.list = named(QTreeWidget(), "reminderList", "Items falling due")
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(["Date", "State", "What", "Case", "Schools"])
        for item in found.first:
            row = QTreeWidgetItem(
                [
                    format_date(item.date),
                    item.state.label,
                    item.kind.label,
                    item.reference,
                    ", ".join(item.schools),
                ]
            )
            row.setToolTip(2, item.resolves)
            if item.state is DueState.OVERDUE:
                for column in range(5):
                    row.setForeground(column, Qt.GlobalColor.darkRed)
            self.list.addTopLevelItem(row)
        for column in range(4):
            self.list.resizeColumnToContents(column)
        more = named(QLabel(), "reminderMore", "More in the calendar")
        more.setVisible(found.count > len(found.first))
        more.setText(f"…and {found.count - len(found.first)} more in the calendar.")
        self.not_today = named(
            QCheckBox("&Not again today"), "notTodayCheck", "Do not remind me again today"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.calendar_button = named(
            QPushButton("Open the &calendar"), "openCalendarButton", "Open the calendar"
        )
        buttons.addButton(self.calendar_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)
        self.calendar_button.clicked.connect(self._to_calendar)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(more)
        layout.addWidget(self.not_today)
        layout.addWidget(buttons)
        self.calendar_button.setDefault(True)
        self.calendar_button.setFocus()
        self.resize(720, 360)

    def _to_calendar(self) -> None:
        self.open_calendar.emit()
        self.accept()

    def done(self, result: int) -> None:
        if self.not_today.isChecked():
            dismiss_for_today(self.state, self.session, self.today)
        owner = self.parentWidget()
        if owner is not None and getattr(owner, "reminder", None) is self:
            owner.reminder = None  # type: ignore[attr-defined]
        super().done(result)


def remind(
    parent: QWidget,
    session: UserSession,
    state: QSettings,
    on_calendar,  # noqa: ANN001 - a slot
    today: dt.date | None = None,
) -> None:
    """After sign-in: read what is due (off the UI thread) and, if anything is and the
    person has not put it off for today, show the reminder (not modal)."""
    day = today or uk_today()
    if not session.can(Operation.VIEW_CASES) or dismissed_today(state, session, day):
        return

    def show(found: due.Reminder) -> None:
        if not found.count or session.closed:
            return
        dialog = ReminderDialog(found, day, state, session, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Beside the main window, not in front of the keyboard: the search box keeps it.
        dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        # No lambda on the dialog's own signals: PySide can crash calling one after a
        # WA_DeleteOnClose dialog is gone. The dialog forgets itself in `done`.
        dialog.open_calendar.connect(on_calendar)
        dialog.show()
        parent.reminder = dialog  # type: ignore[attr-defined]  # for tests and for locking

    def run(job: Job) -> due.Reminder:
        return due.reminder(job.session, listed=MAX_LISTED, today=day)

    ReadOp(parent=parent, session=session, run=run, success=show, progress="").start()
