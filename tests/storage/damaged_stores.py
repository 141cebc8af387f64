"""Kinds of damage done to a store's files, and what each must give (issue 12, part 6).

Shared by tests/storage/test_damaged_files.py (the services) and tests/cli/test_cli_damaged.py
(the command line). Each kind damages a closed store in place and names the typed error it
must meet, words the message must hold, and whether it can be told without a password.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from desktop.errors import (
    DatabaseDamaged,
    DatabaseUnreadable,
    KeyFileDamaged,
    KeyFileForeign,
    KeyFileMissing,
    NotACaseStore,
    StoreTooNew,
    WrongRecoveryKey,
)
from desktop.services.setup import AdminDraft, SchoolDraft, SetupResult, TrustDraft, create_store
from desktop.storage.engine import key_pragma
from desktop.storage.frontdesk import front_desk_path_for
from desktop.storage.keyvault import keys_path_for
from tests.conftest import ADMIN_PASSWORD

PAGE = 4096
RESTORE_WORDS = ("Restore from a backup", "File > Restore from a backup…", "casebook restore")
IGNORED = (".lock", ".open")  # lock files sign-in and the window take: they hold nothing


@dataclass(frozen=True)
class Made:
    """A closed store, as made: what a kind of damage may need to know."""

    path: Path
    key: bytes
    recovery_key: str


@dataclass(frozen=True)
class Damage:
    name: str
    make: Callable[[Made], None]
    error: type[Exception]
    words: tuple[str, ...]
    before_password: bool  # found from the files alone, before anyone is asked for one
    recovery_error: type[Exception] | None = None  # what the right recovery key meets instead

    def __str__(self) -> str:
        return self.name


def make_store(path: Path) -> Made:
    """A one-school store with `admin` (ADMIN_PASSWORD), closed, its log folded in."""
    result = create_store(
        path,
        trust=TrustDraft("Elm Trust", "", None, (SchoolDraft("Elm Primary"),)),
        admin=AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD),
    )
    return close(result)


def close(result: SetupResult) -> Made:
    store = result.session.store
    made = Made(store.path, store.key, result.recovery_key)  # type: ignore[attr-defined]
    result.session.close()
    assert not Path(f"{made.path}-wal").exists()  # everything is in the file itself
    return made


# -- the kinds of damage -----------------------------------------------------------------------
def _flip(path: Path, start: int, length: int) -> None:
    data = bytearray(path.read_bytes())
    data[start : start + length] = bytes(b ^ 0xFF for b in data[start : start + length])
    path.write_bytes(bytes(data))


def truncated_mid_page(made: Made) -> None:
    data = made.path.read_bytes()
    made.path.write_bytes(data[: len(data) // 2 + 100])


def truncated_at_a_page(made: Made) -> None:
    data = made.path.read_bytes()
    made.path.write_bytes(data[: (len(data) // PAGE // 2) * PAGE])


def middle_page_flipped(made: Made) -> None:
    pages = made.path.stat().st_size // PAGE
    _flip(made.path, (pages // 2) * PAGE + 2000, 8)


def header_flipped(made: Made) -> None:
    _flip(made.path, 0, 16)  # SQLCipher's salt: the first page no longer opens


def header_flipped_and_no_front_desk_list(made: Made) -> None:
    header_flipped(made)
    front_desk_path_for(made.path).unlink()


def newer_schema(made: Made) -> None:
    with sqlcipher3.connect(str(made.path)) as conn:
        conn.execute(key_pragma(made.key))
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")


def newer_key_file(made: Made) -> None:
    keys = keys_path_for(made.path)
    data = json.loads(keys.read_text())
    data["version"] += 1
    keys.write_text(json.dumps(data))


def key_file_missing(made: Made) -> None:
    keys_path_for(made.path).unlink()


def key_file_garbage(made: Made) -> None:
    keys_path_for(made.path).write_bytes(b"\x00\x01\xfe not a key file at all")


def key_file_foreign_json(made: Made) -> None:
    keys_path_for(made.path).write_text(json.dumps({"format": "someone-else", "slots": []}))


def key_file_of_another_store(made: Made) -> None:
    """Another store's key file (its administrator has the same password), put beside."""
    other = made_elsewhere(made.path.parent / "elsewhere" / "other.casebook")
    shutil.copyfile(keys_path_for(other.path), keys_path_for(made.path))


def made_elsewhere(path: Path) -> Made:
    path.parent.mkdir()
    return make_store(path)


def _replace(made: Made, content: bytes, *, keep_keys: bool) -> None:
    made.path.write_bytes(content)
    if not keep_keys:
        keys_path_for(made.path).unlink()
        front_desk_path_for(made.path).unlink()


def pdf_renamed(made: Made) -> None:
    _replace(made, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + os.urandom(5000), keep_keys=False)


def pdf_renamed_beside_the_key_file(made: Made) -> None:
    _replace(made, b"%PDF-1.4\n" + os.urandom(8183), keep_keys=True)


