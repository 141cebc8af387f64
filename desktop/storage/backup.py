"""Making a backup: copy a store's files at one moment, check the copy, write one file.

The files are copied while a write transaction holds the store's lock (the OS lock every
writer takes, then SQLite's write lock), so the database and its write-ahead log, the key
file and the front-desk list are all from the same moment, whatever other copies of
Casebook are doing. The copy is merged, checked (every page's seal and SQLite's structure
check) and packed outside the lock, so writers wait only for a local file copy. The
backup file (`desktop.storage.backup_file`) is written beside its final name, flushed to
disk and renamed into place: a half-written backup never carries a backup's name.

A backup cut short (the computer switched off, Casebook killed) leaves its private folder
beside the store and perhaps a half-written `.partial` file in the backup folder. The
folder notes the file's name, and is locked while its backup runs; the next backup of the
store removes every such folder no running backup holds, and the file it names.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import logging
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlcipher3

from desktop import __version__
from desktop.dates import UK, utc_now
from desktop.errors import CasebookError, NotPermitted, StoreBusy, StoreDamaged
from desktop.storage.backup_file import (
    DATABASE,
    FRONT_DESK,
    KEYS,
    MANIFEST,
    SUFFIX,
    BackupFacts,
    Progress,
    copy_hashing,
    digest,
    no_progress,
    peek_backup,
)
from desktop.storage.engine import key_pragma
from desktop.storage.filelock import exclusive, held
from desktop.storage.filestore import EncryptedFileStore, lock_path_for
from desktop.storage.frontdesk import front_desk_path_for
from desktop.storage.keyvault import keys_path_for
from desktop.storage.store import Store

log = logging.getLogger(__name__)

# `trust backup 2026-11-26 2300.casebook-backup`, or `... 2300 (2).casebook-backup`.
NAME_PATTERN = re.compile(
    r"(?P<store>.+) backup \d{4}-\d{2}-\d{2} \d{4}(?: \((?P<number>\d{1,3})\))?" + re.escape(SUFFIX)
)
# In a snapshot's folder: a file locked while its backup runs, and the backup file's name.
OWNER_LOCK = "running.lock"
PARTIAL_NOTE = "partial-name"
PARTIAL_PATTERN = re.compile(r"\.casebook-backup-[0-9a-f]{16}\.partial")
NOT_SOUND = (
    "The case store fails its own check, so no backup was made and your earlier backups "
    "were kept. Ask your IT support, and keep those backups safe."
)


# -- taking a snapshot under the lock ------------------------------------------------------------
@dataclass
class Snapshot:
    """The store's files copied at one moment into a private folder beside the store."""

    folder: Path
    database: Path
    keys: bytes
    front_desk: bytes | None
    store_name: str
    db_keys: tuple[bytes, ...]  # the database key, and the previous one mid re-key
    running: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def discard(self) -> None:
        self.running.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def take_snapshot(store: Store) -> Snapshot:
    """Copy the store's files; call inside `store.transaction(write=True)`, whose locks keep
    every writer out while the copies are made (and whose start follows any re-key made by
    another copy, so the key held here fits the key file copied).

    The database and its write-ahead log are copied as they are, rather than checkpointing
    the live store first, which a reader in another copy of Casebook could hold up.
    """
    if not isinstance(store, EncryptedFileStore):
        raise NotPermitted("Only a case store kept in a file can be backed up this way.")
    if not held(lock_path_for(store.path)):
        raise RuntimeError("take a snapshot inside the store's write transaction")
    keys = store.keys
    discard_abandoned(store.path)
    folder = Path(tempfile.mkdtemp(prefix=f".{store.path.name}.backup-", dir=store.path.parent))
    running = contextlib.ExitStack()
    try:
        running.enter_context(exclusive(folder / OWNER_LOCK, wait=0))
        database = folder / store.path.name
        shutil.copyfile(store.path, database)
        wal = Path(f"{store.path}-wal")
        if wal.exists():
            shutil.copyfile(wal, f"{database}-wal")
        front_desk = front_desk_path_for(store.path)
        return Snapshot(
            folder=folder,
            database=database,
            keys=keys_path_for(store.path).read_bytes(),
            front_desk=front_desk.read_bytes() if front_desk.exists() else None,
            store_name=store.path.name,
            db_keys=tuple(k for k in (keys.cases, keys.cases_previous) if k),
            running=running,
        )
    except BaseException:
        running.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise


