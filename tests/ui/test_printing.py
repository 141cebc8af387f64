"""Rasterising and printing PDFs without temporary files."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtGui import QColor, QPageSize
from PySide6.QtPrintSupport import QPrinter

from desktop.ui.printing import new_printer, paint_pdf, paint_pdfs, render_page_image
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


def _pdf_printer(target) -> QPrinter:  # noqa: ANN001
    printer = new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    return printer


def _blank(pdf: bytes, index: int) -> bool:
    return all(level > 245 for level in _sample(render_page_image(pdf, index, 36), 3))


def test_paint_pdfs_prints_several_as_one_job(qapp, sheet, tmp_path):
    target = tmp_path / "printed.pdf"
    done: list[int] = []

    def progress(count: int) -> bool:
        done.append(count)
        return True

    assert paint_pdfs(_pdf_printer(target), [sheet, _two_page_pdf(sheet)], progress)
    data = target.read_bytes()
    assert pdf_page_count(data) == 3
    assert done == [1, 2]
    assert not any(_blank(data, page) for page in range(3))


class _TwoSidedPdf(QPrinter):
    """A PDF file standing in for a printer that prints on both sides (Qt keeps a PDF
    printer one-sided whatever it is told)."""

    def duplex(self) -> QPrinter.DuplexMode:
        return QPrinter.DuplexMode.DuplexLongSide


def test_two_sided_printing_starts_each_pdf_on_a_fresh_sheet(qapp, sheet, tmp_path):
    target = tmp_path / "printed.pdf"
    printer = _TwoSidedPdf(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setFullPage(True)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    assert paint_pdfs(printer, [sheet, _two_page_pdf(sheet), sheet])
    data = target.read_bytes()
    # one page and the blank back of its sheet, two pages, then the last one
    assert pdf_page_count(data) == 5
    assert [_blank(data, page) for page in range(5)] == [False, True, False, False, False]


def test_paint_pdfs_stops_when_told(qapp, sheet, tmp_path):
    asked: list[int] = []

    def progress(done: int) -> bool:
        asked.append(done)
        return False  # Cancel pressed after the first

    assert not paint_pdfs(_pdf_printer(tmp_path / "printed.pdf"), [sheet, sheet], progress)
    assert asked == [1]
