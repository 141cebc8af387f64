"""Icons from resources/icons."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from desktop.paths import RESOURCES_DIR


@cache
def icon(name: str) -> QIcon:
    path = RESOURCES_DIR / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
