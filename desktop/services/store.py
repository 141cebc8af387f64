"""Finding a store, and the user who signs in to it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.roles import Operation, Role, is_permitted
from desktop.domain.text import normalise_username
from desktop.errors import AccountDisabled, WrongPassword
from desktop.services.session import Actor
from desktop.storage.filestore import FileStoreLocation
from desktop.storage.models import User
from desktop.storage.store import GRANT_AUDIT, GRANT_CASES, GRANT_FRONT_DESK
from desktop.storage.store import StoreLocation as StoreLocation


def locate(where: Path | StoreLocation) -> StoreLocation:
    """Where a store is: a location as given, or the encrypted file at a path."""
    return where if isinstance(where, StoreLocation) else FileStoreLocation(Path(where))


def grants_for(role: Role) -> tuple[str, ...]:
    """What an account's password opens: the front desk only its list of restrictions;
    everyone else the case database too; those who may check the audit trail its key."""
    if role is Role.FRONT_DESK:
        return (GRANT_FRONT_DESK,)
    grants = (GRANT_CASES, GRANT_FRONT_DESK)
    return grants + (GRANT_AUDIT,) if is_permitted(role, Operation.VIEW_AUDIT) else grants


def signer_id_for(user_id: int | None) -> str:
    """Whose audit signing key and ways in these are, as the key file names them."""
    return "system" if user_id is None else f"user:{user_id}"


def actor_for(db: Session, user: User) -> Actor:
    role = Role(user.role)
    schools = None if role.trust_wide else frozenset(s.id for s in user.schools)
    return Actor(user.id, user.username, user.full_name, role, schools)


def find_user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise WrongPassword()
    if not user.active:
        raise AccountDisabled()
    return user
