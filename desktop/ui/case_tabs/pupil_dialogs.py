"""The People tab's dialogs for a person's pupils and voluntary roles.

Both save through `services.case_people` themselves and stay open if the service refuses.
A pupil is found among the user's own schools (forgiving typos), or added new at one of
them; a voluntary role may name the school it is held at.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.people import Relationship, VoluntaryRole
from desktop.services import case_people
from desktop.services.case_people import NewPupil, PupilRow
from desktop.services.person_rows import PersonRow
from desktop.services.session import UserSession
from desktop.services.trust import SchoolInfo
from desktop.ui.case_tabs.people_dialogs import MIN_SEARCH, SEARCH_DELAY_MS
from desktop.ui.dialog_parts import (
    SavingDialog,
    combo_box,
    line_edit,
    ok_buttons,
    save_cancel_buttons,
)
from desktop.ui.messages import Messenger
from desktop.ui.operations import Latest, ReadOp


class LinkPupilDialog(SavingDialog):
    """Link a person to a pupil already on file, or to a new pupil at one of the schools."""

    def __init__(
        self, session: UserSession, person: PersonRow, schools: list[SchoolInfo], parent=None
    ):
        super().__init__(session, parent)
        self.person = person
        self.setObjectName("linkPupilDialog")
        self.setWindowTitle(f"Link a pupil to {person.full_name}")
        self._latest = Latest()
        self.existing_radio = QRadioButton("A pupil &already on file")
        self.existing_radio.setObjectName("existingPupilRadio")
        self.new_radio = QRadioButton("A ne&w pupil")
        self.new_radio.setObjectName("newPupilRadio")
        group = QButtonGroup(self)
        group.addButton(self.existing_radio)
        group.addButton(self.new_radio)
        self.search_edit = line_edit("pupilSearchEdit", "Pupil's name to look for")
        self.results = QListWidget()
        self.results.setObjectName("pupilResults")
        self.results.setAccessibleName("Pupils found")
        self.given_edit = line_edit("pupilGivenEdit", "Pupil's first name")
        self.family_edit = line_edit(
            "pupilFamilyEdit", "Pupil's last name", text=person.family_name
        )
        self.school_combo = combo_box("pupilSchoolCombo", "Pupil's school")
        for school in schools:
            self.school_combo.addItem(school.name, school.id)
        self.year_edit = line_edit("yearGroupEdit", "Year group", placeholder="e.g. Year 4")
        self.relation_combo = combo_box(
            "pupilRelationCombo", "How the person is related to the pupil"
        )
        for relation in Relationship:
            if relation is not Relationship.VISITOR:
                self.relation_combo.addItem(relation.label, relation.value)
        self.buttons, _link = ok_buttons("&Link", "linkPupilButton")
        form = QFormLayout()
        form.addRow(self.existing_radio)
        form.addRow("&Name:", self.search_edit)
        form.addRow("", self.results)
        form.addRow(self.new_radio)
        form.addRow("&First name:", self.given_edit)
        form.addRow("Las&t name:", self.family_edit)
        form.addRow("&School:", self.school_combo)
        form.addRow("&Year group:", self.year_edit)
        form.addRow("&Relationship:", self.relation_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.search_edit.textEdited.connect(lambda _text: self._timer.start())
        self.existing_radio.toggled.connect(self._mode)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.existing_radio.setChecked(True)
        self._mode()
        self.resize(520, 480)
        self.search_edit.setFocus()

    def _mode(self) -> None:
        existing = self.existing_radio.isChecked()
        searching: tuple[QWidget, ...] = (self.search_edit, self.results)
        adding: tuple[QWidget, ...] = (
            self.given_edit,
            self.family_edit,
            self.school_combo,
            self.year_edit,
        )
        for widget in searching:
            widget.setEnabled(existing)
        for widget in adding:
            widget.setEnabled(not existing)

    def _search(self) -> None:
        text = self.search_edit.text()
        if len(text.strip()) < MIN_SEARCH:
            self.results.clear()
            return
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: case_people.find_pupils(job.session, text),
            success=self._show,
            latest=self._latest,
            progress="Looking for pupils",
        ).start()

    def _show(self, found: list[PupilRow]) -> None:
        self.results.clear()
        for pupil in found:
            words = f"{pupil.name} · {pupil.school}" + (
                f" · {pupil.year_group}" if pupil.year_group else ""
            )
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, pupil.id)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)

    def accept(self) -> None:
        if self.existing_radio.isChecked():
            item = self.results.currentItem()
            if item is None:
                Messenger.warn(
                    self, self.windowTitle(), "Find the pupil by name first, or add a new pupil."
                )
                self.search_edit.setFocus()
                return
            pupil: int | NewPupil = int(item.data(Qt.ItemDataRole.UserRole))
        else:
            pupil = NewPupil(
                self.given_edit.text(),
                self.family_edit.text(),
                int(self.school_combo.currentData() or 0),
                self.year_edit.text(),
            )
        person_id, relation = self.person.id, self.relation_combo.currentData()
        self._save(
            lambda job: case_people.link_pupil(
                job.session, person_id=person_id, pupil=pupil, relation=relation
            ),
            "Linking the pupil",
            hold=self.buttons,
        )

    def _fields(self) -> dict[str, QWidget]:
        return {
            "pupil_given_name": self.given_edit,
            "pupil_family_name": self.family_edit,
            "year_group": self.year_edit,
            "school": self.school_combo,
        }


class RolesDialog(SavingDialog):
    """The voluntary roles a person holds (a governor or PTA member stays a parent in scope)."""

    def __init__(
        self, session: UserSession, person: PersonRow, schools: list[SchoolInfo], parent=None
    ):
        super().__init__(session, parent)
        self.person = person
        self.setObjectName("rolesDialog")
        self.setWindowTitle(f"Voluntary roles of {person.full_name}")
        note = QLabel(
            "A parent who is also a governor, trustee or volunteer stays within the code of "
            "conduct as a parent. Recording the role keeps that visible."
        )
        note.setWordWrap(True)
        held = {r.role: r.school_id for r in person.voluntary_roles}
        grid = QGridLayout()
        self.boxes: dict[str, tuple[QCheckBox, QComboBox]] = {}
        for row, role in enumerate(VoluntaryRole):
            box = QCheckBox(role.label)
            box.setObjectName(f"role_{role.value}")
            combo = combo_box(f"roleSchool_{role.value}", f"School for {role.label}")
            combo.addItem("Trust-wide or not at one school", None)
            for school in schools:
                combo.addItem(school.name, school.id)
            if role.value in held:
                box.setChecked(True)
                index = combo.findData(held[role.value])
                combo.setCurrentIndex(max(index, 0))
            combo.setEnabled(box.isChecked())
            box.toggled.connect(combo.setEnabled)
            grid.addWidget(box, row, 0)
            grid.addWidget(combo, row, 1)
            self.boxes[role.value] = (box, combo)
        self.buttons = save_cancel_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(grid)
        layout.addWidget(self.buttons)

    def chosen(self) -> list[tuple[str, int | None]]:
        return [
            (value, combo.currentData())
            for value, (box, combo) in self.boxes.items()
            if box.isChecked()
        ]

    def accept(self) -> None:
        person_id, roles = self.person.id, self.chosen()
        self._save(
            lambda job: case_people.set_voluntary_roles(
                job.session, person_id=person_id, roles=roles
            ),
            "Saving the roles",
            hold=self.buttons,
        )