def discard_abandoned(store_path: Path) -> None:
    """Remove what backups cut short left: each snapshot folder beside the store that no
    running backup holds locked, and the half-written backup file it names.

    Called under the store's write lock, where snapshot folders are made and locked, so a
    folder found unlocked here is never one a backup is just starting.
    """
    pattern = f".{glob.escape(store_path.name)}.backup-*"
    for folder in store_path.parent.glob(pattern):
        if folder.is_symlink() or not folder.is_dir() or held(folder / OWNER_LOCK):
            continue  # held: this thread's own backup, still running
        try:
            with exclusive(folder / OWNER_LOCK, wait=0):
                pass
        except StoreBusy:
            continue  # a backup running, in this copy of Casebook or another
        except OSError:
            log.warning("backup.leftover_unreadable", exc_info=True)
            continue
        with contextlib.suppress(OSError, ValueError):
            partial = Path((folder / PARTIAL_NOTE).read_text(encoding="utf-8"))
            if PARTIAL_PATTERN.fullmatch(partial.name):
                partial.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


# -- checking a copy -----------------------------------------------------------------------------
@contextlib.contextmanager
def keyed_connection(path: Path, candidates: tuple[bytes, ...]) -> Iterator[Any]:
    """A raw connection to an encrypted file with whichever key fits; StoreDamaged if none."""
    for key in candidates:
        conn = sqlcipher3.connect(str(path), isolation_level=None)
        try:
            conn.execute(key_pragma(key))
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            conn.close()
            continue
        try:
            yield conn
        finally:
            conn.close()
        return
    raise StoreDamaged(NOT_SOUND)


