"""The main window over a real encrypted store: rows, search, filters, roles, lock, state.

The case list loads off the UI thread, so the tests wait for the rows to arrive (the model's
`loaded` signal) before they look at them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTextBrowser,
    QToolButton,
    QTreeWidget,
    QWidget,
)
from sqlalchemy import update

import desktop
from desktop.services import auth, cases, trust
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.storage.models import Case
from desktop.ui.about_dialog import AboutDialog
from desktop.ui.case_table_model import OPENED as OPENED_COLUMN
from desktop.ui.case_table_model import REFERENCE, SCHOOLS, STAGE, SUBJECT, CaseTableModel
from desktop.ui.change_password_dialog import ChangePasswordDialog
from desktop.ui.help_dialog import HelpDialog
from desktop.ui.main_window import (
    NO_CASES_YET,
    MainWindow,
    count_text,
)
from desktop.ui.messages import Messenger
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.signin_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.ui.fakes import FakeBackend
from tests.ui.typing import choose

OPENED = dt.date(2026, 1, 12)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeBackend:
    backend = FakeBackend()
    monkeypatch.setattr(Messenger, "backend", backend)
    return backend


@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def store(new_store: SetupResult) -> SetupResult:
    """Three cases: Ann at Ash (1), Bob at Birch (2), Cat at both; Bob's case is closed."""
    session = new_store.session
    for given, family, schools in (
        ("Ann", "Smith", [1]),
        ("Bob", "Jones", [2]),
        ("Cat", "Brown", [1, 2]),
    ):
        cases.open_case(
            session,
            given_name=given,
            family_name=family,
            relationship="parent",
            school_ids=schools,
            opened_on=OPENED,
        )
    with session.transaction() as db:
        db.execute(update(Case).where(Case.ref_sequence == 2).values(status="closed"))
    return new_store


def make_window(qtbot, session: UserSession, state: QSettings) -> MainWindow:
    window = MainWindow(session, state=state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)  # the first page is in
    return window


def reloads(qtbot, window: MainWindow):
    """Wait, at the end of the block, for the list the block asked for to arrive."""
    return qtbot.waitSignal(window.model.loaded, timeout=5000)


def pick(qtbot, window: MainWindow, name: str, text: str) -> None:
    """Choose a filter from its drop-down as a person does, and wait for the list to reload."""
    with reloads(qtbot, window):
        choose(qtbot, find(window, QComboBox, name), text)


@pytest.fixture
def window(qtbot, store: SetupResult, state: QSettings, fake: FakeBackend) -> MainWindow:
    return make_window(qtbot, store.session, state)


def sign_in_as(store: SetupResult, username: str, role: str, schools: list[int]) -> UserSession:
    add_user(
        store.session,
        username=username,
        full_name=username.title(),
        role=role,
        school_ids=schools,
        password=ADMIN_PASSWORD,
    )
    return auth.sign_in(store.session.store.path, username=username, password=ADMIN_PASSWORD)


@pytest.fixture
def other_user(store: SetupResult) -> Iterator[list[UserSession]]:
    opened: list[UserSession] = []
    yield opened
    for session in opened:
        session.close()


def find(window: QWidget, kind, name: str):
    found = window.findChild(kind, name)
    assert found is not None, name
    return found


def subjects(window: MainWindow) -> set[str]:
    model = window.model
    return {model.case_at(i).subject for i in range(model.rowCount())}


def top_level(kind):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def first_subjects(window: MainWindow) -> list[str]:
    table = find(window, QTableView, "caseTable")
    return [table.model().index(row, SUBJECT).data() for row in range(table.model().rowCount())]


def click_header(qtbot, window: MainWindow, column: int) -> None:
    """Click a column's title the way a person does, and wait for the list to reload."""
    header = find(window, QTableView, "caseTable").horizontalHeader()
    middle = QPoint(
        header.sectionViewportPosition(column) + header.sectionSize(column) // 2,
        header.height() // 2,
    )
    with qtbot.waitSignal(window.model.modelReset):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=middle)


