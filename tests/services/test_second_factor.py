"""Two-step sign-in through the services: enrolment, sign-in owing a code, recovery codes,
the trust's rule for administrators, and an audit trail that never holds a secret."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

import desktop.domain.signin as signin_rules
from desktop.domain.roles import Operation
from desktop.domain.second_factor import SecondFactorStep
from desktop.domain.signin import FREE_ATTEMPTS
from desktop.errors import NotPermitted, TooManyAttempts, ValidationError
from desktop.services import auth, backups, cases, second_factor, trust, users
from desktop.services.session import SecondFactorNeeded, UserSession
from desktop.services.setup import SetupResult
from desktop.storage.models import AuditEntry, User
from tests.conftest import ADMIN_PASSWORD
from tests.services.accounts import SCHOOL_USER_PASSWORD, sign_in_new_user


class Clock:
    """Seconds that move only when the test says so (codes follow them)."""

    def __init__(self, now: float = 1_790_000_010.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def next_code(self) -> None:
        self.now += 30


def code_for(secret: str, clock: Clock) -> str:
    return pyotp.TOTP(secret).at(clock.now)


def not_the(code: str) -> str:
    """Six digits that are not `code`."""
    return str((int(code) + 1) % 1_000_000).zfill(6)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def enrol(session: UserSession, clock: Clock) -> tuple[str, tuple[str, ...]]:
    """Set up the app for the session's account; the secret and the recovery codes."""
    started = second_factor.start_enrolment(session)
    codes = second_factor.confirm_enrolment(
        session, secret=started.secret, code=code_for(started.secret, clock), clock=clock
    )
    return started.secret, codes


def sign_in_admin(store_path: Path, clock: Clock) -> UserSession:
    return auth.sign_in(store_path, username="admin", password=ADMIN_PASSWORD, clock=clock)


def refused_before_the_code(session: UserSession) -> None:
    """Every kind of service call is refused, not only the ones a window would make."""
    for call in (
        lambda: cases.list_cases(session),
        lambda: trust.get_trust(session),
        lambda: users.list_users(session),
        lambda: second_factor.status(session),
        lambda: auth.change_password(
            session, current_password=ADMIN_PASSWORD, new_password="another password 1"
        ),
    ):
        with pytest.raises(SecondFactorNeeded):
            call()


def audit_text(session: UserSession) -> str:
    with session.transaction() as db:
        rows = db.execute(select(AuditEntry.action, AuditEntry.detail)).all()
    return "\n".join(f"{row.action} {row.detail}" for row in rows)


def test_enrolment_keeps_the_secret_only_after_a_right_code(admin: UserSession, clock) -> None:
    started = second_factor.start_enrolment(admin)
    assert started.qr_png.startswith(b"\x89PNG")
    assert f"secret={started.secret}" in started.uri and "Casebook" in started.uri
    assert started.secret_for_typing.replace(" ", "") == started.secret
    wrong = not_the(code_for(started.secret, clock))
    with pytest.raises(ValidationError) as refused:
        second_factor.confirm_enrolment(admin, secret=started.secret, code=wrong, clock=clock)
    assert refused.value.field == "code"
    assert not second_factor.status(admin).enrolled

    codes = second_factor.confirm_enrolment(
        admin, secret=started.secret, code=code_for(started.secret, clock), clock=clock
    )
    assert len(codes) == 10 and len(set(codes)) == 10
    now = second_factor.status(admin)
    assert now.enrolled and now.recovery_codes_left == 10 and not now.required
    with admin.transaction() as db:
        user = db.scalar(select(User).where(User.username == "admin"))
        assert user is not None and user.totp_secret == started.secret


