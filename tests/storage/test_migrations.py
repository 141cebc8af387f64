"""The schema: migrations match the models, and opening refuses anything that is not right."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from desktop.errors import StoreDamaged, StoreExists, StoreMissing, ValidationError
from desktop.services.auth import sign_in
from desktop.services.setup import (
    AdminDraft,
    SchoolDraft,
    SetupResult,
    TrustDraft,
    create_store,
)
from desktop.storage import migrate
from desktop.storage.engine import make_engine
from desktop.storage.keyvault import KeyFile, keys_path_for, new_database_key
from desktop.storage.models import Base
from tests.conftest import ADMIN_PASSWORD

TRUST = TrustDraft("Elm Trust", "", None, (SchoolDraft("Elm Primary"),))
ADMIN = AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD)

# engine.make_engine builds a "sqlite://" engine whose dialect expects the stdlib sqlite3
# module, so sqlcipher3's errors are not wrapped as sqlalchemy.exc.DatabaseError and the
# `except DatabaseError` in engine.probe and store.open_store never fires.


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001
    """The same filter as desktop/storage/migrations/env.py: FTS5 tables are SQLite-only."""
    return not (type_ == "table" and name and name.startswith(("case_search",)))


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "fresh.casebook", new_database_key())
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": include_object, "compare_type": True}
            )
            assert compare_metadata(context, Base.metadata) == []
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert migrate.head_revision() is not None
    finally:
        engine.dispose()


def test_case_numbers_are_unique_in_the_schema(tmp_path: Path) -> None:
    """The last guard for references allocated by two writers at once (see services.cases)."""
    engine = make_engine(tmp_path / "fresh.casebook", new_database_key())
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            unique = {
                tuple(c["column_names"]) for c in inspect(conn).get_unique_constraints("cases")
            }
            primary = inspect(conn).get_pk_constraint("audit_entries")["constrained_columns"]
    finally:
        engine.dispose()
    assert {("ref_year", "ref_sequence"), ("reference",)} <= unique
    assert primary == ["id"]


def test_migration_adds_search_index_and_audit_triggers(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "fresh.casebook", new_database_key())
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
    finally:
        engine.dispose()
    assert {
        "case_search",
        "case_search_insert",
        "case_search_update",
        "case_search_delete",
        "case_search_rename",
        "audit_entries_no_update",
        "audit_entries_no_delete",
    } <= names


def test_new_store_is_at_head(new_store: SetupResult) -> None:
    assert migrate.current_revision(new_store.session.store.engine) == migrate.head_revision()


def _store(path: Path) -> Path:
    create_store(path, trust=TRUST, admin=ADMIN).session.close()
    return path


def test_key_file_from_another_store_is_refused(tmp_path: Path) -> None:
    first = _store(tmp_path / "first.casebook")
    second = _store(tmp_path / "second.casebook")
    shutil.copyfile(keys_path_for(second), keys_path_for(first))
    with pytest.raises(StoreDamaged):
        sign_in(first, username="admin", password=ADMIN_PASSWORD)


def test_key_file_with_the_right_key_but_another_store_id_is_refused(
    new_store: SetupResult, store_path: Path
) -> None:
    keys = new_store.session.store.keys  # type: ignore[attr-defined]
    new_store.session.close()
    impostor = KeyFile.create(keys_path_for(store_path))
    impostor.set_password("admin", ADMIN_PASSWORD, keys)
    impostor.save(keys)
    with pytest.raises(StoreDamaged) as info:
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    assert "different store" in info.value.message


def _close_and_rewrite(result: SetupResult, path: Path, content: bytes) -> None:
    result.session.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    path.write_bytes(content)


def test_garbage_database_is_damaged(new_store: SetupResult, store_path: Path) -> None:
    size = store_path.stat().st_size
    _close_and_rewrite(new_store, store_path, os.urandom(size))
    with pytest.raises(StoreDamaged):
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)


@pytest.mark.parametrize("keep", [16, 1000, 5000])
def test_truncated_database_is_damaged(new_store: SetupResult, store_path: Path, keep: int) -> None:
    new_store.session.close()
    content = store_path.read_bytes()
    assert len(content) > keep
    _close_and_rewrite(new_store, store_path, content[:keep])
    with pytest.raises(StoreDamaged):
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)


def test_store_from_a_newer_version_is_refused(new_store: SetupResult, store_path: Path) -> None:
    with new_store.session.store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff-future'"))
    new_store.session.close()
    with pytest.raises(StoreDamaged) as info:
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    assert "newer version" in info.value.message


def test_garbage_key_file_is_damaged(new_store: SetupResult, store_path: Path) -> None:
    new_store.session.close()
    keys_path_for(store_path).write_bytes(b"\x00\x01 this is not a key file")
    with pytest.raises(StoreDamaged):
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)


def test_missing_key_file(new_store: SetupResult, store_path: Path) -> None:
    new_store.session.close()
    keys_path_for(store_path).unlink()
    with pytest.raises(StoreMissing) as info:
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    assert ".keys" in info.value.message


def test_missing_database(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing):
        sign_in(tmp_path / "nothing.casebook", username="admin", password=ADMIN_PASSWORD)


def test_create_store_will_not_overwrite(new_store: SetupResult, store_path: Path) -> None:
    new_store.session.close()
    before = store_path.read_bytes(), keys_path_for(store_path).read_bytes()
    with pytest.raises(StoreExists):
        create_store(store_path, trust=TRUST, admin=ADMIN)
    assert (store_path.read_bytes(), keys_path_for(store_path).read_bytes()) == before
    session = sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    session.close()


def test_create_store_will_not_overwrite_a_lone_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.casebook"
    path.write_bytes(b"someone else's file")
    with pytest.raises(StoreExists):
        create_store(path, trust=TRUST, admin=ADMIN)
    assert path.read_bytes() == b"someone else's file"
    assert not keys_path_for(path).exists()


@pytest.mark.parametrize(
    ("trust", "admin", "field"),
    [
        (TrustDraft("Elm Trust", "", None, ()), ADMIN, "schools"),
        (TRUST, AdminDraft("Bad Name!", "Alex Admin", ADMIN_PASSWORD), "username"),
        (TRUST, AdminDraft("admin", "Alex Admin", "short"), "password"),
        (TRUST, AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD, "different"), "confirm"),
        (TRUST, AdminDraft("admin", "  ", ADMIN_PASSWORD), "full_name"),
        (TrustDraft("", "", None, (SchoolDraft("Elm"),)), ADMIN, "trust_name"),
        (
            TrustDraft(
                "Elm Trust", "", None, (SchoolDraft("Elm Primary"), SchoolDraft("elm primary"))
            ),
            ADMIN,
            "schools",
        ),
        (TrustDraft("Elm Trust", "", b"GIF89a", (SchoolDraft("Elm"),)), ADMIN, "logo"),
    ],
)
def test_invalid_setup_leaves_nothing_behind(
    tmp_path: Path, trust: TrustDraft, admin: AdminDraft, field: str
) -> None:
    folder = tmp_path / "new"
    with pytest.raises(ValidationError) as info:
        create_store(folder / "trust.casebook", trust=trust, admin=admin)
    assert info.value.field == field
    assert not folder.exists() or list(folder.iterdir()) == []


def test_failure_part_way_through_setup_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: KeyFile, keys: object = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(KeyFile, "save", full_disk)
    with pytest.raises(OSError):
        create_store(tmp_path / "trust.casebook", trust=TRUST, admin=ADMIN)
    assert list(tmp_path.iterdir()) == []