def columns_fit(table: QTableView) -> bool:
    header = table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()))
    return used <= table.viewport().width() and not table.horizontalScrollBar().isVisible()


# -- what it shows ------------------------------------------------------------------------
def test_shows_open_cases_with_title_user_and_count(window: MainWindow) -> None:
    table = find(window, QTableView, "caseTable")
    assert table.isVisible()
    assert not find(window, QLabel, "emptyLabel").isVisible()
    assert window.windowTitle() == "Casebook — Oakfield Learning Trust"
    assert subjects(window) == {"Ann Smith", "Cat Brown"}  # preferences default to open
    assert table.model().rowCount() == 2
    assert find(window, QLabel, "countLabel").text() == "2 cases"
    assert (
        find(window, QLabel, "userLabel").text()
        == "Signed in as Alex Admin (Data protection lead / administrator)"
    )
    search = find(window, QLineEdit, "searchEdit")
    assert search.placeholderText() == "Search by name or reference"
    assert search.isClearButtonEnabled()
    schools = find(window, QComboBox, "schoolCombo")
    assert [schools.itemText(i) for i in range(schools.count())] == [
        "All my schools",
        "Ash Primary",
        "Birch Academy",
    ]
    statuses = find(window, QComboBox, "statusCombo")
    assert [statuses.itemText(i) for i in range(statuses.count())] == [
        "Open",
        "Closed",
        "All statuses",
    ]
    assert table.model().index(0, REFERENCE).data() == "CB-2026-0003"


def test_count_text_uses_thousands_separators() -> None:
    assert count_text(1234) == "1,234 cases"
    assert count_text(1) == "1 case"
    assert count_text(0) == "0 cases"


def test_search_filters_after_typing(qtbot, window: MainWindow) -> None:
    pick(qtbot, window, "statusCombo", "All statuses")
    assert window.model.rowCount() == 3
    qtbot.keyClicks(find(window, QLineEdit, "searchEdit"), "Jones")
    assert window.model.rowCount() == 3  # debounced: nothing happens on each key
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert subjects(window) == {"Bob Jones"}
    assert find(window, QLabel, "countLabel").text() == "1 case"


def test_search_with_no_match_shows_empty_label(qtbot, window: MainWindow) -> None:
    qtbot.keyClicks(find(window, QLineEdit, "searchEdit"), "Zebedee")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    empty = find(window, QLabel, "emptyLabel")
    assert empty.isVisible()
    assert empty.text().startswith("No cases match")
    assert not find(window, QTableView, "caseTable").isVisible()


def test_filters_that_match_nothing_say_so(qtbot, window: MainWindow) -> None:
    pick(qtbot, window, "schoolCombo", "Ash Primary")
    pick(qtbot, window, "statusCombo", "Closed")  # Bob's closed case is at Birch
    empty = find(window, QLabel, "emptyLabel")
    assert empty.isVisible()
    assert empty.text().startswith("No cases match")


def test_a_new_trust_says_there_are_no_cases_yet(qtbot, new_store, state, fake) -> None:
    window = make_window(qtbot, new_store.session, state)
    assert find(window, QComboBox, "statusCombo").currentText() == "Open"  # a filter, but...
    empty = find(window, QLabel, "emptyLabel")
    assert empty.isVisible()
    assert empty.text() == NO_CASES_YET
    assert "match" not in empty.text()
    assert not find(window, QTableView, "caseTable").isVisible()
    assert find(window, QLabel, "countLabel").text() == "0 cases"
    assert find(window, QWidget, "filterBar").isVisible()

    with qtbot.waitSignal(window.model.totalChanged):
        qtbot.keyClicks(find(window, QLineEdit, "searchEdit"), "Ann")
    assert empty.text() == NO_CASES_YET  # nothing to search: still "no cases yet"


