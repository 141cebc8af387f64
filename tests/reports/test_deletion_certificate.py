"""The deletion certificate: what went, under which rule, by whom and when, and no names."""

from __future__ import annotations

import datetime as dt

from desktop.domain.retention import DeletionCertificate, RecordKind
from reports.deletion_certificate import deletion_certificate_pdf
from tests.pdfutil import pdf_page_count, pdf_text

CERTIFICATE = DeletionCertificate(
    number=4182,
    trust="Oakfield Learning Trust",
    deleted_at=dt.datetime(2033, 3, 14, 9, 30, tzinfo=dt.UTC),
    deleted_by="Alex Admin",
    deleted_by_role="Data protection lead / administrator",
    rule="Trust retention schedule: parental conduct records",
    profile="Graduated ladder with legal sanctions (version 1.0)",
    records=((RecordKind.CONCERN_CASE, 12, 730), (RecordKind.SANCTION_CASE, 3, 2190)),
    contents=(("incidents", 31), ("evidence", 4), ("people", 14)),
    compacted=True,
)


def test_the_certificate_says_what_went_under_which_rule_by_whom_and_when() -> None:
    pdf = deletion_certificate_pdf(CERTIFICATE)
    assert pdf.startswith(b"%PDF") and pdf_page_count(pdf) == 1
    text = " ".join(pdf_text(pdf).split())
    assert "Certificate of deletion" in text and "Oakfield Learning Trust" in text
    assert "Certificate number 4182" in text
    assert "14/03/2033 09:30" in text  # UK time (GMT in March)
    assert "Alex Admin, Data protection lead / administrator" in text
    assert "Trust retention schedule: parental conduct records" in text
    assert "Graduated ladder with legal sanctions (version 1.0)" in text
    assert "Closed case (no written warning or sanction) 2 years after closing 12" in text
    assert "Closed case with a legal sanction 6 years after closing 3" in text
    assert "Total 15" in text
    assert "Incidents 31" in text and "Evidence files 4" in text
    assert "People no other case refers to 14" in text
    assert "compacted" in text and "names no person" in text
    assert "Page 1 of 1" in text


def test_a_compaction_that_could_not_finish_is_said_plainly() -> None:
    pending = DeletionCertificate(**{**CERTIFICATE.__dict__, "compacted": False})
    text = " ".join(pdf_text(deletion_certificate_pdf(pending)).split())
    assert "could not finish" in text
    assert "no copy remains" not in text


def test_text_from_the_profile_is_printed_as_it_is() -> None:
    odd = DeletionCertificate(
        **{**CERTIFICATE.__dict__, "rule": "Schedule <b>4</b> & Zoë's rule", "contents": ()}
    )
    text = pdf_text(deletion_certificate_pdf(odd))
    assert "Schedule <b>4</b> & Zoë's rule" in text
    assert "What those records held" not in text
