"""New case, driven by keys from the main window, and opening cases from the list.

The case windows opened here use the real tabs where they exist and stand-ins for the
others (tests/ui/case_tab_stand_ins.py), so these tests are about the dialog and the main
window, not about what each tab shows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListWidget

from desktop.dates import to_uk, utc_now
from desktop.services import auth, casefile, cases
from desktop.services.casefile import FirstIncident, NewPerson
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.storage import models as m
from desktop.ui.case_window import CaseWindow
from desktop.ui.check_window import CheckWindow
from desktop.ui.main_window import MainWindow
from desktop.ui.new_case_dialog import NewCaseDialog
from tests.conftest import ADMIN_PASSWORD
from tests.ui import case_tab_stand_ins
from tests.ui.fakes import FakeBackend
from tests.ui.typing import CTRL, click_row, paste_into, press, type_into, type_keys

ALT = Qt.KeyboardModifier.AltModifier
ASH, BIRCH = 1, 2


@pytest.fixture(autouse=True)
def tabs_where_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins only for the tab modules not written yet."""
    case_tab_stand_ins.install(monkeypatch, only_missing=True)


@pytest.fixture(autouse=True)
def no_window_left_open(qtbot):
    yield
    for window in visible(CaseWindow) + visible(CheckWindow) + visible(NewCaseDialog):
        window.close()


@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


def main_window(qtbot, session: UserSession, state: QSettings) -> MainWindow:
    window = MainWindow(session, state=state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    return window


def visible(kind) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def the_dialog(qtbot) -> NewCaseDialog:
    qtbot.waitUntil(lambda: len(visible(NewCaseDialog)) == 1, timeout=3000)
    dialog = visible(NewCaseDialog)[0]
    qtbot.waitUntil(dialog.given_edit.hasFocus, timeout=3000)
    return dialog


def open_dialog(qtbot, session: UserSession, state: QSettings) -> tuple[MainWindow, NewCaseDialog]:
    window = main_window(qtbot, session, state)
    press(qtbot, Qt.Key.Key_N, CTRL)
    return window, the_dialog(qtbot)


def tick_by_keys(qtbot, dialog: NewCaseDialog, view: QListWidget, mnemonic: Qt.Key, row: int):
    """Go to a checkable list by its label's Alt key, arrow down to `row`, Space to tick."""
    press(qtbot, mnemonic, ALT)
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    if view.currentRow() < 0:
        press(qtbot, Qt.Key.Key_Down)
    while view.currentRow() < row:
        press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Space)
    assert view.item(row).checkState() == Qt.CheckState.Checked


def fill_incident(
    qtbot, dialog: NewCaseDialog, description="Shouted at the office manager.\nRefused to leave."
):
    tick_by_keys(qtbot, dialog, dialog.category_list, Qt.Key.Key_K, 1)
    press(qtbot, Qt.Key.Key_P, ALT)
    qtbot.waitUntil(dialog.description_edit.hasFocus)
    type_keys(qtbot, description)


def type_name(qtbot, given: str, family: str) -> None:
    """Into the first and last name, from the first name (where the dialog opens)."""
    type_keys(qtbot, given)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, family)


def opened_case(qtbot):
    """The header of the case window that saving opened (the dialog is gone by then)."""
    qtbot.waitUntil(lambda: len(visible(CaseWindow)) == 1, timeout=5000)
    window = visible(CaseWindow)[0]
    qtbot.waitUntil(lambda: window.header is not None, timeout=5000)
    return window.header


def error_text(dialog: NewCaseDialog, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    return label.text() if label.isVisible() else ""


def count_cases(session: UserSession) -> int:
    return cases.count_cases(session, status=None)


# -- creating a case ---------------------------------------------------------------------
def test_ctrl_n_creates_a_case_and_opens_its_window(
    qtbot, new_store: SetupResult, state, messenger: FakeBackend
) -> None:
    session = new_store.session
    window, dialog = open_dialog(qtbot, session, state)
    type_keys(qtbot, "Zoë")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "O'Brien-Łukasz")
    tick_by_keys(qtbot, dialog, dialog.school_list, Qt.Key.Key_C, 0)  # Ash Primary
    press(qtbot, Qt.Key.Key_D, ALT)  # Child:
    type_keys(qtbot, "Mia")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "O'Brien\n")  # Enter adds the child; it does not save
    assert dialog.isVisible()
    assert dialog.pupil_list.count() == 1
    assert dialog.pupil_list.item(0).text() == "Mia O'Brien (Ash Primary)"
    fill_incident(qtbot, dialog)
    press(qtbot, Qt.Key.Key_O, ALT)
    type_keys(qtbot, "Main gate\n")  # Enter in the last field saves

    header = opened_case(qtbot)
    assert not visible(NewCaseDialog)
    assert header.subject == "Zoë O'Brien-Łukasz"
    assert header.schools == ("Ash Primary",)
    assert [p.name for p in header.pupils] == ["Mia O'Brien"]
    with session.transaction() as db:
        incident = db.query(m.Incident).filter_by(case_id=header.id).one()
        assert incident.description == "Shouted at the office manager.\nRefused to leave."
        assert incident.location == "Main gate"
        assert [c.id for c in incident.categories] == [2]
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)  # the list shows it
    assert window.model.case_at(0).reference == header.reference
    assert not [s for s in messenger.said if s[0] == "warn"]


