"""The ReportLab layout of a letter: `render_letter()` turns a `Letter` into PDF bytes.

Imported only by `reports.letters.make_letter()`, so ReportLab loads the first time a
letter is made. Every part drawn in a fixed place on the first page (the letterhead, the
address in the envelope window, the school's details beside it) is set smaller, step by
step, until it fits its box; the body flows from page to page. Text is printed literally
("<" and "&" are just characters) in DejaVu Sans, embedded, so accented, Greek and
Cyrillic names print as typed.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm as MM
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepInFrame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus.doctemplate import LayoutError

from desktop.errors import ValidationError
from reports.letters import (
    ADDRESS_INSET,
    CIRCULATION,
    ENVELOPE_WINDOW,
    FONT,
    FONT_BOLD,
    FONT_FILES,
    LARGE_PRINT_SIZES,
    PRIVATE,
    STANDARD_SIZES,
    Box,
    Letter,
    Letterhead,
    Recipient,
    TypeSizes,
    fonts_dir,
    long_date,
)
from reports.reportlab_extras import FooterCanvas, keep_font_subsets

PAGE_WIDTH, PAGE_HEIGHT = A4
SIDE_MARGIN = 20 * MM
TEXT_WIDTH = PAGE_WIDTH - 2 * SIDE_MARGIN
LETTERHEAD_TOP = 12 * MM
LETTERHEAD_HEIGHT = 24 * MM
LETTERHEAD_RULE = 40 * MM  # from the top of the page
LOGO_MAX_WIDTH = 55 * MM
SIGNATURE_MAX = (60 * MM, 18 * MM)
WET_SIGNATURE_SPACE = 16 * MM  # left blank when the letter is signed by hand
SHORT_CIRCULATION = 4  # names; a list this short is kept on the signature's page

INK = HexColor("#1a1a1a")
ACCENT = HexColor("#1f4e79")
MUTED = HexColor("#555555")
RULE = HexColor("#9a9a9a")

# Control characters other than newlines would break ReportLab's paragraph parser.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A block drawn in a fixed place is tried at each of these fractions of its full size.
_FIT_SCALES = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7)


@dataclass(frozen=True)
class _PageLayout:
    """Where the parts of a letter go, in millimetres from the top or bottom of the page."""

    sizes: TypeSizes
    details: Box  # the school's address, reference and date, beside the window
    first_body_top: float
    later_body_top: float
    bottom_margin: float


_STANDARD_LAYOUT = _PageLayout(STANDARD_SIZES, Box(120, 49, 70, 46), 102, 22, 24)
_LARGE_PRINT_LAYOUT = _PageLayout(LARGE_PRINT_SIZES, Box(120, 49, 70, 58), 112, 24, 30)


def render_letter(letter: Letter) -> bytes:
    """The letter as PDF bytes, set in one pass: the footers, which never change how the
    body flows, are drawn when the document is saved and the number of pages is known."""
    _register_fonts()
    # Checked before the layout starts: ReportLab rewraps errors raised while it draws.
    for what, image in (
        ("logo", letter.letterhead.logo),
        ("signature", letter.signatory.signature),
    ):
        if image:
            _image_reader(image, what)
    return _render(letter)


def unprintable(letter: Letter) -> str:
    """Each character of the letter that a letter font has no glyph for, once, in order."""
    fonts = _register_fonts()
    covered = set.intersection(*(set(font.face.charToGlyph) for font in fonts))
    found = dict.fromkeys(
        char
        for text in letter.texts()
        for char in text
        if ord(char) not in covered and char.isprintable()
    )
    return "".join(found)


@functools.cache
def _register_fonts() -> tuple[TTFont, ...]:
    """Register DejaVu Sans with ReportLab, once per process."""
    folder = fonts_dir()
    fonts = tuple(TTFont(name, str(folder / file)) for name, file in FONT_FILES.items())
    for font in fonts:
        keep_font_subsets(font.face)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
    return fonts


def _text(value: str) -> str:
    """Plain text made safe for a ReportLab paragraph: printed exactly, on one line."""
    return escape(_CONTROL.sub(" ", value).replace("\n", " ").strip())


def _paragraphs(body: Sequence[str]) -> list[str]:
    """The body's paragraphs as paragraph markup: blank lines part them, newlines break."""
    found = []
    for item in body:
        text = item.replace("\r\n", "\n").replace("\r", "\n")
        for chunk in _BLANK_LINE.split(text):
            lines = [_text(line) for line in chunk.strip().split("\n")]
            if any(lines):
                found.append("<br/>".join(lines))
    return found


