"""Signing in and out, passwords, the recovery key, and "remember me on this device".

An account with two-step sign-in gets, from its password or its remembered device, a session
that refuses every service until `verify_second_factor` accepts a code (or a recovery code);
an administrator whom the trust's rule binds, and who has no second factor yet, gets one
that allows only setting it up (`desktop.services.second_factor`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import secrets
from desktop.dates import utc_now
from desktop.domain.roles import Role
from desktop.domain.second_factor import SecondFactorStep
from desktop.domain.signin import check_new_password, seconds_to_wait
from desktop.domain.text import is_text, normalise_username
from desktop.errors import (
    KeyringUnavailable,
    NotFound,
    NotPermitted,
    StoreDamaged,
    ValidationError,
    WrongPassword,
)
from desktop.services import audit, second_factor
from desktop.services.frontdesk import FrontDeskSession
from desktop.services.session import Actor, SecondFactorNeeded, UserSession, bind_store
from desktop.services.store import actor_for, find_user, grants_for, locate, signer_id_for
from desktop.storage.models import User
from desktop.storage.store import FrontDeskAccess, Store, StoreLocation

Clock = Callable[[], float]


def sign_in(
    where: Path | StoreLocation, *, username: str, password: str, clock: Clock = time.time
) -> UserSession:
    """Open the store with a user's password. Repeated failures earn growing delays.

    Front-desk accounts open only the list of current restrictions: `sign_in_any`.
    """
    opened = sign_in_any(where, username=username, password=password, clock=clock)
    if isinstance(opened, FrontDeskSession):
        opened.close()
        raise NotPermitted("Front-desk accounts open only the visitor check, not case files.")
    return opened


def sign_in_any(
    where: Path | StoreLocation, *, username: str, password: str, clock: Clock = time.time
) -> UserSession | FrontDeskSession:
    """Sign in whoever it is: a case worker gets the store, the front desk its list.

    Each attempt is counted as failed, under the store's write lock, before the password
    is tried, so guesses made at once wait their turn; a success clears the count.
    """
    username = normalise_username(username)
    location = locate(where)
    now = clock()
    location.begin_attempt(
        username, now, lambda failures, last: seconds_to_wait(failures, last, now)
    )
    if not is_text(password):  # a lone surrogate or the like: no password could be that
        raise WrongPassword()
    try:
        opened = location.unlock_with_password(username, password)
    except StoreDamaged:
        # The password fitted (its slot opened) and the store's files are at fault: no guess
        # to slow down, so the attempt is not left counted (or the next sign-ins would say
        # "wait" instead of what is wrong with the store).
        location.clear_failures(username)
        raise
    if isinstance(opened, FrontDeskAccess):
        location.clear_failures(username)
        return FrontDeskSession(opened, username, location)
    try:
        session = _enter(opened, username, method="password")
    except BaseException:
        location.clear_failures(username)  # the password was right
        raise
    if session.second_factor_step is not SecondFactorStep.CODE:
        # With a code still owed the attempt stays counted: signing in with the password
        # again must not wipe out the count of wrong codes.
        location.clear_failures(username)
    return session


def _enter(store: Store, username: str, *, method: str) -> UserSession:
    try:
        with store.transaction(write=True) as db:
            bind_store(db, store)
            user = find_user(db, username)
            user.last_signed_in_at = utc_now()
            actor = actor_for(db, user)
            step = second_factor.step_at_sign_in(db, user)
            detail = {"method": method}
            if step is not None:
                detail["second_factor"] = step.value
            audit.record(db, actor, "user.signed_in", detail=detail)
            notices = _ways_in_notices(store, db, actor)
            must_change = user.must_change_password
    except BaseException:
        store.close()
        raise
    return UserSession(
        store, actor, notices, must_change_password=must_change, second_factor_step=step
    )


def verify_second_factor(session: UserSession, code: str, *, clock: Clock = time.time) -> None:
    """Finish a sign-in with the code from the authenticator app, or an unused recovery code.

    A code is refused (ValidationError on "code") when it is wrong, stale or already used;
    each attempt counts towards the same limits as a wrong password (TooManyAttempts), and
    each refusal is recorded in the audit trail (never the code).
    """
    step = session.second_factor_step
    if step is None:
        return
    if step is not SecondFactorStep.CODE:
        raise SecondFactorNeeded(step)
    location, username, now = session.store.location, session.actor.username, clock()
    second_factor.count_attempt(location, username, now)
    with session.sign_in_transaction(write=True) as db:
        user = find_user(db, username)
        proof = second_factor.prove(db, user, code, now=now)
        if proof.accepted:
            detail: dict[str, object] = {"with": proof.method}
            if proof.method == "recovery_code":
                detail["recovery_codes_left"] = second_factor.codes_left(db, user)
            audit.record(db, session.actor, "user.second_factor_passed", detail=detail)
        else:
            audit.record(
                db, session.actor, "user.second_factor_refused", detail={"reason": proof.reason}
            )
    if not proof.accepted:
        raise ValidationError(proof.problem, "code")
    location.clear_failures(username)
    session.second_factor_step = None


def _ways_in_notices(store: Store, db: Session, actor: Actor) -> tuple[str, ...]:
    """Say so, and record it, when the key file's tags show it was changed outside."""
    integrity = store.integrity
    if integrity.ok:
        return ()
    words = audit.describe_ways_in(db, store.slot_names(), integrity.bad_slots)
    if not integrity.header_ok:
        words.append("list of ways in")
    audit.record(db, actor, "keys.changed_outside", detail={"ways_in": words})
    return (
        "The key file beside this case store was changed outside Casebook. These no longer "
        f"check out: {', '.join(words)}. Ask your data protection lead to reset them, and "
        "keep a backup of the key file.",
    )


