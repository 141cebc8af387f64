"""The settings dialog: pages load, OK saves each through its service, refusals keep it open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
)

from desktop.services import auth, trust
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.ui.messages import FakeBackend, Messenger
from desktop.ui.settings_dialog import PAGES, SettingsDialog
from desktop.ui.settings_pages import SchoolForm
from tests.conftest import ADMIN_PASSWORD


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeBackend:
    backend = FakeBackend()
    monkeypatch.setattr(Messenger, "backend", backend)
    return backend


def open_dialog(qtbot, session: UserSession) -> SettingsDialog:
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def dialog(qtbot, new_store: SetupResult, fake: FakeBackend) -> SettingsDialog:
    return open_dialog(qtbot, new_store.session)


@pytest.fixture
def manager(new_store: SetupResult) -> Iterator[UserSession]:
    add_user(
        new_store.session,
        username="manager",
        full_name="Mo Manager",
        role="business_manager",
        school_ids=[1],
        password=ADMIN_PASSWORD,
    )
    session = auth.sign_in(new_store.session.path, username="manager", password=ADMIN_PASSWORD)
    yield session
    session.close()


def press_ok(qtbot, dialog) -> None:
    ok = dialog.findChild(QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def choose_page(dialog: SettingsDialog, name: str) -> None:
    pages = dialog.findChild(QListWidget, "pageList")
    titles = [pages.item(i).text() for i in range(pages.count())]
    pages.setCurrentRow(titles.index(name))


def png_bytes() -> bytes:
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6f97"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_pages_come_from_the_registry(dialog: SettingsDialog) -> None:
    pages = dialog.findChild(QListWidget, "pageList")
    assert [pages.item(i).text() for i in range(pages.count())] == [p.title for p in PAGES]
    assert [p.title for p in PAGES[:3]] == ["Trust", "Schools", "Preferences"]
    choose_page(dialog, "Schools")
    assert dialog.current_page().objectName() == "schoolsPage"
    assert dialog.findChild(QLabel, "pageHeading").text() == "Schools"


def test_trust_name_change_is_saved(qtbot, dialog: SettingsDialog, new_store) -> None:
    name = dialog.findChild(QLineEdit, "trustNameEdit")
    assert name.text() == "Oakfield Learning Trust"
    assert "OK1 2AB" in dialog.findChild(QPlainTextEdit, "trustAddressEdit").toPlainText()
    name.setText("Elmfield Learning Trust")
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert trust.get_trust(new_store.session).name == "Elmfield Learning Trust"


def test_cancel_discards(qtbot, dialog: SettingsDialog, new_store) -> None:
    dialog.findChild(QLineEdit, "trustNameEdit").setText("Never Saved Trust")
    dialog.findChild(QCheckBox, "confirmLockCheck").setChecked(True)
    dialog.reject()
    assert trust.get_trust(new_store.session).name == "Oakfield Learning Trust"
    assert not trust.get_preferences(new_store.session).confirm_before_lock


def test_blank_trust_name_shows_message_and_stays_on_page(
    qtbot, dialog: SettingsDialog, fake: FakeBackend, new_store
) -> None:
    dialog.findChild(QLineEdit, "trustNameEdit").setText("   ")
    choose_page(dialog, "Preferences")
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert fake.said and fake.said[-1][0] == "warn"
    assert dialog.current_page().objectName() == "trustPage"
    assert trust.get_trust(new_store.session).name == "Oakfield Learning Trust"


def test_logo_can_be_chosen_and_removed(
    qtbot, dialog: SettingsDialog, fake: FakeBackend, new_store, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes())
    fake.paths.append(logo)
    preview = dialog.findChild(QLabel, "logoPreview")
    qtbot.mouseClick(dialog.findChild(QPushButton, "chooseLogoButton"), Qt.MouseButton.LeftButton)
    assert not preview.pixmap().isNull()
    assert dialog.findChild(QPushButton, "removeLogoButton").isEnabled()
    press_ok(qtbot, dialog)
    assert trust.get_trust_logo(new_store.session) == logo.read_bytes()

    again = open_dialog(qtbot, new_store.session)
    assert not again.findChild(QLabel, "logoPreview").pixmap().isNull()
    qtbot.mouseClick(again.findChild(QPushButton, "removeLogoButton"), Qt.MouseButton.LeftButton)
    press_ok(qtbot, again)
    assert trust.get_trust_logo(new_store.session) is None


def test_a_file_that_is_not_an_image_is_refused(
    qtbot, dialog: SettingsDialog, fake: FakeBackend, new_store, tmp_path: Path
) -> None:
    bogus = tmp_path / "logo.png"
    bogus.write_text("not a picture")
    fake.paths.append(bogus)
    qtbot.mouseClick(dialog.findChild(QPushButton, "chooseLogoButton"), Qt.MouseButton.LeftButton)
    assert fake.said[-1][0] == "warn"
    assert "PNG or JPEG" in fake.said[-1][2]
    assert dialog.findChild(QLabel, "logoPreview").text() == "No logo"


def school_form() -> SchoolForm:
    forms = [w for w in QApplication.topLevelWidgets() if isinstance(w, SchoolForm)]
    visible = [f for f in forms if f.isVisible()]
    assert len(visible) == 1
    return visible[0]


def test_schools_are_listed_and_a_new_one_is_added(qtbot, dialog: SettingsDialog, new_store):
    choose_page(dialog, "Schools")
    table = dialog.findChild(QTableWidget, "schoolsTable")
    assert table.rowCount() == 2
    assert [table.item(r, 0).text() for r in range(2)] == ["Ash Primary", "Birch Academy"]
    assert table.item(0, 2).text() == "Ann Ash"
    assert table.item(0, 3).text() == "Yes"

    qtbot.mouseClick(dialog.findChild(QPushButton, "addSchoolButton"), Qt.MouseButton.LeftButton)
    form = school_form()
    ok = form.findChild(QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing typed yet
    form.findChild(QLineEdit, "schoolNameEdit").setText("Cedar School")
    form.findChild(QLineEdit, "headteacherEdit").setText("Cy Cedar")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert table.rowCount() == 3
    assert table.item(2, 0).text() == "Cedar School"
    assert [s.name for s in trust.list_schools(new_store.session)] == [
        "Ash Primary",
        "Birch Academy",
    ]  # not saved until OK
    press_ok(qtbot, dialog)
    saved = {s.name: s for s in trust.list_schools(new_store.session)}
    assert saved["Cedar School"].headteacher_name == "Cy Cedar"


def test_editing_a_school(qtbot, dialog: SettingsDialog, new_store) -> None:
    choose_page(dialog, "Schools")
    table = dialog.findChild(QTableWidget, "schoolsTable")
    edit = dialog.findChild(QPushButton, "editSchoolButton")
    assert not edit.isEnabled()
    table.selectRow(1)
    assert edit.isEnabled()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    form = school_form()
    assert form.findChild(QLineEdit, "schoolNameEdit").text() == "Birch Academy"
    form.findChild(QLineEdit, "headteacherEdit").setText("Bea Birch")
    form.findChild(QCheckBox, "schoolActiveCheck").setChecked(False)
    form.accept()
    assert table.item(1, 3).text() == "No"
    press_ok(qtbot, dialog)
    birch = {s.name: s for s in trust.list_schools(new_store.session, include_inactive=True)}[
        "Birch Academy"
    ]
    assert (birch.headteacher_name, birch.active) == ("Bea Birch", False)


def test_duplicate_school_name_shows_message_and_stays_open(
    qtbot, dialog: SettingsDialog, fake: FakeBackend, new_store
) -> None:
    choose_page(dialog, "Schools")
    qtbot.mouseClick(dialog.findChild(QPushButton, "addSchoolButton"), Qt.MouseButton.LeftButton)
    form = school_form()
    form.findChild(QLineEdit, "schoolNameEdit").setText("ash primary")
    form.accept()
    choose_page(dialog, "Preferences")
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert fake.said[-1][0] == "warn"
    assert fake.said[-1][2] == "Another school already has that name."
    assert dialog.current_page().objectName() == "schoolsPage"
    assert len(trust.list_schools(new_store.session)) == 2


def test_preferences_are_saved(qtbot, dialog: SettingsDialog, new_store) -> None:
    choose_page(dialog, "Preferences")
    status = dialog.findChild(QComboBox, "defaultStatusCombo")
    school = dialog.findChild(QComboBox, "defaultSchoolCombo")
    assert status.currentText() == "Open"
    assert school.currentText() == "All my schools"
    status.setCurrentIndex(status.findText("All statuses"))
    school.setCurrentIndex(school.findText("Birch Academy"))
    dialog.findChild(QCheckBox, "confirmLockCheck").setChecked(True)
    press_ok(qtbot, dialog)
    prefs = trust.get_preferences(new_store.session)
    assert (prefs.default_status, prefs.default_school_id, prefs.confirm_before_lock) == (
        "",
        2,
        True,
    )
    again = open_dialog(qtbot, new_store.session)
    assert again.findChild(QComboBox, "defaultSchoolCombo").currentText() == "Birch Academy"
    assert again.findChild(QCheckBox, "confirmLockCheck").isChecked()


def test_business_manager_sees_trust_and_schools_read_only(
    qtbot, manager: UserSession, fake: FakeBackend, new_store
) -> None:
    dialog = open_dialog(qtbot, manager)
    trust_page = dialog.show_page("trustPage")
    note = trust_page.findChild(QLabel, "readOnlyNote")
    assert note.isVisible()
    assert "not change them" in note.text()
    assert "Trust leader (CEO or Chair)" in note.text()  # named from the permission table
    assert "School business manager" not in note.text()
    assert trust_page.findChild(QLineEdit, "trustNameEdit").isReadOnly()
    assert trust_page.findChild(QPlainTextEdit, "trustAddressEdit").isReadOnly()
    assert not trust_page.findChild(QPushButton, "chooseLogoButton").isEnabled()
    schools_page = dialog.show_page("schoolsPage")
    assert schools_page.findChild(QLabel, "readOnlyNote").isVisible()
    assert not schools_page.findChild(QPushButton, "addSchoolButton").isEnabled()
    # Their own preferences stay editable, and OK with nothing changed saves cleanly.
    prefs_page = dialog.show_page("preferencesPage")
    prefs_page.findChild(QCheckBox, "confirmLockCheck").setChecked(True)
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert trust.get_preferences(manager).confirm_before_lock


def test_the_service_still_refuses_a_read_only_change(
    qtbot, manager: UserSession, fake: FakeBackend, new_store
) -> None:
    dialog = open_dialog(qtbot, manager)
    dialog.findChild(QLineEdit, "trustNameEdit").setText("Sneaky Trust")  # bypasses read-only
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert fake.said[-1][0] == "warn"
    assert "cannot change the trust" in fake.said[-1][2]
    assert trust.get_trust(new_store.session).name == "Oakfield Learning Trust"
