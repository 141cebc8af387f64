"""The settings dialog: pages load, OK saves each through its service, refusals keep it open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage
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
    QSpinBox,
    QStyle,
    QTableWidget,
)

from desktop.services import auth, trust
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.ui.messages import Messenger
from desktop.ui.settings_dialog import PAGES, SettingsDialog
from desktop.ui.settings_pages import SchoolForm
from tests.conftest import ADMIN_PASSWORD
from tests.ui.fakes import FakeBackend
from tests.ui.typing import (
    choose,
    click,
    click_into,
    click_row,
    press,
    tick,
    type_into,
    type_keys,
)


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
    session = auth.sign_in(
        new_store.session.store.path, username="manager", password=ADMIN_PASSWORD
    )
    yield session
    session.close()


def press_ok(qtbot, dialog) -> None:
    ok = dialog.findChild(QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def choose_page(qtbot, dialog: SettingsDialog, name: str) -> None:
    pages = dialog.findChild(QListWidget, "pageList")
    titles = [pages.item(i).text() for i in range(pages.count())]
    click_row(qtbot, pages, titles.index(name))
    assert dialog.findChild(QLabel, "pageHeading").text() == name


def png_bytes() -> bytes:
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6f97"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_pages_come_from_the_registry(qtbot, dialog: SettingsDialog) -> None:
    pages = dialog.findChild(QListWidget, "pageList")
    assert [pages.item(i).text() for i in range(pages.count())] == [p.title for p in PAGES]
    assert [p.title for p in PAGES] == [
        "Trust",
        "Schools",
        "People and access",
        "Behaviours",
        "Procedure",
        "Letter templates",
        "Signature",
        "Two-step sign-in",
        "Preferences",
    ]
    choose_page(qtbot, dialog, "Schools")
    assert dialog.current_page().objectName() == "schoolsPage"
    assert dialog.findChild(QLabel, "pageHeading").text() == "Schools"


def test_trust_name_change_is_saved(qtbot, dialog: SettingsDialog, new_store) -> None:
    name = dialog.findChild(QLineEdit, "trustNameEdit")
    assert name.text() == "Oakfield Learning Trust"
    address = dialog.findChild(QPlainTextEdit, "trustAddressEdit")
    assert "OK1 2AB" in address.toPlainText()
    type_into(qtbot, name, "Elmfield Learning Trust")
    type_into(qtbot, address, "2 Market Square\nElmfield\nEL1 1AA")
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    info = trust.get_trust(new_store.session)
    assert (info.name, info.address) == (
        "Elmfield Learning Trust",
        "2 Market Square\nElmfield\nEL1 1AA",
    )


def test_cancel_discards(qtbot, dialog: SettingsDialog, new_store) -> None:
    type_into(qtbot, dialog.findChild(QLineEdit, "trustNameEdit"), "Never Saved Trust")
    choose_page(qtbot, dialog, "Preferences")
    tick(qtbot, dialog.findChild(QCheckBox, "confirmLockCheck"))
    buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
    click(qtbot, buttons.button(QDialogButtonBox.StandardButton.Cancel))
    assert not dialog.isVisible()
    assert trust.get_trust(new_store.session).name == "Oakfield Learning Trust"
    assert not trust.get_preferences(new_store.session).confirm_before_lock


def test_blank_trust_name_shows_message_and_stays_on_page(
    qtbot, dialog: SettingsDialog, fake: FakeBackend, new_store
) -> None:
    type_into(qtbot, dialog.findChild(QLineEdit, "trustNameEdit"), "   ")
    choose_page(qtbot, dialog, "Preferences")
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
    click(qtbot, dialog.findChild(QPushButton, "chooseLogoButton"))
    assert not preview.pixmap().isNull()
    assert dialog.findChild(QPushButton, "removeLogoButton").isEnabled()
    press_ok(qtbot, dialog)
    assert trust.get_trust_logo(new_store.session) == logo.read_bytes()

    again = open_dialog(qtbot, new_store.session)
    assert not again.findChild(QLabel, "logoPreview").pixmap().isNull()
    click(qtbot, again.findChild(QPushButton, "removeLogoButton"))
    press_ok(qtbot, again)
    assert trust.get_trust_logo(new_store.session) is None


def test_a_file_that_is_not_an_image_is_refused(
    qtbot, dialog: SettingsDialog, fake: FakeBackend, new_store, tmp_path: Path
) -> None:
    bogus = tmp_path / "logo.png"
    bogus.write_text("not a picture")
    fake.paths.append(bogus)
    click(qtbot, dialog.findChild(QPushButton, "chooseLogoButton"))
    assert fake.said[-1][0] == "warn"
    assert "PNG or JPEG" in fake.said[-1][2]
    assert dialog.findChild(QLabel, "logoPreview").text() == "No logo"


def school_form() -> SchoolForm:
    forms = [w for w in QApplication.topLevelWidgets() if isinstance(w, SchoolForm)]
    visible = [f for f in forms if f.isVisible()]
    assert len(visible) == 1
    return visible[0]


def test_schools_are_listed_and_a_new_one_is_added(qtbot, dialog: SettingsDialog, new_store):
    choose_page(qtbot, dialog, "Schools")
    table = dialog.findChild(QTableWidget, "schoolsTable")
    assert table.rowCount() == 2
    assert [table.item(r, 0).text() for r in range(2)] == ["Ash Primary", "Birch Academy"]
    assert table.item(0, 2).text() == "Ann Ash"
    assert table.item(0, 3).text() == "Yes"

    click(qtbot, dialog.findChild(QPushButton, "addSchoolButton"))
    form = school_form()
    ok = form.findChild(QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing typed yet
    name = form.findChild(QLineEdit, "schoolNameEdit")
    click_into(qtbot, name)
    type_keys(qtbot, "C")
    assert ok.isEnabled()  # with the first letter
    type_keys(qtbot, "edar School")
    type_into(qtbot, form.findChild(QPlainTextEdit, "schoolAddressEdit"), "Cedar Road\nOakfield")
    type_into(qtbot, form.findChild(QLineEdit, "headteacherEdit"), "Cy Cedar")
    click(qtbot, ok)
    assert table.rowCount() == 3
    assert table.item(2, 0).text() == "Cedar School"
    assert [s.name for s in trust.list_schools(new_store.session)] == [
        "Ash Primary",
        "Birch Academy",
    ]  # not saved until OK
    press_ok(qtbot, dialog)
    saved = {s.name: s for s in trust.list_schools(new_store.session)}
    assert saved["Cedar School"].headteacher_name == "Cy Cedar"
    assert saved["Cedar School"].address == "Cedar Road\nOakfield"


def test_editing_a_school(qtbot, dialog: SettingsDialog, new_store) -> None:
    choose_page(qtbot, dialog, "Schools")
    table = dialog.findChild(QTableWidget, "schoolsTable")
    edit = dialog.findChild(QPushButton, "editSchoolButton")
    assert not edit.isEnabled()
    click_row(qtbot, table, 1)
    assert edit.isEnabled()
    click(qtbot, edit)
    form = school_form()
    assert form.findChild(QLineEdit, "schoolNameEdit").text() == "Birch Academy"
    type_into(qtbot, form.findChild(QLineEdit, "headteacherEdit"), "Bea Birch")
    active = form.findChild(QCheckBox, "schoolActiveCheck")
    tick(qtbot, active)
    assert not active.isChecked()
    ok = form.findChild(QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    click(qtbot, ok)
    assert not form.isVisible()
    assert table.item(1, 3).text() == "No"
    press_ok(qtbot, dialog)
    birch = {s.name: s for s in trust.list_schools(new_store.session, include_inactive=True)}[
        "Birch Academy"
    ]
    assert (birch.headteacher_name, birch.active) == ("Bea Birch", False)


def test_names_in_any_alphabet_are_typed_saved_and_shown_again(
    qtbot, dialog: SettingsDialog, new_store
) -> None:
    """Accents, apostrophes and other alphabets, typed key by key, survive the round trip."""
    type_into(qtbot, dialog.findChild(QLineEdit, "trustNameEdit"), "Zoë O'Brien-Łukasz Trust")
    choose_page(qtbot, dialog, "Schools")
    click(qtbot, dialog.findChild(QPushButton, "addSchoolButton"))
    form = school_form()
    type_into(qtbot, form.findChild(QLineEdit, "schoolNameEdit"), "Ysgol Gymraeg Aberystwyth")
    type_into(
        qtbot, form.findChild(QPlainTextEdit, "schoolAddressEdit"), "Ffordd Llanbadarn\nSY23 1HB"
    )
    type_into(qtbot, form.findChild(QLineEdit, "headteacherEdit"), "محمد")
    press(qtbot, Qt.Key.Key_Return)
    assert not form.isVisible()
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()

    assert trust.get_trust(new_store.session).name == "Zoë O'Brien-Łukasz Trust"
    saved = {s.name: s for s in trust.list_schools(new_store.session)}
    ysgol = saved["Ysgol Gymraeg Aberystwyth"]
    assert (ysgol.address, ysgol.headteacher_name) == ("Ffordd Llanbadarn\nSY23 1HB", "محمد")

    again = open_dialog(qtbot, new_store.session)
    assert again.findChild(QLineEdit, "trustNameEdit").text() == "Zoë O'Brien-Łukasz Trust"
    table = again.findChild(QTableWidget, "schoolsTable")
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert ["Ysgol Gymraeg Aberystwyth", "Ffordd Llanbadarn\nSY23 1HB", "محمد"] in rows


def test_duplicate_school_name_shows_message_and_stays_open(
    qtbot, dialog: SettingsDialog, fake: FakeBackend, new_store
) -> None:
    choose_page(qtbot, dialog, "Schools")
    click(qtbot, dialog.findChild(QPushButton, "addSchoolButton"))
    form = school_form()
    type_into(qtbot, form.findChild(QLineEdit, "schoolNameEdit"), "ash primary")
    press(qtbot, Qt.Key.Key_Return)  # Enter presses the form's OK
    assert not form.isVisible()
    choose_page(qtbot, dialog, "Preferences")
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert fake.said[-1][0] == "warn"
    assert fake.said[-1][2] == "Another school already has that name."
    assert dialog.current_page().objectName() == "schoolsPage"
    assert len(trust.list_schools(new_store.session)) == 2


def test_preferences_are_saved(qtbot, dialog: SettingsDialog, new_store) -> None:
    choose_page(qtbot, dialog, "Preferences")
    status = dialog.findChild(QComboBox, "defaultStatusCombo")
    school = dialog.findChild(QComboBox, "defaultSchoolCombo")
    assert status.currentText() == "Open"
    assert school.currentText() == "All my schools"
    choose(qtbot, status, "All statuses")
    choose(qtbot, school, "Birch Academy")
    tick(qtbot, dialog.findChild(QCheckBox, "confirmLockCheck"))
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
    name = trust_page.findChild(QLineEdit, "trustNameEdit")
    address = trust_page.findChild(QPlainTextEdit, "trustAddressEdit")
    assert name.isReadOnly() and address.isReadOnly()
    type_into(qtbot, name, "Sneaky Trust")  # typing changes nothing
    type_into(qtbot, address, "Nowhere")
    assert name.text() == "Oakfield Learning Trust"
    assert "OK1 2AB" in address.toPlainText()
    assert not trust_page.findChild(QPushButton, "chooseLogoButton").isEnabled()
    schools_page = dialog.show_page("schoolsPage")
    assert schools_page.findChild(QLabel, "readOnlyNote").isVisible()
    assert not schools_page.findChild(QPushButton, "addSchoolButton").isEnabled()
    # Their own preferences stay editable, and OK with nothing changed saves cleanly.
    prefs_page = dialog.show_page("preferencesPage")
    tick(qtbot, prefs_page.findChild(QCheckBox, "confirmLockCheck"))
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert trust.get_preferences(manager).confirm_before_lock


def test_the_service_still_refuses_a_read_only_change(
    qtbot, manager: UserSession, fake: FakeBackend, new_store
) -> None:
    dialog = open_dialog(qtbot, manager)
    # setText, not typing: it bypasses the read-only field to prove the service refuses too.
    dialog.findChild(QLineEdit, "trustNameEdit").setText("Sneaky Trust")
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert fake.said[-1][0] == "warn"
    assert "cannot change the trust" in fake.said[-1][2]
    assert trust.get_trust(new_store.session).name == "Oakfield Learning Trust"


def test_the_logo_hint_reads_as_one_line_under_the_preview(qtbot, dialog: SettingsDialog) -> None:
    page = dialog.show_page("trustPage")
    hint = page.findChild(QLabel, "logoHint")
    preview = page.findChild(QLabel, "logoPreview")
    assert hint.isVisible() and "2 MB" in hint.text()
    assert hint.geometry().top() >= preview.geometry().bottom()  # under it, not beside it
    assert hint.width() >= page.width() // 2
    one_line = hint.fontMetrics().lineSpacing()
    assert hint.heightForWidth(hint.width()) < 2 * one_line  # not wrapped into a column


LONG_ADDRESS = "The Old Rectory, Kingsmead Avenue\nSouthfield\nNorthshire\nRS8 3NL"


def address_fits(table: QTableWidget, item) -> bool:
    """The cell has the room to draw the whole of its text, wrapped at its width."""
    rect = table.visualItemRect(item)
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
    room = QRect(0, 0, rect.width() - margin, 10_000)
    needed = QFontMetrics(item.font()).boundingRect(room, Qt.TextFlag.TextWordWrap, item.text())
    return needed.width() <= room.width() and needed.height() <= rect.height()


def test_a_long_address_is_shown_whole_in_the_schools_list(qtbot, new_store, fake) -> None:
    trust.save_school(
        new_store.session,
        school_id=None,
        name="Kingsmead Infant School",
        address=LONG_ADDRESS,
        headteacher_name="Martin Hale",
        active=True,
    )
    dialog = open_dialog(qtbot, new_store.session)
    choose_page(qtbot, dialog, "Schools")
    table = dialog.findChild(QTableWidget, "schoolsTable")
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    item = table.item(names.index("Kingsmead Infant School"), 1)
    assert item.text() == LONG_ADDRESS  # every line, as on a letter
    assert item.toolTip() == LONG_ADDRESS
    assert address_fits(table, item)

    width = table.visualItemRect(item).width()
    dialog.resize(dialog.width() - 120, dialog.height())
    qtbot.waitUntil(lambda: table.visualItemRect(item).width() < width)
    assert table.visualItemRect(item).width() < QFontMetrics(item.font()).horizontalAdvance(
        "The Old Rectory, Kingsmead Avenue"
    )  # too narrow for the longest line: it wraps, and the row grows to hold it
    qtbot.waitUntil(lambda: address_fits(table, item))


def test_the_evidence_size_limit_is_set_on_the_trust_page(qtbot, dialog, new_store) -> None:
    from desktop.services.evidence import evidence_limit

    spin = dialog.findChild(QSpinBox, "evidenceLimitSpin")
    assert spin.value() == 200
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()
    qtbot.keyClicks(spin, "50")
    dialog.accept()
    assert evidence_limit(new_store.session) == 50
