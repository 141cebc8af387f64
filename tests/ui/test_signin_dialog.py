"""The sign-in dialog, driven offscreen against a real store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QLineEdit, QPushButton

import desktop.domain.signin as signin_rules
from desktop import secrets
from desktop.errors import KeyringUnavailable, WrongPassword, user_message
from desktop.services import auth
from desktop.ui.recovery_dialog import RecoveryDialog
from desktop.ui.signin_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.ui.typing import click, press, tick, type_into, type_keys


@pytest.fixture
def store(new_store, store_path):
    """A store with `admin`, and no session left open by the fixture's own sign-in."""
    new_store.session.close()
    return store_path


def open_dialog(qtbot, store_path, **kwargs) -> SignInDialog:
    dialog = SignInDialog(store_path, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    # The keyring is asked off the UI thread once the dialog shows.
    qtbot.waitUntil(lambda: dialog.remembering_known, timeout=5000)
    return dialog


def w(dialog, kind, name):
    found = dialog.findChild(kind, name)
    assert found is not None, name
    return found


def sign_in(qtbot, dialog, username, password):
    type_into(qtbot, w(dialog, QLineEdit, "usernameEdit"), username)
    type_into(qtbot, w(dialog, QLineEdit, "passwordEdit"), password)
    click(qtbot, w(dialog, QPushButton, "signInButton"))
    # Signing in runs off the UI thread, with the fields disabled until it comes back.
    qtbot.waitUntil(w(dialog, QLineEdit, "passwordEdit").isEnabled, timeout=5000)


def test_right_password_signs_in_and_accepts(qtbot, store):
    dialog = open_dialog(qtbot, store)
    assert dialog.windowTitle() == "Sign in to Casebook"
    assert w(dialog, QLabel, "storeLabel").text().endswith(store.name)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        sign_in(qtbot, dialog, "admin", ADMIN_PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.session is not None
    assert dialog.session.actor.username == "admin"
    dialog.session.close()


def test_wrong_password_shows_inline_error_and_clears_password(qtbot, store, messenger):
    dialog = open_dialog(qtbot, store)
    error = w(dialog, QLabel, "errorLabel")
    assert not error.isVisible()
    sign_in(qtbot, dialog, "admin", "not the password")
    assert error.isVisible()
    assert error.text() == user_message(WrongPassword())
    assert w(dialog, QLineEdit, "passwordEdit").text() == ""
    assert dialog.session is None
    assert dialog.isVisible()
    assert messenger.said == []  # inline, not a modal box
    # The dialog grows to fit the message: the fields keep their height (once squeezed flat).
    for name in ("usernameEdit", "passwordEdit"):
        field = w(dialog, QLineEdit, name)
        assert field.height() >= field.minimumSizeHint().height()
    assert dialog.height() >= dialog.minimumSizeHint().height()


def test_empty_username_is_asked_for_without_trying(qtbot, store):
    dialog = open_dialog(qtbot, store)
    sign_in(qtbot, dialog, "", "whatever")
    assert w(dialog, QLabel, "errorLabel").text() == "Enter your username."
    assert dialog.session is None


def test_repeated_failures_disable_sign_in_until_the_wait_is_over(qtbot, store, monkeypatch):
    monkeypatch.setattr(signin_rules, "FREE_ATTEMPTS", 1)
    monkeypatch.setattr(signin_rules, "FIRST_DELAY_SECONDS", 1.0)
    dialog = open_dialog(qtbot, store)
    button = w(dialog, QPushButton, "signInButton")
    error = w(dialog, QLabel, "errorLabel")
    sign_in(qtbot, dialog, "admin", "wrong one")
    assert button.isEnabled()
    sign_in(qtbot, dialog, "admin", ADMIN_PASSWORD)  # refused before the password is tried
    assert not button.isEnabled()
    assert "Wait 1 second" in error.text()
    assert dialog.session is None
    qtbot.waitUntil(button.isEnabled, timeout=4000)
    assert not error.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        sign_in(qtbot, dialog, "admin", ADMIN_PASSWORD)
    dialog.session.close()


def test_without_a_secure_keyring_remember_me_is_off_and_explained(qtbot, store):
    dialog = open_dialog(qtbot, store)
    assert not w(dialog, QCheckBox, "rememberCheck").isEnabled()
    note = w(dialog, QLabel, "keyringNote")
    assert note.isVisible()
    assert "cannot remember you" in note.text()
    assert not w(dialog, QPushButton, "rememberedButton").isVisible()


def test_remember_me_then_continue_without_a_password(qtbot, store, memory_keyring):
    dialog = open_dialog(qtbot, store)
    remember = w(dialog, QCheckBox, "rememberCheck")
    assert remember.isEnabled()
    assert not w(dialog, QLabel, "keyringNote").isVisible()
    tick(qtbot, remember)
    assert remember.isChecked()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        sign_in(qtbot, dialog, "admin", ADMIN_PASSWORD)
    dialog.session.close()
    assert auth.remembered_user(store) == "admin"

    again = open_dialog(qtbot, store)
    button = w(again, QPushButton, "rememberedButton")
    qtbot.waitUntil(button.isVisible, timeout=5000)
    assert button.text() == "Continue as admin"
    with qtbot.waitSignal(again.accepted, timeout=5000):
        click(qtbot, button)
    assert again.session.actor.username == "admin"
    again.session.close()


def test_keyring_failing_while_remembering_warns_but_still_signs_in(
    qtbot, store, memory_keyring, monkeypatch, messenger
):
    dialog = open_dialog(qtbot, store)
    tick(qtbot, w(dialog, QCheckBox, "rememberCheck"))
    insecure = secrets.KeyringStatus(False, "test", "gone")
    monkeypatch.setattr(secrets, "keyring_status", lambda: insecure)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        sign_in(qtbot, dialog, "admin", ADMIN_PASSWORD)
    assert dialog.session is not None
    assert [text for kind, _, text in messenger.said if kind == "warn"] == [
        user_message(KeyringUnavailable())
    ]
    dialog.session.close()
    assert auth.remembered_user(store) is None


def test_lock_screen_fixes_the_username(qtbot, store, memory_keyring):
    dialog = open_dialog(qtbot, store, username="admin", locked=True)
    assert dialog.windowTitle() == "Casebook is locked"
    assert "Locked by admin. Enter your password to carry on." in (
        w(dialog, QLabel, "lockedLabel").text()
    )
    assert w(dialog, QLineEdit, "usernameEdit").isReadOnly()
    assert not w(dialog, QCheckBox, "rememberCheck").isVisible()
    qtbot.waitUntil(w(dialog, QLineEdit, "passwordEdit").hasFocus)
    type_into(qtbot, w(dialog, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        click(qtbot, w(dialog, QPushButton, "signInButton"))
    assert dialog.session.actor.username == "admin"
    dialog.session.close()


def test_forgotten_password_takes_the_recovery_dialogs_session(
    qtbot, new_store, store_path, messenger
):
    new_store.session.close()
    dialog = open_dialog(qtbot, store_path, username="admin")
    click(qtbot, w(dialog, QPushButton, "forgotButton"))
    recovery = dialog.findChild(RecoveryDialog)
    assert recovery is not None and recovery.isVisible()
    assert w(recovery, QLineEdit, "usernameEdit").text() == "admin"
    type_into(qtbot, w(recovery, QLineEdit, "recoveryKeyEdit"), new_store.recovery_key)
    type_into(qtbot, w(recovery, QLineEdit, "newPasswordEdit"), "a brand new password")
    type_into(qtbot, w(recovery, QLineEdit, "confirmEdit"), "a brand new password")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        click(qtbot, w(recovery, QPushButton, "resetButton"))
    assert dialog.session is recovery.session
    assert dialog.session.actor.username == "admin"
    dialog.session.close()


def test_enter_signs_in_and_escape_cancels(qtbot, store):
    dialog = open_dialog(qtbot, store, username="admin")
    password = w(dialog, QLineEdit, "passwordEdit")
    qtbot.waitUntil(password.hasFocus)  # the username is known, so the password is asked for
    type_keys(qtbot, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        press(qtbot, Qt.Key.Key_Return)
    dialog.session.close()

    other = open_dialog(qtbot, store)
    qtbot.waitUntil(w(other, QLineEdit, "usernameEdit").hasFocus)
    with qtbot.waitSignal(other.rejected, timeout=5000):
        press(qtbot, Qt.Key.Key_Escape)
    assert other.session is None
