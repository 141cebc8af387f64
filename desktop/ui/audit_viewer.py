"""The audit viewer: the trail's entries, newest first, a page at a time, filtered by
account, case, action and day; one entry's detail in words beside them; a check of the
whole chain with its progress; and an export of the filtered entries for an investigation.

For those who may check the trail (trust leaders, the data protection lead, auditors). The
service filters and pages in the database (`services.audit_view`), checks the chain
(`services.audit.verify_chain`) and records both the check and an export; this window
only collects the filter and shows what comes back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_datetime, uk_today
from desktop.errors import ValidationError
from desktop.services import audit, audit_view
from desktop.services.audit import ChainReport
from desktop.services.audit_view import AuditChoices, AuditFilter, AuditPage, AuditRow
from desktop.services.session import UserSession
from desktop.ui.dialog_parts import date_edit, from_qdate, line_edit, named
from desktop.ui.messages import Messenger
from desktop.ui.operations import Job, Latest, ReadOp, WriteOp
from desktop.ui.report_dialog import documents_folder
from desktop.ui.worker import BusyIndicator

TITLE = "Audit trail"
HEADERS = ("Entry", "When", "User", "Action", "Case")
ANYONE = "Anyone"
ANY_ACTION = "Any action"
EXPORT_FILTERS = "CSV files (*.csv);;JSON files (*.json)"
EXPORT_WARNING = (
    "This file is not encrypted: anyone who can open that folder can read it. The export is "
    "recorded in the audit trail."
)


def _count(number: int, one: str, many: str) -> str:
    return f"1 {one}" if number == 1 else f"{number:,} {many}"


def page_words(page: AuditPage) -> str:
    """`Entries 1–200 of 1,234`, or that none match."""
    if not page.total:
        return "No entries match."
    return f"Entries {page.first:,}–{page.last:,} of {page.total:,}"


def result_words(report: ChainReport) -> str:
    """The check's result in a sentence: intact, or the first problem and how many."""
    checked = _count(report.entries, "entry", "entries")
    if report.intact:
        return f"The audit trail is intact: {checked} checked, each in its place and unchanged."
    first = report.findings[0]
    where = f"entry {first.entry_id:,}: " if first.entry_id is not None else ""
    more = len(report.findings) - 1
    others = f" ({_count(more, 'more problem', 'more problems')} found)" if more else ""
    return f"The audit trail is NOT intact ({checked} checked). First problem: {where}{first.text}{others}."


def entry_words(row: AuditRow) -> str:
    """One entry as the detail pane shows it."""
    lines = [
        f"Entry {row.id:,}, {format_datetime(row.at)}",
        f"User: {row.username}",
        f"Action: {row.action}",
    ]
    if row.case_reference:
        lines.append(f"Case: {row.case_reference}")
    elif row.case_id is not None:
        lines.append(f"Case: number {row.case_id} (no longer in the store)")
    lines += ["", row.detail_text, "", f"Seal: {row.entry_hash}", f"Follows: {row.prev_hash}"]
    return "\n".join(lines)


class AuditTableModel(QAbstractTableModel):
    """The page of entries on show."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AuditRow] = []

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        return (
            f"{row.id:,}",
            format_datetime(row.at),
            row.username,
            row.action,
            row.case_reference,
        )[index.column()]


class _Relay(QObject):
    """Lives on the UI thread; the check's progress, emitted on a pool thread, is queued here."""

    moved = Signal(int, int)


