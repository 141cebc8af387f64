"""The subject access window's two dialogs: recording a new request (the person found by
name, or someone not on file) and extending one. Each saves off the UI thread and stays
open, with the reason shown, when the service refuses."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date
from desktop.domain.subject_access import latest_extension
from desktop.services import people
from desktop.services import subject_access as sar
from desktop.ui.messages import Messenger
from desktop.ui.operations import ReadOp, WriteOp

NOT_ON_FILE = "Not on file: use the name typed"


def _date(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


def _date_edit(name: str, day: dt.date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    return edit


class NewRequestDialog(QDialog):
    """Who asked (found by name as it is typed, or not on file) and when it arrived."""

    recorded = Signal(object)  # the RequestRow

    def __init__(self, session, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("newRequestDialog")
        self.setWindowTitle("New subject access request")
        self.session = session
        self.today = today
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("requesterName")
        self.name_edit.setPlaceholderText("Type the person's name to find them")
        self.results = QListWidget()
        self.results.setObjectName("personResults")
        self.received = _date_edit("receivedDate", today or dt.date.today())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Person on file:", self.results)
        form.addRow("&Received on:", self.received)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._search)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._fill([])

    def _search(self, text: str) -> None:
        if len(text.strip()) < 2:
            self._fill([])
            return
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: people.search_people(job.session, text, limit=10),
            success=self._fill,
            progress="Finding people",
        ).start()

    def _fill(self, found) -> None:
        self.results.clear()
        for person in found:
            item = QListWidgetItem(f"{person.full_name} ({person.relation_label})")
            item.setData(0x0100, person.id)
            self.results.addItem(item)
        none = QListWidgetItem(NOT_ON_FILE)
        none.setData(0x0100, None)
        self.results.addItem(none)
        self.results.setCurrentRow(0)

    def save(self) -> None:
        item = self.results.currentItem()
        person_id = item.data(0x0100) if item is not None else None
        name, received, today = self.name_edit.text(), _date(self.received), self.today
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: sar.record_request(
                job.session,
                person_id=person_id,
                requester_name="" if person_id is not None else name,
                received_on=received,
                today=today,
            ),
            success=self._saved,
            failure=lambda exc: Messenger.error(self, exc, "The request was not recorded"),
            progress="Recording the request",
        ).start()

    def _saved(self, row) -> None:
        self.recorded.emit(row)
        self.accept()


class ExtendDialog(QDialog):
    """The new deadline (at most two months past the first) and the reason."""

    recorded = Signal(object)  # the RequestRow

    def __init__(self, session, row, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("extendDialog")
        self.setWindowTitle(f"Extend {row.reference}")
        self.session = session
        self.row = row
        self.today = today
        furthest = latest_extension(row.due_on)
        intro = QLabel(
            f"The first deadline is {format_date(row.due_on)}. It may be extended by up to two "
            f"months (to {format_date(furthest)} at the latest), and only before it passes. "
            "Tell the requester why, within the first month."
        )
        intro.setWordWrap(True)
        self.extended_to = _date_edit("extendedTo", furthest)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("extensionReason")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout()
        form.addRow("&New deadline:", self.extended_to)
        form.addRow("&Reason:", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        request_id, extended_to = self.row.id, _date(self.extended_to)
        reason, today = self.reason.toPlainText(), self.today
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: sar.extend_request(
                job.session,
                request_id=request_id,
                extended_to=extended_to,
                reason=reason,
                today=today,
            ),
            success=self._saved,
            failure=lambda exc: Messenger.error(self, exc, "The extension was not recorded"),
            progress="Recording the extension",
        ).start()

    def _saved(self, row) -> None:
        self.recorded.emit(row)
        self.accept()
