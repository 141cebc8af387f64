"""The opened-store seam: identity, closing, and the ways in, on the encrypted file store."""

from __future__ import annotations

import pytest

from desktop.errors import WrongPassword
from desktop.services import auth, users
from desktop.services.setup import SetupResult
from desktop.storage.filestore import EncryptedFileStore
from desktop.storage.keyvault import KeyFile, keys_path_for
from tests.conftest import ADMIN_PASSWORD


def test_a_session_holds_the_store_and_its_identity(new_store: SetupResult, store_path) -> None:
    store = new_store.session.store
    assert isinstance(store, EncryptedFileStore)
    assert store.identity.store_id == KeyFile.load(keys_path_for(store_path)).store_id
    assert store.identity.location == str(store_path)
    assert not store.identity.is_sample
    with new_store.session.transaction() as db:
        assert db.connection() is not None


def test_closing_forgets_the_key(store_path, new_store: SetupResult) -> None:
    session = auth.sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    assert len(session.store.key) == 32
    session.close()
    assert session.closed and session.store.key == b""


def test_ways_in_are_changed_through_the_store(store_path, new_store: SetupResult) -> None:
    session = new_store.session
    store = session.store
    me = session.actor.user_id
    with session.transaction(write=True) as db:
        store.set_password(
            db, "admin", "a second long password", signer_id=f"user:{me}", grants=["cases"]
        )
    auth.sign_in(store_path, username="admin", password="a second long password").close()
    with (
        pytest.raises(WrongPassword, match="current password"),
        session.transaction(write=True) as db,
    ):
        store.change_own_password(db, "admin", "not it", "a third long password")
    with session.transaction(write=True) as db:
        store.change_own_password(db, "admin", "a second long password", "a third long password")
    auth.sign_in(store_path, username="admin", password="a third long password").close()
    with session.transaction(write=True) as db:
        store.remove_ways_in(db, f"user:{me}")
    with pytest.raises(WrongPassword):
        auth.sign_in(store_path, username="admin", password="a third long password")


def test_a_slot_change_is_undone_when_its_transaction_fails(
    store_path, new_store: SetupResult
) -> None:
    session = new_store.session
    before = keys_path_for(store_path).read_bytes()
    with pytest.raises(RuntimeError), session.transaction(write=True) as db:
        session.store.change_own_password(db, "admin", ADMIN_PASSWORD, "a changed long password")
        raise RuntimeError("the transaction fails after the slot was changed")
    assert keys_path_for(store_path).read_bytes() == before
    auth.sign_in(store_path, username="admin", password=ADMIN_PASSWORD).close()


def test_after_changing_its_own_password_a_session_can_re_key_the_store(
    store_path, new_store: SetupResult
) -> None:
    """A re-key re-opens the writer's own slot with the key pair it signed in with: after a
    password change that must be the new password's, or the re-key fails once committed."""
    session = new_store.session
    auth.change_password(
        session, current_password=ADMIN_PASSWORD, new_password="a changed long password"
    )
    users.add_user(
        session,
        username="ursula",
        full_name="Ursula",
        role="headteacher",
        school_ids=[1],
        password="password of ursula",
    )
    users.remove_user(session, username="ursula")  # re-keys the store
    assert [u.username for u in users.list_users(session)] == ["admin", "ursula"]
    auth.sign_in(store_path, username="admin", password="a changed long password").close()


def test_a_device_way_in_is_not_kept_when_the_device_refuses_it(
    store_path, new_store: SetupResult
) -> None:
    store = new_store.session.store

    def refuse(slot_id: str, secret: bytes) -> None:
        raise OSError("the keyring said no")

    session = new_store.session
    with pytest.raises(OSError), session.transaction(write=True) as db:
        store.add_device(db, refuse)
    assert KeyFile.load(keys_path_for(store_path)).slot_ids("device") == []
    kept: list[str] = []
    with session.transaction(write=True) as db:
        store.add_device(db, lambda slot_id, secret: kept.append(slot_id))
    assert KeyFile.load(keys_path_for(store_path)).slot_ids("device") == kept
    with session.transaction(write=True) as db:
        store.remove_device(db, kept[0])
    assert KeyFile.load(keys_path_for(store_path)).slot_ids("device") == []


def test_services_take_any_store_location(store_path, new_store: SetupResult) -> None:
    """Sign-in, the throttle and recovery work on a StoreLocation, not on a file's parts."""
    from desktop.storage.filestore import FileStoreLocation

    location = FileStoreLocation(store_path)
    with pytest.raises(WrongPassword):
        auth.sign_in(location, username="admin", password="not the password", clock=lambda: 0.0)
    assert FileStoreLocation(store_path).failures("admin")[0] == 1
    session = auth.sign_in(location, username="admin", password=ADMIN_PASSWORD, clock=lambda: 9.0)
    assert FileStoreLocation(store_path).failures("admin")[0] == 0
    assert session.store.identity.store_id == location.store_id
    session.close()
    recovered = auth.reset_password_with_recovery_key(
        location,
        recovery_key=new_store.recovery_key,
        username="admin",
        new_password="a recovered long password",
    )
    recovered.close()