def _styles(sizes: TypeSizes) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=sizes.body,
        leading=sizes.body_leading,
        textColor=INK,
        spaceAfter=sizes.body_leading * 0.6,
    )
    address = ParagraphStyle(
        "address", fontName=FONT, fontSize=sizes.address, leading=sizes.address_leading
    )
    details = ParagraphStyle(
        "details",
        fontName=FONT,
        fontSize=sizes.details,
        leading=sizes.details_leading,
        textColor=INK,
    )
    small = ParagraphStyle(
        "small", fontName=FONT, fontSize=sizes.small, leading=sizes.small_leading, textColor=MUTED
    )
    return {
        "body": body,
        "subject": ParagraphStyle("subject", parent=body, fontName=FONT_BOLD),
        "signed": ParagraphStyle("signed", parent=body, spaceAfter=0),
        "signer": ParagraphStyle("signer", parent=body, fontName=FONT_BOLD, spaceAfter=0),
        "address": address,
        "private": ParagraphStyle(
            "private", parent=address, fontName=FONT_BOLD, spaceAfter=sizes.address * 0.4
        ),
        "details": details,
        "details_bold": ParagraphStyle("details_bold", parent=details, fontName=FONT_BOLD),
        "trust_name": ParagraphStyle(
            "trust_name",
            fontName=FONT_BOLD,
            fontSize=sizes.trust_name,
            leading=sizes.trust_name * 1.2,
            textColor=ACCENT,
            spaceAfter=2,
        ),
        "small": small,
    }


def _image_reader(data: bytes, what: str) -> ImageReader:
    try:
        reader = ImageReader(io.BytesIO(data))
        reader.getSize()
    except Exception as exc:  # ReportLab and Pillow raise many kinds for a bad image
        raise ValidationError(f"The {what} is not an image Casebook can print.", what) from exc
    return reader


def _fit(reader: ImageReader, max_width: float, max_height: float) -> tuple[float, float]:
    """The image's printed size: as large as fits the box, its proportions kept."""
    width, height = (max(1, side) for side in reader.getSize())
    scale = min(max_width / width, max_height / height)
    return width * scale, height * scale


def _scaled(style: ParagraphStyle, scale: float) -> ParagraphStyle:
    if scale == 1:
        return style
    return ParagraphStyle(
        f"{style.name}@{scale}",
        parent=style,
        fontSize=style.fontSize * scale,
        leading=style.leading * scale,
        spaceBefore=style.spaceBefore * scale,
        spaceAfter=style.spaceAfter * scale,
    )


_Content = Callable[[float], "list[Flowable]"]


def _place(
    canvas: Canvas, content: _Content, left: float, top: float, box: tuple[float, float]
) -> None:
    """Draw a block with its top-left corner at (left, top), set small enough to fit the box.

    `content(scale)` makes the block's flowables with every size multiplied by `scale`.
    """
    width, height = box
    for scale in _FIT_SCALES:
        fitted = KeepInFrame(width, height, content(scale), mode="error")
        try:
            _, used = fitted.wrapOn(canvas, width, height)
            break
        except LayoutError:
            continue
    else:
        fitted = KeepInFrame(width, height, content(_FIT_SCALES[-1]), mode="shrink")
        _, used = fitted.wrapOn(canvas, width, height)
    fitted.drawOn(canvas, left, top - used)


def _from_top(millimetres: float) -> float:
    return PAGE_HEIGHT - millimetres * MM


def _draw_letterhead(canvas: Canvas, head: Letterhead, styles: dict[str, ParagraphStyle]) -> None:
    top = PAGE_HEIGHT - LETTERHEAD_TOP
    room = TEXT_WIDTH
    if head.logo:
        reader = _image_reader(head.logo, "logo")
        width, height = _fit(reader, LOGO_MAX_WIDTH, LETTERHEAD_HEIGHT)
        right = PAGE_WIDTH - SIDE_MARGIN
        canvas.drawImage(reader, right - width, top - height, width, height, mask="auto")
        room -= width + 8 * MM
    address = " \u00b7 ".join(_text(line) for line in head.trust_address if line.strip())

    def content(scale: float) -> list[Flowable]:
        name = Paragraph(_text(head.trust_name), _scaled(styles["trust_name"], scale))
        return [name, Paragraph(address, _scaled(styles["small"], scale))] if address else [name]

    _place(canvas, content, SIDE_MARGIN, top, (room, LETTERHEAD_HEIGHT))
    canvas.saveState()
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(0.8)
    rule = PAGE_HEIGHT - LETTERHEAD_RULE
    canvas.line(SIDE_MARGIN, rule, PAGE_WIDTH - SIDE_MARGIN, rule)
    canvas.restoreState()


