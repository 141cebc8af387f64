"""A backup made by `casebook backup` and put back by `casebook restore` holds the same
records, row by row, in every table; it opens with the recovery key; its audit trail
verifies (issue 12's "done when").

The store is the sample trust (cases, people, incidents, sanctions and their letters,
evidence, tasks, accounts), so every kind of record is in it. The backup is compared with
the live store as it was when the backup was taken: the live store has moved on since by
exactly what taking the backup wrote (the sign-in, the backup's own audit entries and the
note of when the last backup was made), and those are named below, not skipped wholesale.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlcipher3

from desktop.services import audit, auth, setup
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.storage.engine import key_pragma
from tests.cli.test_cli import run

Rows = dict[str, list[tuple[object, ...]]]
# What taking the backup writes in the live store after the snapshot: nothing here is in the
# backup, and nothing else may differ.
BACKUP_META = {"last_backup"}


def _dump(path: Path, key: bytes) -> Rows:
    """Every row of every table (the search index's own tables included), in a fixed order."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute(key_pragma(key))
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {table: _rows(conn, table) for table in tables}
    finally:
        conn.close()


def _rows(conn: sqlcipher3.Connection, table: str) -> list[tuple[object, ...]]:
    query = f'SELECT * FROM "{table}"'  # noqa: S608 - a name from the schema
    try:
        return conn.execute(f"{query} ORDER BY rowid").fetchall()
    except sqlcipher3.OperationalError:  # a table without rowids: ordered by its key
        return conn.execute(query).fetchall()


def _key(path: Path) -> bytes:
    session = auth.sign_in(path, username="admin", password=SAMPLE_PASSWORD)
    try:
        return session.store.key  # type: ignore[attr-defined,no-any-return]
    finally:
        session.close()


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """The sample trust with 40 cases, and the recovery key its making printed nowhere."""
    made: dict[str, str] = {}
    real_create = setup.create_store

    def keep_recovery_key(*args, **kwargs):
        result = real_create(*args, **kwargs)
        made["recovery_key"] = result.recovery_key
        return result

    monkeypatch.setattr(setup, "create_store", keep_recovery_key)
    path = tmp_path / "laptop" / "trust.casebook"
    create_demo_store(path, cases=40, today=dt.date(2026, 11, 20))
    monkeypatch.setenv("CASEBOOK_PASSWORD", SAMPLE_PASSWORD)
    return path, made["recovery_key"]


def test_a_cli_backup_restores_every_record_and_opens_with_the_recovery_key(
    capsys, sample: tuple[Path, str], tmp_path: Path
) -> None:
    live, recovery_key = sample
    key = _key(live)
    usb = tmp_path / "usb"
    usb.mkdir()
    code, printed, err = run(capsys, "backup", "--db", live, "--user", "admin", "--out", usb)
    assert code == 0, err
    backup = Path(printed.strip())
    target = tmp_path / "new laptop" / "trust.casebook"
    target.parent.mkdir()
    code, _out, err = run(capsys, "restore", "--backup", backup, "--db", target)
    assert code == 0, err

    before, after = _dump(live, key), _dump(target, key)  # the same key opens both
    assert before.keys() == after.keys()
    assert len(before["cases"]) == 40 and before["letters"] and before["evidence"]
    # The live store's trail runs on past the backup by what the backup itself wrote.
    kept, later = before.pop("audit_entries"), after.pop("audit_entries")
    assert later == kept[: len(later)]
    assert {row[4] for row in kept[len(later) :]} == {"store.backed_up", "user.signed_out"}
    meta_before = {row[0]: row for row in before.pop("store_meta")}
    meta_after = {row[0]: row for row in after.pop("store_meta")}
    assert meta_before.keys() - BACKUP_META == meta_after.keys() - BACKUP_META
    changed = {k for k in meta_after if meta_before.get(k) != meta_after[k]}
    assert changed <= BACKUP_META | {"audit_head"}
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after the restore"

    session = auth.reset_password_with_recovery_key(
        target, recovery_key=recovery_key, username="admin", new_password="a new password 2"
    )
    try:
        report = audit.verify_chain(session)
        assert report.intact, report.reason
        assert report.entries >= len(later)
    finally:
        session.close()