def test_sign_in_owes_the_code_and_every_service_is_refused_until_it_is_given(
    admin: UserSession, store_path: Path, clock
) -> None:
    secret, _codes = enrol(admin, clock)
    admin.close()
    session = sign_in_admin(store_path, clock)
    assert session.needs_second_factor and session.second_factor_step is SecondFactorStep.CODE
    refused_before_the_code(session)
    with pytest.raises(SecondFactorNeeded):
        session.require(Operation.VIEW_CASES)

    # The code that confirmed the enrolment was used up by it.
    with pytest.raises(ValidationError, match="already been used"):
        auth.verify_second_factor(session, code_for(secret, clock), clock=clock)
    with pytest.raises(ValidationError, match="not right"):
        auth.verify_second_factor(session, not_the(code_for(secret, clock)), clock=clock)
    assert session.needs_second_factor
    clock.next_code()
    auth.verify_second_factor(session, code_for(secret, clock), clock=clock)
    assert not session.needs_second_factor
    assert trust.get_trust(session).name == "Oakfield Learning Trust"
    actions = audit_text(session)
    assert "user.second_factor_refused" in actions and "user.second_factor_passed" in actions
    auth.sign_out(session)


def test_a_code_accepted_once_is_refused_at_the_next_sign_in(
    admin: UserSession, store_path: Path, clock
) -> None:
    secret, _codes = enrol(admin, clock)
    admin.close()
    clock.next_code()
    first = sign_in_admin(store_path, clock)
    auth.verify_second_factor(first, code_for(secret, clock), clock=clock)
    auth.sign_out(first)
    clock.now += 10  # the same 30 seconds: the app still shows that code
    second = sign_in_admin(store_path, clock)
    with pytest.raises(ValidationError, match="already been used"):
        auth.verify_second_factor(second, code_for(secret, clock), clock=clock)
    assert second.needs_second_factor
    auth.sign_out(second)  # a sign-in given up before its code signs out cleanly


def test_a_recovery_code_works_once(admin: UserSession, store_path: Path, clock) -> None:
    _secret, codes = enrol(admin, clock)
    admin.close()
    session = sign_in_admin(store_path, clock)
    auth.verify_second_factor(session, codes[3].lower().replace("-", " "), clock=clock)
    assert second_factor.status(session).recovery_codes_left == 9
    auth.sign_out(session)
    again = sign_in_admin(store_path, clock)
    with pytest.raises(ValidationError, match="already been used"):
        auth.verify_second_factor(again, codes[3], clock=clock)
    with pytest.raises(ValidationError, match="not one of your recovery codes"):
        auth.verify_second_factor(again, "ABCDE-FGHJK", clock=clock)
    clock.now += 3  # two wrong codes after the password: the first short wait
    auth.verify_second_factor(again, codes[4], clock=clock)
    auth.sign_out(again)


def test_wrong_codes_count_towards_the_sign_in_limits(
    admin: UserSession, store_path: Path, clock
) -> None:
    secret, _codes = enrol(admin, clock)
    admin.close()
    clock.next_code()
    right = code_for(secret, clock)
    wrong = not_the(right)
    session = sign_in_admin(store_path, clock)  # counted until the code is right: 1
    for _ in range(FREE_ATTEMPTS - 1):
        with pytest.raises(ValidationError):
            auth.verify_second_factor(session, wrong, clock=clock)
    with pytest.raises(TooManyAttempts):
        auth.verify_second_factor(session, right, clock=clock)
    # Signing in with the password again does not wipe the count.
    with pytest.raises(TooManyAttempts):
        sign_in_admin(store_path, clock)
    clock.now += 3
    auth.verify_second_factor(session, right, clock=clock)
    auth.sign_out(session)
    clock.next_code()
    fresh = sign_in_admin(store_path, clock)  # the right code cleared the count
    auth.verify_second_factor(fresh, code_for(secret, clock), clock=clock)
    auth.sign_out(fresh)


