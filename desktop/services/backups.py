"""Backups: the whole store, still encrypted, in one file; and putting one back.

A backup opens with the same passwords and recovery key as the store had when it was made,
so making one gives no one a new way in; whoever keeps case files may make one
(`Operation.BACKUP`). Each is recorded in the audit trail ("store.backed_up", with the
file's name and counts only) and as the store's last backup, for the weekly reminder.
The last `keep` backups of this store in the folder are kept; older ones are deleted, and
only files that are this store's backups by name and by manifest are ever deleted.

Restoring happens while no one is signed in to the store at that path. Given a username
and password that opened the store when the backup was made, the restored copy is opened
and checked before it replaces anything: every page's seal and SQLite's structure check,
the audit trail's head against the manifest and, for an account that may check the audit
trail, every entry. The check is recorded in the restored store ("store.restored"). Without
a password only what needs no key is checked (the file, every part's SHA-256, the key
file's shape and store); the audit trail is then checked at the next `casebook audit
verify`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.diagnostics import describe_exception
from desktop.domain.roles import Operation
from desktop.errors import StoreDamaged, StoreExists, ValidationError
from desktop.services import audit, auth
from desktop.services.session import UserSession
from desktop.storage import backup as files
from desktop.storage import restore
from desktop.storage.backup_file import BackupDamaged as BackupDamaged
from desktop.storage.backup_file import BackupFacts as BackupFacts
from desktop.storage.backup_file import BackupMissing as BackupMissing
from desktop.storage.backup_file import BackupProblem as BackupProblem
from desktop.storage.backup_file import BackupTooNew as BackupTooNew
from desktop.storage.backup_file import NotABackup as NotABackup
from desktop.storage.backup_file import Progress, no_progress, read_backup
from desktop.storage.models import AuditEntry, StoreMeta

log = logging.getLogger(__name__)

DEFAULT_KEEP = 10
LAST_BACKUP_KEY = "last_backup"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    facts: BackupFacts
    removed: tuple[Path, ...]  # this store's older backups deleted to keep the last N


@dataclass(frozen=True)
class LastBackup:
    at: dt.datetime
    file_name: str


@dataclass(frozen=True)
class RestoreCheck:
    """What opening the restored copy showed (all of it sound, or it was not restored)."""

    username: str
    audit_entries: int | None  # None: this account's role may not check the audit trail
    notices: tuple[str, ...]  # e.g. a key file slot changed outside Casebook


@dataclass(frozen=True)
class RestoreResult:
    facts: BackupFacts
    store_path: Path
    kept_aside: tuple[Path, ...]  # the store that was there, renamed (database first)
    check: RestoreCheck | None  # None when no password was given to check it with


def make_backup(
    session: UserSession,
    *,
    folder: Path,
    keep: int = DEFAULT_KEEP,
    progress: Progress | None = None,
) -> BackupInfo:
    """Write an encrypted backup of the whole store into `folder`, then keep only this
    store's last `keep` backups there. Slow for a large store: run it off the UI thread."""
    session.require(Operation.BACKUP)
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ValidationError("Keep at least one backup.", "keep")
    folder = check_backup_folder(folder)
    report = progress or no_progress
    report(0, 1, "Copying the case store")
    with session.transaction(write=True):  # every writer waits while the files are copied
        snapshot = files.take_snapshot(session.store)
    try:
        path, facts = files.write_backup(snapshot, folder, progress=report)
    finally:
        snapshot.discard()
    try:
        with session.transaction(write=True) as db:
            audit.record(
                db,
                session.actor,
                "store.backed_up",
                detail={
                    "file": path.name,
                    "cases": facts.cases,
                    "up_to_entry": facts.audit_head[0] if facts.audit_head else 0,
                    "bytes": path.stat().st_size,
                },
            )
            _note_last_backup(db, facts.created_at, path.name)
    except BaseException:
        path.unlink(missing_ok=True)  # not recorded, so not kept: it all happens or none
        raise
    removed = files.prune(folder, facts.store_id, keep, newest=path)
    return BackupInfo(path, facts, tuple(removed))


