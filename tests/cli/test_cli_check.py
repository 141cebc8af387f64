"""`casebook check`: the front desk's question, from the command line (issue 7, item 9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services import auth, frontdesk
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.storage import keyvault
from tests.conftest import FAST_KDF

RESTRICTION_KEYS = {
    "kind",
    "state",
    "schools",
    "starts",
    "ends",
    "review_due",
    "named_contact",
    "contact_role",
    "channels",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    previous, keyvault.DEFAULT_KDF = keyvault.DEFAULT_KDF, FAST_KDF
    try:
        path = tmp_path_factory.mktemp("sample") / "sample.casebook"
        create_demo_store(path, cases=300)
    finally:
        keyvault.DEFAULT_KDF = previous
    return path


def _check(capsys, monkeypatch, sample: Path, *argv: str, user: str = "frontdesk"):
    monkeypatch.setenv("CASEBOOK_PASSWORD", SAMPLE_PASSWORD)
    code = main(["check", "--db", str(sample), "--user", user, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _barred(capsys, monkeypatch, sample: Path) -> dict[str, object]:
    """Someone in the sample who is barred today, read from the database as the admin."""
    session = auth.sign_in(sample, username="admin", password=SAMPLE_PASSWORD)
    try:
        with session.transaction() as db:
            rows = frontdesk.list_content(db)["restrictions"]
    finally:
        session.close()
    barred = [row for row in rows if row["kind"] == "bar"]
    assert barred, "the sample has barred people"
    return barred[0]


def test_a_barred_person_in_the_sample(capsys, monkeypatch, sample: Path) -> None:
    barred = _barred(capsys, monkeypatch, sample)
    code, out, err = _check(capsys, monkeypatch, sample, "--json", str(barred["name"]))
    assert code == 0, err
    matches = json.loads(out)
    assert matches[0]["name"] == barred["name"]
    assert set(matches[0]) == {"name", "reference", "restrictions"}
    restriction = matches[0]["restrictions"][0]
    assert set(restriction) == RESTRICTION_KEYS
    assert restriction["kind"] in ("bar", "communication_plan")
    assert restriction["schools"] and restriction["named_contact"]


def test_a_name_typed_with_a_typo_still_finds_them(capsys, monkeypatch, sample: Path) -> None:
    barred = _barred(capsys, monkeypatch, sample)
    name = str(barred["name"])
    typo = name[:-2] + name[-1] + name[-2]  # the last two letters swapped
    code, out, _ = _check(capsys, monkeypatch, sample, "--json", typo)
    assert code == 0
    assert name in [m["name"] for m in json.loads(out)]
    code, out, _ = _check(capsys, monkeypatch, sample, typo)  # and as words
    assert code == 0 and name in out and "Barred" in out


def test_no_match_is_an_empty_array_and_exit_0(capsys, monkeypatch, sample: Path) -> None:
    code, out, _ = _check(capsys, monkeypatch, sample, "--json", "Xylophone Quimby")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = _check(capsys, monkeypatch, sample, "Xylophone Quimby")
    assert code == 0 and "No one called" in out


def test_the_front_desk_cannot_list_cases(capsys, monkeypatch, sample: Path) -> None:
    monkeypatch.setenv("CASEBOOK_PASSWORD", SAMPLE_PASSWORD)
    code = main(["cases", "--db", str(sample), "--user", "frontdesk"])
    _, err = capsys.readouterr()
    assert code == 1 and "visitor check" in err
