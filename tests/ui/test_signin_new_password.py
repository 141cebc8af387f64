"""A one-time password set by an administrator: the person chooses their own at sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from desktop.errors import WrongPassword
from desktop.services import auth
from desktop.services.setup import SetupResult
from desktop.services.users_access import reset_password
from desktop.ui.change_password_dialog import ChangePasswordDialog
from desktop.ui.signin_dialog import SignInDialog
from tests.services.accounts import sign_in_new_user
from tests.ui.typing import press, type_into

NEW = "my very own new password"


@pytest.fixture
def one_time(new_store: SetupResult, store_path: Path) -> str:
    """Bea, a business manager, given a one-time password by the administrator."""
    sign_in_new_user(new_store, store_path, "bea", "business_manager").close()
    password = reset_password(new_store.session, username="bea")
    new_store.session.close()
    return password


def sign_in(qtbot, store_path: Path, password: str) -> SignInDialog:
    dialog = SignInDialog(store_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    type_into(qtbot, dialog.findChild(QLineEdit, "usernameEdit"), "bea")
    type_into(qtbot, dialog.findChild(QLineEdit, "passwordEdit"), password)
    press(qtbot, Qt.Key.Key_Return)
    return dialog


def required_dialog(qtbot) -> ChangePasswordDialog:
    def found() -> ChangePasswordDialog | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, ChangePasswordDialog) and widget.isVisible():
                return widget
        return None

    qtbot.waitUntil(lambda: found() is not None, timeout=10_000)
    dialog = found()
    assert dialog is not None
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog


def test_the_one_time_password_leads_to_choosing_ones_own(
    qtbot, store_path: Path, one_time: str, messenger
) -> None:
    dialog = sign_in(qtbot, store_path, one_time)
    change = required_dialog(qtbot)
    assert change.windowTitle() == "Choose your own password"
    assert not change.current_edit.isEnabled()  # the one-time password, already typed
    assert dialog.session is None  # not in yet
    type_into(qtbot, change.new_edit, NEW)
    type_into(qtbot, change.confirm_edit, NEW)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    session = dialog.session
    assert session is not None and not session.must_change_password
    session.close()
    with pytest.raises(WrongPassword):
        auth.sign_in(store_path, username="bea", password=one_time)
    auth.sign_in(store_path, username="bea", password=NEW).close()


def test_declining_to_choose_signs_out_again(qtbot, store_path: Path, one_time: str) -> None:
    dialog = sign_in(qtbot, store_path, one_time)
    change = required_dialog(qtbot)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not change.isVisible(), timeout=5000)
    assert dialog.session is None and dialog.isVisible()
    error = dialog.findChild(QLabel, "errorLabel")
    assert "Choose your own password" in error.text()
    again = auth.sign_in(store_path, username="bea", password=one_time)
    assert again.must_change_password  # still to be chosen
    again.close()
