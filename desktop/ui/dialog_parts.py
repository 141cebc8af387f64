"""What the case file's dialogs share: their fields and button boxes, and saving through a
service.

`SavingDialog` is a dialog that saves itself when OK is pressed: the button waits while
the write runs off the UI thread, the dialog closes with the saved row in `saved`, and a
refusal is said plainly with the focus on the field to fix, the dialog staying open with
everything typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from desktop.errors import ValidationError
from desktop.services.session import UserSession
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Job, WriteOp

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, accessible: str) -> W:
    """`widget` with its objectName (tests find it by that) and the name a screen reader says."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


def line_edit(name: str, accessible: str, *, text: str = "", placeholder: str = "") -> QLineEdit:
    edit = named(QLineEdit(text), name, accessible)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def text_edit(name: str, accessible: str) -> QPlainTextEdit:
    """A box for lines of text, which Tab leaves (it never types a tab)."""
    edit = named(QPlainTextEdit(), name, accessible)
    edit.setTabChangesFocus(True)
    return edit


UK_DATE = "dd/MM/yyyy"


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(name: str, accessible: str, value: dt.date) -> QDateEdit:
    """A date box in UK form (26/11/2026) with a calendar to pick from."""
    edit = named(QDateEdit(to_qdate(value)), name, accessible)
    edit.setDisplayFormat(UK_DATE)
    edit.setCalendarPopup(True)
    return edit


def combo_box(name: str, accessible: str) -> QComboBox:
    return named(QComboBox(), name, accessible)


def save_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """Save and Cancel (named `buttonBox`), wired to the dialog's accept and reject."""
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    box.setObjectName("buttonBox")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def ok_buttons(ok: str, name: str) -> tuple[QDialogButtonBox, QPushButton]:
    """Cancel and an OK button worded `ok` (named `name`), which Enter presses."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    box.setObjectName("buttonBox")
    box.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
    button = box.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    button.setObjectName(name)
    button.setDefault(True)
    return box, button


class SavingDialog(QDialog):
    """A dialog whose `accept` saves through a service with `_save` (see the module)."""

    def __init__(self, session: UserSession, parent=None):
        super().__init__(parent)
        self.session = session
        self.saved: Any = None

    def _save(self, run: Callable[[Job], Any], progress: str, *, hold: QWidget) -> None:
        """Run the write; `hold` (the OK button or the button box) waits until it is back."""
        hold.setEnabled(False)
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._saved,
            failure=self._refused,
            done=lambda: hold.setEnabled(True),
            progress=progress,
            changes=(Change.CASES,),
        ).start()

    def _saved(self, row: Any) -> None:
        self.saved = row
        super().accept()  # QDialog's: the subclass's `accept` is the one that saves

    def _refused(self, exc: BaseException) -> None:
        Messenger.error(self, exc, self.windowTitle())
        if isinstance(exc, ValidationError):
            widget = self._field_widget(exc.field or "")
            if widget is not None:
                widget.setFocus()

    def _field_widget(self, field: str) -> QWidget | None:
        """The widget to fix when the service refuses `field`."""
        return self._fields().get(field)

    def _fields(self) -> dict[str, QWidget]:
        return {}
