"""The ReportLab additions: footers that know the page count, and kept font subsets that
leave the PDF byte for byte as ReportLab makes it."""

from __future__ import annotations

import functools
import io

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from reports.letters import FONT_FILES, fonts_dir
from reports.reportlab_extras import FooterCanvas, keep_font_subsets
from tests.pdfutil import pdf_page_count, pdf_text

TEXTS = ["Plain ASCII only", "Zoë Ní Bhriain", "Ахмед Иванов", "Γιώργος", "Zoë again"]


def _font(name: str) -> TTFont:
    font = TTFont(name, str(fonts_dir() / next(iter(FONT_FILES.values()))))
    pdfmetrics.registerFont(font)
    return font


def _pdf(font: TTFont, text: str, compress: bool) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True, pageCompression=int(compress))
    canvas.setFont(font.fontName, 12)
    canvas.drawString(72, 720, text)
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("compress", [True, False])
def test_kept_subsets_make_the_pdf_reportlab_makes(compress: bool) -> None:
    font = _font(f"CasebookKeptTest{compress}")
    plain = [_pdf(font, text, compress) for text in TEXTS]
    keep_font_subsets(font.face)
    kept = [_pdf(font, text, compress) for text in TEXTS * 2]  # made, then kept
    assert kept == plain * 2
    assert [pdf_text(data) for data in kept[: len(TEXTS)]] == TEXTS


def _footer(canvas: Canvas, total: int) -> None:
    canvas.drawString(72, 40, f"Page {canvas.getPageNumber()} of {total}")


@pytest.mark.parametrize("pages", [1, 3])
def test_footer_canvas_numbers_every_page_out_of_the_total(pages: int) -> None:
    buffer = io.BytesIO()
    canvas = FooterCanvas(buffer, footer=_footer)
    for number in range(1, pages + 1):
        canvas.drawString(72, 720, f"Body {number}")
        if number < pages:
            canvas.showPage()
    canvas.save()  # the last page is closed by save, as ReportLab's canvas does
    data = buffer.getvalue()
    assert pdf_page_count(data) == pages
    text = pdf_text(data)
    for number in range(1, pages + 1):
        assert f"Body {number}" in text
        assert f"Page {number} of {pages}" in text


def test_footer_canvas_works_with_a_document_template() -> None:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    normal = getSampleStyleSheet()["Normal"]
    story = [Paragraph("One", normal), PageBreak(), Paragraph("Two", normal)]
    maker = functools.partial(FooterCanvas, footer=_footer)
    SimpleDocTemplate(buffer).build(story, canvasmaker=maker)
    text = pdf_text(buffer.getvalue())
    assert "Page 1 of 2" in text and "Page 2 of 2" in text