class AuditViewer(QDialog):
    """The audit trail, filtered and paged, with its check and its export."""

    loaded = Signal()  # a page of entries is on show
    progressed = Signal(int, int)  # entries checked so far, of how many
    verified = Signal(object)  # the ChainReport, once shown
    exported = Signal(object)  # the ExportedAudit, once saved

    page_size = audit_view.PAGE_SIZE

    def __init__(self, session: UserSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.page: AuditPage | None = None
        self.filters = AuditFilter()
        self.offset = 0
        self.busy = False
        self.progress: QProgressDialog | None = None
        self._latest = Latest()
        self._relay = _Relay(self)
        self.setObjectName("auditViewer")
        self.setWindowTitle(TITLE)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._build()
        self._connect_signals()
        self.resize(1040, 680)
        self._update_buttons()
        self.reload(choices=True)

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        today = uk_today()
        self.user_combo = named(QComboBox(), "userCombo", "Entries by user")
        self.user_combo.addItem(ANYONE, "")
        self.case_edit = line_edit("caseEdit", "Entries about case", placeholder="CB-2026-0042")
        self.case_edit.setClearButtonEnabled(True)
        self.action_combo = named(QComboBox(), "actionCombo", "Entries of action")
        self.action_combo.addItem(ANY_ACTION, "")
        self.from_check = named(QCheckBox("&From"), "fromCheck", "Only from a day")
        self.from_edit = date_edit("fromDate", "First day", today - dt.timedelta(days=30))
        self.to_check = named(QCheckBox("&To"), "toCheck", "Only up to a day")
        self.to_edit = date_edit("toDate", "Last day", today)
        self.from_edit.setEnabled(False)
        self.to_edit.setEnabled(False)
        self.clear_button = named(QPushButton("C&lear filters"), "clearFiltersButton", "Clear")
        filters = QGridLayout()
        user_label, case_label, action_label = (
            QLabel("&User:"),
            QLabel("&Case:"),
            QLabel("&Action:"),
        )
        user_label.setBuddy(self.user_combo)
        case_label.setBuddy(self.case_edit)
        action_label.setBuddy(self.action_combo)
        filters.addWidget(user_label, 0, 0)
        filters.addWidget(self.user_combo, 0, 1)
        filters.addWidget(case_label, 0, 2)
        filters.addWidget(self.case_edit, 0, 3)
        filters.addWidget(action_label, 0, 4)
        filters.addWidget(self.action_combo, 0, 5)
        dates = QHBoxLayout()
        for widget in (self.from_check, self.from_edit, self.to_check, self.to_edit):
            dates.addWidget(widget)
        dates.addStretch(1)
        dates.addWidget(self.clear_button)
        filters.addLayout(dates, 1, 0, 1, 6)
        filters.setColumnStretch(3, 1)
        filters.setColumnStretch(5, 1)

        self.model = AuditTableModel(self)
        self.table = named(QTableView(), "entryTable", "Audit entries, newest first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.detail = named(QPlainTextEdit(), "entryDetail", "The chosen entry in full")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Choose an entry to see it in full.")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.newer_button = named(QPushButton("< &Newer"), "newerButton", "Newer entries")
        self.older_button = named(QPushButton("&Older >"), "olderButton", "Older entries")
        self.page_label = named(QLabel(), "pageLabel", "Which entries are shown")
        paging = QHBoxLayout()
        paging.addWidget(self.newer_button)
        paging.addWidget(self.page_label)
        paging.addWidget(self.older_button)
        paging.addStretch(1)

        self.result_label = named(QLabel(), "verifyResult", "The last check of the trail")
        self.result_label.setWordWrap(True)
        self.verify_button = named(
            QPushButton("&Verify chain…"), "verifyButton", "Check the whole audit trail"
        )
        self.export_button = named(
            QPushButton("&Export…"), "exportButton", "Save the entries shown for an investigation"
        )
        self.close_button = named(QPushButton("Close"), "closeButton", "Close")
        actions = QHBoxLayout()
        actions.addWidget(self.result_label, 1)
        for button in (self.verify_button, self.export_button, self.close_button):
            actions.addWidget(button)
        for button in (
            self.clear_button,
            self.newer_button,
            self.older_button,
            self.verify_button,
            self.export_button,
            self.close_button,
        ):
            button.setAutoDefault(False)  # Enter in the case field filters, never closes

        self.indicator = BusyIndicator(self)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(paging)
        layout.addLayout(actions)
        layout.addWidget(self.indicator)

    def _connect_signals(self) -> None:
        self.user_combo.activated.connect(self.apply_filters)
        self.action_combo.activated.connect(self.apply_filters)
        self.case_edit.returnPressed.connect(self.apply_filters)
        self.from_check.toggled.connect(self.from_edit.setEnabled)
        self.to_check.toggled.connect(self.to_edit.setEnabled)
        self.from_check.toggled.connect(self.apply_filters)
        self.to_check.toggled.connect(self.apply_filters)
        self.from_edit.editingFinished.connect(self._date_changed)
        self.to_edit.editingFinished.connect(self._date_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.newer_button.clicked.connect(self.newer)
        self.older_button.clicked.connect(self.older)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.verify_button.clicked.connect(self.verify_chain)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.close)
        self._relay.moved.connect(self._progressed)

    # -- the filter -------------------------------------------------------------------------
    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            username=self.user_combo.currentData() or "",
            case_reference=self.case_edit.text().strip(),
            action=self.action_combo.currentData() or "",
            start=from_qdate(self.from_edit.date()) if self.from_check.isChecked() else None,
            end=from_qdate(self.to_edit.date()) if self.to_check.isChecked() else None,
        )

    def apply_filters(self, *_args: object) -> None:
        self.filters = self.current_filter()
        self.offset = 0
        self.reload()

    def _date_changed(self) -> None:
        if self.current_filter() != self.filters:
            self.apply_filters()

    def clear_filters(self) -> None:
        for widget in (self.user_combo, self.action_combo, self.from_check, self.to_check):
            widget.blockSignals(True)
        self.user_combo.setCurrentIndex(0)
        self.action_combo.setCurrentIndex(0)
        self.case_edit.clear()
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        self.from_edit.setEnabled(False)
        self.to_edit.setEnabled(False)
        for widget in (self.user_combo, self.action_combo, self.from_check, self.to_check):
            widget.blockSignals(False)
        self.apply_filters()

    def _show_choices(self, choices: AuditChoices) -> None:
        for combo, values in (
            (self.user_combo, choices.usernames),
            (self.action_combo, choices.actions),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)

    # -- reading ----------------------------------------------------------------------------
    def reload(self, *, choices: bool = False) -> None:
        """Read the page on show again; with `choices`, the filters' lists too."""
        filters, offset, limit = self.filters, self.offset, self.page_size

        def run(job: Job) -> tuple[AuditChoices | None, AuditPage]:
            found = audit_view.filter_choices(job.session) if choices else None
            page = audit_view.list_entries(job.session, filters=filters, offset=offset, limit=limit)
            return found, page

        ReadOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._show_page,
            failure=self._refused,
            latest=self._latest,
            progress="Reading the audit trail",
        ).start()

    def _show_page(self, found: tuple[AuditChoices | None, AuditPage]) -> None:
        choices, page = found
        if choices is not None:
            self._show_choices(choices)
        self.page = page
        self.model.set_rows(list(page.rows))
        self.page_label.setText(page_words(page))
        if page.rows:
            self.table.selectRow(0)
        else:
            self.detail.clear()
        self._update_buttons()
        self.loaded.emit()

    def _refused(self, exc: BaseException) -> None:
        Messenger.error(self, exc, TITLE)
        field = exc.field if isinstance(exc, ValidationError) else None
        if field == "case":
            self.case_edit.setFocus()
            self.case_edit.selectAll()
        elif field == "end":
            self.to_edit.setFocus()

    def newer(self) -> None:
        if self.offset > 0:
            self.offset = max(0, self.offset - self.page_size)
            self.reload()

    def older(self) -> None:
        if self.page is not None and self.page.last < self.page.total:
            self.offset += self.page_size
            self.reload()

    def current_entry(self) -> AuditRow | None:
        row = self.table.currentIndex().row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def _show_detail(self, *_args: object) -> None:
        entry = self.current_entry()
        self.detail.setPlainText(entry_words(entry) if entry else "")

    def _update_buttons(self) -> None:
        page = self.page
        self.newer_button.setEnabled(self.offset > 0)
        self.older_button.setEnabled(page is not None and page.last < page.total)
        self.verify_button.setEnabled(not self.busy)
        self.export_button.setEnabled(not self.busy and page is not None and page.total > 0)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    # -- checking the chain -----------------------------------------------------------------
    def verify_chain(self) -> None:
        """Check the whole trail off the UI thread, its progress in a small window."""
        if self.busy:
            return
        progress = QProgressDialog("Checking every entry of the audit trail…", "", 0, 0, self)
        progress.setObjectName("verifyProgress")
        progress.setWindowTitle(TITLE)
        progress.setCancelButton(None)  # the check holds the store for its few moments
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.show()
        self.progress = progress
        relay = self._relay

        def run(job: Job) -> ChainReport:
            def heard(done: int, total: int) -> None:
                relay.moved.emit(done, total)
                job.progress(done, total, "Checking the audit trail")

            return audit.verify_chain(job.session, progress=heard)

        self._set_busy(True)
        WriteOp(  # it records that the trail was checked
            parent=self,
            session=self.session,
            run=run,
            success=self._verified,
            done=self._verify_ended,
            progress="Checking the audit trail",
        ).start()

    def _progressed(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)
        progress = self.progress
        if progress is None:
            return
        # Text first: a window-modal progress window handles events inside setValue, where
        # the check may end and close it.
        progress.setLabelText(f"Checking every entry of the audit trail… {done:,} of {total:,}")
        progress.setMaximum(max(total, 1))
        progress.setValue(min(done, max(total, 1)))

    def _verify_ended(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self._set_busy(False)

    def _verified(self, report: ChainReport) -> None:
        words = result_words(report)
        self.result_label.setText(words)
        self.result_label.setStyleSheet("" if report.intact else "QLabel { color: #b42318; }")
        if report.intact:
            Messenger.info(self, "Audit trail intact", words)
        else:
            Messenger.warn(self, "Audit trail NOT intact", words)
        self.reload(choices=True)
        self.verified.emit(report)

    # -- exporting ----------------------------------------------------------------------------
    def export(self) -> None:
        """Save the entries the filter matches (every page, not only this one)."""
        if self.busy or self.page is None or not self.page.total:
            return
        suggested = documents_folder() / f"Audit trail {uk_today().isoformat()}.csv"
        chosen = Messenger.save_path(
            self, "Export the audit entries", str(suggested), EXPORT_FILTERS
        )
        if chosen is None:
            return
        path = chosen if chosen.suffix.lower() in (".csv", ".json") else Path(f"{chosen}.csv")
        filters = self.filters
        self._set_busy(True)
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: audit_view.export_entries(job.session, to=path, filters=filters),
            success=self._exported,
            done=lambda: self._set_busy(False),
            progress="Exporting the audit entries",
        ).start()

    def _exported(self, done: audit_view.ExportedAudit) -> None:
        saved = _count(done.entries, "entry", "entries")
        Messenger.info(
            self, "Audit entries exported", f"{saved} saved as {done.path}.\n\n{EXPORT_WARNING}"
        )
        self.reload(choices=True)
        self.exported.emit(done)


def open_audit_viewer(parent: QWidget | None, session: UserSession) -> AuditViewer:
    """Open the viewer beside `parent` (not modal), or bring forward the one already open."""
    if parent is not None:
        for viewer in parent.findChildren(AuditViewer):
            if viewer.session is session and viewer.isVisible():
                viewer.raise_()
                viewer.activateWindow()
                return viewer
    viewer = AuditViewer(session, parent)
    viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    viewer.show()
    return viewer
