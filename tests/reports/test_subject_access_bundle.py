"""The subject access bundle's PDF: the records as given, and a plain page when none."""

from __future__ import annotations

import datetime as dt

from desktop.services.subject_access_records import Field, Record
from reports.subject_access_bundle import NOTHING_HELD, BundleReport, make_bundle
from tests.pdfutil import pdf_page_count, pdf_text


def _report(records) -> BundleReport:
    return BundleReport(
        reference="SAR-0003",
        requester="Dana Fletcher",
        person="Dana Fletcher",
        received_on=dt.date(2026, 3, 2),
        deadline=dt.date(2026, 4, 2),
        prepared_by="Alex Admin",
        prepared_at=dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC),
        records=records,
        files=(("evidence/E1.png", "evidence:4", ""),),
        withheld=(("letter:2", "it names other people"),),
        passages_redacted=1,
    )


def test_every_record_and_field_is_printed() -> None:
    long = "A sentence about the gate. " * 400
    records = (
        Record(
            "case:1",
            "Cases about you",
            "Case CB-2026-0001",
            (Field("case:1:summary", "Summary", "Shouting <at> gate & more"),),
        ),
        Record("event:9", "Chronology entries", "Note", (Field("event:9:detail", "Detail", long),)),
    )
    data = make_bundle(_report(records))
    text = " ".join(pdf_text(data).split())
    assert "Case CB-2026-0001" in text and "Shouting <at> gate & more" in text
    assert "Chronology entries" in text and "evidence/E1.png" in text and "letter:2" in text
    assert text.count("A sentence about the gate.") == 400
    pages = pdf_page_count(data)
    assert pages > 1 and f"Page {pages} of {pages}" in text


def test_no_records_says_so() -> None:
    text = pdf_text(make_bundle(_report(())))
    assert NOTHING_HELD in " ".join(text.split())
