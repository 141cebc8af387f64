"""User accounts: roles, schools, key slots, and who may manage them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.roles import Role
from desktop.errors import (
    NotFound,
    NotPermitted,
    SessionEnded,
    StoreDamaged,
    ValidationError,
    WrongPassword,
)
from desktop.services.auth import sign_in
from desktop.services.cases import list_cases
from desktop.services.setup import SetupResult
from desktop.services.users import add_user, change_role, list_users, remove_user
from desktop.storage.keyvault import KeyFile, keys_path_for
from desktop.storage.models import User
from tests.conftest import ADMIN_PASSWORD

BM_PASSWORD = "business manager 1"


def _add(result: SetupResult, username: str = "bm", **overrides: object) -> object:
    values: dict[str, object] = {
        "username": username,
        "full_name": "Bea Manager",
        "role": "business_manager",
        "school_ids": [1],
        "password": BM_PASSWORD,
    }
    values.update(overrides)
    return add_user(result.session, **values)  # type: ignore[arg-type]


def test_add_user_and_sign_in(new_store: SetupResult, store_path: Path) -> None:
    info = _add(new_store, username="  Bea.Manager ")
    assert info.username == "bea.manager"
    assert info.role is Role.BUSINESS_MANAGER
    assert info.schools == ("Ash Primary",)
    assert info.active
    session = sign_in(store_path, username="bea.manager", password=BM_PASSWORD)
    try:
        assert session.actor.role is Role.BUSINESS_MANAGER
        assert session.actor.school_ids == frozenset({1})
        assert session.actor.role_label == "School business manager"
    finally:
        session.close()


def test_list_users_in_name_order(new_store: SetupResult) -> None:
    _add(new_store, username="zed")
    _add(new_store, username="bm", role="trust_leader", school_ids=[])
    users = list_users(new_store.session)
    assert [u.username for u in users] == ["admin", "bm", "zed"]
    assert users[0].role is Role.DATA_PROTECTION_LEAD


def test_trust_wide_roles_are_not_tied_to_schools(new_store: SetupResult) -> None:
    info = _add(new_store, role="auditor", school_ids=[1, 2])
    assert info.schools == ()


def test_a_username_can_only_be_used_once(new_store: SetupResult, store_path: Path) -> None:
    _add(new_store)
    before = keys_path_for(store_path).read_bytes()
    with pytest.raises(ValidationError) as info:
        _add(new_store, username="BM", password="another password")
    assert info.value.field == "username"
    assert keys_path_for(store_path).read_bytes() == before
    sign_in(store_path, username="bm", password=BM_PASSWORD).close()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "no spaces allowed"}, "username"),
        ({"full_name": "   "}, "full_name"),
        ({"role": "janitor"}, "role"),
        ({"password": "short"}, "password"),
        ({"school_ids": []}, "schools"),
        ({"school_ids": [1, 99]}, "schools"),
    ],
)
def test_invalid_new_user(
    new_store: SetupResult, store_path: Path, overrides: dict[str, object], field: str
) -> None:
    slots_before = KeyFile.load(keys_path_for(store_path)).slot_ids()
    with pytest.raises(ValidationError) as info:
        _add(new_store, **overrides)
    assert info.value.field == field
    assert [u.username for u in list_users(new_store.session)] == ["admin"]
    assert KeyFile.load(keys_path_for(store_path)).slot_ids() == slots_before


def test_failed_key_file_save_adds_no_user(
    new_store: SetupResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: KeyFile, keys: object = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(KeyFile, "save", full_disk)
    with pytest.raises(OSError):
        _add(new_store)
    monkeypatch.undo()
    assert [u.username for u in list_users(new_store.session)] == ["admin"]


def test_failed_add_leaves_no_slot_for_a_later_save(
    new_store: SetupResult, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: KeyFile, keys: object = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(KeyFile, "save", full_disk)
    with pytest.raises(OSError):
        _add(new_store)
    monkeypatch.undo()
    _add(new_store, username="cm")
    keys = KeyFile.load(keys_path_for(store_path))
    assert not keys.has_slot(keys.user_slot_id("bm"))


def test_removing_a_user_removes_their_slot(new_store: SetupResult, store_path: Path) -> None:
    _add(new_store)
    keys = KeyFile.load(keys_path_for(store_path))
    assert keys.has_slot(keys.user_slot_id("bm"))
    remove_user(new_store.session, username="BM")
    keys = KeyFile.load(keys_path_for(store_path))
    assert not keys.has_slot(keys.user_slot_id("bm"))
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="bm", password=BM_PASSWORD)
    (bm,) = [u for u in list_users(new_store.session) if u.username == "bm"]
    assert bm.active is False
    # Everyone else still gets in.
    sign_in(store_path, username="admin", password=ADMIN_PASSWORD).close()


def test_a_removed_users_name_is_not_reused_silently(new_store: SetupResult) -> None:
    _add(new_store)
    remove_user(new_store.session, username="bm")
    with pytest.raises(ValidationError) as info:
        _add(new_store)
    assert info.value.field == "username"


def test_nobody_removes_themselves(new_store: SetupResult, store_path: Path) -> None:
    with pytest.raises(NotPermitted):
        remove_user(new_store.session, username=" ADMIN ")
    keys = KeyFile.load(keys_path_for(store_path))
    assert keys.has_slot(keys.user_slot_id("admin"))
    with new_store.session.transaction() as db:
        assert db.scalar(select(User.active).where(User.username == "admin")) is True


def test_removing_an_unknown_user(new_store: SetupResult) -> None:
    with pytest.raises(NotFound):
        remove_user(new_store.session, username="ghost")


@pytest.mark.parametrize("role", ["business_manager", "headteacher", "trust_leader", "auditor"])
def test_only_the_data_protection_lead_manages_users(
    new_store: SetupResult, store_path: Path, role: str
) -> None:
    _add(new_store, username="other", role=role)
    session = sign_in(store_path, username="other", password=BM_PASSWORD)
    try:
        with pytest.raises(NotPermitted):
            list_users(session)
        with pytest.raises(NotPermitted):
            add_user(
                session,
                username="sneaky",
                full_name="Sneaky",
                role="data_protection_lead",
                password="sneaky password",
            )
        with pytest.raises(NotPermitted):
            remove_user(session, username="admin")
    finally:
        session.close()
    keys = KeyFile.load(keys_path_for(store_path))
    assert not keys.has_slot(keys.user_slot_id("sneaky"))
    assert keys.has_slot(keys.user_slot_id("admin"))


# -- what a password may open (issue 14, finding 5) -----------------------------------------
def test_after_a_removal_an_old_copy_of_the_key_file_opens_nothing(
    new_store: SetupResult, store_path: Path
) -> None:
    """A removed user who kept a copy of the key file cannot open the current store."""
    from desktop.storage.filestore import FileStoreLocation

    _add(new_store)
    kept_copy = keys_path_for(store_path).read_bytes()
    remove_user(new_store.session, username="bm")
    current = keys_path_for(store_path).read_bytes()
    keys_path_for(store_path).write_bytes(kept_copy)  # the old copy put back
    try:
        with pytest.raises(StoreDamaged):
            FileStoreLocation(store_path).unlock_with_password("bm", BM_PASSWORD)
        with pytest.raises(StoreDamaged):  # nor anyone else's old slot
            FileStoreLocation(store_path).unlock_with_password("admin", ADMIN_PASSWORD)
    finally:
        keys_path_for(store_path).write_bytes(current)
    # Everyone left still gets in with the new key, and the admin's open session goes on.
    sign_in(store_path, username="admin", password=ADMIN_PASSWORD).close()
    assert [u.username for u in list_users(new_store.session)] == ["admin", "bm"]


def test_an_open_session_of_a_removed_user_ends(new_store: SetupResult, store_path: Path) -> None:
    _add(new_store, role="headteacher")
    bm = sign_in(store_path, username="bm", password=BM_PASSWORD)
    remove_user(new_store.session, username="bm")
    with pytest.raises(SessionEnded):
        list_cases(bm)
    assert bm.closed


def test_lowering_a_role_rekeys_and_ends_the_open_session(
    new_store: SetupResult, store_path: Path
) -> None:
    _add(new_store, role="headteacher")
    head = sign_in(store_path, username="bm", password=BM_PASSWORD)
    epoch = KeyFile.load(keys_path_for(store_path)).epoch
    change_role(new_store.session, username="bm", role="front_desk", school_ids=[1])
    assert KeyFile.load(keys_path_for(store_path)).epoch > epoch
    with pytest.raises(SessionEnded):
        list_cases(head)
    with pytest.raises(NotPermitted):  # the front desk opens only its list now
        sign_in(store_path, username="bm", password=BM_PASSWORD)


def test_a_second_copy_follows_a_rekey(new_store: SetupResult, store_path: Path) -> None:
    """Another copy signed in when the key changes opens its own slot again and goes on."""
    _add(new_store, role="headteacher")
    _add(new_store, username="cm", role="headteacher")
    other = sign_in(store_path, username="cm", password=BM_PASSWORD)
    remove_user(new_store.session, username="bm")
    assert list_cases(other) == []
    other.close()
