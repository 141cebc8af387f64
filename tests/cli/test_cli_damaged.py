"""`casebook` meets damaged and foreign files (issue 12, part 6): exit code 1, one line on
stderr in the error's own words with the way forward, never a traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.storage.keyvault import keys_path_for
from tests.conftest import ADMIN_PASSWORD
from tests.storage.damaged_stores import (
    BEFORE_PASSWORD,
    KINDS,
    Damage,
    Made,
    assert_unchanged,
    make_store,
    pdf_renamed,
    snapshot,
)

REPO = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a brand new password"


@pytest.fixture
def made(tmp_path: Path) -> Made:
    return make_store(tmp_path / "trust.casebook")


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("casebook: ") and "Traceback" not in err
    return lines[0]


def _check(err: str, kind: Damage) -> None:
    line = _one_line(err)
    for words in kind.words:
        assert words in line, f"{words!r} not in {line!r}"


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_listing_cases_exits_1_with_one_line_and_writes_nothing(
    made: Made, kind: Damage, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBOOK_PASSWORD", ADMIN_PASSWORD)
    kind.make(made)
    before = snapshot(made.path.parent)
    code, out, err = _run(capsys, "cases", "--db", made.path, "--user", "admin")
    assert (code, out) == (1, "")
    _check(err, kind)
    assert_unchanged(
        before, made.path.parent, key_file_name=keys_path_for(made.path).name, kind=kind
    )


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_recover_exits_1_with_one_line_and_writes_nothing(
    made: Made, kind: Damage, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBOOK_RECOVERY_KEY", made.recovery_key)
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", NEW_PASSWORD)
    kind.make(made)
    before = snapshot(made.path.parent)
    code, out, err = _run(capsys, "recover", "--db", made.path, "--user", "admin")
    assert (code, out) == (1, "")
    if kind.recovery_error is None:
        _check(err, kind)
    else:  # another store's key file: this store's recovery key opens nothing in it
        assert "That recovery key does not open this case store" in _one_line(err)
    assert_unchanged(
        before, made.path.parent, key_file_name=keys_path_for(made.path).name, kind=kind
    )


@pytest.mark.parametrize("kind", BEFORE_PASSWORD, ids=str)
def test_no_password_is_asked_for_a_store_the_files_show_cannot_open(
    made: Made, kind: Damage, capsys: pytest.CaptureFixture[str]
) -> None:
    """No CASEBOOK_PASSWORD and no terminal: the damage is told, not "No password was given"."""
    kind.make(made)
    code, _, err = _run(capsys, "cases", "--db", made.path, "--user", "admin")
    assert code == 1
    _check(err, kind)


def test_a_wrong_recovery_key_exits_1_and_says_how_to_check_it(
    made: Made, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBOOK_RECOVERY_KEY", "-".join(["ABCD"] * 8))
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", NEW_PASSWORD)
    before = snapshot(made.path.parent)
    code, out, err = _run(capsys, "recover", "--db", made.path, "--user", "admin")
    assert (code, out) == (1, "")
    line = _one_line(err)
    assert "That recovery key does not open this case store (trust.casebook)" in line
    assert "recovery sheet is this store's" in line
    assert snapshot(made.path.parent) == before


def test_a_real_process_prints_one_line_and_no_traceback(made: Made) -> None:
    pdf_renamed(made)
    script = (
        "import sys; from desktop.cli import main; "
        f"sys.exit(main(['cases', '--db', {str(made.path)!r}, '--user', 'admin']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
        env={"PATH": "", "CASEBOOK_PASSWORD": ADMIN_PASSWORD, "HOME": str(made.path.parent)},
    )
    assert result.returncode == 1 and result.stdout == ""
    assert "is not a Casebook case store: it is a PDF document" in _one_line(result.stderr)
