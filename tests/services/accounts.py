"""Accounts the service tests add to the `new_store` trust and sign in as."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.errors import NotPermitted
from desktop.services.auth import sign_in
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.store import actor_for
from desktop.services.users import add_user
from desktop.storage.models import User

SCHOOL_USER_PASSWORD = "school user password"


def sign_in_new_user(
    result: SetupResult, store_path: Path, username: str, role: str, schools: Sequence[int] = (1,)
) -> UserSession:
    """Add an account (at the first school, Ash Primary, unless told) and sign in as it."""
    add_user(
        result.session,
        username=username,
        full_name=username.title(),
        role=role,
        school_ids=list(schools),
        password=SCHOOL_USER_PASSWORD,
    )
    return sign_in(store_path, username=username, password=SCHOOL_USER_PASSWORD)


def front_desk_session(
    result: SetupResult, store_path: Path, username: str = "desk"
) -> UserSession:
    """A front-desk account as if it held the case database key (it does not: its sign-in
    is refused), to prove the permission table refuses it too, as a second defence."""
    add_user(
        result.session,
        username=username,
        full_name=username.title(),
        role="front_desk",
        school_ids=[1],
        password=SCHOOL_USER_PASSWORD,
    )
    with pytest.raises(NotPermitted):
        sign_in(store_path, username=username, password=SCHOOL_USER_PASSWORD)
    with result.session.transaction() as db:
        user = db.scalar(select(User).where(User.username == username))
        assert user is not None
        actor = actor_for(db, user)
    return UserSession(result.session.store, actor)
