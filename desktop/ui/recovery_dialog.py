"""Setting a new password with the recovery key, when every password has been lost."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPushButton

from desktop.errors import NotFound, ValidationError, WrongRecoveryKey, user_message
from desktop.ui.forms import child, load_form
from desktop.ui.icons import icon

if TYPE_CHECKING:
    from desktop.services.store import StoreLocation
from desktop.ui.labels import PASSWORD_HINT
from desktop.ui.messages import Messenger


class RecoveryDialog(QDialog):
    """Opens the store with the recovery key and sets a new password; `session` on success."""

    def __init__(self, store_path: Path | StoreLocation, *, username: str = "", parent=None):
        super().__init__(parent)
        self.store_path = store_path  # a path, or an open store's location
        self.session = None

        load_form("recovery_dialog", self)
        self.key_edit = child(self, QLineEdit, "recoveryKeyEdit")
        self.username_edit = child(self, QLineEdit, "usernameEdit")
        self.password_edit = child(self, QLineEdit, "newPasswordEdit")
        self.confirm_edit = child(self, QLineEdit, "confirmEdit")
        self.password_hint = child(self, QLabel, "passwordHint")
        self.error_label = child(self, QLabel, "errorLabel")
        self.reset_button = child(self, QPushButton, "resetButton")
        self.cancel_button = child(self, QPushButton, "cancelButton")

        self.setWindowTitle("Forgotten password")
        self.setWindowIcon(icon("key"))
        self.setMinimumWidth(520)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(mono.pointSizeF(), self.font().pointSizeF()) + 1)
        self.key_edit.setFont(mono)
        self.password_hint.setText(PASSWORD_HINT)
        self.username_edit.setText(username)
        self.error_label.hide()
        self.key_edit.setFocus()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.reset_button.clicked.connect(self._reset)
        self.cancel_button.clicked.connect(self.reject)
        for edit in (self.key_edit, self.username_edit, self.password_edit, self.confirm_edit):
            edit.textEdited.connect(self.error_label.hide)

    def _reset(self) -> None:
        auth = importlib.import_module("desktop.services.auth")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            session = auth.reset_password_with_recovery_key(
                self.store_path,
                recovery_key=self.key_edit.text(),
                username=self.username_edit.text(),
                new_password=self.password_edit.text(),
                confirm=self.confirm_edit.text(),
            )
        except Exception as exc:
            self._show_error(exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.session = session
        Messenger.info(
            self,
            "Password changed",
            f"Password changed. You are signed in as {session.actor.username}; "
            "use the new password from now on. Put the recovery sheet back where it is kept.",
        )
        self.accept()

    def _show_error(self, exc: BaseException) -> None:
        self.error_label.setText(user_message(exc))
        self.error_label.show()
        if isinstance(exc, WrongRecoveryKey):
            focus = self.key_edit
        elif isinstance(exc, NotFound):
            focus = self.username_edit
        elif isinstance(exc, ValidationError):
            focus = {"confirm": self.confirm_edit, "username": self.username_edit}.get(
                exc.field or "", self.password_edit
            )
        else:
            focus = self.key_edit
        focus.setFocus()
        focus.selectAll()
