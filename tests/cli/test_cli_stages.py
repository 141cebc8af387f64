"""`casebook cases --json` names each case's stage as a snake_case identifier: the step and,
for a bar, plan or injunction referral, its state (issue 8, item 7)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.domain.cases import Stage
from desktop.services.demo import SAMPLE_PASSWORD
from desktop.storage import keyvault
from tests.conftest import FAST_KDF

SHOWN = {
    "written_warning",
    "communication_plan",
    "bar_notice",
    "bar_confirmed",
    "bar_lifted",
    "injunction_referral",
}


def test_the_sample_lists_stages_that_name_the_step_and_its_state(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(keyvault, "DEFAULT_KDF", FAST_KDF)
    monkeypatch.setenv("CASEBOOK_PASSWORD", SAMPLE_PASSWORD)
    path = tmp_path / "sample.casebook"
    argv = ["demo", "--db", str(path), "--cases", "150", "--today", "2026-11-24"]
    assert main(argv) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["cases", "--db", str(path), "--user", "ceo", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    stages = {row["stage"] for row in rows}
    assert stages >= SHOWN, SHOWN - stages
    for stage in stages:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", stage)
        Stage(stage)  # a stored value with a meaning, or this raises
    assert "Bar confirmed" not in {row["stage"] for row in rows}  # the label is the table's
