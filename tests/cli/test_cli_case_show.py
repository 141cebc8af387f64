"""`casebook case show`: one case file from the command line (issue 7, item 10)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli import main
from desktop.dates import format_date, uk_today, utc_now
from desktop.services import auth, casefile
from desktop.services.casefile import FirstIncident, NewPerson, NewPupil
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.storage import keyvault
from desktop.storage import models as m
from tests.conftest import ADMIN_PASSWORD, FAST_KDF

KEYS = {
    "reference",
    "subject",
    "schools",
    "status",
    "stage",
    "restrictions",
    "incidents",
    "events",
    "evidence",
    "tasks",
}
ASH, BIRCH = 1, 2


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBOOK_PASSWORD", ADMIN_PASSWORD)


def show(capsys, store_path: Path, *argv: str, user: str = "admin") -> tuple[int, str, str]:
    code = main(["case", "show", "--db", str(store_path), "--user", user, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def case(new_store: SetupResult) -> str:
    """A case at Ash with a child, one incident, a bar from Ash, closed and reopened."""
    session = new_store.session
    row = casefile.new_case(
        session,
        subject=NewPerson("Zoë", "O'Brien", "parent"),
        school_ids=(ASH,),
        pupils=(NewPupil("Mia", "O'Brien", ASH, "Year 4"),),
        first_incident=FirstIncident(
            dt.datetime(2026, 1, 14, 15, 20),
            "on_site",
            (1,),
            "Shouted at the office manager.\nRefused to leave.",
            "Main gate",
        ),
    )
    today = uk_today()
    with session.transaction(write=True) as db:
        found = db.get(m.Case, row.id)
        assert found is not None
        db.add(
            m.Restriction(
                case_id=row.id,
                person_id=found.subject_id,
                kind="bar",
                state="active",
                starts=today - dt.timedelta(days=3),
                ends=today + dt.timedelta(days=90),
                review_due=today + dt.timedelta(days=80),
                named_contact="J. Smith",
                contact_role="Business Manager",
                channels=json.dumps(["email"]),
                created_at=utc_now(),
                schools=list(found.schools),
            )
        )
    casefile.close_case(session, case_id=row.id, reason="Resolved at a meeting.")
    casefile.reopen_case(session, case_id=row.id, reason="A new incident.")
    return row.reference


def test_json_has_the_case_and_everything_in_it(capsys, env, store_path, case) -> None:
    code, out, err = show(capsys, store_path, "--json", case)
    assert code == 0, err
    found = json.loads(out)
    assert set(found) == KEYS
    assert found["reference"] == case
    assert found["subject"] == "Zoë O'Brien"
    assert found["schools"] == ["Ash Primary"]
    assert (found["status"], found["stage"]) == ("open", "concern_logged")
    [bar] = found["restrictions"]
    assert bar["kind"] == "bar" and bar["schools"] == ["Ash Primary"]
    assert bar["named_contact"] == "J. Smith" and bar["channels"] == ["email"]
    assert bar["ends"] == (uk_today() + dt.timedelta(days=90)).isoformat()
    [incident] = found["incidents"]
    assert incident["description"] == "Shouted at the office manager.\nRefused to leave."
    assert incident["categories"] == ["Threat of violence or harm"]
    assert incident["location"] == "Main gate"
    assert incident["occurred_at"] == "2026-01-14T15:20:00+00:00"  # UK winter time is UTC
    kinds = [e["kind"] for e in found["events"]]
    assert kinds == ["incident_recorded", "case_closed", "case_reopened"]
    assert found["events"][1]["detail"] == "Resolved at a meeting."
    assert found["evidence"] == [] and found["tasks"] == []


def test_words_show_header_restrictions_incidents_and_chronology(
    capsys, env, store_path, case
) -> None:
    code, out, err = show(capsys, store_path, case)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{case}  Zoë O'Brien"
    assert "Schools:   Ash Primary" in lines
    assert "Status:    Open · Concern logged" in lines
    assert "Children:  Mia O'Brien (Ash Primary, Year 4)" in lines
    ends = format_date(uk_today() + dt.timedelta(days=90))
    assert any(line.startswith(f"  Barred from Ash Primary until {ends}") for line in lines)
    assert "Incidents (1):" in lines
    assert "    Refused to leave." in lines
    assert "Chronology (3 entries):" in lines
    closed = next(line for line in lines if "Resolved at a meeting." in line)
    assert "Case closed" in closed and "Alex Admin" in closed
    assert lines[-1] == "Evidence: 0 files. Tasks: 0, 0 overdue."


def test_the_reference_forgives_case_and_zeros(capsys, env, store_path, case) -> None:
    lenient = case.lower().replace("-0", "-000")
    code, out, _ = show(capsys, store_path, "--json", lenient)
    assert code == 0
    assert json.loads(out)["reference"] == case


def test_another_schools_case_is_refused_like_one_that_does_not_exist(
    capsys, env, new_store: SetupResult, store_path, case
) -> None:
    birch = casefile.new_case(
        new_store.session,
        subject=NewPerson("Bob", "Birch", "parent"),
        school_ids=(BIRCH,),
        first_incident=FirstIncident(utc_now(), "telephone", (1,), "Rang and shouted."),
    )
    add_user(
        new_store.session,
        username="bm",
        full_name="Bea Manager",
        role="business_manager",
        school_ids=[ASH],
        password=ADMIN_PASSWORD,
    )
    code, out, err = show(capsys, store_path, birch.reference, user="bm")
    assert code == 1 and out == ""
    year = birch.reference.split("-")[1]
    missing_code, _, missing_err = show(capsys, store_path, f"CB-{year}-9999", user="bm")
    assert missing_code == 1
    assert err == missing_err
    assert "There is no such case among the cases you can open." in err
    assert "Bob" not in err
    code, out, _ = show(capsys, store_path, "--json", case, user="bm")
    assert code == 0 and json.loads(out)["reference"] == case  # their own school's case


def test_text_that_is_not_a_reference_is_a_one_line_error(capsys, env, store_path, case) -> None:
    code, out, err = show(capsys, store_path, "Zoë O'Brien")
    assert (code, out) == (1, "")
    assert "A case reference looks like CB-2026-0042." in err
    assert len(err.strip().splitlines()) == 1


def test_help_lists_the_command(capsys) -> None:
    assert main(["case", "show", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--json" in out and "REFERENCE" in out.upper()
    assert main(["--help"]) == 0
    assert "case" in capsys.readouterr().out


def test_a_sample_case_with_evidence_and_tasks(
    capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(keyvault, "DEFAULT_KDF", FAST_KDF)
    path = tmp_path / "sample.casebook"
    create_demo_store(path, cases=40)
    session = auth.sign_in(path, username="admin", password=SAMPLE_PASSWORD)
    try:
        with session.transaction() as db:
            reference = db.scalar(
                select(m.Case.reference)
                .join(m.Evidence, m.Evidence.case_id == m.Case.id)
                .join(m.CaseTask, m.CaseTask.case_id == m.Case.id)
                .limit(1)
            )
    finally:
        session.close()
    assert reference is not None, "the sample has a case with evidence and tasks"
    monkeypatch.setenv("CASEBOOK_PASSWORD", SAMPLE_PASSWORD)
    code, out, err = show(capsys, path, "--json", reference)
    assert code == 0, err
    found = json.loads(out)
    assert found["evidence"] and found["tasks"] and found["events"]
    exhibit = found["evidence"][0]
    assert len(exhibit["sha256"]) == 64 and exhibit["size"] > 0 and exhibit["filename"]
    assert "content" not in exhibit  # details only, never the file
    assert {"title", "due_on", "owner", "done", "overdue"} <= set(found["tasks"][0])
    code, out, _ = show(capsys, path, reference)
    assert code == 0
    assert f"Evidence: {len(found['evidence'])} file" in out
