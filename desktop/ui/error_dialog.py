"""The plain "Something went wrong" box shown for an unexpected error.

It never shows a traceback: the person gets a sentence they can act on and the place where
the details were logged, with a button that copies that location for IT support.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import is_expected, user_message

UNEXPECTED_BODY = (
    "Casebook did not expect this. What was already saved is safe; what you were doing "
    "may not have finished, so check it and try again."
)


class ErrorDialog(QDialog):
    """Says what went wrong in plain English and where the details are."""

    def __init__(self, exc: BaseException, log_path: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle("Casebook")
        self.log_path = log_path

        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        heading = QLabel("Something went wrong")
        heading.setObjectName("headingLabel")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)

        # The heading already says something went wrong and the next line says where the
        # log is, so an unexpected error's body says what it means for the work instead.
        body = user_message(exc) if is_expected(exc) else UNEXPECTED_BODY
        message = QLabel(body)
        message.setObjectName("messageLabel")
        message.setWordWrap(True)

        where = (
            f"Details were written to the log at {log_path}"
            if log_path is not None
            else "Casebook could not write a log on this computer."
        )
        location = QLabel(where)
        location.setObjectName("logLabel")
        location.setWordWrap(True)
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(message)
        text.addWidget(location)
        row = QHBoxLayout()
        row.addWidget(icon)
        row.addLayout(text, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.setObjectName("buttonBox")
        self.copy_button = QPushButton("Copy log location")
        self.copy_button.setObjectName("copyLogButton")
        self.copy_button.setEnabled(log_path is not None)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        self.copy_button.clicked.connect(self.copy_log_location)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def copy_log_location(self) -> None:
        if self.log_path is not None:
            QGuiApplication.clipboard().setText(str(self.log_path))
            self.copy_button.setText("Copied")


def show_error(exc: BaseException, log_path: Path | None, parent: QWidget | None = None) -> None:
    """Show the error box and wait for OK; the program carries on afterwards."""
    dialog = ErrorDialog(exc, log_path, parent)
    dialog.exec()
    if shiboken6.isValid(dialog):  # its parent may have closed while it was open
        dialog.deleteLater()
