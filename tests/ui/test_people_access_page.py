"""Settings › People and access, driven by keys and clicks: an account added through its
dialog signs in; a reset shows a one-time password once, which signs in; disabling stops
sign-in and enabling gives a one-time password; removing explains the re-key; a refusal
keeps the dialog open; other roles see a note."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QWidget,
)

from desktop.errors import WrongPassword
from desktop.services.auth import sign_in
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user, list_users
from desktop.storage.keyvault import KeyFile, keys_path_for
from desktop.ui.people_access_dialogs import AddAccountDialog, OneTimePasswordDialog
from desktop.ui.people_access_page import HEADERS, PeopleAccessPage
from desktop.ui.settings_dialog import SettingsDialog
from tests.services.accounts import SCHOOL_USER_PASSWORD, sign_in_new_user
from tests.services.staffing import add_staff
from tests.ui.fakes import FakeBackend
from tests.ui.test_settings_dialog import choose_page, open_dialog
from tests.ui.typing import choose, click, click_row, press, tick, type_into

T = TypeVar("T", bound=QObject)
FIRST_PASSWORD = "a first password 1"


def w(parent: QObject, kind: type[T], name: str) -> T:
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def people_page(qtbot, session: UserSession) -> tuple[SettingsDialog, PeopleAccessPage]:
    dialog = open_dialog(qtbot, session)
    choose_page(qtbot, dialog, "People and access")
    page = dialog.current_page()
    assert isinstance(page, PeopleAccessPage)
    return dialog, page


def shown(page: QWidget, kind: type[T]) -> T | None:
    found = [d for d in page.findChildren(kind) if d.isVisible()]  # type: ignore[attr-defined]
    return found[0] if found else None


def rows(page: PeopleAccessPage) -> list[dict[str, str]]:
    table = w(page, QTableWidget, "accountsTable")
    return [
        {HEADERS[c]: table.item(r, c).text() for c in range(table.columnCount())}
        for r in range(table.rowCount())
    ]


def choose_account(qtbot, page: PeopleAccessPage, username: str) -> None:
    usernames = [row["Username"] for row in rows(page)]
    click_row(qtbot, w(page, QTableWidget, "accountsTable"), usernames.index(username))


def one_time_password(qtbot, page: PeopleAccessPage) -> str:
    qtbot.waitUntil(lambda: shown(page, OneTimePasswordDialog) is not None, timeout=10000)
    dialog = shown(page, OneTimePasswordDialog)
    assert dialog is not None
    return w(dialog, QLabel, "oneTimePasswordLabel").text()


@pytest.fixture
def bea(new_store: SetupResult) -> str:
    """A business manager at Ash Primary, `bea`, with her own password."""
    add_user(
        new_store.session,
        username="bea",
        full_name="Bea Manager",
        role="business_manager",
        school_ids=[1],
        password=SCHOOL_USER_PASSWORD,
    )
    return "bea"


def test_an_account_added_through_the_dialog_signs_in(
    qtbot, new_store: SetupResult, store_path: Path, messenger: FakeBackend
) -> None:
    add_staff(new_store.session, "Harriet Head", job_title="Headteacher")
    _dialog, page = people_page(qtbot, new_store.session)
    assert [row["Username"] for row in rows(page)] == ["admin"]
    click(qtbot, w(page, QPushButton, "addAccountButton"))
    qtbot.waitUntil(lambda: shown(page, AddAccountDialog) is not None, timeout=3000)
    dialog = shown(page, AddAccountDialog)
    assert dialog is not None

    type_into(qtbot, w(dialog, QLineEdit, "fullNameEdit"), "Harriet Head")
    type_into(qtbot, w(dialog, QLineEdit, "usernameEdit"), "h.head")
    choose(qtbot, w(dialog, QComboBox, "roleCombo"), "Headteacher")
    schools = w(dialog, QListWidget, "schoolsList")
    click_row(qtbot, schools, 0)
    press(qtbot, Qt.Key.Key_Space)
    assert schools.item(0).checkState() == Qt.CheckState.Checked
    choose(qtbot, w(dialog, QComboBox, "staffCombo"), "Harriet Head (Headteacher, Ash Primary)")
    password = w(dialog, QLineEdit, "passwordEdit")
    assert not password.isEnabled()  # a one-time password is made up unless asked
    tick(qtbot, w(dialog, QRadioButton, "typePasswordRadio"))
    type_into(qtbot, password, FIRST_PASSWORD)
    type_into(qtbot, w(dialog, QLineEdit, "confirmPasswordEdit"), FIRST_PASSWORD)
    click(qtbot, w(dialog, QPushButton, "saveAccountButton"))

    qtbot.waitUntil(lambda: len(rows(page)) == 2, timeout=10000)
    assert shown(page, AddAccountDialog) is None  # it closed once saved
    assert shown(page, OneTimePasswordDialog) is None  # the password was typed
    row = rows(page)[1]
    assert (row["Name"], row["Role"], row["Schools"]) == (
        "Harriet Head",
        "Headteacher",
        "Ash Primary",
    )
    assert (row["Active"], row["Last signed in"], row["Must change password"]) == (
        "Yes",
        "Never",
        "Yes",
    )
    session = sign_in(store_path, username="h.head", password=FIRST_PASSWORD)
    try:
        assert session.must_change_password
        assert session.actor.school_ids == frozenset({1})
    finally:
        session.close()
    (info,) = [u for u in list_users(new_store.session) if u.username == "h.head"]
    assert info.staff_member == "Harriet Head"
    assert messenger.said == []


def test_a_refused_account_keeps_the_dialog_open(
    qtbot, new_store: SetupResult, bea: str, messenger: FakeBackend
) -> None:
    _dialog, page = people_page(qtbot, new_store.session)
    click(qtbot, w(page, QPushButton, "addAccountButton"))
    qtbot.waitUntil(lambda: shown(page, AddAccountDialog) is not None, timeout=3000)
    dialog = shown(page, AddAccountDialog)
    assert dialog is not None
    type_into(qtbot, w(dialog, QLineEdit, "fullNameEdit"), "Another Bea")
    username = w(dialog, QLineEdit, "usernameEdit")
    type_into(qtbot, username, "BEA")
    choose(qtbot, w(dialog, QComboBox, "roleCombo"), "Auditor")
    assert not w(dialog, QListWidget, "schoolsList").isEnabled()  # trust-wide: every school
    dialog.activateWindow()  # back from the list, as it is for a person (offscreen does not)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    click(qtbot, w(dialog, QPushButton, "saveAccountButton"))
    qtbot.waitUntil(lambda: messenger.said != [], timeout=10000)
    assert messenger.said == [("warn", "Add an account", "That username is already taken.")]
    assert dialog.isVisible()
    qtbot.waitUntil(username.hasFocus, timeout=3000)
    assert [row["Username"] for row in rows(page)] == ["admin", "bea"]


def test_a_reset_shows_a_one_time_password_once_which_signs_in(
    qtbot, new_store: SetupResult, store_path: Path, bea: str, messenger: FakeBackend
) -> None:
    _dialog, page = people_page(qtbot, new_store.session)
    choose_account(qtbot, page, "bea")
    reset = w(page, QPushButton, "resetPasswordButton")
    messenger.confirmations.append(False)
    click(qtbot, reset)
    assert shown(page, OneTimePasswordDialog) is None  # cancelled: nothing changed
    sign_in(store_path, username="bea", password=SCHOOL_USER_PASSWORD).close()

    messenger.confirmations.append(True)
    click(qtbot, reset)
    password = one_time_password(qtbot, page)
    asked = [text for kind, _title, text in messenger.said if kind == "confirm"]
    assert len(asked) == 2 and "in person" in asked[1]
    found = shown(page, OneTimePasswordDialog)
    assert found is not None
    assert "in person" in w(found, QLabel, "oneTimePasswordIntro").text()
    click(qtbot, w(found, QPushButton, "copyPasswordButton"))
    assert QGuiApplication.clipboard().text() == password

    with pytest.raises(WrongPassword):
        sign_in(store_path, username="bea", password=SCHOOL_USER_PASSWORD)
    session = sign_in(store_path, username="bea", password=password)
    try:
        assert session.must_change_password
    finally:
        session.close()
    qtbot.waitUntil(
        lambda: (
            [r["Must change password"] for r in rows(page) if r["Username"] == "bea"] == ["Yes"]
        ),
        timeout=5000,
    )
    QGuiApplication.clipboard().clear()


def test_disable_stops_sign_in_and_enable_gives_a_one_time_password(
    qtbot, new_store: SetupResult, store_path: Path, bea: str, messenger: FakeBackend
) -> None:
    other = sign_in(store_path, username="bea", password=SCHOOL_USER_PASSWORD)
    other.close()
    _dialog, page = people_page(qtbot, new_store.session)
    choose_account(qtbot, page, "bea")
    assert [r["Last signed in"] for r in rows(page) if r["Username"] == "bea"] != ["Never"]
    switch = w(page, QPushButton, "switchButton")
    assert switch.text() == "&Disable"
    messenger.confirmations.append(True)
    click(qtbot, switch)
    qtbot.waitUntil(
        lambda: [r["Active"] for r in rows(page) if r["Username"] == "bea"] == ["Switched off"],
        timeout=10000,
    )
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="bea", password=SCHOOL_USER_PASSWORD)
    qtbot.waitUntil(lambda: switch.text() == "&Enable", timeout=3000)
    assert not w(page, QPushButton, "resetPasswordButton").isEnabled()

    messenger.confirmations.append(True)
    click(qtbot, switch)
    password = one_time_password(qtbot, page)
    sign_in(store_path, username="bea", password=password).close()
    qtbot.waitUntil(
        lambda: [r["Active"] for r in rows(page) if r["Username"] == "bea"] == ["Yes"],
        timeout=10000,
    )


def test_remove_explains_the_new_key_then_switches_the_account_off(
    qtbot, new_store: SetupResult, store_path: Path, bea: str, messenger: FakeBackend
) -> None:
    epoch = KeyFile.load(keys_path_for(store_path)).epoch
    _dialog, page = people_page(qtbot, new_store.session)
    choose_account(qtbot, page, "bea")
    messenger.confirmations.append(True)
    click(qtbot, w(page, QPushButton, "removeButton"))
    qtbot.waitUntil(
        lambda: [r["Active"] for r in rows(page) if r["Username"] == "bea"] == ["Switched off"],
        timeout=15000,
    )
    (asked,) = [text for kind, _title, text in messenger.said if kind == "confirm"]
    assert "key slot" in asked and "new key" in asked
    assert KeyFile.load(keys_path_for(store_path)).epoch > epoch
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="bea", password=SCHOOL_USER_PASSWORD)


def test_removing_yourself_is_refused_in_words(
    qtbot, new_store: SetupResult, messenger: FakeBackend
) -> None:
    _dialog, page = people_page(qtbot, new_store.session)
    choose_account(qtbot, page, "admin")
    messenger.confirmations.append(True)
    click(qtbot, w(page, QPushButton, "removeButton"))
    qtbot.waitUntil(lambda: any(kind == "warn" for kind, _t, _x in messenger.said), timeout=5000)
    (said,) = [text for kind, _title, text in messenger.said if kind == "warn"]
    assert "last active" in said
    assert [r["Active"] for r in rows(page)] == ["Yes"]


@pytest.fixture
def manager(new_store: SetupResult, store_path: Path) -> Iterator[UserSession]:
    session = sign_in_new_user(new_store, store_path, "manager", "business_manager")
    yield session
    session.close()


def test_other_roles_see_a_note(qtbot, manager: UserSession, messenger: FakeBackend) -> None:
    _dialog, page = people_page(qtbot, manager)
    note = w(page, QLabel, "readOnlyNote")
    assert note.isVisible() and "data protection lead" in note.text()
    assert not w(page, QTableWidget, "accountsTable").isVisible()
    assert not w(page, QPushButton, "addAccountButton").isVisible()
    assert messenger.said == []  # nothing was refused: the page never asked
