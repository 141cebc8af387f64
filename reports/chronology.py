"""A case's chronology as a PDF for the trust's legal team: `make_chronology(report)`.

Takes plain data (built by `desktop.services.chronology.chronology_pdf`) and returns PDF
bytes; nothing is written to disk. A header gives the reference and the subject; then one
row per entry in date order, marked where an entry was edited; then every earlier version
of the edited entries with the reason it was replaced, so nothing a court may ask about is
hidden; then the index of evidence exhibits with their SHA-256 fingerprints. Every page
says "Page x of y". Text prints literally in DejaVu Sans, embedded (the letters' font).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm as MM
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop.dates import format_datetime
from reports.letter_layout import _register_fonts  # the one registration of DejaVu Sans
from reports.letters import FONT, FONT_BOLD
from reports.page_style import BOTTOM, GREY, INK, PAGE_HEIGHT, PAGE_WIDTH, RULE, SHADE, TOP

SIDE = 15 * MM
TEXT_WIDTH = PAGE_WIDTH - 2 * SIDE
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class ReportEntry:
    """One entry in force, numbered in chronology order; `versions` > 1 when edited."""

    number: int
    occurred_at: dt.datetime
    kind: str
    summary: str
    detail: str
    recorded_by: str
    recorded_at: dt.datetime
    versions: int
    edited_by: str = ""  # who saved the version in force, and when (for an edited entry)
    edited_at: dt.datetime | None = None


@dataclass(frozen=True)
class ReportVersion:
    """An earlier version of entry `entry_number`, and why the next version replaced it."""

    entry_number: int
    version: int
    occurred_at: dt.datetime
    summary: str
    detail: str
    recorded_by: str
    recorded_at: dt.datetime
    replaced_because: str


@dataclass(frozen=True)
class ReportExhibit:
    number: int
    filename: str
    sha256: str
    added_by: str
    added_at: dt.datetime


@dataclass(frozen=True)
class ChronologyReport:
    reference: str
    subject: str
    schools: tuple[str, ...]
    prepared_by: str
    prepared_at: dt.datetime
    entries: tuple[ReportEntry, ...]
    earlier_versions: tuple[ReportVersion, ...] = ()
    exhibits: tuple[ReportExhibit, ...] = ()


def exhibit_label(number: int) -> str:
    """How an exhibit is named in the index and in the chronology: `E1`, `E2`..."""
    return f"E{number}"


def make_chronology(report: ChronologyReport) -> bytes:
    """Lay the chronology out on A4 and return the PDF bytes."""
    _register_fonts()
    data, pages = _render(report, None)
    data, again = _render(report, pages)
    if again != pages:  # "Page x of y" is wider than "Page x": lay out once more
        data, _ = _render(report, again)
    return data


# -- text -----------------------------------------------------------------------------------
def _line(value: str) -> str:
    """One line of paragraph markup, printed exactly ("<" and "&" are characters)."""
    return escape(" ".join(_CONTROL.sub(" ", value).split()))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=11, textColor=INK)
    return {
        "body": base,
        "bold": ParagraphStyle("bold", parent=base, fontName=FONT_BOLD),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, textColor=GREY),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=8),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9.5, leading=13),
        "hash": ParagraphStyle("hash", parent=base, fontSize=7.5, leading=9.5),
    }


# -- the story ------------------------------------------------------------------------------
def _story(report: ChronologyReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("Chronology", styles["title"])]
    facts = [
        ("Case reference", report.reference),
        ("Subject", report.subject),
        ("Schools", ", ".join(report.schools) or "None recorded"),
        ("Prepared by", f"{report.prepared_by}, {format_datetime(report.prepared_at)}"),
        (
            "Contents",
            f"{_count(len(report.entries), 'entry', 'entries')}, "
            f"{_count(len(report.exhibits), 'evidence exhibit', 'evidence exhibits')}",
        ),
    ]
    for label, value in facts:
        story.append(Paragraph(f"<b>{escape(label)}:</b> {_line(value)}", styles["meta"]))
    story.append(
        Paragraph(
            "Entries are in the order things happened. An entry marked “edited” was corrected "
            "after it was first written; every earlier version, with who changed it, when and "
            "why, is listed under “Earlier versions”. Times are UK time.",
            styles["small"],
        )
    )
    story.append(Spacer(1, 4 * MM))
    story.append(_entries_table(report.entries, styles))
    if report.earlier_versions:
        story.append(Paragraph("Earlier versions of edited entries", styles["h2"]))
        story.append(_versions_table(report.earlier_versions, styles))
    story.append(Paragraph("Index of evidence exhibits", styles["h2"]))
    if report.exhibits:
        story.append(_exhibits_table(report.exhibits, styles))
    else:
        story.append(Paragraph("No evidence files are held on this case.", styles["body"]))
    return story


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _table(rows: list[list[Any]], widths: Sequence[float], ends: Sequence[int]) -> Table:
    """A table whose header repeats on each page; a rule under each row listed in `ends`
    (the last row of an entry: a long entry runs over several rows, so pages can break
    between its paragraphs, quickly and without splitting a row)."""
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, 0), 3),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
    ]
    starts = [1, *(end + 1 for end in ends[:-1])]
    for first, last in zip(starts, ends, strict=True):
        style.append(("TOPPADDING", (0, first), (-1, first), 3))
        style.append(("BOTTOMPADDING", (0, last), (-1, last), 3))
        style.append(("LINEBELOW", (0, last), (-1, last), 0.4, RULE))
    table = Table(rows, colWidths=list(widths), repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


CHUNK = 800  # characters per paragraph of a long entry: one table row each


def _chunks(text: str) -> list[str]:
    """Text cut into paragraphs of at most about CHUNK characters, at its own line breaks
    and, within a very long line, after a sentence or at a space."""
    found: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        while len(line) > CHUNK:
            cut = line.rfind(". ", CHUNK // 2, CHUNK) + 1 or line.rfind(" ", CHUNK // 2, CHUNK)
            cut = cut if cut > 0 else CHUNK
            found.append(line[:cut])
            line = line[cut:].lstrip()
        if line.strip():
            found.append(line)
    return found


def _entry_rows(
    lead: list[Any],
    summary: str,
    detail: str,
    note: str,
    tail: list[Any],
    styles: dict[str, ParagraphStyle],
) -> list[list[Any]]:
    """The rows of one entry: the first holds the facts, the summary and the start of the
    detail; the rest hold the rest of a long detail, and the note comes last."""
    words = [f"<b>{_line(summary)}</b>"]
    pieces = _chunks(detail)
    words.extend(_line(piece) for piece in pieces[:1])
    if note and len(pieces) <= 1:
        words.append(f"<i>{escape(note)}</i>")
    rows = [[*lead, Paragraph("<br/>".join(words), styles["body"]), *tail]]
    blank = ["" for _ in lead]
    for number, piece in enumerate(pieces[1:], start=2):
        text = _line(piece)
        if note and number == len(pieces):
            text += f"<br/><i>{escape(note)}</i>"
        rows.append([*blank, Paragraph(text, styles["body"]), *["" for _ in tail]])
    return rows


def _entries_table(entries: Sequence[ReportEntry], styles: dict[str, ParagraphStyle]) -> Flowable:
    if not entries:
        return Paragraph("Nothing has been recorded on this case yet.", styles["body"])
    head = ["No.", "Date", "Kind", "What happened", "Recorded by"]
    rows: list[list[Any]] = [[Paragraph(h, styles["head"]) for h in head]]
    ends: list[int] = []
    for entry in entries:
        note = ""
        if entry.versions > 1:
            by = f" by {entry.edited_by}" if entry.edited_by else ""
            when = f" on {format_datetime(entry.edited_at)}" if entry.edited_at else ""
            note = (
                f"Edited: {entry.versions} versions, last changed{by}{when} "
                "(earlier versions listed below)"
            )
        rows += _entry_rows(
            [
                Paragraph(str(entry.number), styles["body"]),
                Paragraph(format_datetime(entry.occurred_at), styles["body"]),
                Paragraph(_line(entry.kind), styles["body"]),
            ],
            entry.summary,
            entry.detail,
            note,
            [_recorded(entry.recorded_by, entry.recorded_at, styles)],
            styles,
        )
        ends.append(len(rows) - 1)
    return _table(rows, [9 * MM, 21 * MM, 27 * MM, 92 * MM, 31 * MM], ends)


def _recorded(by: str, at: dt.datetime, styles: dict[str, ParagraphStyle]) -> Paragraph:
    return Paragraph(f"{_line(by)}<br/>{format_datetime(at)}", styles["small"])


def _versions_table(
    versions: Sequence[ReportVersion], styles: dict[str, ParagraphStyle]
) -> Flowable:
    head = ["Entry", "Version", "Date", "As it read", "Recorded by"]
    rows: list[list[Any]] = [[Paragraph(h, styles["head"]) for h in head]]
    ends: list[int] = []
    for version in versions:
        rows += _entry_rows(
            [
                Paragraph(str(version.entry_number), styles["body"]),
                Paragraph(str(version.version), styles["body"]),
                Paragraph(format_datetime(version.occurred_at), styles["body"]),
            ],
            version.summary,
            version.detail,
            f"Replaced because: {version.replaced_because}",
            [_recorded(version.recorded_by, version.recorded_at, styles)],
            styles,
        )
        ends.append(len(rows) - 1)
    return _table(rows, [12 * MM, 16 * MM, 21 * MM, 100 * MM, 31 * MM], ends)


def _fingerprint(sha256: str) -> str:
    """A SHA-256 in two lines of 32 hex digits, easy to read out and compare."""
    text = escape(sha256.strip())
    return f"{text[:32]}<br/>{text[32:]}" if len(text) > 32 else text


def _exhibits_table(
    exhibits: Sequence[ReportExhibit], styles: dict[str, ParagraphStyle]
) -> Flowable:
    head = ["Exhibit", "File", "SHA-256 fingerprint", "Added by"]
    rows: list[list[Any]] = [[Paragraph(h, styles["head"]) for h in head]]
    for exhibit in exhibits:
        rows.append(
            [
                Paragraph(exhibit_label(exhibit.number), styles["body"]),
                Paragraph(_line(exhibit.filename), styles["body"]),
                Paragraph(_fingerprint(exhibit.sha256), styles["hash"]),
                _recorded(exhibit.added_by, exhibit.added_at, styles),
            ]
        )
    return _table(rows, [16 * MM, 62 * MM, 71 * MM, 31 * MM], range(1, len(rows)))


# -- pages ----------------------------------------------------------------------------------
def _shorten(text: str, width: float, size: float) -> str:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "\u2026", FONT, size) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _draw_page(canvas: Canvas, report: ChronologyReport, total: int | None) -> None:
    """The running head (reference, subject) and foot (confidential, page x of y)."""
    number = canvas.getPageNumber()
    canvas.saveState()
    canvas.setFillColor(GREY)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    head_y = PAGE_HEIGHT - 12 * MM
    canvas.setFont(FONT, 8)
    head = f"{report.reference} · {' '.join(report.subject.split())} · Chronology"
    canvas.drawString(SIDE, head_y, _shorten(head, TEXT_WIDTH * 0.75, 8))
    canvas.drawRightString(PAGE_WIDTH - SIDE, head_y, "Confidential")
    canvas.line(SIDE, head_y - 2 * MM, PAGE_WIDTH - SIDE, head_y - 2 * MM)
    foot_y = 10 * MM
    canvas.line(SIDE, foot_y + 4 * MM, PAGE_WIDTH - SIDE, foot_y + 4 * MM)
    canvas.drawString(SIDE, foot_y, f"Prepared {format_datetime(report.prepared_at)}")
    label = f"Page {number} of {total}" if total else f"Page {number}"
    canvas.drawRightString(PAGE_WIDTH - SIDE, foot_y, label)
    canvas.restoreState()


def _render(report: ChronologyReport, total: int | None) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=SIDE,
        rightMargin=SIDE,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=f"Chronology {report.reference}",
        subject=report.reference,
        author=report.prepared_by,
        creator="Casebook",
        invariant=True,
    )
    frame = Frame(
        SIDE,
        BOTTOM,
        TEXT_WIDTH,
        PAGE_HEIGHT - TOP - BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def on_page(canvas: Canvas, _doc: Any) -> None:
        _draw_page(canvas, report, total)

    doc.addPageTemplates([PageTemplate("page", [frame], onPage=on_page)])
    doc.build(_story(report, _styles()))
    return buffer.getvalue(), doc.page
