"""The case window's People tab: the subject and everyone else in the case, their pupils and
voluntary roles, and the ways to add, correct, link and merge them.

Names are found forgivingly ("Mohammed" finds Muhammad, "OBrien" finds O'Brien); a new
person who may already be on file is offered the existing record first; merging two
records names both in plain words before anything happens, and cannot be undone.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import (
    QLabel,
    QTableWidgetItem,
)

from desktop.domain.roles import Operation
from desktop.services import case_people, people, trust
from desktop.services.case_people import CasePeople
from desktop.services.person_rows import PersonRow
from desktop.services.session import UserSession
from desktop.services.trust import SchoolInfo
from desktop.ui.case_tabs.common import (
    CaseTab,
    button_row,
    chain_tab_order,
    detail_pane,
    list_table,
    make_button,
    restore_selection,
    row_at,
    stack,
    vertical_split,
)
from desktop.ui.case_tabs.people_dialogs import PersonFormDialog, PersonSearchDialog, describe
from desktop.ui.case_tabs.pupil_dialogs import LinkPupilDialog, RolesDialog
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Job, WriteOp

SUBJECT = "Subject of the case"
NAME, PART, RELATION, PUPILS, ROLES = range(5)


def pupils_text(person: PersonRow) -> str:
    return ", ".join(
        f"{p.name} ({p.school}{', ' + p.year_group if p.year_group else ''})" for p in person.pupils
    )


def details_text(person: PersonRow, part: str) -> str:
    """Everything the tab knows about one person, as lines a person reads."""
    lines = [person.full_name, f"{part} · {person.relation_label}", ""]
    if person.address:
        lines += ["Address:", person.address, ""]
    for label, value in (("Email", person.email), ("Phone", person.phone)):
        if value:
            lines.append(f"{label}: {value}")
    if person.pupils:
        lines.append("Pupils:")
        lines += [
            f"  {p.name}, {p.school}"
            + (f", {p.year_group}" if p.year_group else "")
            + f" ({p.relation_label.lower()})"
            for p in person.pupils
        ]
    else:
        lines.append("No pupils linked.")
    if person.voluntary_roles:
        lines.append("Voluntary roles: " + "; ".join(r.label for r in person.voluntary_roles))
    if person.case_references:
        lines.append("Cases: " + ", ".join(person.case_references))
    return "\n".join(lines).strip()


def _add_to_case(case_id: int, person_id: int, role: str, job: Job):
    return case_people.add_person_to_case(
        job.session, case_id=case_id, person_id=person_id, role=role
    )


class PeopleTab(CaseTab):
    title = "&People"
    HEADERS = ("Name", "Part in the case", "Relationship", "Pupils", "Voluntary roles")

    def __init__(self, session: UserSession, case_id: int, parent=None):
        super().__init__(session, case_id, "peopleTab", parent)
        self.people: CasePeople | None = None
        self.rows: list[tuple[PersonRow, str]] = []  # (person, part in the case)
        self.schools: list[SchoolInfo] = []
        self._start()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.add_button = make_button("addPersonButton", "A&dd person…", "Add someone on file")
        self.new_button = make_button("newPersonButton", "&New person…", "Add a new person")
        self.edit_button = make_button("editPersonButton", "Edit detai&ls…", "Correct details")
        self.remove_button = make_button(
            "removePersonButton", "Re&move from case", "Take the selected person out of the case"
        )
        self.pupil_button = make_button("linkPupilButton", "Link p&upil…", "Link a pupil")
        self.roles_button = make_button("rolesButton", "Voluntary &roles…", "Voluntary roles")
        self.merge_button = make_button(
            "mergeButton", "Mer&ge…", "Merge another record of this person into this one"
        )
        self.pupils_line = QLabel()
        self.pupils_line.setObjectName("pupilsLine")
        self.pupils_line.setWordWrap(True)
        self.table = list_table("peopleTable", "People in this case", self.HEADERS, PUPILS)
        self.detail = detail_pane("personDetail", "The selected person in full")
        top = button_row(
            self.pupil_button,
            self.roles_button,
            self.merge_button,
            lead=(self.add_button, self.new_button, self.edit_button, self.remove_button),
        )
        split = vertical_split("peopleSplitter", (self.table, 1), (self.detail, 1))
        stack(self, top, self.pupils_line, main=split)
        chain_tab_order(
            self.add_button,
            self.new_button,
            self.edit_button,
            self.remove_button,
            self.pupil_button,
            self.roles_button,
            self.merge_button,
            self.table,
            self.detail,
        )

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.add_person)
        self.new_button.clicked.connect(lambda: self.new_person(""))
        self.edit_button.clicked.connect(self.edit_person)
        self.remove_button.clicked.connect(self.remove_person)
        self.pupil_button.clicked.connect(self.link_pupil)
        self.roles_button.clicked.connect(self.set_roles)
        self.merge_button.clicked.connect(self.merge)
        self.table.activated.connect(lambda _index: self.edit_person())  # Enter, double-click
        self.table.currentCellChanged.connect(lambda *_: self._selection_changed())

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        case_id = self.case_id

        def run(job):
            found = case_people.case_people(job.session, case_id=case_id)
            return found, trust.list_schools(job.session)

        self._read(run, "Reading the people in the case")

    def _show(self, result: tuple[CasePeople, list[SchoolInfo]]) -> None:
        keep = self.current_person()
        self.people, self.schools = result
        self.rows = [(self.people.subject, SUBJECT)]
        self.rows += [(other.person, other.role or "In the case") for other in self.people.others]
        self.table.setRowCount(len(self.rows))
        for number, (person, part) in enumerate(self.rows):
            values = {
                NAME: person.full_name,
                PART: part,
                RELATION: person.relation_label,
                PUPILS: pupils_text(person) or "None linked",
                ROLES: ", ".join(r.label for r in person.voluntary_roles),
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                if column == NAME:
                    item.setToolTip(describe(person))
                self.table.setItem(number, column, item)
        pupils = pupils_text(self.people.subject)
        self.pupils_line.setText(
            f"Pupils linked to {self.people.subject.full_name}: {pupils}."
            if pupils
            else f"No pupils are linked to {self.people.subject.full_name} yet: link them, so "
            "their education is kept in mind."
        )
        keys = [p.id for p, _ in self.rows]
        restore_selection(self.table, keys, None if keep is None else keep.id, column=NAME)
        self._selection_changed()
        self.loaded.emit()

    def current_person(self) -> PersonRow | None:
        row = row_at(self.table, self.rows)
        return None if row is None else row[0]

    def _selection_changed(self) -> None:
        row = row_at(self.table, self.rows)
        if row is not None:
            self.detail.setPlainText(details_text(*row))
        else:
            self.detail.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        editable = self.session.can(Operation.EDIT_CASES) and self.people is not None
        person = self.current_person()
        chosen = editable and person is not None
        is_subject = self.people is not None and person is self.people.subject
        self.add_button.setEnabled(editable)
        self.new_button.setEnabled(editable)
        for button in (self.edit_button, self.pupil_button, self.roles_button, self.merge_button):
            button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen and not is_subject)

    # -- actions ----------------------------------------------------------------------------
    def add_person(self) -> None:
        if not self.add_button.isEnabled():
            return
        dialog = PersonSearchDialog(
            self.session,
            title="Add someone to this case",
            ok="&Add to case",
            role=True,
            parent=self,
        )
        dialog.new_requested.connect(self.new_person)
        self._open(dialog, lambda d: self._add(d.person, d.role()))

    def new_person(self, typed: str = "") -> None:
        if not self.new_button.isEnabled():
            return
        dialog = PersonFormDialog(self.session, typed=typed, role=True, parent=self)
        self._open(dialog, lambda d: self._add(d.saved, d.role()))

    def _add(self, person: PersonRow | None, role: str) -> None:
        if person is None:
            return
        if any(p.id == person.id for p, _ in self.rows):
            Messenger.info(self, "Add someone", f"{person.full_name} is in this case already.")
            self.reload()
            return
        WriteOp(
            parent=self,
            session=self.session,
            run=partial(_add_to_case, self.case_id, person.id, role),
            success=self._saved,
            progress="Adding the person to the case",
            changes=(Change.CASES,),
        ).start()

    def edit_person(self) -> None:
        person = self.current_person()
        if person is not None and self.edit_button.isEnabled():
            self._open(PersonFormDialog(self.session, person, parent=self))

    def remove_person(self) -> None:
        person = self.current_person()
        if person is None or not self.remove_button.isEnabled():
            return
        question = (
            f"Take {person.full_name} out of this case? Their own record stays, and so does "
            "everything already recorded about the case."
        )
        if not Messenger.confirm(self, "Remove from the case", question, "Remove"):
            return
        case_id, person_id = self.case_id, person.id
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: case_people.remove_person_from_case(
                job.session, case_id=case_id, person_id=person_id
            ),
            success=self._saved,
            progress="Removing the person from the case",
            changes=(Change.CASES,),
        ).start()

    def link_pupil(self) -> None:
        person = self.current_person()
        if person is not None and self.pupil_button.isEnabled():
            self._open(LinkPupilDialog(self.session, person, self.schools, self))

    def set_roles(self) -> None:
        person = self.current_person()
        if person is not None and self.roles_button.isEnabled():
            self._open(RolesDialog(self.session, person, self.schools, self))

    def merge(self) -> None:
        keep = self.current_person()
        if keep is None or not self.merge_button.isEnabled():
            return
        dialog = PersonSearchDialog(
            self.session,
            title=f"Find the other record of {keep.full_name}",
            ok="&Choose",
            role=False,
            excluding=keep.id,
            parent=self,
        )
        self._open(dialog, lambda d: self._confirm_merge(keep, d.person))

    def _confirm_merge(self, keep: PersonRow, other: PersonRow | None) -> None:
        if other is None:
            return
        question = (
            f"Merge the record “{describe(other)}”\n\ninto “{describe(keep)}”?\n\n"
            f"Everything linked to {other.full_name}'s record (cases, pupils, incidents, "
            f"restrictions and voluntary roles) will move to {keep.full_name}'s record. The "
            "other record is kept only as a pointer to this one and no longer appears in "
            "searches. This cannot be undone, and it is recorded in the audit trail."
        )
        if not Messenger.confirm(self, "Merge two records of one person", question, "Merge"):
            return
        keep_id, merge_id = keep.id, other.id
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: people.merge_people(job.session, keep_id=keep_id, merge_id=merge_id),
            success=self._saved,
            progress="Merging the records",
            changes=(Change.CASES,),
        ).start()
