"""Record or change an incident (`forms/incident_dialog.ui`).

The lists to choose from (the trust's behaviours, the staff of the case's schools) are read
when the dialog opens; Save stays off until they are in. Ticking "Immediate threat to
safety" asks for the police or legal-team referral first: a note says so and the focus goes
to the Police box. Save calls the incident service; if it refuses, the dialog stays open
with what was typed, says what to fix, and puts the focus on that field.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from desktop.domain.incidents import Agency, Channel
from desktop.services import categories, incidents
from desktop.services.incidents import AgencyReport, IncidentRow
from desktop.services.session import UserSession
from desktop.ui.chronology_dialogs import from_qdatetime, this_minute, to_qdatetime
from desktop.ui.dialog_parts import SavingDialog
from desktop.ui.forms import child, load_form
from desktop.ui.operations import ReadOp

REFERRAL_AGENCIES = (Agency.POLICE, Agency.LEGAL_TEAM)
# Short labels for the check boxes (the full name is the tooltip and the accessible name).
AGENCY_TEXT = {
    Agency.POLICE: "&Police",
    Agency.LADO: "LADO",
    Agency.SOCIAL_CARE: "Social care / MASH",
    Agency.OFSTED: "Ofsted",
    Agency.LEGAL_TEAM: "Trust le&gal team",
    Agency.SOCIAL_NETWORK: "Social network report",
}
ID_ROLE = Qt.ItemDataRole.UserRole


class IncidentDialog(SavingDialog):
    """Record an incident on a case (`incident=None`) or change one, giving a reason."""

    ready = Signal()  # the lists to choose from are in

    def __init__(
        self,
        session: UserSession,
        case_id: int,
        incident: IncidentRow | None = None,
        parent=None,
    ):
        super().__init__(session, parent)
        self.case_id, self.incident = case_id, incident
        self.saved: IncidentRow | None = None
        self.setObjectName("incidentDialog")
        self.setWindowTitle("Change an incident" if incident else "Record an incident")
        load_form("incident_dialog", self)
        self.when_edit = child(self, QDateTimeEdit, "occurredEdit")
        self.channel_combo = child(self, QComboBox, "channelCombo")
        self.location_edit = child(self, QLineEdit, "locationEdit")
        self.description_edit = child(self, QPlainTextEdit, "descriptionEdit")
        self.witnesses_edit = child(self, QPlainTextEdit, "witnessesEdit")
        self.affected_edit = child(self, QPlainTextEdit, "affectedEdit")
        self.category_list = child(self, QListWidget, "categoryList")
        self.staff_list = child(self, QListWidget, "staffList")
        self.threat_check = child(self, QCheckBox, "immediateThreatCheck")
        self.referral_note = child(self, QLabel, "referralNote")
        self.reason_edit = child(self, QLineEdit, "reasonEdit")
        self.buttons = child(self, QDialogButtonBox, "buttonBox")
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.agency_checks: dict[Agency, QCheckBox] = {}
        self.agency_dates: dict[Agency, QDateEdit] = {}
        self.agency_refs: dict[Agency, QLineEdit] = {}
        self._build_agencies(child(self, QGroupBox, "agenciesBox"))
        for channel in Channel:
            self.channel_combo.addItem(channel.label, channel.value)
        editing = incident is not None
        for name in ("reasonLabel", "reasonEdit", "versionNote"):
            child(self, QWidget, name).setVisible(editing)
        self.referral_note.hide()
        self.save_button.setEnabled(False)
        self._connect_signals()
        if incident is not None:
            self._show_incident(incident)
        else:
            self.when_edit.setDateTime(this_minute())
        self.resize(980, 640)
        self._load_lists()

    # -- building ---------------------------------------------------------------------------
    def _build_agencies(self, box: QGroupBox) -> None:
        grid = box.layout()
        assert isinstance(grid, QGridLayout)
        for column, text in enumerate(("Agency", "Date told", "Their reference")):
            heading = QLabel(f"<b>{text}</b>")
            grid.addWidget(heading, 0, column)
        previous: QWidget = self.threat_check
        today = QDate.currentDate()
        for row, agency in enumerate(Agency, start=1):
            check = QCheckBox(AGENCY_TEXT.get(agency, agency.label))
            check.setObjectName(f"agency_{agency.value}")
            check.setAccessibleName(agency.label)
            check.setToolTip(agency.label)
            told = QDateEdit(today)
            told.setObjectName(f"agencyDate_{agency.value}")
            told.setDisplayFormat("dd/MM/yyyy")
            told.setCalendarPopup(True)
            told.setAccessibleName(f"Date {agency.label} was told")
            reference = QLineEdit()
            reference.setObjectName(f"agencyRef_{agency.value}")
            reference.setMaxLength(100)
            reference.setAccessibleName(f"{agency.label} reference")
            reference.setPlaceholderText("Crime number, case reference…")
            for column, widget in enumerate((check, told, reference)):
                grid.addWidget(widget, row, column)
                QWidget.setTabOrder(previous, widget)
                previous = widget
            self.agency_checks[agency] = check
            self.agency_dates[agency] = told
            self.agency_refs[agency] = reference
            self._agency_ticked(agency)
        grid.setColumnStretch(2, 1)
        QWidget.setTabOrder(previous, self.reason_edit)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        # Enter types a new line in the description, so saving has its own keys too.
        for keys in ("Ctrl+Return", "Ctrl+Enter", "Ctrl+S"):
            QShortcut(QKeySequence(keys), self, self._save_by_keys)
        self.buttons.rejected.connect(self.reject)
        self.threat_check.toggled.connect(self._threat_toggled)
        for agency, check in self.agency_checks.items():
            check.toggled.connect(lambda _on, which=agency: self._agency_ticked(which))

    def _agency_ticked(self, agency: Agency) -> None:
        on = self.agency_checks[agency].isChecked()
        self.agency_dates[agency].setEnabled(on)
        self.agency_refs[agency].setEnabled(on)

    def _threat_toggled(self, on: bool) -> None:
        self.referral_note.setVisible(on)
        referred = any(self.agency_checks[a].isChecked() for a in REFERRAL_AGENCIES)
        if on and not referred:
            self.agency_checks[Agency.POLICE].setFocus()

    def _show_incident(self, incident: IncidentRow) -> None:
        self.when_edit.setDateTime(to_qdatetime(incident.occurred_at))
        index = self.channel_combo.findData(incident.channel)
        self.channel_combo.setCurrentIndex(max(0, index))
        self.location_edit.setText(incident.location)
        self.description_edit.setPlainText(incident.description)
        self.witnesses_edit.setPlainText("\n".join(incident.witnesses))
        self.affected_edit.setPlainText("\n".join(incident.people_affected))
        for told in incident.agencies:
            try:
                agency = Agency(told.agency)
            except ValueError:
                continue
            self.agency_checks[agency].setChecked(True)
            if told.informed_on is not None:
                day = told.informed_on
                self.agency_dates[agency].setDate(QDate(day.year, day.month, day.day))
            self.agency_refs[agency].setText(told.reference)
        self.threat_check.setChecked(incident.immediate_threat)

    # -- the lists to choose from -------------------------------------------------------------
    def _load_lists(self) -> None:
        case_id = self.case_id

        def run(job):
            return (
                categories.list_categories(job.session),
                incidents.list_staff(job.session, case_id=case_id),
            )

        ReadOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._fill_lists,
            progress="Reading the trust's lists",
        ).start()

    def _fill_lists(self, lists) -> None:
        offered, staff = lists
        chosen = self.incident
        kinds = [(c.id, c.name) for c in offered]
        people = [(s.id, s.label) for s in staff]
        if chosen is not None:  # what the incident names stays, even if since switched off
            kinds += [(c.id, c.name) for c in chosen.categories if c.id not in dict(kinds)]
            people += [(s.id, s.label) for s in chosen.staff_targeted if s.id not in dict(people)]
        ticked_kinds = {c.id for c in chosen.categories} if chosen else set()
        ticked_staff = {s.id for s in chosen.staff_targeted} if chosen else set()
        self._fill(self.category_list, kinds, ticked_kinds)
        self._fill(self.staff_list, people, ticked_staff)
        if not people:
            item = QListWidgetItem("No staff are recorded for this case's schools yet.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.staff_list.addItem(item)
        self.save_button.setEnabled(True)
        self.ready.emit()

    @staticmethod
    def _fill(view: QListWidget, entries: list[tuple[int, str]], ticked: set[int]) -> None:
        view.clear()
        for entry_id, text in entries:
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, entry_id)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            checked = entry_id in ticked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            view.addItem(item)
        if view.count():
            view.setCurrentRow(0)

    @staticmethod
    def _ticked(view: QListWidget) -> list[int]:
        return [
            view.item(row).data(ID_ROLE)
            for row in range(view.count())
            if view.item(row).checkState() == Qt.CheckState.Checked
            and view.item(row).data(ID_ROLE) is not None
        ]

    # -- saving -------------------------------------------------------------------------------
    def values(self) -> dict:
        """What the dialog holds, as the incident service takes it."""
        told = []
        for agency, check in self.agency_checks.items():
            if check.isChecked():
                day = self.agency_dates[agency].date()
                told.append(
                    AgencyReport(
                        agency.value,
                        dt.date(day.year(), day.month(), day.day()),
                        self.agency_refs[agency].text(),
                    )
                )
        return {
            "occurred_at": from_qdatetime(self.when_edit.dateTime()),
            "channel": self.channel_combo.currentData(),
            "location": self.location_edit.text(),
            "description": self.description_edit.toPlainText(),
            "category_ids": self._ticked(self.category_list),
            "staff_targeted_ids": self._ticked(self.staff_list),
            "witnesses": self.witnesses_edit.toPlainText().splitlines(),
            "people_affected": self.affected_edit.toPlainText().splitlines(),
            "agencies": told,
            "immediate_threat": self.threat_check.isChecked(),
        }

    def _save_by_keys(self) -> None:
        if self.save_button.isEnabled():
            self.accept()

    def accept(self) -> None:
        if not self.save_button.isEnabled():
            return
        values = self.values()
        if self.incident is None:
            case_id = self.case_id

            def run(job):
                return incidents.record_incident(job.session, case_id=case_id, **values)
        else:
            incident_id, reason = self.incident.id, self.reason_edit.text()

            def run(job):
                return incidents.edit_incident(
                    job.session, incident_id=incident_id, reason=reason, **values
                )

        self._save(run, "Saving the incident", hold=self.save_button)

    def _field_widget(self, field: str) -> QWidget | None:
        if field == "agencies":
            ticked = [c for c in self.agency_checks.values() if c.isChecked()]
            return (
                ticked[0]
                if ticked and not self.threat_check.isChecked()
                else (self.agency_checks[Agency.POLICE])
            )
        return {
            "occurred_at": self.when_edit,
            "channel": self.channel_combo,
            "location": self.location_edit,
            "description": self.description_edit,
            "text": self.description_edit,
            "categories": self.category_list,
            "staff_targeted": self.staff_list,
            "witnesses": self.witnesses_edit,
            "people_affected": self.affected_edit,
            "reason": self.reason_edit,
        }.get(field)