def test_cases_hidden_by_the_default_filter_are_not_called_none_yet(
    qtbot, store, state, fake, other_user
) -> None:
    cases.open_case(
        store.session,
        given_name="Dan",
        family_name="Green",
        relationship="carer",
        school_ids=[1],
        opened_on=OPENED,
    )
    session = sign_in_as(store, "manager", "business_manager", [2])
    other_user.append(session)
    with store.session.transaction() as db:  # Birch's cases are all closed...
        db.execute(update(Case).where(Case.ref_sequence == 3).values(status="closed"))
    window = make_window(qtbot, session, state)
    empty = find(window, QLabel, "emptyLabel")
    assert empty.text().startswith("No cases match")  # ...but there are some to find


def test_escape_clears_the_search(qtbot, window: MainWindow) -> None:
    search = find(window, QLineEdit, "searchEdit")
    qtbot.keyClicks(search, "Ann")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)


def test_school_combo_filters(qtbot, window: MainWindow) -> None:
    pick(qtbot, window, "statusCombo", "All statuses")
    pick(qtbot, window, "schoolCombo", "Birch Academy")
    assert subjects(window) == {"Bob Jones", "Cat Brown"}
    pick(qtbot, window, "schoolCombo", "Ash Primary")
    assert subjects(window) == {"Ann Smith", "Cat Brown"}


def test_status_combo_filters(qtbot, window: MainWindow) -> None:
    pick(qtbot, window, "statusCombo", "Closed")
    assert subjects(window) == {"Bob Jones"}
    pick(qtbot, window, "statusCombo", "All statuses")
    assert len(subjects(window)) == 3
    assert find(window, QLabel, "countLabel").text() == "3 cases"


def test_initial_filters_come_from_preferences(qtbot, store, state, fake) -> None:
    prefs = trust.Preferences(default_status="", default_school_id=2)
    trust.save_preferences(store.session, preferences=prefs)
    window = make_window(qtbot, store.session, state)
    assert find(window, QComboBox, "statusCombo").currentText() == "All statuses"
    assert find(window, QComboBox, "schoolCombo").currentText() == "Birch Academy"
    assert subjects(window) == {"Bob Jones", "Cat Brown"}


def test_school_business_manager_sees_only_their_school(
    qtbot, store, state, fake, other_user
) -> None:
    session = sign_in_as(store, "manager", "business_manager", [1])
    other_user.append(session)
    window = make_window(qtbot, session, state)
    pick(qtbot, window, "statusCombo", "All statuses")
    assert subjects(window) == {"Ann Smith", "Cat Brown"}
    combo = find(window, QComboBox, "schoolCombo")
    assert [combo.itemText(i) for i in range(combo.count())] == ["All my schools", "Ash Primary"]
    assert "School business manager" in find(window, QLabel, "userLabel").text()


def test_sorting_keeps_the_filters_and_survives_a_search(qtbot, window: MainWindow) -> None:
    click_header(qtbot, window, SUBJECT)
    assert first_subjects(window) == ["Ann Smith", "Cat Brown"]  # still only open cases
    qtbot.keyClicks(find(window, QLineEdit, "searchEdit"), "Brown")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    find(window, QLineEdit, "searchEdit").clear()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert first_subjects(window) == ["Ann Smith", "Cat Brown"]


