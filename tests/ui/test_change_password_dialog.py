"""Changing your own password: typed into the dialog, checked by the auth service."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from desktop.errors import WrongPassword
from desktop.services import auth
from desktop.ui.change_password_dialog import ChangePasswordDialog
from tests.conftest import ADMIN_PASSWORD
from tests.ui.typing import click, press, type_into

NEW_PASSWORD = "a brand new password"


@pytest.fixture
def dialog(qtbot, new_store) -> ChangePasswordDialog:
    dialog = ChangePasswordDialog(new_store.session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def w(dialog, name: str) -> QLineEdit:
    found = dialog.findChild(QLineEdit, name)
    assert found is not None, name
    return found


def fill(qtbot, dialog, current: str, new: str = NEW_PASSWORD, confirm: str = NEW_PASSWORD):
    type_into(qtbot, w(dialog, "currentPasswordEdit"), current)
    type_into(qtbot, w(dialog, "newPasswordEdit"), new)
    type_into(qtbot, w(dialog, "confirmPasswordEdit"), confirm)


def press_change(qtbot, dialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "Change password"
    click(qtbot, ok)


def test_a_wrong_current_password_is_refused_then_retyped(
    qtbot, dialog, new_store, messenger
) -> None:
    fill(qtbot, dialog, "not my password")
    press_change(qtbot, dialog)
    assert messenger.said[-1][0] == "warn"
    assert "current password" in messenger.said[-1][2]
    assert dialog.isVisible()
    current = w(dialog, "currentPasswordEdit")
    assert current.hasFocus() and current.selectedText() == "not my password"

    type_into(qtbot, current, ADMIN_PASSWORD)
    press_change(qtbot, dialog)
    assert messenger.said[-1] == ("info", "Change password", "Your password has been changed.")
    assert not dialog.isVisible()
    auth.sign_in(new_store.session.store.path, username="admin", password=NEW_PASSWORD).close()
    with pytest.raises(WrongPassword):
        auth.sign_in(new_store.session.store.path, username="admin", password=ADMIN_PASSWORD)


def test_enter_in_the_last_field_changes_it(qtbot, dialog, new_store, messenger) -> None:
    fill(qtbot, dialog, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        press(qtbot, Qt.Key.Key_Return)
    auth.sign_in(new_store.session.store.path, username="admin", password=NEW_PASSWORD).close()


def test_new_passwords_that_differ_are_refused(qtbot, dialog, new_store, messenger) -> None:
    fill(qtbot, dialog, ADMIN_PASSWORD, confirm="a different password")
    press_change(qtbot, dialog)
    assert messenger.said[-1][0] == "warn"
    assert "not the same" in messenger.said[-1][2]
    assert dialog.isVisible()
    assert w(dialog, "newPasswordEdit").hasFocus()
    auth.sign_in(new_store.session.store.path, username="admin", password=ADMIN_PASSWORD).close()


def test_a_short_new_password_is_explained(qtbot, dialog, new_store, messenger) -> None:
    fill(qtbot, dialog, ADMIN_PASSWORD, new="short", confirm="short")
    press_change(qtbot, dialog)
    assert "at least 10 characters" in messenger.said[-1][2]
    assert dialog.isVisible()
    auth.sign_in(new_store.session.store.path, username="admin", password=ADMIN_PASSWORD).close()
