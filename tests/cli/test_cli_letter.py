"""`casebook letter`: a case's letter saved as a PDF from what was recorded (issue 9, part 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services.cases import CaseRow
from desktop.services.scope import CASE_NOT_FOUND
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from reports.letter_templates import letter_types
from tests.pdfutil import pdf_page_count, pdf_text
from tests.services.accounts import SCHOOL_USER_PASSWORD, sign_in_new_user
from tests.services.case_support import audit_details
from tests.services.sanction_support import (
    april_bar,
    trust_leader,
)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "letters"
    folder.mkdir()
    return folder


@pytest.fixture
def barred(new_store: SetupResult, store_path: Path, monkeypatch: pytest.MonkeyPatch) -> CaseRow:
    """Dana Driver's case at Ash, with a bar whose representations are due by 14 April
    2026, taken by Casey (a trust leader, `casey`, whose password is in the environment)."""
    leader = trust_leader(new_store, store_path)
    try:
        case, _bar = april_bar(leader)
    finally:
        leader.close()
    monkeypatch.setenv("CASEBOOK_PASSWORD", SCHOOL_USER_PASSWORD)
    return case


def letter(
    capsys: pytest.CaptureFixture[str], store_path: Path, *argv: str | Path, user: str = "casey"
) -> tuple[int, str, str]:
    code = main(["letter", "--db", str(store_path), "--user", user, *map(str, argv)])
    found = capsys.readouterr()
    return code, found.out, found.err


def test_list_types_prints_every_type_one_a_line_without_a_store(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["letter", "--list-types"]) == 0
    found = capsys.readouterr()
    assert found.out.splitlines() == [kind.id for kind in letter_types()]
    assert "bar-confirmation" in found.out.splitlines() and found.err == ""


def test_a_recorded_bar_notice_is_saved_with_the_name_reference_and_deadline(
    capsys: pytest.CaptureFixture[str],
    new_store: SetupResult,
    store_path: Path,
    barred: CaseRow,
    out: Path,
) -> None:
    to = out / "notice.pdf"
    code, said, err = letter(
        capsys, store_path, "--case", barred.reference, "--type", "bar-notice", "--out", to
    )
    assert code == 0, err
    assert str(to) in said and barred.reference in said
    text = pdf_text(to.read_bytes())
    assert "Dana Driver" in text and barred.reference in text and "14 April 2026" in text
    assert sorted(p.name for p in out.iterdir()) == ["notice.pdf"]
    [entry] = audit_details(new_store.session, "letter.exported")
    assert entry["letter_type"] == "bar-notice" and entry["size"] == to.stat().st_size
    assert "Dana" not in str(entry)


def test_large_print_makes_a_longer_letter(
    capsys: pytest.CaptureFixture[str],
    new_store: SetupResult,
    store_path: Path,
    barred: CaseRow,
    out: Path,
) -> None:
    standard, large = out / "standard.pdf", out / "large.pdf"
    common = ("--case", barred.reference, "--type", "bar-notice")
    assert letter(capsys, store_path, *common, "--out", standard)[0] == 0
    code, _, err = letter(capsys, store_path, *common, "--out", large, "--large-print")
    assert code == 0, err
    assert pdf_page_count(large.read_bytes()) > pdf_page_count(standard.read_bytes())
    assert "14 April 2026" in pdf_text(large.read_bytes())
    flags = [e["large_print"] for e in audit_details(new_store.session, "letter.exported")]
    assert flags == [False, True]


def test_a_letter_the_case_has_not_recorded_is_refused_naming_the_field(
    capsys: pytest.CaptureFixture[str], store_path: Path, barred: CaseRow, out: Path
) -> None:
    to = out / "ack.pdf"
    code, said, err = letter(
        capsys,
        store_path,
        *("--case", barred.reference, "--type", "representations-acknowledgement"),
        *("--out", to),
    )
    assert code == 1 and said == ""
    assert err == (
        "casebook: This letter needs the date the representations arrived "
        f"(representations_received), which case {barred.reference} has not recorded.\n"
    )
    assert not to.exists()


def test_an_unknown_type_lists_the_types_and_an_unknown_case_is_not_found(
    capsys: pytest.CaptureFixture[str], store_path: Path, barred: CaseRow, out: Path
) -> None:
    to = out / "x.pdf"
    code, _, err = letter(
        capsys, store_path, "--case", barred.reference, "--type", "ban", "--out", to
    )
    assert code == 1 and len(err.splitlines()) == 1
    assert "'ban'" in err and all(kind.id in err for kind in letter_types())
    code, _, err = letter(
        capsys, store_path, "--case", "CB-2026-9999", "--type", "bar-notice", "--out", to
    )
    assert code == 1 and err == f"casebook: {CASE_NOT_FOUND}\n"
    code, _, err = letter(
        capsys, store_path, "--case", "nonsense", "--type", "bar-notice", "--out", to
    )
    assert code == 1 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert list(out.iterdir()) == []


def test_a_missing_folder_is_refused_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    new_store: SetupResult,
    store_path: Path,
    barred: CaseRow,
    out: Path,
) -> None:
    to = out / "missing" / "notice.pdf"
    code, _, err = letter(
        capsys, store_path, "--case", barred.reference, "--type", "bar-notice", "--out", to
    )
    assert code == 1 and len(err.splitlines()) == 1 and "does not exist" in err
    assert not to.parent.exists() and list(out.iterdir()) == []
    assert audit_details(new_store.session, "letter.exported") == []


def test_the_front_desk_and_other_schools_are_refused(
    capsys: pytest.CaptureFixture[str],
    new_store: SetupResult,
    store_path: Path,
    barred: CaseRow,
    out: Path,
) -> None:
    add_user(
        new_store.session,
        username="desk",
        full_name="Front Desk",
        role="front_desk",
        school_ids=[1],
        password=SCHOOL_USER_PASSWORD,
    )
    sign_in_new_user(new_store, store_path, "birchhead", "headteacher", schools=(2,)).close()
    to = out / "notice.pdf"
    argv = ("--case", barred.reference, "--type", "bar-notice", "--out", to)
    code, _, err = letter(capsys, store_path, *argv, user="desk")
    assert code == 1 and len(err.splitlines()) == 1
    code, _, err = letter(capsys, store_path, *argv, user="birchhead")
    assert code == 1 and err == f"casebook: {CASE_NOT_FOUND}\n"
    assert not to.exists()
    assert audit_details(new_store.session, "letter.exported") == []


def test_usage_mistakes_exit_2(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    assert main(["letter", "--db", str(store_path), "--user", "casey", "--type", "bar-notice"]) == 2
    err = capsys.readouterr().err
    assert "usage: casebook letter" in err and "--case, --out" in err
    assert main(["letter", "--list-types", "--bogus"]) == 2
