"""Signing in, changing a password, recovering: a hostile username or password is refused
in words (a lone surrogate is what an undecodable command-line byte becomes)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.errors import TooManyAttempts, ValidationError, WrongPassword
from desktop.services import auth
from tests.conftest import ADMIN_PASSWORD
from tests.hostile.support import HYPOTHESIS, World, hostile_text, outcome, undecodable

SIGN_IN_REFUSALS = (ValidationError, WrongPassword, TooManyAttempts)
_ticks = itertools.count(0, 3600)


def _later() -> float:
    """A clock an hour on at each reading, so earlier failures never make a test wait."""
    return float(next(_ticks))


@HYPOTHESIS
@given(username=st.one_of(hostile_text, undecodable, st.just("x" * 1_000_000)))
def test_a_hostile_username_at_sign_in(world: World, username: str) -> None:
    """A lone surrogate in the username once raised UnicodeEncodeError at sign-in."""
    result = outcome(
        lambda: auth.sign_in(world.path, username=username, password="not it", clock=_later),
        SIGN_IN_REFUSALS,
    )
    if not isinstance(result, Exception):
        result.close()
    assert isinstance(result, ValidationError | WrongPassword | TooManyAttempts), result


@HYPOTHESIS
@given(password=st.one_of(hostile_text.filter(lambda p: p != ADMIN_PASSWORD), st.just("x" * 10**6)))
def test_a_wrong_password_that_is_still_text(world: World, password: str) -> None:
    from desktop.domain.text import is_text

    if not is_text(password):
        return  # the next test's case: the fix is in auth.py
    result = outcome(
        lambda: auth.sign_in(world.path, username="admin", password=password, clock=_later),
        SIGN_IN_REFUSALS,
    )
    assert isinstance(result, WrongPassword | ValidationError), result


@pytest.mark.parametrize("password", ["admin\ud800 password", "\udcff\udcfe" * 6])
def test_a_password_that_is_not_text_at_sign_in(world: World, password: str) -> None:
    result = outcome(
        lambda: auth.sign_in(world.path, username="admin", password=password, clock=_later),
        SIGN_IN_REFUSALS,
    )
    assert isinstance(result, WrongPassword)


def test_a_current_password_that_is_not_text(world: World) -> None:
    result = outcome(
        lambda: auth.change_password(
            world.admin, current_password="admin\ud800", new_password="a brand new password"
        ),
        SIGN_IN_REFUSALS,
    )
    assert isinstance(result, WrongPassword)


@pytest.mark.parametrize("new_password", ["new\ud800 password!", "\udcff" * 12])
def test_a_new_password_that_is_not_text(world: World, new_password: str) -> None:
    result = outcome(
        lambda: auth.change_password(
            world.admin, current_password=ADMIN_PASSWORD, new_password=new_password
        )
    )
    assert isinstance(result, ValidationError) and result.field == "password"
    auth.sign_in(world.path, username="admin", password=ADMIN_PASSWORD, clock=_later).close()
