"""The retention review: closed cases past their retention period, each deleted for good or
kept longer with a reason and a date to look again; then the deletion certificate.

The list and every rule behind it come from `services.retention` (which cases are due, how
long each kind is kept, what a deletion removes); this window collects the choice, asks
for confirmation naming how many records will go, and shows the progress of the deletion
and of compacting the file, which run off the UI thread.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.domain.policy import RetentionRules
from desktop.domain.retention import RecordKind, count_words
from desktop.services import policies, retention
from desktop.services.retention import DeletionResult, DueRecord
from desktop.services.session import UserSession
from desktop.ui import printing
from desktop.ui.dialog_parts import (
    SavingDialog,
    date_edit,
    from_qdate,
    named,
    ok_buttons,
    text_edit,
)
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Job, ReadOp, WriteOp
from desktop.ui.report_dialog import PDF_FILTER, PRINTER_NOT_STARTED, documents_folder
from desktop.ui.worker import BusyIndicator

TITLE = "Retention review"
COLUMNS = ("Reference", "Subject", "Kind of record", "Closed", "Due since", "Kept longer before")
NOTHING_DUE = "No records are past their retention period today."


def _years(days: int) -> str:
    return f"{days // 365} years" if days % 365 == 0 else f"{days} days"


class KeepLongerDialog(SavingDialog):
    """Why the chosen records are kept past their period, and when to review them again."""

    def __init__(self, session: UserSession, case_ids: list[int], parent: QWidget | None = None):
        super().__init__(session, parent)
        self.case_ids = case_ids
        self.setObjectName("keepLongerDialog")
        self.setWindowTitle("Keep records longer")
        many = len(case_ids)
        intro = QLabel(
            f"Keep {many} record{'s' if many != 1 else ''} past the retention period. Say why "
            "(for example a claim, a complaint or an investigation still open) and when to "
            "look at them again: they come back to the review on that date."
        )
        intro.setWordWrap(True)
        self.reason = text_edit("keepReason", "Why they are kept longer")
        self.reason.setMinimumHeight(80)
        a_year = uk_today() + dt.timedelta(days=365)
        self.review_on = date_edit("keepReviewDate", "Review them again on", a_year)
        form = QFormLayout()
        reason_label, date_label = QLabel("&Reason:"), QLabel("Review &again on:")
        reason_label.setBuddy(self.reason)
        date_label.setBuddy(self.review_on)
        form.addRow(reason_label, self.reason)
        form.addRow(date_label, self.review_on)
        self.buttons, self.ok_button = ok_buttons("&Keep longer", "keepLongerOk")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(480, 300)

    def accept(self) -> None:
        reason = self.reason.toPlainText()
        review_on = from_qdate(self.review_on.date())
        case_ids = list(self.case_ids)
        self._save(
            lambda job: retention.keep_longer(
                job.session, record_ids=case_ids, reason=reason, review_on=review_on
            ),
            "Keeping the records longer",
            hold=self.buttons,
        )

    def _fields(self) -> dict[str, QWidget]:
        return {"reason": self.reason, "review_on": self.review_on}


class RetentionWindow(QDialog):
    """The records due for review, what to do with them, and the certificate afterwards."""

    loaded = Signal()  # the list on screen is up to date
    deleted = Signal(object)  # a DeletionResult

    def __init__(self, session: UserSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.records: list[DueRecord] = []
        self.certificate: int | None = None
        self.busy = False
        self.setObjectName("retentionWindow")
        self.setWindowTitle(TITLE)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._build()
        self._connect_signals()
        self._update_buttons()
        self.resize(900, 560)
        self.refresh()

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        self.intro = named(QLabel(), "retentionIntro", "What this list is")
        self.intro.setWordWrap(True)
        self.table = named(QTableWidget(0, len(COLUMNS)), "dueTable", "Records due for review")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.select_all_button = named(QPushButton("Select &all"), "selectAllButton", "Select all")
        self.delete_button = named(
            QPushButton("&Delete selected…"), "deleteSelectedButton", "Delete selected"
        )
        self.keep_button = named(QPushButton("&Keep longer…"), "keepLongerButton", "Keep longer")
        actions = QHBoxLayout()
        for button in (self.select_all_button, self.delete_button, self.keep_button):
            button.setAutoDefault(False)
            actions.addWidget(button)
        actions.addStretch(1)
        self.status = named(QLabel(), "retentionStatus", "What happened")
        self.status.setWordWrap(True)
        self.print_button = named(
            QPushButton("&Print certificate…"), "printCertificateButton", "Print certificate"
        )
        self.save_button = named(
            QPushButton("&Save certificate…"), "saveCertificateButton", "Save certificate"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("buttonBox")
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("closeRetentionButton")
        close.setAutoDefault(False)
        for button in (self.print_button, self.save_button):
            button.setAutoDefault(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.indicator = BusyIndicator(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(self.indicator)
        layout.addWidget(buttons)

    def _connect_signals(self) -> None:
        self.select_all_button.clicked.connect(self._select_all)
        self.delete_button.clicked.connect(self.delete_selected)
        self.keep_button.clicked.connect(self.keep_longer)
        self.print_button.clicked.connect(self.print_certificate)
        self.save_button.clicked.connect(self.save_certificate)
        self.table.itemSelectionChanged.connect(self._update_buttons)

    # -- the list -------------------------------------------------------------------------
    def refresh(self) -> None:
        def run(job: Job) -> tuple[RetentionRules, list[DueRecord]]:
            rules = policies.profile_in_force(job.session).profile.retention
            return rules, retention.due_records(job.session)

        ReadOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._show,
            progress="Reading the records due for review",
        ).start()

    def _show(self, found: tuple[RetentionRules, list[DueRecord]]) -> None:
        rules, self.records = found
        self.intro.setText(
            f"Closed cases past their retention period under “{rules.rule}”: kept "
            f"{_years(rules.concern_days)} after closing when they went no further than a "
            f"conversation or meeting, {_years(rules.warning_days)} with a formal written "
            f"warning, {_years(rules.sanction_days)} with a legal sanction. Delete them for "
            "good, or keep them longer with a reason and a date to look again."
        )
        self.table.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            kept = (
                f"{record.kept_reason} (until {format_date(record.kept_until)})"
                if record.kept_until
                else ""
            )
            cells = (
                record.reference,
                record.subject,
                record.kind.label,
                format_date(record.closed_on),
                format_date(record.due_on),
                kept,
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, record.case_id)
                self.table.setItem(row, column, item)
        if not self.records and not self.status.text():
            self.status.setText(NOTHING_DUE)
        self._update_buttons()
        self.loaded.emit()

    def chosen(self) -> list[DueRecord]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.records[row] for row in rows if row < len(self.records)]

    def _select_all(self) -> None:
        self.table.selectAll()
        self.table.setFocus()

    def _update_buttons(self) -> None:
        chosen = bool(self.chosen()) and not self.busy
        self.delete_button.setEnabled(chosen)
        self.keep_button.setEnabled(chosen)
        self.select_all_button.setEnabled(bool(self.records) and not self.busy)
        ready = self.certificate is not None and not self.busy
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    # -- deleting -------------------------------------------------------------------------
    def delete_selected(self) -> None:
        chosen = self.chosen()
        if not chosen or self.busy:
            return
        counts: dict[RecordKind, int] = {}
        for record in chosen:
            counts[record.kind] = counts.get(record.kind, 0) + 1
        many = len(chosen)
        records = f"{many} record{'s' if many != 1 else ''}"
        question = (
            f"Delete {records} for good: {count_words(counts)}, with everything in them "
            "(incidents, chronology, evidence, letters, sanctions, tasks) and the people no "
            "other case refers to?\n\nThis cannot be undone. The audit trail will keep only "
            "how many records of which kind were deleted, by you, under the trust's rule."
        )
        if not Messenger.confirm(self, "Delete records for good", question, f"Delete {records}"):
            return
        case_ids = [record.case_id for record in chosen]
        self.status.setText(f"Deleting {records}…")
        self._set_busy(True)
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: retention.delete_records(
                job.session, record_ids=case_ids, progress=job.progress
            ),
            success=self._deleted,
            failure=self._refused,
            done=lambda: self._set_busy(False),
            progress="Deleting the records",
            changes=(Change.CASES,),
        ).start()

    def _deleted(self, result: DeletionResult) -> None:
        self.certificate = result.certificate
        many = sum(result.counts.values())
        words = f"Deleted {count_words(result.counts)}. Certificate number {result.certificate}."
        if not result.compacted:
            words += (
                " The file could not be compacted now (another window or program has it "
                "open); that is finished the next time records are deleted."
            )
        self.status.setText(words)
        self._update_buttons()
        self.deleted.emit(result)
        if many:
            self.refresh()

    def _refused(self, exc: BaseException) -> None:
        self.status.setText("")
        Messenger.error(self, exc, self.windowTitle())
        self.refresh()

    # -- keeping longer -------------------------------------------------------------------
    def keep_longer(self) -> None:
        chosen = self.chosen()
        if not chosen or self.busy:
            return
        dialog = KeepLongerDialog(self.session, [r.case_id for r in chosen], self)
        dialog.finished.connect(lambda _result: self._kept(dialog))
        dialog.open()

    def _kept(self, dialog: KeepLongerDialog) -> None:
        if dialog.saved:
            many = int(dialog.saved)
            self.status.setText(
                f"Kept {many} record{'s' if many != 1 else ''} longer, until "
                f"{format_date(from_qdate(dialog.review_on.date()))}."
            )
            self.refresh()
        dialog.deleteLater()

    # -- the certificate ------------------------------------------------------------------
    def save_certificate(self) -> None:
        number = self.certificate
        if number is None or self.busy:
            return
        suggested = documents_folder() / f"Deletion certificate {number}.pdf"
        chosen = Messenger.save_path(
            self, "Save the deletion certificate", str(suggested), PDF_FILTER
        )
        if chosen is None:
            return
        path = chosen if chosen.suffix.lower() == ".pdf" else chosen.with_name(chosen.name + ".pdf")
        self._write(
            lambda job: retention.save_certificate(job.session, number=number, to=path),
            lambda saved: self.status.setText(f"Certificate saved as {Path(saved).name}."),
            "Saving the certificate",
        )

    def print_certificate(self) -> None:
        number = self.certificate
        if number is None or self.busy:
            return
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: retention.certificate_pdf(job.session, number=number),
            success=lambda pdf: self._print(number, pdf),
            progress="Laying out the certificate",
        ).start()

    def _print(self, number: int, pdf: bytes) -> None:
        try:
            printed = printing.print_pdf(self, pdf, f"Deletion certificate {number}")
        except OSError:
            Messenger.warn(self, "The certificate was not printed", PRINTER_NOT_STARTED)
            return
        if printed:
            self._write(
                lambda job: retention.record_certificate_printed(job.session, number=number),
                lambda _none: self.status.setText("Certificate sent to the printer."),
                "Noting that the certificate was printed",
            )

    def _write(self, run, success, progress: str) -> None:
        self._set_busy(True)
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=success,
            done=lambda: self._set_busy(False),
            progress=progress,
        ).start()


def open_retention_review(parent: QWidget | None, session: UserSession) -> RetentionWindow:
    """Open the retention review (not modal: the main window stays usable meanwhile)."""
    window = RetentionWindow(session, parent)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window
