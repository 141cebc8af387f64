"""Issued letters: opening them as issued, saving a copy, and the day's print queue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, update

from desktop.errors import NotFound, ValidationError
from desktop.services import issued_letters
from desktop.services.sanctions import LetterChoice, take_step
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage.models import AuditEntry, IssuedLetter
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user
from tests.services.sanction_support import case_with_incidents, trust_leader, verbal_warning

D = dt.date


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    return trust_leader(new_store, store_path)


def _issue(session: UserSession, queue: bool = True) -> int:
    case = case_with_incidents(session, 1)
    result = take_step(
        session,
        case_id=case.id,
        draft=verbal_warning(D(2026, 1, 20)),
        letter=LetterChoice(queue=queue),
    )
    assert result.letter_id is not None
    return result.letter_id


def _actions(session: UserSession) -> list[str]:
    with session.transaction() as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_issued_letters_wait_in_the_queue_until_printed(leader: UserSession) -> None:
    first, second = _issue(leader), _issue(leader)
    unqueued = _issue(leader, queue=False)
    assert [i.id for i in issued_letters.print_queue(leader)] == [first, second]
    pdfs = issued_letters.queued_pdfs(leader, letter_ids=[second, first])
    assert [p.info.id for p in pdfs] == [second, first]
    assert issued_letters.record_printed(leader, letter_ids=[first, second]) == 2
    assert issued_letters.print_queue(leader) == []
    assert issued_letters.open_letter(leader, letter_id=first).info.printed_at is not None
    issued_letters.add_to_queue(leader, letter_ids=[unqueued])
    assert [i.id for i in issued_letters.print_queue(leader)] == [unqueued]
    issued_letters.remove_from_queue(leader, letter_ids=[unqueued])
    assert issued_letters.print_queue(leader) == []
    assert _actions(leader).count("letter.printed") == 2


def test_case_letters_lists_them_newest_first(leader: UserSession) -> None:
    letter_id = _issue(leader)
    opened = issued_letters.open_letter(leader, letter_id=letter_id)
    listed = issued_letters.case_letters(leader, case_id=opened.info.case_id)
    assert [i.id for i in listed] == [letter_id]
    assert listed[0].title and listed[0].reference == opened.info.reference
    assert "Dana Driver" in pdf_text(opened.pdf)


def test_save_copy_writes_the_pdf_as_issued_and_is_audited(
    leader: UserSession, tmp_path: Path
) -> None:
    letter_id = _issue(leader)
    saved = issued_letters.save_copy(leader, letter_id=letter_id, path=tmp_path / "warning")
    assert saved == tmp_path / "warning.pdf"
    assert saved.read_bytes() == issued_letters.open_letter(leader, letter_id=letter_id).pdf
    assert "letter.saved_as_pdf" in _actions(leader)
    assert not list(tmp_path.glob("*.saving"))
    with pytest.raises(ValidationError):
        issued_letters.save_copy(leader, letter_id=letter_id, path=tmp_path / "nope" / "a.pdf")


def test_a_damaged_stored_letter_is_not_shown(leader: UserSession) -> None:
    letter_id = _issue(leader)
    with leader.transaction(write=True) as db:
        db.execute(update(IssuedLetter).values(pdf=b"%PDF-1.4 altered"))
    with pytest.raises(ValidationError) as caught:
        issued_letters.open_letter(leader, letter_id=letter_id)
    assert "fingerprint" in str(caught.value)


def test_letters_outside_the_users_schools_are_not_found(
    new_store: SetupResult, store_path: Path, leader: UserSession
) -> None:
    letter_id = _issue(leader)
    other = sign_in_new_user(new_store, store_path, "elsewhere", "business_manager", schools=(2,))
    with pytest.raises(NotFound):
        issued_letters.open_letter(other, letter_id=letter_id)
    with pytest.raises(NotFound):
        issued_letters.record_printed(other, letter_ids=[letter_id])
    assert issued_letters.print_queue(other) == []


def test_a_correction_is_a_new_letter_and_the_old_one_stays(leader: UserSession) -> None:
    from desktop.services import people
    from desktop.storage.models import Case

    letter_id = _issue(leader)
    old = issued_letters.open_letter(leader, letter_id=letter_id)
    assert "By hand" in pdf_text(old.pdf)  # no postal address recorded yet
    with leader.transaction() as db:
        case = db.get(Case, old.info.case_id)
        assert case is not None
        person_id = case.subject_id
    people.update_person(
        leader,
        person_id=person_id,
        given_name="Dana",
        family_name="Driver",
        relation="parent",
        address="7 Corrected Lane\nOakfield\nOK9 9ZZ",
    )
    corrected = issued_letters.issue_correction(leader, letter_id=letter_id, large_print=True)
    assert corrected.supersedes_id == letter_id and corrected.large_print and corrected.queued
    assert corrected.type_id == old.info.type_id
    again = issued_letters.open_letter(leader, letter_id=letter_id)
    assert again.pdf == old.pdf and again.info.superseded_by_id == corrected.id
    new_text = pdf_text(issued_letters.open_letter(leader, letter_id=corrected.id).pdf)
    assert "7 Corrected Lane" in new_text and "Dana Driver" in new_text
    with pytest.raises(ValidationError):
        issued_letters.issue_correction(leader, letter_id=letter_id)
    assert _actions(leader).count("letter.issued") == 2
