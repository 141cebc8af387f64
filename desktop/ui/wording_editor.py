"""The editor for a letter's wording: monospace, numbered lines, a line marked when a
message is about it, and whole-text changes that Ctrl+Z can undo."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontDatabase, QPainter, QPalette, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

MARK_COLOUR = "#fdecee"


class _Gutter(QWidget):
    """The strip beside the wording that shows its line numbers."""

    def __init__(self, editor: WordingEditor):
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event) -> None:
        self.editor.paint_gutter(self, event.rect())


class WordingEditor(QPlainTextEdit):
    """Monospace text with numbered lines, counted as the messages about the wording count
    them. A long paragraph wraps onto more rows but keeps one number."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("wordingEdit")
        self.setAccessibleName("Wording of the letter")
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTabChangesFocus(True)
        self.gutter = _Gutter(self)
        self.blockCountChanged.connect(self._fit_gutter)
        self.updateRequest.connect(self._scroll_gutter)
        self._fit_gutter()

    def gutter_width(self) -> int:
        digits = max(2, len(str(self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * digits

    def _fit_gutter(self, *_args) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        room = self.contentsRect()
        self.gutter.setGeometry(QRect(room.left(), room.top(), self.gutter_width(), room.height()))

    def paint_gutter(self, gutter: QWidget, area: QRect) -> None:
        painter = QPainter(gutter)
        palette = self.palette()
        painter.fillRect(area, palette.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.setFont(self.font())
        height = self.fontMetrics().height()
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        while block.isValid() and top <= area.bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= area.top():
                painter.drawText(
                    0,
                    top,
                    gutter.width() - 6,
                    height,
                    Qt.AlignmentFlag.AlignRight,
                    str(block.blockNumber() + 1),
                )
            block, top = block.next(), bottom
        painter.end()

    def go_to_line(self, line: int) -> None:
        """Put the cursor at the start of a line (numbered from 1) and show it marked."""
        block = self.document().findBlockByNumber(line - 1)
        if not block.isValid():
            return
        self.setTextCursor(QTextCursor(block))
        self.centerCursor()
        self.mark_line(line)

    def mark_line(self, line: int | None) -> None:
        """Tint the line a message is about; None clears it."""
        block = self.document().findBlockByNumber(line - 1) if line else None
        if block is None or not block.isValid():
            self.setExtraSelections([])
            return
        mark = QTextEdit.ExtraSelection()
        mark.format.setBackground(QColor(MARK_COLOUR))
        mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        mark.cursor = QTextCursor(block)
        self.setExtraSelections([mark])

    def replace_all(self, text: str) -> None:
        """Put other wording in, as one step Ctrl+Z can undo."""
        cursor = self.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        self.setTextCursor(cursor)