# -- locking ------------------------------------------------------------------------------
def test_lock_clears_everything_and_password_brings_it_back(qtbot, window: MainWindow) -> None:
    first = window.session
    find(window, QLineEdit, "searchEdit").setText("Ann")
    qtbot.mouseClick(find(window, QToolButton, "lockButton"), Qt.MouseButton.LeftButton)
    assert window.model.rowCount() == 0
    assert find(window, QLineEdit, "searchEdit").text() == ""
    assert not window.centralWidget().isVisible()
    assert first.closed
    assert find(window, QLabel, "countLabel").text() == "Locked"
    assert find(window, QLabel, "userLabel").text() == ""
    assert window.windowTitle() == "Casebook (locked)"
    assert not find(window, QAction, "settingsAction").isEnabled()

    dialogs = top_level(SignInDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.findChild(QLineEdit, "usernameEdit").text() == "admin"
    dialog.findChild(QLineEdit, "passwordEdit").setText(ADMIN_PASSWORD)
    qtbot.mouseClick(dialog.findChild(QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert window.session is not first and not window.session.closed
    assert window.centralWidget().isVisible()
    assert find(window, QLabel, "countLabel").text() == "2 cases"
    assert window.windowTitle() == "Casebook — Oakfield Learning Trust"
    assert find(window, QAction, "settingsAction").isEnabled()


def test_someone_else_can_sign_in_from_the_lock_screen(
    qtbot, window: MainWindow, store: SetupResult
) -> None:
    add_user(
        store.session,
        username="bm",
        full_name="Bea Manager",
        role="business_manager",
        school_ids=[2],
        password="bea's own password",
    )
    find(window, QAction, "lockAction").trigger()
    dialog = top_level(SignInDialog)[0]
    username = dialog.findChild(QLineEdit, "usernameEdit")
    assert username.isReadOnly()
    qtbot.mouseClick(dialog.findChild(QPushButton, "switchUserButton"), Qt.MouseButton.LeftButton)
    assert not username.isReadOnly() and username.text() == ""
    username.setText("bm")
    dialog.findChild(QLineEdit, "passwordEdit").setText("bea's own password")
    qtbot.mouseClick(dialog.findChild(QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)  # Birch's open case only
    assert window.session.actor.username == "bm"
    assert subjects(window) == {"Cat Brown"}
    assert find(window, QLabel, "userLabel").text().startswith("Signed in as Bea Manager")


def test_the_first_sign_in_has_no_switch_user_button(qtbot, store: SetupResult) -> None:
    dialog = SignInDialog(store.session.store.path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.findChild(QPushButton, "switchUserButton").isVisible()


def test_closing_the_lock_screen_closes_the_window(qtbot, window: MainWindow) -> None:
    find(window, QAction, "lockAction").trigger()
    dialog = top_level(SignInDialog)[0]
    qtbot.mouseClick(dialog.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.session.closed


def test_lock_asks_first_when_preferred(qtbot, store, state, fake: FakeBackend) -> None:
    trust.save_preferences(store.session, preferences=trust.Preferences(confirm_before_lock=True))
    window = make_window(qtbot, store.session, state)
    fake.confirmations.append(False)
    find(window, QAction, "lockAction").trigger()
    assert fake.said[-1][0] == "confirm"
    assert not window.session.closed
    assert window.model.rowCount() == 2
    assert not top_level(SignInDialog)

    fake.confirmations.append(True)
    find(window, QAction, "lockAction").trigger()
    assert window.session.closed
    assert top_level(SignInDialog)


def test_closing_the_window_signs_out(window: MainWindow) -> None:
    session = window.session
    find(window, QAction, "helpAction").trigger()
    assert top_level(HelpDialog)
    find(window, QAction, "quitAction").trigger()
    assert not window.isVisible()
    assert session.closed
    assert not top_level(HelpDialog)


# -- window state -------------------------------------------------------------------------
def test_geometry_columns_and_sort_are_saved_and_restored(
    qtbot, store, state, fake, other_user
) -> None:
    window = make_window(qtbot, store.session, state)
    window.resize(780, 560)  # the offscreen screen is 800 wide: a restored window fits in it
    header = window.case_table.horizontalHeader()
    chosen = {REFERENCE: 150, SCHOOLS: 120, STAGE: 130}
    for column, width in chosen.items():
        header.resizeSection(column, width)
    click_header(qtbot, window, SUBJECT)
    window.close()
    assert state.value("main_window/geometry")
    assert state.value("main_window/header")

    session = auth.sign_in(store.session.store.path, username="admin", password=ADMIN_PASSWORD)
    other_user.append(session)
    again = make_window(qtbot, session, state)
    assert (again.width(), again.height()) == (780, 560)
    again.resize(1100, 700)  # room for every column (780 is too narrow for all seven)
    qtbot.waitUntil(lambda: again.case_table.viewport().width() > 1000)
    header = again.case_table.horizontalHeader()
    assert {c: header.sectionSize(c) for c in chosen} == chosen  # they fit, so they are kept
    assert header.sortIndicatorSection() == SUBJECT
    assert first_subjects(again) == ["Ann Smith", "Cat Brown"]
    assert columns_fit(again.case_table)


def test_a_header_saved_before_sorting_still_lists_newest_first(qtbot, store, state, fake) -> None:
    older = QTableView()  # the case table as an earlier version saved it: no sorting
    qtbot.addWidget(older)
    older.setModel(CaseTableModel(parent=older))
    older.horizontalHeader().setSortIndicatorShown(False)
    older.horizontalHeader().setSortIndicator(REFERENCE, Qt.SortOrder.AscendingOrder)
    state.setValue("main_window/header", older.horizontalHeader().saveState())

    window = make_window(qtbot, store.session, state)
    header = window.case_table.horizontalHeader()
    assert header.isSortIndicatorShown()
    assert header.sortIndicatorSection() == OPENED_COLUMN
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert first_subjects(window) == ["Cat Brown", "Ann Smith"]


def test_a_restored_wide_column_is_fitted_to_the_window(
    qtbot, store, state, fake, other_user
) -> None:
    window = make_window(qtbot, store.session, state)
    window.resize(780, 560)
    table = window.case_table
    table.horizontalHeader().resizeSection(STAGE, 900)  # dragged far wider than the window
    qtbot.waitUntil(lambda: table.horizontalScrollBar().isVisible())
    window.close()

    session = auth.sign_in(store.session.store.path, username="admin", password=ADMIN_PASSWORD)
    other_user.append(session)
    again = make_window(qtbot, session, state)
    assert (again.width(), again.height()) == (780, 560)
    table = again.case_table
    header = table.horizontalHeader()
    assert columns_fit(table)
    opened = table.fontMetrics().horizontalAdvance("00/00/0000")
    assert header.sectionSize(OPENED_COLUMN) > opened  # the date is not clipped
    others = (REFERENCE, SCHOOLS, OPENED_COLUMN)
    assert header.sectionSize(STAGE) > max(header.sectionSize(c) for c in others)


def test_columns_fit_a_narrow_window_and_grow_back(qtbot, window: MainWindow) -> None:
    table = window.case_table
    header = table.horizontalHeader()
    assert columns_fit(table)
    widths = [header.sectionSize(c) for c in range(header.count())]
    window.resize(760, 600)
    qtbot.waitUntil(lambda: table.viewport().width() < 760)
    assert columns_fit(table)
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: table.viewport().width() > 1000)
    assert [header.sectionSize(c) for c in range(header.count())] == widths


# -- menus --------------------------------------------------------------------------------
def test_shortcuts_are_set(window: MainWindow) -> None:
    keys = {
        name: [k.toString() for k in find(window, QAction, name).shortcuts()]
        for name in ("lockAction", "quitAction", "refreshAction", "findAction", "helpAction")
    }
    assert keys == {
        "lockAction": ["Ctrl+L"],
        "quitAction": ["Ctrl+Q"],
        "refreshAction": ["F5"],
        "findAction": ["Ctrl+F"],
        "helpAction": ["F1"],
    }
    assert "Ctrl+," in [k.toString() for k in find(window, QAction, "settingsAction").shortcuts()]


def test_find_focuses_the_search_box(qtbot, window: MainWindow) -> None:
    window.case_table.setFocus()
    window.activateWindow()
    find(window, QAction, "findAction").trigger()
    qtbot.waitUntil(lambda: find(window, QLineEdit, "searchEdit").hasFocus())


def test_refresh_picks_up_new_cases(qtbot, window: MainWindow, store) -> None:
    cases.open_case(
        store.session,
        given_name="Dan",
        family_name="Green",
        relationship="carer",
        school_ids=[2],
        opened_on=OPENED,
    )
    assert window.model.rowCount() == 2
    with reloads(qtbot, window):
        find(window, QAction, "refreshAction").trigger()
    assert "Dan Green" in subjects(window)


def test_settings_saved_update_the_title(qtbot, window: MainWindow, store) -> None:
    find(window, QAction, "settingsAction").trigger()
    dialog = top_level(SettingsDialog)[0]
    dialog.findChild(QLineEdit, "trustNameEdit").setText("Elmfield Trust")
    dialog.accept()
    assert window.windowTitle() == "Casebook — Elmfield Trust"


def test_change_password(qtbot, window: MainWindow, fake: FakeBackend, store) -> None:
    find(window, QAction, "changePasswordAction").trigger()
    dialog = top_level(ChangePasswordDialog)[0]
    find(dialog, QLineEdit, "currentPasswordEdit").setText("not my password")
    find(dialog, QLineEdit, "newPasswordEdit").setText("a brand new password")
    find(dialog, QLineEdit, "confirmPasswordEdit").setText("a brand new password")
    dialog.accept()
    assert fake.said[-1][0] == "warn"
    assert "current password" in fake.said[-1][2]
    assert dialog.isVisible()

    find(dialog, QLineEdit, "currentPasswordEdit").setText(ADMIN_PASSWORD)
    dialog.accept()
    assert fake.said[-1] == ("info", "Change password", "Your password has been changed.")
    assert not dialog.isVisible()
    auth.sign_in(
        store.session.store.path, username="admin", password="a brand new password"
    ).close()


def test_help_and_about(qtbot, window: MainWindow, fake: FakeBackend) -> None:
    find(window, QAction, "helpAction").trigger()
    helps = top_level(HelpDialog)
    assert len(helps) == 1
    text = helps[0].findChild(QTextBrowser, "helpBrowser").toPlainText()
    assert "recovery key" in text
    assert "casebook audit verify" in text
    find(window, QAction, "helpAction").trigger()
    assert len(top_level(HelpDialog)) == 1  # the same window is raised, not a second one

    find(window, QAction, "aboutAction").trigger()
    [about] = top_level(AboutDialog)
    assert desktop.__version__ in about.findChild(QLabel, "versionLabel").text()
    store_label = about.findChild(QLabel, "storeLabel")
    qtbot.waitUntil(lambda: store_label.text() != "…", timeout=5000)
    assert store_label.text() == str(window.session.store.path)
    encryption = about.findChild(QLabel, "encryptionLabel").text()
    assert encryption.startswith("SQLCipher 4.") and "AES-256" in encryption
    assert "HMAC-SHA512" in encryption and "Argon2id" in encryption
    libraries = about.findChild(QTreeWidget, "librariesList")
    listed = {
        libraries.topLevelItem(i).text(0): libraries.topLevelItem(i).text(1)
        for i in range(libraries.topLevelItemCount())
    }
    assert listed["PySide6 (Qt for Python)"].startswith("6.11")
    assert listed["SQLAlchemy"].startswith("2.") and listed["ReportLab"][0].isdigit()
    assert "not found" not in listed.values()
    copy = about.findChild(QPushButton, "copyDetailsButton")
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith(f"Casebook {desktop.__version__}\nCase store: ")
    assert "SQLAlchemy: 2." in copied


def test_window_state_file_is_kept_apart_from_preferences(
    qtbot, store, fake, tmp_path: Path
) -> None:
    from desktop.ui.window_state import window_state

    state = window_state()
    assert state.format() == QSettings.Format.IniFormat
    expected = tmp_path / "xdg-config" / "Casebook" / "window-state.ini"
    assert Path(state.fileName()) == expected
    window = MainWindow(store.session)  # the default state: that same file
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.close()
    text = expected.read_text(encoding="utf-8")
    assert "geometry" in text
    assert "Oakfield" not in text and "Smith" not in text
