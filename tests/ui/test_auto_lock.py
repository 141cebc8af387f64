"""Locking by itself after the trust's time without use, what a lock closes and wipes, and
who may carry on at the lock screen (issue 12, part 3).

A minute is shortened for these tests through `desktop.ui.idle.MS_PER_MINUTE`; the window
reads the trust's lock time again when the trust is announced as changed, as it does after
Settings is saved.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QTableView,
    QToolButton,
    QWidget,
)

from desktop.dates import uk_today
from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.services import cases, sanctions, trust
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.ui import idle
from desktop.ui.case_table_model import SUBJECT
from desktop.ui.case_window import CaseWindow
from desktop.ui.clipboard_guard import ClipboardGuard, fingerprint, is_ours
from desktop.ui.due_reminders import ReminderDialog
from desktop.ui.letter_viewer import LetterViewer, open_viewers, show_letter
from desktop.ui.main_window import MainWindow
from desktop.ui.new_case_dialog import NewCaseDialog
from desktop.ui.operations import Change, changes
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.signin_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.services.case_support import audit_details
from tests.services.sanction_support import D, bar_notice, case_with_incidents, trust_leader
from tests.ui.case_tab_support import closed
from tests.ui.fakes import FakeBackend
from tests.ui.letter_support import CaseLetters, issue_two_letters
from tests.ui.readable import readable
from tests.ui.typing import (
    CTRL,
    LEFT,
    choose,
    click,
    click_into,
    click_row,
    press,
    type_into,
    type_keys,
)

SHIFT = Qt.KeyboardModifier.ShiftModifier
BEA_PASSWORD = "bea's own password"


# -- fixtures and helpers -----------------------------------------------------------------
@pytest.fixture
def state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def store(new_store: SetupResult) -> SetupResult:
    """Ann Smith's case at Ash (1), Bob Jones's at Birch (2); the trust locks after 1 minute."""
    session = new_store.session
    for given, family, school in (("Ann", "Smith", 1), ("Bob", "Jones", 2)):
        cases.open_case(
            session,
            given_name=given,
            family_name=family,
            relationship="parent",
            school_ids=[school],
            opened_on=D(2026, 1, 12),
        )
    trust.set_auto_lock_minutes(session, minutes=1)
    add_user(
        session,
        username="bm",
        full_name="Bea Manager",
        role="business_manager",
        school_ids=[2],
        password=BEA_PASSWORD,
    )
    return new_store


@pytest.fixture
def clipboard():
    board = QGuiApplication.clipboard()
    board.clear()
    yield board
    board.clear()


def activate(qtbot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def main_window(qtbot, session: UserSession, state: QSettings) -> MainWindow:
    window = MainWindow(session, state=state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    activate(qtbot, window)
    return window


def minute_lasts(monkeypatch: pytest.MonkeyPatch, ms: int) -> None:
    """From now on a minute lasts `ms`: the window reads the trust's lock time again, as it
    does when Settings has been saved."""
    monkeypatch.setattr(idle, "MS_PER_MINUTE", ms)
    changes().announce(Change.TRUST)


def lock_dialog() -> SignInDialog:
    found = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, SignInDialog) and w.isVisible() and w.objectName() == "lockDialog"
    ]
    assert len(found) == 1, found
    return found[0]


def field(widget: QWidget, kind, name: str):
    found = widget.findChild(kind, name)
    assert found is not None, name
    return found


def unlock(qtbot, window: MainWindow, password: str, *, username: str = "") -> None:
    """At the lock screen: the same person's password, or (`username`) Switch user first."""
    dialog = lock_dialog()
    activate(qtbot, dialog)
    if username:
        click(qtbot, field(dialog, QPushButton, "switchUserButton"))
        type_into(qtbot, field(dialog, QLineEdit, "usernameEdit"), username)
    type_into(qtbot, field(dialog, QLineEdit, "passwordEdit"), password)
    click(qtbot, field(dialog, QPushButton, "signInButton"))
    qtbot.waitUntil(lambda: not window.locked, timeout=10000)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    activate(qtbot, window)


def subjects(window: MainWindow) -> set[str]:
    model = window.model
    return {model.index(row, SUBJECT).data() for row in range(model.rowCount())}


def other_windows(main: MainWindow) -> list[QWidget]:
    """Every window on screen but the main window and the lock screen."""
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, (QMainWindow, QDialog))
        and w.isVisible()
        and w is not main
        and w.objectName() != "lockDialog"
    ]


