"""Backups and restores through the services, on real encrypted stores (issue 12).

A backup must open with the same passwords and the recovery key, hold the cases as they
were when it was made, name no one in its plaintext, and be refused whole when damaged.
A restore never deletes a store: it refuses one already there, or keeps it aside.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from desktop.errors import (
    NotPermitted,
    StoreBusy,
    StoreDamaged,
    StoreExists,
    StoreMissing,
    ValidationError,
    WrongPassword,
)
from desktop.services import audit, auth, backups
from desktop.services.backups import BackupDamaged, BackupMissing, BackupTooNew, NotABackup
from desktop.services.cases import list_cases
from desktop.services.setup import AdminDraft, SchoolDraft, SetupResult, TrustDraft, create_store
from desktop.storage import migrate
from desktop.storage.engine import key_pragma, make_engine
from tests.conftest import ADMIN_PASSWORD
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details, open_parent_case

MANIFEST = "casebook-backup-manifest.json"
PERSONAL = ("Bartholomew", "Quigley", "Alex Admin")  # a subject's and a user's names


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "usb"
    out.mkdir()
    return out


@pytest.fixture
def with_case(new_store: SetupResult) -> SetupResult:
    open_parent_case(new_store.session, "Bartholomew", "Quigley")
    return new_store


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder and its bytes: to show that nothing changed."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _rewrite(backup: Path, target: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    """A copy of a backup with its manifest changed by `change(dict)`."""
    with zipfile.ZipFile(backup) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            new.writestr(info, data)
    return target


def _subjects(path: Path, password: str = ADMIN_PASSWORD) -> list[str]:
    session = auth.sign_in(path, username="admin", password=password)
    try:
        return sorted(row.subject for row in list_cases(session))
    finally:
        session.close()


# -- making one --------------------------------------------------------------------------------
def test_a_backup_opens_with_the_same_password_and_the_recovery_key(
    with_case: SetupResult, folder: Path, tmp_path: Path
) -> None:
    info = backups.make_backup(with_case.session, folder=folder)
    assert info.path.parent == folder and info.path.name.startswith("trust backup ")
    assert info.path.name.endswith(".casebook-backup")
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == [info.path.name]  # no temporary left

    restored = tmp_path / "new laptop" / "trust.casebook"
    restored.parent.mkdir()
    backups.restore_backup(info.path, restored)
    assert _subjects(restored) == ["Bartholomew Quigley"]
    session = auth.reset_password_with_recovery_key(
        restored,
        recovery_key=with_case.recovery_key,
        username="admin",
        new_password="a new password 2",
    )
    session.close()
    assert _subjects(restored, "a new password 2") == ["Bartholomew Quigley"]


def test_a_backup_holds_the_cases_as_they_were_when_it_was_made(
    with_case: SetupResult, folder: Path, tmp_path: Path
) -> None:
    info = backups.make_backup(with_case.session, folder=folder)
    open_parent_case(with_case.session, "Later", "Case")  # after the backup: not in it
    assert info.facts.cases == 1
    restored = tmp_path / "restored.casebook"
    backups.restore_backup(info.path, restored)
    assert _subjects(restored) == ["Bartholomew Quigley"]


def test_the_manifest_states_facts_and_names_no_one(
    with_case: SetupResult, folder: Path, store_path: Path
) -> None:
    session = with_case.session
    info = backups.make_backup(session, folder=folder)
    with zipfile.ZipFile(info.path) as archive:
        assert archive.namelist()[0] == MANIFEST
        raw = archive.read(MANIFEST)
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
    manifest = json.loads(raw)
    assert manifest["format"] == "casebook-backup" and manifest["format_version"] == 1
    assert manifest["trust_name"] == "Oakfield Learning Trust"
    assert manifest["store_id"] == session.store.identity.store_id
    assert manifest["schema_revision"] == migrate.head_revision()
    assert manifest["cases"] == 1 and manifest["store_name"] == "trust.casebook"
    with session.transaction() as db:
        head = session.store.audit_anchor(db)
    # The backup's own audit entry comes after the moment it copied.
    assert head is not None and manifest["audit_head"]["id"] == head[0] - 1
    assert set(manifest["parts"]) == {"cases.db", "keys.json", "frontdesk.json"}
    assert manifest["newest_entry_at"] <= manifest["created_at"]
    assert backups.inspect_backup(info.path) == info.facts
    everything = info.path.read_bytes()
    for name in PERSONAL + ("Ash Primary", "admin"):
        assert name.encode() not in raw, name
    for name in PERSONAL:  # nor anywhere in the file: the database is encrypted
        assert name.encode() not in everything, name
    assert store_path.read_bytes()[:16] != b"SQLite format 3\x00"


def test_each_backup_is_audited_and_remembered(with_case: SetupResult, folder: Path) -> None:
    session = with_case.session
    assert backups.last_backup(session) is None
    info = backups.make_backup(session, folder=folder)
    last = backups.last_backup(session)
    assert last is not None and last.at == info.facts.created_at
    assert last.file_name == info.path.name
    [detail] = audit_details(session, "store.backed_up")
    assert detail == {
        "file": info.path.name,
        "cases": 1,
        "up_to_entry": info.facts.audit_head[0] if info.facts.audit_head else 0,
        "bytes": info.path.stat().st_size,
    }
    assert audit.verify_chain(session).intact


def test_who_may_make_a_backup(new_store: SetupResult, store_path: Path, folder: Path) -> None:
    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    assert backups.make_backup(manager, folder=folder).facts.cases == 0
    manager.close()
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor")
    with pytest.raises(NotPermitted, match="cannot make backups"):
        backups.make_backup(auditor, folder=folder)
    auditor.close()
    assert len(list(folder.iterdir())) == 1


def test_a_missing_folder_or_keeping_none_is_refused(admin, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="There is no folder") as missing:
        backups.make_backup(admin, folder=tmp_path / "not plugged in")
    assert missing.value.field == "folder"
    assert not (tmp_path / "not plugged in").exists()  # never made up
    with pytest.raises(ValidationError, match="Keep at least one"):
        backups.make_backup(admin, folder=tmp_path, keep=0)


def test_keeping_the_last_n_deletes_only_this_stores_own_backups(
    admin, folder: Path, tmp_path: Path
) -> None:
    other = create_store(
        tmp_path / "other" / "trust.casebook",
        trust=TrustDraft("Elm Trust", "", None, (SchoolDraft("Elm School"),)),
        admin=AdminDraft("admin", "Eve Elm", ADMIN_PASSWORD),
    )
    theirs = backups.make_backup(other.session, folder=folder).path  # same name pattern
    other.session.close()
    lookalike = folder / "trust backup 2020-01-01 0000.casebook-backup"
    lookalike.write_bytes(b"not a backup at all")
    notes = folder / "notes.txt"
    notes.write_text("keep me")
    made = [backups.make_backup(admin, folder=folder, keep=2).path for _ in range(2)]
    renamed = folder / "my own copy.casebook-backup"
    os.rename(made[0], renamed)  # ours by manifest, but not by name: never deleted
    made += [backups.make_backup(admin, folder=folder, keep=2).path for _ in range(3)]
    info = backups.make_backup(admin, folder=folder, keep=2)
    assert info.removed == (made[-2],)
    assert set(folder.iterdir()) == {theirs, lookalike, notes, renamed, made[-1], info.path}


# -- restoring -------------------------------------------------------------------------------
def test_restore_refuses_a_store_already_there_and_with_force_keeps_it_aside(
    with_case: SetupResult, folder: Path, store_path: Path
) -> None:
    session = with_case.session
    info = backups.make_backup(session, folder=folder)
    open_parent_case(session, "After", "Backup")
    session.close()
    before = _tree(store_path.parent)
    with pytest.raises(StoreExists, match="never deleted"):
        backups.restore_backup(info.path, store_path)
    assert _tree(store_path.parent) == before

    result = backups.restore_backup(info.path, store_path, force=True)
    assert _subjects(store_path) == ["Bartholomew Quigley"]
    kept = result.kept_aside[0]
    assert kept.parent == store_path.parent and kept.name.startswith("trust (replaced ")
    assert kept.read_bytes() == before["trust.casebook"]
    assert Path(f"{kept}.keys").read_bytes() == before["trust.casebook.keys"]
    assert _subjects(kept) == ["After Backup", "Bartholomew Quigley"]  # still a store
    assert not [p for p in store_path.parent.iterdir() if p.name.startswith(".")]


def test_restore_with_a_password_checks_the_copy_before_replacing_anything(
    with_case: SetupResult, folder: Path, store_path: Path
) -> None:
    info = backups.make_backup(with_case.session, folder=folder)
    with_case.session.close()
    before = _tree(store_path.parent)
    with pytest.raises(WrongPassword):
        backups.restore_backup(
            info.path, store_path, force=True, username="admin", password="not it"
        )
    assert _tree(store_path.parent) == before
    result = backups.restore_backup(
        info.path, store_path, force=True, username="admin", password=ADMIN_PASSWORD
    )
    assert result.check is not None and result.check.username == "admin"
    assert result.check.audit_entries is not None and result.check.audit_entries > 3
    session = auth.sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    assert audit.verify_chain(session).intact
    assert backups.last_backup(session) is not None
    session.close()


def test_restore_refuses_a_backup_whose_audit_trail_was_changed(
    new_store: SetupResult, folder: Path, store_path: Path, tmp_path: Path
) -> None:
    key = new_store.session.store.key  # type: ignore[attr-defined]
    conn = sqlcipher3.connect(str(store_path), isolation_level=None)
    conn.execute(key_pragma(key))
    conn.execute("DROP TRIGGER audit_entries_no_update")
    conn.execute("UPDATE audit_entries SET detail = '{\"schools\":9}' WHERE id = 1")
    conn.close()
    info = backups.make_backup(new_store.session, folder=folder)  # pages sound, trail not
    target = tmp_path / "restored" / "trust.casebook"
    target.parent.mkdir()
    with pytest.raises(StoreDamaged, match="audit trail that does not check out"):
        backups.restore_backup(info.path, target, username="admin", password=ADMIN_PASSWORD)
    assert list(target.parent.iterdir()) == []


def test_restore_waits_for_a_window_that_has_the_store_open(
    admin, folder: Path, store_path: Path
) -> None:
    info = backups.make_backup(admin, folder=folder)
    lock = store_path.with_name("trust.casebook.open")
    lock.write_text(f"{os.getpid()}\npython\n{socket.gethostname()}\n")
    with pytest.raises(StoreBusy, match="is open in Casebook on this computer"):
        backups.restore_backup(info.path, store_path, force=True)
    lock.write_text(f"{2**22 + 12345}\npython\n{socket.gethostname()}\n")  # a dead copy
    assert backups.restore_backup(info.path, store_path, force=True).kept_aside


def test_restore_to_a_folder_that_is_not_there_is_refused(admin, folder: Path, tmp_path) -> None:
    info = backups.make_backup(admin, folder=folder)
    with pytest.raises(StoreMissing, match="There is no folder"):
        backups.restore_backup(info.path, tmp_path / "nowhere" / "trust.casebook")


# -- refusing what cannot be restored ---------------------------------------------------------
@pytest.fixture
def made(with_case: SetupResult, folder: Path) -> Path:
    return backups.make_backup(with_case.session, folder=folder).path


def _refused_untouched(backup: Path, target: Path, error: type[Exception], words: str) -> None:
    before = _tree(target.parent)
    with pytest.raises(error, match=words):
        backups.inspect_backup(backup)
    with pytest.raises(error, match=words):
        backups.restore_backup(backup, target, force=True)
    assert _tree(target.parent) == before


def test_a_backup_with_changed_bytes_is_refused(made: Path, store_path: Path) -> None:
    data = bytearray(made.read_bytes())
    with zipfile.ZipFile(made) as archive:
        offset = archive.getinfo("cases.db").header_offset + 200_000
    data[offset] ^= 0x5A
    data[offset + 1] ^= 0x01
    made.write_bytes(bytes(data))
    _refused_untouched(made, store_path, BackupDamaged, "is damaged or incomplete")


@pytest.mark.parametrize("keep", [0.5, 0.99, 0.02])
def test_a_backup_cut_short_is_refused(made: Path, store_path: Path, keep: float) -> None:
    data = made.read_bytes()
    made.write_bytes(data[: int(len(data) * keep)])
    _refused_untouched(made, store_path, BackupDamaged, "cut short")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m.update(schema_revision="9999"), r"newer Casebook \(schema 9999\)"),
        (lambda m: m.update(format_version=2), r"newer Casebook \(backup format 2\)"),
    ],
)
def test_a_backup_from_a_newer_casebook_is_refused(
    made: Path, store_path: Path, tmp_path: Path, change, words: str
) -> None:
    newer = _rewrite(made, tmp_path / "newer.casebook-backup", change)
    _refused_untouched(newer, store_path, BackupTooNew, words + "; update Casebook to restore it")


def test_a_file_that_is_not_a_backup_is_refused(
    made: Path, store_path: Path, tmp_path: Path
) -> None:
    text = tmp_path / "letter.casebook-backup"
    text.write_text("Dear parent")
    _refused_untouched(text, store_path, NotABackup, "is not a Casebook backup")
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("manifest.json", '{"format": "something else"}')
    _refused_untouched(other_zip, store_path, NotABackup, "is not a Casebook backup")
    foreign = _rewrite(made, tmp_path / "foreign.zip", lambda m: m.update(format="other"))
    _refused_untouched(foreign, store_path, NotABackup, "is not a Casebook backup")
    _refused_untouched(store_path, store_path, NotABackup, "is not a Casebook backup")
    with pytest.raises(BackupMissing, match="There is no backup file"):
        backups.inspect_backup(tmp_path / "gone.casebook-backup")


def test_a_manifest_that_lies_about_a_part_is_refused(
    made: Path, store_path: Path, tmp_path: Path
) -> None:
    def swap(manifest: dict[str, Any]) -> None:
        manifest["parts"]["cases.db"]["sha256"] = "0" * 64

    lying = _rewrite(made, tmp_path / "lying.casebook-backup", swap)
    _refused_untouched(lying, store_path, BackupDamaged, "does not match its checksum")


def test_the_restored_store_passes_sqlcipher_and_sqlite_checks(
    made: Path, tmp_path: Path, with_case: SetupResult
) -> None:
    target = tmp_path / "check" / "trust.casebook"
    target.parent.mkdir()
    backups.restore_backup(made, target)
    engine = make_engine(target, with_case.session.store.key)  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cipher_integrity_check").all() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
    engine.dispose()
