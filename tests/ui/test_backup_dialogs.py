"""Backing up and restoring from the window (issue 12): Back up now, the daily and on-close
backups, the weekly reminder, and the restore dialog, on real encrypted stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

import desktop.ui.backup_dialogs as backup_dialogs
from desktop.dates import format_date, format_datetime
from desktop.errors import user_message
from desktop.services import auth, backups
from desktop.services.backups import BackupProblem
from desktop.services.cases import list_cases
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.backup_dialogs import BackupDialog, BackupSettings, failure_words
from desktop.ui.backup_scheduler import BackupScheduler
from desktop.ui.main_menus import build_actions, build_menus_and_toolbar
from desktop.ui.restore_dialog import WRONG_PASSWORD, RestoreDialog, restore_from_main
from desktop.ui.signin_dialog import SignInDialog
from desktop.ui.store_lock import StoreLock
from tests.conftest import ADMIN_PASSWORD
from tests.services.case_support import open_parent_case
from tests.ui.fakes import FakeBackend
from tests.ui.typing import click, type_into

SUFFIX = ".casebook-backup"


@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "usb"
    out.mkdir()
    return out


class Host(QMainWindow):
    """The part of the main window the backups use: a session, a status bar, signing out."""

    def __init__(self, session: UserSession) -> None:
        super().__init__()
        self.session = session
        self.signed_in_again: list[UserSession | None] = []

    def end_session(self) -> None:
        """As the main window signs out: every dialog it has open is dismissed first."""
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)
        auth.sign_out(self.session)

    def signed_in(self, dialog: SignInDialog) -> None:
        assert dialog.session is not None
        self.session = dialog.session
        self.signed_in_again.append(dialog.session)


@pytest.fixture
def host(qtbot, session: UserSession):
    window = Host(session)
    qtbot.addWidget(window)
    window.show()
    yield window
    if not window.session.closed:
        window.session.close()


def find(parent: QWidget, kind, name: str):
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def made_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder and its bytes: to show that nothing changed."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def subjects(path: Path, password: str = ADMIN_PASSWORD) -> list[str]:
    session = auth.sign_in(path, username="admin", password=password)
    try:
        return sorted(row.subject for row in list_cases(session))
    finally:
        session.close()


# -- Back up now… ------------------------------------------------------------------------------
def test_back_up_now_writes_a_backup_into_the_chosen_folder(
    qtbot, session, state, folder, monkeypatch
):
    asked: list[Path | None] = []

    def choose(parent, start):
        asked.append(start)
        return folder

    monkeypatch.setattr(backup_dialogs, "choose_folder", choose)
    dialog = BackupDialog(session, state)
    qtbot.addWidget(dialog)
    dialog.show()
    last = find(dialog, QLabel, "lastBackupLabel")
    qtbot.waitUntil(lambda: last.text() == "No backup of this store has been made yet.")
    on_close = find(dialog, QCheckBox, "onCloseCheck")
    assert not on_close.isChecked()  # no folder yet

    click(qtbot, find(dialog, QPushButton, "chooseFolderButton"))
    assert asked == [None]
    assert find(dialog, QLineEdit, "backupFolderEdit").text() == str(folder)
    assert on_close.isChecked()  # on by default once a folder is chosen
    click(qtbot, find(dialog, QPushButton, "backUpButton"))
    result = find(dialog, QLabel, "backupResult")
    qtbot.waitUntil(result.isVisible, timeout=10000)

    [made] = made_in(folder)
    facts = backups.inspect_backup(made)
    assert facts.trust_name == "Oakfield Learning Trust"
    assert f"\u201c{made.name}\u201d in {folder}." in result.text()
    assert last.text() == f"The last backup was made on {format_datetime(facts.created_at)}."
    assert not find(dialog, QLabel, "backupError").isVisible()
    # Remembered on this computer, for this store, and shown the next time.
    assert BackupSettings.of(state, session).folder == folder
    again = BackupDialog(session, state)
    qtbot.addWidget(again)
    assert find(again, QLineEdit, "backupFolderEdit").text() == str(folder)


def test_back_up_now_says_plainly_when_the_folder_is_missing(
    qtbot, session, state, tmp_path, folder
):
    settings = BackupSettings.of(state, session)
    gone = tmp_path / "unplugged drive"
    settings.set_folder(gone)
    dialog = BackupDialog(session, state)
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, find(dialog, QPushButton, "backUpButton"))
    error = find(dialog, QLabel, "backupError")
    qtbot.waitUntil(error.isVisible, timeout=10000)
    assert error.text().startswith(f"There is no folder {gone}.")
    assert "plug the drive in" in error.text()
    assert not find(dialog, QLabel, "backupResult").isVisible()
    assert not gone.exists() and made_in(folder) == []


def test_a_folder_that_cannot_be_written_is_named(tmp_path):
    words = failure_words(PermissionError(13, "Permission denied"), tmp_path)
    assert words.startswith(f"Casebook cannot write in {tmp_path}.")
    assert "No backup was made" in words


# -- the scheduler -----------------------------------------------------------------------------
def test_the_daily_timer_makes_a_backup_and_another_a_day_later(
    qtbot, host, session, state, folder
):
    BackupSettings.of(state, session).set_folder(folder)
    now = [dt.datetime.now(dt.UTC)]
    scheduler = BackupScheduler(host, state, check_ms=50, clock=lambda: now[0])
    scheduler.start(session)
    qtbot.waitUntil(lambda: len(made_in(folder)) == 1, timeout=10000)
    [first] = made_in(folder)
    qtbot.waitUntil(lambda: "Backed up as" in host.statusBar().currentMessage(), timeout=5000)
    assert scheduler.reminder is None  # a folder is chosen: no reminder
    with qtbot.waitSignal(scheduler.daily_checked, timeout=5000) as checked:
        pass
    assert checked.args == [False]  # made moments ago: not again yet
    assert len(made_in(folder)) == 1

    host.statusBar().clearMessage()
    now[0] += dt.timedelta(hours=25)
    qtbot.waitUntil(lambda: "Backed up as" in host.statusBar().currentMessage(), timeout=10000)
    scheduler.stop()
    [second] = set(made_in(folder)) - {first}
    last = backups.last_backup(session)
    assert last is not None and last.file_name == second.name


def test_a_failed_daily_backup_is_said_once_not_every_time(qtbot, host, session, state, tmp_path):
    gone = tmp_path / "unplugged drive"
    BackupSettings.of(state, session).set_folder(gone)
    scheduler = BackupScheduler(host, state, check_ms=50, retry_ms=50)
    scheduler.start(session)
    qtbot.waitUntil(lambda: scheduler.failure_message is not None, timeout=10000)
    message = scheduler.failure_message
    assert message is not None
    assert message.objectName() == "backupFailedMessage" and not message.isModal()
    assert f"There is no folder {gone}." in message.text()
    assert "The daily backup was not made." in host.statusBar().currentMessage()
    click(qtbot, message.button(QMessageBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: scheduler.failure_message is None)

    host.statusBar().clearMessage()
    qtbot.waitUntil(lambda: "not made" in host.statusBar().currentMessage(), timeout=10000)
    assert scheduler.failure_message is None  # tried again, failed again, not said again
    assert not [w for w in host.findChildren(QMessageBox) if w.isVisible()]
    scheduler.stop()


def test_closing_makes_a_backup_when_chosen(qtbot, host, session, state, folder):
    settings = BackupSettings.of(state, session)
    settings.set_folder(folder)
    scheduler = BackupScheduler(host, state)
    scheduler.closing(session)
    [made] = made_in(folder)
    last = backups.last_backup(session)
    assert last is not None and last.file_name == made.name

    settings.set_on_close(False)
    scheduler.closing(session)
    assert made_in(folder) == [made]


def test_closing_says_when_the_backup_could_not_be_made(
    qtbot, host, session, state, tmp_path, messenger: FakeBackend
):
    gone = tmp_path / "unplugged drive"
    BackupSettings.of(state, session).set_folder(gone)
    BackupScheduler(host, state).closing(session)
    [(kind, title, text)] = messenger.said
    assert (kind, title) == ("warn", "No backup was made")
    assert text.startswith(f"There is no folder {gone}.")
    assert backups.last_backup(session) is None


def test_the_reminder_comes_when_the_last_backup_is_over_a_week_old(
    qtbot, host, session, state, folder
):
    info = backups.make_backup(session, folder=folder)
    made = info.facts.created_at
    scheduler = BackupScheduler(host, state, clock=lambda: made + dt.timedelta(days=8))
    with qtbot.waitSignal(scheduler.reminder_checked, timeout=5000) as checked:
        scheduler.start(session)
    assert checked.args == [True]
    reminder = scheduler.reminder
    assert reminder is not None and reminder.isVisible() and not reminder.isModal()
    text = find(reminder, QLabel, "backupReminderText").text()
    assert f"made on {format_date(made)}, 8 days ago" in text

    click(qtbot, find(reminder, QPushButton, "reminderBackUpButton"))
    assert scheduler.reminder is None
    assert isinstance(scheduler.dialog, BackupDialog) and scheduler.dialog.isVisible()
    scheduler.stop()

    with qtbot.waitSignal(scheduler.reminder_checked, timeout=5000) as checked:
        scheduler.start(session)  # signed in again the same day
    assert checked.args == [False] and scheduler.reminder is None
    scheduler.stop()


def test_no_reminder_after_a_recent_backup(qtbot, host, session, state, folder):
    made = backups.make_backup(session, folder=folder).facts.created_at
    scheduler = BackupScheduler(host, state, clock=lambda: made + dt.timedelta(days=6))
    with qtbot.waitSignal(scheduler.reminder_checked, timeout=5000) as checked:
        scheduler.start(session)
    assert checked.args == [False] and scheduler.reminder is None
    scheduler.stop()


def test_a_new_store_never_backed_up_has_a_weeks_grace(qtbot, host, session, state):
    scheduler = BackupScheduler(host, state)
    with qtbot.waitSignal(scheduler.reminder_checked, timeout=5000) as checked:
        scheduler.start(session)
    assert checked.args == [False] and scheduler.reminder is None
    scheduler.stop()


def test_a_store_never_backed_up_is_reminded_and_later_closes_it(qtbot, host, session, state):
    week_on = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    scheduler = BackupScheduler(host, state, clock=lambda: week_on)
    with qtbot.waitSignal(scheduler.reminder_checked, timeout=5000):
        scheduler.start(session)
    reminder = scheduler.reminder
    assert reminder is not None
    assert "No backup of this case store has been made yet." in (
        find(reminder, QLabel, "backupReminderText").text()
    )
    click(qtbot, find(reminder, QPushButton, "reminderLaterButton"))
    assert scheduler.reminder is None and scheduler.dialog is None
    scheduler.stop()


# -- restoring ---------------------------------------------------------------------------------
@pytest.fixture
def backed_up(new_store: SetupResult, folder: Path) -> Path:
    """A backup holding one case; a second case is opened after it, in the live store only."""
    session = new_store.session
    open_parent_case(session, "Bartholomew", "Quigley")
    path = backups.make_backup(session, folder=folder).path
    open_parent_case(session, "Later", "Case")
    return path


def choose_backup(qtbot, dialog: RestoreDialog, messenger: FakeBackend, path: Path) -> None:
    messenger.paths.append(path)
    click(qtbot, find(dialog, QPushButton, "chooseBackupButton"))
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)


def test_the_restore_dialog_shows_the_facts_then_restores_keeping_the_store_aside(
    qtbot, backed_up, session, store_path, messenger
):
    facts = backups.inspect_backup(backed_up)
    auth.sign_out(session)  # the store is closed before a restore
    before = tree(store_path.parent)
    dialog = RestoreDialog(store_path)
    qtbot.addWidget(dialog)
    dialog.show()
    restore = find(dialog, QPushButton, "restoreButton")
    assert not restore.isEnabled()
    assert "kept beside the restored one" in find(dialog, QLabel, "storeNote").text()

    choose_backup(qtbot, dialog, messenger, backed_up)
    assert find(dialog, QGroupBox, "factsBox").isVisible()
    assert find(dialog, QLabel, "trustValue").text() == "Oakfield Learning Trust"
    assert find(dialog, QLabel, "casesValue").text() == "1"
    assert find(dialog, QLabel, "newestValue").text() == format_datetime(facts.newest_entry_at)
    assert find(dialog, QLabel, "madeValue").text().startswith(format_datetime(facts.created_at))
    assert tree(store_path.parent) == before  # nothing has changed yet
    assert [kind for kind, _, _ in messenger.said] == ["open_path"]

    type_into(qtbot, find(dialog, QLineEdit, "usernameEdit"), "admin")
    type_into(qtbot, find(dialog, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    messenger.confirmations.append(True)
    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        click(qtbot, restore)

    result = dialog.restored
    assert result is not None and result.check is not None and result.check.username == "admin"
    [kept] = result.kept_aside[:1]
    assert subjects(store_path) == ["Bartholomew Quigley"]
    assert subjects(kept) == ["Bartholomew Quigley", "Later Case"]  # kept, not overwritten
    (kind, title, text) = messenger.said[-1]
    assert (kind, title) == ("info", "Backup restored")
    assert f"kept as {kept.name}" in text and "Checked as admin" in text


def test_a_damaged_backup_is_refused_with_the_service_words_and_nothing_changes(
    qtbot, backed_up, session, store_path, tmp_path, messenger
):
    auth.sign_out(session)
    damaged = tmp_path / "damaged.casebook-backup"
    data = bytearray(backed_up.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupProblem) as refused:
        backups.inspect_backup(damaged)
    not_one = tmp_path / "notes.casebook-backup"
    not_one.write_text("shopping list")
    before = tree(store_path.parent)

    dialog = RestoreDialog(store_path)
    qtbot.addWidget(dialog)
    dialog.show()
    error = find(dialog, QLabel, "restoreError")
    choose_backup(qtbot, dialog, messenger, damaged)
    assert error.isVisible() and error.text() == user_message(refused.value)
    assert "damaged or incomplete" in error.text()
    assert not find(dialog, QGroupBox, "factsBox").isVisible()
    assert not find(dialog, QPushButton, "restoreButton").isEnabled()

    choose_backup(qtbot, dialog, messenger, not_one)
    assert error.text() == "notes.casebook-backup is not a Casebook backup."
    assert not find(dialog, QPushButton, "restoreButton").isEnabled()
    assert tree(store_path.parent) == before
    assert not any(kind == "confirm" for kind, _, _ in messenger.said)


def test_a_wrong_password_restores_nothing_and_the_dialog_stays(
    qtbot, backed_up, session, store_path, messenger
):
    auth.sign_out(session)
    before = tree(store_path.parent)
    dialog = RestoreDialog(store_path)
    qtbot.addWidget(dialog)
    dialog.show()
    choose_backup(qtbot, dialog, messenger, backed_up)
    type_into(qtbot, find(dialog, QLineEdit, "usernameEdit"), "admin")
    type_into(qtbot, find(dialog, QLineEdit, "passwordEdit"), "not the password")
    messenger.confirmations.append(True)
    click(qtbot, find(dialog, QPushButton, "restoreButton"))
    error = find(dialog, QLabel, "restoreError")
    qtbot.waitUntil(error.isVisible, timeout=20000)
    assert error.text() == WRONG_PASSWORD
    assert dialog.isVisible() and dialog.restored is None
    assert find(dialog, QLineEdit, "passwordEdit").text() == ""
    assert tree(store_path.parent) == before


def test_restoring_from_the_main_window_signs_out_first_and_in_again_after(
    qtbot, backed_up, host, store_path, messenger
):
    lock = StoreLock(store_path)
    assert lock.take()
    lock.keep_while_open(host)  # as start-up hands the lock to the main window
    dialog = restore_from_main(host, end_session=host.end_session, signed_in=host.signed_in)
    first = host.session
    choose_backup(qtbot, dialog, messenger, backed_up)
    assert not first.closed  # looking at a backup signs no one out

    messenger.confirmations.append(True)
    click(qtbot, find(dialog, QPushButton, "restoreButton"))
    assert first.closed  # signed out once confirmed, before anything changes
    qtbot.waitUntil(
        lambda: host.findChild(SignInDialog, "signInAfterRestore") is not None, timeout=20000
    )
    assert lock.held  # taken again for the sign-in
    sign_in = host.findChild(SignInDialog, "signInAfterRestore")
    assert find(sign_in, QLineEdit, "usernameEdit").text() == "admin"
    type_into(qtbot, find(sign_in, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    click(qtbot, find(sign_in, QPushButton, "signInButton"))
    qtbot.waitUntil(lambda: host.signed_in_again != [], timeout=10000)
    assert sorted(row.subject for row in list_cases(host.session)) == ["Bartholomew Quigley"]
    assert any(p.name.startswith("trust (replaced ") for p in store_path.parent.iterdir())


def test_cancelling_the_restore_from_the_main_window_changes_nothing(
    qtbot, backed_up, host, store_path, messenger
):
    dialog = restore_from_main(host, end_session=host.end_session, signed_in=host.signed_in)
    choose_backup(qtbot, dialog, messenger, backed_up)
    messenger.confirmations.append(False)  # "Restore?" answered Cancel
    click(qtbot, find(dialog, QPushButton, "restoreButton"))
    assert not host.session.closed and dialog.isVisible()
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        dialog.reject()
    assert not host.session.closed
    assert host.findChild(SignInDialog, "signInAfterRestore") is None


# -- the menu ----------------------------------------------------------------------------------
def test_the_file_menu_offers_back_up_and_restore(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    build_actions(window)
    build_menus_and_toolbar(window)
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    names = [a.objectName() for a in file_menu.actions()]
    assert names.index("backupAction") + 1 == names.index("restoreAction")
    assert names.index("printQueueAction") < names.index("backupAction") < names.index("lockAction")