def open_case_from_list(qtbot, window: MainWindow, row: int = 0) -> CaseWindow:
    activate(qtbot, window)
    click_row(qtbot, field(window, QTableView, "caseTable"), row)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.windows.cases) == 1, timeout=5000)
    case_window = next(iter(window.windows.cases.values()))
    qtbot.waitUntil(case_window.isVisible, timeout=5000)
    return case_window


def hand_focus_elsewhere(qtbot) -> None:
    """As when the person moves to another program: no Casebook window has the focus."""
    elsewhere = QWidget()
    elsewhere.show()
    activate(qtbot, elsewhere)
    elsewhere.close()
    shiboken6.delete(elsewhere)
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is None, timeout=5000)


# -- locking by itself --------------------------------------------------------------------
def test_unused_casebook_locks_itself_and_closes_the_case_window(
    qtbot, store: SetupResult, state: QSettings, monkeypatch, messenger: FakeBackend
) -> None:
    # Someone who asks to be asked before locking is not asked when nobody is there.
    trust.save_preferences(store.session, preferences=trust.Preferences(confirm_before_lock=True))
    window = main_window(qtbot, store.session, state)
    first = window.session
    assert window.idle.running and window.idle.interval_ms == 60_000  # the trust's 1 minute
    case_window = open_case_from_list(qtbot, window)

    minute_lasts(monkeypatch, 300)
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert first.closed
    assert closed(case_window) and window.windows.cases == {}
    assert window.model.rowCount() == 0 and not window.central.isVisible()
    assert field(window, QLabel, "countLabel").text() == "Locked"
    assert field(lock_dialog(), QLineEdit, "usernameEdit").text() == "admin"
    assert [kind for kind, _title, _text in messenger.said] == []  # nothing was asked
    assert other_windows(window) == []
    assert not window.idle.running
    qtbot.wait(600)  # twice the lock time: still the one lock screen, not a second
    lock_dialog()

    monkeypatch.setattr(idle, "MS_PER_MINUTE", 60_000)
    unlock(qtbot, window, ADMIN_PASSWORD)
    assert window.idle.running and window.idle.interval_ms == 60_000  # counting again


def test_keys_and_clicks_keep_it_unlocked(
    qtbot, store: SetupResult, state: QSettings, monkeypatch
) -> None:
    window = main_window(qtbot, store.session, state)
    search = field(window, QLineEdit, "searchEdit")
    type_into(qtbot, search, "Smith")
    minute_lasts(monkeypatch, 1000)
    started = time.monotonic()
    while time.monotonic() - started < 2.5:  # well past the one "minute"
        press(qtbot, Qt.Key.Key_Left)
        qtbot.wait(100)
        qtbot.mouseClick(search, LEFT)
        qtbot.wait(100)
    assert not window.locked
    assert not window.session.closed
    qtbot.waitUntil(lambda: window.locked, timeout=5000)  # and once they stop, it locks


def test_mouse_moves_count_at_most_once_a_second(
    qtbot, store: SetupResult, state: QSettings, monkeypatch
) -> None:
    window = main_window(qtbot, store.session, state)
    table = field(window, QTableView, "caseTable")

    def move_for(seconds: float) -> None:
        started = time.monotonic()
        x = 10
        while time.monotonic() - started < seconds and not window.locked:
            x = 30 if x == 10 else 10
            qtbot.mouseMove(table.viewport(), QPoint(x, 10))
            qtbot.wait(50)

    monkeypatch.setattr(idle, "MOVE_EVERY_S", 0.2)
    minute_lasts(monkeypatch, 1000)
    move_for(2.5)
    assert not window.locked  # a mouse moving over the list is someone using it

    # A move counts only once in MOVE_EVERY_S: made longer than the lock time, the moves
    # after the first no longer hold the lock off.
    monkeypatch.setattr(idle, "MOVE_EVERY_S", 30.0)
    minute_lasts(monkeypatch, 1000)
    started = time.monotonic()
    move_for(6)
    assert window.locked and time.monotonic() - started < 5


