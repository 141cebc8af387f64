"""Sign-in delays and password rules."""

from __future__ import annotations

import pytest

from desktop.domain.signin import (
    FIRST_DELAY_SECONDS,
    FREE_ATTEMPTS,
    MAX_DELAY_SECONDS,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_new_password,
    delay_after_failures,
    password_problem,
    seconds_to_wait,
)
from desktop.errors import ValidationError


def test_first_failures_cost_nothing() -> None:
    for failures in range(FREE_ATTEMPTS):
        assert delay_after_failures(failures) == 0.0


def test_delay_starts_then_doubles() -> None:
    assert delay_after_failures(FREE_ATTEMPTS) == FIRST_DELAY_SECONDS
    assert delay_after_failures(FREE_ATTEMPTS + 1) == FIRST_DELAY_SECONDS * 2
    assert delay_after_failures(FREE_ATTEMPTS + 2) == FIRST_DELAY_SECONDS * 4


def test_delay_never_shrinks_and_caps() -> None:
    delays = [delay_after_failures(n) for n in range(60)]
    assert delays == sorted(delays)
    assert max(delays) == MAX_DELAY_SECONDS
    assert delay_after_failures(1000) == MAX_DELAY_SECONDS


def test_delay_survives_a_very_long_guessing_run() -> None:
    assert delay_after_failures(1027) == MAX_DELAY_SECONDS
    assert delay_after_failures(10_000) == MAX_DELAY_SECONDS


def test_acceptable_password() -> None:
    assert password_problem("x" * MIN_PASSWORD_LENGTH) is None
    assert password_problem("correct horse battery") is None


@pytest.mark.parametrize(
    "password",
    ["", "short", "x" * (MIN_PASSWORD_LENGTH - 1), " " * 20, "x" * (MAX_PASSWORD_LENGTH + 1)],
)
def test_unacceptable_passwords_say_why(password: str) -> None:
    problem = password_problem(password)
    assert problem
    assert problem.endswith(".")


def test_a_good_new_password_passes_with_or_without_its_confirmation() -> None:
    check_new_password("correct horse battery")
    check_new_password("correct horse battery", "correct horse battery")


def test_a_new_password_that_breaks_the_rules_names_the_password_field() -> None:
    with pytest.raises(ValidationError) as info:
        check_new_password("short", "short")
    assert info.value.field == "password"
    assert info.value.message == password_problem("short")


def test_a_confirmation_that_differs_names_the_confirm_field() -> None:
    with pytest.raises(ValidationError) as info:
        check_new_password("correct horse battery", "correct horse batterY")
    assert info.value.field == "confirm"
    assert info.value.message == "The two passwords are not the same."


@pytest.mark.parametrize("last", [10_000.0, float("nan"), float("inf"), float("-inf")])
def test_a_failure_time_from_the_future_or_not_a_number_counts_as_now(last: float) -> None:
    """Once a clock set a day ahead shut out the right password for 86,402 s; NaN let
    every guess through."""
    now = 100.0
    assert seconds_to_wait(5, last, now) == delay_after_failures(5)


def test_the_wait_runs_down_from_the_last_failure() -> None:
    assert seconds_to_wait(5, 99.0, 100.0) == delay_after_failures(5) - 1.0
    assert seconds_to_wait(0, 99.0, 100.0) <= 0
