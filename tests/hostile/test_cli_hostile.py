"""The `casebook` command given hostile arguments and environment: undecodable bytes (as
Python sees them, lone surrogates), controls, direction marks, a megabyte, dates at the
ends of the calendar, paths no file can be made at. Each run ends with exit code 1 and one
plain line on stderr, or 2 with argparse's usage and its one error line; never a traceback
or "Something unexpected went wrong"."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.cli import main
from desktop.errors import UNEXPECTED_MESSAGE
from tests.conftest import ADMIN_PASSWORD
from tests.hostile.support import HYPOTHESIS, MEGABYTE_TEXT, World, hostile_text, undecodable

REPO = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a new account password"
argument_text = st.one_of(hostile_text, undecodable).filter(lambda t: "\0" not in t and t)


def run(argv: list[str], **env: str) -> tuple[int, str, str]:
    """`casebook argv...` in this process, with `env` added to the environment."""
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return code, out.getvalue(), err.getvalue()


def refused_plainly(code: int, err: str, *, allow_success: bool = False) -> None:
    assert "Traceback" not in err and UNEXPECTED_MESSAGE not in err, err
    if code == 0 and allow_success:
        return
    lines = err.strip("\n").split("\n")
    if code == 1:
        assert len(lines) == 1 and lines[0].startswith("casebook: "), err
    else:
        assert code == 2, (code, err)  # argparse's usage, then its one line naming the error
        assert lines[-1].startswith("casebook") and "error" in lines[-1], err


@pytest.fixture
def signed(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`--db` and `--user` for the module's administrator, with the password in the
    environment."""
    monkeypatch.setenv("CASEBOOK_PASSWORD", ADMIN_PASSWORD)
    return ["--db", str(world.path), "--user", "admin"]


# -- who is signing in, and whom the command is about ----------------------------------------
@HYPOTHESIS
@given(user=argument_text)
def test_a_hostile_user_signing_in(world: World, signed: list[str], user: str) -> None:
    """Undecodable bytes in --user once gave "Something unexpected went wrong"."""
    code, out, err = run(["cases", "--db", str(world.path), "--user", user])
    refused_plainly(code, err)
    assert code in (1, 2) and out == ""  # 2: a value starting with "-" reads as an option


@HYPOTHESIS
@given(username=argument_text, command=st.sampled_from(["remove", "reset-password"]))
def test_removing_or_resetting_a_hostile_username(
    signed: list[str], username: str, command: str
) -> None:
    """Refused before signing in: nothing is printed as if the removal had begun."""
    code, out, err = run(["user", command, *signed, "--username", username])
    refused_plainly(code, err)
    assert code in (1, 2) and out == "" and "Removing" not in err


@HYPOTHESIS
@given(username=argument_text, full_name=argument_text)
def test_adding_a_hostile_account(signed: list[str], username: str, full_name: str) -> None:
    code, out, err = run(
        ["user", "add", *signed, "--username", username, "--full-name", full_name]
        + ["--role", "auditor"],
        CASEBOOK_NEW_PASSWORD=NEW_PASSWORD,
    )
    refused_plainly(code, err, allow_success=True)
    assert (code == 0) == out.startswith("Added ")


@HYPOTHESIS
@given(name=argument_text, reference=argument_text, school=argument_text)
def test_hostile_names_and_references(
    signed: list[str], name: str, reference: str, school: str
) -> None:
    for argv in (
        ["check", *signed, name],
        ["case", "show", *signed, reference],
        ["cases", *signed, "--school", school],
    ):
        code, _out, err = run(argv)
        refused_plainly(code, err, allow_success=argv[0] == "check")


# -- secrets in the environment ----------------------------------------------------------------
@HYPOTHESIS
@given(
    secret=undecodable,
    variable=st.sampled_from(
        ["CASEBOOK_PASSWORD", "CASEBOOK_NEW_PASSWORD", "CASEBOOK_RECOVERY_KEY"]
    ),
    command=st.sampled_from([["cases"], ["passwd"], ["recover"], ["user", "list"]]),
)
def test_an_undecodable_secret_in_the_environment(
    world: World, secret: str, variable: str, command: list[str]
) -> None:
    """Undecodable CASEBOOK_PASSWORD once gave "Something unexpected went wrong"."""
    env = {"CASEBOOK_PASSWORD": ADMIN_PASSWORD, variable: secret}
    code, out, err = run([*command, "--db", str(world.path), "--user", "admin"], **env)
    assert code == 2 and out == ""
    assert err == (
        f"casebook: {variable} holds bytes that are not UTF-8 text. Set it again, or unset it "
        "and type the secret when asked.\n"
    )


@pytest.mark.parametrize("password", [MEGABYTE_TEXT, "\x07" * 12, "\u202e" + "x" * 12, " " * 12])
def test_a_hostile_but_decodable_password(world: World, password: str) -> None:
    code, _out, err = run(
        ["cases", "--db", str(world.path), "--user", "admin"], CASEBOOK_PASSWORD=password
    )
    refused_plainly(code, err)
    assert code == 1


