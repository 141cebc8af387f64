"""Two-step sign-in's windows: the code asked for after the password, setting up an
authenticator app (its QR code, and the key as text to type), and the recovery codes,
shown once with Copy and Print.

The settings page (`second_factor_page`) and the sign-in dialog share these; every rule is
in the services (`desktop.services.second_factor`, `auth.verify_second_factor`).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPixmap, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.errors import TooManyAttempts, ValidationError, user_message
from desktop.services import auth, second_factor
from desktop.services.second_factor import Enrolment
from desktop.services.session import UserSession
from desktop.ui import printing
from desktop.ui.dialog_parts import named
from desktop.ui.icons import icon
from desktop.ui.operations import ReadOp, WriteOp
from desktop.ui.procedure_dialogs import ERROR_STYLE
from desktop.ui.worker import fit_height

QR_SIZE = 200
APP_PROMPT = "Enter the 6-digit code from your authenticator app."
RECOVERY_PROMPT = "Enter one of your recovery codes (ten letters and digits, such as 7KQ4M-X2HWP)."
WAIT_SLACK_SECONDS = 0.25


def qr_pixmap(png: bytes, size: int = QR_SIZE) -> QPixmap:
    """The QR code's image at `size` pixels, kept sharp (no smoothing of its squares)."""
    pixmap = QPixmap()
    pixmap.loadFromData(png, "PNG")
    return pixmap.scaled(
        size,
        size,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )


class CodeEdit(QLineEdit):
    """A field for a code whose Return confirms the code only: it never reaches the dialog
    around it (the settings dialog would take it for OK and close)."""

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


def _error_label(name: str) -> QLabel:
    label = named(QLabel(), name, "Problem")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def _fixed_font(scale: float = 1.0):
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(font.pointSizeF() * scale)
    return font


class RecoveryCodesView(QWidget):
    """New recovery codes, shown this once: Copy puts them on the clipboard (wiped when
    Casebook locks), Print makes a sheet to keep."""

    def __init__(self, username: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("recoveryCodesView")
        self.username = username
        self.codes: tuple[str, ...] = ()
        intro = named(QLabel(), "recoveryCodesIntro", "About recovery codes")
        intro.setWordWrap(True)
        intro.setText(
            "Your recovery codes are below. Each works once, in place of the code from your "
            "app, if you lose your phone. They are shown only now: print them or write them "
            "down, and keep them somewhere safe, away from this computer."
        )
        self.codes_label = named(QLabel(), "recoveryCodesLabel", "Recovery codes")
        self.codes_label.setFont(_fixed_font(1.3))
        self.codes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = named(QPushButton("&Copy"), "copyCodesButton", "Copy the codes")
        self.print_button = named(QPushButton("&Print…"), "printCodesButton", "Print the codes")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.codes_label)
        layout.addLayout(buttons)
        self.copy_button.clicked.connect(self.copy)
        self.print_button.clicked.connect(self.print_codes)

    def show_codes(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        half = math.ceil(len(self.codes) / 2)
        rows = ["    ".join(self.codes[i::half][:2]) for i in range(half)]  # two columns, read down
        self.codes_label.setText("\n".join(rows))
        self.copy_button.setText("&Copy")
        self.show()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.codes))
        self.copy_button.setText("Copied")

    def print_codes(self) -> None:
        printer = printing.new_printer()
        printer.setFullPage(False)
        if not printing.ask_printer(self, printer, "Print your recovery codes"):
            return
        document = QTextDocument()
        items = "".join(f"<li><tt>{html.escape(code)}</tt></li>" for code in self.codes)
        document.setHtml(
            f"<h2>Casebook recovery codes for {html.escape(self.username)}</h2>"
            f"<p>Made on {html.escape(format_date(uk_today()))}. Each code works once, in "
            "place of the code from your authenticator app. Keep this sheet somewhere safe, "
            f"away from the computer.</p><ol>{items}</ol>"
        )
        document.print_(printer)


