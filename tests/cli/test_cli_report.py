"""`casebook report annual`: the board report saved as a PDF and a CSV, anonymised unless
--named, for the user's schools or those named; refusals in one line, nothing written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services.setup import SetupResult
from tests.conftest import ADMIN_PASSWORD
from tests.pdfutil import pdf_text
from tests.services.case_support import audit_details
from tests.services.sanction_support import case_with_incidents

PERIOD = ("--from", "2025-09-01", "--to", "2026-08-31")


@pytest.fixture
def store(new_store: SetupResult, store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Dana Driver's case at Ash Primary: two incidents in January 2026."""
    case_with_incidents(new_store.session, 2)
    monkeypatch.setenv("CASEBOOK_PASSWORD", ADMIN_PASSWORD)
    return store_path


def run(capsys: pytest.CaptureFixture[str], store: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["report", "annual", "--db", str(store), "--user", "admin", *argv])
    found = capsys.readouterr()
    return code, found.out, found.err


def _rows(path: Path) -> dict[str, list[str]]:
    rows = csv.reader(io.StringIO(path.read_text("utf-8-sig")))
    return {row[1]: row[2:] for row in rows}


def test_saves_an_anonymised_pdf_and_csv_with_their_audit_entry(
    store: Path,
    new_store: SetupResult,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pdf, sheet = tmp_path / "board.pdf", tmp_path / "board.csv"
    code, out, err = run(capsys, store, *PERIOD, "--out", str(pdf), "--csv", str(sheet))
    assert code == 0, err
    assert "01/09/2025 to 31/08/2026, anonymised" in out and str(pdf) in out and str(sheet) in out
    text = pdf_text(pdf.read_bytes())
    assert "Dana" not in text and "Driver" not in text and "fewer than 5" in text
    rows = _rows(sheet)
    assert rows["Incidents recorded"] == ["fewer than 5", "0", "not shown"]
    assert rows["Ash Primary"][0] == "fewer than 5" and rows["Birch Academy"][0] == "0"
    (saved,) = audit_details(new_store.session, "report.annual_saved")
    assert saved["named"] is False and set(saved["files"]) == {"pdf", "csv"}
    assert saved["schools"] == "all"


def test_a_school_named_narrows_the_report(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "birch.csv"
    code, _out, err = run(
        capsys, store, *PERIOD, "--school", "birch academy", "--out", str(tmp_path / "b.pdf"),
        "--csv", str(sheet),
    )  # fmt: skip
    assert code == 0, err
    rows = _rows(sheet)
    assert rows["Incidents recorded"] == ["0", "0", "no change"]
    assert "Ash Primary" not in rows


def test_named_adds_the_appendix(
    store: Path, new_store: SetupResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "named.pdf"
    code, out, err = run(capsys, store, *PERIOD, "--named", "--out", str(pdf))
    assert code == 0, err
    assert "with a named appendix (personal data)" in out
    text = pdf_text(pdf.read_bytes())
    assert "Dana Driver" in text and "This appendix contains personal data" in text
    made = audit_details(new_store.session, "report.annual_made")
    assert made[-1]["named"] is True and made[-1]["named_cases"] == 1


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--from", "2026-08-31", "--to", "2025-09-01"), "before it starts"),
        ((*PERIOD, "--school", "Elm Infants"), "There is no school called 'Elm Infants'"),
    ],
)
def test_refusals_are_one_line_and_write_nothing(
    store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    words: str,
) -> None:
    pdf = tmp_path / "board.pdf"
    code, out, err = run(capsys, store, *argv, "--out", str(pdf))
    assert code == 1 and out == ""
    assert words in err and len(err.strip().splitlines()) == 1
    assert not pdf.exists()


def test_a_missing_folder_is_refused(
    store: Path, new_store: SetupResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no such folder" / "board.pdf"
    code, _out, err = run(capsys, store, *PERIOD, "--out", str(missing))
    assert code == 1 and "does not exist" in err and len(err.strip().splitlines()) == 1
    assert audit_details(new_store.session, "report.annual_made") == []


def test_a_date_that_is_not_a_date_is_a_usage_error(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        capsys, store, "--from", "1/9/2025", "--to", "2026-08-31", "--out", str(tmp_path / "x")
    )
    assert code == 2 and "YYYY-MM-DD" in err