def test_every_window_with_case_data_closes_on_lock(
    qtbot,
    new_store: SetupResult,
    store_path: Path,
    state: QSettings,
    monkeypatch,
    messenger: FakeBackend,
) -> None:
    leader = trust_leader(new_store, store_path)
    barred = case_with_incidents(leader, 2)
    sanctions.take_step(
        leader,
        case_id=barred.id,
        draft=bar_notice(
            D(2026, 4, 1),
            ends=D(2026, 6, 30),
            deadline=D(2026, 4, 14),
            review=D(2026, 4, 20),
            skip=SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats at the gate."),
        ),
    )
    letters: CaseLetters = issue_two_letters(leader)
    assert uk_today() > D(2026, 4, 20)  # the bar's review is overdue: the reminder shows
    window = main_window(qtbot, leader, state)
    qtbot.waitUntil(lambda: window.reminder is not None, timeout=5000)
    reminder = window.reminder
    assert isinstance(reminder, ReminderDialog)

    case_window = open_case_from_list(qtbot, window)
    in_case = show_letter(leader, letters.warning, case_window)  # as its Chronology tab does
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_C, CTRL | SHIFT)
    qtbot.waitUntil(lambda: window.windows.calendar is not None, timeout=5000)
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_P, CTRL | SHIFT)
    qtbot.waitUntil(lambda: window.windows.print_queue is not None, timeout=5000)
    queue = window.windows.print_queue
    activate(qtbot, queue)
    qtbot.waitUntil(lambda: queue.findChild(QWidget, "queueList").topLevelItemCount() >= 2)
    click_row(qtbot, queue.findChild(QWidget, "queueList"), 0)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(queue.findChildren(LetterViewer)), timeout=5000)
    in_queue = queue.findChildren(LetterViewer)[0]
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: window.windows.check is not None, timeout=5000)
    check = window.windows.check
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_N, CTRL)  # a new case, half typed: its Cancel would ask first
    qtbot.waitUntil(
        lambda: bool([w for w in other_windows(window) if isinstance(w, NewCaseDialog)])
    )
    new_case = next(w for w in other_windows(window) if isinstance(w, NewCaseDialog))
    type_into(qtbot, field(new_case, QLineEdit, "givenEdit"), "Half")
    opened = [reminder, case_window, in_case, window.windows.calendar, queue, in_queue, check]
    opened.append(new_case)
    assert all(w.isVisible() for w in opened)
    assert len(open_viewers()) == 2
    # What a person could read on screen now: the case's subject, reference and incidents.
    markers = ("Dana Driver", barred.reference, "Shouted at staff at the gate")
    shown = readable()
    assert all(marker in shown for marker in markers), shown

    minute_lasts(monkeypatch, 300)
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    # Gone from every widget that still exists, shown or hidden, not just covered.
    left = readable()
    assert [marker for marker in markers if marker in left] == [], left
    assert all(closed(w) for w in opened)
    assert other_windows(window) == []
    assert open_viewers() == []
    assert window.reminder is None
    assert window.windows.cases == {}
    assert (window.windows.calendar, window.windows.print_queue, window.windows.check) == (
        None,
        None,
        None,
    )
    assert messenger.said == []  # closed without a question no one is there to answer
    lock_dialog()


# -- the trust's setting ------------------------------------------------------------------
def settings_from(qtbot, window: MainWindow) -> SettingsDialog:
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_Comma, CTRL)
    qtbot.waitUntil(lambda: any(isinstance(w, SettingsDialog) for w in other_windows(window)))
    dialog = next(w for w in other_windows(window) if isinstance(w, SettingsDialog))
    activate(qtbot, dialog)
    return dialog


def test_the_trust_page_sets_the_lock_time_and_the_window_follows(
    qtbot, new_store: SetupResult, state: QSettings, monkeypatch
) -> None:
    # A "minute" of 4 s: time enough for Settings on a busy machine before the lock.
    monkeypatch.setattr(idle, "MS_PER_MINUTE", 4000)
    window = main_window(qtbot, new_store.session, state)
    assert window.idle.interval_ms == 5 * 4000  # five minutes until the trust says otherwise
    dialog = settings_from(qtbot, window)
    assert dialog.current_page().objectName() == "trustPage"
    spin = field(dialog, QSpinBox, "autoLockSpin")
    units = field(dialog, QLabel, "autoLockUnits")
    assert (spin.value(), spin.minimum(), spin.maximum()) == (5, 1, 60)
    assert units.text() == "minutes without use"
    type_into(qtbot, spin.findChild(QLineEdit), "1")
    assert spin.value() == 1 and units.text() == "minute without use"
    buttons = field(dialog, QDialogButtonBox, "buttonBox")
    click(qtbot, buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)

    assert trust.auto_lock_minutes(window.session) == 1
    assert audit_details(window.session, "trust.auto_lock_changed") == [
        {"minutes": 1, "previous": 5}
    ]
    qtbot.waitUntil(lambda: window.idle.interval_ms == 4000, timeout=5000)  # it follows
    qtbot.waitUntil(lambda: window.locked, timeout=15_000)  # and, left alone, locks


