"""The case list as a Qt table model, fetched a page at a time from services.cases.

Only the pages the view has scrolled to are held; the total comes from `count_cases`, so a
trust with tens of thousands of cases opens as fast as one with ten. Every load runs off the
UI thread (a `ReadOp`): the rows already shown stay until the new ones arrive, and a load
overtaken by a newer one (the person typed again) is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.dates import format_date
from desktop.domain.cases import CaseStatus, stage_label
from desktop.errors import user_message
from desktop.services import cases
from desktop.services.cases import NEWEST_FIRST, CaseOrder, CaseRow, CaseSort
from desktop.services.session import UserSession
from desktop.ui.operations import Change, Job, Latest, ReadOp, changes

log = logging.getLogger(__name__)

PAGE = 100
LOADING = "Loading cases"
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
    """The domain's label for a stored status; a value from a newer version is shown as is."""
    try:
        return CaseStatus(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


class CaseFilters(TypedDict):
    """The case list's search and filters, as the cases service takes them."""

    search: str
    school_id: int | None
    status: str | None


@dataclass(frozen=True)
class FirstPage:
    """What a (re)load brings back: the count, the first page, and whether any case exists."""

    total: int
    rows: list[CaseRow]
    any_cases: bool


def load_first_page(session: UserSession, filters: CaseFilters, order: CaseOrder) -> FirstPage:
    """The reads a new filter, search or sort needs (on a pool thread)."""
    total = cases.count_cases(session, **filters)
    rows = cases.list_cases(session, **filters, order=order, offset=0, limit=PAGE)
    return FirstPage(total, rows, bool(total) or cases.has_cases(session))


def load_page(
    session: UserSession, filters: CaseFilters, order: CaseOrder, offset: int
) -> list[CaseRow]:
    return cases.list_cases(session, **filters, order=order, offset=offset, limit=PAGE)


class CaseTableModel(QAbstractTableModel):
    """Cases matching the current filters, newest first until the view asks for another order.

    Sorting is the service's job (in SQL), so every page fetched follows on from the last.
    It reloads itself when a write announces that cases changed.
    """

    loadFailed = Signal(str)  # plain-English reason the list could not be loaded
    totalChanged = Signal(int)  # how many cases match the filters
    loaded = Signal()  # a load (the first page or the next) has been shown, or has failed

    def __init__(self, session: UserSession | None = None, parent=None):
        super().__init__(parent)
        self._session = session
        self._rows: list[CaseRow] = []
        self._total = 0
        self._filters: CaseFilters = {"search": "", "school_id": None, "status": None}
        self._order: CaseOrder = NEWEST_FIRST
        self._any_cases = False
        self._error = ""
        self._latest = Latest()  # only the newest load is shown
        self._loading = False
        changes().changed.connect(self._changed)

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

    @property
    def loading(self) -> bool:
        """A load is on its way; the rows shown are the previous ones until it arrives."""
        return self._loading

    def set_session(self, session: UserSession | None) -> None:
        self._session = session

    def set_filters(
        self, *, search: str = "", school_id: int | None = None, status: str | None = None
    ) -> None:
        """Start again from the first page with new filters."""
        self._filters = {"search": search.strip(), "school_id": school_id, "status": status or None}
        self.refresh()

    def refresh(self) -> None:
        """Reload the count and the first page with the current filters, off the UI thread."""
        if self._session is None:
            self._latest.drop_all()
            self._loading = False
            self._show_first_page(FirstPage(0, [], False))
            return
        filters, order = self.filters, self._order
        self._load(lambda job: load_first_page(job.session, filters, order), self._show_first_page)

    def _load(self, run: Callable[[Job], Any], success: Callable[[Any], None]) -> None:
        """One read of the list off the UI thread; only the newest one's rows are shown."""
        self._loading = True
        ReadOp(
            parent=self,
            session=self._session,
            run=run,
            done=self._load_ended,
            success=success,
            failure=self._refused,
            progress=LOADING,
            latest=self._latest,
        ).start()

    def clear(self) -> None:
        """Drop every row and the session (on lock): nothing about a case stays in memory."""
        self._latest.drop_all()
        self._loading = False
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
        if parent.isValid() or self._session is None or self._loading:
            return False
        return len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()):  # noqa: B008
        """Ask for the next page; it is appended when it arrives."""
        if not self.canFetchMore(parent):
            return
        filters, order, offset = self.filters, self._order, len(self._rows)
        self._load(lambda job: load_page(job.session, filters, order, offset), self._append_page)

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

    # -- results, on the UI thread -------------------------------------------------------
    def _load_ended(self) -> None:
        self._loading = False

    def _show_first_page(self, page: FirstPage) -> None:
        self.beginResetModel()
        self._rows, self._total, self._any_cases, self._error = (
            page.rows,
            page.total,
            page.any_cases,
            "",
        )
        self.endResetModel()
        self.totalChanged.emit(self._total)
        self.loaded.emit()

    def _append_page(self, page: list[CaseRow]) -> None:
        if not page:  # cases were removed since the count: stop asking
            self._total = len(self._rows)
            self.totalChanged.emit(self._total)
        else:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        self.loaded.emit()

    def _refused(self, exc: BaseException) -> None:
        """A refusal (a role that may not see cases) or a file problem: say why, show nothing."""
        log.info("case_list.load_refused: %s", type(exc).__name__)
        self.beginResetModel()
        self._rows, self._total, self._any_cases = [], 0, False
        self._error = user_message(exc)
        self.endResetModel()
        self.loadFailed.emit(self._error)
        self.loaded.emit()

    def _changed(self, what: str) -> None:
        if what == Change.CASES and self._session is not None:
            self.refresh()
