"""Stand-ins for the UI tests: a message backend that answers without a modal box."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QWidget


@dataclass
class FakeBackend:
    """Takes the place of `Messenger.backend`: records what was said, answers from queues."""

    said: list[tuple[str, str, str]] = field(default_factory=list)
    confirmations: list[bool] = field(default_factory=list)
    paths: list[Path | None] = field(default_factory=list)

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.said.append(("info", title, text))

    def warn(self, parent: QWidget | None, title: str, text: str) -> None:
        self.said.append(("warn", title, text))

    def confirm(self, parent: QWidget | None, title: str, text: str, action: str) -> bool:
        self.said.append(("confirm", title, text))
        return self.confirmations.pop(0) if self.confirmations else False

    def save_path(
        self, parent: QWidget | None, title: str, suggested: str, filters: str
    ) -> Path | None:
        self.said.append(("save_path", title, suggested))
        return self.paths.pop(0) if self.paths else None

    def open_path(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        self.said.append(("open_path", title, ""))
        return self.paths.pop(0) if self.paths else None
