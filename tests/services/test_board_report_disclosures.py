"""The board report's named appendix counts the disclosures outside the trust by legal
basis, against the previous period: every disclosure on a report of every school, only
those about the chosen schools' cases otherwise, and none at all in an anonymised report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.domain.disclosures import LegalBasis
from desktop.services import board_report, disclosures
from desktop.services.cases import CaseRow, open_case
from desktop.services.disclosures import DisclosureDraft
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user

D = dt.date
YEAR = (D(2025, 9, 1), D(2026, 8, 31))
ASH, BIRCH = 1, 2


def _case(session: UserSession, school: int) -> CaseRow:
    return open_case(
        session,
        given_name="Pat",
        family_name=f"Parent{school}",
        relationship="parent",
        school_ids=[school],
        opened_on=D(2025, 9, 5),
    )


def _disclose(
    session: UserSession, basis: LegalBasis, day: dt.date, case: CaseRow | None = None
) -> None:
    disclosures.record_disclosure(
        session,
        DisclosureDraft(
            basis=basis,
            recipient="Recipient Rowena",
            what="Copies of letters",
            disclosed_on=day,
            authorised_by_id=session.actor.user_id,
            case_id=case.id if case else None,
        ),
    )


def _logged(admin: UserSession) -> None:
    """This year: two inspections at Ash, one to the Secretary of State about no case, a
    subject access at Birch. The year before: one to another legal authority at Ash."""
    ash, birch = _case(admin, ASH), _case(admin, BIRCH)
    _disclose(admin, LegalBasis.INSPECTION, D(2025, 9, 1), ash)
    _disclose(admin, LegalBasis.INSPECTION, D(2026, 8, 31), ash)
    _disclose(admin, LegalBasis.SECRETARY_OF_STATE, D(2026, 1, 10))
    _disclose(admin, LegalBasis.SUBJECT_ACCESS, D(2026, 2, 2), birch)
    _disclose(admin, LegalBasis.LEGAL_AUTHORITY, D(2025, 8, 31), ash)


def _figures(report: board_report.BoardReport) -> dict[str, tuple[int, int]]:
    assert report.disclosures is not None
    return {f.item: (f.current, f.previous) for f in report.disclosures}


def test_the_named_appendix_counts_every_disclosure_by_basis(admin: UserSession) -> None:
    _logged(admin)
    report = board_report.annual_report(admin, start=YEAR[0], end=YEAR[1], named=True)
    assert _figures(report) == {
        "Secretary of State": (1, 0),
        "School inspection": (2, 0),
        "Subject access request": (1, 0),
        "Another legal authority": (0, 1),
    }
    text = " ".join(pdf_text(board_report.annual_report_pdf(report)).split())
    assert "Disclosures outside the trust" in text
    assert "Every disclosure of records outside the trust that was logged" in text
    assert "School inspection 2 0" in text and "Another legal authority 0 1" in text
    assert "Total 4 1" in text  # in full: the appendix is not anonymised


def test_an_anonymised_report_has_no_disclosures(admin: UserSession) -> None:
    _logged(admin)
    report = board_report.annual_report(admin, start=YEAR[0], end=YEAR[1])
    assert report.disclosures is None
    assert "Disclosures outside the trust" not in pdf_text(board_report.annual_report_pdf(report))
    assert b"inspection" not in board_report.annual_report_csv(report)


def test_a_report_on_some_schools_counts_their_cases_disclosures(
    new_store: SetupResult, store_path: Path
) -> None:
    admin = new_store.session
    _logged(admin)
    birch = board_report.annual_report(
        admin, start=YEAR[0], end=YEAR[1], school_ids=[BIRCH], named=True
    )
    assert _figures(birch)["Subject access request"] == (1, 0)
    assert sum(current + previous for current, previous in _figures(birch).values()) == 1
    head = sign_in_new_user(new_store, store_path, "hugh", "headteacher", schools=[ASH])
    ash = board_report.annual_report(head, start=YEAR[0], end=YEAR[1], named=True)
    assert _figures(ash) == {
        "Secretary of State": (0, 0),  # about no case: not any one school's
        "School inspection": (2, 0),
        "Subject access request": (0, 0),
        "Another legal authority": (0, 1),
    }
    text = " ".join(pdf_text(board_report.annual_report_pdf(ash)).split())
    assert "about a case at the schools reported on" in text