def test_a_one_school_user_has_their_school_chosen(qtbot, new_store: SetupResult, state) -> None:
    add_user(
        new_store.session,
        username="bm",
        full_name="Bea Manager",
        role="business_manager",
        school_ids=[BIRCH],
        password=ADMIN_PASSWORD,
    )
    user = auth.sign_in(new_store.session.store.path, username="bm", password=ADMIN_PASSWORD)
    try:
        _window, dialog = open_dialog(qtbot, user, state)
        assert dialog.school_list.count() == 1
        assert dialog.school_list.item(0).text() == "Birch Academy"
        assert dialog.school_list.item(0).checkState() == Qt.CheckState.Checked
        dialog.done(0)
    finally:
        user.close()


def test_someone_already_on_file_is_found_despite_a_typo(
    qtbot, new_store: SetupResult, state
) -> None:
    session = new_store.session
    first = casefile.new_case(
        session,
        subject=NewPerson("Ann", "Smith", "parent"),
        school_ids=(ASH,),
        first_incident=FirstIncident(utc_now(), "telephone", (1,), "Rang and shouted."),
    )
    subject_id = casefile.case_header(session, case_id=first.id).subject_id
    _window, dialog = open_dialog(qtbot, session, state)
    press(qtbot, Qt.Key.Key_R, ALT)  # Search:
    type_keys(qtbot, "Ann Smtih")
    assert dialog.existing_radio.isChecked()
    qtbot.waitUntil(lambda: dialog.candidate_list.count() >= 1, timeout=3000)
    assert dialog.candidate_list.item(0).text().startswith("Ann Smith")
    assert first.reference in dialog.candidate_list.item(0).text()
    press(qtbot, Qt.Key.Key_Return)  # the first match is chosen, the dialog stays open
    assert dialog.isVisible() and dialog.chosen_person() == subject_id
    tick_by_keys(qtbot, dialog, dialog.school_list, Qt.Key.Key_C, 0)
    fill_incident(qtbot, dialog, "Came to the office again.")
    press(qtbot, Qt.Key.Key_Return, CTRL)  # Ctrl+Enter in the description saves
    assert opened_case(qtbot).subject_id == subject_id


# -- bad input ----------------------------------------------------------------------------
def test_an_empty_name_is_refused_beside_the_field(qtbot, new_store, state) -> None:
    session = new_store.session
    _window, dialog = open_dialog(qtbot, session, state)
    tick_by_keys(qtbot, dialog, dialog.school_list, Qt.Key.Key_C, 0)
    fill_incident(qtbot, dialog)
    press(qtbot, Qt.Key.Key_O, ALT)
    type_keys(qtbot, "Gate\n")
    qtbot.waitUntil(lambda: error_text(dialog, "subjectError") != "", timeout=5000)
    assert error_text(dialog, "subjectError") == "The first name is required."
    assert dialog.given_edit.hasFocus()
    assert dialog.isVisible() and count_cases(session) == 0


def test_a_future_date_is_refused_beside_the_field(qtbot, new_store, state) -> None:
    session = new_store.session
    _window, dialog = open_dialog(qtbot, session, state)
    type_name(qtbot, "Ann", "Smith")
    tick_by_keys(qtbot, dialog, dialog.school_list, Qt.Key.Key_C, 0)
    press(qtbot, Qt.Key.Key_T, ALT)
    qtbot.waitUntil(dialog.when_edit.hasFocus)
    later = to_uk(utc_now()) + dt.timedelta(days=2)
    press(qtbot, Qt.Key.Key_Home)  # the day
    press(qtbot, Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Up)
    assert dialog.when_edit.dateTime().toPython().date() == later.date()
    fill_incident(qtbot, dialog)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: error_text(dialog, "whenError") != "", timeout=5000)
    assert "in the future" in error_text(dialog, "whenError")
    assert dialog.when_edit.hasFocus()
    assert count_cases(session) == 0


def test_a_description_of_100000_characters_is_refused(qtbot, new_store, state) -> None:
    session = new_store.session
    _window, dialog = open_dialog(qtbot, session, state)
    type_name(qtbot, "Ann", "Smith")
    tick_by_keys(qtbot, dialog, dialog.school_list, Qt.Key.Key_C, 0)
    tick_by_keys(qtbot, dialog, dialog.category_list, Qt.Key.Key_K, 0)
    paste_into(qtbot, dialog.description_edit, "x" * 100_000)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: error_text(dialog, "descriptionError") != "", timeout=5000)
    assert error_text(dialog, "descriptionError").startswith(
        "The description is 100,000 characters; the limit is 20,000."
    )
    assert count_cases(session) == 0
    with session.transaction() as db:
        assert db.query(m.Person).count() == 0  # nothing half-saved


