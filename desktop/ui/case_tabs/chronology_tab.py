"""The case window's Chronology tab: every entry in date order, court-safe.

Entries are listed as they stand now, marked where they were edited; History shows every
version. Enter (or a double-click) corrects the selected entry: an incident's entry opens
the incident itself, so the incident and its entry never disagree. Ctrl+E exports the
chronology as a PDF for the legal team.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_datetime
from desktop.domain.chronology import EventKind
from desktop.domain.roles import Operation
from desktop.services import chronology, incidents
from desktop.services.chronology import EventRow
from desktop.services.session import UserSession
from desktop.ui.chronology_dialogs import EventDialog, HistoryDialog
from desktop.ui.incident_dialog import IncidentDialog
from desktop.ui.messages import Messenger
from desktop.ui.operations import Latest, ReadOp, WriteOp


def edited_marker(row: EventRow) -> str:
    return f"Edited ({row.version} versions)" if row.edited else ""


class ChronologyTab(QWidget):
    title = "&Chronology"
    changed = Signal()
    loaded = Signal()  # after each reload has filled the table
    HEADERS = ("Date", "Kind", "Summary", "Recorded by", "Edited")

    def __init__(self, session: UserSession, case_id: int, parent=None):
        super().__init__(parent)
        self.session, self.case_id = session, case_id
        self.setObjectName("chronologyTab")
        self.events: list[EventRow] = []
        self.export_name = "chronology.pdf"
        self._latest = Latest()
        self._build()
        self._connect_signals()
        self._update_buttons()
        self.reload()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("kindFilter")
        self.kind_filter.setAccessibleName("Show entries of kind")
        self.kind_filter.addItem("All entries", None)
        for kind in EventKind:
            self.kind_filter.addItem(kind.label, kind.value)
        show = QLabel("Sho&w:")
        show.setBuddy(self.kind_filter)
        self.add_button = self._button("addEntryButton", "&Add entry…", "Add a chronology entry")
        self.edit_button = self._button("editEntryButton", "E&dit…", "Correct the selected entry")
        self.history_button = self._button("historyButton", "Hi&story…", "Every version")
        self.export_button = self._button("exportButton", "E&xport PDF…", "Export as PDF")
        self.export_button.setToolTip("Export the chronology as a PDF for the legal team (Ctrl+E)")
        self.edit_button.setToolTip("Correct the selected entry (Enter); the old version stays")

        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("eventsTable")
        self.table.setAccessibleName("Chronology entries")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.empty_note = QLabel(
            "Nothing is recorded yet. Add an entry, or record an incident on the Incidents tab."
        )
        self.empty_note.setObjectName("emptyNote")
        self.empty_note.setWordWrap(True)
        self.empty_note.hide()
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("eventDetail")
        self.detail.setAccessibleName("The selected entry in full")
        self.detail.setReadOnly(True)
        self.detail.setTabChangesFocus(True)

        bar = QHBoxLayout()
        bar.addWidget(show)
        bar.addWidget(self.kind_filter)
        bar.addStretch(1)
        for button in (self.add_button, self.edit_button, self.history_button):
            bar.addWidget(button)
        bar.addWidget(self.export_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("chronologySplitter")
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.empty_note)
        layout.addWidget(split, 1)
        for first, second in (
            (self.kind_filter, self.add_button),
            (self.add_button, self.edit_button),
            (self.edit_button, self.history_button),
            (self.history_button, self.export_button),
            (self.export_button, self.table),
            (self.table, self.detail),
        ):
            QWidget.setTabOrder(first, second)

    def _button(self, name: str, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        return button

    def _connect_signals(self) -> None:
        self.kind_filter.currentIndexChanged.connect(lambda _index: self.reload())
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button.clicked.connect(self.edit_entry)
        self.history_button.clicked.connect(self.show_history)
        self.export_button.clicked.connect(self.export_pdf)
        self.table.activated.connect(lambda _index: self.edit_entry())  # Enter, double-click
        self.table.currentCellChanged.connect(lambda *_: self._selection_changed())
        export = QShortcut(QKeySequence("Ctrl+E"), self)
        export.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        export.activated.connect(self.export_pdf)
        history = QShortcut(QKeySequence("Ctrl+H"), self)
        history.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        history.activated.connect(self.show_history)

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the entries again (of the kind chosen), keeping the selected one selected."""
        case_id, kind = self.case_id, self.kind_filter.currentData()

        def run(job):
            name = chronology.export_filename(job.session, case_id=case_id)
            kinds = None if kind is None else [kind]
            return name, chronology.list_events(job.session, case_id=case_id, kinds=kinds)

        ReadOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._show,
            latest=self._latest,
            progress="Reading the chronology",
        ).start()

    def _show(self, result: tuple[str, list[EventRow]]) -> None:
        self.export_name, events = result
        keep = self.current_event()
        self.events = events
        self.table.setRowCount(len(events))
        for row, event in enumerate(events):
            values = (
                format_datetime(event.occurred_at),
                event.kind_label,
                event.summary,
                f"{event.recorded_by}, {format_datetime(event.recorded_at)}",
                edited_marker(event),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 2 and event.detail:
                    item.setToolTip(event.detail[:500])
                if column == 4 and event.edited:
                    item.setToolTip(
                        f"Last corrected by {event.edited_by}, "
                        f"{format_datetime(event.edited_at)}. See History for every version."
                    )
                self.table.setItem(row, column, item)
        self.empty_note.setVisible(not events and self.kind_filter.currentData() is None)
        again = [i for i, e in enumerate(events) if keep and e.root_id == keep.root_id]
        if again:
            self.table.setCurrentCell(again[0], 0)
        elif events:
            self.table.setCurrentCell(0, 0)
        self._selection_changed()
        self.loaded.emit()

    def current_event(self) -> EventRow | None:
        row = self.table.currentRow()
        return self.events[row] if 0 <= row < len(self.events) else None

    def select_entry(self, root_id: int) -> None:
        for row, event in enumerate(self.events):
            if event.root_id == root_id:
                self.table.setCurrentCell(row, 0)
                return

    def _selection_changed(self) -> None:
        event = self.current_event()
        if event is None:
            self.detail.clear()
        else:
            lines = [
                f"{format_datetime(event.occurred_at)} · {event.kind_label}",
                f"Recorded by {event.recorded_by}, {format_datetime(event.recorded_at)}",
            ]
            if event.edited:
                lines.append(
                    f"{edited_marker(event)}: last corrected by {event.edited_by}, "
                    f"{format_datetime(event.edited_at)}"
                )
            lines += ["", event.summary]
            if event.detail:
                lines += ["", event.detail]
            self.detail.setPlainText("\n".join(lines))
        self._update_buttons()

    def _update_buttons(self) -> None:
        can_edit = self.session.can(Operation.EDIT_CASES)
        chosen = self.current_event() is not None
        self.add_button.setEnabled(can_edit)
        self.edit_button.setEnabled(can_edit and chosen)
        self.history_button.setEnabled(chosen)

    # -- actions ----------------------------------------------------------------------------
    def add_entry(self) -> None:
        if not self.add_button.isEnabled():
            return
        self._open(EventDialog(self.session, self.case_id, None, self))

    def edit_entry(self) -> None:
        event = self.current_event()
        if event is None or not self.edit_button.isEnabled():
            return
        if event.incident_id is None:
            self._open(EventDialog(self.session, self.case_id, event, self))
            return
        incident_id = event.incident_id
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: incidents.get_incident(job.session, incident_id=incident_id),
            success=lambda row: self._open(IncidentDialog(self.session, self.case_id, row, self)),
            progress="Reading the incident",
        ).start()

    def _open(self, dialog) -> None:
        dialog.accepted.connect(self._saved)
        dialog.finished.connect(self._back_from_dialog)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _back_from_dialog(self) -> None:
        """The keyboard comes back to the list the dialog was opened from."""
        self.window().activateWindow()
        self.table.setFocus()

    def _saved(self) -> None:
        self.reload()
        self.changed.emit()

    def show_history(self) -> None:
        event = self.current_event()
        if event is None:
            return
        dialog = HistoryDialog(self.session, event, self)
        dialog.finished.connect(self._back_from_dialog)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def export_pdf(self) -> None:
        path = Messenger.save_path(
            self, "Export the chronology", self.export_name, "PDF documents (*.pdf)"
        )
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        case_id = self.case_id

        def run(job) -> Path:
            data = chronology.chronology_pdf(job.session, case_id=case_id)
            path.write_bytes(data)
            return path

        self.export_button.setEnabled(False)
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=lambda saved: Messenger.info(
                self, "Chronology exported", f"The chronology was saved as {saved}."
            ),
            done=lambda: self.export_button.setEnabled(True),
            progress="Exporting the chronology",
        ).start()
