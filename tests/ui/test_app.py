"""Start-up: the no-display message, the error hook and its dialog, and the first-window flow."""

from __future__ import annotations

import sys
import threading
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QTableWidget

from desktop import app as app_module
from desktop.paths import log_dir
from desktop.services.setup import SetupResult
from desktop.ui import error_dialog
from desktop.ui.error_dialog import ErrorDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.setup_wizard import SetupWizard
from desktop.ui.signin_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.ui.typing import click, type_into


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[BaseException, Path | None]]:
    """Record what the error dialog would have shown instead of opening it."""
    calls: list[tuple[BaseException, Path | None]] = []
    monkeypatch.setattr(
        error_dialog, "show_error", lambda exc, path, parent=None: calls.append((exc, path))
    )
    return calls


def test_no_display_prints_a_plain_message(monkeypatch, capsys, hooks) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert app_module.main([]) == 1
    err = capsys.readouterr().err
    assert "could not find a display" in err
    assert "xvfb-run -a casebook" in err
    assert "Traceback" not in err


def test_display_check_only_applies_on_linux(monkeypatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert app_module.display_missing("linux")
    assert not app_module.display_missing("win32")
    assert not app_module.display_missing("darwin")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert not app_module.display_missing("linux")


PRIVATE = "Patricia Example of 4 Elm Road"


def raise_and_catch(message: str) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise RuntimeError(message)
    except RuntimeError as exc:
        return type(exc), exc, exc.__traceback__


def test_excepthook_logs_and_shows_the_dialog(qtbot, hooks, shown) -> None:
    log_path = app_module.setup_logging()
    assert log_path == log_dir() / "casebook.log"
    app_module.install_excepthook(log_path)
    kind, exc, tb = raise_and_catch(PRIVATE)
    sys.excepthook(kind, exc, tb)
    assert shown == []  # queued: the dialog never opens inside the failing handler
    qtbot.waitUntil(lambda: shown == [(exc, log_path)])
    text = log_path.read_text(encoding="utf-8")
    assert "uncaught_exception" in text
    assert "builtins.RuntimeError" in text
    assert "Traceback" in text and "in raise_and_catch" in text
    assert PRIVATE not in text  # messages may hold personal data: never logged


def test_exception_in_a_thread_reaches_the_dialog(qtbot, hooks, shown) -> None:
    log_path = app_module.setup_logging()
    app_module.install_excepthook(log_path)

    def fail(message: str) -> None:
        raise ValueError(message)

    worker = threading.Thread(target=fail, args=(PRIVATE,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert isinstance(shown[0][0], ValueError)
    text = log_path.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text and "in fail" in text
    assert PRIVATE not in text


def test_error_dialog_says_where_the_log_is_and_copies_it(qtbot, tmp_path: Path) -> None:
    log_path = tmp_path / "casebook.log"
    seen: dict[str, str] = {}

    def answer() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog))
        seen["heading"] = dialog.findChild(QLabel, "headingLabel").text()
        seen["message"] = dialog.findChild(QLabel, "messageLabel").text()
        seen["log"] = dialog.findChild(QLabel, "logLabel").text()
        dialog.findChild(QPushButton, "copyLogButton").click()
        dialog.accept()

    QTimer.singleShot(0, answer)
    error_dialog.show_error(PermissionError("denied"), log_path)
    assert seen["heading"] == "Something went wrong"
    assert "permissions" in seen["message"]
    assert seen["log"] == f"Details were written to the log at {log_path}"
    assert QGuiApplication.clipboard().text() == str(log_path)


def test_run_flow_signs_in_to_an_existing_store(qtbot, new_store: SetupResult) -> None:
    path = new_store.session.store.path

    def sign_in() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog))
        type_into(qtbot, dialog.findChild(QLineEdit, "usernameEdit"), "admin")
        type_into(qtbot, dialog.findChild(QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
        dialog.findChild(QPushButton, "signInButton").click()

    QTimer.singleShot(0, sign_in)
    window = app_module.run_flow(path)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert window.isVisible()
    assert window.session.actor.username == "admin"
    window.close()
    assert window.session.closed


def test_the_front_desk_signs_in_to_the_visitor_check_only(qtbot, new_store: SetupResult) -> None:
    """Issue 7, item 9: the front desk's role sees only the check, straight after sign-in."""
    from desktop.services.users import add_user
    from desktop.ui.check_window import CheckWindow

    add_user(
        new_store.session,
        username="desk",
        full_name="Dee Desk",
        role="front_desk",
        school_ids=[1],
        password="front desk password",
    )
    path = new_store.session.store.path

    def sign_in() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog))
        type_into(qtbot, dialog.findChild(QLineEdit, "usernameEdit"), "desk")
        type_into(qtbot, dialog.findChild(QLineEdit, "passwordEdit"), "front desk password")
        dialog.findChild(QPushButton, "signInButton").click()

    QTimer.singleShot(0, sign_in)
    window = app_module.run_flow(path)
    assert isinstance(window, CheckWindow)
    qtbot.addWidget(window)
    assert window.isVisible() and window.front_desk
    assert not any(isinstance(w, MainWindow) for w in QApplication.topLevelWidgets())
    window.session.close()
    window.close()