@pytest.mark.parametrize("name", ["Zoë Ćwik", "محمد علي", "Seán O'Brien-Murphy", "Ли Вэй"])
def test_names_in_any_script_round_trip(qtbot, new_store, state, name: str) -> None:
    session = new_store.session
    given, family = name.split(" ", 1)
    _window, dialog = open_dialog(qtbot, session, state)
    type_into(qtbot, dialog.given_edit, given)
    type_into(qtbot, dialog.family_edit, family)
    tick_by_keys(qtbot, dialog, dialog.school_list, Qt.Key.Key_C, 0)
    fill_incident(qtbot, dialog)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    header = opened_case(qtbot)
    assert header.subject == name
    assert cases.get_case(session, reference=header.reference).subject == name


def test_a_child_needs_both_names(qtbot, new_store, state) -> None:
    _window, dialog = open_dialog(qtbot, new_store.session, state)
    press(qtbot, Qt.Key.Key_D, ALT)
    type_keys(qtbot, "Mia\n")
    assert dialog.pupil_list.count() == 0
    assert (
        error_text(dialog, "pupilsError") == "Type the child's first and last name, then Add child."
    )


# -- cancelling ---------------------------------------------------------------------------
def test_escape_asks_before_throwing_away_what_was_typed(
    qtbot, new_store, state, messenger: FakeBackend
) -> None:
    _window, dialog = open_dialog(qtbot, new_store.session, state)
    type_keys(qtbot, "Ann")
    messenger.confirmations.append(False)
    press(qtbot, Qt.Key.Key_Escape)
    assert messenger.said[-1][0] == "confirm"
    assert dialog.isVisible() and dialog.given_edit.text() == "Ann"
    messenger.confirmations.append(True)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not visible(NewCaseDialog))
    assert count_cases(new_store.session) == 0


def test_escape_on_an_untouched_dialog_just_closes(
    qtbot, new_store, state, messenger: FakeBackend
) -> None:
    _window, dialog = open_dialog(qtbot, new_store.session, state)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not visible(NewCaseDialog))
    assert not messenger.said


# -- opening cases from the main window -------------------------------------------------------
@pytest.fixture
def two_cases(new_store: SetupResult) -> list[int]:
    ids = []
    for given in ("Ann", "Bob"):
        row = casefile.new_case(
            new_store.session,
            subject=NewPerson(given, "Smith", "parent"),
            school_ids=(ASH,),
            first_incident=FirstIncident(utc_now(), "telephone", (1,), "Rang and shouted."),
        )
        ids.append(row.id)
    return ids


def test_double_click_and_enter_open_the_case_once(qtbot, new_store, state, two_cases) -> None:
    window = main_window(qtbot, new_store.session, state)
    table = window.case_table
    click_row(qtbot, table, 0, 1)  # a real double-click starts with a click on the cell
    qtbot.mouseDClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(table.model().index(0, 1)).center(),
    )
    qtbot.waitUntil(lambda: len(visible(CaseWindow)) == 1, timeout=3000)
    first = visible(CaseWindow)[0]
    assert first.case_id == window.model.case_at(0).id
    window.activateWindow()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    press(qtbot, Qt.Key.Key_Return)  # the same case again: the same window, raised
    assert visible(CaseWindow) == [first]
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(visible(CaseWindow)) == 2, timeout=3000)
    assert {w.case_id for w in visible(CaseWindow)} == set(two_cases)


def test_a_reference_typed_in_the_search_opens_its_case(
    qtbot, new_store, state, two_cases, messenger: FakeBackend
) -> None:
    window = main_window(qtbot, new_store.session, state)
    reference = casefile.case_header(new_store.session, case_id=two_cases[1]).reference
    year = reference.split("-")[1]
    type_into(qtbot, window.findChild(QLineEdit, "searchEdit"), f"cb-{year}-00002\n")
    qtbot.waitUntil(lambda: len(visible(CaseWindow)) == 1, timeout=3000)
    assert visible(CaseWindow)[0].case_id == two_cases[1]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    type_into(qtbot, window.findChild(QLineEdit, "searchEdit"), f"CB-{year}-0099\n")
    qtbot.waitUntil(lambda: bool(messenger.said), timeout=3000)
    assert messenger.said[-1] == (
        "warn",
        "Casebook",
        "There is no such case among the cases you can open.",
    )


def test_locking_closes_every_case_window_and_the_check(qtbot, new_store, state, two_cases) -> None:
    window = main_window(qtbot, new_store.session, state)
    window.open_case(two_cases[0])
    press(qtbot, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: len(visible(CheckWindow)) == 1, timeout=3000)
    assert len(visible(CaseWindow)) == 1
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    press(qtbot, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: not visible(CaseWindow) and not visible(CheckWindow), timeout=3000)
    assert window.locked
