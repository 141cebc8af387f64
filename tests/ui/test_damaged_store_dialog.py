"""Start-up meets a damaged or foreign store (issue 12, part 6): it says what is wrong in the
error's own words and, where restoring helps, offers "Restore from a backup…"; nothing is
written to the files that are there, which a restore keeps aside."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget

from desktop import app as app_module
from desktop.errors import KeyFileMissing, user_message
from desktop.services import auth
from desktop.services.backups import make_backup
from desktop.ui.damaged_store_dialog import DamagedStoreDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.restore_dialog import RestoreDialog
from desktop.ui.signin_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.storage.damaged_stores import (
    Made,
    make_store,
    middle_page_flipped,
    newer_key_file,
    pdf_renamed,
    snapshot,
)
from tests.ui.typing import click, type_into

W = TypeVar("W", bound=QWidget)


@pytest.fixture
def made(tmp_path: Path) -> Made:
    folder = tmp_path / "laptop"
    folder.mkdir()
    return make_store(folder / "trust.casebook")


def _backup(made: Made, folder: Path) -> Path:
    folder.mkdir()
    session = auth.sign_in(made.path, username="admin", password=ADMIN_PASSWORD)
    try:
        return make_backup(session, folder=folder).path
    finally:
        auth.sign_out(session)


def _top(kind: type[W]) -> W:
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())


def _child(parent, kind, name: str):
    widget = parent.findChild(kind, name)
    assert widget is not None, name
    return widget


def test_a_store_missing_its_key_file_is_restored_from_a_backup_at_start_up(
    qtbot, made: Made, tmp_path: Path, messenger
) -> None:
    backup = _backup(made, tmp_path / "usb")
    keys = Path(f"{made.path}.keys")
    keys.unlink()
    damaged = made.path.read_bytes()
    seen: list[str] = []

    def restore() -> None:
        dialog = _top(DamagedStoreDialog)
        seen.append(_child(dialog, QLabel, "problemLabel").text())
        assert not keys.exists()  # nothing made one meanwhile
        _restore_over(qtbot, dialog, messenger, backup)

    QTimer.singleShot(0, restore)
    window = app_module.run_flow(made.path)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    try:
        assert seen == [user_message(KeyFileMissing(made.path.name, keys.name))]
        assert window.session.actor.username == "admin"
        assert keys.exists()  # the backup's key file, put in place with its database
        kept = [p for p in made.path.parent.glob("trust (replaced *).casebook")]
        assert len(kept) == 1 and kept[0].read_bytes() == damaged  # kept aside, untouched
        [(_, title, _)] = [said for said in messenger.said if said[0] == "info"]
        assert title == "Backup restored"
    finally:
        window.close()


def test_a_pdf_in_the_stores_place_is_named_and_nothing_is_written(
    qtbot, made: Made, messenger
) -> None:
    pdf_renamed(made)
    before = snapshot(made.path.parent)
    seen: list[tuple[str, bool]] = []

    def close() -> None:
        dialog = _top(DamagedStoreDialog)
        restore = _child(dialog, QPushButton, "restoreFromBackupButton")
        seen.append((_child(dialog, QLabel, "problemLabel").text(), restore.isVisible()))
        click(qtbot, _child(dialog, QPushButton, "closeButton"))

    QTimer.singleShot(0, close)
    assert app_module.run_flow(made.path) is None
    [(text, offered)] = seen
    assert "is not a Casebook case store: it is a PDF document" in text and offered
    assert snapshot(made.path.parent) == before
    assert not Path(f"{made.path}.keys").exists()


def test_a_store_from_a_newer_casebook_says_update_and_offers_no_restore(
    qtbot, made: Made, messenger
) -> None:
    newer_key_file(made)
    seen: list[tuple[str, bool]] = []

    def close() -> None:
        dialog = _top(DamagedStoreDialog)
        restore = _child(dialog, QPushButton, "restoreFromBackupButton")
        seen.append((_child(dialog, QLabel, "problemLabel").text(), restore.isVisible()))
        click(qtbot, _child(dialog, QPushButton, "closeButton"))

    QTimer.singleShot(0, close)
    assert app_module.run_flow(made.path) is None
    [(text, offered)] = seen
    assert "made by a newer version of Casebook" in text and "Update Casebook" in text
    assert not offered


def _restore_over(qtbot, dialog: DamagedStoreDialog, messenger, backup: Path) -> None:
    """In the damaged-store dialog: restore `backup` unchecked, then sign in as admin."""
    click(qtbot, _child(dialog, QPushButton, "restoreFromBackupButton"))
    restoring = dialog.findChild(RestoreDialog)
    assert restoring is not None and restoring.isVisible()
    messenger.paths.append(backup)
    click(qtbot, _child(restoring, QPushButton, "chooseBackupButton"))
    restore_button = _child(restoring, QPushButton, "restoreButton")
    qtbot.waitUntil(restore_button.isEnabled, timeout=10000)
    messenger.confirmations.append(True)
    click(qtbot, restore_button)
    qtbot.waitUntil(
        lambda: dialog.findChild(SignInDialog, "signInAfterRestore") is not None, timeout=20000
    )
    sign_in = dialog.findChild(SignInDialog, "signInAfterRestore")
    type_into(qtbot, _child(sign_in, QLineEdit, "usernameEdit"), "admin")
    type_into(qtbot, _child(sign_in, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    click(qtbot, _child(sign_in, QPushButton, "signInButton"))


def test_damage_only_the_password_shows_is_told_at_sign_in_which_offers_a_restore(
    qtbot, made: Made, tmp_path: Path, messenger
) -> None:
    backup = _backup(made, tmp_path / "usb")
    middle_page_flipped(made)
    database = made.path.read_bytes(), os.stat(made.path).st_mtime_ns
    seen: list[str] = []

    def sign_in_then_restore() -> None:
        dialog = _top(SignInDialog)
        type_into(qtbot, _child(dialog, QLineEdit, "usernameEdit"), "admin")
        type_into(qtbot, _child(dialog, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
        click(qtbot, _child(dialog, QPushButton, "signInButton"))
        error = _child(dialog, QLabel, "errorLabel")
        qtbot.waitUntil(error.isVisible, timeout=10000)  # sign-in runs off the UI thread
        seen.append(error.text())
        assert (made.path.read_bytes(), os.stat(made.path).st_mtime_ns) == database
        # Start-up opens the damaged-store dialog once the sign-in dialog has finished.
        QTimer.singleShot(0, restore_when_asked)
        click(qtbot, _child(dialog, QPushButton, "restoreFromBackupButton"))

    def restore_when_asked() -> None:
        shown = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, DamagedStoreDialog) and w.isVisible()
        ]
        if not shown:
            QTimer.singleShot(20, restore_when_asked)
            return
        seen.append(_child(shown[0], QLabel, "problemLabel").text())
        _restore_over(qtbot, shown[0], messenger, backup)

    QTimer.singleShot(0, sign_in_then_restore)
    window = app_module.run_flow(made.path)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    try:
        assert seen[0].startswith("The case store trust.casebook is damaged")
        assert "Restore from a backup" in seen[0] and seen[1] == seen[0]
        [kept] = made.path.parent.glob("trust (replaced *).casebook")
        assert kept.read_bytes() == database[0]  # the damaged store, kept aside untouched
        assert window.session.actor.username == "admin"
    finally:
        window.close()


def test_only_start_up_offers_a_restore_at_sign_in(qtbot, made: Made) -> None:
    """The lock screen and the sign-ins after a restore have nowhere to go with it."""
    middle_page_flipped(made)
    for dialog in (
        SignInDialog(made.path, username="admin", locked=True),
        SignInDialog(made.path),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        if not dialog.locked:
            type_into(qtbot, _child(dialog, QLineEdit, "usernameEdit"), "admin")
        type_into(qtbot, _child(dialog, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
        click(qtbot, _child(dialog, QPushButton, "signInButton"))
        error = _child(dialog, QLabel, "errorLabel")
        qtbot.waitUntil(error.isVisible, timeout=10000)
        assert "is damaged" in error.text()
        assert not _child(dialog, QPushButton, "restoreFromBackupButton").isVisible()
        dialog.reject()
