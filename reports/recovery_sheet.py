"""The recovery sheet: a one-page printout of a trust's recovery key, to be locked away."""

from __future__ import annotations

import datetime
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop.dates import format_date

TITLE = "Casebook recovery sheet"
FOOTER = "Casebook recovery sheet \u2013 confidential"
RECOVER_COMMAND = "casebook recover --db FILE --user USERNAME"

INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#888888")

MARGIN = 20 * mm
TOP_MARGIN = 17 * mm
FOOTER_BASELINE = 10 * mm
BOTTOM_MARGIN = 20 * mm
FILING_ROW_HEIGHT = 9 * mm
KEY_FONT = "Courier-Bold"
KEY_SIZE = 18.0
KEY_MIN_SIZE = 9.0
KEY_PADDING = 6 * mm

_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14.5, textColor=INK)
_STYLES = {
    "title": ParagraphStyle(
        "title", fontName="Helvetica-Bold", fontSize=20, leading=24, textColor=ACCENT
    ),
    "intro": ParagraphStyle("intro", parent=_BODY, textColor=MUTED, spaceBefore=2),
    "heading": ParagraphStyle(
        "heading",
        fontName="Helvetica-Bold",
        fontSize=12,
        leading=15,
        textColor=ACCENT,
        spaceBefore=7,
        spaceAfter=3,
    ),
    "body": _BODY,
    "bullet": ParagraphStyle("bullet", parent=_BODY, leftIndent=12, bulletIndent=2, spaceAfter=2),
    "label": ParagraphStyle("label", parent=_BODY, fontName="Helvetica-Bold"),
    "key_caption": ParagraphStyle(
        "key_caption", parent=_BODY, fontSize=9, leading=12, textColor=MUTED, alignment=TA_CENTER
    ),
    "command": ParagraphStyle(
        "command",
        parent=_BODY,
        fontName="Courier",
        fontSize=10,
        leading=14,
        leftIndent=24,
        spaceAfter=2,
    ),
}


class _KeyBox(Flowable):
    """The recovery key in large monospaced type inside a ruled box, centred on the line.

    Drawn directly rather than as a paragraph so the key is never broken across lines:
    a key split at a line end is easy to copy wrongly. A key too long for the full size
    is set smaller until it fits.
    """

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.font_size = KEY_SIZE
        self.box_width = 0.0
        self.box_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        text_width = stringWidth(self.key, KEY_FONT, KEY_SIZE)
        room = availWidth - 2 * KEY_PADDING
        self.font_size = KEY_SIZE
        if text_width > room:
            self.font_size = max(KEY_MIN_SIZE, KEY_SIZE * room / text_width)
        text_width = stringWidth(self.key, KEY_FONT, self.font_size)
        self.box_width = min(availWidth, text_width + 2 * KEY_PADDING)
        self.box_height = self.font_size + 2 * KEY_PADDING
        self.width = availWidth
        self.height = self.box_height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        left = (self.width - self.box_width) / 2
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1.5)
        canvas.setFillColor(colors.HexColor("#f4f6f9"))
        canvas.roundRect(left, 0, self.box_width, self.box_height, 3 * mm, stroke=1, fill=1)
        canvas.setFillColor(INK)
        canvas.setFont(KEY_FONT, self.font_size)
        # Place the baseline so the capitals sit in the optical middle of the box.
        baseline = (self.box_height - self.font_size * 0.62) / 2
        canvas.drawCentredString(self.width / 2, baseline, self.key)
        canvas.restoreState()


def _footer(canvas: Canvas, doc: BaseDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8.5)
    canvas.setFillColor(MUTED)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    y = FOOTER_BASELINE
    canvas.line(MARGIN, y + 4 * mm, A4[0] - MARGIN, y + 4 * mm)
    canvas.drawString(MARGIN, y, FOOTER)
    canvas.drawRightString(A4[0] - MARGIN, y, f"Page {doc.page}")
    canvas.restoreState()


def _details_table(rows: list[tuple[str, str]], width: float) -> Table:
    label_width = 38 * mm
    data = [
        [Paragraph(escape(label), _STYLES["label"]), Paragraph(escape(value), _STYLES["body"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _filing_table(width: float) -> Table:
    label_width = 38 * mm
    labels = ["Filed by (name):", "Signature:", "Date:", "Stored at:"]
    data = [[Paragraph(label, _STYLES["label"]), ""] for label in labels]
    table = Table(
        data,
        colWidths=[label_width, width - label_width],
        rowHeights=FILING_ROW_HEIGHT,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (1, 0), (1, -1), 0.75, RULE),
            ]
        )
    )
    return table


def _bullets(items: list[str]) -> list[Paragraph]:
    return [Paragraph(item, _STYLES["bullet"], bulletText="\u2022") for item in items]


def build_recovery_sheet(
    *,
    trust_name: str,
    store_name: str,
    recovery_key: str,
    created_on: datetime.date,
    created_by: str,
) -> bytes:
    """Build the one-page A4 recovery sheet for a trust's case store and return the PDF bytes.

    The sheet prints the recovery key exactly as given, large and boxed, with who made it
    and when, what the key can do, how to keep it and how to use it, and lines for the
    person who files it away. Only the values passed in appear on the sheet; nothing is
    written to disk.
    """
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=TITLE,
        author="Casebook",
        creator="Casebook",
        subject="Recovery key for an encrypted case store",
    )
    # No frame padding, so the text, the tables and the footer share one left and right edge.
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame], onPage=_footer)])
    width = doc.width
    s = _STYLES

    story: list[Flowable] = [
        Paragraph(TITLE, s["title"]),
        Paragraph(
            "Print this page, fill in the lines at the bottom and lock it away. "
            "It is the only way back into the case records if every password is lost.",
            s["intro"],
        ),
        Spacer(1, 4 * mm),
        _details_table(
            [
                ("Trust:", trust_name),
                ("Case store file:", store_name),
                ("Created on:", format_date(created_on)),
                ("Created by:", created_by),
            ],
            width,
        ),
        Spacer(1, 2 * mm),
        KeepTogether(
            [
                Paragraph("Recovery key", s["heading"]),
                _KeyBox(recovery_key),
                Spacer(1, 2 * mm),
                Paragraph("Type it exactly as printed, including the dashes.", s["key_caption"]),
            ]
        ),
        Paragraph("What this key does", s["heading"]),
        Paragraph(
            "This key opens the trust\u2019s case records if every password has been lost "
            "or forgotten. Anyone who holds this key <b>and</b> a copy of the case store "
            "file can read every case, so treat this sheet like the records themselves.",
            s["body"],
        ),
        Paragraph("Keeping it safe", s["heading"]),
        *_bullets(
            [
                "Lock it away somewhere only trusted staff can reach, such as the school safe.",
                "Give it to the trust\u2019s data protection lead, or tell them where it is kept.",
                "Do not photograph it, scan it, email it or keep it beside the computer.",
                "The key is shown only once. Casebook does not keep a copy that anyone can "
                "read, so if this sheet is lost the key cannot be shown again.",
            ]
        ),
        Paragraph("How to use it", s["heading"]),
        *_bullets(
            [
                "On the sign-in window choose <b>\u2018Forgotten password?\u2019</b>, enter "
                "the key and choose a new password.",
                "IT staff can also recover from the command line:",
            ]
        ),
        Paragraph(escape(RECOVER_COMMAND), s["command"]),
        # Kept whole: if a very long name pushes it over, the block moves to a second page.
        KeepTogether([Paragraph("Record of filing", s["heading"]), _filing_table(width)]),
    ]
    doc.build(story)
    return buffer.getvalue()
