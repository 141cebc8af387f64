"""A case's letter made again from what was recorded, and saved as an audited export
(issue 9, part 6): the same words the step or decision issued, refusals that name what is
missing, and a file that appears whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2
import pytest
from sqlalchemy import select

from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.domain.sanctions import Outcome
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import letter_facts, letter_sources, sanction_reviews, sanctions, scope
from desktop.services.cases import CaseRow
from desktop.services.sanction_reviews import Representations
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from reports.letter_templates import letter_types
from tests.pdfutil import pdf_text
from tests.services.accounts import front_desk_session, sign_in_new_user
from tests.services.case_support import audit_details
from tests.services.sanction_support import (
    D,
    bar_notice,
    case_with_incidents,
    decision,
    plan,
    trust_leader,
    verbal_warning,
    written_warning,
)

EXPORTED = "letter.exported"


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    return trust_leader(new_store, store_path)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder to save letters in (the store is in `tmp_path`)."""
    folder = tmp_path / "letters"
    folder.mkdir()
    return folder


def _barred(leader: UserSession, case: CaseRow | None = None) -> tuple[CaseRow, int]:
    """Dana Driver's case at Ash (or `case`, its warnings given), with a temporary bar whose
    representations are due by 14 April 2026; returns the case and the bar's restriction id."""
    skip = None
    if case is None:
        case = case_with_incidents(leader)
        skip = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats to staff at the gate.")
    done = sanctions.take_step(
        leader,
        case_id=case.id,
        draft=bar_notice(
            D(2026, 4, 1),
            ends=D(2026, 6, 30),
            deadline=D(2026, 4, 14),
            review=D(2026, 4, 20),
            skip=skip,
        ),
    )
    assert done.restriction_id is not None
    return case, done.restriction_id


def _rebuilt_text(session: UserSession, case_id: int, type_id: str) -> str:
    with session.transaction() as db:
        case = db.get(m.Case, case_id)
        assert case is not None
        letter = letter_sources.recorded_letter(db, case, type_id)
        return pdf_text(letter_facts.render(db, case, letter.draft, on=letter.dated)[1])


def _issued_texts(session: UserSession, case_id: int) -> dict[str, str]:
    """The text of the newest letter of each type the wizard and decisions issued."""
    with session.transaction() as db:
        rows = db.scalars(
            select(m.IssuedLetter)
            .where(m.IssuedLetter.case_id == case_id)
            .order_by(m.IssuedLetter.id)
        )
        return {row.letter_type: pdf_text(row.pdf) for row in rows}


def _font_size(data: bytes, text: str) -> float:
    pdf = pypdfium2.PdfDocument(data)
    try:
        textpage = pdf[0].get_textpage()
        hit = textpage.search(text, match_case=True).get_next()
        assert hit is not None, f"{text!r} is not on the first page"
        return float(pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, hit[0]))
    finally:
        pdf.close()


def test_every_letter_issued_on_the_way_is_made_again_word_for_word(
    leader: UserSession,
) -> None:
    case = case_with_incidents(leader)
    sanctions.take_step(leader, case_id=case.id, draft=verbal_warning(D(2026, 2, 2)))
    incident_ids = [i.id for i in _incidents(leader, case.id)]
    sanctions.take_step(leader, case_id=case.id, draft=written_warning(D(2026, 3, 2), incident_ids))
    case, bar = _barred(leader, case)
    sanction_reviews.record_representations(
        leader, restriction_id=bar, given=Representations(D(2026, 4, 12), "Was provoked.")
    )
    sanction_reviews.decide(
        leader,
        restriction_id=bar,
        decision=decision(
            D(2026, 4, 20), Outcome.CONFIRM, ends=D(2026, 6, 28), review_due=D(2026, 6, 25)
        ),
    )
    for outcome, on, more in (
        (Outcome.RENEW, D(2026, 6, 28), {"ends": D(2026, 9, 20), "review_due": D(2026, 9, 15)}),
        (Outcome.END, D(2026, 9, 20), {}),
    ):
        sanction_reviews.decide(
            leader,
            restriction_id=bar,
            end_of_period=True,
            decision=decision(on, outcome, **more),
        )
    issued = _issued_texts(leader, case.id)
    assert set(issued) == {
        "verbal-warning",
        "written-warning",
        "bar-notice",
        "representations-acknowledgement",
        "bar-confirmation",
        "bar-review-outcome",
    }
    for type_id, text in issued.items():
        assert _rebuilt_text(leader, case.id, type_id) == text, type_id
    # The newest decision that sends the review outcome wins: the bar ended, not renewed.
    assert "20 September 2026" in issued["bar-review-outcome"]


def _incidents(session: UserSession, case_id: int) -> list[m.Incident]:
    with session.transaction() as db:
        rows = db.scalars(select(m.Incident).where(m.Incident.case_id == case_id))
        return list(rows)


def test_a_communication_plan_and_its_variation_are_made_again(leader: UserSession) -> None:
    case = case_with_incidents(leader)
    skip = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Abuse by email to many staff.")
    done = sanctions.take_step(
        leader,
        case_id=case.id,
        draft=plan(D(2026, 5, 1), ends=D(2026, 7, 20), review=D(2026, 7, 10), skip=skip),
    )
    assert done.restriction_id is not None
    issue_text = _issued_texts(leader, case.id)["communication-plan"]
    assert _rebuilt_text(leader, case.id, "communication-plan") == issue_text
    sanction_reviews.decide(
        leader,
        restriction_id=done.restriction_id,
        end_of_period=True,
        decision=decision(
            D(2026, 7, 10), Outcome.RENEW, ends=D(2026, 10, 1), review_due=D(2026, 9, 20)
        ),
    )
    renewed = _issued_texts(leader, case.id)["communication-plan"]
    assert renewed != issue_text
    assert _rebuilt_text(leader, case.id, "communication-plan") == renewed


