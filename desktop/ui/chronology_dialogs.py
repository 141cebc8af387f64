"""The chronology tab's dialogs: write or correct an entry, and see every version of one.

`EventDialog` saves through the chronology service itself when OK is pressed and stays open
if the service refuses (the message names what to fix, and the field takes the focus), so
nothing typed is lost. A correction needs a reason and says plainly that the earlier
version stays on the record. `HistoryDialog` lists every version with who, when and why.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import UK, format_datetime, to_uk
from desktop.services import chronology
from desktop.services.chronology import MANUAL_KINDS, EventRow, VersionRow
from desktop.services.session import UserSession
from desktop.ui.case_tabs.common import detail_pane, selectable_table
from desktop.ui.dialog_parts import (
    SavingDialog,
    combo_box,
    line_edit,
    save_cancel_buttons,
    text_edit,
)
from desktop.ui.operations import ReadOp

DATE_TIME_FORMAT = "dd/MM/yyyy HH:mm"
KEEPS_OLD_VERSION = (
    "The entry as it reads now stays on the record: your correction is saved as a new "
    "version with your name, the time and your reason, and both can be seen under History."
)


def to_qdatetime(value: dt.datetime) -> QDateTime:
    """A stored moment as the UK wall-clock time a person reads and types."""
    local = to_uk(value)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def from_qdatetime(value: QDateTime) -> dt.datetime:
    """What a person typed in a date-and-time box, read as UK time."""
    day, time = value.date(), value.time()
    return dt.datetime(day.year(), day.month(), day.day(), time.hour(), time.minute(), tzinfo=UK)


def this_minute() -> QDateTime:
    """Now, to the minute: what a date-and-time box starts at."""
    now = QDateTime.currentDateTime()
    return QDateTime(now.date(), QTime(now.time().hour(), now.time().minute()))


def date_time_edit(name: str) -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat(DATE_TIME_FORMAT)
    edit.setCalendarPopup(True)
    edit.setDateTime(this_minute())
    return edit


class EventDialog(SavingDialog):
    """Add an entry (`event=None`) or correct one; saves itself on OK."""

    def __init__(
        self, session: UserSession, case_id: int, event: EventRow | None = None, parent=None
    ):
        super().__init__(session, parent)
        self.case_id, self.entry = case_id, event
        self.saved: EventRow | None = None
        self.setObjectName("eventDialog")
        editing = event is not None
        self.setWindowTitle("Correct a chronology entry" if editing else "Add a chronology entry")

        self.kind_combo = combo_box("kindCombo", "Kind of entry")
        for kind in MANUAL_KINDS:
            self.kind_combo.addItem(kind.label, kind.value)
        self.when_edit = date_time_edit("occurredEdit")
        self.when_edit.setAccessibleName("When it happened")
        self.summary_edit = line_edit(
            "summaryEdit", "Summary", placeholder="One line: what happened"
        )
        self.summary_edit.setMaxLength(chronology.MAX_SUMMARY_LENGTH)
        self.detail_edit = text_edit("detailEdit", "Detail")
        self.reason_edit = line_edit(
            "reasonEdit",
            "Reason for the correction",
            placeholder="Why is this entry being corrected?",
        )
        self.note = QLabel(KEEPS_OLD_VERSION)
        self.note.setObjectName("versionNote")
        self.note.setWordWrap(True)
        self.buttons = save_cancel_buttons(self)

        form = QFormLayout()
        form.addRow("&Kind:", self.kind_combo)
        form.addRow("&When:", self.when_edit)
        form.addRow("&Summary:", self.summary_edit)
        form.addRow("&Detail:", self.detail_edit)
        if editing:
            form.addRow("&Reason:", self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if editing:
            layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.reason_edit.setVisible(editing)
        self.note.setVisible(editing)

        if event is not None:
            index = self.kind_combo.findData(event.kind)
            if index < 0:  # a kind not written by hand: shown, not changeable
                self.kind_combo.addItem(event.kind_label, event.kind)
                index = self.kind_combo.count() - 1
            self.kind_combo.setCurrentIndex(index)
            self.kind_combo.setEnabled(False)
            self.when_edit.setDateTime(to_qdatetime(event.occurred_at))
            self.summary_edit.setText(event.summary)
            self.detail_edit.setPlainText(event.detail)
        self.resize(560, 420)
        (self.summary_edit if not editing else self.reason_edit).setFocus()

    def _fields(self) -> dict[str, QWidget]:
        return {
            "kind": self.kind_combo,
            "occurred_at": self.when_edit,
            "summary": self.summary_edit,
            "detail": self.detail_edit,
            "text": self.detail_edit,
            "reason": self.reason_edit,
        }

    def accept(self) -> None:
        when = from_qdatetime(self.when_edit.dateTime())
        summary, detail = self.summary_edit.text(), self.detail_edit.toPlainText()
        if self.entry is None:
            kind, case_id = self.kind_combo.currentData(), self.case_id

            def run(job):
                return chronology.add_event(
                    job.session,
                    case_id=case_id,
                    kind=kind,
                    occurred_at=when,
                    summary=summary,
                    detail=detail,
                )
        else:
            event_id, reason = self.entry.id, self.reason_edit.text()
            moved = None if when == from_qdatetime(to_qdatetime(self.entry.occurred_at)) else when

            def run(job):
                return chronology.edit_event(
                    job.session,
                    event_id=event_id,
                    summary=summary,
                    detail=detail,
                    reason=reason,
                    occurred_at=moved,
                )

        self._save(run, "Saving the entry", hold=self.buttons)


class HistoryDialog(QDialog):
    """Every version of one entry, oldest first, with who saved it, when, and why."""

    HEADERS = ("Version", "Date", "Summary", "Saved by", "Saved at", "Reason for the change")

    def __init__(self, session: UserSession, event: EventRow, parent=None):
        super().__init__(parent)
        self.session = session
        self.versions: list[VersionRow] = []
        self.setObjectName("historyDialog")
        self.setWindowTitle(f"History of an entry — {event.kind_label}")
        intro = QLabel(
            "A saved entry is never overwritten. Each correction is a new version; the "
            "earlier versions stay on the record as they were."
        )
        intro.setWordWrap(True)
        self.table = selectable_table("versionsTable", "Versions of the entry", self.HEADERS, 2)
        self.detail = detail_pane("versionDetail", "The selected version as it was saved")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("buttonBox")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_detail(row))
        self.resize(820, 480)
        ReadOp(
            parent=self,
            session=session,
            run=lambda job: chronology.event_history(job.session, event_id=event.id),
            success=self._show,
            progress="Reading the entry's history",
        ).start()

    def _show(self, versions: list[VersionRow]) -> None:
        self.versions = versions
        self.table.setRowCount(len(versions))
        for row, version in enumerate(versions):
            values = (
                f"{version.version} of {len(versions)}",
                format_datetime(version.occurred_at),
                version.summary,
                version.recorded_by,
                format_datetime(version.recorded_at),
                version.reason or ("First recorded" if version.version == 1 else ""),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        if versions:
            self.table.setCurrentCell(len(versions) - 1, 0)
            self.table.setFocus()

    def _show_detail(self, row: int) -> None:
        if not 0 <= row < len(self.versions):
            self.detail.clear()
            return
        version = self.versions[row]
        lines = [
            f"Version {version.version}, saved by {version.recorded_by} on "
            f"{format_datetime(version.recorded_at)}",
        ]
        if version.reason:
            lines.append(f"Reason for the change: {version.reason}")
        lines += ["", version.summary, "", version.detail]
        self.detail.setPlainText("\n".join(lines).rstrip())
