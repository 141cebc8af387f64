"""Printing and previewing PDFs that Casebook made, without temporary files.

ReportLab builds every document as PDF bytes; pypdfium2 rasterises each page straight into
a QImage and Qt paints it onto the printer. Nothing touches the disk on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QWidget

# Printers can report 1200 dpi or more; an A4 page at that size is over 500 MB of pixels.
# 300 dpi is sharp for text on paper and keeps each page near 35 MB while it is painted.
MAX_PRINT_DPI = 300
PROGRESS_AFTER = 3  # more letters than this in one job show their progress


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
    paint_pdfs(printer, [pdf])


def paint_pdfs(
    printer: QPrinter, pdfs: Sequence[bytes], progress: Callable[[int], bool] | None = None
) -> bool:
    """Paint several PDFs onto `printer` as one job, each starting on a fresh sheet.

    `progress(done)` is called after each PDF; when it returns False the job is aborted
    (nothing reaches the printer) and this returns False. When the printer prints on both
    sides, a PDF with an odd number of pages is followed by a blank page, so the next letter
    never starts on the back of the last one.
    """
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    two_sided = printer.duplex() != QPrinter.DuplexMode.DuplexNone
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be started.")
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = QRectF(0, 0, printer.width(), printer.height())
        first = True
        for done, pdf in enumerate(pdfs, start=1):
            document = pdfium.PdfDocument(pdf)
            try:
                pages = len(document)
                for index in range(pages):
                    if not first:
                        printer.newPage()
                    first = False
                    _paint_page(painter, target, document, index, dpi)
            finally:
                document.close()
            if two_sided and pages % 2 and done < len(pdfs):
                printer.newPage()  # the back of the last sheet stays blank (but is a page)
                painter.fillRect(target, Qt.GlobalColor.white)
            if progress is not None and not progress(done):
                printer.abort()
                return False
        return True
    finally:
        if painter.isActive():
            painter.end()


def _paint_page(
    painter: QPainter, target: QRectF, document: pdfium.PdfDocument, index: int, dpi: float
) -> None:
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


def new_printer() -> QPrinter:
    """An A4 portrait printer at high resolution that paints on the whole sheet.

    The PDFs carry their own margins, so the printer's are not added on top.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    return printer


def ask_printer(parent: QWidget | None, printer: QPrinter, title: str) -> bool:
    """The print dialog: which printer, how many copies, which sides. False when cancelled.

    The one place a print dialog is shown, so a test can put a PDF file in its place.
    """
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    return dialog.exec() == QDialog.DialogCode.Accepted


def print_pdf(parent, pdf: bytes, title: str) -> bool:
    """Ask which printer to use, then print `pdf`; False when the person cancels."""
    return print_pdfs(parent, [pdf], title)


def print_pdfs(parent, pdfs: Sequence[bytes], title: str) -> bool:
    """Ask once which printer to use, then print every PDF in one job, in order.

    False when the person cancels, at the dialog or part-way (the job is then abandoned).
    More than a few PDFs show their progress, with a Cancel button.
    """
    printer = new_printer()
    printer.setDocName(title)
    if not ask_printer(parent, printer, f"Print {title}"):
        return False
    progress: QProgressDialog | None = None
    if len(pdfs) > PROGRESS_AFTER:
        progress = QProgressDialog("Printing the letters…", "Cancel", 0, len(pdfs), parent)
        progress.setObjectName("printProgress")
        progress.setWindowTitle(f"Print {title}")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setValue(0)

    def step(done: int) -> bool:
        if progress is None:
            return True
        progress.setValue(done)
        progress.setLabelText(f"Printed {done} of {len(pdfs)}…")
        return not progress.wasCanceled()

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return paint_pdfs(printer, pdfs, step)
    finally:
        QApplication.restoreOverrideCursor()
        if progress is not None:
            progress.close()
            progress.deleteLater()