# -- new stores: dates and places --------------------------------------------------------------
@pytest.mark.parametrize("today", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
def test_a_sample_dated_at_the_ends_of_the_calendar(tmp_path: Path, today: str) -> None:
    """`casebook demo --today 0001-01-01` once gave "Something unexpected went wrong"."""
    code, out, err = run(
        ["demo", "--db", str(tmp_path / "s.casebook"), "--today", today, "--cases", "2"]
    )
    refused_plainly(code, err)
    assert code == 1 and "Date the sample from 2000 to 2099" in err and out == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("today", ["", "01/01/2026", "2026-02-30", "\udcff", "-1"])
def test_a_sample_date_that_is_not_a_date(tmp_path: Path, today: str) -> None:
    code, _out, err = run(["demo", "--db", str(tmp_path / "s.casebook"), "--today", today])
    refused_plainly(code, err)
    assert code == 2


@pytest.mark.parametrize("command", ["init", "demo"])
@pytest.mark.parametrize("place", ["/proc/x.casebook", "/proc/sub/x.casebook", "/dev/null/x"])
def test_a_new_store_where_no_file_can_be_made(command: str, place: str) -> None:
    """`--db /proc/x` once gave "Something unexpected went wrong"."""
    argv = ["init", "--trust", "T", "--school", "A", "--admin", "admin"]
    if command == "demo":
        argv = ["demo", "--cases", "2"]
    code, out, err = run([argv[0], "--db", place, *argv[1:]], CASEBOOK_PASSWORD=ADMIN_PASSWORD)
    refused_plainly(code, err)
    assert code == 1 and out == "" and "cannot save files" in err


@pytest.mark.parametrize("place", ["/proc/x", "/proc", "/dev/null", "/", "\udcff/none"])
def test_opening_a_store_that_is_not_one(place: str) -> None:
    code, _out, err = run(
        ["cases", "--db", place, "--user", "admin"], CASEBOOK_PASSWORD=ADMIN_PASSWORD
    )
    refused_plainly(code, err)
    assert code == 1


@HYPOTHESIS
@given(trust=argument_text, school=argument_text, admin_name=argument_text)
def test_a_new_store_with_hostile_names(
    world: World, trust: str, school: str, admin_name: str
) -> None:
    folder = world.path.parent / f"init-{next(world.numbers)}"
    folder.mkdir()
    code, out, err = run(
        [
            "init",
            "--db",
            str(folder / "t.casebook"),
            *("--trust", trust, "--school", school, "--admin", "admin"),
            *("--admin-name", admin_name),
        ],
        CASEBOOK_PASSWORD=ADMIN_PASSWORD,
    )
    refused_plainly(code, err, allow_success=True)
    if code != 0:
        assert not (folder / "t.casebook").exists()
    else:
        assert "Recovery key:" in out


@HYPOTHESIS
@given(name=argument_text)
def test_saving_a_calendar_under_a_hostile_name(world: World, signed: list[str], name: str) -> None:
    folder = world.path.parent / f"ics-{next(world.numbers)}"
    folder.mkdir()
    to = str(folder / name.lstrip("/"))
    code, _out, err = run(["calendar", *signed, "--ics", to])
    refused_plainly(code, err, allow_success=True)
    assert (code == 0) == Path(to).is_file()


# -- a real process, given real bytes ----------------------------------------------------------
def test_real_undecodable_bytes_from_the_command_line_and_environment(
    world: World, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "CASEBOOK_PASSWORD": ADMIN_PASSWORD,
    }
    command = [sys.executable, "-m", "desktop", "cases", "--db", str(world.path), "--user"]
    bad_user = subprocess.run(
        [*command, os.fsdecode(b"ad\xffmin")], env=env, capture_output=True, cwd=REPO, timeout=60
    )
    assert bad_user.returncode == 1
    assert (
        bad_user.stderr == b"casebook: That username contains characters that cannot be stored.\n"
    )
    env_bytes = {**env, "CASEBOOK_PASSWORD": os.fsdecode(b"admin \xfe\xff password")}
    bad_secret = subprocess.run(
        [*command, "admin"], env=env_bytes, capture_output=True, cwd=REPO, timeout=60
    )
    assert bad_secret.returncode == 2
    assert bad_secret.stderr.startswith(b"casebook: CASEBOOK_PASSWORD holds bytes that are not")


def test_undecodable_bytes_typed_at_the_password_prompt(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def typed_bytes(prompt: str = "") -> str:
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    monkeypatch.delenv("CASEBOOK_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", typed_bytes)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    code, _out, err = run(["cases", "--db", str(world.path), "--user", "admin"])
    refused_plainly(code, err)
