"""Two-step sign-in: setting up an authenticator app, recovery codes, the trust's rule.

Each account may add a second factor (Settings › Two-step sign-in); the trust may require
one of its administrators. Sign-in then asks for a code after the password (`auth`). The
rules (the window, reuse, the recovery codes' form and hash) are in
`desktop.domain.second_factor`. The audit trail records each change and each code refused
at sign-in, never the secret or a code.

segno (the QR code) is imported only when someone sets up the app.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain import second_factor as rules
from desktop.domain.roles import Operation, Role
from desktop.domain.second_factor import SecondFactorStep
from desktop.domain.signin import seconds_to_wait
from desktop.domain.text import normalise_username
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import audit
from desktop.services.session import SecondFactorNeeded, UserSession
from desktop.services.users import account_named
from desktop.storage.models import RecoveryCode, StoreMeta, Trust, User
from desktop.storage.store import StoreLocation

Clock = Callable[[], float]

ISSUER = "Casebook"
SALT_KEY = "recovery_code_salt"  # StoreMeta: the store's salt for recovery-code hashes


@dataclass(frozen=True)
class Enrolment:
    """A new secret to show: as a QR code for the app to scan, and as text to type."""

    secret: str
    uri: str  # otpauth://totp/...: what the QR code holds
    qr_png: bytes

    @property
    def secret_for_typing(self) -> str:
        return rules.secret_for_typing(self.secret)


@dataclass(frozen=True)
class SecondFactorStatus:
    """The signed-in account's two-step sign-in, and the trust's rule."""

    enrolled: bool
    recovery_codes_left: int
    required: bool  # the trust's rule binds this account
    trust_requires: bool  # the trust's rule: administrators must use it


@dataclass(frozen=True)
class EnrolledAccount:
    username: str
    full_name: str


@dataclass(frozen=True)
class Proof:
    """What a code proved: how the person passed ("app", "recovery_code"), or why not."""

    method: str | None
    problem: str = ""
    reason: str = ""  # for the audit trail: "wrong", "reused", "used_recovery_code"

    @property
    def accepted(self) -> bool:
        return self.method is not None


# -- reading --------------------------------------------------------------------------------
def status(session: UserSession) -> SecondFactorStatus:
    """Whether the signed-in account uses a second factor, and what the trust requires."""
    with session.transaction() as db:
        user = _me(db, session)
        trust_requires = _trust_requires(db)
        return SecondFactorStatus(
            enrolled=user.totp_secret is not None,
            recovery_codes_left=codes_left(db, user),
            required=rules.must_use_second_factor(session.actor.role, trust_requires),
            trust_requires=trust_requires,
        )


def accounts_with_second_factor(session: UserSession) -> list[EnrolledAccount]:
    """The other active accounts using a second factor (an administrator may turn one off
    for someone who has lost their phone and their recovery codes)."""
    session.require(Operation.MANAGE_USERS)
    with session.transaction() as db:
        rows = db.execute(
            select(User.username, User.full_name)
            .where(
                User.totp_secret.is_not(None),
                User.active.is_(True),
                User.id != session.actor.user_id,
            )
            .order_by(func.lower(User.full_name), User.username)
        ).all()
        return [EnrolledAccount(row.username, row.full_name) for row in rows]


# -- setting it up --------------------------------------------------------------------------
def start_enrolment(session: UserSession) -> Enrolment:
    """A new secret for the signed-in account, with its QR code. Nothing is stored until
    `confirm_enrolment` is given a code made from it."""
    with _enrolling(session) as db:
        trust_name = db.scalar(select(Trust.name).order_by(Trust.id).limit(1)) or ""
    secret = rules.new_secret()
    account = f"{session.actor.username} ({trust_name})" if trust_name else session.actor.username
    uri = rules.provisioning_uri(secret, account=account, issuer=ISSUER)
    return Enrolment(secret, uri, qr_png(uri))


def qr_png(text: str) -> bytes:
    """A QR code of `text` as a PNG image, with the quiet border scanners need."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def confirm_enrolment(
    session: UserSession,
    *,
    secret: str,
    code: str,
    current_code: str | None = None,
    clock: Clock = time.time,
) -> tuple[str, ...]:
    """Keep `secret` as the account's second factor once `code` shows the app makes its
    codes; return new recovery codes, to be shown this once. An account that already has
    one (a new phone) proves it first with `current_code` (from the old app, or a recovery
    code), which counts towards the sign-in limits like any code."""
    secret = rules.check_secret(secret)
    now = clock()
    with _enrolling(session) as db:
        replacing = _me(db, session).totp_secret is not None
    if replacing:
        if not current_code:
            raise ValidationError(
                "Type a code from the app you use now, or a recovery code, to move to a new one.",
                "current_code",
            )
        _count_attempt(session, now)
    with _enrolling(session, write=True) as db:
        user = _me(db, session)
        if user.totp_secret is not None:
            _must_prove(db, user, current_code or "", now, field="current_code")
        check = rules.check_code(secret, code, now=now, last_step=None)
        if not check.accepted:
            raise ValidationError(rules.code_problem(check), "code")
        user.totp_secret = secret
        user.totp_last_step = check.step  # the code just typed cannot sign anyone in
        codes = _new_recovery_codes(db, user)
        audit.record(
            db,
            session.actor,
            "second_factor.replaced" if replacing else "second_factor.enrolled",
            detail={"recovery_codes": len(codes)},
        )
    if replacing:
        session.store.location.clear_failures(session.actor.username)
    if session.second_factor_step is SecondFactorStep.ENROL:
        session.second_factor_step = None
    return codes


