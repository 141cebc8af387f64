"""The case list's table: its columns' widths, fitted to the window, and its sort order."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QTableView

from desktop.ui import case_table_model as columns

# What each column is given at first, then the least it is squeezed to when the window is
# narrow. The subject stretches to take whatever the others leave.
SAMPLES = {
    columns.REFERENCE: ("CB-2026-00000", "CB-2026-0000"),
    columns.SUBJECT: ("", "Alexandra Smith"),
    columns.SCHOOLS: ("Ash Primary, Birch Academy and more", "Ash Primary"),
    columns.STATUS: ("Closed", "Closed"),
    columns.STAGE: ("Referred to police or legal team", "Concern logged"),
    columns.OPENED: ("00/00/00000", "00/00/0000"),
}


class CaseColumns(QObject):
    """Keeps the case table's columns readable: each at the width it was given (or the
    person dragged it to), squeezed, never below its least, to fit the room there is."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        table.verticalHeader().hide()
        metrics = table.fontMetrics()
        table.verticalHeader().setDefaultSectionSize(metrics.height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.set_resize_modes()
        self.widths: dict[int, int] = {}
        self.minimums: dict[int, int] = {}
        for column, (usual, least) in SAMPLES.items():
            title = metrics.horizontalAdvance(columns.COLUMNS[column]) + 20  # the sort arrow
            least_px = max(title, metrics.horizontalAdvance(least)) + 28
            self.minimums[column] = least_px
            if column != columns.SUBJECT:
                self.widths[column] = max(least_px, metrics.horizontalAdvance(usual) + 28)
        self._fitting = False
        self._viewport = table.viewport()
        self._viewport.installEventFilter(self)  # to fit the columns to its width
        header.sectionResized.connect(self._column_resized)
        self.fit()
        header.setSortIndicator(columns.OPENED, Qt.SortOrder.DescendingOrder)
        table.setSortingEnabled(True)  # a header click asks the model, which asks the service

    def set_resize_modes(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(columns.SUBJECT, QHeaderView.ResizeMode.Stretch)

    def fit(self) -> None:
        """Give each column the width it was given, squeezed (not below its least) to fit."""
        header = self.table.horizontalHeader()
        shown = {c: w for c, w in self.widths.items() if not header.isSectionHidden(c)}
        room = self._viewport.width() - self.minimums[columns.SUBJECT]
        slack = {c: max(0, w - self.minimums[c]) for c, w in shown.items()}
        over, spare = sum(shown.values()) - room, sum(slack.values())
        if over > 0 and spare:
            ratio = min(1.0, over / spare)
            shown = {c: w - math.ceil(slack[c] * ratio) for c, w in shown.items()}
        self._fitting = True
        try:
            for column, width in shown.items():
                header.resizeSection(column, width)
        finally:
            self._fitting = False

    def adopt_restored_header(self) -> None:
        """Keep a saved header's sort and column widths, but this version's resize modes,
        and squeeze the widths to fit the window they are shown in now."""
        header = self.table.horizontalHeader()
        self.set_resize_modes()
        if not header.isSortIndicatorShown():  # saved before the list could be sorted
            header.setSortIndicatorShown(True)
            header.setSortIndicator(columns.OPENED, Qt.SortOrder.DescendingOrder)
        for column in self.widths:
            if header.sectionSize(column) > 0:
                self.widths[column] = header.sectionSize(column)
        self.fit()

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        if not self._fitting and column in self.widths and new > 0:
            self.widths[column] = new  # the person dragged it: keep that width

    def eventFilter(self, watched, event):
        if (
            event.type() == QEvent.Type.Resize
            and watched is self._viewport
            and event.size().width() != event.oldSize().width()
        ):
            self.fit()  # the window (or a scroll bar) changed the room there is
        return super().eventFilter(watched, event)
