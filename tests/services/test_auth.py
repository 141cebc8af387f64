"""Signing in, throttling, passwords, the recovery key and "remember me"."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backend
import pytest
from sqlalchemy import select

from desktop import secrets
from desktop.domain.signin import FREE_ATTEMPTS
from desktop.errors import (
    KeyringUnavailable,
    NotFound,
    TooManyAttempts,
    ValidationError,
    WrongPassword,
    WrongRecoveryKey,
)
from desktop.services.auth import (
    change_password,
    forget_this_device,
    remember_this_device,
    remembered_user,
    reset_password_with_recovery_key,
    sign_in,
    sign_in_remembered,
    sign_out,
)
from desktop.services.session import UserSession
from desktop.services.setup import (
    AdminDraft,
    SchoolDraft,
    SetupResult,
    TrustDraft,
    create_store,
)
from desktop.services.users import add_user
from desktop.storage.keyvault import KeyFile, keys_path_for
from desktop.storage.models import AuditEntry
from tests.conftest import ADMIN_PASSWORD, MemoryKeyring

BM_PASSWORD = "business manager 1"
NEW_PASSWORD = "a brand new password"


class FakeClock:
    """Seconds that only move when a test says so."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _open(path: Path, username: str, password: str, clock: FakeClock | None = None) -> None:
    """Sign in and straight out again, proving the password opens the store."""
    session = sign_in(path, username=username, password=password, clock=clock or FakeClock())
    assert session.actor.username == username
    session.close()


def _add_bm(session: UserSession) -> None:
    add_user(
        session,
        username="bm",
        full_name="Bea Manager",
        role="business_manager",
        school_ids=[1],
        password=BM_PASSWORD,
    )


def _actions(session: UserSession) -> list[str]:
    with session.transaction() as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# -- signing in --------------------------------------------------------------------------
def test_sign_in_and_out(new_store: SetupResult, store_path: Path) -> None:
    session = sign_in(store_path, username=" Admin ", password=ADMIN_PASSWORD)
    assert session.actor.username == "admin"
    assert session.actor.full_name == "Alex Admin"
    assert session.actor.school_ids is None
    sign_out(session)
    assert session.closed
    assert session.store.key == b""
    sign_out(session)  # a second lock is harmless
    assert _actions(new_store.session)[-2:] == ["user.signed_in", "user.signed_out"]


def test_wrong_password_and_unknown_user_look_the_same(
    new_store: SetupResult, store_path: Path
) -> None:
    with pytest.raises(WrongPassword) as wrong:
        sign_in(store_path, username="admin", password="not the password")
    with pytest.raises(WrongPassword) as unknown:
        sign_in(store_path, username="nobody", password=ADMIN_PASSWORD)
    assert wrong.value.message == unknown.value.message
    assert "username and password" in wrong.value.message


def test_failures_slow_down_guessing(new_store: SetupResult, store_path: Path) -> None:
    clock = FakeClock()
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(WrongPassword):
            sign_in(store_path, username="admin", password="guess guess", clock=clock)

    # Even the right password is refused while the delay runs.
    with pytest.raises(TooManyAttempts) as first:
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD, clock=clock)
    assert first.value.retry_after > 0
    assert "Wait" in first.value.message

    clock.advance(first.value.retry_after + 0.1)
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="admin", password="guess again", clock=clock)
    with pytest.raises(TooManyAttempts) as second:
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD, clock=clock)
    assert second.value.retry_after > first.value.retry_after

    # Part of the wait passing shortens it.
    clock.advance(1.0)
    with pytest.raises(TooManyAttempts) as third:
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD, clock=clock)
    assert third.value.retry_after == pytest.approx(second.value.retry_after - 1.0)

    clock.advance(third.value.retry_after + 0.1)
    _open(store_path, "admin", ADMIN_PASSWORD, clock)
    assert KeyFile.load(keys_path_for(store_path)).failures("admin") == (0, 0.0)
    # The count started again: a single mistake costs nothing.
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="admin", password="one slip", clock=clock)
    _open(store_path, "admin", ADMIN_PASSWORD, clock)


