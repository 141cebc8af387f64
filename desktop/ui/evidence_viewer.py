"""Looking at an evidence file inside Casebook, and the one way to take a copy out.

Pictures, PDFs and text are shown from the bytes held in memory: nothing is ever written to
a temporary file to be opened by another program (a plaintext copy on disk is exactly what
the encrypted store exists to prevent). Opening a file's content is recorded in the audit
trail by the service. Recordings and other files show their details, and "Export a copy…"
saves a plain copy where the person chooses, after saying plainly what that means.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_datetime
from desktop.domain.evidence import MediaKind, format_size
from desktop.services import evidence
from desktop.services.evidence import EvidenceRow
from desktop.services.session import UserSession
from desktop.ui.messages import Messenger
from desktop.ui.operations import WriteOp
from desktop.ui.printing import render_page_image

MAX_TEXT_CHARACTERS = 2_000_000  # a longer text shows its start; export it to read the rest
PDF_DPI = 96
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.1, 8.0
NOT_SHOWN = {
    MediaKind.AUDIO: "Casebook does not play recordings. Export a copy to listen to it.",
    MediaKind.VIDEO: "Casebook does not play videos. Export a copy to watch it.",
    MediaKind.OTHER: "Casebook cannot show this kind of file. Export a copy to open it.",
}


def export_copy(parent: QWidget, session: UserSession, row: EvidenceRow) -> None:
    """Ask where, say what a plain copy means, then save it (audited by the service)."""
    path = Messenger.save_path(parent, "Export a copy", row.filename, "All files (*)")
    if path is None:
        return
    question = (
        f"Save an unencrypted copy of “{row.filename}” as {path}?\n\n"
        "Anyone who can open that folder will be able to read it. The export is recorded "
        "in the audit trail."
    )
    if not Messenger.confirm(parent, "Export a copy", question, "Export"):
        return
    evidence_id = row.id
    WriteOp(
        parent=parent,
        session=session,
        run=lambda job: evidence.export_evidence(job.session, evidence_id=evidence_id, to=path),
        success=lambda saved: Messenger.info(
            parent, "Copy saved", f"An unencrypted copy was saved as {Path(saved)}."
        ),
        progress=f"Exporting {row.filename}",
    ).start()


def decode_text(content: bytes) -> str:
    """Text as UTF-8, with a marker for any byte that is not, and a limit on its length."""
    text = content.decode("utf-8", errors="replace")
    if len(text) > MAX_TEXT_CHARACTERS:
        text = (
            text[:MAX_TEXT_CHARACTERS] + "\n\n[… the rest is not shown: export a copy to read it]"
        )
    return text


def _load(job, kind: MediaKind, evidence_id: int):
    """On a pool thread: the content, decoded as far as can be done away from the screen."""
    content = evidence.evidence_content(job.session, evidence_id=evidence_id)
    if kind is MediaKind.IMAGE:
        return QImage.fromData(content)
    if kind is MediaKind.TEXT:
        return decode_text(content)
    return content  # a PDF: its pages are drawn on the UI thread, one at a time


class ImageView(QGraphicsView):
    """A picture that can be zoomed (Ctrl++, Ctrl+-, Ctrl+0 to fit, Ctrl+wheel)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("imageView")
        self.setAccessibleName("The picture")
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.zoom = 1.0

    def show_image(self, image: QImage) -> None:
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self.item.boundingRect())
        self.fit()

    def set_zoom(self, zoom: float) -> None:
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self.resetTransform()
        self.scale(self.zoom, self.zoom)

    def fit(self) -> None:
        rect = self.item.boundingRect()
        if rect.isEmpty():
            return
        room = self.viewport().size()
        self.set_zoom(min(1.0, room.width() / rect.width(), room.height() / rect.height()))

    def wheelEvent(self, event):
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.set_zoom(self.zoom * (ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP))
            event.accept()
            return
        super().wheelEvent(event)


