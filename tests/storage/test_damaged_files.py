"""Damaged and foreign files (issue 12, part 6): each gives its own typed error, words that
say what is wrong and the way forward, and nothing is written: the damaged file's bytes and
modification time stay as they were, no key file is made, no migration runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlcipher3
from hypothesis import given
from hypothesis import strategies as st

from desktop import secrets
from desktop.errors import (
    DatabaseDamaged,
    NotACaseStore,
    StoreTooNew,
    WrongRecoveryKey,
    restore_may_help,
    user_message,
)
from desktop.services import auth
from desktop.services.store_files import check_store_files
from desktop.storage import damage, migrate
from desktop.storage.engine import key_pragma, make_engine
from desktop.storage.keyvault import keys_path_for, new_database_key
from tests.conftest import ADMIN_PASSWORD
from tests.storage.damaged_stores import (
    KINDS,
    Damage,
    Made,
    assert_unchanged,
    make_store,
    middle_page_flipped,
    newer_schema,
    snapshot,
)

NEW_PASSWORD = "a brand new password"


@pytest.fixture
def made(tmp_path: Path) -> Made:
    return make_store(tmp_path / "trust.casebook")


def _damaged(made: Made, kind: Damage) -> dict[str, tuple[bytes, int]]:
    kind.make(made)
    return snapshot(made.path.parent)


def _check_words(exc: BaseException, kind: Damage) -> None:
    text = user_message(exc)
    for words in kind.words:
        assert words in text, f"{words!r} not in {text!r}"
    assert "\n" not in text  # the command line prints it as one line
    assert restore_may_help(exc) is (kind.error is not StoreTooNew)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_sign_in_meets_each_kind_of_damage_with_its_own_error_and_writes_nothing(
    made: Made, kind: Damage
) -> None:
    before = _damaged(made, kind)
    with pytest.raises(Exception) as info:
        auth.sign_in(made.path, username="admin", password=ADMIN_PASSWORD)
    assert type(info.value) is kind.error
    _check_words(info.value, kind)
    assert_unchanged(
        before, made.path.parent, key_file_name=keys_path_for(made.path).name, kind=kind
    )


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_the_recovery_key_meets_the_same_damage_and_writes_nothing(
    made: Made, kind: Damage
) -> None:
    before = _damaged(made, kind)
    with pytest.raises(Exception) as info:
        auth.reset_password_with_recovery_key(
            made.path, recovery_key=made.recovery_key, username="admin", new_password=NEW_PASSWORD
        )
    assert type(info.value) is (kind.recovery_error or kind.error)
    if kind.recovery_error is None:
        _check_words(info.value, kind)
    assert_unchanged(
        before, made.path.parent, key_file_name=keys_path_for(made.path).name, kind=kind
    )


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_what_the_files_alone_show_is_found_before_a_password_is_asked_for(
    made: Made, kind: Damage
) -> None:
    before = _damaged(made, kind)
    if kind.before_password:
        with pytest.raises(kind.error) as info:
            check_store_files(made.path)
        assert type(info.value) is kind.error
        _check_words(info.value, kind)
    else:
        check_store_files(made.path)  # only the key can show this damage
    assert snapshot(made.path.parent) == before


def test_a_missing_key_file_is_never_made_anew(made: Made) -> None:
    keys = keys_path_for(made.path)
    keys.unlink()
    for attempt in (
        lambda: auth.sign_in(made.path, username="admin", password=ADMIN_PASSWORD),
        lambda: auth.reset_password_with_recovery_key(
            made.path, recovery_key=made.recovery_key, username="admin", new_password=NEW_PASSWORD
        ),
        lambda: auth.remembered_user(made.path),
        lambda: check_store_files(made.path),
    ):
        try:
            attempt()
        except Exception as exc:
            assert "travels with the store" in user_message(exc)
        assert not keys.exists()


def test_a_middle_page_flipped_still_opens_but_fails_its_seal(made: Made) -> None:
    """What the kind is: the first pages read as usual (before, sign-in went on and wrote
    its audit entry into the damaged file); SQLCipher's own check finds the page."""
    middle_page_flipped(made)
    with sqlcipher3.connect(str(made.path)) as conn:
        conn.execute(key_pragma(made.key))
        conn.execute("PRAGMA cipher_log_level = NONE")
        assert conn.execute("SELECT value FROM store_meta WHERE key = 'store_id'").fetchone()
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() != []
    conn.close()


