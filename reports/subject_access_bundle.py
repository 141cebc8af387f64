"""The readable part of a subject access bundle: `make_bundle(report)` returns PDF bytes.

Takes plain data, already redacted (built by `desktop.services.subject_access`). A cover
says whose records these are, when the request came and by when it is answered, what the
bundle holds and how redaction was done; then each section's records, field by field;
then the list of files in the bundle and of any left out, with why. With no records held,
it says so plainly: the request is still answered. "Page x of y" on every page.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm as MM
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from desktop.dates import format_date, format_datetime
from reports.chronology import _chunks, _line, _styles
from reports.letter_layout import _register_fonts
from reports.letters import FONT
from reports.page_style import GREY, PAGE_WIDTH, RULE, SHADE
from reports.reportlab_extras import FooterCanvas

SIDE = 18 * MM
TEXT_WIDTH = PAGE_WIDTH - 2 * SIDE
NOTHING_HELD = "The trust holds no records about this person in Casebook."


class FieldLike(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def text(self) -> str: ...


class RecordLike(Protocol):
    @property
    def section(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def fields(self) -> Sequence[FieldLike]: ...


@dataclass(frozen=True)
class BundleReport:
    reference: str
    requester: str
    person: str
    received_on: dt.date
    deadline: dt.date
    prepared_by: str
    prepared_at: dt.datetime
    records: Sequence[RecordLike]
    files: Sequence[tuple[str, str, str]] = ()  # (name in the bundle, record, note)
    withheld: Sequence[tuple[str, str]] = ()  # (record, why)
    passages_redacted: int = 0


def make_bundle(report: BundleReport) -> bytes:
    """Lay the bundle out on A4 and return the PDF bytes."""
    _register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=SIDE,
        rightMargin=SIDE,
        topMargin=20 * MM,
        bottomMargin=20 * MM,
        title=f"Subject access {report.reference}",
        author="Casebook",
        creator="Casebook",
        invariant=True,
    )
    footer = functools.partial(_footer, report=report)
    doc.build(_story(report), canvasmaker=functools.partial(FooterCanvas, footer=footer))
    return buffer.getvalue()


def _footer(canvas: Canvas, total: int, *, report: BundleReport) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    canvas.setStrokeColor(RULE)
    canvas.line(SIDE, 14 * MM, PAGE_WIDTH - SIDE, 14 * MM)
    canvas.drawString(SIDE, 10 * MM, f"Subject access {report.reference} \u00b7 Confidential")
    canvas.drawRightString(PAGE_WIDTH - SIDE, 10 * MM, f"Page {canvas.getPageNumber()} of {total}")
    canvas.restoreState()


def _story(report: BundleReport) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = [Paragraph("Records held about you", styles["title"])]
    facts = [
        ("Request", report.reference),
        ("Requested by", report.requester),
        ("Records about", report.person),
        ("Received", format_date(report.received_on)),
        ("To be answered by", format_date(report.deadline)),
        ("Prepared by", f"{report.prepared_by}, {format_datetime(report.prepared_at)}"),
    ]
    for label, value in facts:
        story.append(Paragraph(f"<b>{escape(label)}:</b> {_line(value)}", styles["meta"]))
    story.append(Spacer(1, 3 * MM))
    if not report.records:
        story.append(Paragraph(NOTHING_HELD, styles["h2"]))
        story.append(
            Paragraph(
                "We searched every case, incident, chronology entry, letter, evidence file "
                "and note kept in Casebook and found nothing about you.",
                styles["body"],
            )
        )
        return story
    redacted = (
        f"{report.passages_redacted} passages naming other people (staff, other parents, "
        "pupils) were replaced by [redacted], as the law on subject access allows."
        if report.passages_redacted
        else "Nothing in it was hidden."
    )
    story.append(
        Paragraph(
            f"This bundle holds {len(report.records)} records and {len(report.files)} files. "
            f"{redacted}",
            styles["body"],
        )
    )
    section = ""
    for record in report.records:
        if record.section != section:
            section = record.section
            story.append(Paragraph(escape(section), styles["h2"]))
        story += _record_block(record, styles)
    story.append(Paragraph("Files in this bundle", styles["h2"]))
    if report.files:
        rows = [[name, record, note] for name, record, note in report.files]
        story.append(_table(["File", "Record", "Note"], rows, [45 * MM, 35 * MM, 94 * MM], styles))
    else:
        story.append(Paragraph("There are no files.", styles["body"]))
    if report.withheld:
        story.append(Paragraph("Files left out", styles["h2"]))
        rows = [[record, why] for record, why in report.withheld]
        story.append(_table(["Record", "Why"], rows, [45 * MM, 129 * MM], styles))
    return story


def _record_block(record: RecordLike, styles: dict[str, Any]) -> list[Flowable]:
    rows: list[list[Any]] = []
    for one in record.fields:
        pieces = _chunks(one.text) or [""]
        rows.append([Paragraph(escape(one.label), styles["small"]), _para(pieces[0], styles)])
        rows += [["", _para(piece, styles)] for piece in pieces[1:]]
    heading = Paragraph(f"<b>{_line(record.title)}</b>", styles["body"])
    if not rows:
        return [heading]
    table = Table(rows, colWidths=[45 * MM, TEXT_WIDTH - 45 * MM])
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
        ]
    )
    if len(rows) <= 12:  # a short record stays on one page
        return [KeepTogether([Spacer(1, 2 * MM), heading, table])]
    return [Spacer(1, 2 * MM), heading, table]  # a long one breaks between its rows


def _para(text: str, styles: dict[str, Any]) -> Paragraph:
    return Paragraph(_line(text), styles["body"])


def _table(
    head: list[str], rows: list[list[str]], widths: list[float], styles: dict[str, Any]
) -> Table:
    data: list[list[Any]] = [[Paragraph(h, styles["head"]) for h in head]]
    data += [[_para(cell, styles) for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ]
    )
    return table
