"""The recovery sheet: the key, who and when, and how to use it, on one A4 page."""

from __future__ import annotations

import datetime

import pypdfium2
import pytest

from reports.recovery_sheet import build_recovery_sheet
from tests.pdfutil import pdf_page_count, pdf_text

KEY = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789"


def _sheet(**overrides: object) -> bytes:
    values: dict[str, object] = {
        "trust_name": "Riverside Learning Trust",
        "store_name": "riverside-cases.casebook",
        "recovery_key": KEY,
        "created_on": datetime.date(2026, 3, 4),
        "created_by": "Jane Okafor",
    }
    values.update(overrides)
    return build_recovery_sheet(**values)  # type: ignore[arg-type]


def _flat(text: str) -> str:
    """Text with every run of whitespace made one space, so wrapped lines compare whole."""
    return " ".join(text.split())


def test_output_is_a_pdf() -> None:
    assert _sheet().startswith(b"%PDF")


def test_shows_key_exactly_as_given() -> None:
    text = pdf_text(_sheet())
    assert KEY in text


def test_shows_trust_store_creator_and_uk_date() -> None:
    text = _flat(pdf_text(_sheet()))
    assert "Riverside Learning Trust" in text
    assert "riverside-cases.casebook" in text
    assert "Jane Okafor" in text
    assert "04/03/2026" in text
    assert "2026-03-04" not in text


@pytest.mark.parametrize(
    "trust_name",
    ["St Mary's & <All> Saints", "A & B <b>not bold</b> Trust", "Tom &amp; Jerry's Academy"],
)
def test_user_text_is_printed_literally(trust_name: str) -> None:
    text = pdf_text(_sheet(trust_name=trust_name, created_by="O'Brien & <Sons>"))
    assert trust_name in text
    assert "O'Brien & <Sons>" in text


def test_explains_what_the_key_does_and_how_to_keep_it() -> None:
    text = _flat(pdf_text(_sheet()))
    assert "Casebook recovery sheet" in text
    assert "every password" in text
    assert "data protection lead" in text
    assert "safe" in text
    assert "shown only once" in text
    assert "Stored at:" in text


def test_explains_how_to_use_the_key() -> None:
    text = _flat(pdf_text(_sheet()))
    assert "Forgotten password?" in text
    assert "enter the key and choose a new password" in text
    assert "casebook recover --db FILE --user USERNAME" in text


def test_footer_marks_it_confidential_with_page_number() -> None:
    text = _flat(pdf_text(_sheet()))
    assert "Casebook recovery sheet \u2013 confidential" in text
    assert "Page 1" in text


def test_long_trust_name_wraps_and_stays_on_one_page() -> None:
    words = "The Very Long Named Multi Academy Trust of Saint Mary and All Saints "
    long_name = (words * 10)[:300].strip()
    data = _sheet(trust_name=long_name)
    assert pdf_page_count(data) == 1
    assert long_name in _flat(pdf_text(data))


def test_unbroken_long_trust_name_stays_on_one_page() -> None:
    assert pdf_page_count(_sheet(trust_name="W" * 300)) == 1


def test_metadata_names_casebook_and_nothing_personal() -> None:
    pdf = pypdfium2.PdfDocument(_sheet(created_by="Jane Okafor"))
    try:
        metadata = pdf.get_metadata_dict()
    finally:
        pdf.close()
    assert metadata["Title"] == "Casebook recovery sheet"
    assert metadata["Author"] == "Casebook"
    assert not any("Okafor" in value for value in metadata.values())
    assert not any(KEY in value for value in metadata.values())


def test_is_a4() -> None:
    pdf = pypdfium2.PdfDocument(_sheet())
    try:
        width, height = pdf[0].get_size()
    finally:
        pdf.close()
    assert (round(width), round(height)) == (595, 842)
