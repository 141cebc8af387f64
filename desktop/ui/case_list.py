"""The case list's table: its columns' widths, fitted to the window, its sort order, the
filter bar's "Needs attention" box, and the words of its count."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QSizePolicy,
    QTableView,
    QWidget,
)

from desktop.domain.due import SOON_DAYS
from desktop.ui import case_table_model as columns
from desktop.ui.case_table_model import CaseTableModel

# What each column is given at first, then the least it is squeezed to when the window is
# narrow. The subject stretches to take whatever the others leave.
SAMPLES = {
    columns.REFERENCE: ("CB-2026-00000", "CB-2026-0000"),
    columns.SUBJECT: ("", "Alexandra Smith"),
    columns.SCHOOLS: ("Ash Primary, Birch Academy and more", "Ash Primary"),
    columns.STATUS: ("Closed", "Closed"),
    columns.STAGE: ("Referred to police or legal team", "Concern logged"),
    columns.OPENED: ("00/00/00000", "00/00/0000"),
    columns.NEXT_DUE: ("00/00/0000 Bar review", "00/00/0000"),  # longer words are elided
}
NEEDS_ATTENTION = "Needs &attention"
NEEDS_ATTENTION_TIP = (
    f"Show only the cases with something overdue or due in the next {SOON_DAYS} days: a "
    "deadline for representations, a review, the end of a bar or plan, or a task."
)


def count_text(total: int, exact: bool = True) -> str:
    """The case list's count for the status bar: "1 case", "1,234 cases", or, for a search
    counted only up to its cap (`CaseTableModel.total_exact` False), "More than 1,000
    cases"."""
    if not exact:
        return f"More than {total:,} cases"
    return f"{total:,} case" if total == 1 else f"{total:,} cases"


class SqueezableCheckBox(QCheckBox):
    """A check box whose words give way ("Needs att…") when the window is too narrow for
    them, so a new filter does not make the window's least width any wider. Its full words
    stay its tooltip's first line and its accessible name."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._full = text
        self._plain = text.replace("&", "")
        self.setAccessibleName(self._plain)
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Preferred)  # may be narrower than its hint
        self.setSizePolicy(policy)

    def _words_width(self, text: str) -> int:
        return self.fontMetrics().horizontalAdvance(text.replace("&", ""))

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        extra = self._words_width(self._full) - self._words_width(self.text())
        return QSize(hint.width() + extra, hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().sizeHint()
        least = hint.width() - self._words_width(self.text()) + self._words_width("…")
        return QSize(least, hint.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        room = event.size().width() - (self.sizeHint().width() - self._words_width(self._full))
        if room >= self._words_width(self._full):
            shown = self._full
        else:
            shown = self.fontMetrics().elidedText(self._plain, Qt.TextElideMode.ElideRight, room)
        if shown != self.text():
            self.setText(shown)


class AttentionFilter(QObject):
    """The "Needs attention" box in the case list's filter bar, after the status filter:
    ticked, the list shows only the cases with something overdue or due within a week.
    The model keeps the choice when the window's other filters change."""

    def __init__(self, bar: QWidget, model: CaseTableModel, after: QWidget | None = None):
        super().__init__(bar)
        self.model = model
        self.check = SqueezableCheckBox(NEEDS_ATTENTION, bar)
        self.check.setObjectName("needsAttentionCheck")
        self.check.setToolTip(NEEDS_ATTENTION_TIP)
        self.check.setChecked(model.needs_attention)
        layout = bar.layout()
        if isinstance(layout, QBoxLayout):
            at = layout.indexOf(after) + 1 if after is not None else 0
            layout.insertWidget(at if at > 0 else layout.count(), self.check)
        if after is not None:
            QWidget.setTabOrder(after, self.check)
        self.check.toggled.connect(model.set_needs_attention)


class CaseColumns(QObject):
    """Keeps the case table's columns readable: each at the width it was given (or the
    person dragged it to), squeezed, never below its least, to fit the room there is."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.attention = self._attention_filter()
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

    def _attention_filter(self) -> AttentionFilter | None:
        """The "Needs attention" box, in the filter bar beside the table (the main window's
        form) when there is one; the table's model keeps the choice."""
        form, model = self.table.parentWidget(), self.table.model()
        bar = form.findChild(QWidget, "filterBar") if form is not None else None
        if bar is None or not isinstance(model, CaseTableModel):
            return None
        return AttentionFilter(bar, model, bar.findChild(QComboBox, "statusCombo"))

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
            size = header.sectionSize(column)
            if column == columns.NEXT_DUE and size < self.minimums[column]:
                continue  # saved before the column existed: Qt gave it a default width
            if size > 0:
                self.widths[column] = size
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
