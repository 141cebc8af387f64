"""Nothing about a case is readable on disk without the key."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop.services.auth import sign_in
from desktop.services.cases import list_cases, open_case
from desktop.services.setup import SetupResult
from desktop.storage.engine import SQLITE_HEADER, looks_like_plain_sqlite
from desktop.storage.keyvault import keys_path_for
from tests.conftest import ADMIN_PASSWORD

MARKER = "MARKER7731"


def _files(store_path: Path) -> list[Path]:
    candidates = [store_path, Path(f"{store_path}-wal"), keys_path_for(store_path)]
    return [p for p in candidates if p.exists()]


@pytest.fixture
def marked_store(new_store: SetupResult, store_path: Path) -> Path:
    open_case(
        new_store.session,
        given_name="Zebediah",
        family_name=f"Quarrington-{MARKER}",
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 3, 2),
        summary=f"Shouted at reception {MARKER}",
        address=f"12 {MARKER} Road",
    )
    new_store.session.close()
    return store_path


def test_marker_is_not_on_disk(marked_store: Path) -> None:
    files = _files(marked_store)
    assert marked_store in files and keys_path_for(marked_store) in files
    for path in files:
        data = path.read_bytes()
        for needle in (MARKER, "Zebediah", "Quarrington", "Oakfield Learning Trust", "admin"):
            assert needle.encode("utf-8") not in data, f"{needle!r} found in {path.name}"
            assert needle.encode("utf-16-le") not in data, f"{needle!r} found in {path.name}"


def test_marker_is_not_on_disk_while_open(new_store: SetupResult, store_path: Path) -> None:
    open_case(
        new_store.session,
        given_name="Zebediah",
        family_name=f"Quarrington-{MARKER}",
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 3, 2),
    )
    # The session is still open, so recent pages may sit in the -wal file.
    for path in _files(store_path):
        assert MARKER.encode() not in path.read_bytes(), path.name


def test_database_has_no_sqlite_header(marked_store: Path) -> None:
    assert not marked_store.read_bytes().startswith(SQLITE_HEADER)
    assert not looks_like_plain_sqlite(marked_store)


def test_standard_sqlite_cannot_read_it(marked_store: Path) -> None:
    conn = sqlite3.connect(marked_store)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute("select * from sqlite_master").fetchall()
    finally:
        conn.close()


def test_the_right_password_still_reads_it(marked_store: Path) -> None:
    session = sign_in(marked_store, username="admin", password=ADMIN_PASSWORD)
    try:
        rows = list_cases(session, search=MARKER)
        assert [r.subject for r in rows] == [f"Zebediah Quarrington-{MARKER}"]
    finally:
        session.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_store_files_are_readable_by_their_owner_only(new_store, store_path: Path) -> None:
    new_store.session.close()
    for path in (store_path, Path(f"{store_path}.keys")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
