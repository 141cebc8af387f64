"""User accounts: each has a role, the schools they may see, and a key slot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.roles import Operation, Role
from desktop.domain.signin import check_new_password
from desktop.domain.text import clean_line, clean_username, normalise_username
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import audit, frontdesk
from desktop.services.session import UserSession
from desktop.services.store import grants_for, signer_id_for
from desktop.storage.models import School, User


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    role: Role
    schools: tuple[str, ...]
    active: bool


def _info(user: User) -> UserInfo:
    return UserInfo(
        user.id,
        user.username,
        user.full_name,
        Role(user.role),
        tuple(s.name for s in user.schools),
        user.active,
    )


def list_users(session: UserSession) -> list[UserInfo]:
    session.require(Operation.MANAGE_USERS)
    with session.transaction() as db:
        return [_info(u) for u in db.scalars(select(User).order_by(User.username))]


def add_user(
    session: UserSession,
    *,
    username: str,
    full_name: str,
    role: str,
    school_ids: Sequence[int] = (),
    password: str,
) -> UserInfo:
    """Create an account and its key slot. School roles need at least one school."""
    session.require(Operation.MANAGE_USERS)
    username = clean_username(username)
    full_name = clean_line(full_name, field="full_name", label="The full name")
    try:
        role_value = Role(role)
    except ValueError:
        raise ValidationError("Choose a role from the list.", "role") from None
    check_new_password(password)
    if not role_value.trust_wide and not school_ids:
        raise ValidationError("Choose the schools this person works for.", "schools")
    with session.transaction(write=True) as db:
        if db.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationError("That username is already taken.", "username")
        schools = db.scalars(select(School).where(School.id.in_(school_ids))).all()
        if len(schools) != len(set(school_ids)):
            raise ValidationError("One of those schools no longer exists.", "schools")
        user = User(
            username=username,
            full_name=full_name,
            role=role_value.value,
            created_at=utc_now(),
            schools=[] if role_value.trust_wide else list(schools),
        )
        db.add(user)
        db.flush()
        audit.record(db, session.actor, "user.added", detail={"user_id": user.id, "role": role})
        # The slot is saved with the transaction: if either fails, neither happens.
        session.store.set_password(
            db,
            username,
            password,
            signer_id=signer_id_for(user.id),
            grants=grants_for(role_value),
        )
        if role_value is Role.FRONT_DESK:
            frontdesk.publish(db, session.store)
        return _info(user)


def remove_user(session: UserSession, *, username: str) -> None:
    """Switch the account off, delete its ways in and give the store a new key, so neither
    its password nor an old copy of the key file opens anything current. A window it has
    open locks at its next step."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    if username == session.actor.username:
        raise NotPermitted("You cannot remove your own account while signed in to it.")
    with session.transaction(write=True) as db:
        user = _user(db, username)
        user.active = False
        audit.record(db, session.actor, "user.removed", detail={"user_id": user.id})
        session.store.remove_ways_in(db, signer_id_for(user.id))
        _rekey(session, db)


def change_role(
    session: UserSession, *, username: str, role: str, school_ids: Sequence[int] = ()
) -> UserInfo:
    """Give an account another role (and schools). When the new role opens less than the
    old one, the store gets a new key, so the old password's copy opens nothing more."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    try:
        new_role = Role(role)
    except ValueError:
        raise ValidationError("Choose a role from the list.", "role") from None
    if username == session.actor.username:
        raise NotPermitted("You cannot change your own role while signed in.")
    if not new_role.trust_wide and not school_ids:
        raise ValidationError("Choose the schools this person works for.", "schools")
    with session.transaction(write=True) as db:
        user = _user(db, username)
        old_role = Role(user.role)
        schools = db.scalars(select(School).where(School.id.in_(school_ids))).all()
        if len(schools) != len(set(school_ids)):
            raise ValidationError("One of those schools no longer exists.", "schools")
        user.role = new_role.value
        user.schools = [] if new_role.trust_wide else list(schools)
        audit.record(
            db,
            session.actor,
            "user.role_changed",
            detail={"user_id": user.id, "from": old_role.value, "to": new_role.value},
        )
        if set(grants_for(new_role)) != set(grants_for(old_role)):
            # Less to open: an old copy must open nothing more. More: the slots need it.
            _rekey(session, db)
        if Role.FRONT_DESK in (old_role, new_role):
            frontdesk.publish(db, session.store)
        return _info(user)


def _user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"There is no user called {username!r}.")
    return user


def _rekey(session: UserSession, db: Session) -> None:
    """Plan a new store key for every active account, with what its role opens."""
    db.flush()
    active = db.execute(select(User.id, User.role).where(User.active.is_(True))).all()
    grants = {signer_id_for(uid): grants_for(Role(role)) for uid, role in active}
    session.store.rekey(db, grants)
    frontdesk.publish(db, session.store)
