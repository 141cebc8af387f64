"""The People tab, driven by keys and clicks: find someone by a mistyped name and add them,
be offered the existing record when adding a likely duplicate, link a pupil, and merge two
records after a confirmation that names both (issue 7, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QTableWidget,
)

from desktop.services import case_people, people
from desktop.services.case_people import NewPupil
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.case_tabs.people_tab import SUBJECT, PeopleTab
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import open_parent_case
from tests.ui.case_tab_support import closed, show_tab, visible_dialog, wait_rows
from tests.ui.fakes import FakeBackend
from tests.ui.typing import click, click_into, click_row, press, tick, type_into, type_keys

NAME, PART, RELATION, PUPILS = range(4)
TABLE = "peopleTable"


@pytest.fixture
def case(session: UserSession) -> CaseRow:
    return open_parent_case(session, "John", "Smith")


def _tab(qtbot, session: UserSession, case: CaseRow, rows: int) -> PeopleTab:
    tab = PeopleTab(session, case.id)
    return show_tab(qtbot, tab, (1000, 520), TABLE, rows, loaded=True, active=True)


def _table(tab: PeopleTab) -> QTableWidget:
    return tab.findChild(QTableWidget, TABLE)


def _cells(tab: PeopleTab, column: int) -> list[str]:
    table = _table(tab)
    return [table.item(r, column).text() for r in range(table.rowCount())]


def _search(qtbot, dialog: QDialog, text: str, found: int) -> QListWidget:
    type_into(qtbot, dialog.findChild(QLineEdit, "personSearchEdit"), text)
    results = dialog.findChild(QListWidget, "personResults")
    qtbot.waitUntil(lambda: results.count() == found, timeout=5000)
    return results


def _subject(session: UserSession, case: CaseRow) -> int:
    return case_people.case_people(session, case_id=case.id).subject.id


def test_add_someone_found_by_a_mistyped_name(qtbot, session, case) -> None:
    khan = people.create_person(
        session, given_name="Muhammad", family_name="Khan", relation="carer"
    )
    people.create_person(session, given_name="Olive", family_name="Turner", relation="parent")
    tab = _tab(qtbot, session, case, 1)
    click(qtbot, tab.findChild(QPushButton, "addPersonButton"))
    dialog = visible_dialog(qtbot, tab, "personSearchDialog")
    results = _search(qtbot, dialog, "Mohammed Kahn", 1)
    assert results.item(0).text().startswith("Muhammad Khan · Carer")
    role = dialog.findChild(QComboBox, "caseRoleCombo")
    click_into(qtbot, role.lineEdit())
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, "Uncle")
    click(qtbot, dialog.findChild(QPushButton, "choosePersonButton"))
    wait_rows(qtbot, tab, TABLE, 2)
    assert _cells(tab, NAME) == ["John Smith", "Muhammad Khan"]
    assert _cells(tab, PART) == [SUBJECT, "Uncle"]
    others = case_people.case_people(session, case_id=case.id).others
    assert [(o.person.id, o.role) for o in others] == [(khan.id, "Uncle")]


def test_a_likely_duplicate_is_offered_instead_of_a_second_record(
    qtbot, session, case, messenger: FakeBackend
) -> None:
    sean = people.create_person(
        session, given_name="Seán", family_name="O'Brien", relation="parent"
    )
    tab = _tab(qtbot, session, case, 1)
    click(qtbot, tab.findChild(QPushButton, "newPersonButton"))
    form = visible_dialog(qtbot, tab, "personFormDialog")
    type_into(qtbot, form.findChild(QLineEdit, "givenNameEdit"), "Sean")
    type_into(qtbot, form.findChild(QLineEdit, "familyNameEdit"), "OBrien")
    press(qtbot, Qt.Key.Key_Return)  # Save
    offered = form.findChild(QListWidget, "duplicateList")
    qtbot.waitUntil(lambda: offered.isVisible() and offered.count() == 1, timeout=5000)
    assert offered.item(0).text().startswith("Seán O'Brien")
    assert form.isVisible()  # nothing saved yet: the person adding decides
    click(qtbot, form.findChild(QPushButton, "useExistingButton"))
    wait_rows(qtbot, tab, TABLE, 2)
    assert _cells(tab, NAME) == ["John Smith", "Seán O'Brien"]
    assert [p.id for p in people.search_people(session, "Sean O'Brien")] == [sean.id]
    assert messenger.said == []


def test_someone_else_of_a_similar_name_can_still_be_added(qtbot, session, case) -> None:
    people.create_person(session, given_name="Zoë", family_name="Adams", relation="parent")
    tab = _tab(qtbot, session, case, 1)
    click(qtbot, tab.findChild(QPushButton, "newPersonButton"))
    form = visible_dialog(qtbot, tab, "personFormDialog")
    type_into(qtbot, form.findChild(QLineEdit, "givenNameEdit"), "Zoe")
    type_into(qtbot, form.findChild(QLineEdit, "familyNameEdit"), "Adams")
    press(qtbot, Qt.Key.Key_Return)
    anyway = form.findChild(QPushButton, "saveAnywayButton")
    qtbot.waitUntil(anyway.isVisible, timeout=5000)
    click(qtbot, anyway)
    wait_rows(qtbot, tab, TABLE, 2)
    assert sorted(p.full_name for p in people.search_people(session, "Zoe Adams")) == [
        "Zoe Adams",
        "Zoë Adams",
    ]


def test_link_a_new_pupil_by_keys(qtbot, session, case) -> None:
    tab = _tab(qtbot, session, case, 1)
    assert "No pupils are linked" in tab.pupils_line.text()
    click_row(qtbot, _table(tab), 0)
    click(qtbot, tab.findChild(QPushButton, "linkPupilButton"))
    dialog = visible_dialog(qtbot, tab, "linkPupilDialog")
    tick(qtbot, dialog.findChild(QRadioButton, "newPupilRadio"))
    type_into(qtbot, dialog.findChild(QLineEdit, "pupilGivenEdit"), "Siân")
    type_into(qtbot, dialog.findChild(QLineEdit, "yearGroupEdit"), "Year 4")
    click(qtbot, dialog.findChild(QPushButton, "linkPupilButton"))
    qtbot.waitUntil(lambda: _cells(tab, PUPILS)[0] != "None linked", timeout=5000)
    assert _cells(tab, PUPILS) == ["Siân Smith (Ash Primary, Year 4)"]
    assert (
        tab.pupils_line.text() == "Pupils linked to John Smith: Siân Smith (Ash Primary, Year 4)."
    )


def test_merge_names_both_records_and_needs_a_yes(
    qtbot, session, case, messenger: FakeBackend
) -> None:
    jon = people.create_person(
        session, given_name="Jon", family_name="Smyth", relation="parent", allow_duplicate=True
    )
    case_people.link_pupil(
        session, person_id=jon.id, pupil=NewPupil("Kit", "Smyth", 1), relation="parent"
    )
    tab = _tab(qtbot, session, case, 1)

    def merge(answer: bool) -> None:
        click_row(qtbot, _table(tab), 0)
        click(qtbot, tab.findChild(QPushButton, "mergeButton"))
        dialog = visible_dialog(qtbot, tab, "personSearchDialog")
        results = _search(qtbot, dialog, "Smith", 1)  # the record being kept is not offered
        assert results.item(0).text().startswith("Jon Smyth")
        messenger.confirmations.append(answer)
        press(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: closed(dialog), timeout=5000)

    merge(False)
    kind, title, text = messenger.said[-1]
    assert (kind, title) == ("confirm", "Merge two records of one person")
    assert "“Jon Smyth" in text and "into “John Smith" in text and "cannot be undone" in text
    assert people.get_person(session, person_id=jon.id).merged_into_id is None

    merge(True)
    qtbot.waitUntil(lambda: _cells(tab, PUPILS) == ["Kit Smyth (Ash Primary)"], timeout=5000)
    assert people.get_person(session, person_id=jon.id).merged_into_id == _subject(session, case)


def test_remove_someone_after_confirming(qtbot, session, case, messenger: FakeBackend) -> None:
    other = people.create_person(session, given_name="Rhys", family_name="Jones", relation="parent")
    case_people.add_person_to_case(
        session, case_id=case.id, person_id=other.id, role="Other parent"
    )
    tab = _tab(qtbot, session, case, 2)
    remove = tab.findChild(QPushButton, "removePersonButton")
    click_row(qtbot, _table(tab), 0)
    assert not remove.isEnabled()  # the subject stays the subject
    click_row(qtbot, _table(tab), 1)
    messenger.confirmations.append(True)
    click(qtbot, remove)
    wait_rows(qtbot, tab, TABLE, 1)
    assert messenger.said[0][1] == "Remove from the case"
    assert case_people.case_people(session, case_id=case.id).others == ()


def test_enter_corrects_a_persons_details(qtbot, session, case) -> None:
    tab = _tab(qtbot, session, case, 1)
    click_row(qtbot, _table(tab), 0)
    press(qtbot, Qt.Key.Key_Return)
    form = visible_dialog(qtbot, tab, "personFormDialog")
    type_into(qtbot, form.findChild(QLineEdit, "phoneEdit"), "07700 900123")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closed(form), timeout=5000)
    qtbot.waitUntil(lambda: "07700 900123" in tab.detail.toPlainText(), timeout=5000)
    assert people.get_person(session, person_id=_subject(session, case)).phone == "07700 900123"


def test_a_read_only_role_sees_people_but_cannot_change_them(
    qtbot, new_store: SetupResult, store_path: Path, case: CaseRow
) -> None:
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", [])
    try:
        tab = _tab(qtbot, auditor, case, 1)
        assert _cells(tab, NAME) == ["John Smith"]
        for name in ("addPersonButton", "newPersonButton", "editPersonButton", "mergeButton"):
            assert not tab.findChild(QPushButton, name).isEnabled()
    finally:
        auditor.close()
