"""Every question and message to the user goes through here, so tests can answer them.

Tests replace `Messenger.backend` with a fake (tests/ui/fakes.py) that records messages
and returns canned answers; no real modal box ever blocks a test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop.errors import user_message


class MessageBackend(Protocol):
    """What Messenger needs from a backend: real boxes in the app, a fake in tests."""

    def info(self, parent: QWidget | None, title: str, text: str) -> None: ...

    def warn(self, parent: QWidget | None, title: str, text: str) -> None: ...

    def confirm(self, parent: QWidget | None, title: str, text: str, action: str) -> bool: ...

    def save_path(
        self, parent: QWidget | None, title: str, suggested: str, filters: str
    ) -> Path | None: ...

    def open_path(self, parent: QWidget | None, title: str, filters: str) -> Path | None: ...


class QtBackend:
    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def warn(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def confirm(self, parent: QWidget | None, title: str, text: str, action: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes

    def save_path(
        self, parent: QWidget | None, title: str, suggested: str, filters: str
    ) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return Path(name) if name else None

    def open_path(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
        return Path(name) if name else None


class Messenger:
    backend: MessageBackend = QtBackend()

    @classmethod
    def info(cls, parent: QWidget | None, title: str, text: str) -> None:
        cls.backend.info(parent, title, text)

    @classmethod
    def warn(cls, parent: QWidget | None, title: str, text: str) -> None:
        cls.backend.warn(parent, title, text)

    @classmethod
    def error(cls, parent: QWidget | None, exc: BaseException, title: str = "Casebook") -> None:
        """Show an exception as plain English (typed errors carry their own words)."""
        cls.backend.warn(parent, title, user_message(exc))

    @classmethod
    def confirm(cls, parent: QWidget | None, title: str, text: str, action: str = "OK") -> bool:
        return cls.backend.confirm(parent, title, text, action)

    @classmethod
    def save_path(
        cls, parent: QWidget | None, title: str, suggested: str, filters: str
    ) -> Path | None:
        return cls.backend.save_path(parent, title, suggested, filters)

    @classmethod
    def open_path(cls, parent: QWidget | None, title: str, filters: str) -> Path | None:
        return cls.backend.open_path(parent, title, filters)