def _draw_address(canvas: Canvas, recipient: Recipient, styles: dict[str, ParagraphStyle]) -> None:
    """The recipient's name and address inside the envelope window, marked confidential."""
    lines = [_text(line) for line in (recipient.name, *recipient.address) if line.strip()]

    def content(scale: float) -> list[Flowable]:
        address = _scaled(styles["address"], scale)
        private = Paragraph(PRIVATE, _scaled(styles["private"], scale))
        return [private, *(Paragraph(line, address) for line in lines)]

    window = ENVELOPE_WINDOW
    box = ((window.width - 2 * ADDRESS_INSET) * MM, (window.height - 2 * ADDRESS_INSET) * MM)
    left = (window.left + ADDRESS_INSET) * MM
    _place(canvas, content, left, _from_top(window.top + ADDRESS_INSET), box)


def _draw_details(
    canvas: Canvas, letter: Letter, layout: _PageLayout, styles: dict[str, ParagraphStyle]
) -> None:
    """The school's address, the reference and the date, beside the envelope window."""
    head = letter.letterhead
    address = [_text(line) for line in head.school_address if line.strip()]
    contact = [_text(line) for line in head.school_contact if line.strip()]
    dated = [f"Our ref: {_text(letter.reference)}", long_date(letter.date)]

    def content(scale: float) -> list[Flowable]:
        style = _scaled(styles["details"], scale)
        gap = style.leading * 0.6
        found: list[Flowable] = [
            Paragraph(_text(head.school_name), _scaled(styles["details_bold"], scale))
        ]
        found += [Paragraph(line, style) for line in address]
        if contact:
            found += [Spacer(1, gap), *(Paragraph(line, style) for line in contact)]
        return [*found, Spacer(1, gap), *(Paragraph(line, style) for line in dated)]

    box = layout.details
    _place(canvas, content, box.left * MM, _from_top(box.top), (box.width * MM, box.height * MM))


def _draw_continuation_header(
    canvas: Canvas, letter: Letter, styles: dict[str, ParagraphStyle]
) -> None:
    """Pages after the first carry the trust's name and the reference, small, at the top."""
    size = styles["small"].fontSize
    baseline = PAGE_HEIGHT - 12 * MM
    reference = f"Our ref: {_line(letter.reference)}"
    room = TEXT_WIDTH - stringWidth(reference, FONT, size) - 10 * MM
    canvas.saveState()
    canvas.setFont(FONT, size)
    canvas.setFillColor(MUTED)
    canvas.drawString(
        SIDE_MARGIN, baseline, _shorten(_line(letter.letterhead.trust_name), room, size)
    )
    canvas.drawRightString(PAGE_WIDTH - SIDE_MARGIN, baseline, reference)
    canvas.restoreState()


def _line(value: str) -> str:
    """Text for drawing straight onto the canvas: one line, no control characters."""
    return " ".join(_CONTROL.sub(" ", value).split())


def _shorten(text: str, width: float, size: float) -> str:
    """The text, cut short with an ellipsis if it is wider than `width` in the small type."""
    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "\u2026", FONT, size) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _draw_footer(
    canvas: Canvas,
    letter: Letter,
    layout: _PageLayout,
    styles: dict[str, ParagraphStyle],
    total_pages: int,
) -> None:
    """A rule, the trust's company details (if given) and "Page x of y", on every page."""
    style = styles["small"]
    label = f"Page {canvas.getPageNumber()} of {total_pages}"
    rule = (layout.bottom_margin - 6) * MM
    baseline = rule - 2.5 * MM - style.fontSize
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(SIDE_MARGIN, rule, PAGE_WIDTH - SIDE_MARGIN, rule)
    canvas.setFont(FONT, style.fontSize)
    canvas.setFillColor(INK)
    canvas.drawRightString(PAGE_WIDTH - SIDE_MARGIN, baseline, label)
    canvas.restoreState()
    details = (letter.letterhead.company_details or "").strip()
    if details:
        room = TEXT_WIDTH - stringWidth(label, FONT, style.fontSize) - 8 * MM
        top = rule - 2.5 * MM - (style.leading - style.fontSize) / 2
        box = (room, top - 6 * MM)
        text = _text(details)
        _place(canvas, lambda s: [Paragraph(text, _scaled(style, s))], SIDE_MARGIN, top, box)


