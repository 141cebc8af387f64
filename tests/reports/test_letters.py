"""Letters: the letterhead, the address in the envelope window, the body, who signs and who
gets a copy, page numbers, large print, and every name printed exactly as typed."""

from __future__ import annotations

import dataclasses
import datetime
import io
import pickle
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from desktop.errors import ValidationError
from desktop.paths import RESOURCES_DIR
from reports.letters import (
    ADDRESS_INSET,
    ENVELOPE_WINDOW,
    FONT_FILES,
    Letter,
    Letterhead,
    Recipient,
    Signatory,
    fonts_dir,
    long_date,
    make_letter,
    type_sizes,
    unprintable_characters,
)
from tests.pdfutil import pdf_page_count, pdf_text

ROOT = Path(__file__).resolve().parents[2]
MM = 72 / 25.4
ADDRESS = ["Flat 2", "14 Łukasz Wójcik Court", "Ахмед Street", "Lower Marsh", "RV3 4EF"]
PARAGRAPH = (
    "On Tuesday afternoon you raised your voice at a member of staff at the school gate, "
    "in front of pupils and other parents. The trust expects every parent, carer and "
    "visitor to treat staff, pupils and one another with courtesy, and asks you to do so "
    "from now on. This paragraph is long enough to take several lines on the page."
)


