"""Where window geometry and table layouts are remembered, apart from preferences.

Preferences (default filters, confirm before locking) live in the encrypted store so they
follow the user; how big a window was on this computer is not worth encrypting and belongs
to the machine, so it goes in a small INI file in the user's config folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHeaderView, QWidget

from desktop.paths import config_dir


def window_state_path() -> Path:
    return config_dir() / "window-state.ini"


def window_state() -> QSettings:
    """The per-machine window-state file (never holds case data or secrets)."""
    path = window_state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def save_layout(
    state: QSettings, key: str, window: QWidget, header: QHeaderView | None = None
) -> None:
    """Remember a window's geometry (and a table header's column widths) under `key`."""
    state.setValue(f"{key}/geometry", window.saveGeometry())
    if header is not None:
        state.setValue(f"{key}/header", header.saveState())
    state.sync()


def restore_layout(
    state: QSettings, key: str, window: QWidget, header: QHeaderView | None = None
) -> bool:
    """Put back what `save_layout` kept; False when nothing was kept (first run)."""
    geometry = state.value(f"{key}/geometry")
    restored = bool(geometry) and window.restoreGeometry(geometry)
    if header is not None:
        header_state = state.value(f"{key}/header")
        if header_state:
            header.restoreState(header_state)
    return restored
