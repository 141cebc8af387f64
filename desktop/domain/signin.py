"""Sign-in rules: how long to wait after failures, what a password must be."""

from __future__ import annotations

import math

from desktop.domain.text import is_text
from desktop.errors import ValidationError

FREE_ATTEMPTS = 3
FIRST_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 300.0
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def seconds_to_wait(failures: int, last_failure: float, now: float) -> float:
    """How long sign-in must still wait, given when the last failure was recorded.

    A record from the future (a clock set wrong, or a hand-edited file) or one that is not
    a finite number is read as "just now": the usual delay applies, never a day's lock-out
    and never none at all.
    """
    if not math.isfinite(last_failure) or last_failure > now:
        last_failure = now
    return delay_after_failures(failures) - (now - last_failure)


def delay_after_failures(failures: int) -> float:
    """Seconds to refuse sign-in after `failures` consecutive wrong passwords.

    The first few mistakes cost nothing; after that each failure doubles the wait,
    up to five minutes, which makes guessing slow without locking anyone out for good.
    """
    if failures < FREE_ATTEMPTS:
        return 0.0
    doublings = min(failures - FREE_ATTEMPTS, 32)  # the count is stored; keep the maths finite
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2.0**doublings)


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None when it will do."""
    if not is_text(password):
        return "The password holds characters that cannot be used. Type it again."
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters for a password."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters for a password."
    if password.strip() == "":
        return "A password cannot be only spaces."
    return None


def check_new_password(password: str, confirm: str | None = None) -> None:
    """Refuse a new password that breaks the rules, or a confirmation that does not match.

    Raises ValidationError naming the field at fault ("password" or "confirm"), so every
    form that sets a password shows the message in the same place.
    """
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem, "password")
    if confirm is not None and confirm != password:
        raise ValidationError("The two passwords are not the same.", "confirm")