def test_export_saves_the_bar_notice_and_audits_it_without_its_content(
    leader: UserSession, out: Path
) -> None:
    case, _bar = _barred(leader)
    to = out / "notice.pdf"
    saved = letter_sources.export_letter(
        leader, reference=case.reference.lower(), type_id="bar-notice", to=to
    )
    assert saved.path == to and saved.reference == case.reference
    assert saved.type_id == "bar-notice" and saved.size == to.stat().st_size
    text = pdf_text(to.read_bytes())
    assert "Dana Driver" in text and case.reference in text and "14 April 2026" in text
    assert list(out.iterdir()) == [to]  # no temporary file left beside it
    [entry] = audit_details(leader, EXPORTED)
    assert entry["letter_type"] == "bar-notice" and entry["size"] == saved.size
    assert entry["source"] == "case_step" and entry["large_print"] is False
    assert "Dana" not in json.dumps(entry) and "Driver" not in json.dumps(entry)
    with leader.transaction() as db:
        row = db.scalar(select(m.AuditEntry).where(m.AuditEntry.action == EXPORTED))
        assert row is not None and row.case_id == case.id


def test_large_print_sets_the_letter_larger(leader: UserSession, out: Path) -> None:
    case, _bar = _barred(leader)
    standard, large = out / "standard.pdf", out / "large.pdf"
    letter_sources.export_letter(
        leader, reference=case.reference, type_id="bar-notice", to=standard
    )
    letter_sources.export_letter(
        leader, reference=case.reference, type_id="bar-notice", to=large, large_print=True
    )
    reasons = "Threatening behaviour"
    assert (
        _font_size(large.read_bytes(), reasons) >= 16 > _font_size(standard.read_bytes(), reasons)
    )
    assert [e["large_print"] for e in audit_details(leader, EXPORTED)] == [False, True]


def test_a_letter_the_case_has_not_recorded_names_the_missing_field(
    leader: UserSession, out: Path
) -> None:
    case, _bar = _barred(leader)  # a notice, but no representations yet
    to = out / "ack.pdf"
    with pytest.raises(letter_sources.LetterNotRecorded) as refused:
        letter_sources.export_letter(
            leader, reference=case.reference, type_id="representations-acknowledgement", to=to
        )
    assert refused.value.field == "representations_received"
    assert refused.value.message == (
        "This letter needs the date the representations arrived (representations_received), "
        f"which case {case.reference} has not recorded."
    )
    assert not to.exists() and list(out.iterdir()) == []
    assert audit_details(leader, EXPORTED) == []


def test_a_case_with_no_bar_is_refused_a_bar_notice(leader: UserSession, out: Path) -> None:
    case = case_with_incidents(leader)
    with pytest.raises(letter_sources.LetterNotRecorded) as refused:
        letter_sources.export_letter(
            leader, reference=case.reference, type_id="bar-notice", to=out / "n.pdf"
        )
    assert refused.value.field == "bar_kind"
    assert case.reference in refused.value.message
    assert list(out.iterdir()) == []


def test_an_unknown_type_lists_the_types_there_are(leader: UserSession, out: Path) -> None:
    case = case_with_incidents(leader)
    with pytest.raises(ValidationError) as refused:
        letter_sources.export_letter(
            leader, reference=case.reference, type_id="bar", to=out / "n.pdf"
        )
    assert refused.value.field == "type"
    for kind in letter_types():
        assert kind.id in refused.value.message
    assert letter_sources.type_ids() == [kind.id for kind in letter_types()]


def test_a_missing_folder_or_a_folder_as_the_file_is_refused_with_no_file(
    leader: UserSession, out: Path
) -> None:
    case, _bar = _barred(leader)
    for to in (out / "nowhere" / "notice.pdf", out):
        with pytest.raises(ValidationError) as refused:
            letter_sources.export_letter(
                leader, reference=case.reference, type_id="bar-notice", to=to
            )
        assert refused.value.field == "out"
    assert list(out.iterdir()) == []
    assert audit_details(leader, EXPORTED) == []


def test_a_case_out_of_reach_or_missing_is_not_found_and_the_front_desk_is_refused(
    new_store: SetupResult, store_path: Path, leader: UserSession, out: Path
) -> None:
    case, _bar = _barred(leader)  # at Ash
    to = out / "notice.pdf"
    birch = sign_in_new_user(new_store, store_path, "birchhead", "headteacher", schools=(2,))
    ash = sign_in_new_user(new_store, store_path, "ashhead", "headteacher", schools=(1,))
    desk = front_desk_session(new_store, store_path)
    try:
        with pytest.raises(NotFound) as outside:
            letter_sources.export_letter(
                birch, reference=case.reference, type_id="bar-notice", to=to
            )
        assert outside.value.message == scope.CASE_NOT_FOUND
        with pytest.raises(NotFound):
            letter_sources.export_letter(
                leader, reference="CB-2026-9999", type_id="bar-notice", to=to
            )
        with pytest.raises(NotPermitted):
            letter_sources.export_letter(
                desk, reference=case.reference, type_id="bar-notice", to=to
            )
        assert not to.exists()
        letter_sources.export_letter(ash, reference=case.reference, type_id="bar-notice", to=to)
        assert to.exists()
    finally:
        for session in (birch, ash, desk):
            session.close()
