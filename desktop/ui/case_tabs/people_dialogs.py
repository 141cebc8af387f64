"""The People tab's dialogs: find a person, add or correct one, link a pupil, set roles.

Each dialog saves through `services.people` / `services.case_people` itself and stays open
if the service refuses, with the focus on what to fix. Finding a person forgives typos and
other spellings ("Mohammed" finds Muhammad); adding one who may already be on file shows
the likely records and offers them before a second record is made.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.people import Relationship
from desktop.services import people
from desktop.services.people import PossibleDuplicate
from desktop.services.person_rows import PersonRow
from desktop.services.session import UserSession
from desktop.ui.dialog_parts import (
    SavingDialog,
    combo_box,
    line_edit,
    ok_buttons,
    save_cancel_buttons,
    text_edit,
)
from desktop.ui.operations import Latest, ReadOp
from desktop.ui.worker import fit_height

SEARCH_DELAY_MS = 200
MIN_SEARCH = 2
CASE_ROLES = ("Other parent", "Carer", "Relative", "Witness", "Representative")


def describe(person: PersonRow) -> str:
    """One line that tells two people of one name apart."""
    parts = [person.full_name, person.relation_label]
    if person.pupils:
        parts.append("parent of " + ", ".join(f"{p.name} ({p.school})" for p in person.pupils))
    if person.case_references:
        parts.append(", ".join(person.case_references))
    return " · ".join(parts)


def case_role_combo() -> QComboBox:
    """Someone's part in the case: one of the usual ones, or typed."""
    combo = combo_box("caseRoleCombo", "Their part in the case")
    combo.setEditable(True)
    combo.addItems(CASE_ROLES)
    return combo


def _fill_people(listing: QListWidget, found: list[PersonRow]) -> None:
    listing.clear()
    for person in found:
        item = QListWidgetItem(describe(person))
        item.setData(Qt.ItemDataRole.UserRole, person)
        listing.addItem(item)
    if found:
        listing.setCurrentRow(0)


def _chosen(listing: QListWidget) -> PersonRow | None:
    item = listing.currentItem()
    return None if item is None else item.data(Qt.ItemDataRole.UserRole)


class PersonSearchDialog(QDialog):
    """Find someone on file by a name typed any old way; candidates show as you type.

    `role=True` also asks their part in the case. `excluding` leaves one person out (the
    record being merged into). `new_requested` asks the tab for the New person form with
    what was typed.
    """

    new_requested = Signal(str)

    def __init__(
        self,
        session: UserSession,
        *,
        title: str,
        ok: str,
        role: bool,
        excluding: int | None = None,
        parent=None,
    ):
        super().__init__(parent)
        self.session, self.excluding = session, excluding
        self.person: PersonRow | None = None
        self.setObjectName("personSearchDialog")
        self.setWindowTitle(title)
        self._latest = Latest()
        self.search_edit = line_edit(
            "personSearchEdit",
            "Name to look for",
            placeholder="Type a name; spelling mistakes are forgiven",
        )
        self.results = QListWidget()
        self.results.setObjectName("personResults")
        self.results.setAccessibleName("People found")
        self.results.setWordWrap(True)
        self.status = QLabel("Type at least two letters of a name.")
        self.status.setObjectName("searchStatus")
        self.role_combo = case_role_combo()
        self.new_button = QPushButton("&New person…")
        self.new_button.setObjectName("newPersonInsteadButton")
        self.new_button.setAutoDefault(False)  # Enter chooses the person found
        self.buttons, self.choose_button = ok_buttons(ok, "choosePersonButton")
        form = QFormLayout()
        form.addRow("&Name:", self.search_edit)
        form.addRow("", self.status)
        form.addRow("&Found:", self.results)
        if role:
            form.addRow("&Part in the case:", self.role_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        foot = QGridLayout()
        foot.addWidget(self.new_button, 0, 0)
        foot.addWidget(self.buttons, 0, 1)
        layout.addLayout(foot)
        self.new_button.setVisible(role)
        self.role_combo.setVisible(role)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.search_edit.textEdited.connect(lambda _text: self._timer.start())
        self.search_edit.returnPressed.connect(self._search)
        self.results.itemActivated.connect(lambda _item: self.accept())
        self.results.currentRowChanged.connect(lambda _row: self._update())
        self.new_button.clicked.connect(self._new_instead)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(620, 420)
        self._update()
        self.search_edit.setFocus()

    def showEvent(self, event):
        super().showEvent(event)
        self.choose_button.setDefault(True)  # Enter chooses the person found, never Cancel

    def role(self) -> str:
        return self.role_combo.currentText()

    def _search(self) -> None:
        self._timer.stop()
        text = self.search_edit.text()
        if len(text.strip()) < MIN_SEARCH:
            self._latest.drop_all()
            _fill_people(self.results, [])
            self.status.setText("Type at least two letters of a name.")
            self._update()
            return
        excluding = self.excluding
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: [
                p for p in people.search_people(job.session, text) if p.id != excluding
            ],
            success=self._show,
            latest=self._latest,
            progress="Looking for people",
        ).start()

    def _show(self, found: list[PersonRow]) -> None:
        _fill_people(self.results, found)
        count = len(found)
        self.status.setText(
            f"{count} found."
            if count
            else "Nobody on file matches. Check the spelling, or add a new person."
        )
        self._update()

    def _update(self) -> None:
        self.choose_button.setEnabled(_chosen(self.results) is not None)

    def _new_instead(self) -> None:
        self.new_requested.emit(self.search_edit.text())
        self.reject()

    def accept(self) -> None:
        self.person = _chosen(self.results)
        if self.person is not None:
            super().accept()


