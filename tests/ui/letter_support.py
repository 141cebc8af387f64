"""Issued letters for the letter viewer and print queue tests, and a print dialog that
prints into a PDF file instead of onto paper."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import select

from desktop.services import incidents, issued_letters
from desktop.services.cases import CaseRow
from desktop.services.sanctions import LetterChoice, take_step
from desktop.services.session import UserSession
from desktop.storage.models import AuditEntry
from desktop.ui import printing
from desktop.ui.printing import render_page_image
from tests.pdfutil import pdf_page_count
from tests.services.sanction_support import case_with_incidents, verbal_warning, written_warning

D = dt.date
COMPARE_DPI = 36
COMPARE_SIZE = (105, 148)  # an A4 page at about 13 dpi


@dataclass(frozen=True)
class CaseLetters:
    case: CaseRow
    warning: int  # the confirmation of a verbal warning
    written: int  # the formal written warning, issued after it


def issue_two_letters(session: UserSession, *, queue: bool = True) -> CaseLetters:
    """A case with a verbal warning's letter, then a formal written warning's letter."""
    case = case_with_incidents(session, 2)
    first = take_step(
        session,
        case_id=case.id,
        draft=verbal_warning(D(2026, 1, 20)),
        letter=LetterChoice(queue=queue),
    )
    incident_ids = [i.id for i in incidents.list_incidents(session, case_id=case.id)]
    second = take_step(
        session,
        case_id=case.id,
        draft=written_warning(D(2026, 1, 22), incident_ids),
        letter=LetterChoice(queue=queue),
    )
    assert first.letter_id is not None and second.letter_id is not None
    return CaseLetters(case, first.letter_id, second.letter_id)


def issue_large_print_letter(session: UserSession, *, queue: bool = True) -> int:
    """A verbal warning's letter in large print, on a case of its own."""
    case = case_with_incidents(session, 1)
    done = take_step(
        session,
        case_id=case.id,
        draft=verbal_warning(D(2026, 2, 3)),
        letter=LetterChoice(large_print=True, queue=queue),
    )
    assert done.letter_id is not None
    return done.letter_id


def audit_actions(session: UserSession) -> list[str]:
    with session.transaction() as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def letter_pdf(session: UserSession, letter_id: int) -> bytes:
    return issued_letters.open_letter(session, letter_id=letter_id).pdf


# -- the print dialog ---------------------------------------------------------------------
@dataclass
class FakePrintDialog:
    """Stands in for `printing.ask_printer`: each answer True prints into a new PDF file
    (in `files`), False is Cancel. `titles` holds each dialog's title."""

    folder: Path
    answers: list[bool] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def __call__(self, parent, printer: QPrinter, title: str) -> bool:  # noqa: ANN001
        self.titles.append(title)
        if not (self.answers.pop(0) if self.answers else False):
            return False
        target = self.folder / f"printed-{len(self.files) + 1}.pdf"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        self.files.append(target)
        return True


@pytest.fixture
def print_dialog(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakePrintDialog:
    fake = FakePrintDialog(tmp_path)
    monkeypatch.setattr(printing, "ask_printer", fake)
    return fake


# -- comparing a printout with the letters ------------------------------------------------
def _grey(pdf: bytes, page: int) -> QImage:
    """The page small and blurred: the lines of text as grey bars, whoever drew them."""
    image = render_page_image(pdf, page, COMPARE_DPI).scaled(
        COMPARE_SIZE[0],
        COMPARE_SIZE[1],
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return image.convertToFormat(QImage.Format.Format_Grayscale8)


def difference(printed: bytes, printed_page: int, letter: bytes, letter_page: int) -> float:
    """How far apart two pages look, from 0 (the same) to 255, averaged over the page."""
    mine, theirs = _grey(printed, printed_page), _grey(letter, letter_page)
    total = sum(
        abs(mine.pixelColor(x, y).value() - theirs.pixelColor(x, y).value())
        for y in range(COMPARE_SIZE[1])
        for x in range(COMPARE_SIZE[0])
    )
    return total / (COMPARE_SIZE[0] * COMPARE_SIZE[1])


def printout_pages(printed: bytes, letters: list[bytes]) -> list[int]:
    """For each page of the printout, which of `letters` it shows (the closest one)."""
    pages = [
        (index, page) for index, pdf in enumerate(letters) for page in range(pdf_page_count(pdf))
    ]
    shown = []
    for page in range(pdf_page_count(printed)):
        scores = {(i, p): difference(printed, page, letters[i], p) for i, p in pages}
        best = min(scores, key=scores.__getitem__)
        assert scores[best] < 4, f"page {page + 1} of the printout looks like no letter"
        shown.append(best[0])
    return shown