def test_a_key_file_changed_outside_is_told_after_sign_in(
    qtbot, messenger, new_store: SetupResult
) -> None:
    import json

    from desktop.storage.keyvault import RECOVERY_SLOT, keys_path_for

    path = new_store.session.store.path
    data = json.loads(keys_path_for(path).read_text())
    box = data["slots"][RECOVERY_SLOT]["box"]
    box["ct"] = ("B" if box["ct"][0] == "A" else "A") + box["ct"][1:]
    keys_path_for(path).write_text(json.dumps(data))

    def sign_in() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog))
        type_into(qtbot, dialog.findChild(QLineEdit, "usernameEdit"), "admin")
        type_into(qtbot, dialog.findChild(QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
        dialog.findChild(QPushButton, "signInButton").click()

    QTimer.singleShot(0, sign_in)
    window = app_module.run_flow(path)
    qtbot.addWidget(window)
    assert any(kind == "warn" and "recovery key" in text for kind, _, text in messenger.said)
    window.close()


def test_run_flow_cancelled_at_sign_in_returns_none(qtbot, new_store: SetupResult) -> None:
    def cancel() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog))
        dialog.reject()

    QTimer.singleShot(0, cancel)
    assert app_module.run_flow(new_store.session.store.path) is None


def test_run_flow_without_a_store_opens_the_setup_wizard(qtbot, tmp_path: Path) -> None:
    seen: list[SetupWizard] = []

    def cancel() -> None:
        wizard = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SetupWizard))
        seen.append(wizard)
        wizard.reject()

    QTimer.singleShot(0, cancel)
    assert app_module.run_flow(tmp_path / "new.casebook") is None
    assert len(seen) == 1
    assert not (tmp_path / "new.casebook").exists()


def test_application_is_named(qapp) -> None:
    application = app_module.make_application([])
    assert application.applicationName() == "Casebook"
    assert application.organizationName() == "Casebook"
    assert not application.windowIcon().isNull()


def test_main_returns_zero_when_sign_in_is_cancelled(qtbot, hooks, new_store) -> None:
    def cancel() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog))
        dialog.reject()

    QTimer.singleShot(0, cancel)
    assert app_module.main([], store_path=new_store.session.store.path) == 0
    assert "startup" in (log_dir() / "casebook.log").read_text(encoding="utf-8")


