"""The deletion certificate as an A4 PDF: `deletion_certificate_pdf(certificate)`.

Says what a retention deletion removed (records by kind, with the period each was kept,
and what they held, counted), under which rule and profile, by whom and when, and that the
file was compacted afterwards. It carries no name, no reference and none of the content,
so it may be filed or shown to anyone. Its number is the audit entry that recorded the
deletion, so it can be checked against the audit trail.
"""

from __future__ import annotations

import functools
import io
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.dates import format_datetime
from desktop.domain.retention import CONTENT_LABELS, DeletionCertificate
from reports.letter_layout import _register_fonts  # the one registration of DejaVu Sans
from reports.letters import FONT, FONT_BOLD
from reports.page_style import GREY as MUTED
from reports.page_style import INK
from reports.reportlab_extras import FooterCanvas

TITLE = "Certificate of deletion"
ACCENT = HexColor("#1f4e79")
GRID = HexColor("#9a9a9a")
NO_NAMES = (
    "This certificate names no person and holds none of the deleted records' content. The "
    "audit trail keeps only that records of these kinds were deleted, by whom, and under "
    "which rule."
)


def _years(days: int) -> str:
    """A period in the words a person uses: "2 years", "18 months", "400 days"."""
    if days and days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    if days and days % 30 == 0:
        return f"{days // 30} months"
    return f"{days} days"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, textColor=INK)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=25, textColor=ACCENT
        ),
        "trust": ParagraphStyle("trust", parent=base, fontSize=12, leading=16, textColor=MUTED),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "cell": base,
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD),
        "number": ParagraphStyle("number", parent=base, alignment=2),
        "note": ParagraphStyle("note", parent=base, fontSize=9, leading=12, textColor=MUTED),
    }


def _table(rows: list[list[Paragraph]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HexColor("#eef2f7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _footer(certificate: DeletionCertificate, canvas: Canvas, total: int) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(20 * mm, 10 * mm, f"{TITLE} {certificate.number}")
    canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {canvas.getPageNumber()} of {total}")
    canvas.restoreState()


def deletion_certificate_pdf(certificate: DeletionCertificate) -> bytes:
    """The certificate as PDF bytes."""
    _register_fonts()
    s = _styles()

    def p(text: str, style: str = "cell") -> Paragraph:
        return Paragraph(escape(text), s[style])

    width = A4[0] - 40 * mm
    story: list[object] = [
        p(TITLE, "title"),
        p(certificate.trust, "trust"),
        Spacer(1, 6 * mm),
        _table(
            [
                [p("Certificate number", "head"), p(str(certificate.number))],
                [p("Deleted on", "head"), p(format_datetime(certificate.deleted_at))],
                [
                    p("Deleted by", "head"),
                    p(
                        f"{certificate.deleted_by}, {certificate.deleted_by_role}"
                        if certificate.deleted_by_role
                        else certificate.deleted_by
                    ),
                ],
                [p("Under the rule", "head"), p(certificate.rule)],
                [p("Policy profile", "head"), p(certificate.profile)],
            ],
            [45 * mm, width - 45 * mm],
        ),
        p("Records deleted", "heading"),
    ]
    records = [[p("Kind of record", "head"), p("Kept for", "head"), p("Number", "head")]]
    records += [
        [p(kind.label), p(f"{_years(days)} after closing"), p(str(number), "number")]
        for kind, number, days in certificate.records
    ]
    records.append([p("Total", "head"), p(""), p(str(certificate.total), "number")])
    story.append(_table(records, [width - 70 * mm, 45 * mm, 25 * mm]))
    if certificate.contents:
        story.append(p("What those records held, also deleted", "heading"))
        held = [[p("Item", "head"), p("Number", "head")]]
        held += [
            [p(CONTENT_LABELS[key]), p(str(number), "number")]
            for key, number in certificate.contents
        ]
        story.append(_table(held, [width - 25 * mm, 25 * mm]))
    story.append(p("How", "heading"))
    how = (
        "The records were removed from the encrypted case store with SQLite's secure delete "
        "on, which overwrites the space they took; the search index was rebuilt without them."
    )
    if certificate.compacted is True:
        how += " The store's file was then compacted, so no copy remains in its free space."
    elif certificate.compacted is False:
        how += (
            " Compacting the file afterwards could not finish at the time; it is completed "
            "the next time records are deleted."
        )
    how += (
        " Backups made before this date still hold the records until they are replaced or "
        "destroyed."
    )
    story += [p(how), Spacer(1, 6 * mm), p(NO_NAMES, "note")]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{TITLE} {certificate.number}",
        author="Casebook",
    )
    doc.build(
        story,  # type: ignore[arg-type]
        canvasmaker=functools.partial(FooterCanvas, footer=functools.partial(_footer, certificate)),
    )
    return out.getvalue()