def test_the_trust_rule_leads_an_administrator_to_enrol_before_anything_else(
    new_store: SetupResult, store_path: Path, clock
) -> None:
    admin = new_store.session
    sign_in_new_user(new_store, store_path, "bea", "business_manager").close()
    assert second_factor.set_trust_rule(admin, required=True)
    assert second_factor.status(admin).trust_requires and second_factor.status(admin).required
    auth.sign_out(admin)

    bea = auth.sign_in(store_path, username="bea", password=SCHOOL_USER_PASSWORD)
    assert not bea.needs_second_factor  # the rule binds administrators only
    auth.sign_out(bea)

    session = sign_in_admin(store_path, clock)
    assert session.second_factor_step is SecondFactorStep.ENROL
    refused_before_the_code(session)
    with pytest.raises(SecondFactorNeeded):
        auth.verify_second_factor(session, "123456", clock=clock)
    secret, _codes = enrol(session, clock)  # setting up is the one thing allowed
    assert not session.needs_second_factor
    assert cases.list_cases(session) is not None
    with pytest.raises(NotPermitted, match="requires administrators"):
        second_factor.disable(session, code=code_for(secret, clock), clock=clock)
    auth.sign_out(session)
    clock.next_code()
    later = sign_in_admin(store_path, clock)
    assert later.second_factor_step is SecondFactorStep.CODE
    auth.verify_second_factor(later, code_for(secret, clock), clock=clock)
    auth.sign_out(later)


def test_a_remembered_device_still_owes_the_code(
    admin: UserSession, store_path: Path, clock, memory_keyring
) -> None:
    auth.remember_this_device(admin)
    secret, _codes = enrol(admin, clock)
    admin.close()
    session = auth.sign_in_remembered(store_path)
    assert session.second_factor_step is SecondFactorStep.CODE
    refused_before_the_code(session)
    with pytest.raises(SecondFactorNeeded):
        auth.remember_this_device(session)
    clock.next_code()
    auth.verify_second_factor(session, code_for(secret, clock), clock=clock)
    assert trust.get_trust(session).name
    auth.sign_out(session)


def test_turning_it_off_new_codes_and_a_new_phone(
    new_store: SetupResult, store_path: Path, clock
) -> None:
    admin = new_store.session
    bea = sign_in_new_user(new_store, store_path, "bea", "business_manager")
    secret, old_codes = enrol(bea, clock)
    clock.next_code()
    with pytest.raises(ValidationError):
        second_factor.regenerate_recovery_codes(bea, code="12345", clock=clock)
    new_codes = second_factor.regenerate_recovery_codes(
        bea, code=code_for(secret, clock), clock=clock
    )
    assert not set(new_codes) & set(old_codes)

    # A new phone: the old app's code (here a recovery code) proves it first.
    phone = second_factor.start_enrolment(bea)
    with pytest.raises(ValidationError) as needs_current:
        second_factor.confirm_enrolment(
            bea, secret=phone.secret, code=code_for(phone.secret, clock), clock=clock
        )
    assert needs_current.value.field == "current_code"
    with pytest.raises(ValidationError):
        second_factor.confirm_enrolment(
            bea,
            secret=phone.secret,
            code=code_for(phone.secret, clock),
            current_code=old_codes[0],  # replaced above: no longer works
            clock=clock,
        )
    second_factor.confirm_enrolment(
        bea,
        secret=phone.secret,
        code=code_for(phone.secret, clock),
        current_code=new_codes[0],
        clock=clock,
    )
    clock.next_code()
    with pytest.raises(ValidationError):
        second_factor.disable(bea, code=code_for(secret, clock), clock=clock)  # the old phone
    second_factor.disable(bea, code=code_for(phone.secret, clock), clock=clock)
    assert not second_factor.status(bea).enrolled
    auth.sign_out(bea)
    assert not auth.sign_in(
        store_path, username="bea", password=SCHOOL_USER_PASSWORD
    ).needs_second_factor

    # An administrator turns it off for someone who lost phone and codes.
    cal = sign_in_new_user(new_store, store_path, "cal", "headteacher")
    enrol(cal, clock)
    auth.sign_out(cal)
    assert [a.username for a in second_factor.accounts_with_second_factor(admin)] == ["cal"]
    with pytest.raises(NotPermitted):
        second_factor.disable_for_user(admin, username="admin")
    assert second_factor.disable_for_user(admin, username="cal")
    assert not second_factor.disable_for_user(admin, username="cal")
    assert second_factor.accounts_with_second_factor(admin) == []
    cal_again = auth.sign_in(store_path, username="cal", password=SCHOOL_USER_PASSWORD)
    assert not cal_again.needs_second_factor
    auth.sign_out(cal_again)
    text = audit_text(admin)
    assert '"by":"administrator"' in text.replace(" ", "")