def check_backup_folder(folder: Path) -> Path:
    """The folder, if it is there; never made up (a drive not plugged in would otherwise
    have its backups written to the laptop's own disk, under its mount point)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(
            f"There is no folder {folder}. If it is on a removable drive, plug the drive in; "
            "or choose another folder.",
            "folder",
        )
    return folder


def _note_last_backup(db: Session, at: dt.datetime, file_name: str) -> None:
    row = db.get(StoreMeta, LAST_BACKUP_KEY) or StoreMeta(key=LAST_BACKUP_KEY, value="")
    row.value = json.dumps({"at": at.isoformat(), "file": file_name})
    db.add(row)


def last_backup(session: UserSession) -> LastBackup | None:
    """When this store's last backup was made (by any copy of Casebook), or None if never.
    Not secret: any signed-in account may ask, so the reminder can show to everyone."""
    with session.transaction() as db:
        row = db.get(StoreMeta, LAST_BACKUP_KEY)
        value = row.value if row else ""
    try:
        data = json.loads(value)
        at = dt.datetime.fromisoformat(data["at"])
        if at.tzinfo is None or not isinstance(data["file"], str):
            raise ValueError("not a moment")
    except (ValueError, KeyError, TypeError):
        return None
    return LastBackup(at, data["file"])


def store_made_at(session: UserSession) -> dt.datetime:
    """When the store was made: a store never backed up is reminded once it is a week old,
    not the day it is made."""
    from desktop.storage.models import Trust

    with session.transaction() as db:
        made = db.scalar(select(Trust.created_at).order_by(Trust.id).limit(1))
    return made if made is not None else dt.datetime.now(dt.UTC)


def inspect_backup(path: Path, *, progress: Progress | None = None) -> BackupFacts:
    """What a backup holds, once it is shown to be a whole Casebook backup this version can
    restore (BackupProblem, in plain words, if not). Needs no password."""
    return read_backup(Path(path), progress=progress or no_progress)


def store_present(store_path: Path) -> bool:
    """Whether anything of a store is at `store_path` (a restore would move it aside)."""
    return restore.store_present(Path(store_path))


def restore_backup(
    backup: Path,
    store_path: Path,
    *,
    force: bool = False,
    username: str | None = None,
    password: str | None = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Put a backup's store at `store_path`. A store already there is refused unless
    `force`, and then kept beside it under a new name, never deleted. With `username` and
    `password` the restored copy is opened and checked before anything is replaced; if any
    check fails, nothing is changed."""
    backup, store_path = Path(backup), Path(store_path)
    if store_path.is_dir():
        raise ValidationError(f"{store_path} is a folder; give the case store's file.", "db")
    if not force and restore.store_present(store_path):
        raise StoreExists(
            f"A case store already exists at {store_path}. Restoring over it keeps it beside "
            "the restored one under a new name; it is never deleted."
        )
    staged = restore.stage_restore(backup, store_path, progress=progress or no_progress)
    try:
        check = None
        if username is not None:
            check = _check_restored(staged.path, staged.facts, backup, username, password or "")
        kept = restore.put_in_place(staged, store_path, force=force)
    finally:
        staged.discard()
    return RestoreResult(staged.facts, store_path, tuple(kept), check)


def _check_restored(
    path: Path, facts: BackupFacts, backup: Path, username: str, password: str
) -> RestoreCheck:
    """Open the staged copy as `username` and check it; StoreDamaged if anything fails."""
    session = auth.sign_in(path, username=username, password=password)
    # The check is Casebook's, signed out below; the person signs in afterwards, giving
    # their second factor's code there if they use one.
    session.second_factor_step = None
    try:
        problems = files.store_problems(session.store)
        if problems:
            raise StoreDamaged(_NOT_RESTORED.format(what="fails its integrity check"))
        with session.transaction() as db:
            if facts.audit_head is not None:
                found = db.scalar(
                    select(AuditEntry.entry_hash).where(AuditEntry.id == facts.audit_head[0])
                )
                if found != facts.audit_head[1]:
                    raise StoreDamaged(
                        _NOT_RESTORED.format(what="does not hold the audit trail it should")
                    )
        entries = None
        if session.can(Operation.VIEW_AUDIT):
            report = audit.verify_chain(session)
            if not report.intact:
                what = f"has an audit trail that does not check out ({report.reason})"
                raise StoreDamaged(_NOT_RESTORED.format(what=what))
            entries = report.entries
        with session.transaction(write=True) as db:
            detail = {
                "backup": backup.name,
                "made_at": facts.created_at.isoformat(),
                "up_to_entry": facts.audit_head[0] if facts.audit_head else 0,
            }
            audit.record(db, session.actor, "store.restored", detail=detail)
            _note_last_backup(db, facts.created_at, backup.name)
        return RestoreCheck(session.actor.username, entries, session.notices)
    finally:
        try:
            auth.sign_out(session)
        except Exception as exc:  # the check's own answer matters more than recording the lock
            # Not exc_info: a database error's message quotes the statement's values.
            log.warning("restore.sign_out_failed\n%s", describe_exception(exc))
            session.close()


_NOT_RESTORED = (
    "The store in this backup {what}, so it was not restored and nothing was changed. "
    "Try another backup, or ask your IT support."
)
