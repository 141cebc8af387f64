"""Restoring a backup: unpack it beside the store, then swap the files in under the lock.

The parts are written into a private folder beside the store (the same drive, so the
final moves are renames), each checked against its SHA-256 as it is written. The caller
may open and check that staged copy before anything at the store's path changes. Then,
holding the store's lock, any store already there (its database, key file, front-desk
list and write-ahead log) is renamed aside with the time in its name, still a store that
opens, never deleted; the restored files move in, the database last, so a store exists at
the path only once its key file is beside it. If a move fails, the moves made are undone.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from desktop.dates import UK, utc_now
from desktop.errors import CasebookError, StoreBusy, StoreExists, StoreMissing
from desktop.storage.backup import sync_folder
from desktop.storage.backup_file import (
    DATABASE,
    FRONT_DESK,
    KEYS,
    BackupFacts,
    Progress,
    copy_hashing,
    damaged,
    no_progress,
    read_backup,
)
from desktop.storage.engine import SQLITE_HEADER
from desktop.storage.filelock import exclusive
from desktop.storage.filestore import lock_path_for
from desktop.storage.frontdesk import front_desk_path_for
from desktop.storage.keyvault import keys_path_for

log = logging.getLogger(__name__)

WINDOW_LOCK_SUFFIX = ".open"  # the window's lock file beside a store (desktop/ui/store_lock.py)


def store_files(path: Path) -> list[Path]:
    """A store's files in the order they move in: sidecars first, the database last."""
    return [
        keys_path_for(path),
        front_desk_path_for(path),
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
        path,
    ]


def store_present(path: Path) -> bool:
    """Anything of a store at `path`: a restore would have to move it aside."""
    return any(p.exists() or p.is_symlink() for p in store_files(path))


@dataclass
class Staged:
    """A backup unpacked and checked beside the store, not yet in its place."""

    folder: Path
    path: Path  # the staged database, with its key file and list beside it
    facts: BackupFacts

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def stage_restore(backup: Path, store_path: Path, *, progress: Progress = no_progress) -> Staged:
    """Check the backup and unpack it into a private folder beside `store_path`."""
    facts = read_backup(backup, check_parts=False)  # the parts are checked as they unpack
    folder = store_path.parent
    if not folder.is_dir():
        raise StoreMissing(f"There is no folder {folder} to restore the case store into.")
    needed = sum(part.size for part in facts.parts.values())
    if shutil.disk_usage(folder).free < needed + needed // 10:
        raise CasebookError(
            f"There is not enough free space in {folder} to restore this backup; nothing was "
            "changed."
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{store_path.name}.restore-", dir=folder))
    try:
        target = staging / store_path.name
        places = {
            DATABASE: target,
            KEYS: keys_path_for(target),
            FRONT_DESK: front_desk_path_for(target),
        }
        done = 0
        with backup.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            for name, part in facts.parts.items():
                fd = os.open(places[name], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out, archive.open(name) as member:
                    report = _after(done, progress)
                    unpacked = copy_hashing(member, out, needed, "Unpacking the backup", report)
                    out.flush()
                    os.fsync(out.fileno())
                if unpacked != part:
                    raise damaged(backup, f"its part {name} does not match its checksum")
                done += part.size
        with target.open("rb") as db:
            first = db.read(16)
        if len(first) < 16 or first == SQLITE_HEADER:
            raise damaged(backup, "its database is not an encrypted case store")
    except (zipfile.BadZipFile, EOFError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise damaged(backup, "its contents do not match their checksums") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Staged(staging, target, facts)


def _after(start: int, progress: Progress) -> Progress:
    """Progress through one part, counted on from the parts before it."""

    def report(done: int, total: int, words: str) -> None:
        progress(start + done, total, words)

    return report


def put_in_place(staged: Staged, store_path: Path, *, force: bool) -> list[Path]:
    """Move the staged store to `store_path` under the store's lock; where the files of the
    store that was there were kept, database first (empty when there was none)."""
    with exclusive(lock_path_for(store_path)):
        where = open_elsewhere(store_path)
        if where is not None:
            raise StoreBusy(
                f"The case store {store_path.name} is open in Casebook {where}. Close it "
                "there, then restore."
            )
        present = [p for p in store_files(store_path) if p.exists() or p.is_symlink()]
        if present and not force:
            raise StoreExists(f"A case store already exists at {store_path}; it was not replaced.")
        moves: list[tuple[Path, Path]] = []
        aside: list[Path] = []
        try:
            if present:
                pairs = zip(
                    store_files(store_path), store_files(_aside_path(store_path)), strict=True
                )
                # The database first, so the path never shows a database without its keys.
                for source, target in reversed(list(pairs)):
                    if source.exists() or source.is_symlink():
                        os.rename(source, target)
                        moves.append((source, target))
                        aside.append(target)
            for source, target in zip(
                store_files(staged.path), store_files(store_path), strict=True
            ):
                if source.exists():
                    os.replace(source, target)
                    moves.append((source, target))
            sync_folder(store_path.parent)
        except BaseException:
            for source, target in reversed(moves):
                try:
                    os.replace(target, source)
                except OSError:
                    log.error("restore.undo_failed", exc_info=True)
            raise
    return aside


def _aside_path(store_path: Path) -> Path:
    """`trust (replaced 2026-11-26 230015).casebook`: still a store, named for when."""
    stamp = f"{utc_now().astimezone(UK):%Y-%m-%d %H%M%S}"
    for number in range(1, 1000):
        extra = f" {number}" if number > 1 else ""
        name = f"{store_path.stem} (replaced {stamp}{extra}){store_path.suffix}"
        candidate = store_path.with_name(name)
        if not any(p.exists() or p.is_symlink() for p in store_files(candidate)):
            return candidate
    raise CasebookError(f"{store_path.parent} already holds a thousand stores kept aside.")


def open_elsewhere(store_path: Path) -> str | None:
    """Where the window has this store open, from its lock file; None when it is not, or
    the lock was left by a copy on this computer that is no longer running."""
    lock = store_path.with_name(store_path.name + WINDOW_LOCK_SUFFIX)
    try:
        lines = lock.read_text("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return None
    except OSError:  # held open by its copy (Windows)
        return "on this computer or another"
    pid = int(lines[0]) if lines and lines[0].strip().isdigit() else 0
    host = lines[2].strip() if len(lines) > 2 else ""
    if host and host != socket.gethostname():
        return f"on {host} (if it is not running there, delete {lock} and try again)"
    if pid and not _running(pid):
        return None
    if sys.platform == "win32":  # no safe way to ask whether that copy still runs
        return f"on this computer (if Casebook is not running, delete {lock} and try again)"
    return "on this computer"


def _running(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would end the process there, not ask about it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
