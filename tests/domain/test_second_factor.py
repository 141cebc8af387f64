"""Two-step sign-in rules: the window, reuse, stale codes, who must use it, recovery codes."""

from __future__ import annotations

import subprocess
import sys

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import second_factor as rules
from desktop.domain.roles import Role
from desktop.domain.second_factor import SecondFactorStep
from desktop.errors import ValidationError

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_790_000_000.0  # a moment in 2026, 20 s into its step
STEP = int(NOW // 30)


def code(step: int) -> str:
    return pyotp.TOTP(SECRET).at(step * 30)


def test_the_step_is_thirty_seconds_of_the_clock() -> None:
    assert rules.time_step(NOW) == STEP
    assert rules.time_step(STEP * 30) == STEP
    assert rules.time_step(STEP * 30 - 0.001) == STEP - 1


def test_codes_agree_with_an_authenticator_app() -> None:
    assert rules.code_at(SECRET, STEP) == code(STEP)
    assert len(code(STEP)) == 6 and code(STEP).isdigit()


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_the_current_step_and_one_either_side_are_accepted(offset: int) -> None:
    check = rules.check_code(SECRET, code(STEP + offset), now=NOW, last_step=None)
    assert check.accepted and check.step == STEP + offset


@pytest.mark.parametrize("offset", [-10, -3, -2, 2, 3])
def test_a_stale_or_future_code_is_refused(offset: int) -> None:
    typed = code(STEP + offset)
    if typed in {code(STEP - 1), code(STEP), code(STEP + 1)}:
        pytest.skip("by chance the same digits as a code inside the window")
    check = rules.check_code(SECRET, typed, now=NOW, last_step=None)
    assert not check.accepted and not check.reused
    assert "not right" in rules.code_problem(check)


def test_a_code_is_never_accepted_twice() -> None:
    first = rules.check_code(SECRET, code(STEP), now=NOW, last_step=None)
    assert first.step == STEP
    again = rules.check_code(SECRET, code(STEP), now=NOW + 5, last_step=first.step)
    assert not again.accepted and again.reused
    assert "already been used" in rules.code_problem(again)


def test_an_older_code_inside_the_window_is_refused_after_a_newer_one() -> None:
    newer = rules.check_code(SECRET, code(STEP), now=NOW, last_step=None)
    older = rules.check_code(SECRET, code(STEP - 1), now=NOW, last_step=newer.step)
    assert not older.accepted and older.reused
    later = rules.check_code(SECRET, code(STEP + 1), now=NOW, last_step=newer.step)
    assert later.step == STEP + 1


def test_codes_with_spaces_or_a_hyphen_are_read() -> None:
    digits = code(STEP)
    assert rules.normalise_code(f"{digits[:3]} {digits[3:]}") == digits
    assert rules.normalise_code(f" {digits[:3]}-{digits[3:]} ") == digits
    assert rules.check_code(SECRET, f"{digits[:3]} {digits[3:]}", now=NOW, last_step=None).accepted


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦", "123\n45 6x"])
def test_what_is_not_six_digits_is_not_a_code(typed: str) -> None:
    assert rules.normalise_code(typed) is None
    assert not rules.check_code(SECRET, typed, now=NOW, last_step=None).accepted


@given(st.text(max_size=40))
def test_odd_input_never_raises_and_is_six_ascii_digits_if_anything(typed: str) -> None:
    found = rules.normalise_code(typed)
    assert found is None or (len(found) == 6 and set(found) <= set("0123456789"))
    rules.check_code(SECRET, typed, now=NOW, last_step=STEP)  # never raises


@given(st.text(max_size=30))
def test_odd_recovery_input_is_refused_or_normalised(typed: str) -> None:
    found = rules.normalise_recovery_code(typed)
    assert found is None or (
        len(found) == rules.RECOVERY_CODE_LENGTH and set(found) <= set(rules.RECOVERY_ALPHABET)
    )


def test_who_must_use_it() -> None:
    assert rules.must_use_second_factor(Role.DATA_PROTECTION_LEAD, True)
    assert not rules.must_use_second_factor(Role.DATA_PROTECTION_LEAD, False)
    for role in Role:
        if role is not Role.DATA_PROTECTION_LEAD:
            assert not rules.must_use_second_factor(role, True), role


def test_what_a_sign_in_owes() -> None:
    assert rules.step_owed(enrolled=True, required=False) is SecondFactorStep.CODE
    assert rules.step_owed(enrolled=True, required=True) is SecondFactorStep.CODE
    assert rules.step_owed(enrolled=False, required=True) is SecondFactorStep.ENROL
    assert rules.step_owed(enrolled=False, required=False) is None


def test_recovery_codes_are_ten_unambiguous_codes_in_two_groups() -> None:
    codes = rules.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    for shown in codes:
        first, second = shown.split("-")
        assert len(first) == len(second) == 5
        assert not set(first + second) & set("01OILU")
        assert rules.normalise_recovery_code(shown) == first + second


def test_recovery_codes_are_read_as_typed() -> None:
    shown = rules.new_recovery_codes(1)[0]
    assert rules.normalise_recovery_code(shown.lower()) == shown.replace("-", "")
    assert rules.normalise_recovery_code(shown.replace("-", " ")) == shown.replace("-", "")
    assert rules.normalise_recovery_code(shown[:-1]) is None
    assert rules.normalise_recovery_code("O" * 10) is None  # letters that are never used


def test_recovery_hashes_depend_on_the_store_and_the_account() -> None:
    code_ = rules.normalise_recovery_code(rules.new_recovery_codes(1)[0])
    assert code_ is not None
    one = rules.hash_recovery_code(code_, salt="a" * 32, user_id=1)
    assert one == rules.hash_recovery_code(code_, salt="a" * 32, user_id=1)
    assert one != rules.hash_recovery_code(code_, salt="b" * 32, user_id=1)
    assert one != rules.hash_recovery_code(code_, salt="a" * 32, user_id=2)
    assert code_ not in one and len(one) == 64


def test_secrets_are_random_base32_that_apps_take() -> None:
    secret = rules.new_secret()
    assert len(secret) == 32 and set(secret) <= rules.BASE32
    assert secret != rules.new_secret()
    assert rules.check_secret(rules.secret_for_typing(secret).lower()) == secret
    uri = rules.provisioning_uri(secret, account="admin (Oakfield)", issuer="Casebook")
    assert uri.startswith("otpauth://totp/Casebook:") and f"secret={secret}" in uri
    assert pyotp.parse_uri(uri).secret == secret


@pytest.mark.parametrize("bad", ["", "SHORT", "A" * 65, "JBSWY3DPEHPK3PX1"])
def test_a_secret_that_casebook_did_not_make_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        rules.check_secret(bad)


def test_pyotp_and_segno_are_not_imported_by_signing_in_code() -> None:
    code_ = (
        "import sys\n"
        "import desktop.services.auth, desktop.services.second_factor\n"
        "print('pyotp' in sys.modules, 'segno' in sys.modules)\n"
        "from desktop.domain.second_factor import code_at\n"
        "code_at('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 1)\n"
        "print('pyotp' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code_], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True"]