def test_failures_are_kept_in_the_key_file(new_store: SetupResult, store_path: Path) -> None:
    clock = FakeClock()
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(WrongPassword):
            sign_in(store_path, username="admin", password="guess guess", clock=clock)
    failures, last = KeyFile.load(keys_path_for(store_path)).failures("admin")
    assert (failures, last) == (FREE_ATTEMPTS, clock.now)
    # A fresh load (a restarted app) still refuses.
    with pytest.raises(TooManyAttempts):
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD, clock=clock)


def test_failures_are_per_username(new_store: SetupResult, store_path: Path) -> None:
    _add_bm(new_store.session)
    clock = FakeClock()
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(WrongPassword):
            sign_in(store_path, username="admin", password="guess guess", clock=clock)
    _open(store_path, "bm", BM_PASSWORD, clock)


def test_unknown_usernames_are_throttled_too(new_store: SetupResult, store_path: Path) -> None:
    clock = FakeClock()
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(WrongPassword):
            sign_in(store_path, username="ghost", password="guess guess", clock=clock)
    with pytest.raises(TooManyAttempts):
        sign_in(store_path, username="ghost", password="guess guess", clock=clock)


# -- changing passwords -----------------------------------------------------------------
def test_password_change_leaves_other_users_alone(new_store: SetupResult, store_path: Path) -> None:
    _add_bm(new_store.session)
    change_password(
        new_store.session,
        current_password=ADMIN_PASSWORD,
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    _open(store_path, "bm", BM_PASSWORD)
    _open(store_path, "admin", NEW_PASSWORD)
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    assert _actions(new_store.session).count("user.password_changed") == 1


def test_wrong_current_password_changes_nothing(new_store: SetupResult, store_path: Path) -> None:
    before = keys_path_for(store_path).read_bytes()
    with pytest.raises(WrongPassword) as info:
        change_password(
            new_store.session, current_password="not my password", new_password=NEW_PASSWORD
        )
    assert "current password" in info.value.message
    assert keys_path_for(store_path).read_bytes() == before
    assert "user.password_changed" not in _actions(new_store.session)
    _open(store_path, "admin", ADMIN_PASSWORD)


@pytest.mark.parametrize(
    ("new", "confirm", "field"),
    [("short", None, "password"), (" " * 12, None, "password"), (NEW_PASSWORD, "typo", "confirm")],
)
def test_unacceptable_new_password(
    new_store: SetupResult, store_path: Path, new: str, confirm: str | None, field: str
) -> None:
    before = keys_path_for(store_path).read_bytes()
    with pytest.raises(ValidationError) as info:
        change_password(
            new_store.session, current_password=ADMIN_PASSWORD, new_password=new, confirm=confirm
        )
    assert info.value.field == field
    assert keys_path_for(store_path).read_bytes() == before
    _open(store_path, "admin", ADMIN_PASSWORD)


# -- the recovery key -------------------------------------------------------------------
def _lose_every_password(result: SetupResult, store_path: Path) -> None:
    """Change every password to something nobody will remember."""
    _add_bm(result.session)
    change_password(
        result.session, current_password=ADMIN_PASSWORD, new_password="forgotten admin pw"
    )
    bm = sign_in(store_path, username="bm", password=BM_PASSWORD)
    change_password(bm, current_password=BM_PASSWORD, new_password="forgotten bm pw 1")
    bm.close()
    result.session.close()


def test_recovery_key_opens_the_store_after_passwords_are_lost(
    new_store: SetupResult, store_path: Path
) -> None:
    _lose_every_password(new_store, store_path)
    session = reset_password_with_recovery_key(
        store_path,
        recovery_key=new_store.recovery_key,
        username="admin",
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert session.actor.username == "admin"
    assert "user.password_reset_with_recovery_key" in _actions(session)
    session.close()
    _open(store_path, "admin", NEW_PASSWORD)
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="admin", password="forgotten admin pw")
    # Resetting one user's password leaves the other's alone.
    _open(store_path, "bm", "forgotten bm pw 1")


def _typed_forms(key: str) -> list[str]:
    return [
        key.lower(),
        key.replace("-", " "),
        key.replace("-", ""),
        f"  {key.lower().replace('-', '  ')}\n",
    ]


def test_recovery_key_forgives_how_it_is_typed(new_store: SetupResult, store_path: Path) -> None:
    _lose_every_password(new_store, store_path)
    for typed in _typed_forms(new_store.recovery_key):
        reset_password_with_recovery_key(
            store_path, recovery_key=typed, username="admin", new_password=NEW_PASSWORD
        ).close()


def test_recovery_key_forgives_lookalike_characters(tmp_path: Path) -> None:
    path = tmp_path / "lookalike.casebook"
    key = "OIBA-OIBA-OIBA-OIBA-OIBA-OIBA-OIBA-OIBA"
    result = create_store(
        path,
        trust=TrustDraft("Elm Trust", "", None, (SchoolDraft("Elm Primary"),)),
        admin=AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD),
        recovery_key=key,
    )
    assert result.recovery_key == key
    result.session.close()
    typed = key.replace("O", "0").replace("I", "1").replace("B", "8").lower()
    reset_password_with_recovery_key(
        path, recovery_key=typed, username="admin", new_password=NEW_PASSWORD
    ).close()
    _open(path, "admin", NEW_PASSWORD)


