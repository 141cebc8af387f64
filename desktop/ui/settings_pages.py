"""The pages of the settings dialog: each loads from the store and saves through a service.

A page is a QWidget with `title`, an objectName, `load()` and `save()`. `save()` calls the
service only when something changed and lets a typed error (ValidationError, NotPermitted)
rise, so the dialog can say what is wrong and show the page it came from.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import Operation
from desktop.errors import CasebookError
from desktop.services import evidence as evidence_service
from desktop.services import trust as trust_service
from desktop.services.session import UserSession
from desktop.ui.forms import child, load_form
from desktop.ui.labels import ALL_SCHOOLS, STATUS_CHOICES, roles_who_can
from desktop.ui.logo import pick_logo, show_logo
from desktop.ui.messages import Messenger

log = logging.getLogger(__name__)

_KEEP = object()


class SettingsPage(QWidget):
    """Base for a page: loads `forms/settings_<form>.ui` into itself."""

    title = ""
    name = ""
    form = ""
    needs: Operation | None = None  # the operation a user needs to change this page
    read_only_text = ""

    def __init__(self, session: UserSession, parent=None):
        super().__init__(parent)
        self.session = session
        self.setObjectName(self.name)
        load_form(f"settings_{self.form}", self)
        self.read_only = self.needs is not None and not session.can(self.needs)
        note = self.findChild(QLabel, "readOnlyNote")
        if note is not None and self.needs is not None:
            note.setText(f"{self.read_only_text} Roles that can: {roles_who_can(self.needs)}.")
            note.setVisible(self.read_only)

    def load(self) -> None:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError


class TrustPage(SettingsPage):
    title = "Trust"
    name = "trustPage"
    form = "trust"
    needs = Operation.EDIT_TRUST
    read_only_text = "Your role can see the trust's details but not change them."

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.name_edit = child(self, QLineEdit, "trustNameEdit")
        self.address_edit = child(self, QPlainTextEdit, "trustAddressEdit")
        self.logo_preview = child(self, QLabel, "logoPreview")
        self.choose_button = child(self, QPushButton, "chooseLogoButton")
        self.remove_button = child(self, QPushButton, "removeLogoButton")
        self.limit_spin = child(self, QSpinBox, "evidenceLimitSpin")
        self.limit_spin.setReadOnly(self.read_only)
        self._limit = 0
        self.lock_spin = child(self, QSpinBox, "autoLockSpin")
        self.lock_spin.setRange(trust_service.AUTO_LOCK_MIN, trust_service.AUTO_LOCK_MAX)
        self.lock_spin.setReadOnly(self.read_only)
        self.lock_units = child(self, QLabel, "autoLockUnits")
        self.lock_spin.valueChanged.connect(self._name_units)
        self._lock_minutes = 0
        self._loaded = ("", "")
        self._has_logo = False
        self._logo = _KEEP
        self.name_edit.setReadOnly(self.read_only)
        self.address_edit.setReadOnly(self.read_only)
        self.choose_button.setEnabled(not self.read_only)
        self.choose_button.clicked.connect(self.choose_logo)
        self.remove_button.clicked.connect(self.remove_logo)

    def load(self) -> None:
        info = trust_service.get_trust(self.session)
        self._loaded = (info.name, info.address)
        self.name_edit.setText(info.name)
        self.address_edit.setPlainText(info.address)
        self._logo = _KEEP
        self._show_logo(trust_service.get_trust_logo(self.session) if info.has_logo else None)
        self._limit = evidence_service.evidence_limit(self.session)
        self.limit_spin.setValue(self._limit)
        self._lock_minutes = trust_service.auto_lock_minutes(self.session)
        self.lock_spin.setValue(self._lock_minutes)
        self._name_units(self._lock_minutes)

    def save(self) -> None:
        if self.limit_spin.value() != self._limit:
            evidence_service.set_evidence_limit(self.session, megabytes=self.limit_spin.value())
            self._limit = self.limit_spin.value()
        if self.lock_spin.value() != self._lock_minutes:
            minutes = self.lock_spin.value()
            trust_service.set_auto_lock_minutes(self.session, minutes=minutes)
            self._lock_minutes = minutes
        name, address = self.name_edit.text(), self.address_edit.toPlainText()
        if (name, address) == self._loaded and self._logo is _KEEP:
            return
        changes = {} if self._logo is _KEEP else {"logo": self._logo}
        trust_service.update_trust(self.session, name=name, address=address, **changes)
        self._loaded, self._logo = (name, address), _KEEP

    def _name_units(self, minutes: int) -> None:
        self.lock_units.setText("minute without use" if minutes == 1 else "minutes without use")

    def choose_logo(self) -> None:
        try:
            data = pick_logo(self)
        except (CasebookError, OSError) as exc:
            Messenger.error(self, exc, "Trust logo")
            return
        if data is not None:
            self._logo = data
            self._show_logo(data)

    def remove_logo(self) -> None:
        self._logo = None
        self._show_logo(None)

    def _show_logo(self, data: bytes | None) -> None:
        self._has_logo = show_logo(self.logo_preview, data)
        self.remove_button.setEnabled(self._has_logo and not self.read_only)


@dataclass
class SchoolEntry:
    """A school as shown on the page; `changed` ones are saved when the dialog's OK is pressed."""

    id: int | None
    name: str
    address: str = ""
    headteacher_name: str = ""
    active: bool = True
    changed: bool = False


