"""The case list as a Qt table model, fetched a page at a time from services.cases.

Only the pages the view has scrolled to are held; the total comes from `count_cases`, so a
trust with tens of thousands of cases opens as fast as one with ten.
"""

from __future__ import annotations

import logging
from typing import TypedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.dates import format_date
from desktop.domain.cases import CaseStatus, stage_label
from desktop.errors import CasebookError, user_message
from desktop.services import cases
from desktop.services.cases import NEWEST_FIRST, CaseOrder, CaseRow, CaseSort
from desktop.services.session import UserSession

log = logging.getLogger(__name__)

PAGE = 100
COLUMNS = ("Reference", "Subject", "School(s)", "Status", "Stage", "Opened")
REFERENCE, SUBJECT, SCHOOLS, STATUS, STAGE, OPENED = range(len(COLUMNS))
SORT_KEYS = (
    CaseSort.REFERENCE,
    CaseSort.SUBJECT,
    CaseSort.SCHOOL,
    CaseSort.STATUS,
    CaseSort.STAGE,
    CaseSort.OPENED,
)


def status_label(value: str) -> str:
    try:
        return CaseStatus(value).label
    except ValueError:
        return value.capitalize()


class CaseFilters(TypedDict):
    """The case list's search and filters, as the cases service takes them."""

    search: str
    school_id: int | None
    status: str | None


class CaseTableModel(QAbstractTableModel):
    """Cases matching the current filters, newest first until the view asks for another order.

    Sorting is the service's job (in SQL), so every page fetched follows on from the last.
    """

    loadFailed = Signal(str)  # plain-English reason the list could not be loaded
    totalChanged = Signal(int)  # how many cases match the filters

    def __init__(self, session: UserSession | None = None, parent=None):
        super().__init__(parent)
        self._session = session
        self._rows: list[CaseRow] = []
        self._total = 0
        self._filters: CaseFilters = {"search": "", "school_id": None, "status": None}
        self._order: CaseOrder = NEWEST_FIRST
        self._any_cases = False
        self._error = ""

    # -- what the window calls -----------------------------------------------------------
    @property
    def total(self) -> int:
        return self._total

    @property
    def error(self) -> str:
        """Why the last load failed, or an empty string."""
        return self._error

    @property
    def filters(self) -> CaseFilters:
        return self._filters.copy()

    @property
    def order(self) -> CaseOrder:
        return self._order

    @property
    def any_cases(self) -> bool:
        """Whether the user can see any case at all: False means "none yet", not "no match"."""
        return self._any_cases

    def set_session(self, session: UserSession | None) -> None:
        self._session = session

    def set_filters(
        self, *, search: str = "", school_id: int | None = None, status: str | None = None
    ) -> None:
        """Start again from the first page with new filters."""
        self._filters = {"search": search.strip(), "school_id": school_id, "status": status or None}
        self.refresh()

    def refresh(self) -> None:
        """Reload the count and the first page with the current filters."""
        self.beginResetModel()
        self._rows, self._total, self._error = [], 0, ""
        self._any_cases = False
        failure = None
        if self._session is not None:
            try:
                total = cases.count_cases(self._session, **self._filters)
                first = self._page(offset=0)
                any_cases = bool(total) or cases.has_cases(self._session)
            except CasebookError as exc:
                failure = exc
            else:
                self._total, self._rows, self._any_cases = total, first, any_cases
        self.endResetModel()
        if failure is not None:
            self._fail(failure)
        else:
            self.totalChanged.emit(self._total)

    def clear(self) -> None:
        """Drop every row and the session (on lock): nothing about a case stays in memory."""
        self.beginResetModel()
        self._rows, self._total, self._error = [], 0, ""
        self._any_cases = False
        self._session = None
        self.endResetModel()
        self.totalChanged.emit(0)

    def case_at(self, row: int) -> CaseRow:
        return self._rows[row]

    # -- Qt's side ------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()):  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent=QModelIndex()):  # noqa: B008
        if parent.isValid() or self._session is None:
            return False
        return len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()):  # noqa: B008
        if not self.canFetchMore(parent):
            return
        try:
            page = self._page(offset=len(self._rows))
        except CasebookError as exc:
            self._fail(exc)
            return
        if not page:  # cases were removed since the count: stop asking
            self._total = len(self._rows)
            self.totalChanged.emit(self._total)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        """Called by the view when a header is clicked: reload from the first page."""
        if not 0 <= column < len(COLUMNS):
            return
        wanted = CaseOrder(SORT_KEYS[column], descending=order == Qt.SortOrder.DescendingOrder)
        if wanted != self._order:
            self._order = wanted
            self.refresh()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.InitialSortOrderRole:  # newest first, the rest A to Z
            first = (
                Qt.SortOrder.DescendingOrder if section == OPENED else Qt.SortOrder.AscendingOrder
            )
            return first.value
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == SCHOOLS:
            return "\n".join(row.schools)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == OPENED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(row: CaseRow, column: int) -> str:
        if column == REFERENCE:
            return row.reference
        if column == SUBJECT:
            return row.subject
        if column == SCHOOLS:
            return ", ".join(row.schools)
        if column == STATUS:
            return status_label(row.status)
        if column == STAGE:
            return stage_label(row.stage)
        if column == OPENED:
            return format_date(row.opened)
        return ""

    def _page(self, *, offset: int) -> list[CaseRow]:
        assert self._session is not None
        return cases.list_cases(
            self._session, **self._filters, order=self._order, offset=offset, limit=PAGE
        )

    def _fail(self, exc: CasebookError) -> None:
        log.info("case_list.load_refused: %s", type(exc).__name__)
        self._error = user_message(exc)
        self.loadFailed.emit(self._error)
