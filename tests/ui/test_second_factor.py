"""Two-step sign-in, driven by keys and clicks: set it up on Settings › Two-step sign-in
(reading the key the page shows, as a phone would from its QR code), sign out, then sign in
typing the code; a recovery code instead; the trust's rule leading an administrator to set
it up before Casebook opens."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TypeVar

import pyotp
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop.services import auth, second_factor, trust
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.second_factor_dialogs import EnrolAtSignInDialog, SecondFactorDialog
from desktop.ui.second_factor_page import SecondFactorPage
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.signin_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.pdfutil import pdf_text
from tests.services.accounts import SCHOOL_USER_PASSWORD, sign_in_new_user
from tests.ui.fakes import FakeBackend
from tests.ui.letter_support import FakePrintDialog, print_dialog  # noqa: F401 (a fixture)
from tests.ui.test_settings_dialog import choose_page, open_dialog, press_ok
from tests.ui.typing import click, press, tick, type_into

T = TypeVar("T", bound=QObject)


def w(parent: QObject, kind: type[T], name: str) -> T:
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def code_now(secret: str, ahead: float = 0) -> str:
    """What the phone's app shows (`ahead` seconds from now)."""
    return pyotp.TOTP(secret).at(time.time() + ahead)


def not_the(code: str) -> str:
    return str((int(code) + 1) % 1_000_000).zfill(6)


def set_up_in(qtbot, root: QWidget) -> tuple[str, list[str]]:
    """Scan (read the key shown), type the app's code, Return; the secret and the codes."""
    qr = w(root, QLabel, "qrCodeLabel")
    qtbot.waitUntil(lambda: not qr.pixmap().isNull(), timeout=10_000)
    assert qr.pixmap().width() >= 150  # big enough to scan
    secret = w(root, QLabel, "secretLabel").text().replace(" ", "")
    type_into(qtbot, w(root, QLineEdit, "enrolCodeEdit"), code_now(secret))
    press(qtbot, Qt.Key.Key_Return)
    shown = w(root, QLabel, "recoveryCodesLabel")
    qtbot.waitUntil(shown.isVisible, timeout=10_000)
    return secret, shown.text().split()


def page_of(qtbot, session: UserSession) -> tuple[SettingsDialog, SecondFactorPage]:
    dialog = open_dialog(qtbot, session)
    choose_page(qtbot, dialog, "Two-step sign-in")
    page = dialog.current_page()
    assert isinstance(page, SecondFactorPage)
    return dialog, page


