"""The `casebook` command, run in-process through `main()` (and twice as a real process)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.cli import main
from desktop.cli.common import LOG_FILE_NAME
from desktop.domain.roles import Role
from desktop.errors import WrongPassword
from desktop.services import auth, cases, trust, users
from tests.pdfutil import pdf_text

PASSWORD = "correct horse battery"
KEYS = {"reference", "subject", "schools", "status", "stage", "opened"}
RECOVERY_KEY = re.compile(r"Recovery key: ((?:[A-Z2-7]{4}-){7}[A-Z2-7]{4})")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("CASEBOOK_PASSWORD", PASSWORD)
    return monkeypatch


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def init(capsys: pytest.CaptureFixture[str], path: Path, *extra: str | Path) -> str:
    """A two-school store with `admin`; returns the recovery key it printed."""
    code, out, err = run(
        capsys,
        *("init", "--db", path, "--trust", "Oakfield Learning Trust", "--admin", "admin"),
        *("--school", "Ash Primary", "--school", "Birch Academy", "--admin-name", "Alex Admin"),
        *extra,
    )
    assert code == 0, err
    match = RECOVERY_KEY.search(out)
    assert match, out
    return match.group(1)


def open_cases(path: Path, today: dt.date) -> dict[str, int]:
    """Two cases at Ash, one at Birch, and a business manager `bm` for Ash only."""
    session = auth.sign_in(path, username="admin", password=PASSWORD)
    try:
        schools = {s.name: s.id for s in trust.list_schools(session)}
        for given, school in (
            ("Ann", "Ash Primary"),
            ("Bea", "Ash Primary"),
            ("Cal", "Birch Academy"),
        ):
            cases.open_case(
                session,
                given_name=given,
                family_name="Smith",
                relationship="parent",
                school_ids=[schools[school]],
                opened_on=today,
            )
        users.add_user(
            session,
            username="bm",
            full_name="Bo Manager",
            role=Role.BUSINESS_MANAGER.value,
            school_ids=[schools["Ash Primary"]],
            password=PASSWORD,
        )
    finally:
        auth.sign_out(session)
    return schools


def cases_json(capsys: pytest.CaptureFixture[str], path: Path, user: str, *extra: str) -> list:
    code, out, err = run(capsys, "cases", "--db", path, "--user", user, "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_init_then_cases_as_json(env, capsys, store_path, today) -> None:
    init(capsys, store_path)
    open_cases(store_path, today)

    rows = cases_json(capsys, store_path, "admin")

    assert len(rows) == 3
    assert all(set(row) == KEYS for row in rows)
    assert {row["subject"] for row in rows} == {"Ann Smith", "Bea Smith", "Cal Smith"}
    assert rows[0]["schools"] in (["Ash Primary"], ["Birch Academy"])
    assert {row["opened"] for row in rows} == {today.isoformat()}
    assert {(row["status"], row["stage"]) for row in rows} == {("open", "concern_logged")}


def test_cases_table_shows_uk_dates_and_filters(env, capsys, store_path, today) -> None:
    init(capsys, store_path)
    open_cases(store_path, today)

    code, out, _ = run(capsys, "cases", "--db", store_path, "--user", "admin")
    assert code == 0
    assert today.strftime("%d/%m/%Y") in out and "Concern logged" in out and "3 cases" in out

    at_birch = cases_json(capsys, store_path, "admin", "--school", "birch academy")
    assert [row["subject"] for row in at_birch] == ["Cal Smith"]
    assert cases_json(capsys, store_path, "admin", "--status", "closed") == []

    code, _, err = run(capsys, "cases", "--db", store_path, "--user", "admin", "--school", "Elm")
    assert code == 1 and "no school called 'Elm'" in err


def test_business_manager_sees_only_their_school(env, capsys, store_path, today) -> None:
    init(capsys, store_path)
    open_cases(store_path, today)

    rows = cases_json(capsys, store_path, "bm")

    assert sorted(row["subject"] for row in rows) == ["Ann Smith", "Bea Smith"]
    assert all(row["schools"] == ["Ash Primary"] for row in rows)
    code, _, err = run(
        capsys, "cases", "--db", store_path, "--user", "bm", "--school", "Birch Academy"
    )
    assert code == 1 and "no school called" in err


def test_wrong_password_is_one_clear_line(env, capsys, store_path) -> None:
    init(capsys, store_path)
    env.setenv("CASEBOOK_PASSWORD", "not the password")

    code, out, err = run(capsys, "cases", "--db", store_path, "--user", "admin")

    assert code == 1
    assert out == ""
    assert err == f"casebook: {WrongPassword.default_message}\n"
    assert "Traceback" not in err


def test_missing_store_is_reported(env, capsys, tmp_path) -> None:
    code, _, err = run(capsys, "cases", "--db", tmp_path / "nowhere.casebook", "--user", "admin")
    assert code == 1
    assert err.startswith("casebook: There is no case store at") and "Traceback" not in err


def test_no_password_and_no_terminal_fails_clearly(capsys, store_path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # not a terminal
    args = ("init", "--db", store_path, "--trust", "T", "--school", "S", "--admin", "admin")
    code, _, err = run(capsys, *args)
    assert code == 1 and "CASEBOOK_PASSWORD" in err
    assert not store_path.exists()


@pytest.mark.parametrize(
    "argv",
    [["frobnicate"], ["cases", "--db", "x.casebook"], ["audit"], ["demo", "--today", "24/11/2026"]],
)
def test_usage_mistakes_exit_2(capsys, argv) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "usage:" in err


def test_version_and_help(capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("casebook ")
    code, out, _ = run(capsys, "recover", "--help")
    assert code == 0 and "CASEBOOK_RECOVERY_KEY" in out


def test_init_refuses_an_existing_store(env, capsys, store_path) -> None:
    init(capsys, store_path)
    before = store_path.read_bytes()

    code, _, err = run(
        capsys, "init", "--db", store_path, "--trust", "Other", "--school", "X", "--admin", "root"
    )

    assert code == 1 and "already exists" in err
    assert store_path.read_bytes() == before


def test_init_rejects_bad_input_before_creating_anything(env, capsys, store_path) -> None:
    code, _, err = run(
        capsys, "init", "--db", store_path, "--trust", "T", "--school", "A", "--school", "a",
        "--admin", "admin",
    )  # fmt: skip
    assert code == 1 and "same name" in err
    assert list(store_path.parent.iterdir()) == []


def test_init_writes_the_recovery_sheet_only_when_asked(env, capsys, tmp_path) -> None:
    sheet = tmp_path / "sheet.pdf"
    key = init(capsys, tmp_path / "a.casebook", "--recovery-sheet", sheet)
    assert key in pdf_text(sheet.read_bytes()).replace("\n", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.casebook",
        "a.casebook.frontdesk",
        "a.casebook.keys",
        "a.casebook.lock",
        "sheet.pdf",
    ]

    init(capsys, tmp_path / "b.casebook")
    assert not any(p.suffix == ".pdf" and p != sheet for p in tmp_path.iterdir())


def test_init_never_replaces_an_existing_file_with_the_sheet_unless_forced(
    env, capsys, tmp_path
) -> None:
    sheet = tmp_path / "precious.pdf"
    sheet.write_bytes(b"someone's own document")
    store = tmp_path / "a.casebook"
    code, _, err = run(
        capsys, "init", "--db", store, "--trust", "T", "--school", "A", "--admin", "admin",
        "--recovery-sheet", sheet,
    )  # fmt: skip
    assert code == 1 and "already exists" in err and "--force" in err
    assert sheet.read_bytes() == b"someone's own document"
    assert not store.exists()  # refused before anything was made
    key = init(capsys, store, "--recovery-sheet", sheet, "--force")
    assert key in pdf_text(sheet.read_bytes()).replace("\n", "")


def test_audit_verify_intact_then_tampered(env, capsys, store_path) -> None:
    init(capsys, store_path)
    code, out, _ = run(capsys, "audit", "verify", "--db", store_path, "--user", "admin")
    assert code == 0
    assert re.fullmatch(r"Audit trail intact: \d+ entries\n", out)

    session = auth.sign_in(store_path, username="admin", password=PASSWORD)
    with session.store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entries_no_update"))
        conn.execute(text("UPDATE audit_entries SET action='x' WHERE id=1"))
    session.close()

    code, out, err = run(capsys, "audit", "verify", "--db", store_path, "--user", "admin")
    assert code == 1 and out == ""
    assert "entry 1:" in err and "changed" in err and "Traceback" not in err


def test_recover_sets_a_new_password(env, capsys, store_path) -> None:
    key = init(capsys, store_path)
    env.setenv("CASEBOOK_RECOVERY_KEY", key.lower().replace("-", " "))
    env.setenv("CASEBOOK_NEW_PASSWORD", "a brand new password")

    code, out, err = run(capsys, "recover", "--db", store_path, "--user", "admin")

    assert code == 0, err
    assert "has been reset" in out
    env.setenv("CASEBOOK_PASSWORD", "a brand new password")
    assert cases_json(capsys, store_path, "admin") == []
    env.setenv("CASEBOOK_PASSWORD", PASSWORD)
    code, _, err = run(capsys, "cases", "--db", store_path, "--user", "admin")
    assert code == 1 and "do not match" in err


def test_recover_with_a_wrong_key_fails(env, capsys, store_path) -> None:
    init(capsys, store_path)
    env.setenv("CASEBOOK_RECOVERY_KEY", "AAAA-" * 7 + "AAAA")
    env.setenv("CASEBOOK_NEW_PASSWORD", "a brand new password")
    code, _, err = run(capsys, "recover", "--db", store_path, "--user", "admin")
    assert code == 1 and "recovery key" in err


def test_passwd_changes_the_password(env, capsys, store_path) -> None:
    init(capsys, store_path)
    env.setenv("CASEBOOK_NEW_PASSWORD", "another long password")

    code, out, err = run(capsys, "passwd", "--db", store_path, "--user", "admin")

    assert code == 0, err
    assert "has been changed" in out
    with pytest.raises(WrongPassword):
        auth.sign_in(store_path, username="admin", password=PASSWORD)
    auth.sign_out(auth.sign_in(store_path, username="admin", password="another long password"))


def test_unexpected_errors_are_logged_without_their_message(env, capsys, store_path) -> None:
    init(capsys, store_path)

    private = " ".join(["1", "High", "Street"])  # never a literal in the logged source line

    def broken(*args, **kwargs):
        raise RuntimeError(private)

    env.setattr(cases, "all_cases", broken)
    code, out, err = run(capsys, "cases", "--db", store_path, "--user", "admin")

    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Something unexpected went wrong" in err
    assert "Traceback" not in err and "High Street" not in err
    log = (Path(os.environ["XDG_STATE_HOME"]) / "Casebook" / "log" / LOG_FILE_NAME).read_text()
    assert "RuntimeError" in log and "High Street" not in log
    assert "in broken" in log  # the frames, as the window's log keeps them


def test_the_cli_log_keeps_a_code_made_message_and_the_cause(env, capsys, store_path) -> None:
    """One description of an error for both logs (desktop.diagnostics): a TypeError's
    message names code, not people, so it is kept, and so is what it came from."""
    init(capsys, store_path)

    def broken(*args, **kwargs):
        try:
            raise KeyError(" ".join(["Patricia", "Example"]))
        except KeyError as exc:
            raise TypeError("all_cases() got an unexpected keyword argument 'x'") from exc

    env.setattr(cases, "all_cases", broken)
    code, _, _ = run(capsys, "cases", "--db", store_path, "--user", "admin")
    assert code == 1
    log = (Path(os.environ["XDG_STATE_HOME"]) / "Casebook" / "log" / LOG_FILE_NAME).read_text()
    assert "says: all_cases() got an unexpected keyword argument 'x'" in log
    assert "caused by builtins.KeyError" in log and "Patricia Example" not in log


def test_interrupt_exits_130_quietly(env, capsys, store_path) -> None:
    init(capsys, store_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    env.setattr(cases, "all_cases", interrupted)
    code, out, err = run(capsys, "cases", "--db", store_path, "--user", "admin")
    assert (code, out, err) == (130, "", "")


def test_no_command_opens_the_window(capsys, monkeypatch, tmp_path) -> None:
    calls = []
    fake = types.ModuleType("desktop.app")
    fake.main = lambda argv=None, *, store_path=None: calls.append(store_path) or 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop.app", fake)

    assert main([]) == 7
    assert main(["--db", str(tmp_path / "a.casebook")]) == 7
    assert main(["gui", "--db", str(tmp_path / "b.casebook")]) == 7
    assert calls == [None, tmp_path / "a.casebook", tmp_path / "b.casebook"]


def test_demo_command_and_determinism(env, capsys, tmp_path) -> None:
    outputs = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.casebook"
        code, out, err = run(capsys, "demo", "--db", path, "--cases", "40", "--today", "2026-11-24")
        assert code == 0, err
        assert "admin" in out and "CASEBOOK_PASSWORD" in out and err == ""
        code, out, _ = run(capsys, "cases", "--db", path, "--user", "admin", "--json")
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])) == 40


def test_demo_uses_and_says_the_same_sample_password_as_the_window(capsys, tmp_path) -> None:
    from desktop.services.demo import SAMPLE_PASSWORD

    code, out, err = run(capsys, "demo", "--db", tmp_path / "s.casebook", "--cases", "0")
    assert code == 0, err
    password = re.search(r"password: (\S+)", out).group(1)
    assert password == SAMPLE_PASSWORD  # the GUI's "Open the sample trust" note says this one
    assert "CASEBOOK_PASSWORD" in out and "sample" in out
    session = auth.sign_in(tmp_path / "s.casebook", username="manager", password=password)
    assert cases.count_cases(session) == 0 and session.is_sample
    auth.sign_out(session)


def test_demo_rejects_a_silly_size(env, capsys, tmp_path) -> None:
    code, _, err = run(capsys, "demo", "--db", tmp_path / "s.casebook", "--cases", "-5")
    assert code == 1 and "between 0 and" in err
    assert list(tmp_path.iterdir()) == []


def _subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=REPO, check=False)


def test_entry_point_and_no_qt_widgets(env, capsys, store_path, today) -> None:
    init(capsys, store_path)
    open_cases(store_path, today)
    casebook = Path(sys.executable).with_name("casebook")

    result = _subprocess(str(casebook), "cases", "--db", str(store_path), "--user", "bm", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2

    script = (
        "import sys; from desktop.cli import main; "
        f"code = main(['cases', '--db', {str(store_path)!r}, '--user', 'admin']); "
        f"main(['audit', 'verify', '--db', {str(store_path)!r}, '--user', 'admin']); "
        "assert 'PySide6.QtWidgets' not in sys.modules and 'PySide6.QtGui' not in sys.modules; "
        "sys.exit(code)"
    )
    result = _subprocess(sys.executable, "-c", script)
    assert result.returncode == 0, result.stderr
    assert "Cal Smith" in result.stdout and "Audit trail intact" in result.stdout
