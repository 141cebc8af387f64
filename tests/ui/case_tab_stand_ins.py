"""Stand-ins for the case window's tabs, so its tests hold only the window to account.

Each stand-in keeps the tabs' contract (`Tab(session, case_id, parent=None)`, `title`,
`changed`, `reload()`) and counts its reloads. `install` puts them in `sys.modules` under
the real modules' names for one test (monkeypatch undoes it); nothing here ships.
"""

from __future__ import annotations

import importlib.util
import sys
import types

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from desktop.ui.case_window import TABS

TITLES = ("&Chronology", "&Incidents", "&People", "&Evidence", "&Tasks", "&Sanctions")


class StandInTab(QWidget):
    changed = Signal()
    title = "Tab"

    def __init__(self, session, case_id: int, parent=None):
        super().__init__(parent)
        self.session = session
        self.case_id = case_id
        self.reloads = 0
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{type(self).__name__}Edit")
        QVBoxLayout(self).addWidget(self.edit)

    def reload(self) -> None:
        self.reloads += 1


def install(
    monkeypatch: pytest.MonkeyPatch, *, only_missing: bool = False
) -> dict[str, type[StandInTab]]:
    """Stand-ins for every tab module (or, with `only_missing`, for those not written yet);
    returns the stand-in classes put in place, by their real names."""
    made: dict[str, type[StandInTab]] = {}
    for (module, name), title in zip(TABS, TITLES, strict=True):
        full = f"desktop.ui.case_tabs.{module}"
        if only_missing and importlib.util.find_spec(full) is not None:
            continue
        cls = type(name, (StandInTab,), {"title": title})
        fake = types.ModuleType(full)
        setattr(fake, name, cls)
        monkeypatch.setitem(sys.modules, full, fake)
        made[name] = cls
    return made
