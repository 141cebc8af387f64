"""The annual report to the board: choose the period and the schools, make it in the
background, look at it, then print it or save it as a PDF or a CSV.

The period starts as the last school year that has ended (1 September to 31 August: the
year a board reports on), from `domain.reporting.last_school_year`. The report is
anonymised; a named appendix (personal data) is added only when its box is ticked, with a
warning beside it. Making, printing and saving are recorded in the audit trail by the
service. Changing the period, the schools or the appendix after a report was made sets the
preview aside until the report is made again, so what is printed or saved is always what
the boxes say.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import uk_today
from desktop.domain.reporting import ANONYMISED_NOTE, BoardReport, last_school_year
from desktop.services import board_report, trust
from desktop.services.session import UserSession
from desktop.ui import printing
from desktop.ui.dialog_parts import date_edit, from_qdate, named
from desktop.ui.evidence_viewer import PdfView
from desktop.ui.messages import Messenger
from desktop.ui.operations import Job, ReadOp, WriteOp
from desktop.ui.worker import BusyIndicator

NAMED_WARNING = (
    "The appendix lists every case in the period with its reference and the names of the "
    "people it concerns. That is personal data: share the report only with those who need "
    "it, keep it securely, and destroy it when it is no longer needed. The audit trail "
    "records that a named report was made."
)
SAVED_WARNING = (
    "This file is not encrypted: anyone who can open that folder can read it. Saving it is "
    "recorded in the audit trail."
)
PRINTER_NOT_STARTED = (
    "The printer could not be started. Check that it is switched on and connected, then try again."
)
PDF_FILTER = "PDF documents (*.pdf)"
CSV_FILTER = "CSV files (*.csv)"


def documents_folder() -> Path:
    """Where a saved report is offered first: Documents, or home when there is none yet."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def _with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class ReportDialog(QDialog):
    """The annual board report: its choices at the top, the report below once made."""

    made = Signal()  # a report is on screen, ready to print or save

    def __init__(self, session: UserSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.report: BoardReport | None = None
        self.pdf = b""
        self.busy = False
        self.setObjectName("reportDialog")
        self.setWindowTitle("Annual board report")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._build()
        self._connect_signals()
        self._update_buttons()
        self.resize(860, 820)
        self._load_schools()

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        period = last_school_year(uk_today())
        self.from_edit = date_edit("fromDate", "First day of the period", period.start)
        self.to_edit = date_edit("toDate", "Last day of the period", period.end)
        dates = QHBoxLayout()
        dates.addWidget(self.from_edit)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.to_edit)
        dates.addStretch(1)
        self.school_list = named(QListWidget(), "schoolList", "Schools to report on")
        self.school_list.setMaximumHeight(110)
        form = QFormLayout()
        period_label, schools_label = QLabel("&Period:"), QLabel("&Schools:")
        period_label.setBuddy(self.from_edit)
        schools_label.setBuddy(self.school_list)
        form.addRow(period_label, dates)
        form.addRow(schools_label, self.school_list)
        intro = QLabel(
            "The period starts as the last school year (1 September to 31 August). Each "
            f"figure is set against the period of the same length before it. {ANONYMISED_NOTE}"
            ", and no names appear."
        )
        intro.setWordWrap(True)
        self.named_check = named(
            QCheckBox("Include a &named appendix (personal data)"),
            "namedCheck",
            "Include a named appendix (personal data)",
        )
        self.named_warning = named(QLabel(NAMED_WARNING), "namedWarning", "Warning: personal data")
        self.named_warning.setWordWrap(True)
        self.named_warning.setStyleSheet(
            "QLabel { background: #fde8e8; color: #7a1010; border: 1px solid #b42318;"
            " border-radius: 3px; padding: 6px; }"
        )
        self.named_warning.hide()
        self.make_button = named(QPushButton("&Make report"), "makeReportButton", "Make report")
        self.make_button.setDefault(True)
        self.status = named(QLabel(), "reportStatus", "Report status")
        self.status.setWordWrap(True)
        make_row = QHBoxLayout()
        make_row.addWidget(self.make_button)
        make_row.addWidget(self.status, 1)
        self.preview = named(PdfView(), "reportPreview", "The report")
        self.preview.hide()
        self.print_button = named(QPushButton("&Print…"), "printReportButton", "Print")
        self.save_pdf_button = named(
            QPushButton("Save as P&DF…"), "saveReportPdfButton", "Save as PDF"
        )
        self.save_csv_button = named(QPushButton("Save &CSV…"), "saveReportCsvButton", "Save CSV")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("buttonBox")
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closeReportButton")
        self.close_button.setAutoDefault(False)
        for button in (self.print_button, self.save_pdf_button, self.save_csv_button):
            button.setAutoDefault(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.indicator = BusyIndicator(self)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.named_check)
        layout.addWidget(self.named_warning)
        layout.addLayout(make_row)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.indicator)
        layout.addWidget(buttons)

    def _connect_signals(self) -> None:
        self.make_button.clicked.connect(self.make_report)
        self.print_button.clicked.connect(self.print_report)
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.save_csv_button.clicked.connect(self.save_csv)
        self.named_check.toggled.connect(self.named_warning.setVisible)
        self.named_check.toggled.connect(self._choices_changed)
        self.from_edit.dateChanged.connect(self._choices_changed)
        self.to_edit.dateChanged.connect(self._choices_changed)
        self.school_list.itemChanged.connect(self._choices_changed)

    def _load_schools(self) -> None:
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: trust.list_schools(job.session, include_inactive=True),
            success=self._show_schools,
            progress="Reading the schools",
        ).start()

    def _show_schools(self, schools) -> None:
        self.school_list.blockSignals(True)
        self.school_list.clear()
        for school in schools:
            item = QListWidgetItem(school.name)
            item.setData(Qt.ItemDataRole.UserRole, school.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.school_list.addItem(item)
        self.school_list.blockSignals(False)
        if self.school_list.count():
            self.school_list.setCurrentRow(0)

    # -- what the boxes say ---------------------------------------------------------------
    def chosen_school_ids(self) -> list[int] | None:
        """The ticked schools' ids; None when every school listed is ticked."""
        items = [self.school_list.item(row) for row in range(self.school_list.count())]
        ticked = [i for i in items if i.checkState() == Qt.CheckState.Checked]
        if len(ticked) == len(items):
            return None
        return [int(item.data(Qt.ItemDataRole.UserRole)) for item in ticked]

    def _choices_changed(self, *_args) -> None:
        if self.report is None:
            return
        self.report, self.pdf = None, b""
        self.preview.hide()
        self.status.setText("The choices have changed: make the report again to see them.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.report is not None and not self.busy
        for button in (self.print_button, self.save_pdf_button, self.save_csv_button):
            button.setEnabled(ready)
        self.make_button.setEnabled(not self.busy)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    # -- making it --------------------------------------------------------------------------
    def make_report(self) -> None:
        if self.busy:
            return
        start, end = from_qdate(self.from_edit.date()), from_qdate(self.to_edit.date())
        school_ids = self.chosen_school_ids()
        if school_ids == []:
            Messenger.warn(self, self.windowTitle(), "Tick at least one school to report on.")
            self.school_list.setFocus()
            return
        named_report = self.named_check.isChecked()

        def run(job: Job) -> tuple[BoardReport, bytes]:
            job.progress(0, 2, "Counting the figures")
            report = board_report.annual_report(
                job.session, start=start, end=end, school_ids=school_ids, named=named_report
            )
            job.progress(1, 2, "Laying out the report")
            return report, board_report.annual_report_pdf(report)

        self.status.setText("Making the report…")
        self._set_busy(True)
        WriteOp(  # it writes the audit entry that says the report was made
            parent=self,
            session=self.session,
            run=run,
            success=self._show_report,
            failure=self._refused,
            done=lambda: self._set_busy(False),
            progress="Making the report",
        ).start()

    def _show_report(self, made: tuple[BoardReport, bytes]) -> None:
        self.report, self.pdf = made
        self.preview.show()
        self.preview.show_pdf(self.pdf)
        kind = "with a named appendix (personal data)" if self.report.named else "anonymised"
        self.status.setText(f"The report for {self.report.period.words}, {kind}.")
        self._update_buttons()
        self.made.emit()

    def _refused(self, exc: BaseException) -> None:
        self.status.setText("")
        Messenger.error(self, exc, self.windowTitle())
        field = getattr(exc, "field", None)
        if field in ("start", "end"):
            (self.to_edit if field == "end" else self.from_edit).setFocus()
        elif field == "schools":
            self.school_list.setFocus()

    # -- printing and saving ----------------------------------------------------------------
    def print_report(self) -> None:
        report = self.report
        if report is None or self.busy:
            return
        try:
            printed = printing.print_pdf(self, self.pdf, "Annual board report")
        except OSError:
            Messenger.warn(self, "The report was not printed", PRINTER_NOT_STARTED)
            return
        if not printed:
            return  # cancelled at the print dialog: nothing left the store
        self._write(
            lambda job: board_report.record_report_printed(job.session, report=report),
            lambda _none: self.status.setText("Sent to the printer."),
            "Noting that the report was printed",
        )

    def save_pdf(self) -> None:
        self._save(".pdf", PDF_FILTER, "Save the report as a PDF")

    def save_csv(self) -> None:
        self._save(".csv", CSV_FILTER, "Save the report's figures as a CSV file")

    def _save(self, suffix: str, filters: str, title: str) -> None:
        report, pdf = self.report, self.pdf
        if report is None or self.busy:
            return
        suggested = documents_folder() / board_report.report_file_name(report, suffix)
        chosen = Messenger.save_path(self, title, str(suggested), filters)
        if chosen is None:
            return
        path = _with_suffix(chosen, suffix)

        def run(job: Job) -> Path:
            if suffix == ".pdf":
                saved = board_report.save_annual_report(
                    job.session, report=report, pdf_to=path, pdf=pdf
                )
                assert saved.pdf is not None
                return saved.pdf
            saved = board_report.save_annual_report(job.session, report=report, csv_to=path)
            assert saved.csv is not None
            return saved.csv

        self._write(run, self._saved, "Saving the report")

    def _saved(self, path: Path) -> None:
        self.status.setText(f"Saved as {Path(path).name}")
        self.status.setToolTip(str(path))
        Messenger.info(self, "Report saved", f"The report was saved as {path}.\n\n{SAVED_WARNING}")

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


def show_report_dialog(session: UserSession, parent: QWidget | None = None) -> ReportDialog:
    """Open the dialog (not modal: the main window stays usable while a report is made)."""
    dialog = ReportDialog(session, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
