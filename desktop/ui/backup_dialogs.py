"""Backing up from the window: File › Back up now… and what this computer remembers for it.

The folder, how many backups to keep there and whether to back up when Casebook closes
are remembered per computer and per store in the window-state file
(desktop/ui/window_state.py), never in the store: a folder's path says nothing about a
case, and a USB drive plugged into one laptop means nothing on another. The store records
only when its last backup was made (`backups.last_backup`), which every copy can read.
The daily, on-close and reminding parts are in desktop/ui/backup_scheduler.py; restoring
is in desktop/ui/restore_dialog.py.
"""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_datetime
from desktop.errors import user_message
from desktop.services import backups
from desktop.services.backups import BackupInfo, LastBackup
from desktop.services.session import UserSession
from desktop.ui.dialog_parts import named
from desktop.ui.operations import Job, ReadOp, WriteOp
from desktop.ui.worker import BusyIndicator, fit_height

MAX_KEEP = 999
ERROR_STYLE = "QLabel { color: #b42318; }"
NO_FOLDER = "No folder chosen yet"
BACKING_UP = "Backing up the case store"


# -- what this computer remembers ---------------------------------------------------------
class BackupSettings:
    """This computer's backup choices for one store, under an opaque key in the
    window-state file (the store's id is hashed: the file names no trust)."""

    def __init__(self, state: QSettings, store_id: str) -> None:
        self.state = state
        self.key = "backups/" + hashlib.sha256(store_id.encode()).hexdigest()[:20]

    @classmethod
    def of(cls, state: QSettings, session: UserSession) -> BackupSettings:
        return cls(state, session.store.identity.store_id)

    def _get(self, name: str) -> object:
        return self.state.value(f"{self.key}/{name}")

    def _set(self, name: str, value: object) -> None:
        self.state.setValue(f"{self.key}/{name}", value)
        self.state.sync()

    @property
    def folder(self) -> Path | None:
        value = self._get("folder")
        return Path(value) if isinstance(value, str) and value else None

    def set_folder(self, folder: Path) -> None:
        self._set("folder", str(folder))

    @property
    def keep(self) -> int:
        try:
            value = int(str(self._get("keep") or backups.DEFAULT_KEEP))
        except ValueError:
            value = backups.DEFAULT_KEEP
        return min(max(value, 1), MAX_KEEP)

    def set_keep(self, keep: int) -> None:
        self._set("keep", int(keep))

    @property
    def on_close(self) -> bool:
        """Back up when Casebook closes: on by default once a folder has been chosen."""
        value = self._get("on_close")
        if value is None:
            return self.folder is not None
        return value is True or str(value).lower() in ("true", "1")

    def set_on_close(self, on: bool) -> None:
        self._set("on_close", bool(on))

    @property
    def reminded_on(self) -> str:
        """The day (ISO) the weekly reminder was last shown on this computer."""
        value = self._get("reminded_on")
        return value if isinstance(value, str) else ""

    def set_reminded_on(self, day: str) -> None:
        self._set("reminded_on", day)


def choose_folder(parent: QWidget | None, start: Path | None) -> Path | None:
    """Ask for the backup folder. Tests replace this module attribute with a fake."""
    name = QFileDialog.getExistingDirectory(
        parent, "Choose the folder for backups", str(start or Path.home())
    )
    return Path(name) if name else None


def failure_words(exc: BaseException, folder: Path) -> str:
    """Why a backup was not made, in plain words; a file problem names the folder."""
    if isinstance(exc, PermissionError):
        return (
            f"Casebook cannot write in {folder}. Choose another folder, or ask your IT "
            "support to let you write there. No backup was made."
        )
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return (
            f"There is not enough space in {folder} for the backup. Free some space or "
            "choose another folder. No backup was made."
        )
    return user_message(exc)


def made_words(info: BackupInfo, keep: int) -> str:
    text = f"Backed up as \u201c{info.path.name}\u201d in {info.path.parent}."
    if info.removed:
        older = "backup" if len(info.removed) == 1 else "backups"
        text += f" {len(info.removed)} older {older} deleted, keeping the last {keep}."
    return text


def last_words(last: LastBackup | None) -> str:
    if last is None:
        return "No backup of this store has been made yet."
    return f"The last backup was made on {format_datetime(last.at)}."


def start_backup(
    parent: QWidget,
    session: UserSession,
    folder: Path,
    keep: int,
    *,
    success: Callable[[BackupInfo], object],
    failure: Callable[[BaseException], object],
    done: Callable[[], object] | None = None,
) -> WriteOp[BackupInfo]:
    """Make a backup off the UI thread; `parent`'s window shows its progress after a
    moment (its busy indicator: a line of text and a bar)."""

    def run(job: Job) -> BackupInfo:
        return backups.make_backup(job.session, folder=folder, keep=keep, progress=job.progress)

    op: WriteOp[BackupInfo] = WriteOp(
        parent=parent,
        session=session,
        run=run,
        success=success,
        failure=failure,
        done=done,
        progress=BACKING_UP,
    )
    op.start()
    return op