def test_wrong_recovery_key(new_store: SetupResult, store_path: Path) -> None:
    key = new_store.recovery_key
    wrong = ("B" if key[0] == "A" else "A") + key[1:]
    before = keys_path_for(store_path).read_bytes()
    with pytest.raises(WrongRecoveryKey) as info:
        reset_password_with_recovery_key(
            store_path, recovery_key=wrong, username="admin", new_password=NEW_PASSWORD
        )
    assert "recovery key" in info.value.message
    assert keys_path_for(store_path).read_bytes() == before


@pytest.mark.parametrize("bad", ["", "ABCD-EFGH", "this is not a key at all!!!!!!!!!", "A" * 40])
def test_malformed_recovery_key(new_store: SetupResult, store_path: Path, bad: str) -> None:
    with pytest.raises(WrongRecoveryKey) as info:
        reset_password_with_recovery_key(
            store_path, recovery_key=bad, username="admin", new_password=NEW_PASSWORD
        )
    assert "32 letters" in info.value.message


def test_recovery_for_unknown_user_changes_nothing(
    new_store: SetupResult, store_path: Path
) -> None:
    before = keys_path_for(store_path).read_bytes()
    with pytest.raises(NotFound):
        reset_password_with_recovery_key(
            store_path,
            recovery_key=new_store.recovery_key,
            username="ghost",
            new_password=NEW_PASSWORD,
        )
    assert keys_path_for(store_path).read_bytes() == before


