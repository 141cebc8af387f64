"""Rasterising and printing PDFs without temporary files."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter

from desktop.ui.printing import new_printer, paint_pdf, render_page_image
from reports.recovery_sheet import build_recovery_sheet
from tests.pdfutil import pdf_page_count, pdf_text


@pytest.fixture
def sheet() -> bytes:
    return build_recovery_sheet(
        trust_name="Oakfield Learning Trust",
        store_name="trust.casebook",
        recovery_key="ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6722",
        created_on=dt.date(2026, 11, 24),
        created_by="Alex Admin",
    )


def _sample(image, step=7):
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            yield QColor(image.pixel(x, y)).lightness()


def test_render_page_image_is_white_paper_with_dark_text(qapp, sheet):
    image = render_page_image(sheet, 0, 72)
    assert not image.isNull()
    assert abs(image.width() - 595) <= 1 and abs(image.height() - 842) <= 1  # A4 at 72 dpi
    levels = list(_sample(image))
    white = sum(level > 245 for level in levels) / len(levels)
    dark = sum(level < 100 for level in levels)
    assert white > 0.8
    assert dark > 20


def test_render_page_image_scales_with_dpi(qapp, sheet):
    image = render_page_image(sheet, 0, 144)
    assert abs(image.width() - 1191) <= 1 and abs(image.height() - 1684) <= 1


def test_paint_pdf_prints_every_page_into_a_pdf_file(qapp, sheet, tmp_path):
    target = tmp_path / "printed.pdf"
    printer = new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    two_pages = _two_page_pdf(sheet)
    paint_pdf(printer, two_pages)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert pdf_page_count(data) == 2
    # The printout is a picture of the page: no text layer, but not blank paper either.
    assert pdf_text(data).strip() == ""
    page = render_page_image(data, 0, 36)
    assert any(level < 100 for level in _sample(page, 3))


def _two_page_pdf(pdf: bytes) -> bytes:
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    document.import_pages(pypdfium2.PdfDocument(pdf))
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()
