"""Backups the main window makes by itself: daily while it runs, one as it closes, and a
reminder when the last one is over a week old.

- Daily: every few minutes the scheduler asks when this store's last backup was made (by
  any copy of Casebook) and, if it is a day old and a folder has been chosen on this
  computer, makes one quietly (the status bar's busy line, then a line saying where). A
  failure (the USB drive not plugged in) is said once in a small message that does not
  block, then only in the status bar; it is tried again an hour later.
- On close: if "Back up when Casebook closes" is ticked, `closing()` makes one with a
  small progress window before the window signs out.
- Reminder: after sign-in, when no backup has been made for a week and no folder is chosen
  here to make them, a prompt that does not block offers Back up now or Later; at most
  once a day on this computer.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, to_uk, utc_now
from desktop.domain.roles import Operation
from desktop.services import backups
from desktop.services.backups import BackupInfo, LastBackup
from desktop.services.session import UserSession
from desktop.ui.backup_dialogs import (
    BackupDialog,
    BackupSettings,
    failure_words,
    made_words,
    start_backup,
)
from desktop.ui.dialog_parts import named
from desktop.ui.messages import Messenger
from desktop.ui.operations import ReadOp, WriteOp
from desktop.ui.worker import BusyIndicator

log = logging.getLogger(__name__)

DAY_MS = 24 * 60 * 60 * 1000
CHECK_MS = 10 * 60 * 1000  # how often the scheduler asks whether a backup is due
FIRST_CHECK_MS = 60 * 1000  # after sign-in: long enough for the window to settle
RETRY_MS = 60 * 60 * 1000  # after a failure
REMIND_AFTER = dt.timedelta(days=7)
STATUS_MS = 30 * 1000


def reminder_words(last: LastBackup | None, now: dt.datetime) -> str:
    if last is None:
        return (
            "No backup of this case store has been made yet. If this computer is lost or "
            "breaks, the cases go with it. Back up to an encrypted USB drive or the trust's "
            "network folder."
        )
    days = (to_uk(now).date() - to_uk(last.at).date()).days
    return (
        f"The last backup of this case store was made on {format_date(last.at)}, {days} "
        "days ago. Back up now to an encrypted USB drive or the trust's network folder, "
        "and choose a folder so that Casebook backs up by itself."
    )


class BackupReminder(QDialog):
    """After sign-in, when the last backup is over a week old: Back up now, or Later."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupReminder")
        self.setWindowTitle("Time for a backup")
        label = named(QLabel(text), "backupReminderText", "Why back up")
        label.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.back_up_button = named(
            QPushButton("&Back up now…"), "reminderBackUpButton", "Back up now"
        )
        self.later_button = named(QPushButton("&Later"), "reminderLaterButton", "Later")
        buttons.addButton(self.back_up_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(buttons)
        self.back_up_button.setDefault(True)
        self.setMinimumWidth(420)


class ClosingBackup(QDialog):
    """The small window shown while the backup on close is made; it cannot be cancelled
    (a half-made backup is never kept, but neither is it worth stopping for)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("closingBackup")
        self.setWindowTitle("Backing up")
        self.setModal(True)
        label = QLabel("Backing up the case store before Casebook closes…")
        self.busy_indicator = BusyIndicator()
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.busy_indicator)
        self.setMinimumWidth(380)

    def reject(self) -> None:
        pass  # Esc waits with the rest


class BackupScheduler(QObject):
    """The main window's backups by themselves (see the module). `start(session)` after
    each sign-in, `stop()` before signing out, `closing(session)` from closeEvent,
    `back_up_now()` for File › Back up now…."""

    # Each check's decision, for whoever wants to know (the tests): a backup started, or
    # not; the reminder shown, or not.
    daily_checked = Signal(bool)
    reminder_checked = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        state: QSettings,
        *,
        every_ms: int = DAY_MS,
        check_ms: int = CHECK_MS,
        retry_ms: int = RETRY_MS,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.state = state
        self.session: UserSession | None = None
        self.every = dt.timedelta(milliseconds=every_ms)
        self.retry_seconds = retry_ms / 1000
        self.clock = clock
        self.dialog: BackupDialog | None = None
        self.reminder: BackupReminder | None = None
        self.failure_message: QMessageBox | None = None
        self._busy = False
        self._closing = False
        self._next_try = 0.0  # monotonic: no quiet backup before this (after a failure)
        self._failure_said = False
        self._timer = QTimer(self)
        self._timer.setInterval(min(check_ms, every_ms))
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.setInterval(min(FIRST_CHECK_MS, check_ms, every_ms))
        self._timer.timeout.connect(self._check)
        self._first.timeout.connect(self._check)

    # -- the window's calls -----------------------------------------------------------------
    def start(self, session: UserSession) -> None:
        """After sign-in (and each unlock): check daily, and remind if it is time."""
        self.session = session
        self._failure_said = False
        if not session.can(Operation.BACKUP):
            self.reminder_checked.emit(False)
            return
        self._timer.start()
        self._first.start()
        self._consider_reminder(session)

    def stop(self) -> None:
        """Before signing out: no more checks, and close what belongs to this sign-in."""
        self._timer.stop()
        self._first.stop()
        self.session = None
        for widget in (self.dialog, self.reminder, self.failure_message):
            if widget is not None:
                widget.close()
        self.dialog = self.reminder = self.failure_message = None

    def back_up_now(self) -> None:
        """File › Back up now… (and the reminder's button): the backup dialog."""
        session = self.session
        if session is None or session.closed or not session.can(Operation.BACKUP):
            return
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        dialog = BackupDialog(session, self.state, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._dialog_closed)
        dialog.backed_up.connect(self._made_in_dialog)
        self.dialog = dialog
        dialog.open()

    def closing(self, session: UserSession | None) -> None:
        """From the window's closeEvent, before it signs out: if this computer backs up on
        close, make one now and wait for it, with a small progress window."""
        self._timer.stop()
        self._first.stop()
        if self._closing or session is None or session.closed:
            return
        if not session.can(Operation.BACKUP):
            return
        settings = BackupSettings.of(self.state, session)
        folder = settings.folder
        if folder is None or not settings.on_close:
            return
        self._closing = True
        progress = ClosingBackup(self.window)
        failed: list[BaseException] = []
        try:
            op = start_backup(
                progress,
                session,
                folder,
                settings.keep,
                success=lambda info: log.info("backup.on_close"),
                failure=failed.append,
            )
            progress.show()
            _wait_for(op)
        finally:
            progress.hide()
            progress.deleteLater()
            self._closing = False
        if failed:
            Messenger.warn(
                self.window,
                "No backup was made",
                f"{failure_words(failed[0], folder)} Casebook closes now; it will try "
                "again next time.",
            )

    # -- daily ------------------------------------------------------------------------------
    def _check(self) -> None:
        session = self.session
        if session is None or session.closed or self._busy or self._closing:
            return
        if time.monotonic() < self._next_try:
            return
        settings = BackupSettings.of(self.state, session)
        if settings.folder is None:
            self.daily_checked.emit(False)
            return
        self._busy = True
        ReadOp(
            parent=self.window,
            session=session,
            run=lambda job: backups.last_backup(job.session),
            success=lambda last: self._back_up_if_due(session, settings, last),
            failure=lambda exc: log.info("backup.check_failed %s", type(exc).__name__),
            done=self._not_busy,
            progress="",
        ).start()

    def _back_up_if_due(
        self, session: UserSession, settings: BackupSettings, last: LastBackup | None
    ) -> None:
        folder = settings.folder
        if session is not self.session or session.closed or folder is None or self._busy:
            return
        if last is not None and self.clock() - last.at < self.every:
            self.daily_checked.emit(False)
            return
        self._busy = True
        keep = settings.keep
        start_backup(
            self.window,
            session,
            folder,
            keep,
            success=lambda info: self._made(info, keep),
            failure=lambda exc: self._failed(exc, folder),
            done=self._not_busy,
        )
        self.daily_checked.emit(True)

    def _not_busy(self) -> None:
        self._busy = False

    def _made(self, info: BackupInfo, keep: int) -> None:
        log.info("backup.daily")
        self._failure_said = False
        self._status(made_words(info, keep))

    def _made_in_dialog(self, info: BackupInfo) -> None:
        self._failure_said = False
        if self.reminder is not None:
            self.reminder.close()

    def _failed(self, exc: BaseException, folder: Path) -> None:
        log.info("backup.daily_failed %s", type(exc).__name__)
        self._next_try = time.monotonic() + self.retry_seconds
        words = failure_words(exc, folder)
        self._status(f"The daily backup was not made. {words}")
        if self._failure_said:
            return
        self._failure_said = True
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The daily backup was not made",
            f"{words}\n\nCasebook will try again in an hour; you can also use File › Back up now….",
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setObjectName("backupFailedMessage")
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        box.finished.connect(self._failure_closed)
        self.failure_message = box
        box.show()

    def _failure_closed(self) -> None:
        self.failure_message = None

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    # -- the weekly reminder ----------------------------------------------------------------
    def _consider_reminder(self, session: UserSession) -> None:
        settings = BackupSettings.of(self.state, session)
        today = to_uk(self.clock()).date().isoformat()
        if settings.folder is not None or settings.reminded_on == today:
            # With a folder chosen, the daily backup is made (or says why not) instead.
            self.reminder_checked.emit(False)
            return
        ReadOp(
            parent=self.window,
            session=session,
            run=lambda job: (
                backups.last_backup(job.session),
                backups.store_made_at(job.session),
            ),
            success=lambda found: self._remind(session, settings, *found, today),
            failure=lambda exc: log.info("backup.reminder_failed %s", type(exc).__name__),
            progress="",
        ).start()

    def _remind(
        self,
        session: UserSession,
        settings: BackupSettings,
        last: LastBackup | None,
        made_at: dt.datetime,
        today: str,
    ) -> None:
        now = self.clock()
        if session is not self.session or session.closed or self.reminder is not None:
            return
        since = last.at if last is not None else made_at  # a new store: a week's grace
        if now - since < REMIND_AFTER:
            self.reminder_checked.emit(False)
            return
        settings.set_reminded_on(today)
        reminder = BackupReminder(reminder_words(last, now), self.window)
        reminder.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # It does not take the keyboard from the window the person is typing in.
        reminder.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        reminder.accepted.connect(self.back_up_now)
        reminder.finished.connect(self._reminder_closed)
        self.reminder = reminder
        reminder.show()
        self.reminder_checked.emit(True)

    def _reminder_closed(self) -> None:
        self.reminder = None

    def _dialog_closed(self) -> None:
        self.dialog = None


def _wait_for(op: WriteOp[BackupInfo]) -> None:
    """Run the event loop until `op` has come back (its callbacks have run)."""
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: None if op.running else loop.quit())
    timer.start()
    if op.running:
        loop.exec()
    timer.stop()