def empty_file(made: Made) -> None:
    _replace(made, b"", keep_keys=False)


def plain_sqlite(made: Made) -> None:
    made.path.unlink()
    keys_path_for(made.path).unlink()
    with sqlite3.connect(made.path) as conn:
        conn.execute("CREATE TABLE cases (name TEXT)")
    conn.close()


def backup_renamed(made: Made) -> None:
    """A Casebook backup file given the store's name (the backup itself is sound)."""
    from desktop.services import auth
    from desktop.services.backups import make_backup

    folder = made.path.parent / "usb"
    folder.mkdir()
    session = auth.sign_in(made.path, username="admin", password=ADMIN_PASSWORD)
    try:
        backup = make_backup(session, folder=folder).path
    finally:
        auth.sign_out(session)
    _replace(made, backup.read_bytes(), keep_keys=False)


DAMAGED = ("damaged",)
KINDS = [
    Damage(
        "truncated mid-page",
        truncated_mid_page,
        DatabaseDamaged,
        ("incomplete", *RESTORE_WORDS),
        True,
    ),
    Damage(
        "truncated at a page", truncated_at_a_page, DatabaseDamaged, DAMAGED + RESTORE_WORDS, False
    ),
    Damage(
        "a middle page flipped",
        middle_page_flipped,
        DatabaseDamaged,
        DAMAGED + RESTORE_WORDS,
        False,
    ),
    Damage("header flipped", header_flipped, DatabaseDamaged, DAMAGED + RESTORE_WORDS, False),
    Damage(
        "header flipped, no front-desk list",
        header_flipped_and_no_front_desk_list,
        DatabaseUnreadable,
        ("does not open with the key file", "belongs to a different store", *RESTORE_WORDS),
        False,
    ),
    Damage(
        "newer schema",
        newer_schema,
        StoreTooNew,
        ("made by a newer version of Casebook", "Update Casebook"),
        False,
    ),
    Damage(
        "newer key file",
        newer_key_file,
        StoreTooNew,
        ("made by a newer version of Casebook", "Update Casebook"),
        True,
    ),
    Damage(
        "key file missing",
        key_file_missing,
        KeyFileMissing,
        ("is missing", "travels with the store", "no new key file", *RESTORE_WORDS),
        True,
    ),
    Damage(
        "key file garbage",
        key_file_garbage,
        KeyFileDamaged,
        ("not a Casebook key file", *RESTORE_WORDS),
        True,
    ),
    Damage(
        "key file foreign JSON",
        key_file_foreign_json,
        KeyFileDamaged,
        ("not a Casebook key file", *RESTORE_WORDS),
        True,
    ),
    Damage(
        "key file of another store",
        key_file_of_another_store,
        KeyFileForeign,
        ("belongs to a different store", *RESTORE_WORDS),
        False,
        recovery_error=WrongRecoveryKey,
    ),
    Damage(
        "a PDF renamed",
        pdf_renamed,
        NotACaseStore,
        ("not a Casebook case store", "PDF", *RESTORE_WORDS),
        True,
    ),
    Damage(
        "a PDF beside the key file",
        pdf_renamed_beside_the_key_file,
        NotACaseStore,
        ("not a Casebook case store", "PDF", *RESTORE_WORDS),
        True,
    ),
    Damage(
        "an empty file",
        empty_file,
        NotACaseStore,
        ("not a Casebook case store", "empty", *RESTORE_WORDS),
        True,
    ),
    Damage(
        "a plain SQLite database",
        plain_sqlite,
        NotACaseStore,
        ("not a Casebook case store", "SQLite", *RESTORE_WORDS),
        True,
    ),
    Damage(
        "a backup renamed",
        backup_renamed,
        NotACaseStore,
        ("not a Casebook case store", "Casebook backup", *RESTORE_WORDS),
        True,
    ),
]
BEFORE_PASSWORD = [kind for kind in KINDS if kind.before_password]


# -- files unchanged -----------------------------------------------------------------------------
Snapshot = dict[str, tuple[bytes, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every file beside the store (lock files aside): its bytes and its modification time."""
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(IGNORED)
    }


def assert_unchanged(before: Snapshot, folder: Path, *, key_file_name: str, kind: Damage) -> None:
    """Nothing was made, removed or written beside the store. Once a password has fitted,
    the key file's sign-in throttle records (kept outside every tag, written before anyone is
    in) are the only thing that may differ; its slots and header never."""
    after = snapshot(folder)
    assert sorted(after) == sorted(before), "files were made or removed"
    for name, (content, mtime) in before.items():
        if name == key_file_name and not kind.before_password:
            assert _without_throttle(after[name][0]) == _without_throttle(content), name
        else:
            assert after[name] == (content, mtime), f"{name} was written"


def _without_throttle(raw: bytes) -> dict[str, object]:
    data = json.loads(raw)
    data.pop("throttle", None)
    return data
