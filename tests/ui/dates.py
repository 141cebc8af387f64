"""Typing into a date-and-time box by keys, as a person does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDateTimeEdit

from tests.ui.typing import click_into, press, type_keys


def type_date_time(qtbot, edit: QDateTimeEdit, text: str) -> None:
    """Click into the box, go to its start, select the first part (the day) and type the
    date and time's digits: a part once full moves on to the next by itself (typing the
    "/" as well would skip a part, as it does for a person)."""
    click_into(qtbot, edit)
    press(qtbot, Qt.Key.Key_Home)
    first = len(edit.displayFormat().split("/")[0])
    for _ in range(first):
        press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    type_keys(qtbot, "".join(ch for ch in text if ch.isdigit()))
    edit.interpretText()
