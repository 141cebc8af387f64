"""`casebook user add|list|remove|reset-password`."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.errors import WrongPassword
from desktop.services import auth
from tests.cli.test_cli import PASSWORD, init, run

NEW = "new staff password"


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> Path:
    monkeypatch.setenv("CASEBOOK_PASSWORD", PASSWORD)
    path = tmp_path / "trust.casebook"
    init(capsys, path)
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", NEW)
    return path


def test_add_a_school_user_who_can_then_sign_in(store: Path, capsys) -> None:
    code, out, err = run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "jo.price"),
        *("--full-name", "Jo Price", "--role", "business_manager", "--school", "ash primary"),
    )
    assert code == 0, err
    assert "Added jo.price as School business manager for Ash Primary." in out
    session = auth.sign_in(store, username="jo.price", password=NEW)
    assert session.actor.school_ids is not None and len(session.actor.school_ids) == 1
    session.close()
    code, out, _ = run(capsys, "user", "list", "--db", store, "--user", "admin")
    assert code == 0 and "jo.price" in out and "Ash Primary" in out


def test_school_role_without_a_school_is_refused(store: Path, capsys) -> None:
    code, _, err = run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "x1"),
        *("--full-name", "X", "--role", "headteacher"),
    )
    assert code == 1
    assert "Choose the schools" in err and "Traceback" not in err


def test_unknown_school_names_the_real_ones(store: Path, capsys) -> None:
    code, _, err = run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "x2"),
        *("--full-name", "X", "--role", "headteacher", "--school", "Nowhere High"),
    )
    assert code == 1
    assert "Nowhere High" in err and "Ash Primary" in err


def test_bad_role_is_a_usage_error(store: Path, capsys) -> None:
    code, _, _ = run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "x3"),
        *("--full-name", "X", "--role", "janitor"),
    )
    assert code == 2


def test_remove_stops_that_password_opening_the_store(store: Path, capsys) -> None:
    run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "leaver"),
        *("--full-name", "Lee Leaver", "--role", "auditor"),
    )
    code, out, err = run(
        capsys, "user", "remove", "--db", store, "--user", "admin", "--username", "leaver"
    )
    assert code == 0, err
    with pytest.raises(WrongPassword):
        auth.sign_in(store, username="leaver", password=NEW)
    code, out, _ = run(capsys, "user", "list", "--db", store, "--user", "admin")
    assert "switched off" in out


def test_only_a_data_protection_lead_manages_users(store: Path, capsys, monkeypatch) -> None:
    run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "ceo"),
        *("--full-name", "Cee Oh", "--role", "trust_leader"),
    )
    capsys.readouterr()
    monkeypatch.setenv("CASEBOOK_PASSWORD", NEW)
    code, _, err = run(capsys, "user", "list", "--db", store, "--user", "ceo")
    assert code == 1
    assert "cannot manage user accounts" in err


@pytest.mark.parametrize("role", ["trust_leader", "data_protection_lead", "auditor"])
def test_trust_wide_role_with_a_school_is_refused(store: Path, capsys, monkeypatch, role) -> None:
    monkeypatch.delenv("CASEBOOK_PASSWORD")  # refused before any password is asked for
    code, out, err = run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "boss"),
        *("--full-name", "B Oss", "--role", role, "--school", "Ash Primary"),
    )
    assert code == 1 and out == ""
    assert err == (
        f"casebook: Schools do not apply to trust-wide roles: {role} sees every school, "
        "so leave out --school.\n"
    )
    monkeypatch.setenv("CASEBOOK_PASSWORD", PASSWORD)
    code, out, _ = run(capsys, "user", "list", "--db", store, "--user", "admin")
    assert code == 0 and "boss" not in out


def test_added_message_reads_cleanly(store: Path, capsys) -> None:
    code, out, err = run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "ceo"),
        *("--full-name", "Cee Oh", "--role", "trust_leader"),
    )
    assert code == 0, err
    assert out == "Added ceo as Trust leader (CEO or Chair) for every school.\n"
    assert "((" not in out and "))" not in out


def test_unicode_username_signs_in_whatever_its_case(store: Path, capsys, monkeypatch) -> None:
    code, out, err = run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "zoë"),
        *("--full-name", "Zoë Brontë", "--role", "auditor"),
    )
    assert code == 0, err
    assert out.startswith("Added zoë as Auditor")
    monkeypatch.setenv("CASEBOOK_PASSWORD", NEW)
    for typed in ("Zoë", "ZOË", "Zoe\u0308", " zoë "):
        code, out, err = run(capsys, "cases", "--db", store, "--user", typed, "--json")
        assert (code, out, err) == (0, "[]\n", ""), typed
    code, _, err = run(capsys, "cases", "--db", store, "--user", "zoe")
    assert code == 1 and "do not match" in err


def test_removing_a_unicode_user_names_them_in_stored_form(store: Path, capsys) -> None:
    run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "józef.nowak"),
        *("--full-name", "Józef Nowak", "--role", "auditor"),
    )
    code, out, err = run(
        capsys, "user", "remove", "--db", store, "--user", "admin", "--username", "JÓZEF.Nowak"
    )
    assert code == 0, err
    assert out.startswith("Removed józef.nowak in ")
    with pytest.raises(WrongPassword):
        auth.sign_in(store, username="józef.nowak", password=NEW)


@pytest.mark.parametrize("bad", ["zoë smith", "../x", "a\x07b", "_zoë", "zoë@school"])
def test_bad_usernames_are_one_clear_line(store: Path, capsys, bad: str) -> None:
    code, out, err = run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", bad),
        *("--full-name", "X", "--role", "auditor"),
    )
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "letters, digits, dots, dashes or underscores" in err


def test_reset_password_prints_a_one_time_password_that_signs_in(store: Path, capsys) -> None:
    run(
        capsys,
        *("user", "add", "--db", store, "--user", "admin", "--username", "forgot"),
        *("--full-name", "Fran Forgot", "--role", "auditor"),
    )
    code, out, err = run(
        capsys, "user", "reset-password", "--db", store, "--user", "admin", "--username", "Forgot"
    )
    assert code == 0, err
    first, *rest = out.splitlines()
    assert first.startswith("One-time password for forgot: ") and "in person" in rest[0]
    password = first.rsplit(": ", 1)[1]
    with pytest.raises(WrongPassword):
        auth.sign_in(store, username="forgot", password=NEW)
    session = auth.sign_in(store, username="forgot", password=password)
    try:
        assert session.must_change_password
    finally:
        session.close()
    code, _, err = run(
        capsys, "user", "reset-password", "--db", store, "--user", "admin", "--username", "admin"
    )
    assert code == 1 and "Change your own password" in err and "Traceback" not in err