class PdfView(QWidget):
    """A PDF's pages, one at a time, drawn from memory on white paper.

    The window it sits in gives the keys: `zoom_by` (Ctrl++ / Ctrl+-), `fit_width` (Ctrl+0)
    and `show_page` (Page Down / Page Up).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pdf = b""
        self.pages = 0
        self.widths: list[float] = []  # each page's width in points
        self.page = 0
        self.zoom = 1.0
        self.page_label = QLabel()
        self.page_label.setObjectName("pdfPageImage")
        self.page_label.setAccessibleName("The page")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("pdfScroll")
        self.scroll_area.setWidget(self.page_label)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous_button = QPushButton("&Previous page")
        self.previous_button.setObjectName("previousPageButton")
        self.next_button = QPushButton("Ne&xt page")
        self.next_button.setObjectName("nextPageButton")
        self.where = QLabel()
        self.where.setObjectName("pdfPageNumber")
        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.where)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)
        self.previous_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))

    def show_pdf(self, pdf: bytes) -> None:
        """Count the pages and draw the first; a PDF that cannot be read raises ValueError."""
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise ValueError("unreadable PDF") from exc
        try:
            self.pages = len(document)
            self.widths = [document.get_page_size(i)[0] for i in range(self.pages)]
        finally:
            document.close()
        self.pdf = pdf
        self.show_page(0)

    def set_zoom(self, zoom: float) -> None:
        self.zoom = min(MAX_ZOOM / 2, max(MIN_ZOOM * 2, zoom))
        self.show_page(self.page)

    def zoom_by(self, step: float) -> None:
        self.set_zoom(self.zoom * step)

    def fit_width(self) -> None:
        """Zoom so the page fills the width of the view; its length scrolls."""
        if not self.pages or not self.widths[self.page]:
            return
        room = self.scroll_area.viewport().width()
        if not self.scroll_area.verticalScrollBar().isVisible():
            room -= self.scroll_area.verticalScrollBar().sizeHint().width()  # it will appear
        page_at_one = self.widths[self.page] * PDF_DPI / 72
        self.set_zoom(max(room - 8, 1) / page_at_one)

    def show_page(self, index: int) -> None:
        if not self.pages:
            return
        self.page = min(max(index, 0), self.pages - 1)
        image = render_page_image(self.pdf, self.page, round(PDF_DPI * self.zoom))
        self.page_label.setPixmap(QPixmap.fromImage(image))
        self.where.setText(f"Page {self.page + 1} of {self.pages}")
        self.previous_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page < self.pages - 1)


class EvidenceViewer(QDialog):
    """One evidence file: its details, its content where Casebook can show it, and export."""

    shown = Signal()  # the content is on screen (or the details, for what cannot be shown)

    def __init__(self, session: UserSession, row: EvidenceRow, parent=None):
        super().__init__(parent)
        self.session, self.row = session, row
        self.setObjectName("evidenceViewer")
        self.setWindowTitle(f"{row.filename} — evidence")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._build()
        self._connect_signals()
        self.resize(900, 700)
        self._start()

    def _build(self) -> None:
        row = self.row
        details = QFormLayout()
        facts = (
            ("File:", row.filename, "detailFile"),
            ("Type:", f"{row.media_type} · {format_size(row.size)}", "detailType"),
            (
                "Added:",
                f"by {row.added_by or 'unknown'}, {format_datetime(row.added_at)}",
                "detailAdded",
            ),
            ("SHA-256:", row.sha256, "detailSha256"),
        )
        for label, text, name in facts:
            value = QLabel(text)
            value.setObjectName(name)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            details.addRow(label, value)
        if row.description:
            details.addRow("Description:", QLabel(row.description))
        self.message = QLabel()
        self.message.setObjectName("viewerMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_view = ImageView()
        self.pdf_view = PdfView()
        self.text_view = QPlainTextEdit()
        self.text_view.setObjectName("textView")
        self.text_view.setAccessibleName("The text of the file")
        self.text_view.setReadOnly(True)
        self.text_view.setTabChangesFocus(True)
        self.stack = QStackedWidget()
        for widget in (self.message, self.image_view, self.pdf_view, self.text_view):
            self.stack.addWidget(widget)
        self.zoom_in_button = QPushButton("Zoom &in")
        self.zoom_in_button.setObjectName("zoomInButton")
        self.zoom_out_button = QPushButton("Zoom &out")
        self.zoom_out_button.setObjectName("zoomOutButton")
        self.fit_button = QPushButton("&Fit")
        self.fit_button.setObjectName("fitButton")
        self.export_button = QPushButton("&Export a copy…")
        self.export_button.setObjectName("exportCopyButton")
        self.close_button = QPushButton("&Close")
        self.close_button.setObjectName("closeButton")
        bar = QHBoxLayout()
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(details)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bar)
        self._zooming(False)

    def _connect_signals(self) -> None:
        self.export_button.clicked.connect(lambda: export_copy(self, self.session, self.row))
        self.close_button.clicked.connect(self.close)
        self.zoom_in_button.clicked.connect(lambda: self._zoom(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self._zoom(1 / ZOOM_STEP))
        self.fit_button.clicked.connect(self._fit)
        for keys, step in ((QKeySequence.StandardKey.ZoomIn, ZOOM_STEP), ("Ctrl+=", ZOOM_STEP)):
            QShortcut(QKeySequence(keys), self).activated.connect(lambda s=step: self._zoom(s))
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self).activated.connect(
            lambda: self._zoom(1 / ZOOM_STEP)
        )
        QShortcut(QKeySequence("Ctrl+0"), self).activated.connect(self._fit)
        for key, step in ((Qt.Key.Key_PageDown, 1), (Qt.Key.Key_PageUp, -1)):
            turn = QShortcut(QKeySequence(key), self.pdf_view)  # only while a PDF has the keys
            turn.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            turn.activated.connect(lambda s=step: self.pdf_view.show_page(self.pdf_view.page + s))

    # -- loading ----------------------------------------------------------------------------
    def _start(self) -> None:
        kind = self.row.kind
        if kind in NOT_SHOWN:
            self._say(NOT_SHOWN[kind])
            self.export_button.setFocus()
            return
        self._say(f"Opening {self.row.filename}…")
        evidence_id = self.row.id
        WriteOp(  # the viewing is written to the audit trail
            parent=self,
            session=self.session,
            run=lambda job: _load(job, kind, evidence_id),
            success=self._loaded,
            failure=self._failed,
            progress=f"Opening {self.row.filename}",
        ).start()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self._zooming(False)
        self.shown.emit()

    def _failed(self, exc: BaseException) -> None:
        Messenger.error(self, exc, self.windowTitle())
        self._say("The file could not be opened.")

    def _loaded(self, content) -> None:
        kind = self.row.kind
        if kind is MediaKind.IMAGE:
            if content.isNull():
                self._say(
                    "This picture cannot be shown: it may be damaged. Export a copy to check it."
                )
                return
            self.stack.setCurrentWidget(self.image_view)
            self.image_view.show_image(content)
            self.image_view.setFocus()
        elif kind is MediaKind.PDF:
            try:
                self.pdf_view.show_pdf(content)
            except ValueError:
                self._say(
                    "This PDF cannot be shown here: it may be damaged or protected by a "
                    "password. Export a copy to open it elsewhere."
                )
                return
            self.stack.setCurrentWidget(self.pdf_view)
            self.pdf_view.scroll_area.setFocus()
        else:
            self.text_view.setPlainText(content)
            self.stack.setCurrentWidget(self.text_view)
            self.text_view.setFocus()
        self._zooming(kind in (MediaKind.IMAGE, MediaKind.PDF))
        self.shown.emit()

    # -- zoom -------------------------------------------------------------------------------
    def _zooming(self, on: bool) -> None:
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setVisible(on)

    def _zoom(self, step: float) -> None:
        current = self.stack.currentWidget()
        if current is self.image_view:
            self.image_view.set_zoom(self.image_view.zoom * step)
        elif current is self.pdf_view:
            self.pdf_view.set_zoom(self.pdf_view.zoom * step)

    def _fit(self) -> None:
        if self.stack.currentWidget() is self.image_view:
            self.image_view.fit()
        elif self.stack.currentWidget() is self.pdf_view:
            self.pdf_view.set_zoom(1.0)

    def closeEvent(self, event):
        # Let go of the content as soon as the window closes.
        self.pdf_view.pdf = b""
        self.image_view.item.setPixmap(QPixmap())
        self.text_view.clear()
        super().closeEvent(event)
