"""The lock screen says that Casebook is locked once, not in the heading and again below it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from desktop.ui.signin_dialog import SignInDialog


def test_switch_user_does_not_repeat_the_heading(qtbot, new_store) -> None:
    dialog = SignInDialog(new_store.session.store.path, username="admin", locked=True)
    qtbot.addWidget(dialog)
    dialog.show()
    heading = dialog.findChild(QLabel, "headingLabel").text()
    note = dialog.findChild(QLabel, "lockedLabel")
    assert heading == "Casebook is locked"
    assert "locked" not in note.text().replace("Locked by", "")
    switch = dialog.findChild(QPushButton, "switchUserButton")
    qtbot.mouseClick(switch, Qt.MouseButton.LeftButton)
    assert note.text() == "Sign in with your own account."
    assert "locked" not in note.text().lower()
