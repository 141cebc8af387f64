"""One copy of Casebook per case store: a lock file beside the store says who has it open.

While the window has a store open, Casebook holds `<store>.open` beside it (for
`trust.casebook`, `trust.casebook.open`) with Qt's QLockFile, which records the process id,
the program's file name and the computer's name: never who is signed in. A second copy finds
the lock held and says where the store is open instead of opening it. A lock left behind by a
copy that was killed is taken over, since QLockFile sees that its process is gone; it can see
that only on the computer that made it, so a lock from another computer stays until that copy
closes or someone deletes the file, which the message explains.

The lock belongs to the window, not the store: start-up (desktop/app.py) takes it before
signing in and hands it to the main window, the lock screen signs in again under it, and the
command line never takes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, QSysInfo, Slot
from PySide6.QtWidgets import QWidget

from desktop.ui.messages import Messenger

if TYPE_CHECKING:
    from desktop.services.store import StoreLocation

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".open"
IN_USE_TITLE = "Case store already open"


def lock_path_for(store: Path | StoreLocation) -> Path:
    """The lock file beside a store's file.

    A location is given by where it is, its `description`: a file store's full path. (A
    trust-server store, when there is one, would hold its own sessions and want no file.)
    """
    path = store if isinstance(store, Path) else Path(store.description)
    return path.with_name(path.name + LOCK_SUFFIX)


@dataclass(frozen=True)
class LockHolder:
    """Who holds a store's lock, as its lock file says: a process on a computer."""

    pid: int
    hostname: str
    appname: str  # the program's file name, which Qt uses to tell a reused process id

    @property
    def on_another_computer(self) -> bool:
        return bool(self.hostname) and self.hostname != QSysInfo.machineHostName()


def in_use_message(holder: LockHolder | None, lock_path: Path) -> str:
    """What a second copy tells the person, in plain words."""
    if holder is None or not holder.hostname:
        return (
            "This case store is already open in Casebook, on this computer or another. "
            "Close it there first, or wait for it to close."
        )
    text = (
        f"This case store is already open in Casebook on {holder.hostname} "
        f"(process {holder.pid}). Close it there first, or wait for it to close."
    )
    if holder.on_another_computer:
        text += (
            f"\n\nIf Casebook is no longer running on {holder.hostname} (that computer was "
            f"switched off while it was open, say), delete the file {lock_path} and try again."
        )
    return text


class StoreLock(QObject):
    """The lock on one store: held by this process, or not (yet).

    A QObject so that the main window can own it: it is let go when the program quits, or
    when the window it was handed to is deleted.
    """

    def __init__(self, store: Path | StoreLocation, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = lock_path_for(store)
        self._file = QLockFile(str(self.path))
        # Age never makes a lock stale (a store may be open all week); a dead process does.
        self._file.setStaleLockTime(0)

    @property
    def held(self) -> bool:
        return self._file.isLocked()

    def take(self) -> bool:
        """Hold the lock now, without waiting; True if this process holds it."""
        return self.held or self._file.tryLock(0)

    @property
    def held_elsewhere(self) -> bool:
        """The last `take()` failed because another copy holds the lock (not for want of a
        folder to put it in, say)."""
        return not self.held and self._file.error() == QLockFile.LockError.LockFailedError

    def holder(self) -> LockHolder | None:
        """Who holds the lock, if its file can be read."""
        pid, hostname, appname = self._file.getLockInfo()
        if not pid and not hostname:
            return None
        return LockHolder(pid, hostname, appname)

    @Slot()
    def release(self) -> None:
        if self.held:
            self._file.unlock()
            log.info("store_lock.released")

    def claim(self, parent: QWidget | None = None) -> bool:
        """Take the lock before opening the store; False after telling the person where the
        store is already open.

        A lock file that cannot be made at all (the folder is not there yet, or is read-only)
        does not stop the store opening: that is logged, and the store's own checks decide.
        """
        if self.take():
            log.info("store_lock.taken")
            return True
        if not self.path.parent.is_dir():  # a first run: setup makes the folder
            log.info("store_lock.no_folder_yet")
            return True
        if not self.held_elsewhere:
            log.warning("store_lock.unavailable error=%s", self._file.error().name)
            return True
        log.info("store_lock.in_use")
        Messenger.warn(parent, IN_USE_TITLE, in_use_message(self.holder(), self.path))
        return False

    def keep_while_open(self, window: QObject) -> None:
        """Hold the lock for as long as `window` lives; let it go when the program quits."""
        self.setParent(window)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.release)
