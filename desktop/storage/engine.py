"""The SQLCipher engine: a raw random key, set first on every connection."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from desktop.errors import StoreDamaged

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
# An execution option the "begin" hook reads: this transaction will write.
WRITE_OPTION = "casebook_write"


def key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("the database key must be 32 bytes")
    # Only hex digits of random bytes reach this statement; never text a person typed.
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def make_engine(path: Path, key: bytes) -> Engine:
    """An engine whose every connection is keyed, quiet on failure, and strict."""
    key_sql = key_pragma(key)

    def connect() -> sqlcipher3.Connection:
        conn = sqlcipher3.connect(
            str(path),
            check_same_thread=False,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        conn.execute(key_sql)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        # SQLite's lower() folds only A-Z; searches need the same folding as Python's.
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        return conn

    # module= makes SQLAlchemy wrap sqlcipher3's exceptions (DatabaseError and friends).
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3.dbapi2,
        creator=connect,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        # The driver's own transaction handling is off (isolation_level=None); begin here so
        # reads and writes in one service call share one transaction.
        #
        # A transaction that will write takes the write lock at once (IMMEDIATE). A DEFERRED
        # one that reads first and writes later cannot wait for another writer: in WAL mode
        # SQLite refuses its upgrade at once (SQLITE_BUSY_SNAPSHOT, "database is locked")
        # whatever busy_timeout says, because its snapshot is already stale. IMMEDIATE
        # waits up to busy_timeout for the lock, and nothing can change between its reads
        # and its writes, so "read the highest number, write the next" is safe.
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def writing(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose transaction holds the store's write lock from its first statement.

    Use it for every transaction that may write; plain `sessions.begin()` is for reads.
    Committed on success, rolled back on any exception.
    """
    with sessions.begin() as db:
        db.connection(execution_options={WRITE_OPTION: True})
        yield db


def configure_new_database(engine: Engine, path: Path) -> None:
    """Settings kept in the file itself, made once when the store is created.

    The file is readable by its owner only (SQLite gives its -wal and -shm files the same
    mode); it is encrypted, but other accounts on the laptop have no reason to copy it.
    """
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
    finally:
        raw.close()
    os.chmod(path, 0o600)


def probe(engine: Engine) -> None:
    """Read the schema once: a key that does not fit shows up here, not at a later query.

    The key came out of an authenticated key slot, so a failure here means the database
    file is damaged or is not the one the key file belongs to.
    """
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    except DatabaseError:
        engine.dispose()
        raise StoreDamaged() from None


def fold_in_log(engine: Engine) -> None:
    """Copy what the write-ahead log holds into the file, without waiting for any reader.

    After a re-key cut short between `PRAGMA rekey` and its checkpoint, the log holds every
    page under the new key and the file still has them under the old one: readable through
    the log, but the file's own pages fail their seal check until they are copied over.
    """
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        cursor.close()
    finally:
        raw.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def looks_like_plain_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16) == SQLITE_HEADER
