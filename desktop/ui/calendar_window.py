"""The calendar: reviews and deadlines by month, with the agenda beside it.

The month grid marks each day that has something due with how many items fall on it and
each kind's letter, in the kind's colour; a day with anything overdue is red, today is
outlined in blue. The agenda lists the day, week or month chosen, overdue items first (in
the month, every overdue item whatever its date: nothing late drops out of sight).
Enter or a double-click on an item says so through `open_item`, and the main window opens
its case where it is resolved; a subject access request opens the subject access window.

Each change of month or filter reads one six-week window (and whatever is overdue) off the
UI thread; what was read is kept while the window is open, and the months either side
are read ahead, so paging back and forth shows at once. "Export to calendar file…" saves
an `.ics` file through `desktop.services.due_export.export_ics` (audited; no names unless asked).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QRadioButton,
    QSplitter,
    QToolButton,
    QTreeView,
    QWidget,
)

from desktop.dates import uk_today
from desktop.domain.due import DueItem, DueKind, DueState, Place, day_marks
from desktop.domain.roles import Operation
from desktop.services import due, due_export
from desktop.services import trust as trust_service
from desktop.services.due import DueView
from desktop.services.due_export import ExportedCalendar
from desktop.ui.calendar_agenda import (
    AGENDA_WIDTHS,
    ITEM_ROLE,
    AgendaModel,
    Filters,
    Scope,
    agenda_items,
    heading_words,
    scope_range,
    view_for,
)
from desktop.ui.calendar_export import ExportDialog, choose_ics_path, exported_words
from desktop.ui.calendar_grid import (
    MonthGrid,
    MonthModel,
    add_months,
    fill_legend,
    month_start,
    month_words,
)
from desktop.ui.forms import child, load_form
from desktop.ui.icons import icon
from desktop.ui.labels import ALL_SCHOOLS, SAMPLE_TITLE
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Latest, ReadOp, WriteOp, changes
from desktop.ui.window_state import restore_layout, save_layout, window_state

log = logging.getLogger(__name__)

TITLE = "Calendar \u2014 reviews and deadlines"
STATE_KEY = "calendar_window"
LOADING = "Reading the calendar"
ALL_KINDS = "All kinds"
ANYONE = "Anyone"
NOBODY_RECORDED = "Nobody recorded"
KEPT_VIEWS = 24  # six-week windows kept while the window is open

Key = tuple[DueView, dt.date]  # what was read: the view, on the day it was read for


class CalendarWindow(QMainWindow):
    """The month grid, its key, and the agenda of the day, week or month chosen."""

    open_item = Signal(object)  # a DueItem: open its case where it is resolved
    loaded = Signal()  # the items of the month shown are on screen

    def __init__(self, session, parent=None, today: dt.date | None = None, *, state=None):
        super().__init__(parent)
        self.setObjectName("calendarWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowIcon(icon("casebook"))
        self.setWindowTitle(TITLE + (SAMPLE_TITLE if session.is_sample else ""))
        self.session = session
        self.fixed_today = today
        self.state = state if state is not None else window_state()
        self.day = self.today
        self.month = month_start(self.day)
        self.scope = Scope.MONTH
        self.filters = Filters()
        self.items: list[DueItem] = []
        self.export_dialog: ExportDialog | None = None
        self._kept: OrderedDict[Key, list[DueItem]] = OrderedDict()
        self._reading_ahead: set[Key] = set()
        self._generation = 0  # a refresh starts a new one: older reads are out of date
        self._latest = Latest()
        self._layout_restored = False
        self._build()
        self._connect_signals()
        self.resize(1240, 760)
        self._show_month()
        self._load_filters()
        self.reload()
        self.grid.setFocus()

    @property
    def today(self) -> dt.date:
        return self.fixed_today or uk_today()

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("calendarCentral")
        load_form("calendar_window", central)
        self.setCentralWidget(central)
        self.splitter = child(central, QSplitter, "calendarSplitter")
        self.previous_button = child(central, QToolButton, "previousButton")
        self.next_button = child(central, QToolButton, "nextButton")
        self.today_button = child(central, QPushButton, "todayButton")
        self.month_label = child(central, QLabel, "monthLabel")
        self.day_radio = child(central, QRadioButton, "dayRadio")
        self.week_radio = child(central, QRadioButton, "weekRadio")
        self.month_radio = child(central, QRadioButton, "monthRadio")
        self.school_combo = child(central, QComboBox, "schoolCombo")
        self.kind_combo = child(central, QComboBox, "kindCombo")
        self.owner_combo = child(central, QComboBox, "ownerCombo")
        self.heading = child(central, QLabel, "agendaHeading")
        self.agenda = child(central, QTreeView, "agendaView")
        self.open_button = child(central, QPushButton, "openButton")
        self.export_button = child(central, QPushButton, "exportButton")
        self.close_button = child(central, QPushButton, "closeButton")
        for label in (self.heading, self.month_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        for label, scale in ((self.month_label, 1.3), (self.heading, 1.0)):
            font = label.font()  # the system's size, scaled: a larger font stays larger
            font.setPointSizeF(font.pointSizeF() * scale)
            font.setBold(True)
            label.setFont(font)

        self.month_model = MonthModel(self.month, self.today, self)
        self.grid = MonthGrid(self.month_model)
        holder = child(central, QWidget, "gridHolder").layout()
        assert holder is not None
        holder.addWidget(self.grid)
        legend = child(central, QWidget, "legendBox").layout()
        assert isinstance(legend, QGridLayout)
        fill_legend(legend, self.devicePixelRatioF())

        self.agenda_model = AgendaModel(self)
        self.agenda.setModel(self.agenda_model)
        self.agenda.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.agenda.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(AGENDA_WIDTHS):
            header.resizeSection(column, width)

        self.scope_group = QButtonGroup(self)
        for radio, scope in (
            (self.day_radio, Scope.DAY),
            (self.week_radio, Scope.WEEK),
            (self.month_radio, Scope.MONTH),
        ):
            radio.setProperty("scope", scope.value)
            self.scope_group.addButton(radio)
        self.kind_combo.addItem(ALL_KINDS, None)
        for kind in DueKind:
            if kind is DueKind.SUBJECT_ACCESS and not self.session.can(Operation.SUBJECT_ACCESS):
                continue
            self.kind_combo.addItem(f"{kind.mark} \u2014 {kind.label}", kind.value)
        self.school_combo.addItem(ALL_SCHOOLS, None)
        self._fill_owners([])

        self.today_action = self._action("todayAction", "Go to &today", "Ctrl+Home")
        self.export_action = self._action("exportAction", "E&xport to calendar file…", "Ctrl+E")
        self.refresh_action = self._action("calendarRefreshAction", "&Refresh", "F5")
        self.close_action = self._action("closeCalendarAction", "Close", "Ctrl+W")
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.overdue_label = QLabel()
        self.overdue_label.setObjectName("overdueLabel")
        self.statusBar().addPermanentWidget(self.overdue_label)
        self.setTabOrder(self.grid, self.today_button)
        self.setTabOrder(self.today_button, self.day_radio)

    def _action(self, name: str, text: str, keys: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(action)
        return action

    def _connect_signals(self) -> None:
        self.grid.dayChosen.connect(self.choose_day)
        self.grid.dayOpened.connect(self.open_day)
        self.previous_button.clicked.connect(lambda: self.choose_day(add_months(self.day, -1)))
        self.next_button.clicked.connect(lambda: self.choose_day(add_months(self.day, 1)))
        self.today_button.clicked.connect(self.go_today)
        self.today_action.triggered.connect(self.go_today)
        self.scope_group.buttonToggled.connect(self._scope_toggled)
        for combo in (self.school_combo, self.kind_combo, self.owner_combo):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.agenda.activated.connect(self._activated)  # Enter, double-click
        self.agenda.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.agenda_model.modelReset.connect(self._update_buttons)
        self.open_button.clicked.connect(self.open_current)
        self.export_button.clicked.connect(self.export_calendar)
        self.export_action.triggered.connect(self.export_calendar)
        self.refresh_action.triggered.connect(self.refresh)
        self.close_button.clicked.connect(self.close)
        self.close_action.triggered.connect(self.close)
        self._escape.activated.connect(self.close)
        changes().changed.connect(self._changed)

    # -- moving about ---------------------------------------------------------------------
    def choose_day(self, day: dt.date) -> None:
        """Put the cursor on `day`; another month is shown (and read) when it is in one."""
        self.day = day
        if month_start(day) != self.month:
            self.month = month_start(day)
            self.month_model.set_month(self.month)
            self._show_month()
            self.reload()
            return
        self.grid.show_day(day)
        if self.scope is not Scope.MONTH:
            self._show_agenda()

    def open_day(self, day: dt.date) -> None:
        """Enter or a double-click on a day: list just that day."""
        self.choose_day(day)
        self.day_radio.setChecked(True)

    def go_today(self) -> None:
        self.choose_day(self.today)
        self.grid.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_month(self) -> None:
        self.month_label.setText(month_words(self.month))
        self.grid.show_day(self.day)

    def _scope_toggled(self, button, checked: bool) -> None:
        if checked:
            self.scope = Scope(button.property("scope"))
            self._show_agenda()

    def _filters_changed(self, *_args) -> None:
        kind = self.kind_combo.currentData()
        self.filters = Filters(
            school_id=self.school_combo.currentData(),
            kind=DueKind(kind) if kind else None,
            owner=self.owner_combo.currentData(),
        )
        self.reload()

    # -- reading --------------------------------------------------------------------------
    def _key(self, month: dt.date | None = None) -> Key:
        return view_for(month or self.month, self.filters), self.today

    def reload(self) -> None:
        """Show the month's items: at once if they were read already, else read them."""
        if self.session.closed:
            return
        key = self._key()
        kept = self._kept.get(key)
        if kept is not None:
            self._latest.drop_all()  # an older read still running is not wanted now
            self._show_items(key, kept)
            return
        if key in self._reading_ahead:
            return  # being read ahead already: shown when it comes
        self._read([key], self._latest)

    def refresh(self) -> None:
        """Everything read afresh (F5, or after a change elsewhere)."""
        self._generation += 1  # what is being read now may be out of date when it comes
        self._kept.clear()
        self._reading_ahead.clear()
        self._load_filters()
        self.reload()

    def _arrived(self, found: list[tuple[Key, list[DueItem]]], generation: int) -> None:
        if generation != self._generation:
            return
        for key, items in found:
            self._reading_ahead.discard(key)
            self._kept[key] = items
            self._kept.move_to_end(key)
            if key == self._key():
                self._show_items(key, items)
        while len(self._kept) > KEPT_VIEWS:
            self._kept.popitem(last=False)

    def _read_ahead(self) -> None:
        """Read the months either side, so Page Up and Page Down show them at once."""
        if self.session.closed:
            return
        for step in (1, -1):
            key = self._key(add_months(self.month, step))
            if key in self._kept or key in self._reading_ahead:
                continue
            self._reading_ahead.add(key)
            self._read([key])

    def _read(self, keys: list[Key], latest: Latest | None = None) -> None:
        generation = self._generation

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._reading_ahead.difference_update(keys)
            if self._key() in keys:
                Messenger.error(self, exc)

        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: [(k, due.due_items(job.session, view=k[0], today=k[1])) for k in keys],
            success=lambda found: self._arrived(found, generation),
            failure=failed,
            progress=LOADING,
            latest=latest,
        ).start()

    def _show_items(self, key: Key, items: list[DueItem]) -> None:
        self.items = items
        still_open = [i for i in items if i.state is not DueState.DONE]
        self.month_model.set_marks(day_marks(still_open), key[1])
        self._show_agenda()
        late = sum(1 for i in items if i.state is DueState.OVERDUE)
        self.overdue_label.setText(f"{late:,} overdue in all" if late else "Nothing overdue")
        self.loaded.emit()
        self._read_ahead()

    def _load_filters(self) -> None:
        if self.session.closed:
            return
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: (trust_service.list_schools(job.session), due.owners(job.session)),
            success=self._fill_filters,
            progress=LOADING,
        ).start()

    def _fill_filters(self, found) -> None:
        schools, owners = found
        combo = self.school_combo
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL_SCHOOLS, None)
        for school in schools:
            combo.addItem(school.name, school.id)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        combo.blockSignals(False)
        self._fill_owners(owners)
        if combo.currentData() != self.filters.school_id:
            self._filters_changed()  # the school chosen has gone from the list

    def _fill_owners(self, owners: list[str]) -> None:
        combo = self.owner_combo
        chosen = combo.currentData() if combo.count() else None
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ANYONE, None)
        combo.addItem(NOBODY_RECORDED, "")
        for name in owners:
            combo.addItem(name, name)
        found = combo.findData(chosen) if chosen is not None else 0
        if found < 0 and chosen:
            combo.addItem(chosen, chosen)  # still chosen, though their tasks are done
            found = combo.count() - 1
        combo.setCurrentIndex(max(0, found))
        combo.blockSignals(False)

    def _changed(self, what: str) -> None:
        if what == Change.CASES and not self.session.closed:
            self.refresh()

    # -- the agenda -----------------------------------------------------------------------
    def _show_agenda(self) -> None:
        current = self.current_item()
        listed = agenda_items(self.items, self.scope, self.day, self.month)
        self.agenda_model.set_items(listed)
        self.month_model.set_span(
            scope_range(self.scope, self.day, self.month) if self.scope is Scope.WEEK else None
        )
        self.heading.setText(heading_words(self.scope, self.day, self.month, listed))
        row = self.agenda_model.row_of(current.uid_key) if current is not None else -1
        if listed:
            index = self.agenda_model.index(max(row, 0), 0)
            self.agenda.selectionModel().setCurrentIndex(
                index,
                self.agenda.selectionModel().SelectionFlag.ClearAndSelect
                | self.agenda.selectionModel().SelectionFlag.Rows,
            )
            self.agenda.scrollTo(index)
        self._update_buttons()

    def current_item(self) -> DueItem | None:
        index = self.agenda.currentIndex()
        return index.data(ITEM_ROLE) if index.isValid() else None

    def _update_buttons(self, *_args) -> None:
        self.open_button.setEnabled(self.current_item() is not None)

    def _activated(self, index) -> None:
        item = index.data(ITEM_ROLE)
        if item is not None:
            self._open(item)

    def open_current(self) -> None:
        item = self.current_item()
        if item is not None:
            self._open(item)

    def _open(self, item: DueItem) -> None:
        """A subject access request opens its own window; anything else, its case."""
        if item.place is Place.SUBJECT_ACCESS:
            from desktop.ui.subject_access_window import open_subject_access

            open_subject_access(self, self.session, request_id=item.target_id)
            return
        self.open_item.emit(item)

    # -- export ---------------------------------------------------------------------------
    def export_calendar(self) -> None:
        """Ask how far ahead and whether to include names, then where, then save."""
        if self.export_dialog is not None:
            self.export_dialog.raise_()
            return
        dialog = ExportDialog(self)
        self.export_dialog = dialog
        dialog.accepted.connect(lambda: self._export(dialog.days, dialog.with_names))
        dialog.finished.connect(self._export_dialog_closed)
        dialog.open()

    def _export_dialog_closed(self, _result: int) -> None:
        if self.export_dialog is not None:
            self.export_dialog.deleteLater()
        self.export_dialog = None

    def _export(self, days: int, with_names: bool) -> None:
        path = choose_ics_path(self)
        if path is None:
            return
        today = self.fixed_today
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: due_export.export_ics(
                job.session, to=path, days=days, with_names=with_names, today=today
            ),
            success=self._exported,
            progress="Saving the calendar file",
        ).start()

    def _exported(self, result: ExportedCalendar) -> None:
        log.info("calendar.exported events=%d names=%s", result.events, result.with_names)
        self.statusBar().showMessage(f"Calendar file saved: {result.path}", 8000)
        Messenger.info(self, "Calendar file saved", exported_words(result))

    # -- Qt events ------------------------------------------------------------------------
    def showEvent(self, event):
        if not self._layout_restored:
            self._layout_restored = True
            restore_layout(self.state, STATE_KEY, self, self.agenda.header())
            splitter = self.state.value(f"{STATE_KEY}/splitter")
            if not (splitter and self.splitter.restoreState(splitter)):
                self.splitter.setSizes([480, 760])
        super().showEvent(event)

    def closeEvent(self, event):
        if self._layout_restored:
            self.state.setValue(f"{STATE_KEY}/splitter", self.splitter.saveState())
            save_layout(self.state, STATE_KEY, self, self.agenda.header())
        if self.export_dialog is not None:
            self.export_dialog.reject()
        super().closeEvent(event)