def test_the_audit_trail_and_the_files_hold_no_secret_or_code(
    admin: UserSession, store_path: Path, clock
) -> None:
    secret, codes = enrol(admin, clock)
    clock.next_code()
    codes += second_factor.regenerate_recovery_codes(
        admin, code=code_for(secret, clock), clock=clock
    )
    admin.close()
    session = sign_in_admin(store_path, clock)
    auth.verify_second_factor(session, codes[-1], clock=clock)
    text = audit_text(session)
    for action in ("second_factor.enrolled", "second_factor.recovery_codes_made"):
        assert action in text
    for needle in (secret, *codes, *(c.replace("-", "") for c in codes)):
        assert needle not in text
    auth.sign_out(session)
    for path in store_path.parent.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data, path
            assert codes[0].replace("-", "").encode() not in data, path


def test_the_rule_is_for_administrators_to_set(new_store: SetupResult, store_path: Path) -> None:
    leader = sign_in_new_user(new_store, store_path, "tess", "trust_leader")
    with pytest.raises(NotPermitted):
        second_factor.set_trust_rule(leader, required=True)
    assert not second_factor.status(leader).trust_requires
    assert second_factor.set_trust_rule(new_store.session, required=True)
    assert second_factor.status(leader).trust_requires
    assert not second_factor.status(leader).required  # it binds administrators only
    leader.close()


def test_a_backup_restores_for_an_administrator_with_two_step_sign_in(
    admin: UserSession, store_path: Path, tmp_path: Path, clock
) -> None:
    enrol(admin, clock)
    folder = tmp_path / "backups"
    folder.mkdir()
    info = backups.make_backup(admin, folder=folder)
    admin.close()
    result = backups.restore_backup(
        info.path, store_path, force=True, username="admin", password=ADMIN_PASSWORD
    )
    assert result.check is not None and result.check.username == "admin"
    assert sign_in_admin(store_path, clock).needs_second_factor


def test_the_command_line_takes_the_code_from_its_environment(
    admin: UserSession, store_path: Path, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.cli.common import CODE_ENV, signed_in

    monkeypatch.setattr(signin_rules, "FREE_ATTEMPTS", 10)  # this test is not about waiting
    started = second_factor.start_enrolment(admin)
    second_factor.confirm_enrolment(
        admin, secret=started.secret, code=pyotp.TOTP(started.secret).now()
    )
    admin.close()
    monkeypatch.setenv(CODE_ENV, not_the(pyotp.TOTP(started.secret).at(time.time() + 30)))
    with pytest.raises(ValidationError), signed_in(store_path, "admin", ADMIN_PASSWORD):
        pass
    monkeypatch.setenv(CODE_ENV, pyotp.TOTP(started.secret).at(time.time() + 30))
    with signed_in(store_path, "admin", ADMIN_PASSWORD) as session:
        assert not session.needs_second_factor
        assert trust.get_trust(session).name


def test_only_signing_in_and_the_second_factor_pass_the_check() -> None:
    """The door that works before the code is given is used by sign-in, sign-out and the
    second factor's own steps; nothing else marks a session as having passed."""
    root = Path(second_factor.__file__).parent.parent
    users_of_the_door, passers = set(), set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        if ".sign_in_transaction(" in text:
            users_of_the_door.add(name)
        if "second_factor_step = None" in text:
            passers.add(name)
    assert users_of_the_door == {
        "services/session.py",
        "services/auth.py",
        "services/second_factor.py",
    }
    # backups: its restore check signs in for Casebook's own check and signs out again.
    assert passers == {"services/auth.py", "services/second_factor.py", "services/backups.py"}
