"""The chronology PDF for the legal team: header, one row per entry, earlier versions of
edited entries, the exhibit index and "Page x of y", read back from the PDF's text."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest

from desktop.dates import utc_now
from desktop.services import chronology
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.storage import models as m
from reports.chronology import ChronologyReport, ReportEntry, ReportExhibit, make_chronology
from tests.pdfutil import pdf_page_count, pdf_text
from tests.services.case_support import open_parent_case

DAY = dt.datetime(2026, 2, 2, 9, 5, tzinfo=dt.UTC)
PHOTO = b"a screenshot of the post"


@pytest.fixture
def case(admin: UserSession) -> CaseRow:
    return open_parent_case(admin, "Zoë", "O'Brien-Ødegård")


def _evidence(session: UserSession, case: CaseRow, filename: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    with session.transaction(write=True) as db:
        db.add(
            m.Evidence(
                case_id=case.id,
                filename=filename,
                media_type="image/png",
                size=len(content),
                sha256=digest,
                content=content,
                added_by_id=session.actor.user_id,
                added_at=DAY,
            )
        )
    return digest


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_holds_the_header_the_entries_and_the_exhibits(admin, case) -> None:
    first = chronology.add_event(
        admin,
        case_id=case.id,
        kind="conversation",
        occurred_at=DAY,
        summary="Phoned mum about the post",
        detail="She said <she> & her sister wrote it.",
    )
    chronology.add_event(
        admin,
        case_id=case.id,
        kind="meeting",
        occurred_at=DAY + dt.timedelta(days=1),
        summary="Meeting with the headteacher",
    )
    chronology.edit_event(
        admin,
        event_id=first.id,
        summary="Phoned mum about the Facebook post",
        detail="She said <she> & her sister wrote it.",
        reason="Named the site",
    )
    digest = _evidence(admin, case, "post screenshot.png", PHOTO)

    data = chronology.chronology_pdf(admin, case_id=case.id)
    text = _flat(pdf_text(data))
    pages = pdf_page_count(data)
    assert case.reference in text and "Zoë O'Brien-Ødegård" in text
    assert "Ash Primary" in text and "Prepared by: Alex Admin" in text
    assert "02/02/2026 09:05" in text and "03/02/2026 09:05" in text
    assert "Conversation" in text and "Meeting" in text
    assert "Phoned mum about the Facebook post" in text
    assert "She said <she> & her sister wrote it." in text  # printed literally
    assert "Meeting with the headteacher" in text
    assert "Edited: 2 versions, last changed by Alex Admin on " in text
    # The earlier version stays in the export, with why it was replaced.
    assert "Phoned mum about the post" in text and "Replaced because: Named the site" in text
    assert "Index of evidence exhibits" in text
    assert "E1" in text and "post screenshot.png" in text
    assert digest[:32] in text and digest[32:] in text
    assert f"Page 1 of {pages}" in text


def test_every_page_is_numbered_out_of_the_total() -> None:
    now = utc_now()
    report = ChronologyReport(
        reference="CB-2026-0042",
        subject="Мария Иванова",
        schools=("Ash Primary", "Birch Academy"),
        prepared_by="Alex Admin",
        prepared_at=now,
        entries=tuple(
            ReportEntry(
                n,
                DAY + dt.timedelta(hours=n),
                "Note",
                f"Entry number {n}",
                "Detail line\n" * 3,
                "Alex Admin",
                now,
                1,
            )
            for n in range(1, 151)
        ),
        exhibits=(ReportExhibit(1, "a.png", "0" * 64, "Alex Admin", now),),
    )
    data = make_chronology(report)
    pages = pdf_page_count(data)
    assert pages > 3
    text = pdf_text(data)
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text
    assert text.count("CB-2026-0042 · Мария Иванова · Chronology") == pages
    for n in (1, 75, 150):
        assert f"Entry number {n}" in text


def test_the_longest_description_flows_over_pages() -> None:
    now = utc_now()
    words = " ".join(f"word{n}." for n in range(3000))  # about 27,000 characters
    report = ChronologyReport(
        reference="CB-2026-0001",
        subject="Pat Quinn",
        schools=(),
        prepared_by="Alex Admin",
        prepared_at=now,
        entries=(ReportEntry(1, DAY, "Incident", "A long account", words, "Alex", now, 1),),
    )
    data = make_chronology(report)
    text = _flat(pdf_text(data))
    assert pdf_page_count(data) > 1
    found = [int(n) for n in re.findall(r"word(\d+)\.", text)]
    assert found == list(range(3000))  # every word, once, in order
    assert "No evidence files are held on this case." in text


def test_an_empty_chronology_still_prints() -> None:
    report = ChronologyReport("CB-2026-0002", "Pat Quinn", (), "Alex Admin", utc_now(), ())
    text = _flat(pdf_text(make_chronology(report)))
    assert "Nothing has been recorded on this case yet." in text
    assert "Page 1 of 1" in text
