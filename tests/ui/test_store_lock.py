"""One copy of Casebook per store: the lock file, and what a second copy says and does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QSysInfo, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWizard,
)

from desktop import app as app_module
from desktop import paths
from desktop.paths import log_dir
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.services.setup import SetupResult
from desktop.services.store import locate
from desktop.ui.main_window import MainWindow
from desktop.ui.setup_pages import RECOVERY
from desktop.ui.setup_wizard import SetupWizard
from desktop.ui.signin_dialog import SignInDialog
from desktop.ui.store_lock import (
    IN_USE_TITLE,
    LockHolder,
    StoreLock,
    in_use_message,
    lock_path_for,
)
from tests.conftest import ADMIN_PASSWORD
from tests.ui.fakes import FakeBackend
from tests.ui.test_setup_wizard import to_page, w
from tests.ui.typing import click, tick, type_into

ROOT = Path(__file__).resolve().parents[2]
HERE = QSysInfo.machineHostName()

# Another copy of Casebook, as far as the lock can tell: a process holding the store's lock
# until its stdin closes.
HOLDER = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from desktop.ui.store_lock import StoreLock

app = QCoreApplication(["casebook"])
lock = StoreLock(Path(sys.argv[1]))
if not lock.take():
    sys.exit(2)
print("locked", flush=True)
sys.stdin.read()
"""


@contextmanager
def held_by_another_process(store: Path) -> Iterator[subprocess.Popen[str]]:
    """A second process holding the lock on `store` until the block ends (or it is killed)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        assert process.stdout.readline().strip() == "locked"
        yield process
    finally:
        if process.poll() is None:
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()


@pytest.fixture
def other_copy(store_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another copy of Casebook with `store_path` open, as far as the lock can tell."""
    with held_by_another_process(store_path) as process:
        yield process


def held_by(lock: StoreLock) -> tuple[int, str]:
    """The process and computer a lock file names."""
    holder = lock.holder()
    assert holder is not None
    return holder.pid, holder.hostname


def top_level(kind: type) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


# -- the lock itself -------------------------------------------------------------------------
def test_the_lock_file_sits_beside_the_store(store_path: Path) -> None:
    expected = store_path.with_name("trust.casebook.open")
    assert lock_path_for(store_path) == expected
    assert lock_path_for(locate(store_path)) == expected  # a location names the same file
    assert StoreLock(store_path).path == expected


def test_a_second_lock_fails_and_names_the_holder_until_the_first_is_let_go(
    store_path: Path,
) -> None:
    first, second = StoreLock(store_path), StoreLock(store_path)
    assert first.take() and first.held
    assert first.take()  # taking a lock already held changes nothing

    assert not second.take()
    assert second.held_elsewhere and not second.held
    assert held_by(second) == (os.getpid(), HERE)
    assert not LockHolder(os.getpid(), HERE, "casebook").on_another_computer

    first.release()
    assert not first.held and not first.path.exists()
    assert second.take()
    second.release()


def test_a_lock_held_by_another_process_names_it(
    store_path: Path, other_copy: subprocess.Popen[str]
) -> None:
    lock = StoreLock(store_path)
    assert not lock.take() and lock.held_elsewhere
    assert held_by(lock) == (other_copy.pid, HERE)


def test_a_lock_left_by_a_killed_process_is_taken_over(
    store_path: Path, other_copy: subprocess.Popen[str]
) -> None:
    other_copy.kill()  # SIGKILL: no chance to remove its lock file
    other_copy.wait()
    lock = StoreLock(store_path)
    assert lock.path.exists() and held_by(lock) == (other_copy.pid, HERE)

    assert lock.take()
    assert held_by(lock) == (os.getpid(), HERE)
    lock.release()


def test_the_lock_file_says_which_process_and_computer_but_not_who(
    qtbot, new_store: SetupResult
) -> None:
    path = new_store.session.store.path
    new_store.session.close()
    window = _sign_in_through_run_flow(qtbot, path)
    text = lock_path_for(path).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == str(os.getpid()) and lines[2] == HERE
    assert "Alex Admin" not in text
    assert not any(line == "admin" for line in lines)
    window.close()


