"""Setting a new password with the recovery key."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton

from desktop.errors import WrongRecoveryKey, user_message
from desktop.services import auth
from desktop.services.setup import new_recovery_key
from desktop.ui.recovery_dialog import RecoveryDialog
from tests.ui.typing import click, type_into

NEW_PASSWORD = "a brand new password"


def open_dialog(qtbot, store_path, **kwargs) -> RecoveryDialog:
    dialog = RecoveryDialog(store_path, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def w(dialog, kind, name):
    found = dialog.findChild(kind, name)
    assert found is not None, name
    return found


def fill(qtbot, dialog, key, username="admin", password=NEW_PASSWORD, confirm=NEW_PASSWORD):
    type_into(qtbot, w(dialog, QLineEdit, "recoveryKeyEdit"), key)
    type_into(qtbot, w(dialog, QLineEdit, "usernameEdit"), username)
    type_into(qtbot, w(dialog, QLineEdit, "newPasswordEdit"), password)
    type_into(qtbot, w(dialog, QLineEdit, "confirmEdit"), confirm)


def test_right_key_sets_the_password_and_signs_in(qtbot, new_store, store_path, messenger):
    new_store.session.close()
    dialog = open_dialog(qtbot, store_path)
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    key_edit = w(dialog, QLineEdit, "recoveryKeyEdit")
    assert key_edit.font().family() == fixed.family()
    qtbot.waitUntil(key_edit.hasFocus)  # the key is what is asked for first
    fill(qtbot, dialog, new_store.recovery_key.lower())  # typed in lower case still works
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        click(qtbot, w(dialog, QPushButton, "resetButton"))
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.session.actor.username == "admin"
    dialog.session.close()
    assert [title for kind, title, _ in messenger.said if kind == "info"] == ["Password changed"]
    auth.sign_in(store_path, username="admin", password=NEW_PASSWORD).close()


def test_wrong_key_is_shown_inline(qtbot, new_store, store_path, messenger):
    new_store.session.close()
    dialog = open_dialog(qtbot, store_path, username="admin")
    fill(qtbot, dialog, new_recovery_key())
    click(qtbot, w(dialog, QPushButton, "resetButton"))
    error = w(dialog, QLabel, "errorLabel")
    assert error.isVisible()
    assert error.text() == user_message(WrongRecoveryKey.for_store(store_path.name))
    assert dialog.session is None
    assert dialog.isVisible()
    assert messenger.said == []


def test_mismatched_new_passwords_are_caught(qtbot, new_store, store_path):
    new_store.session.close()
    dialog = open_dialog(qtbot, store_path)
    fill(qtbot, dialog, new_store.recovery_key, confirm="something else entirely")
    click(qtbot, w(dialog, QPushButton, "resetButton"))
    assert "not the same" in w(dialog, QLabel, "errorLabel").text()
    assert dialog.session is None


def test_unknown_user_is_named(qtbot, new_store, store_path):
    new_store.session.close()
    dialog = open_dialog(qtbot, store_path)
    fill(qtbot, dialog, new_store.recovery_key, username="nobody")
    click(qtbot, w(dialog, QPushButton, "resetButton"))
    assert "nobody" in w(dialog, QLabel, "errorLabel").text()
    assert dialog.session is None
