"""The disclosure log: every time records went outside the trust, on which legal basis, to
whom, what went, when and who authorised it; and "Record a disclosure…" to add one made
outside Casebook (a copy handed to an inspector).

For the data protection lead. The service (`services.disclosures`) checks each disclosure,
writes it with its audit entry, and filters the log by day and basis; this window collects
and shows.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
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
from desktop.domain.disclosures import LegalBasis
from desktop.services import disclosures
from desktop.services.disclosures import Authoriser, DisclosureDraft, DisclosureRow
from desktop.services.session import UserSession
from desktop.ui.dialog_parts import (
    SavingDialog,
    date_edit,
    from_qdate,
    line_edit,
    named,
    ok_buttons,
    text_edit,
)
from desktop.ui.operations import Job, Latest, ReadOp

TITLE = "Disclosure log"
HEADERS = ("Date", "Legal basis", "Recipient", "What was disclosed", "Authorised by", "Case")
ANY_BASIS = "Any basis"
CHOOSE = "Choose the legal basis…"
EMPTY = "No disclosures are logged for these choices."


def _first_line(text: str, limit: int = 80) -> str:
    """The start of a long or several-line text, for a table cell (the tooltip has it all)."""
    lines = text.strip().splitlines()
    line = lines[0] if lines else ""
    if len(line) > limit:
        return line[: limit - 1] + "…"
    return line + " …" if len(lines) > 1 else line


def count_words(count: int) -> str:
    return "1 disclosure" if count == 1 else f"{count:,} disclosures"


class DisclosureLog(QDialog):
    """The log, newest first, filtered by days and basis."""

    loaded = Signal()  # the table shows the log as the filters ask

    def __init__(self, session: UserSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.rows: list[DisclosureRow] = []
        self._latest = Latest()
        self.setObjectName("disclosureLog")
        self.setWindowTitle(TITLE)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._build()
        self._connect_signals()
        self.resize(980, 560)
        self.reload()

    def _build(self) -> None:
        today = uk_today()
        intro = QLabel(
            "Every time records leave the trust they are logged here with the legal basis "
            "that allowed it. A subject access bundle is logged by itself; record here what "
            "was handed over in any other way."
        )
        intro.setWordWrap(True)
        self.basis_combo = named(QComboBox(), "basisFilter", "Only disclosures on a basis")
        self.basis_combo.addItem(ANY_BASIS, "")
        for basis in LegalBasis:
            self.basis_combo.addItem(basis.label, basis.value)
        self.from_check = named(QCheckBox("&From"), "fromCheck", "Only from a day")
        self.from_edit = date_edit("fromDate", "First day", dt.date(today.year, 1, 1))
        self.to_check = named(QCheckBox("&To"), "toCheck", "Only up to a day")
        self.to_edit = date_edit("toDate", "Last day", today)
        self.from_edit.setEnabled(False)
        self.to_edit.setEnabled(False)
        basis_label = QLabel("&Basis:")
        basis_label.setBuddy(self.basis_combo)
        filters = QHBoxLayout()
        filters.addWidget(basis_label)
        filters.addWidget(self.basis_combo)
        for widget in (self.from_check, self.from_edit, self.to_check, self.to_edit):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.table = named(QTableWidget(0, len(HEADERS)), "disclosureTable", "Disclosures")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.empty_note = named(QLabel(EMPTY), "emptyNote", EMPTY)
        self.empty_note.hide()
        self.count_label = named(QLabel(), "countLabel", "How many disclosures are listed")
        self.record_button = named(
            QPushButton("&Record a disclosure…"), "recordButton", "Record a disclosure"
        )
        self.close_button = named(QPushButton("Close"), "closeButton", "Close")
        for button in (self.record_button, self.close_button):
            button.setAutoDefault(False)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        actions.addWidget(self.record_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(filters)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

    def _connect_signals(self) -> None:
        self.basis_combo.activated.connect(self.reload)
        self.from_check.toggled.connect(self.from_edit.setEnabled)
        self.to_check.toggled.connect(self.to_edit.setEnabled)
        self.from_check.toggled.connect(self.reload)
        self.to_check.toggled.connect(self.reload)
        self.from_edit.editingFinished.connect(self.reload)
        self.to_edit.editingFinished.connect(self.reload)
        self.record_button.clicked.connect(self.record)
        self.close_button.clicked.connect(self.close)

    # -- reading ----------------------------------------------------------------------------
    def reload(self, *_args: object) -> None:
        start = from_qdate(self.from_edit.date()) if self.from_check.isChecked() else None
        end = from_qdate(self.to_edit.date()) if self.to_check.isChecked() else None
        basis = self.basis_combo.currentData() or None
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: disclosures.list_disclosures(
                job.session, start=start, end=end, basis=basis
            ),
            success=self._show,
            latest=self._latest,
            progress="Reading the disclosure log",
        ).start()

    def _show(self, rows: list[DisclosureRow]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            cells = (
                format_date(row.disclosed_on),
                row.basis.label,
                row.recipient,
                _first_line(row.what),
                row.authorised_by,
                row.case_reference,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setToolTip(row.what)
                self.table.setItem(number, column, item)
        self.empty_note.setVisible(not rows)
        self.count_label.setText(count_words(len(rows)) + " listed" if rows else "")
        self.loaded.emit()

    # -- recording --------------------------------------------------------------------------
    def record(self) -> None:
        dialog = RecordDisclosureDialog(self.session, self)
        dialog.accepted.connect(self.reload)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()


class RecordDisclosureDialog(SavingDialog):
    """A disclosure made outside Casebook: its basis, recipient, what, day and authoriser."""

    authorisers_loaded = Signal()

    def __init__(self, session: UserSession, parent: QWidget | None = None):
        super().__init__(session, parent)
        self.setObjectName("recordDisclosureDialog")
        self.setWindowTitle("Record a disclosure")
        self._build()
        self.resize(560, self.sizeHint().height())
        ReadOp(
            parent=self,
            session=session,
            run=lambda job: disclosures.list_authorisers(job.session),
            success=self._show_authorisers,
            progress="Reading who may authorise",
        ).start()

    def _build(self) -> None:
        self.basis_combo = named(QComboBox(), "basisCombo", "Legal basis")
        self.basis_combo.setPlaceholderText(CHOOSE)
        for basis in LegalBasis:
            self.basis_combo.addItem(basis.label, basis.value)
        self.basis_combo.setCurrentIndex(-1)
        self.recipient_edit = line_edit(
            "recipientEdit", "Recipient", placeholder="Who received it, and for which body"
        )
        self.what_edit = text_edit("whatEdit", "What was disclosed")
        self.what_edit.setPlaceholderText("The records, or copies, that were handed over")
        self.what_edit.setMinimumHeight(90)
        self.date_edit = date_edit("disclosedOnDate", "Date of the disclosure", uk_today())
        self.authoriser_combo = named(QComboBox(), "authoriserCombo", "Authorised by")
        self.case_edit = line_edit(
            "caseEdit", "Case reference (if it concerned one case)", placeholder="CB-2026-0042"
        )
        form = QFormLayout()
        for text, widget in (
            ("Legal &basis:", self.basis_combo),
            ("&Recipient:", self.recipient_edit),
            ("&What was disclosed:", self.what_edit),
            ("&Date:", self.date_edit),
            ("&Authorised by:", self.authoriser_combo),
            ("&Case (optional):", self.case_edit),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.buttons, self.ok_button = ok_buttons("&Record", "recordDisclosureButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _show_authorisers(self, people: list[Authoriser]) -> None:
        for person in people:
            self.authoriser_combo.addItem(person.words, person.id)
        own = self.authoriser_combo.findData(self.session.actor.user_id)
        self.authoriser_combo.setCurrentIndex(max(own, 0) if people else -1)
        self.authorisers_loaded.emit()

    def draft(self) -> DisclosureDraft:
        return DisclosureDraft(
            basis=self.basis_combo.currentData() or "",
            recipient=self.recipient_edit.text(),
            what=self.what_edit.toPlainText(),
            disclosed_on=from_qdate(self.date_edit.date()),
            authorised_by_id=int(self.authoriser_combo.currentData() or 0),
            case_reference=self.case_edit.text(),
        )

    def accept(self) -> None:
        draft = self.draft()

        def run(job: Job) -> int:
            return disclosures.record_disclosure(job.session, draft)

        self._save(run, "Recording the disclosure", hold=self.ok_button)

    def _fields(self) -> dict[str, QWidget]:
        return {
            "basis": self.basis_combo,
            "recipient": self.recipient_edit,
            "what": self.what_edit,
            "disclosed_on": self.date_edit,
            "authorised_by": self.authoriser_combo,
            "case": self.case_edit,
        }


def open_disclosure_log(parent: QWidget | None, session: UserSession) -> DisclosureLog:
    """Open the log beside `parent` (not modal), or bring forward the one already open."""
    if parent is not None:
        for log in parent.findChildren(DisclosureLog):
            if log.session is session and log.isVisible():
                log.raise_()
                log.activateWindow()
                return log
    log = DisclosureLog(session, parent)
    log.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    log.show()
    return log
