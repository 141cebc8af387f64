"""Signing in and out, passwords, the recovery key, and "remember me on this device"."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from desktop import secrets
from desktop.dates import utc_now
from desktop.domain.signin import check_new_password, seconds_to_wait
from desktop.domain.text import normalise_username
from desktop.errors import (
    KeyringUnavailable,
    NotFound,
    TooManyAttempts,
    WrongPassword,
)
from desktop.services import audit
from desktop.services.session import UserSession
from desktop.services.store import actor_for, find_user, locate
from desktop.storage.models import User
from desktop.storage.store import Store, StoreLocation

Clock = Callable[[], float]


def _throttle(location: StoreLocation, username: str, clock: Clock) -> None:
    failures, last = location.failures(username)
    now = clock()
    if failures and not (math.isfinite(last) and last <= now):
        # A failure dated in the future (a clock set wrong) or not a time at all would
        # shut the right password out until that moment: date it now, so it ages normally.
        location.restart_failure_clock(username, now)
        last = now
    wait = seconds_to_wait(failures, last, now)
    if wait > 0:
        raise TooManyAttempts(wait)


def sign_in(
    where: Path | StoreLocation, *, username: str, password: str, clock: Clock = time.time
) -> UserSession:
    """Open the store with a user's password. Repeated failures earn growing delays."""
    username = normalise_username(username)
    location = locate(where)
    _throttle(location, username, clock)
    try:
        store = location.unlock_with_password(username, password)
    except WrongPassword:
        location.record_failure(username, clock())
        raise
    if location.failures(username)[0]:
        location.clear_failures(username)
    return _enter(store, username, method="password")


def _enter(store: Store, username: str, *, method: str) -> UserSession:
    try:
        with store.transaction(write=True) as db:
            user = find_user(db, username)
            user.last_signed_in_at = utc_now()
            actor = actor_for(db, user)
            audit.record(db, actor, "user.signed_in", detail={"method": method})
    except BaseException:
        store.close()
        raise
    return UserSession(store, actor)


def sign_out(session: UserSession) -> None:
    """Lock: record it, then drop the engine and the key."""
    if session.closed:
        return
    with session.transaction(write=True) as db:
        audit.record(db, session.actor, "user.signed_out")
    session.close()


def change_password(
    session: UserSession, *, current_password: str, new_password: str, confirm: str | None = None
) -> None:
    """Rewrap only this user's slot; every other way in keeps working."""
    check_new_password(new_password, confirm)
    session.store.change_password(session.actor.username, current_password, new_password)
    with session.transaction(write=True) as db:
        audit.record(db, session.actor, "user.password_changed")


def reset_password_with_recovery_key(
    where: Path | StoreLocation,
    *,
    recovery_key: str,
    username: str,
    new_password: str,
    confirm: str | None = None,
) -> UserSession:
    """When every password is lost: the recovery key opens the store and sets a new one."""
    check_new_password(new_password, confirm)
    username = normalise_username(username)
    location = locate(where)
    store = location.unlock_with_recovery_key(recovery_key)
    try:
        with store.transaction(write=True) as db:
            user = db.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                raise NotFound(f"There is no active user called {username!r} in this store.")
            store.set_password(username, new_password)
            location.clear_failures(username)
            user.last_signed_in_at = utc_now()
            actor = actor_for(db, user)
            audit.record(db, actor, "user.password_reset_with_recovery_key")
    except BaseException:
        store.close()
        raise
    return UserSession(store, actor)


# -- remember me on this device ------------------------------------------------------------
def remembered_user(where: Path | StoreLocation) -> str | None:
    """The username this device remembers for the store, if its keyring still holds it."""
    location = locate(where)
    try:
        store_id = location.store_id
        device = secrets.load_device(store_id)
        if device is None or not location.has_device(device.slot_id):
            return None
    except Exception:  # no store there, or no keyring: nothing is remembered
        return None
    return device.username


def remember_this_device(session: UserSession) -> None:
    """Let this device's keyring open the store for this user without a password."""
    if not secrets.keyring_status().secure:
        raise KeyringUnavailable()
    store, username = session.store, session.actor.username
    store_id = store.identity.store_id
    earlier = secrets.load_device(store_id)
    if earlier is not None:
        store.remove_device(earlier.slot_id)
        secrets.forget_device(store_id)

    def keep(slot_id: str, secret: bytes) -> None:
        # If the keyring refuses, this raises and the new way in is never saved.
        secrets.save_device(store_id, secrets.RememberedDevice(username, slot_id, secret))

    store.add_device(keep)
    with session.transaction(write=True) as db:
        audit.record(db, session.actor, "device.remembered")


def sign_in_remembered(where: Path | StoreLocation) -> UserSession:
    location = locate(where)
    device = secrets.load_device(location.store_id)
    if device is None:
        raise WrongPassword("This device is no longer remembered. Sign in with your password.")
    store = location.unlock_with_device(device.slot_id, device.secret)
    return _enter(store, device.username, method="device")


def forget_this_device(where: Path | StoreLocation) -> None:
    """Remove the device's way in and the keyring entry; the password still works."""
    location = locate(where)
    device = secrets.load_device(location.store_id)
    if device is not None and location.has_device(device.slot_id):
        location.remove_device(device.slot_id)
    secrets.forget_device(location.store_id)