class SchoolForm(QDialog):
    """Add or change one school's details (saved with the rest of the settings)."""

    def __init__(self, entry: SchoolEntry | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("schoolForm")
        self.setWindowTitle("Edit school" if entry and entry.id else "Add school")
        self.name_edit = QLineEdit(entry.name if entry else "")
        self.name_edit.setObjectName("schoolNameEdit")
        self.name_edit.setMaxLength(200)
        self.address_edit = QPlainTextEdit(entry.address if entry else "")
        self.address_edit.setObjectName("schoolAddressEdit")
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setMaximumHeight(100)
        self.headteacher_edit = QLineEdit(entry.headteacher_name if entry else "")
        self.headteacher_edit.setObjectName("headteacherEdit")
        self.active_check = QCheckBox("This school is &active")
        self.active_check.setObjectName("schoolActiveCheck")
        self.active_check.setChecked(entry.active if entry else True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("buttonBox")
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("A&ddress:", self.address_edit)
        form.addRow("&Headteacher:", self.headteacher_edit)
        form.addRow("", self.active_check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.setMinimumWidth(420)

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name_edit.text().strip()))

    def entry(self, school_id: int | None) -> SchoolEntry:
        return SchoolEntry(
            school_id,
            self.name_edit.text(),
            self.address_edit.toPlainText(),
            self.headteacher_edit.text(),
            self.active_check.isChecked(),
            changed=True,
        )


class SpacedRowsDelegate(QStyledItemDelegate):
    """Room above and below each row, so one school's address does not run into the next."""

    PADDING = 8

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        size.setHeight(size.height() + self.PADDING)
        return size


class SchoolsPage(SettingsPage):
    title = "Schools"
    name = "schoolsPage"
    form = "schools"
    needs = Operation.EDIT_TRUST
    read_only_text = "Your role can see the schools but not change them."
    HEADERS = ("Name", "Address", "Headteacher", "Active")
    ADDRESS = HEADERS.index("Address")

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.table = child(self, QTableWidget, "schoolsTable")
        self.add_button = child(self, QPushButton, "addSchoolButton")
        self.edit_button = child(self, QPushButton, "editSchoolButton")
        self.entries: list[SchoolEntry] = []
        self.table.setColumnCount(len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.ADDRESS, QHeaderView.ResizeMode.Stretch)
        # An address is shown whole, a line to each line of it as on a letter, and a line too
        # long for the column wraps: the rows grow to fit rather than cut it off with "…".
        self.table.setWordWrap(True)
        self.table.setItemDelegate(SpacedRowsDelegate(self.table))
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.sectionResized.connect(self._column_resized)
        self.add_button.setEnabled(not self.read_only)
        self.add_button.clicked.connect(self.add_school)
        self.edit_button.clicked.connect(self.edit_school)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.edit_school)
        self._update_buttons()

    def load(self) -> None:
        self.entries = [
            SchoolEntry(s.id, s.name, s.address, s.headteacher_name, s.active)
            for s in trust_service.list_schools(self.session, include_inactive=True)
        ]
        self._show()

    def save(self) -> None:
        for row, entry in enumerate(self.entries):
            if not entry.changed:
                continue
            self.table.selectRow(row)
            saved = trust_service.save_school(
                self.session,
                school_id=entry.id,
                name=entry.name,
                address=entry.address,
                headteacher_name=entry.headteacher_name,
                active=entry.active,
            )
            self.entries[row] = SchoolEntry(
                saved.id, saved.name, saved.address, saved.headteacher_name, saved.active
            )
        self._show()

    def add_school(self) -> None:
        self._open_form(None)

    def edit_school(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.entries) and not self.read_only:
            self._open_form(row)

    def _open_form(self, row: int | None) -> None:
        form = SchoolForm(None if row is None else self.entries[row], self)
        form.accepted.connect(lambda: self._form_done(form, row))
        form.finished.connect(form.deleteLater)
        form.open()

    def _form_done(self, form: SchoolForm, row: int | None) -> None:
        if row is None:
            self.entries.append(form.entry(None))
            row = len(self.entries) - 1
        else:
            self.entries[row] = form.entry(self.entries[row].id)
        self._show()
        self.table.selectRow(row)

    def _show(self) -> None:
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            values = (
                entry.name,
                "\n".join(line.strip() for line in entry.address.splitlines() if line.strip()),
                entry.headteacher_name,
                "Yes" if entry.active else "No",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                tips = [entry.address.strip()] if column == self.ADDRESS and value else []
                if entry.changed:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                    tips.append("Saved when you press OK")
                item.setToolTip("\n\n".join(tips))
                self.table.setItem(row, column, item)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(not self.read_only and self.table.currentRow() >= 0)

    def _column_resized(self, column: int, _old: int, _new: int) -> None:
        # Rows fit their contents only when the contents change; a narrower address column
        # (a smaller window) wraps more lines, so the rows are fitted again.
        if column == self.ADDRESS:
            self.table.resizeRowsToContents()


class PreferencesPage(SettingsPage):
    title = "Preferences"
    name = "preferencesPage"
    form = "preferences"

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.status_combo = child(self, QComboBox, "defaultStatusCombo")
        self.school_combo = child(self, QComboBox, "defaultSchoolCombo")
        self.confirm_lock_check = child(self, QCheckBox, "confirmLockCheck")
        self._loaded = trust_service.Preferences()
        for text, value in STATUS_CHOICES:
            self.status_combo.addItem(text, value)

    def load(self) -> None:
        self._loaded = trust_service.get_preferences(self.session)
        self.school_combo.clear()
        self.school_combo.addItem(ALL_SCHOOLS, None)
        for school in trust_service.list_schools(self.session):
            self.school_combo.addItem(school.name, school.id)
        self.status_combo.setCurrentIndex(
            max(0, self.status_combo.findData(self._loaded.default_status))
        )
        default_school = self._loaded.default_school_id
        self.school_combo.setCurrentIndex(
            max(0, self.school_combo.findData(default_school)) if default_school else 0
        )
        self.confirm_lock_check.setChecked(self._loaded.confirm_before_lock)

    def preferences(self) -> trust_service.Preferences:
        return dataclasses.replace(
            self._loaded,
            default_status=self.status_combo.currentData() or "",
            default_school_id=self.school_combo.currentData(),
            confirm_before_lock=self.confirm_lock_check.isChecked(),
        )

    def save(self) -> None:
        chosen = self.preferences()
        if chosen != self._loaded:
            trust_service.save_preferences(self.session, preferences=chosen)
            self._loaded = chosen
