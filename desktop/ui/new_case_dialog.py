"""New case: the subject, the school(s), their children, and the first incident, in one dialog.

Saving opens the case in one step through `services.casefile.new_case`: everything is kept,
or nothing is. What the service refuses is shown beside the field at fault, and the dialog
stays open with everything typed. The person search is handed in (`find_people`), so the
dialog works with whichever people service the window wires up, or with none.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QDateTime, QEvent, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from desktop.dates import to_uk, utc_now
from desktop.domain.incidents import Channel
from desktop.domain.people import Relationship
from desktop.errors import CasebookError, NotFound, NotPermitted, ValidationError, user_message
from desktop.services import casefile, categories, people
from desktop.services import trust as trust_service
from desktop.services.casefile import FirstIncident, NewPerson, NewPupil
from desktop.services.cases import CaseRow
from desktop.services.person_rows import PersonRow
from desktop.ui.forms import child, load_form
from desktop.ui.icons import icon
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Latest, ReadOp, WriteOp

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
ID_ROLE = Qt.ItemDataRole.UserRole
YEAR_GROUPS = ("", "Nursery", "Reception", *(f"Year {n}" for n in range(1, 14)))
ERROR_STYLE = "QLabel { color: #b42318; }"
# Which label shows a refusal about each of the service's fields.
ERROR_LABELS = {
    "given_name": "subjectError",
    "family_name": "subjectError",
    "relationship": "subjectError",
    "subject": "subjectError",
    "schools": "schoolsError",
    "pupils": "pupilsError",
    "occurred_at": "whenError",
    "channel": "channelError",
    "categories": "categoriesError",
    "description": "descriptionError",
    "location": "locationError",
}
# Where the cursor goes to put each one right.
FOCUS = {
    "given_name": "givenEdit",
    "family_name": "familyEdit",
    "relationship": "relationshipCombo",
    "subject": "personSearchEdit",
    "schools": "schoolList",
    "pupils": "pupilGivenEdit",
    "occurred_at": "whenEdit",
    "channel": "channelCombo",
    "categories": "categoryList",
    "description": "descriptionEdit",
    "location": "locationEdit",
}
CHOOSE_PERSON = "Choose the person from the list, or choose Someone new."
NAME_THE_CHILD = "Type the child's first and last name, then Add child."

# How the dialog finds people on file: (session, typed text) -> [(person id, label)].
FindPeople = Callable[[object, str], list[tuple[int, str]]]
MAX_CANDIDATES = 12


def candidate_label(row: PersonRow) -> str:
    """ "Ann Smith · Parent · Mia Smith (Ash Primary) · CB-2026-0001": enough to tell two
    people of one name apart, and nothing the user could not open anyway."""
    parts = [row.full_name, row.relation_label]
    parts += [f"{p.name} ({p.school})" for p in row.pupils]
    parts += list(row.case_references)
    return " \u00b7 ".join(p for p in parts if p)


def people_on_file(session, text: str) -> list[tuple[int, str]]:
    """The people service's forgiving search, as the dialog lists it."""
    rows = people.search_people(session, text, limit=MAX_CANDIDATES)
    return [(row.id, candidate_label(row)) for row in rows]


def _checked_ids(view: QListWidget) -> list[int]:
    return [
        view.item(row).data(ID_ROLE)
        for row in range(view.count())
        if view.item(row).checkState() == Qt.CheckState.Checked
    ]


def _checkable(view: QListWidget, text: str, value: object, checked: bool = False) -> None:
    item = QListWidgetItem(text, view)
    item.setData(ID_ROLE, value)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


