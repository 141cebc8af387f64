"""Finding a store, and the user who signs in to it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.roles import Role
from desktop.domain.text import normalise_username
from desktop.errors import AccountDisabled, WrongPassword
from desktop.services.session import Actor
from desktop.storage.models import User
from desktop.storage.store import FileStoreLocation
from desktop.storage.store import StoreLocation as StoreLocation


def locate(where: Path | StoreLocation) -> StoreLocation:
    """Where a store is: a location as given, or the encrypted file at a path."""
    return where if isinstance(where, StoreLocation) else FileStoreLocation(Path(where))


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