def test_main_shows_a_start_up_failure_in_a_window(monkeypatch, hooks, shown, tmp_path) -> None:
    def broken(store_path: Path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(app_module, "run_flow", broken)
    assert app_module.main([], store_path=tmp_path / "x.casebook") == 1
    assert len(shown) == 1 and isinstance(shown[0][0], OSError)
    assert "startup.failed" in (log_dir() / "casebook.log").read_text(encoding="utf-8")


def test_a_store_missing_its_key_file_is_said_so_before_any_password_is_asked(
    qtbot, new_store: SetupResult, messenger
) -> None:
    """Not the setup wizard (which would make a new key file) and not the sign-in dialog
    (no password can help): the damaged-store dialog (tests/ui/test_damaged_store_dialog.py)."""
    from desktop.ui.damaged_store_dialog import DamagedStoreDialog

    path = new_store.session.store.path
    new_store.session.close()
    Path(f"{path}.keys").unlink()
    seen: list[str] = []

    def close() -> None:
        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, DamagedStoreDialog)
        )
        seen.append(dialog.findChild(QLabel, "problemLabel").text())
        click(qtbot, dialog.findChild(QPushButton, "closeButton"))

    QTimer.singleShot(0, close)
    assert app_module.run_flow(path) is None
    assert "key file" in seen[0] and "missing" in seen[0]
    assert not Path(f"{path}.keys").exists()


class _FailingEditor(QLineEdit):
    """An editor whose keystroke handler fails the way a broken delegate connection did."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("failingEditor")
        # A C++ signal given one argument too many, called from Qt through a partial: a
        # TypeError with no Python frames, as the setup wizard's delegate once raised.
        self.textEdited.connect(partial(self.editingFinished.emit))


TYPED, MORE_TYPED = "Qmz", " Wvx"


def _accept_error_dialogs(found: list[str]) -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ErrorDialog) and widget.isVisible():
            found.append(widget.findChild(QLabel, "messageLabel").text())
            widget.findChild(QPushButton, "copyLogButton").setFocus()
            widget.accept()


@pytest.mark.qt_no_exception_capture
def test_an_error_inside_a_signal_handler_opens_and_closes_the_dialog(qtbot, hooks) -> None:
    """The first-run crash: the dialog opened inside the editor's own keystroke handler."""
    log_path = app_module.setup_logging()
    app_module.install_excepthook(log_path)
    table = QTableWidget(1, 1)
    table.setObjectName("schoolsTable")
    qtbot.addWidget(table)
    table.show()
    editor = _FailingEditor(table)
    editor.show()
    editor.setFocus()
    found: list[str] = []
    timer = QTimer()
    timer.timeout.connect(lambda: _accept_error_dialogs(found))
    timer.start(20)
    try:
        qtbot.keyClicks(editor, TYPED)  # three failures, one dialog: the rest are logged
        qtbot.waitUntil(lambda: len(found) == 1)
        assert editor.text() == TYPED  # the field took every key and the process lives on
        qtbot.keyClicks(editor, MORE_TYPED)  # the next failure opens the box again
        qtbot.waitUntil(lambda: len(found) == 2)
    finally:
        timer.stop()
    assert editor.text() == TYPED + MORE_TYPED
    text = log_path.read_text(encoding="utf-8")
    assert "builtins.TypeError" in text
    assert "only accepts" in text  # a signature error's message comes from code: kept
    assert "no Python frames" in text
    assert "Called from" in text and "keyClicks" in text
    assert TYPED not in text and MORE_TYPED not in text  # what was typed stays out


def test_the_unexpected_error_dialog_says_each_thing_once(qtbot) -> None:
    dialog = ErrorDialog(RuntimeError(PRIVATE), Path("/tmp/casebook.log"))
    qtbot.addWidget(dialog)
    words = [
        dialog.findChild(QLabel, name).text()
        for name in ("headingLabel", "messageLabel", "logLabel")
    ]
    assert PRIVATE not in " ".join(words)
    assert sum("log" in w.lower() for w in words) == 1
    assert sum("went wrong" in w.lower() for w in words) == 1