class PersonFormDialog(SavingDialog):
    """A new person (`person=None`) or corrections to one. A new person who may already be
    on file is not saved: the likely records are listed, and the person adding chooses one
    of them or says this is someone else."""

    def __init__(
        self,
        session: UserSession,
        person: PersonRow | None = None,
        *,
        typed: str = "",
        role: bool = False,
        parent=None,
    ):
        super().__init__(session, parent)
        self.person = person
        self.saved: PersonRow | None = None
        self.allow_duplicate = False
        self.setObjectName("personFormDialog")
        self.setWindowTitle("Correct a person's details" if person else "Add a new person")
        self.given_edit = line_edit("givenNameEdit", "First name")
        self.family_edit = line_edit("familyNameEdit", "Last name")
        self.relation_combo = combo_box("relationCombo", "How they relate to the school")
        for relation in Relationship:
            self.relation_combo.addItem(relation.label, relation.value)
        self.address_edit = text_edit("addressEdit", "Address")
        self.address_edit.setFixedHeight(70)
        self.email_edit = line_edit("emailEdit", "Email address")
        self.phone_edit = line_edit("phoneEdit", "Phone number")
        self.role_combo = case_role_combo()
        self.duplicate_note = QLabel()
        self.duplicate_note.setObjectName("duplicateNote")
        self.duplicate_note.setWordWrap(True)
        self.duplicates = QListWidget()
        self.duplicates.setObjectName("duplicateList")
        self.duplicates.setAccessibleName("People already on file with a similar name")
        self.duplicates.setWordWrap(True)
        self.use_existing_button = QPushButton("&Use the selected record")
        self.use_existing_button.setObjectName("useExistingButton")
        self.save_anyway_button = QPushButton("They are someone &else: add them")
        self.save_anyway_button.setObjectName("saveAnywayButton")
        for button in (self.use_existing_button, self.save_anyway_button):
            button.setAutoDefault(False)
        self.buttons = save_cancel_buttons(self)
        form = QFormLayout()
        form.addRow("&First name:", self.given_edit)
        form.addRow("&Last name:", self.family_edit)
        form.addRow("&Relationship:", self.relation_combo)
        form.addRow("&Address:", self.address_edit)
        form.addRow("E&mail:", self.email_edit)
        form.addRow("&Phone:", self.phone_edit)
        if role:
            form.addRow("Part in the &case:", self.role_combo)
        self.duplicate_box = QWidget()
        self.duplicate_box.setObjectName("duplicateBox")
        box = QVBoxLayout(self.duplicate_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.duplicate_note)
        box.addWidget(self.duplicates)
        choices = QGridLayout()
        choices.addWidget(self.use_existing_button, 0, 0)
        choices.addWidget(self.save_anyway_button, 0, 1)
        box.addLayout(choices)
        self.duplicate_box.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.duplicate_box)
        layout.addWidget(self.buttons)
        self.role_combo.setVisible(role)
        if person is not None:
            self.given_edit.setText(person.given_name)
            self.family_edit.setText(person.family_name)
            self.relation_combo.setCurrentIndex(
                max(0, self.relation_combo.findData(person.relation))
            )
            self.address_edit.setPlainText(person.address)
            self.email_edit.setText(person.email)
            self.phone_edit.setText(person.phone)
        elif typed.strip():
            words = typed.split()
            self.given_edit.setText(" ".join(words[:-1]) if len(words) > 1 else "")
            self.family_edit.setText(words[-1])
        self.use_existing_button.clicked.connect(self._use_existing)
        self.save_anyway_button.clicked.connect(self._save_anyway)
        self.duplicates.itemActivated.connect(lambda _item: self._use_existing())
        self.resize(560, 420)
        self.given_edit.setFocus()

    def role(self) -> str:
        return self.role_combo.currentText()

    def accept(self) -> None:
        values = {
            "given_name": self.given_edit.text(),
            "family_name": self.family_edit.text(),
            "relation": self.relation_combo.currentData(),
            "address": self.address_edit.toPlainText(),
            "email": self.email_edit.text(),
            "phone": self.phone_edit.text(),
        }
        if self.person is None:
            allow = self.allow_duplicate
            run = partial(_create, values, allow)
        else:
            run = partial(_update, self.person.id, values)
        self._save(run, "Saving the person", hold=self.buttons)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, PossibleDuplicate):
            self._offer(exc.candidates)
            return
        super()._refused(exc)

    def _fields(self) -> dict[str, QWidget]:
        return {
            "given_name": self.given_edit,
            "family_name": self.family_edit,
            "relation": self.relation_combo,
            "address": self.address_edit,
            "email": self.email_edit,
            "phone": self.phone_edit,
        }

    def _offer(self, candidates: tuple[PersonRow, ...]) -> None:
        """Show who may already be this person, and let the person adding choose."""
        some = "Someone" if len(candidates) == 1 else "People"
        self.duplicate_note.setText(
            f"{some} with a very similar name {'is' if len(candidates) == 1 else 'are'} already "
            "on file. If this is the same person, use their record, so that everything about "
            "them stays in one place (a bar recorded against a second record could be missed "
            "at reception)."
        )
        _fill_people(self.duplicates, list(candidates))
        self.duplicate_box.show()
        fit_height(self)
        self.duplicates.setFocus()

    def _use_existing(self) -> None:
        chosen = _chosen(self.duplicates)
        if chosen is not None:
            self._saved(chosen)

    def _save_anyway(self) -> None:
        self.allow_duplicate = True
        self.accept()


def _create(values: dict[str, str], allow: bool, job) -> PersonRow:
    return people.create_person(job.session, allow_duplicate=allow, **values)


def _update(person_id: int, values: dict[str, str], job) -> PersonRow:
    return people.update_person(job.session, person_id=person_id, **values)
