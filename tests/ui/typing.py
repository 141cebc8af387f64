"""Typing and clicking the way a person does, for the Qt tests.

A keyboard sends its keys to whichever widget has the focus, so these helpers first put the
focus where a person would (a click into the field, a double-click on a table cell), check it
arrived, and then send every key to the focused widget. Filling a field with `setText` skips
everything a keystroke sets off (textEdited, a delegate's live commit, validators), and once
let a crash on the first typed key through every test.

QTest knows only ASCII keys (anything else trips an assertion inside Qt), so other characters
are sent as key events carrying their text, as a keyboard layout with those letters sends them.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)

from tests.keystrokes import type_char

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def focused() -> QWidget:
    """The widget that would receive a key pressed now."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = NO_MODIFIER) -> None:
    """One key (Tab, Return, F2, Ctrl+A...) to the focused widget."""
    qtbot.keyClick(focused(), key, modifier)


def type_keys(qtbot, text: str) -> None:
    """Type `text` key by key into whatever has the focus; a newline is the Return key.

    Each key goes to the widget focused at that moment, so a key that opens an editor (a
    table cell) sends the next key into that editor, as it would for a person.
    """
    for number, line in enumerate(text.split("\n")):
        if number:
            press(qtbot, Qt.Key.Key_Return)
        for char in line:
            type_char(focused(), char)


def _click_target(widget: QWidget) -> QWidget:
    # A text box's visible area is its viewport: that is what the mouse lands on.
    return widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget


def click_into(qtbot, widget: QWidget) -> None:
    """Click in a field, as a person does before typing, and wait for it to take the focus."""
    assert widget.isVisible(), f"{widget.objectName()} is not on screen"
    qtbot.mouseClick(_click_target(widget), LEFT)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


def type_into(qtbot, widget: QLineEdit | QPlainTextEdit, text: str, replace: bool = True) -> None:
    """Click into `widget` and type `text`: with `replace`, over what is there (Ctrl+A first).

    An empty `text` with `replace` clears the field (Ctrl+A, Backspace).
    """
    click_into(qtbot, widget)
    if replace:
        press(qtbot, Qt.Key.Key_A, CTRL)
        if not text:
            press(qtbot, Qt.Key.Key_Backspace)
    else:
        press(qtbot, Qt.Key.Key_End, CTRL if isinstance(widget, QPlainTextEdit) else NO_MODIFIER)
    type_keys(qtbot, text)
    assert widget.hasFocus(), f"the focus left {widget.objectName()} while typing"


def paste_into(qtbot, widget: QLineEdit | QPlainTextEdit, text: str) -> None:
    """Replace the field's text by pasting (Ctrl+V): how characters no key types get in."""
    QGuiApplication.clipboard().setText(text)
    click_into(qtbot, widget)
    press(qtbot, Qt.Key.Key_A, CTRL)
    press(qtbot, Qt.Key.Key_V, CTRL)


def click(qtbot, button: QAbstractButton) -> None:
    """A left click on a button (nothing happens if it is disabled, as for a person)."""
    assert button.isVisible(), f"{button.objectName()} is not on screen"
    qtbot.mouseClick(button, LEFT)


def tick(qtbot, box: QAbstractButton) -> None:
    """Click a check box or radio button on its indicator (its middle may be empty space)."""
    assert box.isVisible(), f"{box.objectName()} is not on screen"
    qtbot.mouseClick(box, LEFT, pos=QPoint(min(8, box.width() // 2), box.height() // 2))


def click_row(qtbot, view: QAbstractItemView, row: int, column: int = 0) -> None:
    """Click an item in a list or table, selecting it (and its row, in a row-selecting table)."""
    index = view.model().index(row, column)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(index).center())


def cell_editor(table: QTableWidget, row: int, column: int) -> QLineEdit | None:
    """The editor open on a cell, if it has the focus (where typed keys would go)."""
    widget = QApplication.focusWidget()
    if not isinstance(widget, QLineEdit) or widget.parentWidget() is not table.viewport():
        return None
    cell = table.visualRect(table.model().index(row, column))
    return widget if widget.geometry().contains(cell.center()) else None


def edit_cell(qtbot, table: QTableWidget, row: int, column: int, how: str = "double-click"):
    """Start editing a cell the way a person does and return the editor that has the focus.

    `how` is "double-click" or "F2" (click the cell, then F2). If the cell's editor is
    already open and focused (Tab from the cell before it opens the next), it is used as is.
    """
    editor = cell_editor(table, row, column)
    if editor is not None:
        return editor
    index = table.model().index(row, column)
    table.scrollTo(index)
    centre = table.visualRect(index).center()
    viewport = table.viewport()
    # A real double-click starts with a press and release; QTest's double-click sends only
    # the double-click event itself, which an item view ignores on a cell it never pressed.
    qtbot.mouseClick(viewport, LEFT, pos=centre)
    if how == "F2":
        press(qtbot, Qt.Key.Key_F2)
    elif how == "double-click":
        qtbot.mouseDClick(viewport, LEFT, pos=centre)
    else:
        raise ValueError(how)
    qtbot.waitUntil(lambda: cell_editor(table, row, column) is not None, timeout=2000)
    return cell_editor(table, row, column)


def type_in_cell(
    qtbot,
    table: QTableWidget,
    row: int,
    column: int,
    text: str,
    *,
    how: str = "double-click",
    commit: Qt.Key | None = Qt.Key.Key_Tab,
) -> None:
    """Edit a cell, type over its text, and commit with `commit` (Tab moves to the next cell).

    With `commit=None` the editor is left open, as when a person stops part-way.
    """
    edit_cell(qtbot, table, row, column, how)
    press(qtbot, Qt.Key.Key_A, CTRL)
    if not text:
        press(qtbot, Qt.Key.Key_Backspace)
    type_keys(qtbot, text)
    if commit is None:
        return
    press(qtbot, commit)
    qtbot.waitUntil(lambda: table.item(row, column).text() == text, timeout=2000)


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick an entry from a drop-down list: click it open, arrow to the entry, Enter."""
    wanted = combo.findText(text)
    assert wanted >= 0, f"{text!r} is not in {combo.objectName()}"
    click(qtbot, combo)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    for _ in range(combo.count()):
        current = view.currentIndex().row()
        if current == wanted:
            break
        press(qtbot, Qt.Key.Key_Down if current < wanted else Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)
    assert combo.currentText() == text
