"""The first-run wizard, driven page by page as a person would: typing, clicking its buttons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
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
from desktop.paths import store_files_exist
from desktop.services import auth
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.services.policies import profile_history, profile_in_force
from desktop.services.trust import get_trust, list_schools
from desktop.ui.setup_pages import (
    ADMIN,
    PROCEDURE,
    RECOVERY,
    SCHOOLS,
    TRUST,
    WELCOME,
    suggest_username,
)
from desktop.ui.setup_wizard import SetupWizard
from desktop.ui.signin_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.pdfutil import pdf_text
from tests.ui.typing import (
    cell_editor,
    click,
    click_into,
    click_row,
    focused,
    paste_into,
    press,
    tick,
    type_in_cell,
    type_into,
    type_keys,
)

PASSWORD = "a long enough password"
ALT = Qt.KeyboardModifier.AltModifier


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


def next_(qtbot, wizard):
    click(qtbot, button(wizard, QWizard.WizardButton.NextButton))


def fill_trust(qtbot, wizard, name="Oakfield Learning Trust", address="1 High Street\nOakfield"):
    type_into(qtbot, w(wizard, QLineEdit, "trustNameEdit"), name)
    type_into(qtbot, w(wizard, QPlainTextEdit, "trustAddressEdit"), address)


def fill_schools(qtbot, wizard, *names):
    """Type each school into its row: name, Tab, address, Tab, headteacher, Tab."""
    table = w(wizard, QTableWidget, "schoolsTable")
    add = w(wizard, QPushButton, "addSchoolButton")
    for row, name in enumerate(names):
        if row >= table.rowCount():
            click(qtbot, add)
        for column, text in enumerate(school_row(name)):
            type_in_cell(qtbot, table, row, column, text)


def school_row(name):
    return (name, f"{name} Lane, Oakfield", f"Head of {name}")


def fill_admin(qtbot, wizard, confirm=PASSWORD, full_name="Jo Bloggs", password=PASSWORD):
    type_into(qtbot, w(wizard, QLineEdit, "fullNameEdit"), full_name)
    type_into(qtbot, w(wizard, QLineEdit, "passwordEdit"), password)
    type_into(qtbot, w(wizard, QLineEdit, "confirmEdit"), confirm)


def to_page(qtbot, wizard, page):
    """Walk forward with valid input up to `page`."""
    if page > WELCOME:
        next_(qtbot, wizard)
    if page > TRUST:
        fill_trust(qtbot, wizard)
        next_(qtbot, wizard)
    if page > SCHOOLS:
        fill_schools(qtbot, wizard, "Ash Primary", "Birch Academy")
        next_(qtbot, wizard)
    if page > PROCEDURE:
        next_(qtbot, wizard)  # the first procedure, chosen to begin with
    if page > ADMIN:
        fill_admin(qtbot, wizard)
        next_(qtbot, wizard)
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
    click(qtbot, w(wizard, QPushButton, "saveSheetButton"))
    sheet = (tmp_path / "sheet.pdf").read_bytes()
    text = pdf_text(sheet)
    assert key in text
    assert "Oakfield Learning Trust" in text and "Jo Bloggs" in text
    assert store_path.name in text

    finish = button(wizard, QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # the sheet must be confirmed first
    tick(qtbot, w(wizard, QCheckBox, "savedCheck"))
    assert finish.isEnabled()
    with qtbot.waitSignal(wizard.accepted, timeout=10000):
        click(qtbot, finish)

    assert wizard.result() == QDialog.DialogCode.Accepted
    assert store_files_exist(store_path)
    assert wizard.opened_path == store_path
    session = wizard.session
    assert session.actor.username == "j.bloggs"
    assert session.actor.full_name == "Jo Bloggs"
    assert session.actor.role is Role.DATA_PROTECTION_LEAD
    info = get_trust(session)
    assert (info.name, info.address) == ("Oakfield Learning Trust", "1 High Street\nOakfield")
    assert [(s.name, s.address, s.headteacher_name) for s in list_schools(session)] == [
        school_row("Ash Primary"),
        school_row("Birch Academy"),
    ]
    assert profile_in_force(session).profile.id == "graduated_sanctions"  # the first offered
    session.close()
    wizard.session = None

    # The key that was shown (and printed) is the one that opens the store.
    recovered = auth.reset_password_with_recovery_key(
        store_path, recovery_key=key, username="j.bloggs", new_password="another password 2"
    )
    recovered.close()


def alt_to(qtbot, wizard, key, page):
    """Alt+N (Next) or Alt+B (Back): a mnemonic clicks its button a moment after the key."""
    press(qtbot, key, ALT)
    qtbot.waitUntil(lambda: wizard.currentId() == page, timeout=2000)


def test_the_procedure_is_chosen_by_keyboard_and_put_in_force(qtbot, wizard):
    to_page(qtbot, wizard, PROCEDURE)
    graduated = w(wizard, QRadioButton, "profileRadio_graduated_sanctions")
    conversation = w(wizard, QRadioButton, "profileRadio_conversation_first")
    assert graduated.isChecked() and not conversation.isChecked()
    assert "mediation meeting" in w(wizard, QLabel, "profileNote_graduated_sanctions").text()
    assert "conversation" in w(wizard, QLabel, "profileNote_conversation_first").text()
    qtbot.waitUntil(graduated.hasFocus, timeout=2000)  # the page opens on the chosen one
    press(qtbot, Qt.Key.Key_Down)
    assert conversation.isChecked() and not graduated.isChecked()
    alt_to(qtbot, wizard, Qt.Key.Key_N, ADMIN)
    alt_to(qtbot, wizard, Qt.Key.Key_B, PROCEDURE)  # back and forth keeps the choice
    assert conversation.isChecked() and not graduated.isChecked()
    alt_to(qtbot, wizard, Qt.Key.Key_N, ADMIN)
    fill_admin(qtbot, wizard)
    alt_to(qtbot, wizard, Qt.Key.Key_N, RECOVERY)
    tick(qtbot, w(wizard, QCheckBox, "savedCheck"))
    with qtbot.waitSignal(wizard.accepted, timeout=10000):
        press(qtbot, Qt.Key.Key_C, ALT)

    now = profile_in_force(wizard.session)
    assert now.profile.id == "conversation_first"
    assert now.installed_by == "Jo Bloggs"
    assert [(row.name, row.active) for row in profile_history(wizard.session)] == [
        (now.profile.name, True)
    ]


def test_names_in_any_alphabet_are_typed_and_stored(qtbot, wizard, store_path):
    """Accents, apostrophes and other alphabets, typed key by key, reach the store intact."""
    next_(qtbot, wizard)
    fill_trust(qtbot, wizard, "Ymddiriedolaeth Addysg Gymraeg Ceredigion", "Heol y Bont\nAberaeron")
    next_(qtbot, wizard)
    table = w(wizard, QTableWidget, "schoolsTable")
    first = ("Ysgol Gymraeg Aberystwyth", "Ffordd Llanbadarn, Aberystwyth", "Siân Prys-Jones")
    second = ("École Saint-Zoë", "1 Rue de l'Église", "محمد")
    for column, text in enumerate(first):
        type_in_cell(qtbot, table, 0, column, text)
    click(qtbot, w(wizard, QPushButton, "addSchoolButton"))
    for column, text in enumerate(second):
        type_in_cell(qtbot, table, 1, column, text, how="F2", commit=Qt.Key.Key_Return)
    next_(qtbot, wizard)
    assert wizard.currentId() == PROCEDURE
    next_(qtbot, wizard)
    assert wizard.currentId() == ADMIN
    fill_admin(qtbot, wizard, full_name="Zoë O'Brien-Łukasz")
    assert w(wizard, QLineEdit, "usernameEdit").text() == "z.obrien-łukasz"
    next_(qtbot, wizard)
    assert wizard.currentId() == RECOVERY
    tick(qtbot, w(wizard, QCheckBox, "savedCheck"))
    with qtbot.waitSignal(wizard.accepted, timeout=10000):
        click(qtbot, button(wizard, QWizard.WizardButton.FinishButton))

    session = wizard.session
    assert (session.actor.username, session.actor.full_name) == (
        "z.obrien-łukasz",
        "Zoë O'Brien-Łukasz",
    )
    assert get_trust(session).name == "Ymddiriedolaeth Addysg Gymraeg Ceredigion"
    assert [(s.name, s.address, s.headteacher_name) for s in list_schools(session)] == [
        first,
        second,
    ]


def test_the_recovery_key_stays_the_same_going_back_and_forth(qtbot, wizard):
    to_page(qtbot, wizard, RECOVERY)
    key = w(wizard, QLabel, "recoveryKeyLabel").text()
    click(qtbot, button(wizard, QWizard.WizardButton.BackButton))
    next_(qtbot, wizard)
    assert w(wizard, QLabel, "recoveryKeyLabel").text() == key


def test_empty_trust_name_blocks_next(qtbot, wizard):
    to_page(qtbot, wizard, TRUST)
    next_button = button(wizard, QWizard.WizardButton.NextButton)
    name = w(wizard, QLineEdit, "trustNameEdit")
    assert not next_button.isEnabled()
    click_into(qtbot, name)
    type_keys(qtbot, "O")
    assert next_button.isEnabled()  # as soon as the first letter is typed
    type_keys(qtbot, "akfield Learning Trust")
    assert next_button.isEnabled()
    type_into(qtbot, name, "")
    assert not next_button.isEnabled()


def test_schools_page_needs_a_named_school(qtbot, wizard):
    to_page(qtbot, wizard, SCHOOLS)
    next_button = button(wizard, QWizard.WizardButton.NextButton)
    table = w(wizard, QTableWidget, "schoolsTable")
    assert table.rowCount() == 1  # a first row is ready to type into
    assert not next_button.isEnabled()
    type_in_cell(qtbot, table, 0, 1, "An address but no name")
    assert not next_button.isEnabled()
    # Next enables with the first key typed, while the cell is still being edited.
    type_in_cell(qtbot, table, 0, 0, "A", commit=None)
    assert table.item(0, 0).text() == "A"
    assert next_button.isEnabled()
    type_keys(qtbot, "sh Primary")
    press(qtbot, Qt.Key.Key_Return)
    assert table.item(0, 0).text() == "Ash Primary"
    assert next_button.isEnabled()
    click_row(qtbot, table, 0)
    click(qtbot, w(wizard, QPushButton, "removeSchoolButton"))
    assert table.rowCount() == 0
    assert not next_button.isEnabled()


ASH_ROW = ("Ash Primary", "Ash Lane", "Ann Ash")


def type_row_by_keys(qtbot, cells) -> None:
    """Name, Tab, address, Tab, headteacher: the keys a person presses along one row."""
    for number, text in enumerate(cells):
        if number:
            press(qtbot, Qt.Key.Key_Tab)
        type_keys(qtbot, text)


def test_typing_straight_onto_a_cell_starts_editing_it(qtbot, wizard):
    """No double-click needed: the page opens with the first cell current, ready to type."""
    to_page(qtbot, wizard, SCHOOLS)
    table = w(wizard, QTableWidget, "schoolsTable")
    assert focused() is table or cell_editor(table, 0, 0) is focused()
    type_row_by_keys(qtbot, ASH_ROW)
    press(qtbot, Qt.Key.Key_Return)
    assert [table.item(0, column).text() for column in range(3)] == list(ASH_ROW)
    assert wizard.currentId() == SCHOOLS  # Return ended the edit; it did not press Next
    assert button(wizard, QWizard.WizardButton.NextButton).isEnabled()


def test_duplicate_school_names_are_refused_on_the_page(qtbot, wizard):
    to_page(qtbot, wizard, SCHOOLS)
    fill_schools(qtbot, wizard, "Ash Primary", "ash primary")
    next_(qtbot, wizard)
    assert wizard.currentId() == SCHOOLS
    error = w(wizard, QLabel, "schoolsError")
    assert error.isVisible()
    assert error.text() == "Two schools have the same name."


def test_mismatched_passwords_show_inline_and_stay(qtbot, wizard):
    to_page(qtbot, wizard, ADMIN)
    assert Role.DATA_PROTECTION_LEAD.label in w(wizard, QLabel, "roleLabel").text()
    assert "10 characters" in w(wizard, QLabel, "passwordHint").text()
    fill_admin(qtbot, wizard, confirm="a different password")
    next_(qtbot, wizard)
    assert wizard.currentId() == ADMIN
    error = w(wizard, QLabel, "adminError")
    assert error.isVisible()
    assert error.text() == "The two passwords are not the same."


def test_short_password_is_explained(qtbot, wizard):
    to_page(qtbot, wizard, ADMIN)
    fill_admin(qtbot, wizard, password="short", confirm="short")
    next_(qtbot, wizard)
    assert wizard.currentId() == ADMIN
    assert "at least 10 characters" in w(wizard, QLabel, "adminError").text()


def test_username_is_suggested_until_the_person_types_one(qtbot, wizard):
    to_page(qtbot, wizard, ADMIN)
    full_name = w(wizard, QLineEdit, "fullNameEdit")
    username = w(wizard, QLineEdit, "usernameEdit")
    type_into(qtbot, full_name, "Zoë O'Brien-Smith")
    assert username.text() == "z.obrien-smith"
    type_into(qtbot, username, "zoe")
    type_into(qtbot, full_name, "s", replace=False)
    assert full_name.text() == "Zoë O'Brien-Smiths"
    assert username.text() == "zoe"
    type_into(qtbot, username, "")  # clearing it hands the choice back
    type_into(qtbot, full_name, "Jo Bloggs")
    assert username.text() == "j.bloggs"


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Jo Bloggs", "j.bloggs"),
        ("  Prince  ", "prince"),
        ("Ann Marie Ash", "a.ash"),
        ("Zoë Ćwik", "z.ćwik"),
        ("", ""),
    ],
)
def test_suggest_username(full_name, expected):
    assert suggest_username(full_name) == expected


def test_a_bad_trust_name_found_later_is_shown_on_the_trust_page(qtbot, wizard):
    to_page(qtbot, wizard, TRUST)
    fill_trust(qtbot, wizard)
    # No key types a control character, but a paste from another program can carry one.
    paste_into(qtbot, w(wizard, QLineEdit, "trustNameEdit"), "Oakfield\x07Trust")
    assert w(wizard, QLineEdit, "trustNameEdit").text() == "Oakfield\x07Trust"
    next_(qtbot, wizard)
    fill_schools(qtbot, wizard, "Ash Primary")
    next_(qtbot, wizard)
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

    click(qtbot, w(wizard, QPushButton, "chooseLogoButton"))
    assert w(wizard, QLabel, "trustError").text() == "The logo must be a PNG or JPEG image."
    assert not remove.isEnabled()

    click(qtbot, w(wizard, QPushButton, "chooseLogoButton"))
    assert not w(wizard, QLabel, "trustError").isVisible()
    assert preview.pixmap() is not None and not preview.pixmap().isNull()
    assert wizard.trust_draft().logo == picture.read_bytes()
    assert remove.isEnabled()

    click(qtbot, remove)
    assert wizard.trust_draft().logo is None
    assert not remove.isEnabled()


def test_a_failed_create_leaves_the_wizard_on_the_last_page(qtbot, wizard, store_path, messenger):
    to_page(qtbot, wizard, RECOVERY)
    store_path.write_bytes(b"something already here")
    tick(qtbot, w(wizard, QCheckBox, "savedCheck"))
    click(qtbot, button(wizard, QWizard.WizardButton.FinishButton))
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
    tick(qtbot, w(wizard, QRadioButton, "sampleRadio"))
    finish = button(wizard, QWizard.WizardButton.FinishButton)
    assert finish.isVisible() and finish.isEnabled()
    assert not button(wizard, QWizard.WizardButton.NextButton).isVisible()
    click(qtbot, finish)
    qtbot.waitUntil(lambda: wizard.session is not None, timeout=30000)
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert store_files_exist(sample_path)
    assert wizard.opened_path == sample_path
    assert wizard.session.actor.username == "admin"
    info = [text for kind, _, text in messenger.said if kind == "info"]
    assert len(info) == 1
    assert SAMPLE_PASSWORD in info[0] and "admin" in info[0]


def test_an_existing_sample_is_opened_by_signing_in(qtbot, wizard, sample_path, messenger):
    create_demo_store(sample_path, cases=0)
    tick(qtbot, w(wizard, QRadioButton, "sampleRadio"))

    def sign_in() -> None:  # the sign-in dialog runs modally inside the Finish click
        dialog = next(
            (d for d in QApplication.topLevelWidgets() if isinstance(d, SignInDialog)), None
        )
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, sign_in)
            return
        assert w(dialog, QLineEdit, "usernameEdit").text() == "admin"
        type_into(qtbot, w(dialog, QLineEdit, "passwordEdit"), SAMPLE_PASSWORD)
        click(qtbot, w(dialog, QPushButton, "signInButton"))

    QTimer.singleShot(0, sign_in)
    with qtbot.waitSignal(wizard.accepted, timeout=10000):
        click(qtbot, button(wizard, QWizard.WizardButton.FinishButton))
    assert wizard.opened_path == sample_path
    assert wizard.session.actor.username == "admin"
    assert messenger.said == []


def test_switching_back_from_the_sample_restores_next(qtbot, wizard):
    tick(qtbot, w(wizard, QRadioButton, "sampleRadio"))
    tick(qtbot, w(wizard, QRadioButton, "setUpRadio"))
    assert button(wizard, QWizard.WizardButton.NextButton).isVisible()
    assert not button(wizard, QWizard.WizardButton.FinishButton).isVisible()
    next_(qtbot, wizard)
    assert wizard.currentId() == TRUST


def test_tab_from_the_last_cell_leaves_the_table_for_add_school(qtbot, wizard):
    """A keyboard user is never trapped: Tab once wrapped round to the first cell for ever."""
    to_page(qtbot, wizard, SCHOOLS)
    table = w(wizard, QTableWidget, "schoolsTable")
    type_row_by_keys(qtbot, ASH_ROW)
    press(qtbot, Qt.Key.Key_Tab)
    add = w(wizard, QPushButton, "addSchoolButton")
    qtbot.waitUntil(lambda: focused() is add)
    assert [table.item(0, column).text() for column in range(3)] == list(ASH_ROW)
    press(qtbot, Qt.Key.Key_Space)  # Add school: a new row, its first cell being edited
    assert table.rowCount() == 2
    type_keys(qtbot, "Birch Academy")
    press(qtbot, Qt.Key.Key_Return)
    assert table.item(1, 0).text() == "Birch Academy"


# -- restoring a backup on a new computer (issue 12) -------------------------------------------
def _backup_of(new_store, folder):
    from desktop.services.backups import make_backup

    folder.mkdir()
    return make_backup(new_store.session, folder=folder).path


def _restore_in_wizard(qtbot, wizard, messenger, backup):
    """Choose Restore, pick the backup, restore it unchecked, and sign in to it."""
    from desktop.ui.restore_dialog import RestoreDialog

    tick(qtbot, w(wizard, QRadioButton, "restoreRadio"))
    finish = button(wizard, QWizard.WizardButton.FinishButton)
    assert finish.isVisible() and finish.text() == "&Choose the backup…"
    assert not button(wizard, QWizard.WizardButton.NextButton).isVisible()
    assert str(wizard.store_path) in w(wizard, QLabel, "storeNote").text()
    click(qtbot, finish)
    dialog = wizard.findChild(RestoreDialog)
    assert dialog is not None and dialog.isVisible()
    messenger.paths.append(backup)
    click(qtbot, w(dialog, QPushButton, "chooseBackupButton"))
    qtbot.waitUntil(lambda: w(dialog, QPushButton, "restoreButton").isEnabled(), timeout=10000)
    assert w(dialog, QLabel, "trustValue").text() == "Oakfield Learning Trust"
    messenger.confirmations.append(True)
    click(qtbot, w(dialog, QPushButton, "restoreButton"))
    qtbot.waitUntil(
        lambda: wizard.findChild(SignInDialog, "signInAfterRestore") is not None, timeout=20000
    )
    sign_in = wizard.findChild(SignInDialog, "signInAfterRestore")
    type_into(qtbot, w(sign_in, QLineEdit, "usernameEdit"), "admin")
    type_into(qtbot, w(sign_in, QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    with qtbot.waitSignal(wizard.accepted, timeout=10000):
        click(qtbot, w(sign_in, QPushButton, "signInButton"))


def test_restoring_a_backup_on_a_new_computer(qtbot, new_store, sample_path, tmp_path, messenger):
    from desktop.paths import default_store_path

    backup = _backup_of(new_store, tmp_path / "usb")
    target = default_store_path()  # a new computer: not even its folder yet
    assert not target.parent.exists()
    wizard = SetupWizard(target, sample_path=sample_path)
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        _restore_in_wizard(qtbot, wizard, messenger, backup)
        assert wizard.result() == QDialog.DialogCode.Accepted
        assert wizard.opened_path == target and store_files_exist(target)
        assert wizard.session.actor.username == "admin"
        assert get_trust(wizard.session).name == "Oakfield Learning Trust"
        [(kind, title, text)] = [said for said in messenger.said if said[0] == "info"]
        assert title == "Backup restored" and f"Restored to {target}." in text
    finally:
        if wizard.session is not None:
            wizard.session.close()


def test_the_wizard_lets_go_of_its_store_lock_while_it_restores(
    qtbot, new_store, sample_path, tmp_path, messenger
):
    from desktop.ui.store_lock import StoreLock

    backup = _backup_of(new_store, tmp_path / "usb")
    target = tmp_path / "laptop" / "trust.casebook"
    target.parent.mkdir()
    lock = StoreLock(target)
    assert lock.take()  # as start-up holds it while the wizard runs
    wizard = SetupWizard(target, sample_path=sample_path, store_lock=lock)
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        _restore_in_wizard(qtbot, wizard, messenger, backup)
        assert wizard.opened_path == target and lock.held
    finally:
        if wizard.session is not None:
            wizard.session.close()
        lock.release()