class EnrolmentPanel(QWidget):
    """Set up an authenticator app: scan the QR code (or type the key), then type the code it
    shows. `enrolled` carries the new recovery codes. With `replacing`, the account already
    has an app: a code from it (or a recovery code) is asked for too."""

    enrolled = Signal(object)

    def __init__(self, session: UserSession, *, replacing: bool = False, parent=None):
        super().__init__(parent)
        self.setObjectName("enrolmentPanel")
        self.session = session
        self.replacing = replacing
        self.enrolment: Enrolment | None = None
        self._busy = False
        steps = named(QLabel(), "enrolmentSteps", "How to set it up")
        steps.setWordWrap(True)
        steps.setText(
            "1. Open an authenticator app on your phone (such as Microsoft Authenticator, "
            "Google Authenticator or any TOTP app) and add an account by scanning this code. "
            "No internet connection is needed.\n2. Type the 6-digit code the app then shows."
        )
        self.qr_label = named(QLabel("Making the code…"), "qrCodeLabel", "QR code to scan")
        self.qr_label.setFixedSize(QR_SIZE + 8, QR_SIZE + 8)
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setStyleSheet("QLabel { background: white; color: #555555; }")
        self.secret_label = named(QLabel(), "secretLabel", "Set-up key to type")
        self.secret_label.setFont(_fixed_font())
        self.secret_label.setWordWrap(True)
        self.secret_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        key_note = QLabel("Cannot scan? Choose to enter a set-up key in the app, and type:")
        key_note.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(key_note)
        side.addWidget(self.secret_label)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.qr_label)
        row.addLayout(side, 1)

        form = QFormLayout()
        self.current_edit = named(CodeEdit(), "currentCodeEdit", "Code from your current app")
        self.current_edit.setPlaceholderText("from the old app, or a recovery code")
        self.current_edit.returnPressed.connect(self.code_edit_focus)
        if replacing:
            form.addRow("Code from your &current app:", self.current_edit)
        else:
            self.current_edit.hide()
        self.code_edit = named(CodeEdit(), "enrolCodeEdit", "Code from the app")
        self.code_edit.setPlaceholderText("123456")
        self.code_edit.setMaxLength(20)
        form.addRow(
            "Code from the &new app:" if replacing else "&Code from the app:", self.code_edit
        )
        self.confirm_button = named(
            QPushButton("&Turn on two-step sign-in"), "confirmEnrolmentButton", "Confirm"
        )
        self.confirm_button.setEnabled(False)
        self.error_label = _error_label("enrolmentError")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(steps)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error_label)
        self.confirm_button.clicked.connect(self.confirm)
        self.code_edit.returnPressed.connect(self.confirm)

    def code_edit_focus(self) -> None:
        self.code_edit.setFocus()

    def start(self) -> None:
        """Make a new key and show it (off the UI thread: the QR code takes a moment)."""
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: second_factor.start_enrolment(job.session),
            success=self._show,
            failure=self._refused,
            progress="Making a set-up code",
        ).start()

    def _show(self, enrolment: Enrolment) -> None:
        self.enrolment = enrolment
        self.qr_label.setPixmap(qr_pixmap(enrolment.qr_png))
        self.secret_label.setText(enrolment.secret_for_typing)
        self.confirm_button.setEnabled(True)
        (self.current_edit if self.replacing else self.code_edit).setFocus()

    def confirm(self) -> None:
        if self.enrolment is None or self._busy:
            return
        secret, code = self.enrolment.secret, self.code_edit.text()
        current = self.current_edit.text() if self.replacing else None
        if not code.strip():
            self._show_error("Type the code your app shows.", self.code_edit)
            return
        self._busy = True
        self.confirm_button.setEnabled(False)
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: second_factor.confirm_enrolment(
                job.session, secret=secret, code=code, current_code=current
            ),
            success=self._confirmed,
            failure=self._refused,
            done=self._ready,
            progress="Turning on two-step sign-in",
        ).start()

    def _ready(self) -> None:
        self._busy = False
        self.confirm_button.setEnabled(self.enrolment is not None)

    def _confirmed(self, codes: tuple[str, ...]) -> None:
        self.error_label.hide()
        self.enrolled.emit(codes)

    def _refused(self, exc: BaseException) -> None:
        field = getattr(exc, "field", None)
        focus = self.current_edit if field == "current_code" else self.code_edit
        if not focus.isVisible():
            focus = self.code_edit
        self._show_error(user_message(exc), focus)

    def _show_error(self, text: str, focus: QLineEdit) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        focus.setFocus()
        focus.selectAll()