# -- changing it ----------------------------------------------------------------------------
def regenerate_recovery_codes(
    session: UserSession, *, code: str, clock: Clock = time.time
) -> tuple[str, ...]:
    """New recovery codes in place of every earlier one, after a code from the app (or a
    recovery code); shown this once."""
    now = clock()
    _enrolled_or_refuse(session)
    _count_attempt(session, now)
    with session.transaction(write=True) as db:
        user = _me(db, session)
        _must_prove(db, user, code, now)
        codes = _new_recovery_codes(db, user)
        audit.record(
            db, session.actor, "second_factor.recovery_codes_made", detail={"count": len(codes)}
        )
    session.store.location.clear_failures(session.actor.username)
    return codes


def disable(session: UserSession, *, code: str, clock: Clock = time.time) -> None:
    """Turn off one's own second factor, proving it with a code. Refused while the trust's
    rule binds the account (use a new phone instead: `confirm_enrolment`)."""
    now = clock()
    _enrolled_or_refuse(session)
    with session.transaction() as db:
        if rules.must_use_second_factor(session.actor.role, _trust_requires(db)):
            raise NotPermitted(
                "The trust requires administrators to use two-step sign-in, so it cannot be "
                "turned off. To use a new phone, choose Set up on a new phone."
            )
    _count_attempt(session, now)
    with session.transaction(write=True) as db:
        user = _me(db, session)
        _must_prove(db, user, code, now)
        _forget_second_factor(db, user)
        audit.record(db, session.actor, "second_factor.disabled", detail={"by": "self"})
    session.store.location.clear_failures(session.actor.username)


def disable_for_user(session: UserSession, *, username: str) -> bool:
    """An administrator turns off someone else's second factor (a lost phone and lost
    recovery codes). False if they had none. If the trust requires it of them, they set it
    up again at their next sign-in."""
    session.require(Operation.MANAGE_USERS)
    username = normalise_username(username)
    if username == session.actor.username:
        raise NotPermitted("Turn off your own two-step sign-in above, with a code from your app.")
    with session.transaction(write=True) as db:
        user = account_named(db, username)
        if user.totp_secret is None:
            return False
        _forget_second_factor(db, user)
        audit.record(
            db,
            session.actor,
            "second_factor.disabled",
            detail={"by": "administrator", "user_id": user.id},
        )
        return True


def set_trust_rule(session: UserSession, *, required: bool) -> bool:
    """Whether the trust's administrators must use two-step sign-in. Those without it are
    led to set it up at their next sign-in. Administrators decide it, since it binds them
    (MANAGE_USERS, not EDIT_TRUST: a trust leader does not set administrators' sign-in)."""
    session.require(Operation.MANAGE_USERS)
    if not isinstance(required, bool):
        raise ValidationError("Say whether the rule is on or off.", "required")
    with session.transaction(write=True) as db:
        trust = db.scalar(select(Trust).order_by(Trust.id).limit(1))
        if trust is None:
            raise NotFound("This store has no trust record.")
        if trust.admins_need_second_factor != required:
            trust.admins_need_second_factor = required
            audit.record(
                db, session.actor, "trust.second_factor_rule_changed", detail={"required": required}
            )
        return required


