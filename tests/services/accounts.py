"""Accounts the service tests add to the `new_store` trust and sign in as."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from desktop.services.auth import sign_in
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user

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