def open_sign_in(qtbot, store_path: Path) -> SignInDialog:
    dialog = SignInDialog(store_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    type_into(qtbot, w(dialog, QLineEdit, "usernameEdit"), "admin")
    type_into(qtbot, w(dialog, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    return dialog


def second_step(qtbot, signin: SignInDialog, kind: type[QDialog]) -> QDialog:
    def found() -> QDialog | None:
        dialog = signin.findChild(kind)
        return dialog if dialog is not None and dialog.isVisible() else None

    qtbot.waitUntil(lambda: found() is not None, timeout=10_000)
    dialog = found()
    assert dialog is not None
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog


def test_set_up_on_the_page_then_sign_in_typing_the_code(
    qtbot,
    admin: UserSession,
    store_path: Path,
    print_dialog: FakePrintDialog,  # noqa: F811
) -> None:
    settings, page = page_of(qtbot, admin)
    status = w(page, QLabel, "secondFactorStatus")
    assert status.text() == "Two-step sign-in is off for your account."
    assert w(page, QWidget, "trustGroup").isVisible()  # an administrator sees the rule
    click(qtbot, w(page, QPushButton, "setUpButton"))
    secret, codes = set_up_in(qtbot, page)
    assert settings.isVisible()  # Return confirmed the code; it did not close Settings
    assert len(codes) == 10 and all(len(code) == 11 and code[5] == "-" for code in codes)
    qtbot.waitUntil(lambda: "is on for your account" in status.text(), timeout=5000)
    assert "10 unused recovery codes" in status.text()

    click(qtbot, w(page, QPushButton, "copyCodesButton"))
    assert sorted(QGuiApplication.clipboard().text().split()) == sorted(codes)
    print_dialog.answers.append(True)
    click(qtbot, w(page, QPushButton, "printCodesButton"))
    printed = pdf_text(print_dialog.files[0].read_bytes()).replace("\r", "")
    assert all(code in printed for code in codes) and "admin" in printed
    settings.reject()
    auth.sign_out(admin)

    signin = open_sign_in(qtbot, store_path)
    ask = second_step(qtbot, signin, SecondFactorDialog)
    assert "6-digit code from your authenticator app" in w(ask, QLabel, "codePrompt").text()
    assert signin.session is None  # not in until the code is given
    type_into(qtbot, w(ask, QLineEdit, "codeEdit"), not_the(code_now(secret)))
    press(qtbot, Qt.Key.Key_Return)
    error = w(ask, QLabel, "codeError")
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "not right" in error.text() and ask.isVisible()
    # The code the set-up used is spent: the app's next one (inside the window) is taken.
    type_into(qtbot, w(ask, QLineEdit, "codeEdit"), code_now(secret, ahead=30))
    with qtbot.waitSignal(signin.accepted, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    session = signin.session
    assert session is not None and not session.needs_second_factor
    assert trust.get_trust(session).name == "Oakfield Learning Trust"
    auth.sign_out(session)


def test_a_recovery_code_signs_in_when_the_phone_is_lost(
    qtbot, admin: UserSession, store_path: Path
) -> None:
    settings, page = page_of(qtbot, admin)
    click(qtbot, w(page, QPushButton, "setUpButton"))
    _secret, codes = set_up_in(qtbot, page)
    settings.reject()
    auth.sign_out(admin)

    signin = open_sign_in(qtbot, store_path)
    ask = second_step(qtbot, signin, SecondFactorDialog)
    click(qtbot, w(ask, QPushButton, "useRecoveryCodeButton"))
    assert "recovery codes" in w(ask, QLabel, "codePrompt").text()
    type_into(qtbot, w(ask, QLineEdit, "codeEdit"), codes[0].lower())
    with qtbot.waitSignal(signin.accepted, timeout=10_000):
        click(qtbot, w(ask, QPushButton, "verifyButton"))
    session = signin.session
    assert session is not None
    assert second_factor.status(session).recovery_codes_left == 9
    auth.sign_out(session)


def test_cancelling_the_code_signs_out_again(qtbot, admin: UserSession, store_path: Path) -> None:
    settings, page = page_of(qtbot, admin)
    click(qtbot, w(page, QPushButton, "setUpButton"))
    set_up_in(qtbot, page)
    settings.reject()
    auth.sign_out(admin)
    signin = open_sign_in(qtbot, store_path)
    ask = second_step(qtbot, signin, SecondFactorDialog)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not ask.isVisible(), timeout=5000)
    assert signin.session is None and signin.isVisible()
    assert "type the code" in w(signin, QLabel, "errorLabel").text()


def test_the_trust_rule_leads_the_administrator_to_set_it_up_at_sign_in(
    qtbot, new_store: SetupResult, store_path: Path, messenger: FakeBackend
) -> None:
    settings, page = page_of(qtbot, new_store.session)
    tick(qtbot, w(page, QCheckBox, "requireCheck"))
    with qtbot.waitSignal(settings.accepted, timeout=5000):
        press_ok(qtbot, settings)  # OK saves the rule
    assert second_factor.status(new_store.session).trust_requires
    auth.sign_out(new_store.session)

    signin = open_sign_in(qtbot, store_path)
    enrol = second_step(qtbot, signin, EnrolAtSignInDialog)
    continue_button = w(enrol, QPushButton, "continueButton")
    assert not continue_button.isEnabled()  # no way on without setting it up
    click(qtbot, w(enrol, QPushButton, "signOutButton"))
    qtbot.waitUntil(lambda: not enrol.isVisible(), timeout=5000)
    assert signin.session is None
    assert "trust requires it" in w(signin, QLabel, "errorLabel").text()

    signin.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is signin, timeout=5000)
    type_into(qtbot, w(signin, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    enrol = second_step(qtbot, signin, EnrolAtSignInDialog)
    set_up_in(qtbot, enrol)
    assert w(enrol, QPushButton, "continueButton").isEnabled()
    with qtbot.waitSignal(signin.accepted, timeout=10_000):
        click(qtbot, w(enrol, QPushButton, "continueButton"))
    session = signin.session
    assert session is not None and not session.needs_second_factor
    assert second_factor.status(session).enrolled
    auth.sign_out(session)


def test_new_codes_and_turning_off_on_the_page(
    qtbot, new_store: SetupResult, store_path: Path, messenger: FakeBackend
) -> None:
    bea = sign_in_new_user(new_store, store_path, "bea", "business_manager")
    settings, page = page_of(qtbot, bea)
    assert not w(page, QWidget, "trustGroup").isVisible()  # the rule is the administrators'
    assert not w(page, QWidget, "manageGroup").isVisible()
    click(qtbot, w(page, QPushButton, "setUpButton"))
    secret, first = set_up_in(qtbot, page)
    manage = w(page, QLineEdit, "manageCodeEdit")
    qtbot.waitUntil(manage.isVisible, timeout=5000)
    shown = w(page, QLabel, "recoveryCodesLabel")

    type_into(qtbot, manage, "12345")
    click(qtbot, w(page, QPushButton, "newCodesButton"))
    error = w(page, QLabel, "manageError")
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert sorted(shown.text().split()) == sorted(first)  # nothing changed

    type_into(qtbot, manage, code_now(secret, ahead=30))
    click(qtbot, w(page, QPushButton, "newCodesButton"))
    qtbot.waitUntil(lambda: not set(shown.text().split()) & set(first), timeout=5000)
    second = shown.text().split()
    assert len(second) == 10

    messenger.confirmations.append(True)
    type_into(qtbot, manage, second[0])
    click(qtbot, w(page, QPushButton, "turnOffButton"))
    status = w(page, QLabel, "secondFactorStatus")
    off = "Two-step sign-in is off for your account."
    qtbot.waitUntil(lambda: status.text() == off, timeout=5000)
    assert messenger.said[-1][0] == "confirm"
    assert not w(page, QWidget, "manageGroup").isVisible()
    assert settings.isVisible()
    auth.sign_out(bea)
    assert not auth.sign_in(
        store_path, username="bea", password=SCHOOL_USER_PASSWORD
    ).needs_second_factor


def test_remember_me_waits_for_the_code_and_the_device_still_asks_for_it(
    qtbot, admin: UserSession, store_path: Path, memory_keyring
) -> None:
    settings, page = page_of(qtbot, admin)
    click(qtbot, w(page, QPushButton, "setUpButton"))
    secret, _codes = set_up_in(qtbot, page)
    settings.reject()
    auth.sign_out(admin)

    signin = SignInDialog(store_path)
    qtbot.addWidget(signin)
    signin.show()
    qtbot.waitExposed(signin)
    signin.activateWindow()
    qtbot.waitUntil(lambda: signin.remembering_known, timeout=5000)  # the keyring answered
    tick(qtbot, w(signin, QCheckBox, "rememberCheck"))
    type_into(qtbot, w(signin, QLineEdit, "usernameEdit"), "admin")
    type_into(qtbot, w(signin, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    ask = second_step(qtbot, signin, SecondFactorDialog)
    assert auth.remembered_user(store_path) is None  # not before the code
    type_into(qtbot, w(ask, QLineEdit, "codeEdit"), code_now(secret, ahead=30))
    with qtbot.waitSignal(signin.accepted, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    assert auth.remembered_user(store_path) == "admin"
    assert signin.session is not None
    auth.sign_out(signin.session)

    again = SignInDialog(store_path)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    button = w(again, QPushButton, "rememberedButton")
    qtbot.waitUntil(button.isVisible, timeout=5000)
    click(qtbot, button)
    ask = second_step(qtbot, again, SecondFactorDialog)  # the device stands in for the password
    assert again.session is None
    press(qtbot, Qt.Key.Key_Escape)  # giving up signs out again
    qtbot.waitUntil(lambda: not ask.isVisible(), timeout=5000)
    assert again.session is None