def integrity_problems(conn: Any) -> list[str]:
    """SQLCipher's check of every page's seal, then SQLite's of the structure; [] if sound."""
    found = [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
    rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    return (found + ([] if rows == ["ok"] else rows))[:20]


def store_problems(store: Store) -> list[str]:
    """The same checks on an open store, through its own engine."""
    raw = store.engine.raw_connection()
    try:
        return integrity_problems(raw.driver_connection)
    finally:
        raw.close()


def _facts_of(conn: Any, snapshot: Snapshot) -> BackupFacts:
    def one(sql: str) -> Any:
        row = conn.execute(sql).fetchone()
        return row[0] if row else None

    last = conn.execute(
        "SELECT id, entry_hash, at FROM audit_entries ORDER BY id DESC LIMIT 1"
    ).fetchone()
    newest = dt.datetime.fromisoformat(str(last[2])).replace(tzinfo=dt.UTC) if last else None
    return BackupFacts(
        casebook_version=__version__,
        schema_revision=str(one("SELECT version_num FROM alembic_version")),
        store_id=str(one("SELECT value FROM store_meta WHERE key = 'store_id'")),
        store_name=snapshot.store_name,
        trust_name=str(one("SELECT name FROM trusts ORDER BY id LIMIT 1") or ""),
        cases=int(one("SELECT count(*) FROM cases")),
        newest_entry_at=newest,
        created_at=utc_now(),
        audit_head=(int(last[0]), str(last[1])) if last else None,
        parts={},
        is_sample=one("SELECT count(*) FROM store_meta WHERE key = 'sample'") > 0,
    )


def _merge_and_check(snapshot: Snapshot) -> BackupFacts:
    """Fold the copied log into the copy, check every page, and read the manifest's facts.

    A store that fails is not backed up: a damaged copy must not push a sound backup out
    of those kept.
    """
    with keyed_connection(snapshot.database, snapshot.db_keys) as conn:
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        problems = integrity_problems(conn)
        if busy or problems:
            log.error("backup.unsound busy=%s problems=%d", busy, len(problems))
            raise StoreDamaged(NOT_SOUND)
        facts = _facts_of(conn, snapshot)
    wal = Path(f"{snapshot.database}-wal")
    if wal.exists() and wal.stat().st_size:  # closing the last connection empties it
        raise StoreDamaged(NOT_SOUND)
    wal.unlink(missing_ok=True)
    Path(f"{snapshot.database}-shm").unlink(missing_ok=True)
    return facts


# -- writing the backup file -----------------------------------------------------------------------
def backup_name(store_name: str, when: dt.datetime, number: int = 1) -> str:
    """`trust backup 2026-11-26 2300.casebook-backup` for `trust.casebook`, UK time."""
    stem = Path(store_name).stem or store_name
    extra = f" ({number})" if number > 1 else ""
    return f"{stem} backup {when.astimezone(UK):%Y-%m-%d %H%M}{extra}{SUFFIX}"


def _member(name: str, when: dt.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.astimezone(UK).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o600 << 16
    return info


def write_backup(
    snapshot: Snapshot, folder: Path, *, progress: Progress = no_progress
) -> tuple[Path, BackupFacts]:
    """Check the snapshot, then write it as one backup file in `folder` (readable by its
    owner only); a backup is there whole, or not at all."""
    progress(0, 1, "Checking the copy")
    facts = _merge_and_check(snapshot)
    with snapshot.database.open("rb") as source:
        size = snapshot.database.stat().st_size
        parts = {DATABASE: copy_hashing(source, None, size, "Checking the copy", progress)}
    parts[KEYS] = digest(snapshot.keys)
    if snapshot.front_desk is not None:
        parts[FRONT_DESK] = digest(snapshot.front_desk)
    facts = replace(facts, parts=parts)
    # Named in the snapshot's folder before it exists, so a backup cut short at any moment
    # leaves no file the next backup cannot find.
    temporary = folder / f".casebook-backup-{secrets.token_hex(8)}.partial"
    (snapshot.folder / PARTIAL_NOTE).write_text(str(temporary.absolute()), encoding="utf-8")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                archive.writestr(_member(MANIFEST, facts.created_at), facts.to_json())
                archive.writestr(_member(KEYS, facts.created_at), snapshot.keys)
                if snapshot.front_desk is not None:
                    archive.writestr(_member(FRONT_DESK, facts.created_at), snapshot.front_desk)
                with (
                    archive.open(_member(DATABASE, facts.created_at), "w", force_zip64=True) as out,
                    snapshot.database.open("rb") as source,
                ):
                    written = copy_hashing(source, out, size, "Writing the backup", progress)
                if written != parts[DATABASE]:
                    raise CasebookError(
                        "The copy of the case store changed while the backup was being "
                        "written, so no backup was made. Try again."
                    )
            raw.flush()
            os.fsync(raw.fileno())
        target = _move_into_place(temporary, folder, snapshot.store_name, facts.created_at)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target, facts


def _move_into_place(temporary: Path, folder: Path, store_name: str, when: dt.datetime) -> Path:
    """Rename to the next name after those taken that minute, never over an existing file
    (and never a name an older backup had, so names run in the order they were made)."""
    taken = {path.name for path in folder.iterdir()}
    numbers = (n for n in range(1, 1000) if backup_name(store_name, when, n) in taken)
    for number in range(max(numbers, default=0) + 1, 1000):
        target = folder / backup_name(store_name, when, number)
        if target.exists() or target.is_symlink():
            continue
        try:
            os.link(temporary, target)  # refuses a name taken meanwhile
        except FileExistsError:
            continue
        except OSError:  # a drive without hard links (FAT, some network shares)
            os.replace(temporary, target)
        else:
            temporary.unlink()
        sync_folder(folder)
        return target
    raise CasebookError(f"{folder} already holds a thousand backups made this minute.")


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (renames) to disk, where the system allows it."""
    if hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# -- keeping the last N ----------------------------------------------------------------------------
def backups_of(folder: Path, store_id: str) -> list[tuple[Path, BackupFacts]]:
    """This store's backups in `folder`, newest first: files with a backup's name whose
    manifest says they are a backup of this store. Nothing else counts as one."""
    found = []
    for path in folder.iterdir():
        name = NAME_PATTERN.fullmatch(path.name)
        if name is None or path.is_symlink() or not path.is_file():
            continue
        facts = peek_backup(path)
        if facts is not None and facts.store_id == store_id:
            found.append((facts.created_at, int(name["number"] or 1), path, facts))
    found.sort(key=lambda item: item[:2], reverse=True)  # within a minute, by its number
    return [(path, facts) for _, _, path, facts in found]


def prune(folder: Path, store_id: str, keep: int, *, newest: Path) -> list[Path]:
    """Delete this store's backups beyond the newest `keep` (never `newest`, just made);
    the ones deleted. A file that cannot be deleted is left, and logged."""
    removed = []
    ours = [path for path, _ in backups_of(folder, store_id) if path != newest]
    for path in ours[max(keep - 1, 0) :]:
        try:
            path.unlink()
        except OSError:
            log.warning("backup.prune_failed", exc_info=True)
            continue
        removed.append(path)
    return removed