def _signature_block(letter: Letter, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    signer = letter.signatory
    block: list[Flowable] = [Paragraph(_text(letter.closing), styles["signed"])]
    if signer.signature:
        width, height = _fit(_image_reader(signer.signature, "signature"), *SIGNATURE_MAX)
        image = Image(io.BytesIO(signer.signature), width, height, mask="auto", hAlign="LEFT")
        block += [Spacer(1, 2 * MM), image, Spacer(1, 2 * MM)]
    else:
        block.append(Spacer(1, WET_SIGNATURE_SPACE))
    block.append(Paragraph(_text(signer.name), styles["signer"]))
    lines = [signer.role, signer.on_behalf_of or ""]
    block += [Paragraph(_text(line), styles["signed"]) for line in lines if line.strip()]
    return block


def _circulation(cc: Sequence[str], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    names = [_text(name) for name in cc if name.strip()]
    if not names:
        return []
    style = styles["details"]
    return [
        Spacer(1, styles["body"].leading * 1.5),
        Paragraph(CIRCULATION, styles["details_bold"]),
        *(Paragraph(f"cc: {name}", style) for name in names),
    ]


def _story(letter: Letter, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    body = styles["body"]
    story: list[Flowable] = [Paragraph(_text(letter.salutation), body)]
    if letter.subject and letter.subject.strip():
        story.append(Paragraph(_text(letter.subject), styles["subject"]))
    paragraphs = [Paragraph(text, body) for text in _paragraphs(letter.body)]
    # The last paragraph stays with the signature, so no page opens with "Yours sincerely";
    # a short circulation list joins them, so it is never left alone on a page, while a
    # long one may start a page of its own rather than leave a gap under the body.
    story += paragraphs[:-1]
    signed = [*paragraphs[-1:], Spacer(1, body.leading * 0.4), *_signature_block(letter, styles)]
    circulation = _circulation(letter.cc, styles)
    if sum(1 for name in letter.cc if name.strip()) <= SHORT_CIRCULATION:
        story.append(KeepTogether(signed + circulation))
    else:
        story += [KeepTogether(signed), KeepTogether(circulation)]
    return story


def _render(letter: Letter) -> bytes:
    """The layout: the fixed parts of each page as it begins, the body flowing through the
    frames, and the footers as the document is saved."""
    layout = _LARGE_PRINT_LAYOUT if letter.large_print else _STANDARD_LAYOUT
    styles = _styles(layout.sizes)
    buffer = io.BytesIO()
    bottom = layout.bottom_margin * MM
    doc = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        topMargin=layout.later_body_top * MM,
        bottomMargin=bottom,
        title="Letter",
        subject=f"Our ref: {_line(letter.reference)}",
        author=letter.letterhead.trust_name,
        creator="Casebook",
        invariant=True,
    )

    def frame(top: float, name: str) -> Frame:
        # No padding, so the body lines up with the letterhead, the address and the footer.
        height = PAGE_HEIGHT - top * MM - bottom
        return Frame(
            SIDE_MARGIN,
            bottom,
            TEXT_WIDTH,
            height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=name,
        )

    def first_page(canvas: Canvas, _doc: Any) -> None:
        _draw_letterhead(canvas, letter.letterhead, styles)
        _draw_address(canvas, letter.recipient, styles)
        _draw_details(canvas, letter, layout, styles)

    def later_page(canvas: Canvas, _doc: Any) -> None:
        _draw_continuation_header(canvas, letter, styles)

    def footer(canvas: Canvas, total_pages: int) -> None:
        _draw_footer(canvas, letter, layout, styles, total_pages)

    doc.addPageTemplates(
        [
            PageTemplate(
                "first",
                [frame(layout.first_body_top, "first")],
                onPage=first_page,
                autoNextPageTemplate="later",
            ),
            PageTemplate("later", [frame(layout.later_body_top, "later")], onPage=later_page),
        ]
    )
    doc.build(_story(letter, styles), canvasmaker=functools.partial(FooterCanvas, footer=footer))
    return buffer.getvalue()
