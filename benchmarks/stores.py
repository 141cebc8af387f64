"""The stores the benchmarks run on: made fresh, cached between runs, or copied to plain SQLite.

- `BigStore`: the sample trust grown to 100,000 incidents (67,000 cases; the sample makes
  about 1.5 incidents per case, and any shortfall is made up in bulk by `top_up_incidents`).
  It takes about a minute to make, so it is kept in a cache folder under the system's temp
  folder, named after the schema's Alembic head and `DATA_VERSION`, and made again only when
  either changes (or with `--rebuild`).
- `open_with_engine`: the same store class the app uses, over either its own SQLCipher
  engine or a plain SQLite copy (`plain_copy`, the schema built by Alembic on a `sqlite3`
  engine), so a workload through the services differs only in the cipher (and in the
  SQLite version: SQLCipher carries its own).

Benchmark tooling: it reaches into `desktop.storage`, which the app's own layers never do
outside `desktop/services`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.pool import QueuePool

from desktop.services import auth
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.services.session import UserSession, bind_store
from desktop.services.store import actor_for, find_user
from desktop.storage import migrate
from desktop.storage import models as m
from desktop.storage.engine import WRITE_OPTION, configure_new_database, make_engine
from desktop.storage.filestore import EncryptedFileStore, open_store
from desktop.storage.keyvault import KeyFile, keys_path_for

# Bump when what the cached store holds changes in a way the schema head does not show.
DATA_VERSION = 1
INCIDENTS = 100_000
BIG_CASES = 67_000  # at ~1.5 incidents a case, the sample reaches INCIDENTS on its own
SEED = 1
TODAY = dt.date(2026, 11, 2)  # fixed, so the cached store is the same whenever it is made
CACHE_ENV = "CASEBOOK_BENCH_CACHE"
# Files that make up a store beside the database (copied with it).
COMPANIONS = (".keys", ".frontdesk")
# Connection settings copied from an encrypted connection to each plain one, so the two
# engines differ in the cipher alone (SQLCipher's default page cache is 4x SQLite's).
SHARED_PRAGMAS = (
    "cache_size",
    "synchronous",
    "temp_store",
    "foreign_keys",
    "busy_timeout",
    "secure_delete",
    "mmap_size",
    "automatic_index",
)


def cache_root() -> Path:
    """Where made stores are kept between runs: $CASEBOOK_BENCH_CACHE, or the temp folder."""
    chosen = os.environ.get(CACHE_ENV)
    return Path(chosen) if chosen else Path(tempfile.gettempdir()) / "casebook-bench-cache"


@dataclass(frozen=True)
class BigStore:
    path: Path
    cases: int
    incidents: int
    built_seconds: float | None  # None: taken from the cache


def store_files(path: Path) -> list[Path]:
    """The database and whichever of its companion files exist."""
    return [path] + [p for p in (path.with_name(path.name + s) for s in COMPANIONS) if p.exists()]


def copy_store(path: Path, folder: Path, name: str) -> Path:
    """A copy of a closed store (database, key file, front-desk list) under a new name."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    for source in store_files(path):
        shutil.copyfile(source, folder / (name + source.name[len(path.name) :]))
    return target


def count_rows(session: UserSession, table: type[m.Base]) -> int:
    with session.transaction() as db:
        return db.scalar(select(func.count()).select_from(table)) or 0


def top_up_incidents(session: UserSession, target: int) -> int:
    """Copy existing incidents (onto the same cases) until there are `target`; returns how
    many were added. Bulk INSERT ... SELECTs, each at most doubling the table, so any
    shortfall costs a fraction of a second."""
    table = m.Incident.__table__
    columns = [c for c in table.columns if c.name != "id"]
    added = 0
    with session.transaction(write=True) as db:
        have = db.scalar(select(func.count()).select_from(table)) or 0
        while have and have < target:
            source = select(*columns).order_by(table.c.id).limit(target - have)
            db.execute(insert(table).from_select([c.name for c in columns], source))
            now = db.scalar(select(func.count()).select_from(table)) or 0
            added, have = added + now - have, now
    return added


