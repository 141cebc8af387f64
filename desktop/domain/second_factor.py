"""Two-step sign-in: the rules for authenticator codes and recovery codes.

The second factor is a time-based one-time password (TOTP, RFC 6238): the authenticator app
and Casebook share a secret, and each derives a six-digit code from it and the time, counted
in 30-second steps. Nothing goes over a network, so it works offline.

- A code is accepted for the current step or one step either side (a phone's clock a little
  out), never further: an older code is stale.
- A code is accepted only for a step later than the last one accepted, so the same code (or
  an earlier one still inside the window) is never accepted twice.
- Recovery codes stand in for the app once each (a lost phone): ten codes of ten characters
  from an alphabet without look-alikes, shown once; only a hash of each is kept.

pyotp (the codes) is imported on first use, so signing in without a second factor never
loads it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from desktop.domain.roles import Operation, Role, is_permitted
from desktop.errors import ValidationError

STEP_SECONDS = 30
CODE_DIGITS = 6
WINDOW_STEPS = 1  # the step before and the step after the current one are accepted too
SECRET_LENGTH = 32  # base32 characters: 160 bits, the length RFC 4226 recommends
MIN_SECRET_LENGTH = SECRET_LENGTH  # Casebook makes every secret this long
MAX_SECRET_LENGTH = 64  # users.totp_secret is String(64)
BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
RECOVERY_GROUP = 5  # shown as two groups of five: "7KQ4M-X2HWP"
# No 0/O, 1/I/L, or U (read as V): 30 characters, so a code holds about 49 bits.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

_SIX_DIGITS = re.compile(r"[0-9]{6}")
_SEPARATORS = re.compile(r"[\s\-]+")


class SecondFactorStep(StrEnum):
    """What a sign-in still owes after the password (or a remembered device)."""

    CODE = "code"  # enrolled: a code from the app, or a recovery code
    ENROL = "enrol"  # the trust requires one and this account has none: set it up first


# -- who must use it ------------------------------------------------------------------------
def must_use_second_factor(role: Role, trust_requires: bool) -> bool:
    """Whether the trust's rule binds this account: administrators (the accounts that
    manage accounts, today the data protection lead) when the trust has turned it on."""
    return trust_requires and is_permitted(role, Operation.MANAGE_USERS)


def step_owed(*, enrolled: bool, required: bool) -> SecondFactorStep | None:
    """After the password: the code when the account has a second factor; enrolment when
    the trust requires one it has not set up; nothing otherwise."""
    if enrolled:
        return SecondFactorStep.CODE
    return SecondFactorStep.ENROL if required else None


# -- the secret -----------------------------------------------------------------------------
def new_secret() -> str:
    """A fresh random secret, in base32 as authenticator apps take it."""
    return "".join(secrets.choice(sorted(BASE32)) for _ in range(SECRET_LENGTH))


def check_secret(secret: str) -> str:
    """The secret in its stored form (upper case, no spaces), or ValidationError."""
    cleaned = _SEPARATORS.sub("", secret).upper().rstrip("=")
    if not MIN_SECRET_LENGTH <= len(cleaned) <= MAX_SECRET_LENGTH or not set(cleaned) <= BASE32:
        raise ValidationError(
            "That set-up key is not one Casebook made. Start setting up again.", "secret"
        )
    return cleaned


def secret_for_typing(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// address the QR code holds; the app lists it as `issuer` and `account`."""
    import pyotp

    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


# -- codes from the app ---------------------------------------------------------------------
def time_step(now: float) -> int:
    """The 30-second step that the time `now` (seconds since 1970) falls in."""
    return math.floor(now / STEP_SECONDS)


def normalise_code(text: str) -> str | None:
    """Six ASCII digits, with any spaces or hyphens taken out; None for anything else."""
    cleaned = _SEPARATORS.sub("", text)
    return cleaned if _SIX_DIGITS.fullmatch(cleaned) else None


def code_at(secret: str, step: int) -> str:
    """The app's code for a time step."""
    import pyotp

    return pyotp.TOTP(secret, digits=CODE_DIGITS, interval=STEP_SECONDS).generate_otp(step)


@dataclass(frozen=True)
class CodeCheck:
    """The step a code was accepted for, or None; `reused` when it matched a step already
    used (the same code again, or an older one)."""

    step: int | None
    reused: bool = False

    @property
    def accepted(self) -> bool:
        return self.step is not None


def check_code(secret: str, code: str, *, now: float, last_step: int | None) -> CodeCheck:
    """Whether `code` is the app's code for a step within the window around `now` and later
    than `last_step`. The caller keeps the accepted step as the new `last_step`."""
    typed = normalise_code(code)
    if typed is None:
        return CodeCheck(None)
    current = time_step(now)
    reused = False
    for step in range(current - WINDOW_STEPS, current + WINDOW_STEPS + 1):
        if step < 0 or not hmac.compare_digest(code_at(secret, step), typed):
            continue
        if last_step is not None and step <= last_step:
            reused = True
            continue
        return CodeCheck(step)
    return CodeCheck(None, reused)


def code_problem(check: CodeCheck) -> str:
    """Why a code was refused, in words for the person typing it."""
    if check.reused:
        return "That code has already been used. Wait for the next code in your app and type that."
    return (
        "That code is not right. Type the newest code your authenticator app shows; if it is "
        "still refused, check that your phone's clock is set automatically."
    )


# -- recovery codes -------------------------------------------------------------------------
def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> tuple[str, ...]:
    """Fresh recovery codes, each as it is shown ("7KQ4M-X2HWP"), all different."""
    codes: list[str] = []
    while len(codes) < count:
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        shown = format_recovery_code(raw)
        if shown not in codes:
            codes.append(shown)
    return tuple(codes)


def format_recovery_code(code: str) -> str:
    """A normalised code in its groups, as printed."""
    return "-".join(
        code[i : i + RECOVERY_GROUP] for i in range(0, RECOVERY_CODE_LENGTH, RECOVERY_GROUP)
    )


def normalise_recovery_code(text: str) -> str | None:
    """A recovery code as typed (any case, with or without its hyphen or spaces) in its
    stored form, or None when it cannot be one."""
    cleaned = _SEPARATORS.sub("", text).upper()
    if len(cleaned) != RECOVERY_CODE_LENGTH or not set(cleaned) <= set(RECOVERY_ALPHABET):
        return None
    return cleaned


def new_recovery_salt() -> str:
    """The store's own salt for recovery-code hashes (kept in the store, made once)."""
    return secrets.token_hex(16)


def hash_recovery_code(code: str, *, salt: str, user_id: int) -> str:
    """HMAC-SHA256 of a normalised code, keyed by the store's salt, bound to its account.

    A fast hash is enough here, unlike for a password: the codes are made by the machine
    with about 49 random bits each, so there is no small list of likely codes to try; each
    works once; sign-in checks are throttled; and the table sits in the encrypted store
    beside the TOTP secret, which must be kept whole, so a slow hash would protect nothing
    that a reader of the table could not take anyway. The salt makes the hashes differ
    between stores, and the account id stops one person's code working for another.
    """
    message = f"{user_id}:{code}".encode()
    return hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()


def recovery_problem(*, known: bool) -> str:
    """Why a recovery code was refused."""
    if known:
        return "That recovery code has already been used. Each works once: use another."
    return "That is not one of your recovery codes. Check each character and try again."


NOT_A_CODE = (
    "Type the 6-digit code from your authenticator app, or one of your recovery codes "
    "(ten letters and digits)."
)