class SecondFactorDialog(QDialog):
    """After the password: the code from the authenticator app, or a recovery code.
    Accepted once the service takes it; Cancel gives the sign-in up."""

    def __init__(self, session: UserSession, parent=None):
        super().__init__(parent)
        self.setObjectName("secondFactorDialog")
        self.setWindowTitle("Two-step sign-in")
        self.setWindowIcon(icon("lock"))
        self.session = session
        self.recovery = False
        self._busy = False
        self._wait_until = 0.0
        heading = named(QLabel("Two-step sign-in"), "secondFactorHeading", "Two-step sign-in")
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.prompt = named(QLabel(APP_PROMPT), "codePrompt", "What to type")
        self.prompt.setWordWrap(True)
        self.code_edit = named(QLineEdit(), "codeEdit", "Code")
        self.code_edit.setMaxLength(24)
        self.code_edit.setPlaceholderText("123456")
        self.switch_button = named(
            QPushButton("Use a recovery code"), "useRecoveryCodeButton", "Use a recovery code"
        )
        self.switch_button.setFlat(True)
        self.switch_button.setAutoDefault(False)
        self.switch_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.switch_button.setStyleSheet("QPushButton { color: palette(link); border: none; }")
        self.error_label = _error_label("codeError")
        self.buttons = QDialogButtonBox()
        self.verify_button = named(QPushButton("&Verify"), "verifyButton", "Verify the code")
        self.buttons.addButton(self.verify_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("buttonBox")
        self._countdown = QTimer(self)
        self._countdown.setInterval(200)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.prompt)
        layout.addWidget(self.code_edit)
        layout.addWidget(self.switch_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(400)
        self.verify_button.setDefault(True)  # Return verifies (set once the box holds it)
        self._connect_signals()
        self.code_edit.setFocus()

    def _connect_signals(self) -> None:
        self.verify_button.clicked.connect(self.verify)
        self.buttons.rejected.connect(self.reject)
        self.switch_button.clicked.connect(self.switch)
        self._countdown.timeout.connect(self._tick)

    def switch(self) -> None:
        """Between the app's code and a recovery code."""
        self.recovery = not self.recovery
        self.prompt.setText(RECOVERY_PROMPT if self.recovery else APP_PROMPT)
        self.code_edit.setPlaceholderText("XXXXX-XXXXX" if self.recovery else "123456")
        self.switch_button.setText(
            "Use the code from my app" if self.recovery else "Use a recovery code"
        )
        self.code_edit.clear()
        self.error_label.hide()
        self.code_edit.setFocus()

    def accept(self) -> None:
        """Return (the default button) verifies; the dialog closes only once the code is taken."""
        if self.session.needs_second_factor:
            self.verify()
            return
        super().accept()

    def verify(self) -> None:
        code = self.code_edit.text().strip()
        if self._busy or self._countdown.isActive():
            return
        if not code:
            self._show_error("Type the code first.")
            return
        self._busy = True
        self.verify_button.setEnabled(False)
        self.code_edit.setEnabled(False)
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: auth.verify_second_factor(job.session, code),
            success=self._verified,
            failure=self._refused,
            done=self._ready,
            progress="Checking the code",
        ).start()

    def _verified(self, _result: object) -> None:
        QDialog.accept(self)

    def _ready(self) -> None:
        self._busy = False
        self.code_edit.setEnabled(True)
        self.verify_button.setEnabled(not self._countdown.isActive())

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, TooManyAttempts):
            self._wait_until = time.monotonic() + max(exc.retry_after, 0.0) + WAIT_SLACK_SECONDS
            self.verify_button.setEnabled(False)
            self._countdown.start()
            self._show_error(user_message(exc))
            return
        if isinstance(exc, ValidationError):
            self.code_edit.clear()
        self._show_error(user_message(exc))

    def _tick(self) -> None:
        if time.monotonic() < self._wait_until:
            return
        self._countdown.stop()
        self.verify_button.setEnabled(not self._busy)
        self.error_label.hide()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        fit_height(self)
        self.code_edit.setFocus()
        self.code_edit.selectAll()


class EnrolAtSignInDialog(QDialog):
    """The trust requires administrators to use two-step sign-in and this one has not set
    it up: set it up now, or sign out again. Continue comes once it is on and the recovery
    codes have been shown."""

    def __init__(self, session: UserSession, parent=None):
        super().__init__(parent)
        self.setObjectName("enrolAtSignInDialog")
        self.setWindowTitle("Set up two-step sign-in")
        self.setWindowIcon(icon("lock"))
        self.session = session
        intro = named(QLabel(), "enrolAtSignInIntro", "Why")
        intro.setWordWrap(True)
        intro.setText(
            "Your trust requires administrators to use two-step sign-in: after your password, "
            "Casebook asks for a code from an app on your phone. Set it up now to carry on."
        )
        self.panel = EnrolmentPanel(session, parent=self)
        self.codes_view = RecoveryCodesView(session.actor.username, self)
        self.codes_view.hide()
        self.buttons = QDialogButtonBox()
        self.buttons.setObjectName("buttonBox")
        self.continue_button = named(QPushButton("C&ontinue"), "continueButton", "Continue")
        self.continue_button.setEnabled(False)
        self.buttons.addButton(self.continue_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_out_button = self.buttons.addButton(
            "&Sign out", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setAutoDefault(False)
        self.continue_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.panel)
        layout.addWidget(self.codes_view)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.panel.enrolled.connect(self._enrolled)
        self.panel.start()

    def _enrolled(self, codes: tuple[str, ...]) -> None:
        self.panel.hide()
        self.codes_view.show_codes(codes)
        self.continue_button.setEnabled(True)
        self.continue_button.setFocus()
        fit_height(self)

    def accept(self) -> None:
        if self.session.needs_second_factor:  # Return in the code field: not yet
            return
        super().accept()