def sign_out(session: UserSession) -> None:
    """Lock: record it, then drop the engine and the key."""
    if session.closed:
        return
    # Also for a sign-in given up before its second step: the entry closes it in the trail.
    with session.sign_in_transaction(write=True) as db:
        audit.record(db, session.actor, "user.signed_out")
    session.close()


def change_password(
    session: UserSession, *, current_password: str, new_password: str, confirm: str | None = None
) -> None:
    """Reseal only this user's slot, in step with its audit entry; every other way in keeps
    working. A password someone else set (a reset) need not be changed again."""
    check_new_password(new_password, confirm)
    if not is_text(current_password):
        raise WrongPassword()
    with session.transaction(write=True) as db:
        user = db.get(User, session.actor.user_id)
        if user is not None and user.must_change_password and new_password == current_password:
            raise ValidationError(
                "Choose a password of your own, not the one you were given.", "password"
            )
        session.store.change_own_password(
            db, session.actor.username, current_password, new_password
        )
        if user is not None:
            user.must_change_password = False
        audit.record(db, session.actor, "user.password_changed")
    session.must_change_password = False


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
            bind_store(db, store)
            user = db.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                raise NotFound(f"There is no active user called {username!r} in this store.")
            role = Role(user.role)
            store.set_password(
                db,
                username,
                new_password,
                signer_id=signer_id_for(user.id),
                grants=grants_for(role),
            )
            user.must_change_password = False  # they have just chosen it themselves
            user.last_signed_in_at = utc_now()
            actor = actor_for(db, user)
            audit.record(db, actor, "user.password_reset_with_recovery_key")
    except BaseException:
        store.close()
        raise
    location.clear_failures(username)
    if role is Role.FRONT_DESK:
        store.close()
        raise NotPermitted(
            "The password is reset. Front-desk accounts open only the visitor check: "
            "sign in there with the new password."
        )
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
        with session.transaction(write=True) as db:
            store.remove_device(db, earlier.slot_id)
        secrets.forget_device(store_id)

    def keep(slot_id: str, secret: bytes) -> None:
        # If the keyring refuses, this raises and the new way in is never saved.
        secrets.save_device(store_id, secrets.RememberedDevice(username, slot_id, secret))

    with session.transaction(write=True) as db:
        store.add_device(db, keep)
        audit.record(db, session.actor, "device.remembered")


def sign_in_remembered(where: Path | StoreLocation) -> UserSession:
    """Open the store with the key this device's keyring keeps. The device stands in for
    the password only: an account with two-step sign-in still owes its code, since a
    laptop left signed in to its operating system would otherwise open everything."""
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
