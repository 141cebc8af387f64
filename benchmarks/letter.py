"""The letter figure: one A4 letter from `reports.letters.make_letter`, against the least
ReportLab can do with the same words (a SimpleDocTemplate of Normal paragraphs, built-in
Helvetica), in the same process, interleaved.

The letter: letterhead, window-envelope address, reference and date, a subject, six
paragraphs, the signature block (no image) and two names on the circulation list: one
page. The first letter of a process also imports ReportLab and loads the fonts; that is
reported apart, and the figure is the median of the letters after it.

Those letters reuse the font subsets embedded in the first (ASCII and a middle dot, the
glyphs most letters need), as any letter in English does. `new_glyphs_ms` is reported
apart too: the median of letters to someone whose name has a letter no earlier letter
used, so the subset of DejaVu Sans is cut and compressed afresh.

benchmarks/run.py runs it as `python benchmarks/letter.py` in a fresh process (so the
first letter is a fresh process's), which prints one JSON object.
"""

from __future__ import annotations

import datetime
import io
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports.letters import (  # noqa: E402
    Letter,
    Letterhead,
    Recipient,
    Signatory,
    long_date,
    make_letter,
)

REPEATS = 21
PARAGRAPHS = (
    "Thank you for meeting Mrs Okafor and me at the school on Tuesday.",
    "On Monday, at the end of the school day, you shouted at a member of staff at the school "
    "gate, in front of pupils and other parents.",
    "The trust expects every parent, carer and visitor to treat staff, pupils and one another "
    "with courtesy, as our Parent Code of Conduct sets out.",
    "This letter is a formal written warning. If anything like this happens again, the trust "
    "may bar you from the school's premises.",
    "If you have a concern about your child, please telephone the school office and it will "
    "be answered within three school days.",
    "You may ask the Chair of Governors to review this decision within ten school days.",
)
LETTER = Letter(
    letterhead=Letterhead(
        trust_name="Riverside Learning Trust",
        trust_address=["Trust Office, 2 Mill Lane", "Riverside", "RS1 2AA"],
        school_name="Riverside Primary School",
        school_address=["Church Road", "Riverside", "RS1 4BT"],
        school_contact=["Telephone 01632 960000", "office@riverside.example.org"],
        company_details="Riverside Learning Trust, a company limited by guarantee, number 01234567.",
    ),
    recipient=Recipient("Mr Daniel Smith", ["14 Station Road", "Riverside", "RS1 3QT"]),
    reference="CB-2026-0042",
    date=datetime.date(2026, 11, 6),
    salutation="Dear Mr Smith",
    subject="Formal written warning",
    body=list(PARAGRAPHS),
    signatory=Signatory("Helen Marsh", "Headteacher"),
    cc=["Andrew Collins, Chief Executive Officer", "Rachel Doyle, Data Protection Officer"],
)


@dataclass(frozen=True)
class LetterResult:
    first_ms: float  # the process's first letter: imports and fonts included
    ms: float
    baseline_ms: float
    pages: int
    new_glyphs_ms: float = 0.0  # a name with a letter not printed before in the process

    @property
    def ratio(self) -> float:
        return self.ms / self.baseline_ms


def minimal_pdf(letter: Letter) -> bytes:
    """The same words, one Normal paragraph each, in a plain ReportLab document."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    normal = getSampleStyleSheet()["Normal"]
    words = [t for t in letter.texts() if t] + [long_date(letter.date)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(escape(t), normal) for t in words])
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def _ms(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _new_glyphs_ms() -> float:
    """The median letter to someone whose name holds a letter (Cyrillic А, Б, ...) that no
    letter before it printed."""
    times: list[float] = []
    for number in range(REPEATS):
        name = f"Mr {chr(0x410 + number)}. Smith"
        recipient = replace(LETTER.recipient, name=name)
        letter = replace(LETTER, recipient=recipient, salutation=f"Dear {name}")
        times.append(_ms(lambda letter=letter: make_letter(letter)))
    return statistics.median(times)


def measure() -> LetterResult:
    first = _ms(lambda: make_letter(LETTER))
    minimal_pdf(LETTER)  # ReportLab is loaded by now; warm the baseline's own styles too
    letter_ms: list[float] = []
    baseline_ms: list[float] = []
    for number in range(REPEATS):
        pair = [
            (letter_ms, lambda: make_letter(LETTER)),
            (baseline_ms, lambda: minimal_pdf(LETTER)),
        ]
        for times, action in pair if number % 2 else reversed(pair):
            times.append(_ms(action))
    return LetterResult(
        first,
        statistics.median(letter_ms),
        statistics.median(baseline_ms),
        page_count(make_letter(LETTER)),
        _new_glyphs_ms(),
    )


if __name__ == "__main__":
    print(json.dumps(asdict(measure())))
