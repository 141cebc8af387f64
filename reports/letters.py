"""Letters to the people in a case: plain data in, a printable A4 letter out as PDF bytes.

A letter is laid out the way a UK school trust writes: the trust's letterhead, the
recipient's name and address placed to show through the window of a left-window DL or C5
envelope, the school's address with the case reference and the date beside it, the body,
the signature block and the internal circulation list, and "Page x of y" on every page.
The large-print version sets the body at 16 pt (letters must be available in other
formats on request, large print at least).

This module holds what a caller needs: the plain data, the measurements a test or a
preview may check, and `make_letter()`. The ReportLab layout is in
`reports.letter_layout`, imported only when the first letter is made, so importing this
module stays cheap for the windows and commands that never print.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop.paths import RESOURCES_DIR

PRIVATE = "Private and Confidential"
CIRCULATION = "Internal circulation"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
"""The fonts every letter is set in, by ReportLab name: their files in `fonts_dir()`."""


@dataclass(frozen=True)
class Box:
    """A rectangle on the page in millimetres, measured from the page's top-left corner."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


ENVELOPE_WINDOW = Box(left=20, top=45, width=90, height=45)
"""The window of a standard UK left-window DL or C5 envelope on the folded A4 page."""
ADDRESS_INSET = 4.0
"""The address stays this many millimetres inside the window, so a letter that slips a
little in its envelope still shows the whole address."""


@dataclass(frozen=True)
class TypeSizes:
    """Point sizes and line spacing of each part of a letter."""

    body: float
    body_leading: float
    address: float
    address_leading: float
    details: float  # the school's address, the reference and the date; the cc list
    details_leading: float
    trust_name: float
    small: float  # the trust's address, the footer and the continuation header
    small_leading: float


STANDARD_SIZES = TypeSizes(
    body=11,
    body_leading=15,
    address=11,
    address_leading=13.5,
    details=9.5,
    details_leading=12.5,
    trust_name=17,
    small=8,
    small_leading=10,
)
LARGE_PRINT_SIZES = TypeSizes(
    body=16,
    body_leading=21,
    address=14,
    address_leading=16.5,
    details=14,
    details_leading=17.5,
    trust_name=22,
    small=12,
    small_leading=14.5,
)


def type_sizes(large_print: bool) -> TypeSizes:
    """The type sizes of a standard or a large-print letter."""
    return LARGE_PRINT_SIZES if large_print else STANDARD_SIZES


@dataclass(frozen=True)
class Letterhead:
    """Who the letter is from: the trust, and the school that writes on its behalf.

    `logo` is the trust's logo as PNG or JPEG bytes (checked by `desktop.domain.logos`);
    `company_details` is the line a trust, as a company, must show on its letters (its
    registered name, number and office); `school_contact` is telephone and email lines.
    """

    trust_name: str
    trust_address: Sequence[str]
    school_name: str
    school_address: Sequence[str]
    logo: bytes | None = None
    school_contact: Sequence[str] = ()
    company_details: str | None = None


@dataclass(frozen=True)
class Recipient:
    """The person the letter goes to, with the postal address shown in the envelope window."""

    name: str
    address: Sequence[str]


@dataclass(frozen=True)
class Signatory:
    """Who signs: a stored signature image (PNG or JPEG), or None to leave room to sign.

    `on_behalf_of` is printed under the role when someone signs for another, for example
    "For and on behalf of the Chief Executive Officer".
    """

    name: str
    role: str
    signature: bytes | None = None
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class Letter:
    """One letter, every word already chosen: the engine lays it out and adds nothing.

    `body` is plain text, one paragraph per item; an item may hold several paragraphs
    separated by blank lines, and a single newline breaks the line. `cc` names the
    people inside the trust who get a copy.
    """

    letterhead: Letterhead
    recipient: Recipient
    reference: str
    date: datetime.date
    salutation: str
    body: Sequence[str]
    signatory: Signatory
    cc: Sequence[str] = ()
    large_print: bool = False
    subject: str | None = None
    closing: str = "Yours sincerely"

    def texts(self) -> list[str]:
        """Every piece of text the letter prints, apart from the date and fixed labels."""
        head, signer = self.letterhead, self.signatory
        return [
            head.trust_name,
            *head.trust_address,
            head.school_name,
            *head.school_address,
            *head.school_contact,
            head.company_details or "",
            self.recipient.name,
            *self.recipient.address,
            self.reference,
            self.salutation,
            self.subject or "",
            *self.body,
            self.closing,
            signer.name,
            signer.role,
            signer.on_behalf_of or "",
            *self.cc,
        ]


def long_date(value: datetime.date) -> str:
    """A date the way a British letter writes it: `6 November 2026`."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def fonts_dir() -> Path:
    """The shipped fonts folder, found wherever Casebook runs (checkout, wheel or bundle)."""
    return RESOURCES_DIR / "fonts"


def make_letter(letter: Letter) -> bytes:
    """Lay out a letter on A4 and return the PDF bytes; nothing is written to disk.

    Raises ValidationError (field "logo" or "signature") when an image cannot be printed.
    """
    from reports.letter_layout import render_letter  # ReportLab loads only when asked

    return render_letter(letter)


def unprintable_characters(letter: Letter) -> str:
    """The characters of a letter that its font cannot print, each once, in order of use.

    DejaVu Sans covers Latin, Greek and Cyrillic; a name in, say, Chinese would print as
    gaps, so a caller can warn (or offer to correct the name) before the letter goes out.
    """
    from reports.letter_layout import unprintable

    return unprintable(letter)
