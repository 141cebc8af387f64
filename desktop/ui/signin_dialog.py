"""The sign-in dialog: password, "remember me", the remembered device, and the lock screen.

Signing in derives a key from the password (Argon2, about a third of a second) and opens the
store, so it runs off the UI thread: the fields are disabled meanwhile, and a busy line
appears under them if it takes longer than half a second.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
)

from desktop.errors import (
    TooManyAttempts,
    WrongPassword,
    restore_may_help,
    user_message,
)
from desktop.ui import signin_steps as steps
from desktop.ui.forms import child, load_form
from desktop.ui.icons import icon
from desktop.ui.messages import Messenger
from desktop.ui.operations import BusyIndicator, ReadOp, WriteOp
from desktop.ui.worker import fit_height, preload

if TYPE_CHECKING:
    from desktop.services.store import StoreLocation

log = logging.getLogger(__name__)

# How long after the dialog first shows the keyring is asked and the sign-in code loads.
AFTER_SHOWN_MS = 150
CHECKING_KEYRING = "Checking whether this computer can remember you…"
NO_KEYRING = (
    "This computer has no secure password store, so Casebook cannot remember you here; "
    "sign in with your password each time."
)
WAIT_SLACK_SECONDS = 0.25


class SignInDialog(QDialog):
    """Asks for a username and password and opens the store; `session` is set on success.

    With `locked=True` it is the lock screen: the username is fixed and only that person's
    password (or the recovery key) carries on.
    """

    def __init__(
        self,
        store_path: Path | StoreLocation,
        *,
        username: str = "",
        locked: bool = False,
        sample_note: str = "",
        offer_restore: bool = False,
        parent=None,
    ):
        super().__init__(parent)
        # A path, or the location an open store came from (the lock screen); services take
        # either. Nothing heavy is imported here: the dialog must open at once.
        self.store_path = store_path
        self.locked = locked
        self.sample_note = sample_note  # set when signing in to the sample trust
        self.session = None
        self._waiting = None  # signed in, but must choose a new password first
        self.new_password_dialog: QDialog | None = None
        self._owing = None  # signed in, but the second step (a code, or setting it up) is owed
        self.second_factor_dialog: QDialog | None = None
        self._remember_later = False  # "remember me" ticked: done once the second step is
        self._busy = False
        self._abandoned = False  # closed while signing in: the session that comes is not used
        self._can_remember = False
        self._wait_until = 0.0
        # Nothing here touches Qt's namespace (`Qt.…`), which takes some 14 ms to load: the
        # methods that need it import it when they run, after the dialog has shown.
        self._countdown = QTimer(self)
        self._countdown.setInterval(200)

        load_form("signin_dialog", self)
        self.heading = child(self, QLabel, "headingLabel")
        self.locked_label = child(self, QLabel, "lockedLabel")
        self.username_edit = child(self, QLineEdit, "usernameEdit")
        self.password_edit = child(self, QLineEdit, "passwordEdit")
        self.remember_check = child(self, QCheckBox, "rememberCheck")
        self.keyring_note = child(self, QLabel, "keyringNote")
        self.error_label = child(self, QLabel, "errorLabel")
        self.store_label = child(self, QLabel, "storeLabel")
        self.sign_in_button = child(self, QPushButton, "signInButton")
        self.remembered_button = child(self, QPushButton, "rememberedButton")
        self.forgot_button = child(self, QPushButton, "forgotButton")
        self.switch_user_button = child(self, QPushButton, "switchUserButton")
        self.cancel_button = child(self, QPushButton, "cancelButton")
        # Start-up's sign-in (offer_restore) offers a backup when sign-in finds the store
        # damaged or foreign: it then finishes with RESTORE_WANTED, keeping `refusal`.
        self.offer_restore = offer_restore and not locked
        self.refusal: BaseException | None = None
        self.restore_button = self._place_restore_button()

        self.setWindowIcon(icon("lock" if locked else "casebook"))
        self.setMinimumWidth(420)
        self.store_label.setText(f"Case store: {self.store_path.name}")
        self.store_label.setToolTip(
            str(store_path) if isinstance(store_path, Path) else store_path.description
        )
        self.error_label.hide()
        self.busy_indicator = self._place_busy_indicator()
        self._set_up_mode(username)
        self._set_up_remembering()
        self._connect_signals()
        # The keyring and the sign-in code load just after the dialog first shows, so
        # neither delays it: a person takes longer than that to type their name.
        self.remembering_known = self.locked  # the lock screen never offers remembering
        self._after_shown = QTimer(self)
        self._after_shown.setSingleShot(True)
        self._after_shown.setInterval(AFTER_SHOWN_MS)
        self._after_shown.timeout.connect(self._load_in_background)
        self._loading = False

    # -- set-up ---------------------------------------------------------------------------
    def _set_up_mode(self, username: str) -> None:
        self.username_edit.setText(username)
        if self.locked:
            self.setWindowTitle("Casebook is locked")
            self.heading.setText("Casebook is locked")
            self.locked_label.setText(f"Locked by {username}. Enter your password to carry on.")
            self.username_edit.setReadOnly(True)
            from PySide6.QtCore import Qt

            self.username_edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.sign_in_button.setText("&Unlock")
            self.cancel_button.setText("Close Casebook")
        elif self.sample_note:
            self.setWindowTitle("Sign in to the sample trust")
            self.heading.setText("Sample trust")
            self.locked_label.setText(self.sample_note)
            self.switch_user_button.hide()
        else:
            self.setWindowTitle("Sign in to Casebook")
            self.locked_label.hide()
            self.switch_user_button.hide()
        (self.password_edit if username else self.username_edit).setFocus()

    def _set_up_remembering(self) -> None:
        self.remembered_button.hide()
        if self.locked:
            # The lock screen always wants the password: a remembered device would undo it.
            self.remember_check.hide()
            self.keyring_note.hide()
            return
        # Until the keyring has answered (off the UI thread, once the dialog shows), the
        # box waits, greyed, with a word on why.
        self.remember_check.setEnabled(False)
        self.keyring_note.setText(CHECKING_KEYRING)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._loading:
            self._loading = True
            self._after_shown.start()

    def _load_in_background(self) -> None:
        preload(steps.AUTH_MODULE)  # SQLAlchemy, SQLCipher and Argon2 load while the person types
        if self.locked:
            return
        ReadOp(
            parent=self,
            run=lambda job: steps.remembering_status(),
            success=self._remembering_found,
            progress="Looking for the keyring",
        ).start()

    def _remembering_found(self, status) -> None:
        secure = self._can_remember = status.available
        self.remember_check.setEnabled(secure)
        self.keyring_note.setText(NO_KEYRING)
        self.keyring_note.setVisible(not secure)
        self.remembering_known = True
        self._look_for_remembered_device()

    def _place_busy_indicator(self) -> BusyIndicator:
        """Under the error line, taking no room until it is shown."""
        form = self.error_label.parentWidget()
        layout = form.layout() if form is not None else None
        if not isinstance(layout, QBoxLayout):  # the form was rearranged: its foot will do
            return BusyIndicator.of(self)
        indicator = BusyIndicator()
        layout.insertWidget(layout.indexOf(self.error_label) + 1, indicator)
        return indicator

    def _place_restore_button(self) -> QPushButton:
        """Under the error line, hidden until sign-in finds the store damaged."""
        button = QPushButton("&Restore from a backup…")
        button.setObjectName("restoreFromBackupButton")
        form = self.error_label.parentWidget()
        layout = form.layout() if form is not None else None
        if isinstance(layout, QBoxLayout):
            at = layout.indexOf(self.error_label) + 1
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            layout.insertWidget(at, button)  # at its own width, on the left
        else:  # the form was rearranged: still there for the person (and a test) to find
            button.setParent(self)
        button.hide()
        return button

    def _look_for_remembered_device(self) -> None:
        """Off the UI thread, since it needs the auth service; the button appears when found."""
        if self.locked or not self.remember_check.isEnabled():
            return
        path = self.store_path
        ReadOp(
            parent=self,
            run=lambda job: steps.remembered_user(path),
            success=self._show_remembered,
            progress="Looking for a remembered account",
        ).start()

    def _connect_signals(self) -> None:
        self.sign_in_button.clicked.connect(self._sign_in)
        self.remembered_button.clicked.connect(self._continue_remembered)
        self.forgot_button.clicked.connect(self._forgotten_password)
        self.switch_user_button.clicked.connect(self._switch_user)
        self.cancel_button.clicked.connect(self.reject)
        self.restore_button.clicked.connect(self._restore_wanted)
        self._countdown.timeout.connect(self._tick)
        self.username_edit.textEdited.connect(self._clear_error)
        self.password_edit.textEdited.connect(self._clear_error)

    # -- handlers -------------------------------------------------------------------------
    def _switch_user(self) -> None:
        """From the lock screen, let a different person sign in with their own password."""
        # The heading above already says Casebook is locked.
        self.locked_label.setText("Sign in with your own account.")
        self.username_edit.setReadOnly(False)
        from PySide6.QtCore import Qt

        self.username_edit.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.username_edit.clear()
        self.password_edit.clear()
        self.sign_in_button.setText("&Sign in")
        self.switch_user_button.hide()
        self._clear_error()
        self.username_edit.setFocus()

    def _sign_in(self) -> None:
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username:
            self._show_error("Enter your username.", self.username_edit)
            return
        if not password:
            self._show_error("Enter your password.", self.password_edit)
            return
        path = self.store_path
        remember = self.remember_check.isEnabled() and self.remember_check.isChecked()
        self._remember_later = remember
        self._start_sign_in(
            lambda job: steps.open_store(path, username, password, remember),
            self._signed_in,
            self._sign_in_refused,
        )

    def _start_sign_in(self, run, success, failure) -> None:
        """Sign in off the UI thread, with the fields disabled until the answer comes."""
        self._abandoned = False
        self._set_busy(True)
        WriteOp(
            parent=self,
            run=run,
            done=lambda: self._set_busy(False),
            success=success,
            failure=failure,
            dropped=steps.close_unused,
            progress="Signing in",
        ).start()

    def _signed_in(self, result) -> None:
        if self._abandoned:
            steps.close_unused(result)
            return
        session, problem = result
        if not getattr(session, "needs_second_factor", False):
            self._remember_later = False  # remembered already, if it was asked for
        if problem is not None:
            Messenger.warn(self, "Casebook cannot remember you", user_message(problem))
        self._finish(session)

    def _sign_in_refused(self, exc: BaseException) -> None:
        if self._abandoned:
            return
        self._offer_restore_for(exc)
        if isinstance(exc, TooManyAttempts):
            self._start_wait(exc.retry_after)
            self.password_edit.setFocus()
            return
        if isinstance(exc, WrongPassword):
            self.password_edit.clear()
        else:  # the store missing or damaged, a disk problem: say so plainly
            log.warning("sign-in failed: %s", type(exc).__name__)
        self._show_error(user_message(exc), self.password_edit)

    def _show_remembered(self, username) -> None:
        if username and self.session is None:
            self.remembered_button.setText(f"Continue as {username}")
            self.remembered_button.show()

    def _continue_remembered(self) -> None:
        path = self.store_path
        self._remember_later = False
        self._start_sign_in(
            lambda job: steps.auth().sign_in_remembered(path),
            self._remembered_signed_in,
            self._remembered_refused,
        )

    def _remembered_signed_in(self, session) -> None:
        if self._abandoned:
            steps.close_unused(session)
        else:
            self._finish(session)

    def _remembered_refused(self, exc: BaseException) -> None:
        if self._abandoned:
            return
        self._offer_restore_for(exc)
        self.remembered_button.hide()
        self._show_error(user_message(exc), self.password_edit)

    def _offer_restore_for(self, exc: BaseException) -> None:
        self.refusal = exc
        self.restore_button.setVisible(self.offer_restore and restore_may_help(exc))

    def _restore_wanted(self) -> None:
        """Start-up takes it from here: the restore dialog, then a sign-in to the restored
        store (desktop/ui/damaged_store_dialog.py)."""
        from desktop.ui.damaged_store_dialog import RESTORE_WANTED

        if not self._busy:
            self.done(RESTORE_WANTED)

    def _forgotten_password(self) -> None:
        from desktop.ui.recovery_dialog import RecoveryDialog

        dialog = RecoveryDialog(
            self.store_path, username=self.username_edit.text().strip(), parent=self
        )
        dialog.accepted.connect(lambda: self._finish(dialog.session))
        dialog.open()

    def _finish(self, session) -> None:
        if session is None:
            return
        if getattr(session, "needs_second_factor", False):
            self._ask_second_factor(session)
            return
        if self._remember_later:  # the second step is done: now remember this device
            self._remember_later = False
            self._start_sign_in(
                lambda job: (session, steps.remember_device(session, True)),
                self._signed_in,
                self._sign_in_refused,
            )
            return
        if getattr(session, "must_change_password", False):
            self._require_new_password(session)
            return
        self.session = session
        self.password_edit.clear()
        self.accept()

    def _ask_second_factor(self, session) -> None:
        """The password was right; the code from the app (or setting the app up, when the
        trust requires it) comes before Casebook opens. Giving up signs out again."""
        from desktop.domain.second_factor import SecondFactorStep
        from desktop.ui.second_factor_dialogs import EnrolAtSignInDialog, SecondFactorDialog

        self._owing = session
        if session.second_factor_step is SecondFactorStep.CODE:
            dialog: QDialog = SecondFactorDialog(session, self)
        else:
            dialog = EnrolAtSignInDialog(session, self)
        from PySide6.QtCore import Qt

        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._second_factor_done)  # a method: no lambda on its signal
        self.second_factor_dialog = dialog
        dialog.open()

    def _second_factor_done(self, result: int) -> None:
        session, self._owing = self._owing, None
        self.second_factor_dialog = None
        if session is None:
            return
        if result == QDialog.DialogCode.Accepted and not session.needs_second_factor:
            self._finish(session)
            return
        enrolling = session.second_factor_step != "code"
        self._remember_later = False
        steps.close_unused(session)
        self.password_edit.clear()
        self._show_error(
            "Set up two-step sign-in to carry on: your trust requires it for administrators."
            if enrolling
            else "Sign in again, then type the code from your authenticator app.",
            self.password_edit,
        )

    def _require_new_password(self, session) -> None:
        """A one-time password set by an administrator: the person chooses their own
        before Casebook opens; declining signs them out again."""
        from desktop.ui.change_password_dialog import ChangePasswordDialog

        typed = self.password_edit.text() or None
        self._waiting = session
        dialog = ChangePasswordDialog(session, self, one_time_password=typed)
        from PySide6.QtCore import Qt

        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._new_password_done)  # a method: no lambda on its signal
        self.new_password_dialog = dialog
        dialog.open()

    def _new_password_done(self, result: int) -> None:
        session, self._waiting = self._waiting, None
        self.new_password_dialog = None
        if session is None:
            return
        if result == QDialog.DialogCode.Accepted and not session.must_change_password:
            self._finish(session)
            return
        steps.close_unused(session)
        self.password_edit.clear()
        self._show_error(
            "Choose your own password to go on: sign in again with the one-time password.",
            self.password_edit,
        )

    def reject(self) -> None:
        # A sign-in under way cannot be stopped half-way, but the person need not wait for
        # it: the session it brings is signed out again as soon as it comes.
        self._abandoned = self._busy
        super().reject()

    def signing_in(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        """While signing in, nothing can be typed or pressed (and typed twice)."""
        self._busy = busy
        for widget in (
            self.username_edit,
            self.password_edit,
            self.remember_check,
            self.remembered_button,
            self.forgot_button,
            self.switch_user_button,
        ):
            widget.setEnabled(not busy)
        self.remember_check.setEnabled(not busy and self._can_remember)
        self.sign_in_button.setEnabled(not busy and not self._countdown.isActive())
        if busy:
            from PySide6.QtCore import Qt

            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # -- feedback -------------------------------------------------------------------------
    def _show_error(self, text: str, focus: QLineEdit) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        fit_height(self)  # the message grows the dialog; it never squeezes the fields
        focus.setFocus()
        focus.selectAll()

    def _clear_error(self) -> None:
        if self.error_label.isVisible() and not self._countdown.isActive():
            self.error_label.hide()
            self.restore_button.hide()

    def _start_wait(self, seconds: float) -> None:
        # A little slack, so that signing in the moment the button returns is never refused.
        self._wait_until = time.monotonic() + max(seconds, 0.0) + WAIT_SLACK_SECONDS
        self.sign_in_button.setEnabled(False)
        self._show_wait()
        from PySide6.QtCore import Qt

        self._countdown.setTimerType(Qt.TimerType.PreciseTimer)
        self._countdown.start()

    def _tick(self) -> None:
        if time.monotonic() < self._wait_until:
            self._show_wait()
            return
        self._countdown.stop()
        self.sign_in_button.setEnabled(True)
        self.error_label.hide()
        self.password_edit.setFocus()

    def _show_wait(self) -> None:
        left = max(1, math.ceil(self._wait_until - WAIT_SLACK_SECONDS - time.monotonic()))
        unit = "second" if left == 1 else "seconds"
        self.error_label.setText(
            f"Too many failed attempts. Wait {left} {unit} before trying again."
        )
        self.error_label.show()