def test_the_message_says_where_the_store_is_open(tmp_path: Path) -> None:
    lock_path = tmp_path / "trust.casebook.open"
    here = in_use_message(LockHolder(4321, HERE, "casebook"), lock_path)
    assert here == (
        f"This case store is already open in Casebook on {HERE} (process 4321). "
        "Close it there first, or wait for it to close."
    )
    there = in_use_message(LockHolder(99, "office-pc-7", "casebook"), lock_path)
    assert "on office-pc-7 (process 99)" in there
    assert str(lock_path) in there  # a lock from a computer switched off is deleted by hand
    assert "already open" in in_use_message(None, lock_path)


# -- start-up --------------------------------------------------------------------------------
def _sign_in_through_run_flow(qtbot, path: Path) -> MainWindow:
    def sign_in() -> None:
        dialog = top_level(SignInDialog)[0]
        type_into(qtbot, dialog.findChild(QLineEdit, "usernameEdit"), "admin")
        type_into(qtbot, dialog.findChild(QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
        click(qtbot, dialog.findChild(QPushButton, "signInButton"))

    QTimer.singleShot(0, sign_in)
    window = app_module.run_flow(path)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    return window


@pytest.fixture
def sign_in_asked(qtbot) -> Iterator[list[SignInDialog]]:
    """Any sign-in dialog that opens, recorded and cancelled (so a failing test cannot hang)."""
    asked: list[SignInDialog] = []

    def cancel() -> None:
        for dialog in top_level(SignInDialog):
            asked.append(dialog)
            dialog.reject()

    watch = QTimer()
    watch.timeout.connect(cancel)
    watch.start(10)
    yield asked
    watch.stop()


def test_a_second_copy_says_who_has_the_store_open_and_does_not_open_it(
    qtbot,
    new_store: SetupResult,
    other_copy: subprocess.Popen[str],
    messenger: FakeBackend,
    sign_in_asked: list[SignInDialog],
) -> None:
    path = new_store.session.store.path
    new_store.session.close()
    assert app_module.run_flow(path) is None
    assert sign_in_asked == []  # no password asked for a store that cannot be opened
    assert messenger.said == [
        (
            "warn",
            IN_USE_TITLE,
            f"This case store is already open in Casebook on {HERE} "
            f"(process {other_copy.pid}). Close it there first, or wait for it to close.",
        )
    ]
    assert top_level(MainWindow) == []


def test_a_second_copy_exits_cleanly(
    qtbot,
    hooks,
    new_store: SetupResult,
    other_copy: subprocess.Popen[str],
    messenger: FakeBackend,
    sign_in_asked: list[SignInDialog],
) -> None:
    path = new_store.session.store.path
    new_store.session.close()
    assert app_module.main([], store_path=path) == 0
    assert sign_in_asked == []
    assert [kind for kind, _, _ in messenger.said] == ["warn"]
    log = (log_dir() / "casebook.log").read_text(encoding="utf-8")
    assert "startup.store_in_use" in log and "startup.signed_in" not in log


def test_the_window_holds_the_lock_through_the_lock_screen_until_quit(
    qtbot, hooks, new_store: SetupResult, messenger: FakeBackend
) -> None:
    path = new_store.session.store.path
    new_store.session.close()
    seen: dict[str, bool] = {}
    steps: list[str] = []

    def sign_in(username: str | None) -> None:
        dialog = top_level(SignInDialog)[0]
        if username is not None:
            type_into(qtbot, dialog.findChild(QLineEdit, "usernameEdit"), username)
        type_into(qtbot, dialog.findChild(QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
        click(qtbot, dialog.findChild(QPushButton, "signInButton"))

    def step() -> None:
        """One step each time what it waits for is on screen; the app's own loop runs."""
        windows = top_level(MainWindow)
        window = windows[0] if windows else None
        if not steps and top_level(SignInDialog):
            steps.append("signed in")
            sign_in("admin")
        elif steps == ["signed in"] and window is not None and not window.locked:
            steps.append("locked")
            seen["held"] = not StoreLock(path).take()
            window.lock_action.trigger()
        elif steps[-1:] == ["locked"] and top_level(SignInDialog):
            steps.append("unlocking")  # the lock screen signs in again under the same lock
            sign_in(None)
        elif steps[-1:] == ["unlocking"] and window is not None and not window.locked:
            steps.append("quit")
            seen["still_held"] = not StoreLock(path).take()
            # Connected after the window's lock was, so this runs after the lock is let go.
            QApplication.instance().aboutToQuit.connect(at_quit)
            window.quit_action.trigger()

    def at_quit() -> None:
        seen["let go at quit"] = not lock_path_for(path).exists()

    stepper = QTimer()
    stepper.timeout.connect(step)
    stepper.start(20)
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(QApplication.quit)  # a step that never comes fails, not hangs
    watchdog.start(30_000)
    try:
        assert app_module.main([], store_path=path) == 0
    finally:
        stepper.stop()
        watchdog.stop()
        if "quit" in steps:
            QApplication.instance().aboutToQuit.disconnect(at_quit)
    assert steps == ["signed in", "locked", "unlocking", "quit"]
    assert seen == {"held": True, "still_held": True, "let go at quit": True}
    assert messenger.said == []
    assert StoreLock(path).take()


def test_a_store_made_by_the_setup_wizard_is_locked_once_open(
    qtbot, tmp_path: Path, messenger: FakeBackend
) -> None:
    path = tmp_path / "not yet made" / "trust.casebook"  # its folder too

    def set_up() -> None:
        wizard = top_level(SetupWizard)[0]
        to_page(qtbot, wizard, RECOVERY)
        tick(qtbot, w(wizard, QCheckBox, "savedCheck"))
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))

    QTimer.singleShot(0, set_up)
    window = app_module.run_flow(path)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    other = StoreLock(path)
    assert not other.take()
    assert held_by(other) == (os.getpid(), HERE)
    window.close()


@pytest.mark.parametrize("open_elsewhere", [False, True], ids=["free", "open elsewhere"])
def test_the_sample_opened_from_the_wizard_is_the_store_locked(
    qtbot, tmp_path: Path, messenger: FakeBackend, open_elsewhere: bool
) -> None:
    sample = paths.sample_store_path()
    create_demo_store(sample, cases=0)
    path = tmp_path / "trust.casebook"
    wizards: list[SetupWizard] = []

    def step() -> None:
        if not wizards and top_level(SetupWizard):
            wizards.append(wizard := top_level(SetupWizard)[0])
            tick(qtbot, w(wizard, QRadioButton, "sampleRadio"))
            finish = wizard.button(QWizard.WizardButton.FinishButton)
            QTimer.singleShot(0, lambda: click(qtbot, finish))  # runs the sign-in modally
        elif len(wizards) == 1 and top_level(SignInDialog):
            wizards.append(wizards[0])  # signed in once
            dialog = top_level(SignInDialog)[0]
            type_into(qtbot, w(dialog, QLineEdit, "passwordEdit"), SAMPLE_PASSWORD)
            click(qtbot, w(dialog, QPushButton, "signInButton"))

    stepper = QTimer()
    stepper.timeout.connect(step)
    with ExitStack() as stack:
        other = stack.enter_context(held_by_another_process(sample)) if open_elsewhere else None
        stepper.start(20)
        try:
            window = app_module.run_flow(path)
        finally:
            stepper.stop()
        assert len(wizards) == 2
        assert not lock_path_for(path).exists()  # the store that was not made is not held
        if other is None:
            assert isinstance(window, MainWindow)
            qtbot.addWidget(window)
            assert messenger.said == []
            assert held_by(StoreLock(sample)) == (os.getpid(), HERE)
            window.close()
        else:
            assert window is None
            assert messenger.said[-1] == (
                "warn",
                IN_USE_TITLE,
                f"This case store is already open in Casebook on {HERE} "
                f"(process {other.pid}). Close it there first, or wait for it to close.",
            )
            assert wizards[0].session.closed  # signed out again: no key left in memory
