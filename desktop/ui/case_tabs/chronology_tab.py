"""The case window's Chronology tab: every entry in date order, court-safe.

Entries are listed as they stand now, marked where they were edited; History shows every
version. Enter (or a double-click) corrects the selected entry: an incident's entry opens
the incident itself, so the incident and its entry never disagree; a letter's entry opens
the letter as it was issued (View letter). Ctrl+E exports the chronology as a PDF for the
legal team.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QTableWidgetItem,
)

from desktop.dates import format_datetime
from desktop.domain.chronology import EventKind
from desktop.domain.roles import Operation
from desktop.services import chronology, incidents
from desktop.services.chronology import EventRow
from desktop.services.session import UserSession
from desktop.ui.case_tabs.common import (
    CaseTab,
    button_row,
    chain_tab_order,
    detail_pane,
    empty_note,
    list_table,
    make_button,
    restore_selection,
    row_at,
    stack,
    vertical_split,
)
from desktop.ui.chronology_dialogs import EventDialog, HistoryDialog
from desktop.ui.dialog_parts import combo_box
from desktop.ui.incident_dialog import IncidentDialog
from desktop.ui.letter_viewer import show_letter
from desktop.ui.messages import Messenger
from desktop.ui.operations import ReadOp, WriteOp


def edited_marker(row: EventRow) -> str:
    return f"Edited ({row.version} versions)" if row.edited else ""


class ChronologyTab(CaseTab):
    title = "&Chronology"
    HEADERS = ("Date", "Kind", "Summary", "Recorded by", "Edited")

    def __init__(self, session: UserSession, case_id: int, parent=None):
        super().__init__(session, case_id, "chronologyTab", parent)
        self.events: list[EventRow] = []
        self.export_name = "chronology.pdf"
        self._start()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_filter = combo_box("kindFilter", "Show entries of kind")
        self.kind_filter.addItem("All entries", None)
        for kind in EventKind:
            self.kind_filter.addItem(kind.label, kind.value)
        show = QLabel("Sho&w:")
        show.setBuddy(self.kind_filter)
        self.add_button = make_button("addEntryButton", "&Add entry…", "Add a chronology entry")
        self.edit_button = make_button(
            "editEntryButton",
            "E&dit…",
            "Correct the selected entry",
            "Correct the selected entry (Enter); the old version stays",
        )
        self.history_button = make_button("historyButton", "Hi&story…", "Every version")
        self.letter_button = make_button(
            "viewLetterButton",
            "View &letter…",
            "Open the selected entry's letter",
            "Open the letter as it was issued: print it or save a copy (Enter)",
        )
        self.export_button = make_button(
            "exportButton",
            "E&xport PDF…",
            "Export as PDF",
            "Export the chronology as a PDF for the legal team (Ctrl+E)",
        )
        self.table = list_table("eventsTable", "Chronology entries", self.HEADERS, 2)
        self.empty_note = empty_note(
            "Nothing is recorded yet. Add an entry, or record an incident on the Incidents tab."
        )
        self.detail = detail_pane("eventDetail", "The selected entry in full")

        bar = button_row(
            self.add_button,
            self.edit_button,
            self.history_button,
            self.letter_button,
            self.export_button,
            lead=(show, self.kind_filter),
        )
        split = vertical_split("chronologySplitter", (self.table, 3), (self.detail, 1))
        stack(self, bar, self.empty_note, main=split)
        chain_tab_order(
            self.kind_filter,
            self.add_button,
            self.edit_button,
            self.history_button,
            self.letter_button,
            self.export_button,
            self.table,
            self.detail,
        )

    def _connect_signals(self) -> None:
        self.kind_filter.currentIndexChanged.connect(lambda _index: self.reload())
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button.clicked.connect(self.edit_entry)
        self.history_button.clicked.connect(self.show_history)
        self.letter_button.clicked.connect(self.view_letter)
        self.export_button.clicked.connect(self.export_pdf)
        self.table.activated.connect(lambda _index: self._activated())  # Enter, double-click
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

        self._read(run, "Reading the chronology")

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
        keys = [e.root_id for e in events]
        restore_selection(self.table, keys, None if keep is None else keep.root_id)
        self._selection_changed()
        self.loaded.emit()

    def current_event(self) -> EventRow | None:
        return row_at(self.table, self.events)

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
        event = self.current_event()
        self.letter_button.setEnabled(event is not None and event.letter_id is not None)

    # -- actions ----------------------------------------------------------------------------
    def _activated(self) -> None:
        event = self.current_event()
        if event is not None and event.letter_id is not None:
            self.view_letter()
        else:
            self.edit_entry()

    def view_letter(self) -> None:
        """The selected entry's letter as it was issued, in a window of its own."""
        event = self.current_event()
        if event is not None and event.letter_id is not None:
            show_letter(self.session, event.letter_id, self)

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

    def show_history(self) -> None:
        event = self.current_event()
        if event is None:
            return
        self._show_dialog(HistoryDialog(self.session, event, self))

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
