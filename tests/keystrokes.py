"""One typed character as a keyboard sends it: shared by the UI tests and the smoke driver.

The smoke driver runs as a script from this folder, so this module imports nothing of
the tests package.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget


def type_char(widget: QWidget, char: str) -> None:
    """QTest knows only ASCII keys; other letters go as key events carrying their text, as
    a keyboard layout sends them (the key code is the letter's upper-case form)."""
    if char.isascii() and char.isprintable():
        QTest.keyClicks(widget, char)
        return
    upper = char.upper()
    key = Qt.Key(ord(upper)) if len(upper) == 1 else Qt.Key.Key_unknown
    QTest.sendKeyEvent(QTest.KeyAction.Click, widget, key, char, Qt.KeyboardModifier.NoModifier)