def test_a_role_that_cannot_change_the_trust_sees_the_lock_time_only(
    qtbot, store: SetupResult, store_path: Path, state: QSettings
) -> None:
    from desktop.services import auth

    bea = auth.sign_in(store_path, username="bm", password=BEA_PASSWORD)
    window = main_window(qtbot, bea, state)
    assert window.idle.interval_ms == 60_000  # she follows the trust's 1 minute too
    dialog = settings_from(qtbot, window)
    page = dialog.show_page("trustPage")
    spin = field(page, QSpinBox, "autoLockSpin")
    assert spin.isReadOnly() and spin.value() == 1
    type_into(qtbot, spin.findChild(QLineEdit), "30")
    assert spin.value() == 1
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    assert trust.auto_lock_minutes(store.session) == 1


# -- the clipboard ------------------------------------------------------------------------
def test_text_copied_from_casebook_is_wiped_on_lock(
    qtbot, store: SetupResult, state: QSettings, clipboard
) -> None:
    window = main_window(qtbot, store.session, state)
    search = field(window, QLineEdit, "searchEdit")
    type_into(qtbot, search, "Ann Smith")
    press(qtbot, Qt.Key.Key_A, CTRL)
    press(qtbot, Qt.Key.Key_C, CTRL)
    assert clipboard.text() == "Ann Smith"
    click(qtbot, field(window, QToolButton, "lockButton"))
    assert window.locked
    assert clipboard.text() == ""

    unlock(qtbot, window, ADMIN_PASSWORD)
    # A cell copied from the case list (Ctrl+C on the table) goes the same way.
    table = field(window, QTableView, "caseTable")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    click_row(qtbot, table, 0, SUBJECT)
    press(qtbot, Qt.Key.Key_C, CTRL)
    assert clipboard.text() in {"Ann Smith", "Bob Jones"}
    press(qtbot, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert clipboard.text() == ""


def test_what_was_copied_goes_even_when_casebook_locks_in_the_background(
    qtbot, store: SetupResult, state: QSettings, clipboard, monkeypatch
) -> None:
    window = main_window(qtbot, store.session, state)
    type_into(qtbot, field(window, QLineEdit, "searchEdit"), "Bob Jones")
    press(qtbot, Qt.Key.Key_A, CTRL)
    press(qtbot, Qt.Key.Key_C, CTRL)
    hand_focus_elsewhere(qtbot)  # the person went to another program, and never came back
    minute_lasts(monkeypatch, 300)
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert clipboard.text() == ""


def test_text_copied_in_another_program_stays(
    qtbot, store: SetupResult, state: QSettings, clipboard
) -> None:
    window = main_window(qtbot, store.session, state)
    type_into(qtbot, field(window, QLineEdit, "searchEdit"), "Ann Smith")
    press(qtbot, Qt.Key.Key_A, CTRL)
    press(qtbot, Qt.Key.Key_C, CTRL)
    hand_focus_elsewhere(qtbot)
    clipboard.setText("Milk, eggs, bread")  # copied in another program
    assert clipboard.text() == "Milk, eggs, bread"
    qtbot.mouseClick(field(window, QToolButton, "lockButton"), LEFT)
    assert window.locked
    assert clipboard.text() == "Milk, eggs, bread"


def test_the_rule_for_whose_copy_it_is() -> None:
    assert is_ours(owned=True, copied=None, current=None)  # the system says it is Casebook's
    assert is_ours(owned=False, copied="abc", current="abc")  # still what Casebook copied
    assert not is_ours(owned=False, copied="abc", current="def")  # replaced since
    assert not is_ours(owned=False, copied=None, current="def")  # copied in another program
    assert not is_ours(owned=False, copied=None, current=None)


def test_a_fingerprint_tells_copies_apart_without_keeping_them(qtbot, clipboard) -> None:
    assert fingerprint(None) is None
    clipboard.setText("Ann Smith")
    first = fingerprint(clipboard.mimeData())
    assert first is not None and "Ann" not in first
    clipboard.setText("Ann Smith")
    assert fingerprint(clipboard.mimeData()) == first
    clipboard.setText("Ann Smyth")
    assert fingerprint(clipboard.mimeData()) != first
    clipboard.clear()
    assert fingerprint(clipboard.mimeData()) is None


def test_the_guard_forgets_a_copy_replaced_from_elsewhere(qtbot, clipboard) -> None:
    host = QLineEdit()
    qtbot.addWidget(host)
    guard = ClipboardGuard(host)
    host.show()
    activate(qtbot, host)
    qtbot.keyClicks(host, "Cat Brown")
    press(qtbot, Qt.Key.Key_A, CTRL)
    press(qtbot, Qt.Key.Key_C, CTRL)
    assert guard.remembers_a_copy and guard.holds_ours()
    hand_focus_elsewhere(qtbot)
    clipboard.setText("Cat Brown")  # the same words, but copied in another program
    assert not guard.remembers_a_copy
    assert not guard.clear_ours()
    assert clipboard.text() == "Cat Brown"


# -- who carries on at the lock screen ----------------------------------------------------
def test_someone_else_at_the_lock_screen_starts_afresh(
    qtbot, store: SetupResult, state: QSettings, clipboard
) -> None:
    window = main_window(qtbot, store.session, state)
    first = window.session
    choose(qtbot, field(window, QComboBox, "schoolCombo"), "Ash Primary")
    qtbot.waitUntil(lambda: subjects(window) == {"Ann Smith"}, timeout=5000)
    case_window = open_case_from_list(qtbot, window)
    search = field(window, QLineEdit, "searchEdit")
    type_into(qtbot, search, "Ann")
    press(qtbot, Qt.Key.Key_A, CTRL)
    press(qtbot, Qt.Key.Key_C, CTRL)
    press(qtbot, Qt.Key.Key_L, CTRL)
    assert window.locked and first.closed and closed(case_window)

    unlock(qtbot, window, BEA_PASSWORD, username="bm")
    assert window.session.actor.username == "bm"
    assert field(window, QLabel, "userLabel").text().startswith("Signed in as Bea Manager")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert subjects(window) == {"Bob Jones"}  # Birch's case, nothing of Ash's
    school = field(window, QComboBox, "schoolCombo")
    assert school.currentData() is None  # her own start, not the filter left behind
    assert [school.itemText(i) for i in range(1, school.count())] == ["Birch Academy"]
    assert search.text() == "" and clipboard.text() == ""
    activate(qtbot, window)
    click_into(qtbot, search)
    press(qtbot, Qt.Key.Key_Z, CTRL)  # Undo cannot bring back the search typed before
    assert search.text() == ""
    assert window.windows.cases == {}
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, CaseWindow) and w.isVisible()
    ]
    assert other_windows(window) == []
    type_keys(qtbot, "Ann")  # and searching for the first user's case finds nothing
    qtbot.waitUntil(lambda: window.model.rowCount() == 0 and not window.model.loading)


