"""`casebook audit verify` against the attacks the probe made (issue 14, finding 3).

Each attack is made with what a user holding the database key and a SQLite shell has:
the case database key, the key file and the files on disk, but nobody else's password
and not the trust's audit key. After each, verify exits 1 and names what it found, on
the first run and on every run after (the sign-in before verify must not cover it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
import sqlcipher3

from desktop.cli import main
from desktop.services import auth, users
from desktop.storage import keycrypto as kc
from desktop.storage.engine import key_pragma
from desktop.storage.keyvault import KeyFile, keys_path_for

PASSWORD = "correct horse battery"


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    """A store with a few entries from two accounts, and its database key."""
    monkeypatch.setenv("CASEBOOK_PASSWORD", PASSWORD)
    path = tmp_path / "trust.casebook"
    code = main(
        ["init", "--db", str(path), "--trust", "Oakfield Learning Trust", "--admin", "admin"]
        + ["--school", "Ash Primary", "--admin-name", "Alex Admin"]
    )
    assert code == 0
    session = auth.sign_in(path, username="admin", password=PASSWORD)
    for name in ("bm1", "bm2", "bm3"):
        users.add_user(
            session,
            username=name,
            full_name=name.upper(),
            role="business_manager",
            school_ids=[1],
            password=PASSWORD,
        )
    key = session.store.key  # type: ignore[attr-defined]
    auth.sign_out(session)
    capsys.readouterr()
    return path, key


def _sql(path: Path, key: bytes, *statements: str) -> list[tuple[object, ...]]:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute(key_pragma(key))
        rows: list[tuple[object, ...]] = []
        for statement in statements:
            rows = conn.execute(statement).fetchall()
        return rows
    finally:
        conn.close()


def _verify(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    code = main(["audit", "verify", "--db", str(path), "--user", "admin"])
    out, err = capsys.readouterr()
    return code, out + err


def _verify_fails_every_time(capsys, path: Path, *words: str) -> str:
    for _ in range(3):
        code, text = _verify(capsys, path)
        assert code == 1, text
        assert "NOT intact" in text
        for word in words:
            assert word in text, text
    return text


def test_an_untouched_trail_verifies(store, capsys) -> None:
    path, _ = store
    code, text = _verify(capsys, path)
    assert code == 0 and "intact" in text


def test_deleting_the_newest_entries(store, capsys) -> None:
    path, key = store
    (newest,) = _sql(path, key, "SELECT max(id) FROM audit_entries")[0]
    _sql(
        path,
        key,
        "DROP TRIGGER audit_entries_no_delete",
        f"DELETE FROM audit_entries WHERE id > {int(newest) - 5}",  # type: ignore[call-overload]
    )
    _verify_fails_every_time(capsys, path, "were removed")


def test_deleting_the_newest_entries_and_fixing_the_database_head(store, capsys) -> None:
    """The head kept in the database is put right too: the key file's copy still shows it."""
    path, key = store
    (newest,) = _sql(path, key, "SELECT max(id) FROM audit_entries")[0]
    keep = int(newest) - 3  # type: ignore[call-overload]
    (last_hash,) = _sql(path, key, f"SELECT entry_hash FROM audit_entries WHERE id = {keep}")[0]
    _sql(
        path,
        key,
        "DROP TRIGGER audit_entries_no_delete",
        f"DELETE FROM audit_entries WHERE id > {keep}",
        f"UPDATE store_meta SET value = '{keep}:{last_hash}' WHERE key = 'audit_head'",
        """CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN
            SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    )
    _verify_fails_every_time(capsys, path, "were removed")


def test_editing_the_head_record(store, capsys) -> None:
    path, key = store
    _sql(path, key, "UPDATE store_meta SET value = '2:" + "0" * 64 + "' WHERE key = 'audit_head'")
    _verify_fails_every_time(capsys, path, "record of the newest entry")


def test_dropping_the_guards(store, capsys) -> None:
    path, key = store
    _sql(path, key, "DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete")
    _verify_fails_every_time(capsys, path, "audit_entries_no_update", "audit_entries_no_delete")


@pytest.mark.parametrize("how", ["sha256", "hmac-with-the-database-key"])
def test_rewriting_the_whole_chain_with_only_the_database_key(store, capsys, how: str) -> None:
    """Change one entry, then recompute every hash after it (and both head records) with
    what the database key gives: the seals cannot be made without the audit key."""
    path, key = store
    rows = _sql(
        path,
        key,
        "SELECT id, at, user_id, username, action, case_id, detail FROM audit_entries ORDER BY id",
    )
    statements = ["DROP TRIGGER audit_entries_no_update"]
    prev = "0" * 64
    for entry_id, at, user_id, username, action, case_id, detail in rows:
        if entry_id == 2:
            detail = json.dumps({"user_id": 99, "role": "auditor"})
        canonical = json.dumps(
            [entry_id, str(at), user_id, username, action, case_id, detail, prev],
            separators=(",", ":"),
        ).encode()
        if how == "sha256":
            digest = hashlib.sha256(canonical).hexdigest()
        else:
            digest = hmac.new(key, canonical, hashlib.sha256).hexdigest()
        statements.append(
            f"UPDATE audit_entries SET detail = '{detail}', prev_hash = '{prev}', "
            f"entry_hash = '{digest}' WHERE id = {entry_id}"
        )
        prev = digest
    statements.append(
        f"UPDATE store_meta SET value = '{rows[-1][0]}:{prev}' WHERE key = 'audit_head'"
    )
    _sql(path, key, *statements)
    # The key file's copy of the head is put right too, its tag remade with the database key.
    keyfile = KeyFile.load(keys_path_for(path))
    data = json.loads(keys_path_for(path).read_text())
    data["audit_head"] = {"id": rows[-1][0], "hash": prev}
    header = {
        name: data.get(name)
        for name in ("format", "version", "store_id", "lookup_salt", "epoch", "audit_head")
    }
    header["slots"] = sorted(data["slots"])
    tag_key = kc.hkdf(key, keyfile.store_id.encode(), "casebook key file tag")
    data["header_tag"] = kc.tag(tag_key, header)
    keys_path_for(path).write_text(json.dumps(data))
    text = _verify_fails_every_time(capsys, path, "not written by Casebook")
    assert "entry 1:" in text  # every entry fails its seal, from the first
