"""Printing and previewing PDFs that Casebook made, without temporary files.

ReportLab builds every document as PDF bytes; pypdfium2 rasterises each page straight into
a QImage and Qt paints it onto the printer. Nothing touches the disk on the way.
"""

from __future__ import annotations

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog

# Printers can report 1200 dpi or more; an A4 page at that size is over 500 MB of pixels.
# 300 dpi is sharp for text on paper and keeps each page near 35 MB while it is painted.
MAX_PRINT_DPI = 300


def _page_image(page: pdfium.PdfPage, dpi: float) -> QImage:
    bitmap = page.render(
        scale=dpi / 72,
        rev_byteorder=True,
        prefer_bgrx=True,
        fill_color=(255, 255, 255, 255),
    )
    try:
        image = QImage(
            bitmap.buffer,
            bitmap.width,
            bitmap.height,
            bitmap.stride,
            QImage.Format.Format_RGBX8888,
        )
        # The QImage above borrows pdfium's memory; copy before the bitmap is freed.
        return image.copy()
    finally:
        bitmap.close()


def render_page_image(pdf: bytes, index: int, dpi: int) -> QImage:
    """One page of a PDF as an opaque image (white paper), for previews and printing."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        try:
            return _page_image(page, dpi)
        finally:
            page.close()
    finally:
        document.close()


def paint_pdf(printer: QPrinter, pdf: bytes) -> None:
    """Paint every page of `pdf` onto `printer`, each scaled to fit its page, centred.

    Kept apart from the print dialog so that tests can print into a PDF file.
    """
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    document = pdfium.PdfDocument(pdf)
    painter = QPainter()
    if not painter.begin(printer):
        document.close()
        raise OSError("The printer could not be started.")
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = QRectF(0, 0, printer.width(), printer.height())
        for index in range(len(document)):
            if index:
                printer.newPage()
            page = document[index]
            try:
                image = _page_image(page, dpi)
            finally:
                page.close()
            size = QSize(image.width(), image.height()).scaled(
                target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio
            )
            where = QRectF(
                target.x() + (target.width() - size.width()) / 2,
                target.y() + (target.height() - size.height()) / 2,
                size.width(),
                size.height(),
            )
            painter.fillRect(target, Qt.GlobalColor.white)
            painter.drawImage(where, image)
            QApplication.processEvents()
    finally:
        painter.end()
        document.close()


def new_printer() -> QPrinter:
    """An A4 portrait printer at high resolution that paints on the whole sheet.

    The PDFs carry their own margins, so the printer's are not added on top.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    return printer


def print_pdf(parent, pdf: bytes, title: str) -> bool:
    """Ask which printer to use, then print `pdf`; False when the person cancels."""
    printer = new_printer()
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title}")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        paint_pdf(printer, pdf)
    finally:
        QApplication.restoreOverrideCursor()
    return True