def test_recovery_rejects_a_weak_new_password(new_store: SetupResult, store_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        reset_password_with_recovery_key(
            store_path, recovery_key=new_store.recovery_key, username="admin", new_password="x"
        )
    assert info.value.field == "password"


def test_recovery_clears_throttling(new_store: SetupResult, store_path: Path) -> None:
    clock = FakeClock()
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(WrongPassword):
            sign_in(store_path, username="admin", password="guess guess", clock=clock)
    reset_password_with_recovery_key(
        store_path, recovery_key=new_store.recovery_key, username="admin", new_password=NEW_PASSWORD
    ).close()
    _open(store_path, "admin", NEW_PASSWORD, clock)


# -- remember me on this device ---------------------------------------------------------
def _device_slots(store_path: Path) -> list[str]:
    return KeyFile.load(keys_path_for(store_path)).slot_ids("device")


def test_without_a_keyring_nothing_is_remembered(new_store: SetupResult, store_path: Path) -> None:
    status = secrets.keyring_status()
    assert status.secure is False
    assert status.reason
    with pytest.raises(KeyringUnavailable) as info:
        remember_this_device(new_store.session)
    assert "password" in info.value.message
    assert KeyFile.load(keys_path_for(store_path)).slot_ids("device") == []
    assert _device_slots(store_path) == []
    assert remembered_user(store_path) is None
    with pytest.raises(WrongPassword):
        sign_in_remembered(store_path)
    forget_this_device(store_path)  # harmless with nothing to forget


def test_remember_sign_in_and_forget(
    new_store: SetupResult, store_path: Path, memory_keyring: MemoryKeyring
) -> None:
    assert secrets.keyring_status().secure
    assert remembered_user(store_path) is None
    remember_this_device(new_store.session)
    assert len(_device_slots(store_path)) == 1
    assert len(memory_keyring.store) == 1
    assert remembered_user(store_path) == "admin"
    # The keyring entry holds no password.
    assert ADMIN_PASSWORD not in next(iter(memory_keyring.store.values()))

    session = sign_in_remembered(store_path)
    assert session.actor.username == "admin"
    assert _actions(session)[-1] == "user.signed_in"
    session.close()

    forget_this_device(store_path)
    assert _device_slots(store_path) == []
    assert memory_keyring.store == {}
    assert remembered_user(store_path) is None
    with pytest.raises(WrongPassword):
        sign_in_remembered(store_path)
    _open(store_path, "admin", ADMIN_PASSWORD)


# UserSession.keyfile is a snapshot taken at sign-in. forget_this_device (and sign_in's
# failure count) load and save their own copy; the session's next save writes its stale
# copy back over them.


def test_remembering_again_replaces_the_old_slot(
    new_store: SetupResult, store_path: Path, memory_keyring: MemoryKeyring
) -> None:
    remember_this_device(new_store.session)
    remember_this_device(new_store.session)
    assert len(_device_slots(store_path)) == 1
    assert len(memory_keyring.store) == 1


def test_a_forgotten_device_stays_forgotten(
    new_store: SetupResult, store_path: Path, memory_keyring: MemoryKeyring
) -> None:
    remember_this_device(new_store.session)
    forget_this_device(store_path)
    assert _device_slots(store_path) == []
    # Any later key-file save by the signed-in session must not bring the slot back.
    change_password(new_store.session, current_password=ADMIN_PASSWORD, new_password=NEW_PASSWORD)
    assert _device_slots(store_path) == []


def test_a_signed_in_session_does_not_wipe_failed_attempts(
    new_store: SetupResult, store_path: Path
) -> None:
    clock = FakeClock()
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(WrongPassword):
            sign_in(store_path, username="someone", password="guess guess", clock=clock)
    _add_bm(new_store.session)  # saves the session's copy of the key file
    with pytest.raises(TooManyAttempts):
        sign_in(store_path, username="someone", password="guess guess", clock=clock)


def test_deleted_device_slot_is_not_remembered(
    new_store: SetupResult, store_path: Path, memory_keyring: MemoryKeyring
) -> None:
    remember_this_device(new_store.session)
    keys = KeyFile.load(keys_path_for(store_path))
    for slot_id in keys.slot_ids("device"):
        keys.remove_slot(slot_id)
    keys.save()
    assert remembered_user(store_path) is None
    with pytest.raises(WrongPassword):
        sign_in_remembered(store_path)


class _LowPriorityKeyring(MemoryKeyring):
    priority = 0.5  # type: ignore[assignment]


class _PlainFileKeyring(MemoryKeyring):
    priority = 5  # type: ignore[assignment]


_PlainFileKeyring.__module__ = "keyrings.alt.file"


@pytest.mark.parametrize("backend_class", [_LowPriorityKeyring, _PlainFileKeyring])
def test_untrusted_keyrings_count_as_insecure(
    new_store: SetupResult, store_path: Path, backend_class: type[MemoryKeyring]
) -> None:
    backend = backend_class()
    keyring.set_keyring(backend)
    status = secrets.keyring_status()
    assert status.secure is False
    assert status.reason
    with pytest.raises(KeyringUnavailable):
        remember_this_device(new_store.session)
    assert _device_slots(store_path) == []
    assert backend.store == {}


class _ForgetfulKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        return None


def test_keyring_that_does_not_keep_values_is_insecure() -> None:
    keyring.set_keyring(_ForgetfulKeyring())
    status = secrets.keyring_status()
    assert status.secure is False
    assert status.reason


def test_a_failure_recorded_in_the_future_does_not_lock_out_for_a_day(
    store_path: Path, new_store: SetupResult
) -> None:
    """A clock set a day ahead once shut out the right password for 86,402 s."""
    from desktop.domain.signin import MAX_DELAY_SECONDS

    now = 1_000_000.0
    keys = KeyFile.load(keys_path_for(store_path))
    for _ in range(FREE_ATTEMPTS + 1):
        keys.record_failure("admin", now + 86_400)
    keys.save()
    with pytest.raises(TooManyAttempts) as refused:
        sign_in(store_path, username="admin", password=ADMIN_PASSWORD, clock=lambda: now)
    assert refused.value.retry_after <= MAX_DELAY_SECONDS
    later = now + MAX_DELAY_SECONDS + 1
    sign_in(store_path, username="admin", password=ADMIN_PASSWORD, clock=lambda: later).close()
