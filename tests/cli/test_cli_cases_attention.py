"""`casebook cases --needs-attention`: only the cases with something overdue or due soon."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.dates import uk_today
from desktop.services.setup import SetupResult
from tests.conftest import ADMIN_PASSWORD
from tests.services.case_support import open_parent_case
from tests.services.due_rows import add_task


@pytest.fixture
def store(new_store: SetupResult, monkeypatch: pytest.MonkeyPatch) -> SetupResult:
    """Three cases at Ash and one at Birch; a task is late on one at each school, and one
    at Ash has a task due in a month."""
    s, today = new_store.session, uk_today()
    add_task(s, open_parent_case(s, "Lara", "Late").id, due_on=today - dt.timedelta(days=2))
    add_task(s, open_parent_case(s, "Mo", "Month").id, due_on=today + dt.timedelta(days=30))
    open_parent_case(s, "Nora", "Nothing")
    add_task(s, open_parent_case(s, "Bex", "Birch", school_ids=(2,)).id, due_on=today)
    monkeypatch.setenv("CASEBOOK_PASSWORD", ADMIN_PASSWORD)
    return new_store


def subjects(capsys: pytest.CaptureFixture[str], store_path: Path, *argv: str) -> list[str]:
    code = main(["cases", "--db", str(store_path), "--user", "admin", "--json", *argv])
    found = capsys.readouterr()
    assert code == 0, found.err
    return sorted(row["subject"] for row in json.loads(found.out))


def test_needs_attention_lists_only_cases_with_something_late_or_due_soon(
    store: SetupResult, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert subjects(capsys, store_path) == ["Bex Birch", "Lara Late", "Mo Month", "Nora Nothing"]
    assert subjects(capsys, store_path, "--needs-attention") == ["Bex Birch", "Lara Late"]
    at_ash = subjects(capsys, store_path, "--needs-attention", "--school", "Ash Primary")
    assert at_ash == ["Lara Late"]
    assert subjects(capsys, store_path, "--needs-attention", "--status", "closed") == []
