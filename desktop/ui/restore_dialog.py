"""Restoring a backup from the window: File › Restore from a backup…, and the setup
wizard's "Restore from a backup" on a computer with no store yet.

The dialog says what the chosen backup holds before anything changes (the backup is
checked whole first: a damaged, foreign or newer file is refused in the service's words).
The store at the path, if any, is kept beside the restored one under a new name, never
overwritten. Given the username and password an account had when the backup was made,
the restored copy is opened and checked before it replaces anything.

Restoring needs the store closed, so from the main window (`restore_from_main`) the
window signs out and lets go of its lock only once the person has confirmed; when the
dialog closes, restored or not, the window takes its lock again and asks for a sign-in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_datetime
from desktop.errors import WrongPassword, user_message
from desktop.services import backups
from desktop.services.backups import BackupFacts, RestoreResult
from desktop.ui.backup_dialogs import ERROR_STYLE
from desktop.ui.dialog_parts import named
from desktop.ui.messages import Messenger
from desktop.ui.operations import ReadOp, WriteOp
from desktop.ui.signin_dialog import SignInDialog
from desktop.ui.store_lock import StoreLock
from desktop.ui.worker import BusyIndicator, fit_height

log = logging.getLogger(__name__)

BACKUP_FILES = "Casebook backups (*.casebook-backup);;All files (*)"
WRONG_PASSWORD = (  # nosec B105  # the message for a wrong password, not a password
    "That username and password do not open the store in this backup (it needs a password "
    "that worked when the backup was made). Nothing was changed."
)


def outcome_words(result: RestoreResult) -> str:
    """What the restore did, in the words the command line uses."""
    lines = [f"Restored to {result.store_path}."]
    if result.kept_aside:
        lines.append(
            f"The case store that was there is kept as {result.kept_aside[0].name}, in the "
            "same folder, with its key file beside it."
        )
    check = result.check
    if check is None:
        lines.append(
            "It was not opened to check it: once signed in, an administrator can check its "
            "audit trail (casebook audit verify)."
        )
    else:
        entries = check.audit_entries
        trail = (
            f"its audit trail is intact ({entries:,} entr{'y' if entries == 1 else 'ies'})"
            if entries is not None
            else "its newest audit entry is the one the backup recorded"
        )
        lines.append(f"Checked as {check.username}: it opens, every page is sound, and {trail}.")
        lines.extend(check.notices)
    return "\n\n".join(lines)


class RestoreDialog(QDialog):
    """Choose a backup, see what it holds, optionally check it with a password, restore.

    `close_store`, if given, is called once the person has confirmed and before anything
    changes (the main window signs out and lets go of its lock there); `store_closed` then
    says so. After it is accepted, `restored` holds the result and `username` the account
    named for the check (or the one given), for the sign-in that follows.
    """

    restored_for = Signal(str)  # restored: the username to offer at sign-in ("" if none)

    def __init__(
        self,
        store_path: Path,
        parent: QWidget | None = None,
        *,
        close_store: Callable[[], object] | None = None,
        username: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore from a backup")
        self.store_path = Path(store_path)
        self.close_store = close_store
        self.store_closed = False
        self.backup: Path | None = None
        self.facts: BackupFacts | None = None
        self.restored: RestoreResult | None = None
        self.username = username
        self._busy = False
        self._closing_store = False

        intro = QLabel(
            "Choose a backup file. Casebook checks it and shows what it holds before "
            "anything changes."
        )
        intro.setWordWrap(True)
        self.file_edit = named(QLineEdit(), "backupFileEdit", "Backup file")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("No backup chosen yet")
        self.choose_button = named(
            QPushButton("&Choose backup file…"), "chooseBackupButton", "Choose the backup file"
        )
        self.facts_box = QGroupBox("What the backup holds")
        self.facts_box.setObjectName("factsBox")
        self.trust_value = self._value("trustValue", "Trust")
        self.cases_value = self._value("casesValue", "Number of cases")
        self.newest_value = self._value("newestValue", "Newest entry")
        self.made_value = self._value("madeValue", "Made on")
        facts = QFormLayout(self.facts_box)
        facts.addRow("Trust:", self.trust_value)
        facts.addRow("Cases:", self.cases_value)
        facts.addRow("Newest entry:", self.newest_value)
        facts.addRow("Made on:", self.made_value)
        self.store_note = named(QLabel(self._store_words()), "storeNote", "Where it goes")
        self.store_note.setWordWrap(True)
        self.check_box = QGroupBox("Check it first (recommended)")
        check_note = QLabel(
            "With the username and password of an account as they were when the backup was "
            "made, Casebook opens the restored copy and checks every page and the audit "
            "trail before it replaces anything. Leave them empty to restore without "
            "checking."
        )
        check_note.setWordWrap(True)
        self.username_edit = named(QLineEdit(), "usernameEdit", "Username")
        self.password_edit = named(QLineEdit(), "passwordEdit", "Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        check_form = QFormLayout()
        for text, edit in (("&Username:", self.username_edit), ("&Password:", self.password_edit)):
            label = QLabel(text)
            label.setBuddy(edit)
            check_form.addRow(label, edit)
        check_layout = QVBoxLayout(self.check_box)
        check_layout.addWidget(check_note)
        check_layout.addLayout(check_form)
        self.error_label = named(QLabel(), "restoreError", "Why it was not restored")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy_indicator = BusyIndicator()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("buttonBox")
        self.restore_button = named(QPushButton("&Restore"), "restoreButton", "Restore")
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addWidget(self.facts_box)
        layout.addWidget(self.store_note)
        layout.addWidget(self.check_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy_indicator)
        layout.addWidget(self.buttons)
        self.facts_box.hide()
        self.error_label.hide()
        self.restore_button.setEnabled(False)
        self.choose_button.setDefault(True)
        self.setMinimumWidth(540)
        self._connect_signals()

    def _value(self, name: str, accessible: str) -> QLabel:
        label = named(QLabel(), name, accessible)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _connect_signals(self) -> None:
        self.choose_button.clicked.connect(self.choose_backup)
        self.restore_button.clicked.connect(self.restore)
        self.buttons.rejected.connect(self.reject)
        self.username_edit.textEdited.connect(self.error_label.hide)
        self.password_edit.textEdited.connect(self.error_label.hide)

    def _store_words(self) -> str:
        if backups.store_present(self.store_path):
            return (
                f"The case store now at {self.store_path} is kept beside the restored one, "
                "renamed with today's date and time; it is not overwritten or deleted. "
                "Close Casebook on any other computer that has this store open first."
            )
        return f"The backup's case store will be put at {self.store_path}."

    # -- choosing and looking -----------------------------------------------------------------
    def choose_backup(self) -> None:
        path = Messenger.open_path(self, "Choose a backup", BACKUP_FILES)
        if path is None or self._busy:
            return
        self.backup, self.facts = None, None
        self.file_edit.setText(str(path))
        self.facts_box.hide()
        self.error_label.hide()
        self.restore_button.setEnabled(False)
        self._set_busy(True)
        ReadOp(
            parent=self,
            run=lambda job: backups.inspect_backup(path, progress=job.progress),
            success=lambda facts: self._show_facts(path, facts),
            failure=self._show_error,
            done=lambda: self._set_busy(False),
            progress="Checking the backup",
        ).start()

    def _show_facts(self, path: Path, facts: BackupFacts) -> None:
        self.backup, self.facts = path, facts
        sample = " (a sample trust of invented cases)" if facts.is_sample else ""
        self.trust_value.setText(f"{facts.trust_name}{sample}")
        self.cases_value.setText(f"{facts.cases:,}")
        self.newest_value.setText(format_datetime(facts.newest_entry_at) or "None")
        self.made_value.setText(
            f"{format_datetime(facts.created_at)} by Casebook {facts.casebook_version}"
        )
        self.facts_box.show()
        fit_height(self)
        self.restore_button.setEnabled(True)
        self.restore_button.setDefault(True)
        self.username_edit.setFocus()

    # -- restoring ------------------------------------------------------------------------------
    def restore(self) -> None:
        backup, facts = self.backup, self.facts
        if backup is None or facts is None or self._busy:
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if password and not username:
            self._show_error_text("Enter the username that goes with the password.")
            self.username_edit.setFocus()
            return
        if username and not password:
            self._show_error_text(
                "Enter the password this account had when the backup was made, or clear the "
                "username to restore without checking."
            )
            self.password_edit.setFocus()
            return
        if not Messenger.confirm(
            self, "Restore from a backup", self._confirm_words(facts), "Restore"
        ):
            return
        if self.close_store is not None and not self.store_closed:
            self._closing_store = True
            try:
                self.close_store()
            finally:
                self._closing_store = False
            self.store_closed = True
        self.username = username or self.username
        store_path = self.store_path
        self.error_label.hide()
        self._set_busy(True)
        WriteOp(
            parent=self,
            run=lambda job: backups.restore_backup(
                backup,
                store_path,
                force=True,  # confirmed: the store there is kept aside, never deleted
                username=username or None,
                password=password or None,
                progress=job.progress,
            ),
            success=self._restored,
            failure=self._refused,
            done=lambda: self._set_busy(False),
            progress="Restoring the backup",
        ).start()

    def _confirm_words(self, facts: BackupFacts) -> str:
        text = (
            f"Restore the case store of {facts.trust_name or 'this trust'} as it was on "
            f"{format_datetime(facts.created_at)} ({facts.cases:,} "
            f"case{'' if facts.cases == 1 else 's'})?"
        )
        if backups.store_present(self.store_path):
            text += (
                "\n\nThe case store there now is kept beside it under a new name; anything "
                "recorded since the backup was made stays in that one, not in the restored one."
            )
        if self.close_store is not None:
            text += "\n\nCasebook signs you out first; sign in again afterwards."
        return text

    def _restored(self, result: RestoreResult) -> None:
        self.restored = result
        log.info("restore.done kept_aside=%d", len(result.kept_aside))
        Messenger.info(self, "Backup restored", outcome_words(result))
        self.restored_for.emit(self.username)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, WrongPassword):
            self.password_edit.clear()
            self._show_error_text(WRONG_PASSWORD)
            self.password_edit.setFocus()
            return
        self._show_error(exc)

    def _show_error(self, exc: BaseException) -> None:
        self._show_error_text(user_message(exc))

    def _show_error_text(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        fit_height(self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.choose_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.facts is not None)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not busy)

    @property
    def busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        if not self._busy:  # a restore half-way is waited for: it undoes itself on failure
            super().reject()

    def done(self, result: int) -> None:
        # Signing out closes the window's dialogs; not this one, which asked for it.
        if not self._closing_store:
            super().done(result)


# -- from the main window ----------------------------------------------------------------------
def restore_from_main(
    window: QMainWindow,
    *,
    end_session: Callable[[], object],
    signed_in: Callable[[SignInDialog], object],
) -> RestoreDialog:
    """File › Restore from a backup…: the dialog over the window, which signs out (with
    `end_session`) and lets go of its lock only once the person confirms. When the dialog
    closes after that, the lock is taken again and the sign-in dialog opens on the store
    (restored or not); `signed_in(sign_in_dialog)` is called once someone signs in, and
    cancelling it closes the window, as the lock screen does."""
    return _RestoreFromMain(window, end_session, signed_in).dialog


class _RestoreFromMain(QObject):
    """Holds the dialogs of one restore from the main window. The connections are to its
    methods, not to lambdas holding a dialog: a dialog's wrapper freed from inside the
    dialog's own deletion crashed PySide. It stays, a small child of the window."""

    def __init__(
        self,
        window: QMainWindow,
        end_session: Callable[[], object],
        signed_in: Callable[[SignInDialog], object],
    ) -> None:
        super().__init__(window)
        session = window.session  # type: ignore[attr-defined]
        self.window = window
        self.store_path = Path(session.store.location.description)
        self.username = session.actor.username
        self.lock = window.findChild(StoreLock)
        self.end_session = end_session
        self.signed_in = signed_in
        self.sign_in: SignInDialog | None = None
        self.dialog = RestoreDialog(
            self.store_path, window, close_store=self._close_store, username=self.username
        )
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()

    def _close_store(self) -> None:
        self.end_session()
        if self.lock is not None:
            self.lock.release()  # a restore refuses a store a window holds open

    def _dialog_closed(self) -> None:
        if not self.dialog.store_closed:
            return
        if self.lock is not None and not self.lock.claim(self.window):
            self.window.close()  # another copy opened the store meanwhile: it said where
            return
        who = self.dialog.username or self.username
        dialog = SignInDialog(self.store_path, username=who, parent=self.window)
        dialog.setObjectName("signInAfterRestore")
        self.sign_in = dialog
        dialog.accepted.connect(self._signed_in)
        dialog.rejected.connect(self.window.close)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _signed_in(self) -> None:
        if self.sign_in is not None:
            self.signed_in(self.sign_in)
