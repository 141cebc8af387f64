"""The case list as a Qt table model, fetched a page at a time from services.cases.

Only the pages the view has scrolled to are held; the total comes from `count_cases`, so a
trust with tens of thousands of cases opens as fast as one with ten.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.dates import format_date
from desktop.domain.cases import CaseStatus, stage_label
from desktop.errors import CasebookError, user_message
from desktop.services import cases
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession

log = logging.getLogger(__name__)

PAGE = 100
COLUMNS = ("Reference", "Subject", "School(s)", "Status", "Stage", "Opened")
REFERENCE, SUBJECT, SCHOOLS, STATUS, STAGE, OPENED = range(len(COLUMNS))


def status_label(value: str) -> str:
    try:
        return CaseStatus(value).label
    except ValueError:
        return value.capitalize()


class CaseTableModel(QAbstractTableModel):
    """Cases matching the current filters, newest first."""

    loadFailed = Signal(str)  # plain-English reason the list could not be loaded
    totalChanged = Signal(int)  # how many cases match the filters

    def __init__(self, session: UserSession | None = None, parent=None):
        super().__init__(parent)
        self._session = session
        self._rows: list[CaseRow] = []
        self._total = 0
        self._filters: dict[str, object] = {"search": "", "school_id": None, "status": None}
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
    def filters(self) -> dict[str, object]:
        return dict(self._filters)

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
        failure = None
        if self._session is not None:
            try:
                total = cases.count_cases(self._session, **self._filters)
                first = cases.list_cases(self._session, **self._filters, offset=0, limit=PAGE)
            except CasebookError as exc:
                failure = exc
            else:
                self._total, self._rows = total, first
        self.endResetModel()
        if failure is not None:
            self._fail(failure)
        else:
            self.totalChanged.emit(self._total)

    def clear(self) -> None:
        """Drop every row and the session (on lock): nothing about a case stays in memory."""
        self.beginResetModel()
        self._rows, self._total, self._error = [], 0, ""
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
            page = cases.list_cases(
                self._session, **self._filters, offset=len(self._rows), limit=PAGE
            )
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

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignRight if section == OPENED else Qt.AlignmentFlag.AlignLeft
            return int(side | Qt.AlignmentFlag.AlignVCenter)
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

    def _fail(self, exc: CasebookError) -> None:
        log.info("case_list.load_refused: %s", type(exc).__name__)
        self._error = user_message(exc)
        self.loadFailed.emit(self._error)
