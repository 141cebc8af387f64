"""Driving one tab of the case window in a test: show it, wait for its rows, find the dialog
it opened, and press Save there. Widgets are found by their objectName."""

from __future__ import annotations

from typing import TypeVar

import shiboken6
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QTableWidget, QWidget

from tests.ui.typing import click

TabT = TypeVar("TabT", bound=QWidget)


def show_tab(
    qtbot,
    tab: TabT,
    size: tuple[int, int],
    table: str,
    rows: int,
    *,
    loaded: bool = False,
    active: bool = False,
    timeout: int = 5000,
) -> TabT:
    """Show `tab` at `size` until its table `table` has `rows` rows; with `loaded`, only
    after its first read is in, and with `active`, once its window has the keyboard."""
    loads: list[bool] = []
    if loaded:
        tab.loaded.connect(lambda: loads.append(True))
    qtbot.addWidget(tab)
    tab.resize(*size)
    tab.show()
    qtbot.waitExposed(tab)
    if loaded:
        qtbot.waitUntil(lambda: bool(loads), timeout=5000)
    wait_rows(qtbot, tab, table, rows, timeout)
    if active:
        qtbot.waitUntil(lambda: QApplication.activeWindow() is tab, timeout=5000)
    return tab


def wait_rows(qtbot, tab: QWidget, table: str, rows: int, timeout: int = 5000) -> None:
    found = tab.findChild(QTableWidget, table)
    qtbot.waitUntil(lambda: found.rowCount() == rows, timeout=timeout)


def visible_dialog(qtbot, tab: QWidget, name: str) -> QDialog:
    """The dialog called `name` the tab has open (the newest, if more than one), once it
    has the keyboard."""

    def visible():
        found = [d for d in tab.findChildren(QDialog, name) if d.isVisible()]
        return found[-1] if found else None

    qtbot.waitUntil(lambda: visible() is not None, timeout=5000)
    dialog = visible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog


def closed(dialog: QWidget) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def click_save(qtbot, dialog: QDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
    click(qtbot, buttons.button(QDialogButtonBox.StandardButton.Save))
