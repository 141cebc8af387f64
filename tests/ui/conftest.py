"""Fixtures for the Qt tests: no real message boxes, QSettings kept in tmp_path."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.services.session import UserSession
from desktop.ui.messages import Messenger
from tests.ui.fakes import FakeBackend


@pytest.fixture(autouse=True)
def messenger(monkeypatch: pytest.MonkeyPatch) -> FakeBackend:
    """Every UI test answers questions through a fake, so no modal box can block it.

    Queue answers with `messenger.confirmations` / `messenger.paths`; read what the
    user was told in `messenger.said` as (kind, title, text).
    """
    fake = FakeBackend()
    monkeypatch.setattr(Messenger, "backend", fake)
    return fake


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path: Path) -> None:
    """QSettings() writes INI files under tmp_path, never into the real user profile."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings")
    )


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Put the real exception hooks and logging back after a test installs Casebook's."""
    from desktop import app as app_module

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield
    app_module.stop_logging()


@pytest.fixture
def session(admin: UserSession) -> UserSession:
    """The administrator's session on `new_store` (the session a tab is shown to)."""
    return admin