def big_store(
    *, rebuild: bool = False, progress: Callable[[str], None] = lambda _: None
) -> BigStore:
    """The 100,000-incident store, from the cache if it is there and current."""
    key = (
        f"incidents-{INCIDENTS}-cases-{BIG_CASES}-schema-{migrate.head_revision()}-v{DATA_VERSION}"
    )
    folder = cache_root() / key
    path = folder / "big.casebook"
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    built: float | None = None
    if not path.exists():
        progress(
            f"Making the {INCIDENTS:,}-incident store once (about a minute); cached in {folder}"
        )
        started = time.perf_counter()
        partial = Path(tempfile.mkdtemp(prefix="partial-", dir=_made(cache_root())))
        made = partial / "big.casebook"
        create_demo_store(made, cases=BIG_CASES, seed=SEED, today=TODAY)
        session = auth.sign_in(made, username="admin", password=SAMPLE_PASSWORD)
        try:
            top_up_incidents(session, INCIDENTS)
        finally:
            auth.sign_out(session)
        for stray in partial.glob("*.lock"):
            stray.unlink()
        partial.rename(folder)  # only a complete store ever has the cache's name
        built = time.perf_counter() - started
    session = auth.sign_in(path, username="admin", password=SAMPLE_PASSWORD)
    try:
        cases, incidents = count_rows(session, m.Case), count_rows(session, m.Incident)
    finally:
        auth.sign_out(session)
    return BigStore(path, cases, incidents, built)


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- the same store on plain SQLite --------------------------------------------------------
def app_pragmas() -> dict[str, int]:
    """The settings the app's engine gives each connection, read from a keyed in-memory one,
    so a setting added to `make_engine` (a bigger page cache, say) reaches the plain engine."""
    engine = make_engine(Path(":memory:"), os.urandom(32))
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            found = {name: raw.execute(f"PRAGMA {name}").fetchone() for name in SHARED_PRAGMAS}
    finally:
        engine.dispose()
    return {name: int(row[0]) for name, row in found.items() if row}  # none: a file-only one


def plain_engine(path: Path) -> Engine:
    """A plain-SQLite engine set up as `desktop.storage.engine.make_engine` sets up its
    SQLCipher one: same connection options, pragmas, `casefold`, pool and BEGIN /
    BEGIN IMMEDIATE hook; no key."""
    pragmas = app_pragmas()

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=5.0
        )
        for name, value in pragmas.items():
            conn.execute(f"PRAGMA {name} = {value:d}")  # integers read from SQLCipher
        conn.create_function(
            "casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v, deterministic=True
        )
        return conn

    engine = create_engine(
        "sqlite://",
        module=sqlite3,
        creator=connect,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def plain_copy(encrypted: Path, folder: Path) -> Path:
    """A plain SQLite copy of a closed store: the schema made by Alembic on a `sqlite3`
    engine, then every row copied across (the search index fills itself by its triggers).
    The key file and front-desk list are copied beside it unchanged."""
    target = copy_store(encrypted, folder, "plain.casebook")
    target.unlink()  # the encrypted database: replaced by a plain one below
    source = open_with_engine(encrypted)
    try:
        engine = plain_engine(target)
        configure_new_database(engine, target)  # WAL, as setup makes a new store
        migrate.upgrade(engine)
        _copy_rows(source.store.engine, engine)
        engine.dispose()
    finally:
        source.close()
    return target


def _copy_rows(source: Engine, target: Engine) -> None:
    known = [t.name for t in m.Base.metadata.sorted_tables]  # parents before children
    src, dst = source.raw_connection(), target.raw_connection()
    try:
        listed = [
            row[0]
            for row in src.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'case_search%' AND name != 'alembic_version'"
            )
        ]
        order = [t for t in known if t in listed] + [t for t in listed if t not in known]
        dst.execute("PRAGMA foreign_keys = OFF")
        dst.execute("BEGIN")
        for table in order:
            columns = [row[1] for row in src.execute(f'PRAGMA table_info("{table}")')]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            dst.execute(f'DELETE FROM "{table}"')  # noqa: S608 - rows a migration seeded
            rows = src.execute(f'SELECT {names} FROM "{table}"').fetchall()  # noqa: S608
            dst.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)  # noqa: S608
        dst.execute("COMMIT")
        dst.execute("PRAGMA foreign_keys = ON")
    finally:
        src.close()
        dst.close()


def open_with_engine(path: Path, *, plain: bool = False, username: str = "admin") -> UserSession:
    """Sign `username` in to a store the way the app does, but with the store's engine
    either the app's SQLCipher engine or, with `plain`, a plain SQLite one over `path`.

    Both are `EncryptedFileStore`: the key file, the write lock and the audit trail work
    identically, so whatever differs is the database engine.
    """
    keyfile = KeyFile.load(keys_path_for(path))
    opened = keyfile.open_with_password(username, SAMPLE_PASSWORD)
    if plain:
        engine = plain_engine(path)
        store = EncryptedFileStore(
            path=path, opened=opened, keyfile=keyfile, engine=engine, is_sample=True
        )
    else:
        store = open_store(path, opened, keyfile)
    with store.transaction(write=True) as db:
        bind_store(db, store)
        actor = actor_for(db, find_user(db, username))
    return UserSession(store, actor)