def test_the_same_person_unlocking_finds_the_list_as_they_left_it(
    qtbot, store: SetupResult, state: QSettings
) -> None:
    window = main_window(qtbot, store.session, state)
    first = window.session
    choose(qtbot, field(window, QComboBox, "schoolCombo"), "Birch Academy")
    qtbot.waitUntil(lambda: subjects(window) == {"Bob Jones"}, timeout=5000)
    activate(qtbot, window)
    type_into(qtbot, field(window, QLineEdit, "searchEdit"), "Jones")
    press(qtbot, Qt.Key.Key_L, CTRL)
    assert window.locked and first.closed

    unlock(qtbot, window, ADMIN_PASSWORD)
    assert window.session is not first and window.session.actor.username == "admin"
    assert field(window, QComboBox, "schoolCombo").currentText() == "Birch Academy"
    assert field(window, QLineEdit, "searchEdit").text() == ""  # the search is not kept
    qtbot.waitUntil(lambda: subjects(window) == {"Bob Jones"}, timeout=5000)

    # Someone else in between: the first person, back again, starts from their defaults.
    press(qtbot, Qt.Key.Key_L, CTRL)
    unlock(qtbot, window, BEA_PASSWORD, username="bm")
    press(qtbot, Qt.Key.Key_L, CTRL)
    unlock(qtbot, window, ADMIN_PASSWORD, username="admin")
    assert field(window, QComboBox, "schoolCombo").currentData() is None  # all schools
    qtbot.waitUntil(lambda: subjects(window) == {"Ann Smith", "Bob Jones"}, timeout=5000)


def test_another_persons_password_does_not_unlock_the_locked_name(
    qtbot, store: SetupResult, state: QSettings
) -> None:
    """Only the person who locked carries on without Switch user: someone else's password
    for that name is refused, and the window stays locked with nothing shown."""
    window = main_window(qtbot, store.session, state)
    press(qtbot, Qt.Key.Key_L, CTRL)
    dialog = lock_dialog()
    activate(qtbot, dialog)
    type_into(qtbot, field(dialog, QLineEdit, "passwordEdit"), BEA_PASSWORD)
    click(qtbot, field(dialog, QPushButton, "signInButton"))
    error = field(dialog, QLabel, "errorLabel")
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert window.locked and window.model.rowCount() == 0
    assert not window.central.isVisible()
