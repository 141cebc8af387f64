"""When Casebook starts and the store cannot be opened: what is wrong, and the way forward.

Start-up (`desktop.app.run_flow`) shows this instead of the sign-in dialog when the store's
files are damaged, foreign or without their key file (found without a password), and after
the sign-in dialog when the person chose "Restore from a backup…" there (damage only the
password could show). The words are the error's own (`desktop.errors.user_message`).
Where restoring helps, "Restore from a backup…" opens the restore dialog; the files there
are kept aside under a new name, never overwritten, and the sign-in dialog then opens on
the restored store, as the setup wizard's restore does.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import restore_may_help, user_message
from desktop.ui.dialog_parts import named
from desktop.ui.icons import icon
from desktop.ui.signin_dialog import SignInDialog
from desktop.ui.store_lock import StoreLock

log = logging.getLogger(__name__)

# The result a sign-in dialog finishes with when the person chose to restore a backup.
RESTORE_WANTED = 2
RESTORED_WORDS = "The backup was restored. Sign in to open it."


class DamagedStoreDialog(QDialog):
    """Says why the store at `store_path` cannot be opened and, when restoring a backup
    would put it right, offers that. `session` is set once someone has signed in to the
    restored store; the dialog is then accepted."""

    def __init__(
        self,
        store_path: Path,
        problem: BaseException,
        parent: QWidget | None = None,
        *,
        store_lock: StoreLock | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("damagedStoreDialog")
        self.setWindowTitle("Casebook cannot open this case store")
        self.setWindowIcon(icon("casebook"))
        self.store_path = Path(store_path)
        self.problem = problem
        self.store_lock = store_lock
        self.session = None
        self.restored_as: str | None = None  # set once a backup is restored: who to sign in
        self._sign_in: SignInDialog | None = None

        heading = QLabel("<b>This case store cannot be opened</b>")
        self.problem_label = named(QLabel(user_message(problem)), "problemLabel", "What is wrong")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label = named(
            QLabel(f"Case store: {self.store_path}"), "storePathLabel", "Case store"
        )
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox()
        self.restore_button = named(
            QPushButton("&Restore from a backup…"), "restoreFromBackupButton", "Restore"
        )
        self.close_button = named(QPushButton("&Close Casebook"), "closeButton", "Close")
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.path_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        can_restore = restore_may_help(problem)
        self.restore_button.setVisible(can_restore)
        (self.restore_button if can_restore else self.close_button).setDefault(True)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.restore_button.clicked.connect(self.restore_from_backup)
        self.close_button.clicked.connect(self.reject)

    def restore_from_backup(self) -> None:
        """The restore dialog over this one; once the backup is in place, the sign-in."""
        if self.restored_as is not None:  # restored, but the sign-in was cancelled
            self._sign_in_to_restored()
            return
        from desktop.ui.restore_dialog import RestoreDialog

        dialog = RestoreDialog(self.store_path, self, close_store=self._let_go_of_store)
        dialog.restored_for.connect(self._backup_restored)
        dialog.finished.connect(self._hold_store_again)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _let_go_of_store(self) -> None:
        # Restoring refuses a store held open by a window: this process's own lock included.
        if self.store_lock is not None:
            self.store_lock.release()

    def _hold_store_again(self) -> None:
        if self.store_lock is not None and not self.store_lock.take():
            log.warning("damaged_store.lock_not_taken_again")

    def _backup_restored(self, username: str) -> None:
        self.restored_as = username
        self.problem_label.setText(RESTORED_WORDS)
        self.restore_button.setText("&Sign in…")
        # After the restore dialog has closed: not from inside its signal.
        QTimer.singleShot(0, self, self._sign_in_to_restored)

    def _sign_in_to_restored(self) -> None:
        dialog = SignInDialog(self.store_path, username=self.restored_as or "", parent=self)
        dialog.setObjectName("signInAfterRestore")
        # Held here, not in a lambda on the dialog's own signal: the wrapper must outlive
        # the dialog's deletion (PySide crashed freeing it from inside it).
        self._sign_in = dialog
        dialog.accepted.connect(self._signed_in_to_restored)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _signed_in_to_restored(self) -> None:
        dialog = self._sign_in
        if dialog is None or dialog.session is None:
            return
        self.session = dialog.session
        log.info("damaged_store.restored_and_signed_in")
        self.accept()
