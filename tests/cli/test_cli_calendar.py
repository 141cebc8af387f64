"""`casebook calendar`: items falling due, overdue ones always, as a table, JSON or .ics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from desktop.cli import main
from desktop.services.cases import CaseRow
from desktop.services.setup import SetupResult
from tests.services.accounts import SCHOOL_USER_PASSWORD
from tests.services.case_support import audit_details
from tests.services.sanction_support import (
    april_bar,
    trust_leader,
)


@pytest.fixture
def barred(new_store: SetupResult, store_path: Path, monkeypatch: pytest.MonkeyPatch) -> CaseRow:
    """A bar taken in April 2026 and never reviewed: overdue on any later day."""
    leader = trust_leader(new_store, store_path)
    try:
        case, _bar = april_bar(leader)
    finally:
        leader.close()
    monkeypatch.setenv("CASEBOOK_PASSWORD", SCHOOL_USER_PASSWORD)
    return case


def run(capsys: pytest.CaptureFixture[str], store_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["calendar", "--db", str(store_path), "--user", "casey", *argv])
    found = capsys.readouterr()
    return code, found.out, found.err


def test_json_lists_overdue_items_whatever_the_days(
    barred: CaseRow, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, store_path, "--days", "1", "--json")
    assert code == 0
    items = json.loads(out)
    assert {i["kind"] for i in items} == {"representations_deadline", "bar_review", "bar_end"}
    for item in items:
        assert item["reference"] == barred.reference
        assert item["state"] == "overdue" and item["school"] == "Ash Primary"
    assert {i["date"] for i in items} == {"2026-04-14", "2026-04-20", "2026-06-30"}


def test_the_table_says_what_is_overdue(
    barred: CaseRow, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, store_path)
    assert code == 0
    assert "Bar review" in out and "14/04/2026" in out and "Overdue" in out
    assert "3 items, 3 overdue." in out


def test_ics_is_saved_without_names_and_audited(
    barred: CaseRow,
    new_store: SetupResult,
    store_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "reviews.ics"
    code, out, _err = run(capsys, store_path, "--ics", str(target))
    assert code == 0 and "Saved 3 events" in out
    calendar = Calendar.from_ical(target.read_bytes())
    summaries = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert len(summaries) == 3 and all(s.startswith(barred.reference) for s in summaries)
    assert "Dana" not in target.read_text() and "Driver" not in target.read_text()
    assert any(d.get("events") == 3 for d in audit_details(new_store.session, "calendar.exported"))


@pytest.mark.parametrize("days", ["0", "x", "99999"])
def test_bad_days_is_a_usage_error(
    barred: CaseRow, store_path: Path, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    code, _out, err = run(capsys, store_path, "--days", days)
    assert code == 2 and "--days" in err


def test_nothing_due_says_so(
    new_store: SetupResult,
    store_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trust_leader(new_store, store_path).close()
    monkeypatch.setenv("CASEBOOK_PASSWORD", SCHOOL_USER_PASSWORD)
    code, out, _err = run(capsys, store_path)
    assert code == 0 and "nothing is overdue" in out
