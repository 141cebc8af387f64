"""Every piece of text a widget would show, read the way a screen reader or a screenshot
tool would find it: labels, fields, buttons, titles, tips, and every cell of every view.

For tests that prove case data is gone from the screen, not merely covered (auto-lock).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)


def _model_text(model: QAbstractItemModel, parent: QModelIndex, depth: int = 0) -> Iterator[str]:
    if depth > 6:
        return
    flat = isinstance(model, (QAbstractListModel, QAbstractTableModel))
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            for role in _ROLES:
                value = index.data(role)
                if value is not None:
                    yield str(value)
            if column == 0 and not flat and model.rowCount(index) > 0:
                yield from _model_text(model, index, depth + 1)


def widget_text(widget: QWidget) -> Iterator[str]:
    yield widget.windowTitle()
    yield widget.toolTip()
    if isinstance(widget, (QLabel, QLineEdit, QAbstractButton)):
        yield widget.text()
    elif isinstance(widget, (QTextEdit, QPlainTextEdit)):
        yield widget.toPlainText()
    elif isinstance(widget, QGroupBox):
        yield widget.title()
    elif isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    elif isinstance(widget, QTabWidget):
        yield from (widget.tabText(i) for i in range(widget.count()))
    elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
        yield from _model_text(widget.model(), QModelIndex())


def every_widget() -> list[QWidget]:
    """Every widget that still exists, shown or hidden, once pending deletions are done."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return list(QApplication.allWidgets())


def readable(widgets: Iterable[QWidget] | None = None) -> str:
    """All their text in one string, for `in` checks."""
    return "\n".join(
        text
        for widget in (every_widget() if widgets is None else widgets)
        for text in widget_text(widget)
        if text
    )