class NewCaseDialog(QDialog):
    """Collects a new case; `created` holds its row once saved (then the dialog accepts)."""

    def __init__(self, session, *, find_people: FindPeople | None = people_on_file, parent=None):
        super().__init__(parent)
        self.session = session
        self.find_people = find_people
        self.created: CaseRow | None = None
        self.saving = False
        self.setObjectName("newCaseDialog")
        self.setWindowTitle("New case")
        self.setWindowIcon(icon("new_case"))
        load_form("new_case_dialog", self)
        self._find_widgets()
        for name in set(ERROR_LABELS.values()):
            label = child(self, QLabel, name)
            label.setStyleSheet(ERROR_STYLE)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.hide()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._latest_search = Latest()
        self._fill_choices()
        if find_people is None:
            for widget in (self.existing_radio, self.search_edit, self.candidate_list):
                widget.hide()
            child(self, QLabel, "searchLabel").hide()
        self._connect_signals()
        self.resize(1060, 640)
        self.given_edit.setFocus()

    def _find_widgets(self):
        self.new_radio = child(self, QRadioButton, "newPersonRadio")
        self.existing_radio = child(self, QRadioButton, "existingPersonRadio")
        self.given_edit = child(self, QLineEdit, "givenEdit")
        self.family_edit = child(self, QLineEdit, "familyEdit")
        self.relationship_combo = child(self, QComboBox, "relationshipCombo")
        self.search_edit = child(self, QLineEdit, "personSearchEdit")
        self.candidate_list = child(self, QListWidget, "candidateList")
        self.school_list = child(self, QListWidget, "schoolList")
        self.pupil_given_edit = child(self, QLineEdit, "pupilGivenEdit")
        self.pupil_family_edit = child(self, QLineEdit, "pupilFamilyEdit")
        self.pupil_school_combo = child(self, QComboBox, "pupilSchoolCombo")
        self.pupil_year_combo = child(self, QComboBox, "pupilYearCombo")
        self.add_pupil_button = child(self, QPushButton, "addPupilButton")
        self.pupil_list = child(self, QListWidget, "pupilList")
        self.remove_pupil_button = child(self, QPushButton, "removePupilButton")
        self.when_edit = child(self, QDateTimeEdit, "whenEdit")
        self.channel_combo = child(self, QComboBox, "channelCombo")
        self.category_list = child(self, QListWidget, "categoryList")
        self.description_edit = child(self, QPlainTextEdit, "descriptionEdit")
        self.location_edit = child(self, QLineEdit, "locationEdit")
        self.buttons = child(self, QDialogButtonBox, "buttonBox")
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setText("&Save")
        self.save_button.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelButton")

    def _fill_choices(self):
        for relation in Relationship:
            self.relationship_combo.addItem(relation.label, relation.value)
        schools = trust_service.list_schools(self.session)
        for school in schools:
            _checkable(self.school_list, school.name, school.id, checked=len(schools) == 1)
            self.pupil_school_combo.addItem(school.name, school.id)
        self.pupil_year_combo.addItems(YEAR_GROUPS)
        year_line = self.pupil_year_combo.lineEdit()
        if year_line is not None:
            year_line.setPlaceholderText("Year group")
        for channel in Channel:
            self.channel_combo.addItem(channel.label, channel.value)
        for category in categories.list_categories(self.session):
            _checkable(self.category_list, category.name, category.id)
        now = to_uk(utc_now()).replace(second=0, microsecond=0, tzinfo=None)
        self.when_edit.setDateTime(QDateTime(now.year, now.month, now.day, now.hour, now.minute, 0))
        self.remove_pupil_button.setEnabled(False)

    def _connect_signals(self):
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.given_edit.textEdited.connect(lambda _: self.new_radio.setChecked(True))
        self.family_edit.textEdited.connect(lambda _: self.new_radio.setChecked(True))
        self.search_edit.textEdited.connect(self._search_typed)
        self._search_timer.timeout.connect(self.search)
        self.candidate_list.currentRowChanged.connect(self._candidate_chosen)
        self.add_pupil_button.clicked.connect(self.add_pupil)
        self.remove_pupil_button.clicked.connect(self.remove_pupil)
        self.pupil_list.currentRowChanged.connect(
            lambda row: self.remove_pupil_button.setEnabled(row >= 0)
        )
        # Enter in these fields acts on the field, not on the dialog's Save button.
        for edit in (self.search_edit, self.pupil_given_edit, self.pupil_family_edit):
            edit.installEventFilter(self)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(
                QKeySequence(keys),
                self.description_edit,
                self.save,
                context=Qt.ShortcutContext.WidgetShortcut,
            )

    # -- the person --------------------------------------------------------------------------
    def _search_typed(self, _text: str):
        self.existing_radio.setChecked(True)
        self._search_timer.start()

    def search(self):
        """Look for people on file like the name typed (off the UI thread)."""
        self._search_timer.stop()
        text = " ".join(self.search_edit.text().split())
        if self.find_people is None or sum(ch.isalpha() for ch in text) < 2:
            self._latest_search.drop_all()
            self._show_candidates([])
            return
        find = self.find_people
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: find(job.session, text),
            success=self._show_candidates,
            progress="Searching",
            latest=self._latest_search,
        ).start()

    def _show_candidates(self, found: list[tuple[int, str]]):
        self.candidate_list.clear()
        for person_id, label in found:
            item = QListWidgetItem(label, self.candidate_list)
            item.setData(ID_ROLE, person_id)
            item.setToolTip(label)
        if not found and self.search_edit.text().strip():
            item = QListWidgetItem("No one on file matches.", self.candidate_list)
            item.setFlags(Qt.ItemFlag.NoItemFlags)

    def _candidate_chosen(self, row: int):
        if row >= 0:
            self.existing_radio.setChecked(True)

    def chosen_person(self) -> int | None:
        item = self.candidate_list.currentItem()
        return item.data(ID_ROLE) if item is not None and item.isSelected() else None

    # -- children ---------------------------------------------------------------------------
    def add_pupil(self):
        given = " ".join(self.pupil_given_edit.text().split())
        family = " ".join(self.pupil_family_edit.text().split())
        if not given or not family:
            self._show_error("pupils", NAME_THE_CHILD)
            return
        self._clear_error("pupils")
        school_id = self.pupil_school_combo.currentData()
        year = self.pupil_year_combo.currentText().strip()
        where = ", ".join(p for p in (self.pupil_school_combo.currentText(), year) if p)
        item = QListWidgetItem(f"{given} {family} ({where})", self.pupil_list)
        item.setData(ID_ROLE, NewPupil(given, family, school_id, year))
        self.pupil_given_edit.clear()
        self.pupil_family_edit.clear()
        self.pupil_given_edit.setFocus()

    def remove_pupil(self):
        row = self.pupil_list.currentRow()
        if row >= 0:
            self.pupil_list.takeItem(row)
        if not self.pupil_list.count():
            self.pupil_given_edit.setFocus()

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.KeyPress and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            if watched is self.search_edit:
                self.search()
                if self.candidate_list.count():
                    self.candidate_list.setCurrentRow(0)
                    self.candidate_list.setFocus()
                return True
            if watched in (self.pupil_given_edit, self.pupil_family_edit):
                self.add_pupil()
                return True
        return super().eventFilter(watched, event)

    # -- saving -----------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        """Whether anything has been typed or chosen that closing would throw away."""
        texts = (
            self.given_edit,
            self.family_edit,
            self.search_edit,
            self.pupil_given_edit,
            self.pupil_family_edit,
            self.location_edit,
        )
        return (
            any(edit.text().strip() for edit in texts)
            or bool(self.description_edit.toPlainText().strip())
            or self.pupil_list.count() > 0
            or bool(_checked_ids(self.category_list))
        )

    def _subject(self) -> int | NewPerson | None:
        if self.existing_radio.isChecked():
            return self.chosen_person()
        return NewPerson(
            self.given_edit.text(),
            self.family_edit.text(),
            self.relationship_combo.currentData(),
        )

    def when(self) -> dt.datetime:
        """The date and time typed, as UK time (the service reads a naive time so)."""
        day, time = self.when_edit.date(), self.when_edit.time()
        return dt.datetime(day.year(), day.month(), day.day(), time.hour(), time.minute())

    def save(self):
        if self.saving:
            return
        self._clear_errors()
        subject = self._subject()
        if subject is None:
            self._show_error("subject", CHOOSE_PERSON)
            return
        school_ids = _checked_ids(self.school_list)
        pupils = [self.pupil_list.item(r).data(ID_ROLE) for r in range(self.pupil_list.count())]
        incident = FirstIncident(
            occurred_at=self.when(),
            channel=self.channel_combo.currentData(),
            category_ids=tuple(_checked_ids(self.category_list)),
            description=self.description_edit.toPlainText(),
            location=self.location_edit.text(),
        )
        self.saving = True
        self.save_button.setEnabled(False)
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: casefile.new_case(
                job.session,
                subject=subject,
                school_ids=school_ids,
                pupils=pupils,
                first_incident=incident,
            ),
            done=self._save_ended,
            success=self._saved,
            failure=self._refused,
            progress="Opening the case",
            changes=(Change.CASES,),
        ).start()

    def _save_ended(self):
        self.saving = False
        self.save_button.setEnabled(True)

    def _saved(self, row: CaseRow):
        log.info("case.created")
        self.created = row
        super().accept()

    def _refused(self, exc: BaseException):
        field = getattr(exc, "field", None)
        if isinstance(exc, ValidationError) and field in ERROR_LABELS:
            self._show_error(field, exc.message)
        elif isinstance(exc, NotFound):
            self._show_error("subject", exc.message)
        elif isinstance(exc, NotPermitted):
            self._show_error("schools", exc.message)
        elif isinstance(exc, CasebookError):
            Messenger.error(self, exc, "New case")
        else:
            Messenger.warn(self, "New case", user_message(exc))

    def _show_error(self, field: str, message: str):
        label = child(self, QLabel, ERROR_LABELS[field])
        label.setText(message)
        label.show()
        target = child(self, QWidget, FOCUS[field])
        if not target.isVisible():
            target = self.given_edit
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_error(self, field: str):
        child(self, QLabel, ERROR_LABELS[field]).hide()

    def _clear_errors(self):
        for name in set(ERROR_LABELS.values()):
            child(self, QLabel, name).hide()

    def accept(self):
        """Enter on a field presses Save; the dialog closes only once the case is saved."""
        self.save()

    def reject(self):
        """Esc or Cancel: ask first if something has been typed."""
        if self.saving:
            return
        if self.is_dirty() and not Messenger.confirm(
            self,
            "New case",
            "Discard this new case? Nothing has been saved, and what you typed will be lost.",
            "Discard",
        ):
            return
        super().reject()
