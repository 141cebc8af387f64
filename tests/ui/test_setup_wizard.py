"""The first-run wizard, driven page by page through its own buttons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QWizard,
)

import desktop.ui.setup_wizard as setup_wizard
from desktop.domain.roles import Role
from desktop.errors import StoreExists, user_message
from desktop.services import auth
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.services.store import store_exists
from desktop.services.trust import list_schools
from desktop.ui.setup_pages import ADMIN, RECOVERY, SCHOOLS, TRUST, WELCOME, suggest_username
from desktop.ui.setup_wizard import SetupWizard
from tests.pdfutil import pdf_text

PASSWORD = "a long enough password"


@pytest.fixture
def sample_path(tmp_path):
    return tmp_path / "sample.casebook"


@pytest.fixture
def wizard(qtbot, store_path, sample_path):
    wiz = SetupWizard(store_path, sample_path=sample_path)
    qtbot.addWidget(wiz)
    wiz.show()
    yield wiz
    if wiz.session is not None:
        wiz.session.close()


def w(widget, kind, name):
    found = widget.findChild(kind, name)
    assert found is not None, name
    return found


def button(wizard, which):
    return wizard.button(which)


def next_(wizard):
    button(wizard, QWizard.WizardButton.NextButton).click()


def fill_trust(wizard, name="Oakfield Learning Trust"):
    w(wizard, QLineEdit, "trustNameEdit").setText(name)
    w(wizard, QPlainTextEdit, "trustAddressEdit").setPlainText("1 High Street\nOakfield")


def fill_schools(wizard, *names):
    table = w(wizard, QTableWidget, "schoolsTable")
    add = w(wizard, QPushButton, "addSchoolButton")
    for row, name in enumerate(names):
        if row >= table.rowCount():
            add.click()
        table.item(row, 0).setText(name)
        table.item(row, 2).setText(f"Head of {name}")


def fill_admin(qtbot, wizard, confirm=PASSWORD):
    full_name = w(wizard, QLineEdit, "fullNameEdit")
    qtbot.keyClicks(full_name, "Jo Bloggs")
    w(wizard, QLineEdit, "passwordEdit").setText(PASSWORD)
    w(wizard, QLineEdit, "confirmEdit").setText(confirm)


def to_page(qtbot, wizard, page):
    """Walk forward with valid input up to `page`."""
    if page > WELCOME:
        next_(wizard)
    if page > TRUST:
        fill_trust(wizard)
        next_(wizard)
    if page > SCHOOLS:
        fill_schools(wizard, "Ash Primary", "Birch Academy")
        next_(wizard)
    if page > ADMIN:
        fill_admin(qtbot, wizard)
        next_(wizard)
    assert wizard.currentId() == page


def test_setting_up_a_trust_end_to_end(qtbot, wizard, store_path, tmp_path, messenger):
    assert wizard.windowTitle() == "Set up Casebook"
    assert w(wizard, QRadioButton, "setUpRadio").isChecked()
    to_page(qtbot, wizard, RECOVERY)

    key = w(wizard, QLabel, "recoveryKeyLabel").text()
    assert len(key.split("-")) == 8
    assert w(wizard, QLabel, "recoveryKeyLabel").textInteractionFlags() & (
        Qt.TextInteractionFlag.TextSelectableByMouse
    )
    messenger.paths.append(tmp_path / "sheet")
    w(wizard, QPushButton, "saveSheetButton").click()
    sheet = (tmp_path / "sheet.pdf").read_bytes()
    text = pdf_text(sheet)
    assert key in text
    assert "Oakfield Learning Trust" in text and "Jo Bloggs" in text
    assert store_path.name in text

    finish = button(wizard, QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # the sheet must be confirmed first
    w(wizard, QCheckBox, "savedCheck").setChecked(True)
    assert finish.isEnabled()
    with qtbot.waitSignal(wizard.accepted, timeout=10000):
        finish.click()

    assert wizard.result() == QDialog.DialogCode.Accepted
    assert store_exists(store_path)
    assert wizard.opened_path == store_path
    session = wizard.session
    assert session.actor.username == "j.bloggs"
    assert session.actor.full_name == "Jo Bloggs"
    assert session.actor.role is Role.DATA_PROTECTION_LEAD
    assert [s.name for s in list_schools(session)] == ["Ash Primary", "Birch Academy"]
    session.close()
    wizard.session = None

    # The key that was shown (and printed) is the one that opens the store.
    recovered = auth.reset_password_with_recovery_key(
        store_path, recovery_key=key, username="j.bloggs", new_password="another password 2"
    )
    recovered.close()


def test_the_recovery_key_stays_the_same_going_back_and_forth(qtbot, wizard):
    to_page(qtbot, wizard, RECOVERY)
    key = w(wizard, QLabel, "recoveryKeyLabel").text()
    button(wizard, QWizard.WizardButton.BackButton).click()
    next_(wizard)
    assert w(wizard, QLabel, "recoveryKeyLabel").text() == key


def test_empty_trust_name_blocks_next(qtbot, wizard):
    to_page(qtbot, wizard, TRUST)
    next_button = button(wizard, QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    w(wizard, QLineEdit, "trustNameEdit").setText("Oakfield Learning Trust")
    assert next_button.isEnabled()
    w(wizard, QLineEdit, "trustNameEdit").setText("")
    assert not next_button.isEnabled()


def test_schools_page_needs_a_named_school(qtbot, wizard):
    to_page(qtbot, wizard, SCHOOLS)
    next_button = button(wizard, QWizard.WizardButton.NextButton)
    table = w(wizard, QTableWidget, "schoolsTable")
    assert table.rowCount() == 1  # a first row is ready to type into
    assert not next_button.isEnabled()
    table.item(0, 1).setText("An address but no name")
    assert not next_button.isEnabled()
    table.item(0, 0).setText("Ash Primary")
    assert next_button.isEnabled()
    table.selectRow(0)
    w(wizard, QPushButton, "removeSchoolButton").click()
    assert table.rowCount() == 0
    assert not next_button.isEnabled()


def test_duplicate_school_names_are_refused_on_the_page(qtbot, wizard):
    to_page(qtbot, wizard, SCHOOLS)
    fill_schools(wizard, "Ash Primary", "ash primary")
    next_(wizard)
    assert wizard.currentId() == SCHOOLS
    error = w(wizard, QLabel, "schoolsError")
    assert error.isVisible()
    assert error.text() == "Two schools have the same name."


def test_mismatched_passwords_show_inline_and_stay(qtbot, wizard):
    to_page(qtbot, wizard, ADMIN)
    assert Role.DATA_PROTECTION_LEAD.label in w(wizard, QLabel, "roleLabel").text()
    assert "10 characters" in w(wizard, QLabel, "passwordHint").text()
    fill_admin(qtbot, wizard, confirm="a different password")
    next_(wizard)
    assert wizard.currentId() == ADMIN
    error = w(wizard, QLabel, "adminError")
    assert error.isVisible()
    assert error.text() == "The two passwords are not the same."


def test_short_password_is_explained(qtbot, wizard):
    to_page(qtbot, wizard, ADMIN)
    qtbot.keyClicks(w(wizard, QLineEdit, "fullNameEdit"), "Jo Bloggs")
    w(wizard, QLineEdit, "passwordEdit").setText("short")
    w(wizard, QLineEdit, "confirmEdit").setText("short")
    next_(wizard)
    assert wizard.currentId() == ADMIN
    assert "at least 10 characters" in w(wizard, QLabel, "adminError").text()


def test_username_is_suggested_until_the_person_types_one(qtbot, wizard):
    to_page(qtbot, wizard, ADMIN)
    full_name = w(wizard, QLineEdit, "fullNameEdit")
    username = w(wizard, QLineEdit, "usernameEdit")
    qtbot.keyClicks(full_name, "Zoe O'Brien-Smith")  # QTest types ASCII only
    assert username.text() == "z.obrien-smith"
    username.clear()
    qtbot.keyClicks(username, "zoe")
    qtbot.keyClicks(full_name, "s")
    assert username.text() == "zoe"


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Jo Bloggs", "j.bloggs"),
        ("  Prince  ", "prince"),
        ("Ann Marie Ash", "a.ash"),
        ("Zoë Ćwik", "z.cwik"),
        ("", ""),
    ],
)
def test_suggest_username(full_name, expected):
    assert suggest_username(full_name) == expected


def test_a_bad_trust_name_found_later_is_shown_on_the_trust_page(qtbot, wizard):
    to_page(qtbot, wizard, TRUST)
    fill_trust(wizard, name="Oakfield\x07Trust")
    next_(wizard)
    fill_schools(wizard, "Ash Primary")
    next_(wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == TRUST, timeout=3000)
    error = w(wizard, QLabel, "trustError")
    assert error.isVisible()
    assert "cannot be stored" in error.text()


def test_logo_is_checked_previewed_and_removable(qtbot, wizard, tmp_path, messenger):
    to_page(qtbot, wizard, TRUST)
    not_an_image = tmp_path / "logo.png"
    not_an_image.write_bytes(b"not really a png")
    picture = tmp_path / "real.png"
    image = QImage(200, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f4e79"))
    assert image.save(str(picture))
    messenger.paths.extend([not_an_image, picture])
    preview = w(wizard, QLabel, "logoPreview")
    remove = w(wizard, QPushButton, "removeLogoButton")

    w(wizard, QPushButton, "chooseLogoButton").click()
    assert w(wizard, QLabel, "trustError").text() == "The logo must be a PNG or JPEG image."
    assert not remove.isEnabled()

    w(wizard, QPushButton, "chooseLogoButton").click()
    assert not w(wizard, QLabel, "trustError").isVisible()
    assert preview.pixmap() is not None and not preview.pixmap().isNull()
    assert wizard.trust_draft().logo == picture.read_bytes()
    assert remove.isEnabled()

    remove.click()
    assert wizard.trust_draft().logo is None
    assert not remove.isEnabled()


def test_a_failed_create_leaves_the_wizard_on_the_last_page(qtbot, wizard, store_path, messenger):
    to_page(qtbot, wizard, RECOVERY)
    store_path.write_bytes(b"something already here")
    w(wizard, QCheckBox, "savedCheck").setChecked(True)
    button(wizard, QWizard.WizardButton.FinishButton).click()
    assert wizard.currentId() == RECOVERY
    assert wizard.isVisible()
    assert wizard.session is None
    assert [text for kind, _, text in messenger.said if kind == "warn"] == [
        user_message(StoreExists())
    ]
    assert store_path.read_bytes() == b"something already here"


def test_choosing_the_sample_makes_it_and_signs_in(
    qtbot, wizard, sample_path, monkeypatch, messenger
):
    monkeypatch.setattr(setup_wizard, "SAMPLE_CASES", 5)
    w(wizard, QRadioButton, "sampleRadio").setChecked(True)
    finish = button(wizard, QWizard.WizardButton.FinishButton)
    assert finish.isVisible() and finish.isEnabled()
    assert not button(wizard, QWizard.WizardButton.NextButton).isVisible()
    finish.click()
    qtbot.waitUntil(lambda: wizard.session is not None, timeout=30000)
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert store_exists(sample_path)
    assert wizard.opened_path == sample_path
    assert wizard.session.actor.username == "admin"
    info = [text for kind, _, text in messenger.said if kind == "info"]
    assert len(info) == 1
    assert SAMPLE_PASSWORD in info[0] and "admin" in info[0]


def test_an_existing_sample_is_opened_as_it_is(qtbot, wizard, sample_path, messenger):
    create_demo_store(sample_path, cases=0)
    w(wizard, QRadioButton, "sampleRadio").setChecked(True)
    with qtbot.waitSignal(wizard.accepted, timeout=5000):
        button(wizard, QWizard.WizardButton.FinishButton).click()
    assert wizard.opened_path == sample_path
    assert wizard.session.actor.username == "admin"
    assert messenger.said == []


def test_switching_back_from_the_sample_restores_next(qtbot, wizard):
    w(wizard, QRadioButton, "sampleRadio").setChecked(True)
    w(wizard, QRadioButton, "setUpRadio").setChecked(True)
    assert button(wizard, QWizard.WizardButton.NextButton).isVisible()
    assert not button(wizard, QWizard.WizardButton.FinishButton).isVisible()
    next_(wizard)
    assert wizard.currentId() == TRUST
