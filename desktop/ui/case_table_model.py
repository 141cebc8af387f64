"""The case list as a Qt table model, fetched a page at a time from services.case_list.

Only the pages the view has scrolled to are held; the count and first page come from
`case_list.first_page`, so a trust with tens of thousands of cases opens as fast as one
with ten. A search is counted only up to `cases.COUNT_CAP` ("More than 1,000 cases":
`total_exact` is False); scrolling on past that fetches until a page comes back short,
which gives the count. Every load runs off the UI thread (a `ReadOp`): the rows already
shown stay until the new ones arrive, and a load overtaken by a newer one (the person
typed again) is dropped. Each page brings its cases' next due items with it, read in the
same transaction (the "Next due" column), never the whole table's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from desktop.dates import format_date
from desktop.domain.cases import CaseStatus, stage_label
from desktop.domain.due import DueItem, DueKind, DueState
from desktop.errors import user_message
from desktop.services import case_list
from desktop.services.case_list import FirstPage, ListPage
from desktop.services.case_order import CaseOrder, CaseSort
from desktop.services.cases import COUNT_CAP, CaseQuery, CaseRow
from desktop.services.session import UserSession
from desktop.ui.operations import Change, Job, Latest, ReadOp, changes

log = logging.getLogger(__name__)

PAGE = 100
LOADING = "Loading cases"
# "Next due" comes last, so a header state saved before it existed still fits.
COLUMNS = ("Reference", "Subject", "School(s)", "Status", "Stage", "Opened", "Next due")
REFERENCE, SUBJECT, SCHOOLS, STATUS, STAGE, OPENED, NEXT_DUE = range(len(COLUMNS))
SORT_KEYS = (
    CaseSort.REFERENCE,
    CaseSort.SUBJECT,
    CaseSort.SCHOOL,
    CaseSort.STATUS,
    CaseSort.STAGE,
    CaseSort.OPENED,
    CaseSort.NEXT_DUE,
)
LATE = QColor(176, 0, 32)  # overdue: red, and the words say so too
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ROLES_USED = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
    }
)
ENDED = {DueKind.BAR_END: "Bar", DueKind.PLAN_END: "Communication plan"}


def status_label(value: str) -> str:
    """The domain's label for a stored status; a value from a newer version is shown as is."""
    try:
        return CaseStatus(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


def next_due_text(item: DueItem | None) -> str:
    """The "Next due" cell: "Overdue: Bar review (20/04/2026)", "Review overdue: Bar ended
    30/06/2026" (past its end without its review), "Today: Task due", "03/12/2026 Bar ends",
    or nothing when nothing is open."""
    if item is None:
        return ""
    when = format_date(item.date)
    if item.state is DueState.OVERDUE:
        if item.kind in ENDED:
            return f"Review overdue: {ENDED[item.kind]} ended {when}"
        return f"Overdue: {item.kind.label} ({when})"
    if item.state is DueState.DUE_TODAY:
        return f"Today: {item.kind.label}"
    return f"{when} {item.kind.label}"


def next_due_tip(item: DueItem | None) -> str:
    """What the item is and what settles it, for the cell's tooltip."""
    if item is None:
        return "Nothing is due on this case."
    lines = [f"{item.title}: {format_date(item.date)}", item.resolves + "."]
    if item.owner:
        lines.append(f"Owner: {item.owner}")
    return "\n".join(lines)


def load_first_page(session: UserSession, query: CaseQuery, count_up_to: int) -> FirstPage:
    """The reads a new filter, search or sort needs (on a pool thread)."""
    return case_list.first_page(session, query, limit=PAGE, count_up_to=count_up_to)


def load_page(session: UserSession, query: CaseQuery, offset: int) -> ListPage:
    return case_list.next_page(session, query, offset=offset, limit=PAGE)


class CaseTableModel(QAbstractTableModel):
    """Cases matching the current filters, newest first until the view asks for another order.

    Sorting is the service's job (in SQL), so every page fetched follows on from the last.
    It reloads itself when a write announces that cases changed.
    """

    loadFailed = Signal(str)  # plain-English reason the list could not be loaded
    totalChanged = Signal(int)  # how many cases match the filters
    loaded = Signal()  # a load (the first page or the next) has been shown, or has failed

    def __init__(
        self, session: UserSession | None = None, parent=None, *, count_up_to: int = COUNT_CAP
    ):
        super().__init__(parent)
        self._session = session
        self._count_up_to = count_up_to  # how far a search is counted
        self._rows: list[CaseRow] = []
        self._due: dict[int, DueItem] = {}  # the loaded rows' next due items, by case id
        self._total = 0
        self._exact = True  # False: more than `_total` match (a search's count stops there)
        self._query = CaseQuery()  # the search, the filters and the order (newest first)
        self._any_cases = False
        self._error = ""
        self._latest = Latest()  # only the newest load is shown
        self._loading = False
        changes().changed.connect(self._changed)

    # -- what the window calls -----------------------------------------------------------
    @property
    def total(self) -> int:
        """How many cases match; when `total_exact` is False, more than this many do."""
        return self._total

    @property
    def total_exact(self) -> bool:
        return self._exact

    @property
    def error(self) -> str:
        """Why the last load failed, or an empty string."""
        return self._error

    @property
    def order(self) -> CaseOrder:
        return self._query.order

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
        self,
        *,
        search: str = "",
        school_id: int | None = None,
        status: str | None = None,
        needs_attention: bool | None = None,
    ) -> None:
        """Start again from the first page with new filters; `needs_attention` None keeps
        the current choice (the window's search and drop-downs leave it as it is)."""
        if needs_attention is None:
            needs_attention = self._query.needs_attention
        self._query = replace(
            self._query,
            search=search.strip(),
            school_id=school_id,
            status=status or None,
            needs_attention=needs_attention,
        )
        self.refresh()

    @property
    def needs_attention(self) -> bool:
        return self._query.needs_attention

    def set_needs_attention(self, on: bool) -> None:
        """Show only the cases with something overdue or due within a week, or every case."""
        if on != self._query.needs_attention:
            self._query = replace(self._query, needs_attention=on)
            self.refresh()

    def refresh(self) -> None:
        """Reload the count and the first page with the current filters, off the UI thread."""
        if self._session is None:
            self._latest.drop_all()
            self._loading = False
            self._show_first_page(FirstPage([], {}))
            return
        query, up_to = self._query, self._count_up_to
        self._load(lambda job: load_first_page(job.session, query, up_to), self._show_first_page)

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
        self._rows, self._due, self._total, self._error = [], {}, 0, ""
        self._any_cases, self._exact = False, True
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
        return len(self._rows) < self._total or not self._exact

    def fetchMore(self, parent=QModelIndex()):  # noqa: B008
        """Ask for the next page; it is appended when it arrives."""
        if not self.canFetchMore(parent):
            return
        query, offset = self._query, len(self._rows)
        self._load(lambda job: load_page(job.session, query, offset), self._append_page)

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        """Called by the view when a header is clicked: reload from the first page."""
        if not 0 <= column < len(COLUMNS):
            return
        wanted = CaseOrder(SORT_KEYS[column], descending=order == Qt.SortOrder.DescendingOrder)
        if wanted != self._query.order:
            self._query = replace(self._query, order=wanted)
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
        # Painting a page asks every visible cell for a dozen roles: the rest go at once.
        if role not in ROLES_USED or not index.isValid():
            return None
        at = index.row()
        if not 0 <= at < len(self._rows):
            return None
        row, column = self._rows[at], index.column()
        if column == NEXT_DUE:
            return self._due_data(self._due.get(row.id), role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == SCHOOLS:
            return "\n".join(row.schools)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == OPENED:
            return RIGHT_ALIGNED
        return None

    @staticmethod
    def _due_data(item: DueItem | None, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return next_due_text(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return next_due_tip(item)
        if role == Qt.ItemDataRole.ForegroundRole and item and item.state is DueState.OVERDUE:
            return QBrush(LATE)
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
        self._rows, self._due, self._total, self._exact, self._any_cases, self._error = (
            page.rows,
            dict(page.due),
            page.total,
            page.exact,
            page.any_cases,
            "",
        )
        self.endResetModel()
        self.totalChanged.emit(self._total)
        self.loaded.emit()

    def _append_page(self, page: ListPage) -> None:
        if page.rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self._due.update(page.due)
            self.endInsertRows()
        # A short page is the last: its end gives the count a search did not finish (or
        # cases were removed since the count); either way, stop asking.
        if len(page.rows) < PAGE and (not self._exact or len(self._rows) < self._total):
            self._total, self._exact = len(self._rows), True
            self.totalChanged.emit(self._total)
        self.loaded.emit()

    def _refused(self, exc: BaseException) -> None:
        """A refusal (a role that may not see cases) or a file problem: say why, show nothing."""
        log.info("case_list.load_refused: %s", type(exc).__name__)
        self.beginResetModel()
        self._rows, self._due, self._total, self._any_cases = [], {}, 0, False
        self._exact = True
        self._error = user_message(exc)
        self.endResetModel()
        self.loadFailed.emit(self._error)
        self.loaded.emit()

    def _changed(self, what: str) -> None:
        if what == Change.CASES and self._session is not None:
            self.refresh()