def _png(width: int, height: int) -> bytes:
    image = Image.new("RGBA", (width, height), (31, 78, 121, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


BASE = Letter(
    letterhead=Letterhead(
        trust_name="Riverside Learning Trust",
        trust_address=["Trust House", "1 Mill Lane", "Riverton", "RV1 2AB"],
        school_name="Riverside Primary Academy",
        school_address=["School Road", "Riverton", "RV2 3CD"],
        school_contact=["Telephone 01234 567890"],
        company_details="Riverside Learning Trust, company number 01234567.",
    ),
    recipient=Recipient("Mrs Zoë Ní Bhriain", ADDRESS),
    reference="RIV-2026-0042",
    date=datetime.date(2026, 11, 26),
    salutation="Dear Mrs Ní Bhriain",
    subject="Formal written warning",
    body=["Thank you for meeting us last week.", PARAGRAPH],
    signatory=Signatory(
        "Dr Amelia Hart", "Headteacher", on_behalf_of="For and on behalf of the CEO"
    ),
    cc=["Mr Tom Reyes, Chief Executive Officer", "Ms Ruth Kelly, Chair of Governors"],
)


def _letter(**changes: Any) -> Letter:
    return dataclasses.replace(BASE, **changes)


def _flat(text: str) -> str:
    """Text with every run of whitespace made one space, so wrapped lines compare whole."""
    return " ".join(text.split())


def _pages(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


@contextmanager
def _text_page(data: bytes, index: int = 0) -> Iterator[tuple[Any, float]]:
    """A page's text layer and the page's height in points."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        page = pdf[index]
        yield page.get_textpage(), page.get_height()
    finally:
        pdf.close()


def _char_indexes(textpage: Any, text: str) -> list[int]:
    """The index of each visible character of the first place `text` appears."""
    hit = textpage.search(text, match_case=True).get_next()
    assert hit is not None, f"{text!r} is not on the page"
    start, count = hit
    return [i for i in range(start, start + count) if textpage.get_text_range(i, 1).strip()]


def _boxes_mm(data: bytes, text: str) -> list[tuple[float, float, float, float]]:
    """Each glyph of `text` on page 1 as (left, top, right, bottom) in mm from the top left."""
    with _text_page(data) as (textpage, height):
        boxes = [textpage.get_charbox(i) for i in _char_indexes(textpage, text)]
    return [
        (left / MM, (height - top) / MM, right / MM, (height - bottom) / MM)
        for left, bottom, right, top in boxes
    ]


def _font_sizes(data: bytes, text: str, page: int = 0) -> set[float]:
    with _text_page(data, page) as (textpage, _):
        indexes = _char_indexes(textpage, text)
        return {round(pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, i), 2) for i in indexes}


def _assert_in_window(data: bytes, lines: list[str]) -> None:
    window = ENVELOPE_WINDOW
    for line in lines:
        for left, top, right, bottom in _boxes_mm(data, line):
            assert window.left <= left and right <= window.right, (line, left, right)
            assert window.top <= top and bottom <= window.bottom, (line, top, bottom)


def test_importing_the_module_leaves_reportlab_unloaded() -> None:
    code = (
        "import sys, reports.letters\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'reportlab'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_output_is_an_a4_pdf() -> None:
    data = make_letter(BASE)
    assert data.startswith(b"%PDF")
    pdf = pypdfium2.PdfDocument(data)
    try:
        width, height = pdf[0].get_size()
    finally:
        pdf.close()
    assert (round(width), round(height)) == (595, 842)


def test_the_same_letter_makes_the_same_bytes() -> None:
    assert make_letter(BASE) == make_letter(BASE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2026, 11, 26), "26 November 2026"),
        (datetime.date(2026, 1, 6), "6 January 2026"),
        (datetime.date(2027, 12, 1), "1 December 2027"),
    ],
)
def test_long_date_is_british_without_a_leading_zero(value: datetime.date, expected: str) -> None:
    assert long_date(value) == expected


def test_shows_the_letterhead_reference_date_and_confidential_mark() -> None:
    text = _flat(pdf_text(make_letter(_letter(date=datetime.date(2026, 3, 4)))))
    for expected in [
        "Riverside Learning Trust",
        "Trust House · 1 Mill Lane · Riverton · RV1 2AB",
        "Riverside Primary Academy",
        "School Road",
        "RV2 3CD",
        "Telephone 01234 567890",
        "Private and Confidential",
        "Our ref: RIV-2026-0042",
        "4 March 2026",
        "Dear Mrs Ní Bhriain",
        "Formal written warning",
        "Thank you for meeting us last week.",
        "company number 01234567",
    ]:
        assert expected in text
    assert "04 March" not in text


def test_shows_the_recipient_name_and_every_address_line() -> None:
    text = pdf_text(make_letter(BASE))
    for line in ["Mrs Zoë Ní Bhriain", *ADDRESS]:
        assert line in text.splitlines()


@pytest.mark.parametrize(
    "name", ["Zoë Ní Bhriain", "Łukasz Wójcik", "Ахмед Иванов", "Γιώργος Παπαδόπουλος"]
)
def test_names_in_every_place_print_exactly(name: str) -> None:
    letter = _letter(
        recipient=Recipient(name, ADDRESS),
        salutation=f"Dear {name}",
        signatory=Signatory(name, "Headteacher"),
        cc=[name],
    )
    lines = pdf_text(make_letter(letter)).splitlines()
    assert name in lines
    assert f"Dear {name}" in lines
    assert f"cc: {name}" in lines
    assert lines.count(name) == 2  # in the window and under the signature
    assert unprintable_characters(letter) == ""


def test_names_the_font_cannot_print_are_reported() -> None:
    letter = _letter(recipient=Recipient("王小明 Zoë", ADDRESS), cc=["王 again"])
    assert unprintable_characters(letter) == "王小明"


def test_markup_in_any_text_prints_literally() -> None:
    letter = _letter(
        body=["Fish & chips <b>not bold</b> a < b > c", "Tom &amp; Jerry"],
        recipient=Recipient("O'Brien & <Sons>", ADDRESS),
        reference="R&D <1>",
        signatory=Signatory("A & B", "<i>Head</i>"),
    )
    text = pdf_text(make_letter(letter))
    for expected in [
        "Fish & chips <b>not bold</b> a < b > c",
        "Tom &amp; Jerry",
        "O'Brien & <Sons>",
        "Our ref: R&D <1>",
        "A & B",
        "<i>Head</i>",
    ]:
        assert expected in text


def test_blank_lines_part_paragraphs_and_newlines_break_lines() -> None:
    body = ["First paragraph.\n\nSecond paragraph,\nnext line.", "", "   ", "Third."]
    lines = pdf_text(make_letter(_letter(body=body))).splitlines()
    start = lines.index("First paragraph.")
    assert lines[start : start + 4] == [
        "First paragraph.",
        "Second paragraph,",
        "next line.",
        "Third.",
    ]


def test_signature_block_names_the_signer_role_and_delegation() -> None:
    lines = pdf_text(make_letter(BASE)).splitlines()
    start = lines.index("Yours sincerely")
    assert lines[start + 1 : start + 4] == [
        "Dr Amelia Hart",
        "Headteacher",
        "For and on behalf of the CEO",
    ]


def test_circulation_list_follows_the_signature() -> None:
    lines = pdf_text(make_letter(BASE)).splitlines()
    heading = lines.index("Internal circulation")
    assert heading > lines.index("For and on behalf of the CEO")
    assert lines[heading + 1 : heading + 3] == [
        "cc: Mr Tom Reyes, Chief Executive Officer",
        "cc: Ms Ruth Kelly, Chair of Governors",
    ]


def test_no_circulation_heading_without_a_cc_list() -> None:
    text = pdf_text(make_letter(_letter(cc=[], subject=None)))
    assert "Internal circulation" not in text
    assert "cc:" not in text


def _image_count(data: bytes) -> int:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return sum(
            len(list(pdf[i].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE])))
            for i in range(len(pdf))
        )
    finally:
        pdf.close()


def test_logo_and_stored_signature_are_printed() -> None:
    assert _image_count(make_letter(BASE)) == 0
    head = dataclasses.replace(BASE.letterhead, logo=_png(400, 200))
    signer = dataclasses.replace(BASE.signatory, signature=_png(500, 150))
    assert _image_count(make_letter(_letter(letterhead=head, signatory=signer))) == 2


@pytest.mark.parametrize("field", ["logo", "signature"])
def test_an_image_that_is_not_one_is_refused(field: str) -> None:
    if field == "logo":
        letter = _letter(letterhead=dataclasses.replace(BASE.letterhead, logo=b"not a png"))
    else:
        letter = _letter(signatory=dataclasses.replace(BASE.signatory, signature=b"\x89PNG"))
    with pytest.raises(ValidationError) as caught:
        make_letter(letter)
    assert caught.value.field == field


@pytest.mark.parametrize("large_print", [False, True])
def test_address_sits_inside_the_envelope_window(large_print: bool) -> None:
    data = make_letter(_letter(large_print=large_print))
    _assert_in_window(data, ["Private and Confidential", "Mrs Zoë Ní Bhriain", *ADDRESS])
    first = _boxes_mm(data, "Private and Confidential")[0]
    assert first[0] == pytest.approx(ENVELOPE_WINDOW.left + ADDRESS_INSET, abs=1)
    assert first[1] == pytest.approx(ENVELOPE_WINDOW.top + ADDRESS_INSET, abs=2)


@pytest.mark.parametrize("large_print", [False, True])
def test_a_long_address_is_set_smaller_to_stay_in_the_window(large_print: bool) -> None:
    address = [
        "The Old Schoolhouse Cottage, Flat 12a",
        "Upper Long Meadow Lane",
        "Little Wittering on the Marsh",
        "Near Riverton",
        "Westshire",
        "RV12 9ZZ",
    ]
    name = "Mr Bartholomew Featherstonehaugh-Wójcik"
    data = make_letter(_letter(recipient=Recipient(name, address), large_print=large_print))
    _assert_in_window(data, ["Private and Confidential", name, *address])


@pytest.mark.parametrize("large_print", [False, True])
def test_an_address_of_twelve_lines_still_shows_whole_in_the_window(large_print: bool) -> None:
    address = [f"Line {number} of a long address, Somewhere Lane" for number in range(1, 13)]
    data = make_letter(
        _letter(recipient=Recipient("Mr Twelve Lines", address), large_print=large_print)
    )
    _assert_in_window(data, ["Private and Confidential", "Mr Twelve Lines", *address])


def test_large_print_body_is_at_least_16_point() -> None:
    assert type_sizes(large_print=True).body >= 16
    assert type_sizes(large_print=False).body < 16
    data = make_letter(_letter(large_print=True))
    assert min(_font_sizes(data, "Thank you for meeting us last week.")) >= 16
    assert min(_font_sizes(data, "Dr Amelia Hart", page=pdf_page_count(data) - 1)) >= 16
    standard = make_letter(BASE)
    assert _font_sizes(standard, "Thank you for meeting us last week.") == {11.0}


def test_large_print_sets_the_address_larger_than_standard() -> None:
    standard = _font_sizes(make_letter(BASE), "Mrs Zoë Ní Bhriain")
    large = _font_sizes(make_letter(_letter(large_print=True)), "Mrs Zoë Ní Bhriain")
    assert min(large) > max(standard)


def _two_page_letter(**changes: Any) -> bytes:
    data = make_letter(_letter(body=[PARAGRAPH] * 9, **changes))
    assert pdf_page_count(data) == 2
    return data


def test_every_page_says_page_x_of_y() -> None:
    pages = _pages(_two_page_letter())
    assert "Page 1 of 2" in pages[0]
    assert "Page 2 of 2" in pages[1]
    for count, letter in [(1, BASE), (4, _letter(body=[PARAGRAPH] * 30))]:
        pages = _pages(make_letter(letter))
        assert len(pages) == count
        for number, text in enumerate(pages, start=1):
            assert f"Page {number} of {count}" in text


def test_letters_made_one_after_another_each_count_their_own_pages() -> None:
    letters = [(2, _letter(body=[PARAGRAPH] * 9)), (1, BASE), (4, _letter(body=[PARAGRAPH] * 30))]
    for count, letter in [*letters, letters[0], letters[1]]:
        pages = _pages(make_letter(letter))
        assert len(pages) == count
        for number, text in enumerate(pages, start=1):
            assert f"Page {number} of {count}" in text


def test_a_letter_after_others_is_the_one_a_fresh_process_makes() -> None:
    # The fonts' subsets are kept from letter to letter: each must keep its own glyphs.
    for name in ["Ахмед Иванов", "Γιώργος Παπαδόπουλος", "Zoë Ní Bhriain", "Mr Tom Brown"]:
        make_letter(_letter(recipient=Recipient(name, ADDRESS), salutation=f"Dear {name}"))
    letter = _letter(
        recipient=Recipient("Łukasz Wójcik", ["Ulica Żółta 5", "Ахмед Street"]),
        signatory=Signatory("Γιώργος Ahmed", "Headteacher"),
    )
    code = (
        "import pickle, sys\n"
        "from reports.letters import make_letter\n"
        "sys.stdout.buffer.write(make_letter(pickle.load(sys.stdin.buffer)))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        input=pickle.dumps(letter),
        capture_output=True,
        check=True,
    ).stdout
    assert make_letter(letter) == fresh
    assert "Ulica Żółta 5" in pdf_text(fresh)


def test_address_only_on_the_first_page_and_signature_on_the_last() -> None:
    first, last = _pages(_two_page_letter())
    for line in ["Private and Confidential", "14 Łukasz Wójcik Court", "Ахмед Street"]:
        assert line in first
        assert line not in last
    assert "Our ref: RIV-2026-0042" in last  # the continuation header
    for line in ["Yours sincerely", "Dr Amelia Hart", "Internal circulation", "cc: Mr Tom"]:
        assert line in last
        assert line not in first


@pytest.mark.parametrize("large_print", [False, True])
def test_signature_keeps_the_last_paragraph_and_a_short_cc_list_with_it(
    large_print: bool,
) -> None:
    for body in ([PARAGRAPH] * count for count in range(1, 12)):
        pages = _pages(make_letter(_letter(body=body, large_print=large_print)))
        signed = next(page for page in pages if "Yours sincerely" in page)
        assert "Internal circulation" in signed
        before = signed[: signed.index("Yours sincerely")]
        assert "This paragraph is long enough" in before


def test_large_print_flows_onto_more_pages() -> None:
    letter = _letter(body=[PARAGRAPH] * 9)
    assert pdf_page_count(make_letter(_letter(body=letter.body, large_print=True))) > 2


def test_metadata_names_no_recipient() -> None:
    pdf = pypdfium2.PdfDocument(make_letter(BASE))
    try:
        metadata = pdf.get_metadata_dict()
    finally:
        pdf.close()
    assert metadata["Creator"] == "Casebook"
    assert not any("Bhriain" in value or "Łukasz" in value for value in metadata.values())


def test_fonts_ship_with_their_licence_and_are_embedded() -> None:
    assert fonts_dir() == RESOURCES_DIR / "fonts"
    for file_name in FONT_FILES.values():
        assert (fonts_dir() / file_name).is_file()
    licence = (fonts_dir() / "LICENSE-DejaVu.txt").read_text("utf-8")
    assert "Bitstream Vera" in licence and "DejaVu changes are in public domain" in licence
    assert b"+DejaVuSans" in make_letter(BASE)  # an embedded subset, not a system font


def _letters_and_marks(low: int, high: int) -> st.SearchStrategy[str]:
    return st.characters(
        categories=("Lu", "Ll", "Lt", "Lo", "Mn", "Nd", "Pd", "Po", "Ps", "Pe", "Zs"),
        min_codepoint=low,
        max_codepoint=high,
    )


# Basic Latin to Latin Extended-B, then Greek and Cyrillic.
_NAME_TEXT = st.text(
    st.one_of(_letters_and_marks(0x20, 0x24F), _letters_and_marks(0x370, 0x4FF)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=30, deadline=None)
@given(name=_NAME_TEXT, street=_NAME_TEXT)
def test_any_latin_greek_or_cyrillic_name_prints(name: str, street: str) -> None:
    letter = _letter(
        recipient=Recipient(name, [street, "RV1 2AB"]),
        salutation=f"Dear {name}",
        signatory=Signatory(name, "Headteacher"),
        cc=[name],
        large_print=len(name) % 2 == 0,
    )
    data = make_letter(letter)
    assert data.startswith(b"%PDF")
    assert unprintable_characters(letter) == ""
    assert "".join(name.split()) in "".join(pdf_text(data).split())
