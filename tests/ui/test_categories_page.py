"""The Behaviours page of Settings: the trust's list, changed by keys, saved with OK."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
)

from desktop.domain.incidents import DEFAULT_BEHAVIOUR_CATEGORIES
from desktop.services import categories
from desktop.services.setup import SetupResult
from desktop.ui import settings_dialog
from desktop.ui.categories_page import CategoriesPage
from tests.services.accounts import sign_in_new_user
from tests.ui.fakes import FakeBackend
from tests.ui.typing import CTRL, click, click_row, press, type_in_cell, type_into


def test_the_page_is_in_settings() -> None:
    assert CategoriesPage in settings_dialog.PAGES


def _open(qtbot, session) -> tuple[settings_dialog.SettingsDialog, CategoriesPage]:
    dialog = settings_dialog.SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    page = dialog.show_page("categoriesPage")
    assert isinstance(page, CategoriesPage)
    return dialog, page


def _ok(qtbot, dialog) -> None:
    click(
        qtbot,
        dialog.findChild(QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok),
    )


def test_change_the_list_by_keys_and_save_with_ok(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    session = new_store.session
    dialog, page = _open(qtbot, session)
    table = page.findChild(QTableWidget, "categoriesTable")
    assert table.rowCount() == len(DEFAULT_BEHAVIOUR_CATEGORIES)

    click_row(qtbot, table, 1)
    press(qtbot, Qt.Key.Key_Up, CTRL)  # move the second to the top
    assert table.item(0, 0).text() == DEFAULT_BEHAVIOUR_CATEGORIES[1]
    click(qtbot, page.findChild(QPushButton, "moveDownButton"))
    assert table.item(1, 0).text() == DEFAULT_BEHAVIOUR_CATEGORIES[1]
    click_row(qtbot, table, 0)
    switch = page.findChild(QPushButton, "switchButton")
    click(qtbot, switch)
    assert table.item(0, 1).text() == "Switched off" and switch.text() == "Switch o&n"
    type_in_cell(
        qtbot, table, 2, 0, "Intimidation or humiliation", how="F2", commit=Qt.Key.Key_Return
    )
    type_into(qtbot, page.findChild(QLineEdit, "newCategoryEdit"), "Filming staff — Żółć")
    press(qtbot, Qt.Key.Key_Return)
    assert table.item(table.rowCount() - 1, 0).text() == "Filming staff — Żółć"

    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    saved = categories.list_categories(session, include_inactive=True)
    assert [(c.name, c.active) for c in saved[:3]] == [
        (DEFAULT_BEHAVIOUR_CATEGORIES[0], False),
        (DEFAULT_BEHAVIOUR_CATEGORIES[1], True),
        ("Intimidation or humiliation", True),
    ]
    assert saved[-1].name == "Filming staff — Żółć"
    assert messenger.said == []


def test_a_refusal_keeps_settings_open_on_the_page(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    dialog, page = _open(qtbot, new_store.session)
    type_into(qtbot, page.findChild(QLineEdit, "newCategoryEdit"), "covert recording")
    press(qtbot, Qt.Key.Key_Return)
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: len(messenger.said) == 1, timeout=5000)
    assert "twice" in messenger.said[0][2]
    assert dialog.isVisible() and dialog.current_page() is page
    assert len(categories.list_categories(new_store.session)) == len(DEFAULT_BEHAVIOUR_CATEGORIES)


def test_a_school_role_sees_the_list_but_cannot_change_it(
    qtbot, new_store: SetupResult, store_path: Path
) -> None:
    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    try:
        _dialog, page = _open(qtbot, manager)
        assert page.findChild(QLabel, "readOnlyNote").isVisible()
        assert page.findChild(QTableWidget, "categoriesTable").rowCount() == len(
            DEFAULT_BEHAVIOUR_CATEGORIES
        )
        for name in ("moveUpButton", "moveDownButton", "renameButton", "switchButton"):
            assert not page.findChild(QPushButton, name).isEnabled()
        assert page.findChild(QLineEdit, "newCategoryEdit").isReadOnly()
    finally:
        manager.close()
