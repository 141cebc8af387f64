"""The calendar window's agenda: what is read for a month and its filters, which items are
listed for a day, a week or a month, and the Qt model that shows them (overdue first, in
red, with the word "Overdue" too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont

from desktop.domain.due import DueItem, DueKind, DueState
from desktop.services.due import DueView
from desktop.ui.calendar_grid import (
    OUTSIDE_TEXT,
    OVERDUE_TEXT,
    grid_range,
    items_words,
    long_date,
    month_end,
    month_start,
    month_words,
    short_date,
    week_range,
)

ITEM_ROLE = Qt.ItemDataRole.UserRole
DONE_TEXT = OUTSIDE_TEXT  # settled already: listed, in grey, but not marked on the grid


class Scope(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Filters:
    school_id: int | None = None
    kind: DueKind | None = None
    owner: str | None = None  # "" for items with nobody recorded; None: anyone


def view_for(month: dt.date, filters: Filters) -> DueView:
    """What the service is asked for: the six weeks the grid shows, with the filters."""
    start, end = grid_range(month)
    return DueView(
        start=start,
        end=end,
        school_id=filters.school_id,
        kinds=frozenset({filters.kind}) if filters.kind else frozenset(),
        owner=filters.owner,
    )


def scope_range(scope: Scope, day: dt.date, month: dt.date) -> tuple[dt.date, dt.date]:
    if scope is Scope.DAY:
        return day, day
    if scope is Scope.WEEK:
        return week_range(day)
    return month_start(month), month_end(month)


def agenda_items(items: list[DueItem], scope: Scope, day: dt.date, month: dt.date) -> list[DueItem]:
    """The items to list, in the service's order (overdue first). The month lists every
    overdue item, whatever its date; a day or a week lists only its own dates."""
    start, end = scope_range(scope, day, month)
    return [
        i
        for i in items
        if start <= i.date <= end or (scope is Scope.MONTH and i.state is DueState.OVERDUE)
    ]


def heading_words(scope: Scope, day: dt.date, month: dt.date, listed: list[DueItem]) -> str:
    if scope is Scope.DAY:
        what = long_date(day)
    elif scope is Scope.WEEK:
        what = f"Week beginning {long_date(week_range(day)[0])}"
    else:
        what = month_words(month)
    if not listed:
        return f"{what}: nothing falls due."
    late = sum(1 for i in listed if i.state is DueState.OVERDUE)
    text = f"{what}: {items_words(len(listed))}"
    if late:
        where = " (from any date)" if scope is Scope.MONTH else ""
        text += f", {late:,} overdue{where}, listed first"
    return text + "."


# -- the model ----------------------------------------------------------------------------
AGENDA_COLUMNS = (
    "Date",
    "State",
    "Kind",
    "Case",
    "Subject",
    "Schools",
    "Owner",
    "What resolves it",
)
DATE, STATE, KIND, CASE, SUBJECT, SCHOOLS, OWNER, RESOLVES = range(len(AGENDA_COLUMNS))
AGENDA_WIDTHS = (118, 80, 230, 108, 140, 180, 130, 360)
NOBODY = "\u2014"


def kind_text(item: DueItem) -> str:
    """The kind's name; a task also says which task."""
    if item.kind is DueKind.TASK and item.title:
        return f"{item.kind.label}: {item.title}"
    return item.kind.label


def cell_text(item: DueItem, column: int) -> str:
    if column == DATE:
        return short_date(item.date)
    if column == STATE:
        return item.state.label
    if column == KIND:
        return kind_text(item)
    if column == CASE:
        return item.reference
    if column == SUBJECT:
        return item.subject
    if column == SCHOOLS:
        return ", ".join(item.schools)
    if column == OWNER:
        return item.owner or NOBODY
    if column == RESOLVES:
        return item.resolves
    return ""


class AgendaModel(QAbstractTableModel):
    """The items listed (overdue first, in red, as the service orders them)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[DueItem] = []

    def set_items(self, items: list[DueItem]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def item_at(self, row: int) -> DueItem | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def row_of(self, key: str) -> int:
        """The row of the item with this `uid_key`, or -1."""
        for row, item in enumerate(self.items):
            if item.uid_key == key:
                return row
        return -1

    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(AGENDA_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(AGENDA_COLUMNS)
        ):
            return AGENDA_COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        overdue = item.state is DueState.OVERDUE
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(item, index.column())
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.ForegroundRole and overdue:
            return OVERDUE_TEXT
        if role == Qt.ItemDataRole.ForegroundRole and item.state is DueState.DONE:
            return DONE_TEXT
        if role == Qt.ItemDataRole.FontRole and overdue and index.column() == STATE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{item.reference}: {kind_text(item)}, {long_date(item.date)} "
                f"({item.state.label.lower()}).\nTo resolve it: {item.resolves}."
            )
        return None
