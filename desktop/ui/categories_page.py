"""Settings page: the trust's list of behaviour categories (`forms/settings_categories.ui`).

Changes are held on the page (shown in italics) and saved together, in one transaction,
when the settings dialog's OK is pressed, like the other pages. A category is never
deleted, only switched off: incidents already recorded under it keep it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from desktop.domain.roles import Operation
from desktop.services import categories
from desktop.services.categories import CategoryDraft
from desktop.services.session import UserSession
from desktop.ui.forms import child
from desktop.ui.settings_pages import SettingsPage

NAME, SHOWN = 0, 1


@dataclass
class CategoryEntry:
    id: int | None
    name: str
    active: bool = True
    changed: bool = False


class CategoriesPage(SettingsPage):
    title = "Behaviours"
    name = "categoriesPage"
    form = "categories"
    needs = Operation.EDIT_TRUST
    read_only_text = "Your role can see the trust's list of behaviours but not change it."
    HEADERS = ("Kind of behaviour", "Offered")

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.table = child(self, QTableWidget, "categoriesTable")
        self.up_button = child(self, QPushButton, "moveUpButton")
        self.down_button = child(self, QPushButton, "moveDownButton")
        self.rename_button = child(self, QPushButton, "renameButton")
        self.switch_button = child(self, QPushButton, "switchButton")
        self.new_edit = child(self, QLineEdit, "newCategoryEdit")
        self.add_button = child(self, QPushButton, "addCategoryButton")
        self.entries: list[CategoryEntry] = []
        self._loaded: list[CategoryEntry] = []
        self.table.setColumnCount(len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SHOWN, QHeaderView.ResizeMode.ResizeToContents)
        if self.read_only:
            self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            self.new_edit.setReadOnly(True)
        self._connect_signals()
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.up_button.clicked.connect(lambda: self.move_entry(-1))
        self.down_button.clicked.connect(lambda: self.move_entry(1))
        self.rename_button.clicked.connect(self.rename)
        self.switch_button.clicked.connect(self.switch)
        self.add_button.clicked.connect(self.add)
        self.new_edit.installEventFilter(self)
        self.new_edit.textChanged.connect(lambda _text: self._update_buttons())
        self.table.itemChanged.connect(self._renamed)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        for keys, step in (("Ctrl+Up", -1), ("Ctrl+Down", 1)):
            shortcut = QShortcut(QKeySequence(keys), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda step=step: self.move_entry(step))

    def eventFilter(self, watched, event) -> bool:
        """Enter in "New kind" adds it, and is not passed on to close Settings with OK."""
        if (
            watched is self.new_edit
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.add()
            return True
        return super().eventFilter(watched, event)

    # -- load and save ----------------------------------------------------------------------
    def load(self) -> None:
        self.entries = [
            CategoryEntry(c.id, c.name, c.active)
            for c in categories.list_categories(self.session, include_inactive=True)
        ]
        self._loaded = [CategoryEntry(e.id, e.name, e.active) for e in self.entries]
        self._show(0)

    def has_changes(self) -> bool:
        now = [(e.id, e.name, e.active) for e in self.entries]
        return now != [(e.id, e.name, e.active) for e in self._loaded]

    def save(self) -> None:
        if not self.has_changes():
            return
        saved = categories.save_categories(
            self.session,
            categories=[CategoryDraft(e.id, e.name, e.active) for e in self.entries],
        )
        self.entries = [CategoryEntry(c.id, c.name, c.active) for c in saved]
        self._loaded = [CategoryEntry(e.id, e.name, e.active) for e in self.entries]
        self._show(self.table.currentRow())

    # -- editing ----------------------------------------------------------------------------
    def add(self) -> None:
        name = " ".join(self.new_edit.text().split())
        if self.read_only or not name:
            return
        self.entries.append(CategoryEntry(None, name, True, changed=True))
        self.new_edit.clear()
        self._show(len(self.entries) - 1)

    def rename(self) -> None:
        row = self.table.currentRow()
        if self.read_only or not 0 <= row < len(self.entries):
            return
        item = self.table.item(row, NAME)
        if item is not None:
            self.table.setFocus()
            self.table.editItem(item)

    def move_entry(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if self.read_only or not (0 <= row < len(self.entries) and 0 <= target < len(self.entries)):
            return
        self.entries[row], self.entries[target] = self.entries[target], self.entries[row]
        self.entries[row].changed = self.entries[target].changed = True
        self._show(target)

    def switch(self) -> None:
        row = self.table.currentRow()
        if self.read_only or not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]
        entry.active, entry.changed = not entry.active, True
        self._show(row)

    def _renamed(self, item: QTableWidgetItem) -> None:
        row = item.row()
        if item.column() != NAME or not 0 <= row < len(self.entries):
            return
        name = " ".join(item.text().split())
        entry = self.entries[row]
        if not name:  # an emptied name keeps the old one; the service would refuse it
            self._show(row)
        elif name != entry.name:
            entry.name, entry.changed = name, True
            self._show(row)

    def _show(self, current: int) -> None:
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self.entries))
            for row, entry in enumerate(self.entries):
                name = QTableWidgetItem(entry.name)
                shown = QTableWidgetItem("Yes" if entry.active else "Switched off")
                shown.setFlags(shown.flags() & ~Qt.ItemFlag.ItemIsEditable)
                for item in (name, shown):
                    if entry.changed:
                        font = item.font()
                        font.setItalic(True)
                        item.setFont(font)
                        item.setToolTip("Saved when you press OK")
                    if not entry.active:
                        item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, NAME, name)
                self.table.setItem(row, SHOWN, shown)
        finally:
            self.table.blockSignals(False)
        if self.entries:
            self.table.setCurrentCell(max(0, min(current, len(self.entries) - 1)), NAME)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.table.currentRow()
        chosen = 0 <= row < len(self.entries)
        editable = not self.read_only
        self.up_button.setEnabled(editable and chosen and row > 0)
        self.down_button.setEnabled(editable and chosen and row < len(self.entries) - 1)
        self.rename_button.setEnabled(editable and chosen)
        self.switch_button.setEnabled(editable and chosen)
        on = chosen and self.entries[row].active
        self.switch_button.setText("Switch o&ff" if on or not chosen else "Switch o&n")
        self.add_button.setEnabled(editable and bool(self.new_edit.text().strip()))