def test_a_newer_store_is_never_migrated(made: Made) -> None:
    newer_schema(made)
    with pytest.raises(StoreTooNew):
        auth.sign_in(made.path, username="admin", password=ADMIN_PASSWORD)
    engine = make_engine(made.path, made.key)
    try:
        with pytest.raises(StoreTooNew):
            migrate.upgrade(engine)  # nor by hand: Alembic is never asked to guess
        with pytest.raises(StoreTooNew):
            migrate.bring_up_to_date(engine, made.path.name)
        assert migrate.current_revision(engine) == "ffff_from_the_future"
    finally:
        engine.dispose()


def test_a_keyed_database_with_no_tables_is_not_a_case_store(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "bare.casebook", new_database_key())
    try:
        with pytest.raises(NotACaseStore) as info:
            migrate.check_revision(engine, "bare.casebook")
        assert "no Casebook tables" in info.value.message
    finally:
        engine.dispose()


def test_signing_in_again_and_again_keeps_saying_what_is_wrong(made: Made) -> None:
    """The password fits; the store is at fault. That is no guess to slow down: the fifth
    try still names the damage, never "Too many failed attempts"."""
    middle_page_flipped(made)
    for _ in range(5):
        with pytest.raises(DatabaseDamaged):
            auth.sign_in(made.path, username="admin", password=ADMIN_PASSWORD)


def test_a_remembered_device_meets_the_same_damage(made: Made, memory_keyring) -> None:
    session = auth.sign_in(made.path, username="admin", password=ADMIN_PASSWORD)
    auth.remember_this_device(session)
    auth.sign_out(session)
    middle_page_flipped(made)
    before = snapshot(made.path.parent)
    with pytest.raises(DatabaseDamaged):
        auth.sign_in_remembered(made.path)
    assert snapshot(made.path.parent) == before
    assert secrets.load_device(session.store.identity.store_id) is not None  # still remembered


def test_a_wrong_recovery_key_says_it_does_not_open_this_store_and_how_to_check(
    made: Made,
) -> None:
    before = snapshot(made.path.parent)
    wrong = "-".join(["ABCD"] * 8)
    with pytest.raises(WrongRecoveryKey) as info:
        auth.reset_password_with_recovery_key(
            made.path, recovery_key=wrong, username="admin", new_password=NEW_PASSWORD
        )
    text = user_message(info.value)
    assert "does not open this case store (trust.casebook)" in text
    assert "recovery sheet is this store's" in text and "four letters and digits" in text
    assert not restore_may_help(info.value)
    assert snapshot(made.path.parent) == before


# -- telling a foreign file by its first bytes --------------------------------------------------
@pytest.mark.parametrize(
    ("head", "size", "words"),
    [
        (b"", 0, "empty"),
        (b"SQLite format 3\x00" + bytes(48), 8192, "SQLite"),
        (b"%PDF-1.7\n%\xe2\xe3", 5000, "PDF"),
        (b"PK\x03\x04\x14\x00" + bytes(24) + b"casebook-backup-manifest.json", 9000, "backup"),
        (b"PK\x03\x04\x14\x00" + bytes(24) + b"word/document.xml", 9000, "zip archive"),
    ],
)
def test_foreign_files_are_named(head: bytes, size: int, words: str) -> None:
    assert words in (damage.foreign_kind(head, size) or "")


@given(salt=st.binary(min_size=64, max_size=64), pages=st.integers(min_value=1, max_value=10**6))
def test_an_encrypted_store_is_never_taken_for_a_foreign_file(salt: bytes, pages: int) -> None:
    """A store begins with 16 random bytes: only signatures too long to occur by chance are
    read, so a store is refused as foreign only if it begins with one of them exactly."""
    found = damage.foreign_kind(salt, pages * 4096)
    looks_foreign = (
        salt.startswith(b"SQLite format 3\x00")
        or re.match(rb"%PDF-\d\.", salt) is not None
        or (salt.startswith(b"PK\x03\x04") and salt[5] == 0)
    )
    assert (found is not None) is looks_foreign


def test_a_folder_in_the_stores_place_is_not_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "trust.casebook"
    folder.mkdir()
    with pytest.raises(NotACaseStore) as info:
        check_store_files(folder)
    assert "folder" in info.value.message


def test_a_file_whose_size_is_not_whole_pages_is_incomplete(made: Made) -> None:
    with made.path.open("ab") as handle:
        handle.write(os.urandom(100))
    with pytest.raises(DatabaseDamaged) as info:
        check_store_files(made.path)
    assert "incomplete" in info.value.message
