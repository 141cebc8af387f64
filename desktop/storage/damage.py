"""Telling a damaged or foreign store file apart, before anything is written to it.

Opening a store reads and never writes until every check here has passed: the database
file looks like an encrypted store (not empty, not cut short, not a PDF or a plain SQLite
file), every page passes its seal, and the key file beside it belongs to it. Each finding
is a typed error (`desktop.errors`) whose words say what is wrong and the way forward.

The checks that need no key (`check_store_files`) load no database code: start-up makes
them before its first window opens.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.errors import (
    DatabaseDamaged,
    DatabaseUnreadable,
    KeyFileForeign,
    NotACaseStore,
    StoreDamaged,
    StoreMissing,
)
from desktop.paths import keys_file_for as keys_path_for
from desktop.storage.keyfile_shape import read_key_file

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

# The first 16 bytes of a plain SQLite file (engine.SQLITE_HEADER, which is not imported
# here: that would load SQLAlchemy and SQLCipher before start-up's first window).
SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite's smallest page: a database file, encrypted or not, is whole pages.
MIN_PAGE_BYTES = 512
SQLITE_CORRUPT = 11  # the page opened with the key, but what it holds is not sound
_BACKUP_MANIFEST = b"casebook-backup-manifest.json"  # a backup's first member, at byte 30


def foreign_kind(head: bytes, size: int) -> str | None:
    """What sort of file this is, when it is plainly not an encrypted store; else None.

    An encrypted store begins with 16 random bytes, so only signatures too long to turn
    up there by chance are recognised.
    """
    if size == 0:
        return "the file is empty"
    if head.startswith(SQLITE_HEADER):
        return "it is an ordinary SQLite database, not an encrypted case store"
    if head[:5] == b"%PDF-" and head[5:6].isdigit() and head[6:7] == b".":
        return "it is a PDF document"
    if head[:4] == b"PK\x03\x04" and head[5:6] == b"\x00":
        if head[30 : 30 + len(_BACKUP_MANIFEST)] == _BACKUP_MANIFEST:
            return "it is a Casebook backup, which is restored, not opened"
        return "it is a zip archive (a Word or Excel document, perhaps)"
    return None


def check_database_file(path: Path) -> None:
    """Refuse, before any connection touches it, a file that cannot be a case store: an
    empty, cut-short or foreign file is never opened, so never written into."""
    try:
        if path.is_dir():
            raise NotACaseStore(path.name, "it is a folder")
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(64)
    except FileNotFoundError:
        raise StoreMissing(f"There is no case store at {path}.") from None
    what = foreign_kind(head, size)
    if what is not None:
        raise NotACaseStore(path.name, what)
    if size < MIN_PAGE_BYTES or size % MIN_PAGE_BYTES:
        raise DatabaseDamaged(path.name, incomplete=True)


def check_store_files(path: Path) -> None:
    """All that can be told without a key: the database file could be a store, and a key
    file of the right shape is beside it. Reads only; a missing key file stays missing."""
    check_database_file(path)
    read_key_file(keys_path_for(path))


def check_pages(engine: Engine, path: Path) -> None:
    """Every page of the opened database passes its seal, and none is missing.

    Run before anything writes (a migration, the sign-in's audit entry): a store damaged
    in a page sign-in never reads would otherwise be written to. SQLCipher's own check
    reads the whole file (about 5 ms a megabyte); a file cut short at a page boundary
    fails the page count, which SQLite checks against the header.
    """
    import sqlcipher3

    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        conn.execute("PRAGMA page_count").fetchone()
        problems = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    except sqlcipher3.DatabaseError as exc:
        raise DatabaseDamaged(path.name) from exc
    finally:
        raw.close()
    if problems:
        log.info("store.pages_fail_their_seal count=%d", len(problems))
        raise DatabaseDamaged(path.name)


def why_unopened(path: Path, key: bytes, front_desk_key: bytes, store_id: str) -> StoreDamaged:
    """The error to give when the key from the key file does not open the database.

    SQLite says "malformed" when the first page opened with the key but is not sound: the
    file is damaged. Otherwise the first page fails its seal: the file is damaged at its
    start, or the key file is another store's. The front-desk list beside the store tells
    which when it can: sealed with the same key file's keys, the key file is this store's.
    """
    from desktop.storage import frontdesk

    keys_name = keys_path_for(path).name
    if _first_read_error(path, key) == SQLITE_CORRUPT:
        return DatabaseDamaged(path.name)
    try:
        beside = frontdesk.read_list(frontdesk.front_desk_path_for(path), front_desk_key, store_id)
    except (StoreDamaged, OSError):
        return KeyFileForeign(path.name, keys_name)
    if beside is not None:
        return DatabaseDamaged(path.name)
    return DatabaseUnreadable(path.name, keys_name)


def _first_read_error(path: Path, key: bytes) -> int | None:
    """SQLite's error code for the first read with `key` (None if it reads); the same read
    as the engine's probe, which writes nothing."""
    import sqlcipher3

    from desktop.storage.engine import key_pragma

    try:
        conn = sqlcipher3.connect(str(path), isolation_level=None)
    except sqlcipher3.Error:
        return None
    try:
        conn.execute(key_pragma(key))
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.Error as exc:
        return getattr(exc, "sqlite_errorcode", None)
    finally:
        conn.close()
    return None