# -- for signing in (desktop.services.auth) -------------------------------------------------
def step_at_sign_in(db: Session, user: User) -> SecondFactorStep | None:
    """What this account owes after its password: see `rules.step_owed`."""
    return rules.step_owed(
        enrolled=user.totp_secret is not None,
        required=rules.must_use_second_factor(Role(user.role), _trust_requires(db)),
    )


def prove(db: Session, user: User, code: str, *, now: float) -> Proof:
    """Check a code from the app, or a recovery code, for `user`; an accepted one is used
    up (the app's step is kept, the recovery code marked) in this transaction."""
    if user.totp_secret is None:
        return Proof(None, rules.code_problem(rules.CodeCheck(None)), "not_enrolled")
    digits = rules.normalise_code(code)
    if digits is not None:
        check = rules.check_code(user.totp_secret, digits, now=now, last_step=user.totp_last_step)
        if not check.accepted:
            return Proof(None, rules.code_problem(check), "reused" if check.reused else "wrong")
        user.totp_last_step = check.step
        return Proof("app")
    recovery = rules.normalise_recovery_code(code)
    if recovery is None:
        return Proof(None, rules.NOT_A_CODE, "wrong")
    salt = _salt(db)
    row = None
    if salt is not None:
        digest = rules.hash_recovery_code(recovery, salt=salt, user_id=user.id)
        row = db.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest
            )
        )
    if row is None:
        return Proof(None, rules.recovery_problem(known=False), "wrong")
    if row.used_at is not None:
        return Proof(None, rules.recovery_problem(known=True), "used_recovery_code")
    row.used_at = utc_now()
    return Proof("recovery_code")


def count_attempt(location: StoreLocation, username: str, now: float) -> None:
    """Count a code as a failed sign-in attempt until it is accepted (TooManyAttempts while
    the sign-in limits say wait): guessing codes is as slow as guessing passwords, and the
    count a right password leaves behind is not cleared until the code is right too."""
    location.begin_attempt(
        username, now, lambda failures, last: seconds_to_wait(failures, last, now)
    )


def codes_left(db: Session, user: User) -> int:
    """How many of the account's recovery codes are still unused."""
    return int(
        db.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


# -- inside -------------------------------------------------------------------------------
@contextmanager
def _enrolling(session: UserSession, *, write: bool = False) -> Iterator[Session]:
    """Setting up is the one thing an administrator whom the trust's rule binds may do
    before it is set up; with a code still owed, nothing."""
    if session.second_factor_step is SecondFactorStep.CODE:
        raise SecondFactorNeeded(session.second_factor_step)
    with session.sign_in_transaction(write=write) as db:
        yield db


def _count_attempt(session: UserSession, now: float) -> None:
    count_attempt(session.store.location, session.actor.username, now)


def _enrolled_or_refuse(session: UserSession) -> None:
    with session.transaction() as db:
        if _me(db, session).totp_secret is None:
            raise ValidationError("Two-step sign-in is not on for your account.", "code")


def _must_prove(db: Session, user: User, code: str, now: float, *, field: str = "code") -> None:
    proof = prove(db, user, code, now=now)
    if not proof.accepted:
        raise ValidationError(proof.problem, field)


def _me(db: Session, session: UserSession) -> User:
    user = db.get(User, session.actor.user_id)
    if user is None:
        raise NotFound("Your account no longer exists.")
    return user


def _trust_requires(db: Session) -> bool:
    found = db.scalar(select(Trust.admins_need_second_factor).order_by(Trust.id).limit(1))
    return bool(found)


def _salt(db: Session, *, create: bool = False) -> str | None:
    row = db.get(StoreMeta, SALT_KEY)
    if row is None and create:
        row = StoreMeta(key=SALT_KEY, value=rules.new_recovery_salt())
        db.add(row)
    return None if row is None else row.value


def _new_recovery_codes(db: Session, user: User) -> tuple[str, ...]:
    """Replace the account's recovery codes with new ones; only their hashes are kept."""
    salt = _salt(db, create=True)
    assert salt is not None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = rules.new_recovery_codes()
    made = utc_now()
    for code in codes:
        normal = rules.normalise_recovery_code(code)
        assert normal is not None
        db.add(
            RecoveryCode(
                user_id=user.id,
                code_hash=rules.hash_recovery_code(normal, salt=salt, user_id=user.id),
                created_at=made,
            )
        )
    return codes


def _forget_second_factor(db: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
