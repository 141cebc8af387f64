"""The sample trust: offered again on later launches, opened by signing in, marked as a sample."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QWidget,
    QWizard,
)

from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.ui.setup_wizard import SetupWizard
from desktop.ui.signin_dialog import SignInDialog


def find(widget, kind, name):
    found = widget.findChild(kind, name)
    assert found is not None, name
    return found


@pytest.fixture
def sample_path(tmp_path):
    return tmp_path / "sample-trust.casebook"


@pytest.fixture
def made_sample(sample_path):
    create_demo_store(sample_path, cases=3)
    return sample_path


def open_wizard(qtbot, store_path, sample_path) -> SetupWizard:
    wizard = SetupWizard(store_path, sample_path=sample_path)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def choose_sample(qtbot, wizard) -> None:
    radio = find(wizard, QRadioButton, "sampleRadio")
    radio.setFocus()
    qtbot.keyClick(radio, Qt.Key.Key_Space)
    assert radio.isChecked()


def _sign_in_dialog() -> SignInDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SignInDialog) and widget.isVisible():
            return widget
    return None


def test_a_launch_with_only_a_sample_offers_to_open_it(qtbot, store_path, made_sample) -> None:
    wizard = open_wizard(qtbot, store_path, made_sample)
    radio = find(wizard, QRadioButton, "sampleRadio")
    assert radio.text() == "&Open the sample trust"
    assert find(wizard, QRadioButton, "setUpRadio").text() == "&Set up my trust"
    note = find(wizard, QLabel, "storeNote")
    assert str(store_path) in note.text()
    choose_sample(qtbot, wizard)
    assert str(made_sample) in note.text() and str(store_path) not in note.text()
    finish = wizard.button(QWizard.WizardButton.FinishButton).text()
    assert finish == "Sign &in to the sample"  # its own Alt key, not the choice's Alt+O


def test_opening_the_sample_asks_for_an_account_and_its_password(
    qtbot, store_path, made_sample
) -> None:
    wizard = open_wizard(qtbot, store_path, made_sample)
    choose_sample(qtbot, wizard)
    seen: dict[str, str] = {}

    def sign_in() -> None:
        dialog = _sign_in_dialog()
        if dialog is None:
            QTimer.singleShot(20, sign_in)
            return
        seen["title"] = dialog.windowTitle()
        seen["note"] = find(dialog, QLabel, "lockedLabel").text()
        seen["username"] = find(dialog, QWidget, "usernameEdit").text()
        password = find(dialog, QWidget, "passwordEdit")
        qtbot.keyClicks(password, SAMPLE_PASSWORD)
        qtbot.mouseClick(find(dialog, QPushButton, "signInButton"), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, sign_in)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.session is not None)
    try:
        assert seen["title"] == "Sign in to the sample trust"
        assert SAMPLE_PASSWORD in seen["note"]  # the one rule, said where it is needed
        assert seen["username"] == "admin"
        assert wizard.opened_path == made_sample
        assert wizard.session.is_sample
        assert wizard.session.actor.username == "admin"
    finally:
        wizard.session.close()


def test_cancelling_the_sample_sign_in_stays_on_the_welcome_page(
    qtbot, store_path, made_sample
) -> None:
    wizard = open_wizard(qtbot, store_path, made_sample)
    choose_sample(qtbot, wizard)

    def cancel() -> None:
        dialog = _sign_in_dialog()
        if dialog is None:
            QTimer.singleShot(20, cancel)
            return
        qtbot.mouseClick(find(dialog, QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, cancel)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _sign_in_dialog() is None)
    assert wizard.session is None
    assert wizard.isVisible() and wizard.currentId() == 0


def test_making_the_sample_shows_progress_on_the_page_not_over_it(
    qtbot, store_path, sample_path, messenger
) -> None:
    wizard = open_wizard(qtbot, store_path, sample_path)
    radio = find(wizard, QRadioButton, "sampleRadio")
    assert radio.text() == "&Explore with a sample trust"
    progress_box = find(wizard, QWidget, "sampleProgressBox")
    assert not progress_box.isVisible()
    choose_sample(qtbot, wizard)
    assert "will be made" in find(wizard, QLabel, "storeNote").text()
    shown: list[bool] = []
    bar = find(wizard, QProgressBar, "sampleProgress")
    bar.valueChanged.connect(lambda _value: shown.append(progress_box.isVisible()))
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert progress_box.isVisible() and not finish.isEnabled()
    assert not any(isinstance(w, QProgressDialog) for w in QApplication.topLevelWidgets())
    qtbot.waitUntil(lambda: wizard.session is not None, timeout=30_000)
    try:
        assert shown and all(shown)
        assert not progress_box.isVisible()
        assert wizard.session.is_sample
        infos = [text for kind, _title, text in messenger.said if kind == "info"]
        assert SAMPLE_PASSWORD in infos[0] and "Open the sample trust" in infos[0]
    finally:
        wizard.session.close()


def test_the_main_window_marks_a_sample_wherever_its_data_shows(
    qtbot, made_sample, new_store
) -> None:
    from desktop.services import auth
    from desktop.ui.main_window import SAMPLE_BADGE, MainWindow

    session = auth.sign_in(made_sample, username="admin", password=SAMPLE_PASSWORD)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    badge = find(window, QLabel, "sampleLabel")
    assert badge.isVisible() and badge.text() == SAMPLE_BADGE
    assert "SAMPLE" in window.windowTitle()
    window.close()

    real = MainWindow(new_store.session)
    qtbot.addWidget(real)
    real.show()
    assert not find(real, QLabel, "sampleLabel").isVisible()
    assert "SAMPLE" not in real.windowTitle()
    real.close()