# -- File › Back up now… ------------------------------------------------------------------
class BackupDialog(QDialog):
    """Where backups go, how many to keep, whether to back up on close; Back up now."""

    backed_up = Signal(object)  # the BackupInfo of a backup made here

    def __init__(self, session: UserSession, state: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle("Back up now")
        self.session = session
        self.settings = BackupSettings.of(state, session)
        self.made: BackupInfo | None = None
        self._busy = False

        intro = QLabel(
            "A backup is one file holding the whole case store, still encrypted: it opens "
            "with the same passwords and recovery key. Keep backups on an encrypted USB "
            "drive or the trust's network folder, not only on this computer."
        )
        intro.setWordWrap(True)
        self.folder_edit = named(QLineEdit(), "backupFolderEdit", "Backup folder")
        self.folder_edit.setReadOnly(True)
        self.folder_edit.setPlaceholderText(NO_FOLDER)
        self.choose_button = named(
            QPushButton("Choose &folder…"), "chooseFolderButton", "Choose the backup folder"
        )
        self.keep_spin = named(QSpinBox(), "keepSpin", "How many backups to keep")
        self.keep_spin.setRange(1, MAX_KEEP)
        self.keep_spin.setSuffix(" backups")
        self.on_close_check = named(
            QCheckBox("Back up when Casebook c&loses"), "onCloseCheck", "Back up on close"
        )
        daily = QLabel(
            "While Casebook is open it also backs up into this folder once a day, quietly. "
            "Older backups of this store beyond the number kept are deleted; nothing else "
            "in the folder is touched."
        )
        daily.setWordWrap(True)
        self.last_label = named(QLabel("Looking for the last backup…"), "lastBackupLabel", "")
        self.last_label.setWordWrap(True)
        self.result_label = named(QLabel(), "backupResult", "What happened")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = named(QLabel(), "backupError", "Why no backup was made")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.busy_indicator = BusyIndicator()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.setObjectName("buttonBox")
        self.back_up_button = named(QPushButton("&Back up now"), "backUpButton", "Back up now")
        self.buttons.addButton(self.back_up_button, QDialogButtonBox.ButtonRole.ActionRole)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow("Folder:", folder_row)
        keep_label = QLabel("&Keep the last:")
        keep_label.setBuddy(self.keep_spin)
        form.addRow(keep_label, self.keep_spin)
        form.addRow("", self.on_close_check)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(daily)
        layout.addWidget(self.last_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy_indicator)
        layout.addWidget(self.buttons)
        self.result_label.hide()
        self.error_label.hide()
        self.setMinimumWidth(520)

        self._show_settings()
        self._connect_signals()
        self._read_last_backup()

    def _connect_signals(self) -> None:
        self.choose_button.clicked.connect(self.choose_folder)
        self.back_up_button.clicked.connect(self.back_up)
        self.buttons.rejected.connect(self.reject)
        self.keep_spin.valueChanged.connect(self.settings.set_keep)
        self.on_close_check.toggled.connect(self.settings.set_on_close)

    def _show_settings(self) -> None:
        folder = self.settings.folder
        self.folder_edit.setText(str(folder) if folder else "")
        self.folder_edit.setToolTip(str(folder) if folder else NO_FOLDER)
        for widget, value in (
            (self.keep_spin, self.settings.keep),
            (self.on_close_check, self.settings.on_close),
        ):
            widget.blockSignals(True)  # showing a setting is not changing it
            if isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            else:
                widget.setChecked(bool(value))
            widget.blockSignals(False)
        (self.back_up_button if folder else self.choose_button).setDefault(True)
        (self.back_up_button if folder else self.choose_button).setFocus()

    def _read_last_backup(self) -> None:
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: backups.last_backup(job.session),
            success=lambda last: self.last_label.setText(last_words(last)),
            failure=lambda exc: self.last_label.setText(user_message(exc)),
            progress="",
        ).start()

    # -- handlers ---------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = choose_folder(self, self.settings.folder)
        if folder is None:
            return
        self.settings.set_folder(folder)
        self.error_label.hide()
        self._show_settings()

    def back_up(self) -> None:
        folder = self.settings.folder
        if self._busy:
            return
        if folder is None:
            self._show_error("Choose a folder for the backups first.")
            self.choose_button.setFocus()
            return
        self._set_busy(True)
        self.result_label.hide()
        self.error_label.hide()
        start_backup(
            self,
            self.session,
            folder,
            self.keep_spin.value(),
            success=self._made,
            failure=lambda exc: self._show_error(failure_words(exc, folder)),
            done=lambda: self._set_busy(False),
        )

    def _made(self, info: BackupInfo) -> None:
        self.made = info
        self.result_label.setText(made_words(info, self.keep_spin.value()))
        self.result_label.show()
        fit_height(self)
        self.last_label.setText(last_words(LastBackup(info.facts.created_at, info.path.name)))
        self.backed_up.emit(info)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        fit_height(self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.back_up_button, self.choose_button):
            widget.setEnabled(not busy)

    @property
    def busy(self) -> bool:
        return self._busy
