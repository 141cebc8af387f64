"""Change password: the current password and a new one; only this user's key slot changes."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QLineEdit

from desktop.errors import CasebookError
from desktop.services import auth
from desktop.services.session import UserSession
from desktop.ui.forms import child, load_form
from desktop.ui.icons import icon
from desktop.ui.labels import PASSWORD_HINT
from desktop.ui.messages import Messenger

log = logging.getLogger(__name__)


class ChangePasswordDialog(QDialog):
    """Asks for the current password and a new one, then changes only this user's slot."""

    def __init__(self, session: UserSession, parent=None, *, one_time_password: str | None = None):
        """With `one_time_password` (the password an administrator set, just typed at
        sign-in), the person must choose their own before going on; it is filled in."""
        super().__init__(parent)
        self.session = session
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle("Change password")
        self.setWindowIcon(icon("key"))
        load_form("change_password_dialog", self)
        intro = child(self, QLabel, "introLabel")
        intro.setText(f"{PASSWORD_HINT} {intro.text()}")
        self.current_edit = child(self, QLineEdit, "currentPasswordEdit")
        if session.must_change_password:
            self.setWindowTitle("Choose your own password")
            intro.setText(
                "An administrator set a one-time password for you. Choose your own password "
                f"now; the one-time password then stops working. {PASSWORD_HINT}"
            )
        if one_time_password:
            self.current_edit.setText(one_time_password)
            self.current_edit.setEnabled(False)
        self.new_edit = child(self, QLineEdit, "newPasswordEdit")
        self.confirm_edit = child(self, QLineEdit, "confirmPasswordEdit")
        buttons = child(self, QDialogButtonBox, "buttonBox")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Change password")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(440)

    def accept(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            auth.change_password(
                self.session,
                current_password=self.current_edit.text(),
                new_password=self.new_edit.text(),
                confirm=self.confirm_edit.text(),
            )
        except CasebookError as exc:
            QApplication.restoreOverrideCursor()
            Messenger.error(self, exc, "Change password")
            wrong_current = getattr(exc, "field", None) is None
            focus = self.current_edit if wrong_current else self.new_edit
            focus.setFocus()
            focus.selectAll()
            return
        QApplication.restoreOverrideCursor()
        log.info("password.changed")
        Messenger.info(self, "Change password", "Your password has been changed.")
        super().accept()
