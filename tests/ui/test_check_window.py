"""The front desk's check window, driven by keys (issue 7, item 9)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.dates import uk_today, utc_now
from desktop.services import auth, frontdesk
from desktop.services.cases import open_case
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.storage import models as m
from desktop.ui.check_window import CheckWindow
from tests.ui.typing import click, press, type_into

DESK_PASSWORD = "front desk password"


def _bar(result: SetupResult, given: str, family: str) -> str:
    """Bar someone from Ash Primary from a week ago for two months; returns the case ref."""
    session = result.session
    row = open_case(
        session,
        given_name=given,
        family_name=family,
        relationship="parent",
        school_ids=[1],
        opened_on=uk_today() - dt.timedelta(days=30),
    )
    today = uk_today()
    with session.transaction(write=True) as db:
        case = db.get(m.Case, row.id)
        assert case is not None
        db.add(
            m.Restriction(
                case_id=case.id,
                person_id=case.subject_id,
                kind="bar",
                state="active",
                starts=today - dt.timedelta(days=7),
                ends=today + dt.timedelta(days=60),
                review_due=today + dt.timedelta(days=50),
                named_contact="Jo Smith",
                contact_role="School business manager",
                channels=json.dumps(["email"]),
                created_at=utc_now(),
                schools=[case.schools[0]],
            )
        )
        frontdesk.publish(db, session.store)
    return row.reference


@pytest.fixture
def desk(new_store: SetupResult, store_path: Path):
    add_user(
        new_store.session,
        username="desk",
        full_name="Dee Desk",
        role="front_desk",
        school_ids=[1],
        password=DESK_PASSWORD,
    )
    session = auth.sign_in_any(store_path, username="desk", password=DESK_PASSWORD)
    assert isinstance(session, frontdesk.FrontDeskSession)
    yield session
    session.close()


def _window(qtbot, session, *, front_desk: bool) -> CheckWindow:
    window = CheckWindow(session, front_desk=front_desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def test_a_misspelt_name_finds_the_barred_parent(qtbot, new_store, desk) -> None:
    reference = _bar(new_store, "Mohammed", "O'Brien")
    window = _window(qtbot, desk, front_desk=True)
    type_into(qtbot, window.name_edit, "Muhammad OBrien")
    qtbot.waitUntil(lambda: "matches" in window.summary.text(), timeout=3000)
    text = window.results.toPlainText()
    assert "Mohammed O'Brien" in text and reference in text
    assert "Barred from Ash Primary until" in text
    assert "Jo Smith" in text
    # Nothing else about the case: no incident, no address, no pupil.
    assert "incident" not in text.lower()


def test_no_match_says_so_plainly(qtbot, new_store, desk) -> None:
    _bar(new_store, "Ann", "Smith")
    window = _window(qtbot, desk, front_desk=True)
    type_into(qtbot, window.name_edit, "Xavier Quimby")
    press(qtbot, Qt.Key.Key_Return)
    assert "No one called \u201cXavier Quimby\u201d" in window.summary.text()
    press(qtbot, Qt.Key.Key_Escape)
    assert window.name_edit.text() == ""


def test_the_front_desk_locks_and_signs_in_again_by_keys(qtbot, new_store, desk) -> None:
    _bar(new_store, "Ann", "Smith")
    window = _window(qtbot, desk, front_desk=True)
    qtbot.waitUntil(lambda: window.name_edit.hasFocus())
    type_into(qtbot, window.name_edit, "Ann Smith")
    qtbot.waitUntil(lambda: "matches" in window.summary.text(), timeout=3000)
    with qtbot.waitSignal(window.lockRequested, timeout=1000):
        press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    # Locked: the list is closed and nothing of the answer stays on screen.
    assert desk.closed and window.results.toPlainText() == ""
    dialog = window.findChild(QDialog, "lockDialog")
    assert dialog is not None and dialog.isVisible()
    type_into(qtbot, dialog.password_edit, DESK_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.session.closed and window._body.isEnabled(), timeout=10000)
    type_into(qtbot, window.name_edit, "Ann Smith")
    qtbot.waitUntil(lambda: "matches" in window.summary.text(), timeout=3000)
    window.session.close()


def test_the_lock_button_locks_too(qtbot, new_store, desk) -> None:
    window = _window(qtbot, desk, front_desk=True)
    with qtbot.waitSignal(window.lockRequested, timeout=1000):
        click(qtbot, window.findChild(type(window.close_button), "lockButton"))
    assert desk.closed


def test_a_case_worker_gets_the_same_answer(qtbot, new_store) -> None:
    _bar(new_store, "Zoë", "Ní Bhriain")
    window = _window(qtbot, new_store.session, front_desk=False)
    type_into(qtbot, window.name_edit, "Zoe Ni Bhriain")
    qtbot.waitUntil(lambda: "matches" in window.summary.text(), timeout=3000)
    assert "Zoë Ní Bhriain" in window.results.toPlainText()


def test_switching_user_at_the_lock_opens_the_case_workers_window(qtbot, new_store, desk) -> None:
    from PySide6.QtWidgets import QPushButton

    from desktop.ui.main_window import MainWindow
    from tests.conftest import ADMIN_PASSWORD

    window = _window(qtbot, desk, front_desk=True)
    window.lock()
    dialog = window.findChild(QDialog, "lockDialog")
    click(qtbot, dialog.findChild(QPushButton, "switchUserButton"))
    type_into(qtbot, dialog.username_edit, "admin")
    type_into(qtbot, dialog.password_edit, ADMIN_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window, "main_window", None) is not None, timeout=10000)
    main = window.main_window
    qtbot.addWidget(main)
    assert isinstance(main, MainWindow) and main.isVisible() and not window.isVisible()
    assert main.session.actor.username == "admin"
    main.close()


def test_a_sample_store_is_marked_in_the_title(qtbot, new_store, store_path, desk) -> None:
    from desktop.storage.models import StoreMeta
    from desktop.storage.store import SAMPLE_META_KEY

    window = _window(qtbot, desk, front_desk=True)
    assert "SAMPLE" not in window.windowTitle()
    with new_store.session.transaction(write=True) as db:
        db.add(StoreMeta(key=SAMPLE_META_KEY, value="yes"))
        frontdesk.publish(db, new_store.session.store)
    again = _window(qtbot, desk, front_desk=True)
    assert "SAMPLE: invented cases" in again.windowTitle()


def test_switching_to_the_front_desk_at_the_main_windows_lock(
    qtbot, new_store, store_path, desk
) -> None:
    from PySide6.QtWidgets import QPushButton

    from desktop.ui.main_window import MainWindow
    from tests.conftest import ADMIN_PASSWORD

    session = auth.sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    main = MainWindow(session)
    qtbot.addWidget(main)
    main.show()
    main.preferences.confirm_before_lock = False
    main.lock()
    dialog = main.findChild(QDialog, "lockDialog")
    click(qtbot, dialog.findChild(QPushButton, "switchUserButton"))
    type_into(qtbot, dialog.username_edit, "desk")
    type_into(qtbot, dialog.password_edit, DESK_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(main, "check_window", None) is not None, timeout=10000)
    check = main.check_window
    qtbot.addWidget(check)
    assert isinstance(check, CheckWindow) and check.front_desk and check.isVisible()
    assert not main.isVisible() and session.closed
    check.session.close()
