"""The case window's Incidents tab: the incidents, and the incidents per member of staff.

A harassment injunction needs a course of conduct (conduct on at least two occasions), so
beside the list the tab counts the incidents against each member of staff named as
targeted and marks where there are two or more. Enter (or a double-click) changes the
selected incident; the change is kept in the chronology as a new version.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, format_datetime
from desktop.domain.roles import Operation
from desktop.services import incidents
from desktop.services.incidents import IncidentRow, TargetSummary
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
from desktop.ui.incident_dialog import IncidentDialog


def course_text(summary: TargetSummary) -> str:
    if summary.course_of_conduct:
        return f"Course of conduct ({summary.count} incidents)"
    return "Not yet (one incident)"


class IncidentsTab(CaseTab):
    """The tab's `loaded` is emitted after each reload has filled both tables."""

    title = "&Incidents"
    HEADERS = ("Date", "Channel", "Behaviour", "Staff targeted", "Agencies", "Edited")
    TARGET_HEADERS = ("Member of staff", "Incidents", "Dates", "Course of conduct")

    def __init__(self, session: UserSession, case_id: int, parent=None):
        super().__init__(session, case_id, "incidentsTab", parent)
        self.incidents: list[IncidentRow] = []
        self.targets: list[TargetSummary] = []
        self._start()

    def _build(self) -> None:
        self.record_button = make_button(
            "recordIncidentButton", "&Record incident…", "Record an incident"
        )
        self.edit_button = make_button(
            "editIncidentButton",
            "E&dit incident…",
            "Change the selected incident",
            "Change the selected incident (Enter); the old version stays",
        )
        self.table = list_table("incidentsTable", "Incidents", self.HEADERS, 2)
        self.detail = detail_pane("incidentDetail", "The selected incident in full")
        self.targets_table = list_table(
            "targetsTable", "Incidents per member of staff targeted", self.TARGET_HEADERS, 2
        )
        heading = QLabel("&Per person targeted")
        heading.setObjectName("targetsHeading")
        heading.setBuddy(self.targets_table)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        explain = QLabel(
            "A harassment injunction needs a course of conduct: two or more incidents "
            "against the same person. This flags a pattern for the legal team; it is not a "
            "legal finding."
        )
        explain.setObjectName("targetsNote")
        explain.setWordWrap(True)
        self.empty_note = empty_note("No incidents are recorded on this case yet.", wrap=False)

        bar = button_row(self.record_button, self.edit_button, lead=(self.empty_note,))
        targets = QWidget()
        targets_layout = QVBoxLayout(targets)
        targets_layout.setContentsMargins(0, 6, 0, 0)
        targets_layout.addWidget(heading)
        targets_layout.addWidget(explain)
        targets_layout.addWidget(self.targets_table, 1)
        split = vertical_split("incidentsSplitter", (self.table, 3), (self.detail, 1), (targets, 2))
        stack(self, bar, main=split)
        chain_tab_order(
            self.record_button, self.edit_button, self.table, self.detail, self.targets_table
        )

    def _connect_signals(self) -> None:
        self.record_button.clicked.connect(self.record_incident)
        self.edit_button.clicked.connect(self.edit_incident)
        self.table.activated.connect(lambda _index: self.edit_incident())  # Enter, double-click
        self.table.currentCellChanged.connect(lambda *_: self._selection_changed())

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the incidents and the per-person counts again, keeping the selection."""
        case_id = self.case_id

        def run(job):
            return (
                incidents.list_incidents(job.session, case_id=case_id),
                incidents.targets_summary(job.session, case_id=case_id),
            )

        self._read(run, "Reading the incidents")

    def _show(self, result: tuple[list[IncidentRow], list[TargetSummary]]) -> None:
        keep = self.current_incident()
        self.incidents, self.targets = result
        self.table.setRowCount(len(self.incidents))
        for row, incident in enumerate(self.incidents):
            values = (
                format_datetime(incident.occurred_at),
                incident.channel_label,
                "; ".join(c.name for c in incident.categories),
                "; ".join(s.name for s in incident.staff_targeted),
                "; ".join(a.label for a in incident.agencies),
                f"Edited ({incident.versions} versions)" if incident.edited else "",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.targets_table.setRowCount(len(self.targets))
        for row, summary in enumerate(self.targets):
            cells = (
                summary.staff.label,
                str(summary.count),
                ", ".join(format_date(day) for _id, day in summary.incidents),
                course_text(summary),
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 3 and summary.course_of_conduct:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.targets_table.setItem(row, column, item)
        self.empty_note.setVisible(not self.incidents)
        keys = [r.id for r in self.incidents]
        restore_selection(self.table, keys, None if keep is None else keep.id, last=True)
        self._selection_changed()
        self.loaded.emit()

    def current_incident(self) -> IncidentRow | None:
        return row_at(self.table, self.incidents)

    def _selection_changed(self) -> None:
        incident = self.current_incident()
        if incident is None:
            self.detail.clear()
        else:
            self.detail.setPlainText(_describe(incident))
        self._update_buttons()

    def _update_buttons(self) -> None:
        can_edit = self.session.can(Operation.EDIT_CASES)
        self.record_button.setEnabled(can_edit)
        self.edit_button.setEnabled(can_edit and self.current_incident() is not None)

    # -- actions ----------------------------------------------------------------------------
    def record_incident(self) -> None:
        if self.record_button.isEnabled():
            self._open(IncidentDialog(self.session, self.case_id, None, self))

    def edit_incident(self) -> None:
        incident = self.current_incident()
        if incident is not None and self.edit_button.isEnabled():
            self._open(IncidentDialog(self.session, self.case_id, incident, self))


def _describe(incident: IncidentRow) -> str:
    """The selected incident in full, for the pane under the list."""
    lines = [
        f"{format_datetime(incident.occurred_at)} · {incident.channel_label}"
        + (f" · {incident.location}" if incident.location else ""),
        f"Recorded by {incident.recorded_by}, {format_datetime(incident.recorded_at)}"
        + (f" · edited ({incident.versions} versions)" if incident.edited else ""),
    ]
    if incident.immediate_threat:
        lines.append("Immediate threat to safety")
    lines += ["", incident.description, ""]
    lines.append("Behaviour: " + "; ".join(c.name for c in incident.categories))
    if incident.staff_targeted:
        lines.append("Staff targeted: " + "; ".join(s.label for s in incident.staff_targeted))
    if incident.witnesses:
        lines.append("Witnesses: " + "; ".join(incident.witnesses))
    if incident.people_affected:
        lines.append("People affected: " + "; ".join(incident.people_affected))
    for agency in incident.agencies:
        told = f", told {format_date(agency.informed_on)}" if agency.informed_on else ""
        ref = f", reference {agency.reference}" if agency.reference else ""
        lines.append(f"{agency.label}{told}{ref}")
    return "\n".join(lines)
